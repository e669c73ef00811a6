using System.Text.Json.Serialization;

namespace Functions.Common.Lambda;

/// <summary>
/// A DynamoDB Streams batch as Lambda delivers it. Shaped like
/// Amazon.Lambda.DynamoDBEvents.DynamoDBEvent (v3) so the official package can replace it.
/// </summary>
public sealed class DynamoDBEvent
{
    [JsonPropertyName("Records")]
    public List<DynamodbStreamRecord>? Records { get; set; }

    public sealed class DynamodbStreamRecord
    {
        [JsonPropertyName("eventID")] public string? EventID { get; set; }
        [JsonPropertyName("eventName")] public string? EventName { get; set; }
        [JsonPropertyName("eventVersion")] public string? EventVersion { get; set; }
        [JsonPropertyName("eventSource")] public string? EventSource { get; set; }
        [JsonPropertyName("awsRegion")] public string? AwsRegion { get; set; }
        [JsonPropertyName("eventSourceARN")] public string? EventSourceArn { get; set; }
        [JsonPropertyName("userIdentity")] public Identity? UserIdentity { get; set; }
        [JsonPropertyName("dynamodb")] public StreamRecord? Dynamodb { get; set; }
    }

    public sealed class StreamRecord
    {
        [JsonConverter(typeof(EpochDateTimeConverter))]
        public DateTime ApproximateCreationDateTime { get; set; }
        public Dictionary<string, AttributeValue>? Keys { get; set; }
        public Dictionary<string, AttributeValue>? NewImage { get; set; }
        public Dictionary<string, AttributeValue>? OldImage { get; set; }
        public string? SequenceNumber { get; set; }
        public long SizeBytes { get; set; }
        public string? StreamViewType { get; set; }
    }

    /// <summary>Who made the change; present only for TTL deletions.</summary>
    public sealed class Identity
    {
        [JsonPropertyName("type")] public string? Type { get; set; }
        [JsonPropertyName("principalId")] public string? PrincipalId { get; set; }
    }

    /// <summary>
    /// One DynamoDB attribute value: exactly one member is set. Numbers stay strings (up to 38
    /// digits), binary stays bytes. Read strictly: an unknown type or a malformed value throws.
    /// </summary>
    [JsonConverter(typeof(AttributeValueJsonConverter))]
    public sealed class AttributeValue
    {
        public string? S { get; set; }
        public string? N { get; set; }
        public byte[]? B { get; set; }
        public List<string>? SS { get; set; }
        public List<string>? NS { get; set; }
        public List<byte[]>? BS { get; set; }
        public Dictionary<string, AttributeValue>? M { get; set; }
        public List<AttributeValue>? L { get; set; }
        public bool? NULL { get; set; }
        public bool? BOOL { get; set; }

        public static AttributeValue FromS(string value) => new() { S = value };
        public static AttributeValue FromN(string value) => new() { N = value };
        public static AttributeValue FromBool(bool value) => new() { BOOL = value };
    }
}
