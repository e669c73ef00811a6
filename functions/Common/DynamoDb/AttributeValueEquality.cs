using Functions.Events.Serialization;
using AttributeValue = Functions.Events.DynamoDBEvent.AttributeValue;

namespace Functions.Common.DynamoDb;

/// <summary>
/// DynamoDB's notion of equal values: numbers by value ("1.50" = "1.5"), binary by bytes, sets
/// regardless of order, maps and lists deeply.
/// </summary>
public static class AttributeValueEquality
{
    public static bool DeepEquals(AttributeValue? left, AttributeValue? right)
    {
        if (ReferenceEquals(left, right)) return true;
        if (left is null || right is null) return false;

        if (left.S is not null) return left.S == right.S;
        if (left.N is not null) return right.N is not null && DynamoNumber.AreEqual(left.N, right.N);
        if (left.B is not null) return right.B is not null && left.B.AsSpan().SequenceEqual(right.B);
        if (left.SS is not null) return right.SS is not null && left.SS.ToHashSet(StringComparer.Ordinal).SetEquals(right.SS);
        if (left.NS is not null) return right.NS is not null && Canonical(left.NS).SetEquals(Canonical(right.NS));
        if (left.BS is not null)
            return right.BS is not null && left.BS.Select(Convert.ToBase64String).ToHashSet(StringComparer.Ordinal)
                .SetEquals(right.BS.Select(Convert.ToBase64String));
        if (left.M is not null) return right.M is not null && MapEquals(left.M, right.M);
        if (left.L is not null)
            return right.L is not null && left.L.Count == right.L.Count && left.L.Zip(right.L).All(p => DeepEquals(p.First, p.Second));
        if (left.BOOL is not null) return left.BOOL == right.BOOL;
        return right.NULL == true; // the members share one slot: NULL set means nothing else is
    }

    public static bool MapEquals(IReadOnlyDictionary<string, AttributeValue> left, IReadOnlyDictionary<string, AttributeValue> right)
        => left.Count == right.Count
           && left.All(e => right.TryGetValue(e.Key, out var other) && DeepEquals(e.Value, other));

    private static HashSet<string> Canonical(IEnumerable<string> numbers)
        => numbers.Select(DynamoNumber.CanonicalOrSelf).ToHashSet(StringComparer.Ordinal);
}
