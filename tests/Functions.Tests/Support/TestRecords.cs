using System.Text.Json;
using Functions.AuditTrail;
using Functions.Events;
using Functions.Events.Serialization;
using Functions.Common.Tables;
using AttributeValue = Functions.Events.DynamoDBEvent.AttributeValue;

namespace Functions.Tests;

/// <summary>Stream records and attribute maps written as the wire JSON, for readable tests.</summary>
internal static class TestRecords
{
    public const string OrdersStreamArn = "arn:aws:dynamodb:us-east-1:123456789012:table/maip-dev-orders/stream/2026-01-16T00:00:00.000";
    public static readonly DateTime ChangeTime = new(2026, 1, 16, 12, 0, 0, DateTimeKind.Utc);

    public static AuditTrailSettings Settings(string prefix = "maip-dev-")
        => new() { AuditTableName = prefix + "audit", TablePrefix = new TablePrefix(prefix) };

    public static Dictionary<string, AttributeValue> Map(string json)
        => JsonSerializer.Deserialize(json, LambdaJsonContext.Default.DictionaryStringAttributeValue)!;

    public static Dictionary<string, AttributeValue> OrderKeys(string orderId = "order-123")
        => Map($$$"""{"orderId":{"S":"{{{orderId}}}"},"customerId#timestamp":{"S":"cust-789#2026-01-16T12:00:00Z"}}""");

    public static Dictionary<string, AttributeValue> Order(string extraJson = "", string orderId = "order-123")
        => Map($$$"""{"orderId":{"S":"{{{orderId}}}"},"customerId#timestamp":{"S":"cust-789#2026-01-16T12:00:00Z"}{{{(extraJson.Length > 0 ? "," + extraJson : "")}}}}""");

    public static DynamoDBEvent.DynamodbStreamRecord Record(
        string eventName,
        Dictionary<string, AttributeValue>? newImage = null,
        Dictionary<string, AttributeValue>? oldImage = null,
        string sequenceNumber = "4421584500000000017450439091",
        string streamArn = OrdersStreamArn,
        Dictionary<string, AttributeValue>? keys = null,
        DateTime? time = null)
        => new()
        {
            EventID = "c4ca4238a0b923820dcc509a6f75849b",
            EventName = eventName,
            EventVersion = "1.1",
            EventSource = "aws:dynamodb",
            AwsRegion = "us-east-1",
            EventSourceArn = streamArn,
            Dynamodb = new DynamoDBEvent.StreamRecord
            {
                ApproximateCreationDateTime = time ?? ChangeTime,
                Keys = keys ?? OrderKeys(),
                NewImage = newImage,
                OldImage = oldImage,
                SequenceNumber = sequenceNumber,
                SizeBytes = 100,
                StreamViewType = "NEW_AND_OLD_IMAGES",
            },
        };

    public static string Json(Dictionary<string, AttributeValue> item)
        => JsonSerializer.Serialize(item, LambdaJsonContext.Default.DictionaryStringAttributeValue);
}
