using System.Globalization;
using System.Text;
using Functions.Common.DynamoDb;
using Functions.Events;
using Functions.Events.Serialization;
using AttributeValue = Functions.Events.DynamoDBEvent.AttributeValue;

namespace Functions.AuditCli;

public enum ChangeKind
{
    Added,
    Removed,
    Changed,
}

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

/// <summary>Document paths as DynamoDB writes them: <c>a.b</c>, <c>a[0]</c>.</summary>
public static class AttributePath
{
    public static string Of(string name) => name;
    public static string Member(string parent, string name) => $"{parent}.{name}";
    public static string Element(string parent, int index) => $"{parent}[{index.ToString(CultureInfo.InvariantCulture)}]";
}

/// <summary>
/// A value in one line for people: strings quoted, numbers as written, binary in base64, sets in
/// PartiQL's &lt;&lt; &gt;&gt;, maps and lists like JSON. (--json prints DynamoDB's typed JSON instead.)
/// </summary>
public static class ValueText
{
    public static string Format(AttributeValue? value)
    {
        var text = new StringBuilder();
        Append(text, value);
        return text.ToString();
    }

    private static void Append(StringBuilder text, AttributeValue? value)
    {
        if (value is null) text.Append('-');
        else if (value.S is not null) text.Append(Quote(value.S));
        else if (value.N is not null) text.Append(value.N);
        else if (value.B is not null) text.Append("b64:").Append(Convert.ToBase64String(value.B));
        else if (value.SS is not null) Join(text, "<<", ">>", value.SS.Order(StringComparer.Ordinal), (t, s) => t.Append(Quote(s)));
        else if (value.NS is not null) Join(text, "<<", ">>", value.NS, (t, n) => t.Append(n));
        else if (value.BS is not null) Join(text, "<<", ">>", value.BS, (t, b) => t.Append("b64:").Append(Convert.ToBase64String(b)));
        else if (value.M is not null)
            Join(text, "{", "}", value.M.OrderBy(e => e.Key, StringComparer.Ordinal), (t, e) => { t.Append(Quote(e.Key)).Append(": "); Append(t, e.Value); });
        else if (value.L is not null) Join(text, "[", "]", value.L, Append);
        else if (value.BOOL is not null) text.Append(value.BOOL.Value ? "true" : "false");
        else text.Append("null");
    }

    private static void Join<T>(StringBuilder text, string open, string close, IEnumerable<T> items, Action<StringBuilder, T> append)
    {
        text.Append(open);
        var first = true;
        foreach (var item in items)
        {
            if (!first) text.Append(", ");
            first = false;
            append(text, item);
        }
        text.Append(close);
    }

    // JSON's escapes for quotes and control characters; other characters as they are.
    private static string Quote(string s)
        => "\"" + System.Text.Json.JsonEncodedText.Encode(s, System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping) + "\"";
}
