namespace Functions.Common.Audit;

/// <summary>
/// The attributes of an audit trail item (README, "The audit trail"): the audit trail function
/// writes them, the audit tool reads them. One list, so the two cannot drift apart.
/// </summary>
public static class AuditItem
{
    public const string EventName = "eventName";
    public const string EntityType = "entityType";
    public const string EntityId = "entityId";
    public const string SourceTable = "sourceTable";
    public const string EventId = "eventId";
    public const string SequenceNumber = "sequenceNumber";
    public const string ChangeTime = "changeTime";
    public const string StreamViewType = "streamViewType";
    /// <summary>The source item's full key (partition and sort key), typed as in the stream.</summary>
    public const string Keys = "keys";
    public const string OldImage = "oldImage";
    public const string NewImage = "newImage";
    /// <summary>String set of the top-level names a MODIFY added, removed or changed.</summary>
    public const string ChangedAttributes = "changedAttributes";
    public const string Actor = "actor";
    /// <summary>The audit item's own TTL.</summary>
    public const string ExpiresAt = "expiresAt";
    /// <summary>True when the images were cut down to fit DynamoDB's item limits.</summary>
    public const string ImagesReduced = "imagesReduced";
    /// <summary>How far the images were cut down (the last step taken).</summary>
    public const string ImagesReduction = "imagesReduction";

    /// <summary>What replaces a redacted value in the images.</summary>
    public const string RedactedMarker = "<redacted>";
    /// <summary>A redacted value of a MODIFY's new image that differs from the old one.</summary>
    public const string RedactedChangedMarker = "<redacted:changed>";

    /// <summary>The actor of a removal by DynamoDB's TTL.</summary>
    public const string TtlActor = "dynamodb-ttl";
    /// <summary>The new image's attribute naming who made a change (template parameter AuditActorAttribute).</summary>
    public const string DefaultActorAttribute = "updatedBy";

    public static bool IsRedactionMarker(string? value) => value is RedactedMarker or RedactedChangedMarker;
}
