using System.Text;
using AttributeValue = Functions.Events.DynamoDBEvent.AttributeValue;

namespace Functions.Common.DynamoDb;

/// <summary>
/// An item's size as DynamoDB counts it against the 400 KB limit (attribute names included).
/// Rounds up where the documented rule is approximate, so an item judged to fit does fit.
/// </summary>
public static class ItemSize
{
    /// <summary>DynamoDB's maximum item size: 400 KB.</summary>
    public const int MaxItemBytes = 400 * 1024;

    public static long Of(IReadOnlyDictionary<string, AttributeValue> item)
    {
        long total = 0;
        foreach (var (name, value) in item) total += Encoding.UTF8.GetByteCount(name) + Of(value);
        return total;
    }

    public static long Of(AttributeValue value)
    {
        if (value.S is not null) return Encoding.UTF8.GetByteCount(value.S);
        if (value.N is not null) return NumberSize(value.N);
        if (value.B is not null) return value.B.Length;
        if (value.SS is not null) return value.SS.Sum(s => (long)Encoding.UTF8.GetByteCount(s));
        if (value.NS is not null) return value.NS.Sum(NumberSize);
        if (value.BS is not null) return value.BS.Sum(b => (long)b.Length);
        if (value.M is not null) return 3 + value.M.Sum(e => 1 + Encoding.UTF8.GetByteCount(e.Key) + Of(e.Value));
        if (value.L is not null) return 3 + value.L.Sum(e => 1 + Of(e));
        return 1; // BOOL, NULL
    }

    /// <summary>DynamoDB's limit on nested maps and lists within an item.</summary>
    public const int MaxNesting = 32;

    /// <summary>How many maps and lists nest inside one another at the deepest point of the item.</summary>
    public static int Nesting(IReadOnlyDictionary<string, AttributeValue> item)
        => item.Count == 0 ? 0 : item.Values.Max(Nesting);

    private static int Nesting(AttributeValue value)
    {
        if (value.M is not null) return 1 + (value.M.Count == 0 ? 0 : value.M.Values.Max(Nesting));
        if (value.L is not null) return 1 + (value.L.Count == 0 ? 0 : value.L.Max(Nesting));
        return 0;
    }

    // "Approximately (number of significant digits / 2) + 1 bytes", at most 21.
    private static long NumberSize(string number)
    {
        var digits = number.Count(char.IsAsciiDigit);
        return Math.Min(21, (digits + 1) / 2 + 1);
    }
}
