using AttributeValue = Functions.Events.DynamoDBEvent.AttributeValue;

namespace Functions.AuditTrail;

internal static class ChangedAttributes
{
    /// <summary>Top-level attribute names added, removed or changed (deeply), in ordinal order.</summary>
    public static IReadOnlyList<string> Between(
        IReadOnlyDictionary<string, AttributeValue> oldImage, IReadOnlyDictionary<string, AttributeValue> newImage)
        => oldImage.Keys.Union(newImage.Keys)
            .Where(name => !(oldImage.TryGetValue(name, out var before)
                             && newImage.TryGetValue(name, out var after)
                             && AttributeValueEquality.DeepEquals(before, after)))
            .Order(StringComparer.Ordinal)
            .ToList();
}
