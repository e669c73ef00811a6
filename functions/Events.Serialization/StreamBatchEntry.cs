using static Functions.Events.DynamoDBEvent;

namespace Functions.Events.Serialization;

/// <summary>One record of a stream batch: parsed, or the reason it could not be.</summary>
public sealed record StreamBatchEntry(string SequenceNumber, DynamodbStreamRecord? Record, string? Error)
{
    public bool IsValid => Record is not null;
}
