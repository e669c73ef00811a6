using AttributeValue = Functions.Events.DynamoDBEvent.AttributeValue;

namespace Functions.AuditTrail;

/// <summary>
/// Replaces the values of named attributes, at any depth of the images, with a marker. The new
/// image's marker says whether the value changed since the old image, without revealing it.
/// </summary>
internal sealed class Redactor(IReadOnlySet<string> names)
{
    public const string Marker = AuditItem.RedactedMarker;
    public const string ChangedMarker = AuditItem.RedactedChangedMarker;

    public bool IsRedacted(string attribute) => names.Contains(attribute);

    /// <param name="keyAttributes">The table's key attributes: kept at the top level of the images, since they identify the entity.</param>
    public (Dictionary<string, AttributeValue>? OldImage, Dictionary<string, AttributeValue>? NewImage) Redact(
        Dictionary<string, AttributeValue>? oldImage, Dictionary<string, AttributeValue>? newImage, IReadOnlyCollection<string>? keyAttributes = null)
    {
        if (names.Count == 0) return (oldImage, newImage);
        keyAttributes ??= [];
        return (RedactMap(oldImage, counterpart: null, compare: false, keyAttributes),
                RedactMap(newImage, counterpart: oldImage, compare: oldImage is not null, keyAttributes));
    }

    private Dictionary<string, AttributeValue>? RedactMap(
        Dictionary<string, AttributeValue>? map, Dictionary<string, AttributeValue>? counterpart, bool compare,
        IReadOnlyCollection<string>? keep = null)
    {
        if (map is null) return null;
        var result = new Dictionary<string, AttributeValue>(map.Count, StringComparer.Ordinal);
        foreach (var (name, value) in map)
        {
            AttributeValue? before = null;
            var hasBefore = compare && counterpart is not null && counterpart.TryGetValue(name, out before);
            result[name] = names.Contains(name) && !(keep?.Contains(name) ?? false)
                ? AttributeValue.FromS(compare && !(hasBefore && AttributeValueEquality.DeepEquals(before, value)) ? ChangedMarker : Marker)
                : RedactValue(value, before, compare);
        }
        return result;
    }

    private AttributeValue RedactValue(AttributeValue value, AttributeValue? before, bool compare)
    {
        if (value.M is not null)
            return new AttributeValue { M = RedactMap(value.M, before?.M, compare) };
        if (value.L is not null)
            return new AttributeValue
            {
                L = value.L.Select((item, i) => RedactValue(item, before?.L is { } l && i < l.Count ? l[i] : null, compare)).ToList(),
            };
        return value;
    }
}
