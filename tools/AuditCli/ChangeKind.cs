using System.Globalization;
using System.Text;
using Functions.Common.DynamoDb;
using Functions.Events;
using Functions.Events.Serialization;
using AttributeValue = Functions.Events.DynamoDBEvent.AttributeValue;

namespace Functions.AuditCli;

public enum ChangeKind
{
    Added,
    Removed,
    Changed,
}
