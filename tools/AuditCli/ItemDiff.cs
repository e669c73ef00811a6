using Functions.Common.DynamoDb;
using AttributeValue = Functions.Events.DynamoDBEvent.AttributeValue;

namespace Functions.AuditCli;

/// <summary>One difference between two images, at an attribute path (<c>shipping.address.city</c>, <c>lines[2]</c>).</summary>
public sealed record AttributeChange(string Path, ChangeKind Kind, AttributeValue? Before, AttributeValue? After);

/// <summary>
/// Two images compared attribute by attribute, into maps and lists, with DynamoDB's notion of
/// equal (numbers by value, sets in any order). A set is one value: its difference is shown whole.
/// </summary>
public static class ItemDiff
{
    public static IReadOnlyList<AttributeChange> Between(
        IReadOnlyDictionary<string, AttributeValue>? before, IReadOnlyDictionary<string, AttributeValue>? after)
    {
        var changes = new List<AttributeChange>();
        CompareMaps(null, before ?? new Dictionary<string, AttributeValue>(), after ?? new Dictionary<string, AttributeValue>(), changes);
        return changes;
    }

    private static void CompareMaps(string? parent, IReadOnlyDictionary<string, AttributeValue> before,
        IReadOnlyDictionary<string, AttributeValue> after, List<AttributeChange> changes)
    {
        foreach (var name in before.Keys.Union(after.Keys).Order(StringComparer.Ordinal))
        {
            var path = parent is null ? AttributePath.Of(name) : AttributePath.Member(parent, name);
            Compare(path, before.GetValueOrDefault(name), after.GetValueOrDefault(name), changes);
        }
    }

    private static void Compare(string path, AttributeValue? before, AttributeValue? after, List<AttributeChange> changes)
    {
        if (before is null && after is null) return;
        if (before is null) changes.Add(new AttributeChange(path, ChangeKind.Added, null, after));
        else if (after is null) changes.Add(new AttributeChange(path, ChangeKind.Removed, before, null));
        else if (before.M is not null && after.M is not null) CompareMaps(path, before.M, after.M, changes);
        else if (before.L is not null && after.L is not null)
            for (var i = 0; i < Math.Max(before.L.Count, after.L.Count); i++)
                Compare(AttributePath.Element(path, i), i < before.L.Count ? before.L[i] : null, i < after.L.Count ? after.L[i] : null, changes);
        else if (!AttributeValueEquality.DeepEquals(before, after)) changes.Add(new AttributeChange(path, ChangeKind.Changed, before, after));
    }
}
