using Functions.Common.Audit;
using Functions.Common.DynamoDb;
using AttributeValue = Functions.Events.DynamoDBEvent.AttributeValue;
using SdkValue = Amazon.DynamoDBv2.Model.AttributeValue;

namespace Functions.AuditCli;

/// <summary>One audit trail item (README, "The audit trail"): one change of one business item.</summary>
public sealed record AuditChange
{
    public required string Timestamp { get; init; }
    public required string EventName { get; init; }
    public required string ChangeTime { get; init; }
    public string? Actor { get; init; }
    public required string SourceTable { get; init; }
    public string? SequenceNumber { get; init; }
    public string? StreamViewType { get; init; }
    /// <summary>The source item's full key.</summary>
    public required IReadOnlyDictionary<string, AttributeValue> Keys { get; init; }
    public IReadOnlyDictionary<string, AttributeValue>? OldImage { get; init; }
    public IReadOnlyDictionary<string, AttributeValue>? NewImage { get; init; }
    /// <summary>The record's own <c>changedAttributes</c> (MODIFY only).</summary>
    public IReadOnlyList<string> ChangedAttributes { get; init; } = [];
    public bool ImagesReduced { get; init; }
    public string? ImagesReduction { get; init; }

    public static AuditChange FromItem(IReadOnlyDictionary<string, SdkValue> sdkItem)
    {
        var item = AttributeValueMapper.FromSdk(sdkItem);
        string Required(string name) => item.GetValueOrDefault(name)?.S
            ?? throw new CliException(ExitCodes.Failed, $"An audit item lacks '{name}': is this an audit table of the suite?");
        return new AuditChange
        {
            Timestamp = Required(AuditKey.SortAttribute),
            EventName = Required(AuditItem.EventName),
            ChangeTime = Required(AuditItem.ChangeTime),
            SourceTable = Required(AuditItem.SourceTable),
            Actor = item.GetValueOrDefault(AuditItem.Actor)?.S,
            SequenceNumber = item.GetValueOrDefault(AuditItem.SequenceNumber)?.S,
            StreamViewType = item.GetValueOrDefault(AuditItem.StreamViewType)?.S,
            Keys = item.GetValueOrDefault(AuditItem.Keys)?.M
                   ?? throw new CliException(ExitCodes.Failed, $"An audit item lacks '{AuditItem.Keys}': is this an audit table of the suite?"),
            OldImage = item.GetValueOrDefault(AuditItem.OldImage)?.M,
            NewImage = item.GetValueOrDefault(AuditItem.NewImage)?.M,
            ChangedAttributes = item.GetValueOrDefault(AuditItem.ChangedAttributes)?.SS?.Order(StringComparer.Ordinal).ToList() ?? [],
            ImagesReduced = item.GetValueOrDefault(AuditItem.ImagesReduced)?.BOOL == true,
            ImagesReduction = item.GetValueOrDefault(AuditItem.ImagesReduction)?.S,
        };
    }

    /// <summary>
    /// The names this change touched: a MODIFY's <c>changedAttributes</c>, an INSERT's new image
    /// (all added), a REMOVE's old image (all removed), as far as the stream carried images; the
    /// key attributes, which name the item rather than change, left out.
    /// </summary>
    public IReadOnlyList<string> TouchedAttributes => EventName switch
    {
        "INSERT" => NonKeyNames(NewImage),
        "REMOVE" => NonKeyNames(OldImage),
        _ => ChangedAttributes,
    };

    private List<string> NonKeyNames(IReadOnlyDictionary<string, AttributeValue>? image)
        => image?.Keys.Where(name => !Keys.ContainsKey(name)).Order(StringComparer.Ordinal).ToList() ?? [];

    /// <summary>
    /// <c>2026-01-16T12:00:00.000Z#42</c>: the timestamp with the sequence number's padding left
    /// out; <see cref="AuditTime"/> reads it back to the same change.
    /// </summary>
    public string ShortTimestamp
        => Timestamp.Split('#') is [var time, var sequence] ? $"{time}#{(sequence.TrimStart('0') is { Length: > 0 } s ? s : "0")}" : Timestamp;

    /// <summary>What the item was right after this change, as far as the audit trail tells.</summary>
    public ItemState StateAfter()
    {
        if (EventName == "REMOVE") return ItemState.Absent($"removed at {ChangeTime}");
        if (ImagesReduced)
            return ItemState.Unknown($"the images of the {EventName} at {ShortTimestamp} were reduced to fit DynamoDB's item limits ({ImagesReduction ?? "reduced"})");
        if (NewImage is null)
            return ItemState.Unknown($"the stream carried no new image for the {EventName} at {ShortTimestamp} (stream view type {StreamViewType ?? "not recorded"})");
        return ItemState.Of(NewImage);
    }

    public bool IsOfKey(IReadOnlyDictionary<string, AttributeValue> key) => AttributeValueEquality.MapEquals(Keys, key);
}
