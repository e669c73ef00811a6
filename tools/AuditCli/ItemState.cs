using AttributeValue = Functions.Events.DynamoDBEvent.AttributeValue;

namespace Functions.AuditCli;

/// <summary>An item as the audit trail knows it at one point: absent, an image, or unknown (with why).</summary>
public sealed record ItemState
{
    private ItemState(IReadOnlyDictionary<string, AttributeValue>? attributes, string? unknownBecause, string? absentBecause)
    {
        Attributes = attributes;
        UnknownBecause = unknownBecause;
        AbsentBecause = absentBecause;
        RedactedPaths = attributes is null ? [] : Redactions.In(attributes);
    }

    public IReadOnlyDictionary<string, AttributeValue>? Attributes { get; }
    public string? UnknownBecause { get; }
    public string? AbsentBecause { get; }
    /// <summary>Paths whose values the audit trail redacted: the image does not hold them.</summary>
    public IReadOnlyList<string> RedactedPaths { get; }

    public bool IsKnown => UnknownBecause is null;
    public bool Exists => Attributes is not null;

    public static ItemState Absent(string because) => new(null, null, because);
    public static ItemState Unknown(string because) => new(null, because, null);
    public static ItemState Of(IReadOnlyDictionary<string, AttributeValue> attributes) => new(attributes, null, null);
}
