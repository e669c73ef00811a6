using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;

namespace Functions.Events;

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
    /// <remarks>
    /// The members share one slot: a stream batch holds a few hundred values per record, and ten
    /// fields each (88 bytes) made them the largest part of what parsing allocates (32 bytes now).
    /// Setting a member replaces the one that was set; setting it to null clears only itself.
    /// </remarks>
    public sealed class AttributeValue
    {
        private object? _value;
        private Member _member;
        private bool _flag; // NULL's and BOOL's value

        private enum Member : byte { None, S, N, B, SS, NS, BS, M, L, NULL, BOOL }

        public string? S { get => Get<string>(Member.S); set => Set(Member.S, value); }
        public string? N { get => Get<string>(Member.N); set => Set(Member.N, value); }
        public byte[]? B { get => Get<byte[]>(Member.B); set => Set(Member.B, value); }
        public List<string>? SS { get => Get<List<string>>(Member.SS); set => Set(Member.SS, value); }
        public List<string>? NS { get => Get<List<string>>(Member.NS); set => Set(Member.NS, value); }
        public List<byte[]>? BS { get => Get<List<byte[]>>(Member.BS); set => Set(Member.BS, value); }
        public Dictionary<string, AttributeValue>? M { get => Get<Dictionary<string, AttributeValue>>(Member.M); set => Set(Member.M, value); }
        public List<AttributeValue>? L { get => Get<List<AttributeValue>>(Member.L); set => Set(Member.L, value); }
        public bool? NULL { get => _member == Member.NULL ? _flag : null; set => SetFlag(Member.NULL, value); }
        public bool? BOOL { get => _member == Member.BOOL ? _flag : null; set => SetFlag(Member.BOOL, value); }

        public static AttributeValue FromS(string value) => new() { S = value };
        public static AttributeValue FromN(string value) => new() { N = value };
        public static AttributeValue FromBool(bool value) => new() { BOOL = value };

        // The typed setters are the only way in, so the slot holds a T whenever the member is set.
        private T? Get<T>(Member member) where T : class => _member == member ? Unsafe.As<T>(_value) : null;

        private void Set(Member member, object? value)
        {
            if (value is not null) (_member, _value) = (member, value);
            else if (_member == member) (_member, _value) = (Member.None, null);
        }

        private void SetFlag(Member member, bool? value)
        {
            if (value is { } flag) (_member, _value, _flag) = (member, null, flag);
            else if (_member == member) _member = Member.None;
        }
    }
}
