using AttributeValue = Functions.Events.DynamoDBEvent.AttributeValue;

namespace Functions.AuditTrail;

/// <summary>
/// Keeps an audit item within DynamoDB's limits, 400 KB and 32 levels of nesting (the images
/// sit one level below the source item's own), by giving up image detail step by step, never
/// the change itself (keys, event, changed attribute names).
/// </summary>
internal static class OversizeReducer
{
    /// <summary>Below the 400 KB limit, with room for the estimate's rounding.</summary>
    public const long Budget = ItemSize.MaxItemBytes - 8 * 1024;

    public const string ChangedOnly = "images-limited-to-changed-attributes";
    public const string OldImageDropped = "old-image-dropped";
    public const string ImagesDropped = "images-dropped";

    /// <summary>Reduces the item in place when it is too large; returns what was done, or null.</summary>
    public static string? FitToLimit(Dictionary<string, AttributeValue> item, long budget = Budget)
    {
        bool Fits() => ItemSize.Of(item) <= budget && ItemSize.Nesting(item) <= ItemSize.MaxNesting;
        if (Fits()) return null;

        string reduction;
        if (item.GetValueOrDefault(AuditItem.ChangedAttributes)?.SS is { } changed)
        {
            LimitTo(item, AuditItem.OldImage, changed);
            LimitTo(item, AuditItem.NewImage, changed);
            reduction = ChangedOnly;
            if (Fits()) return Mark(item, reduction);
        }

        if (item.Remove(AuditItem.OldImage))
        {
            reduction = OldImageDropped;
            if (Fits()) return Mark(item, reduction);
        }

        item.Remove(AuditItem.NewImage);
        return Mark(item, ImagesDropped);
    }

    private static void LimitTo(Dictionary<string, AttributeValue> item, string image, List<string> names)
    {
        if (item.GetValueOrDefault(image)?.M is not { } map) return;
        item[image] = new AttributeValue
        {
            M = map.Where(e => names.Contains(e.Key)).ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal),
        };
    }

    private static string Mark(Dictionary<string, AttributeValue> item, string reduction)
    {
        item[AuditItem.ImagesReduced] = AttributeValue.FromBool(true);
        item[AuditItem.ImagesReduction] = AttributeValue.FromS(reduction);
        return reduction;
    }
}
