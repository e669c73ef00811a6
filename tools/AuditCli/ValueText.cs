using System.Text;
using AttributeValue = Functions.Events.DynamoDBEvent.AttributeValue;

namespace Functions.AuditCli;

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
