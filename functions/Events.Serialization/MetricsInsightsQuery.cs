using System.Text;

namespace Functions.Events.Serialization;

/// <summary>
/// A CloudWatch Metrics Insights query, as an alarm on one carries it in place of a metric
/// (<c>expression</c> of its metrics): <c>SELECT FUNCTION(metric) FROM namespace | SCHEMA(namespace,
/// key, ...) [WHERE key = 'value' [AND ...]] [GROUP BY ...] [ORDER BY ...] [LIMIT n]</c>. Keywords
/// in any case; names bare or in double quotes, values in single quotes, \ escaping a quote
/// (CloudWatch user guide, "Metrics Insights query components and syntax":
/// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-metrics-insights-querylanguage.html).
/// </summary>
/// <param name="SchemaKeys">The SCHEMA's dimension names: only metrics with exactly those; null for FROM a namespace (any dimensions).</param>
/// <param name="Equal">The <c>key = 'value'</c> conditions of WHERE: the dimensions the query pins.</param>
/// <param name="OtherConditions">Conditions that pin nothing (<c>!=</c>, <c>LIKE</c>, a key given twice): keys only.</param>
internal sealed record MetricsInsightsQuery(
    string Function,
    string MetricName,
    string Namespace,
    IReadOnlyList<string>? SchemaKeys,
    IReadOnlyDictionary<string, string> Equal,
    IReadOnlyList<string> OtherConditions,
    IReadOnlyList<string> GroupBy)
{
    /// <summary>The query, or null when the text is not one (a metric-math expression) or does not parse.</summary>
    public static MetricsInsightsQuery? TryParse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        try
        {
            var tokens = Tokenize(text);
            return tokens.Count > 0 && tokens[0].Is("SELECT") ? new Parser(tokens).Query() : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private enum Kind { Word, Name, Value, Symbol }

    private sealed record Token(Kind Kind, string Text)
    {
        public bool Is(string keyword) => Kind == Kind.Word && Text.Equals(keyword, StringComparison.OrdinalIgnoreCase);
        public bool IsSymbol(string symbol) => Kind == Kind.Symbol && Text == symbol;
    }

    private static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        for (var i = 0; i < text.Length;)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (c is '"' or '\'')
            {
                var value = new StringBuilder();
                for (i++; ; i++)
                {
                    if (i >= text.Length) throw new FormatException("unterminated quote");
                    if (text[i] == '\\' && i + 1 < text.Length) value.Append(text[++i]);
                    else if (text[i] == c) { i++; break; }
                    else value.Append(text[i]);
                }
                tokens.Add(new Token(c == '"' ? Kind.Name : Kind.Value, value.ToString()));
            }
            else if (char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-')
            {
                var start = i;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '_' or '.' or '-')) i++;
                tokens.Add(new Token(Kind.Word, text[start..i]));
            }
            else if (i + 1 < text.Length && text.Substring(i, 2) is "!=" or "<>" or "<=" or ">=")
            {
                tokens.Add(new Token(Kind.Symbol, text.Substring(i, 2)));
                i += 2;
            }
            else
            {
                tokens.Add(new Token(Kind.Symbol, c.ToString()));
                i++;
            }
        }
        return tokens;
    }

    private sealed class Parser(List<Token> tokens)
    {
        private int _at;

        private Token? Peek => _at < tokens.Count ? tokens[_at] : null;

        private Token Next() => _at < tokens.Count ? tokens[_at++] : throw new FormatException("the query ends too early");

        private void Expect(Func<Token, bool> what)
        {
            if (!what(Next())) throw new FormatException("unexpected token");
        }

        private bool Skip(string keyword)
        {
            if (Peek?.Is(keyword) != true) return false;
            _at++;
            return true;
        }

        // A metric, namespace or dimension name: bare or in double quotes.
        private string Name() => Next() is { Kind: Kind.Word or Kind.Name } token ? token.Text : throw new FormatException("a name was expected");

        public MetricsInsightsQuery Query()
        {
            Expect(t => t.Is("SELECT"));
            var function = Next() is { Kind: Kind.Word } f ? f.Text.ToUpperInvariant() : throw new FormatException("a function was expected");
            Expect(t => t.IsSymbol("("));
            var metric = Name();
            Expect(t => t.IsSymbol(")"));
            Expect(t => t.Is("FROM"));
            string ns;
            List<string>? schema = null;
            if (Peek is { } schemaWord && schemaWord.Is("SCHEMA") && tokens.ElementAtOrDefault(_at + 1)?.IsSymbol("(") == true)
            {
                _at += 2;
                ns = Name();
                schema = [];
                while (Next() is var separator && separator.IsSymbol(",")) schema.Add(Name());
                if (!tokens[_at - 1].IsSymbol(")")) throw new FormatException("SCHEMA(...) is not closed");
            }
            else
            {
                ns = Name();
            }

            var equal = new Dictionary<string, string>(StringComparer.Ordinal);
            var other = new List<string>();
            var groupBy = new List<string>();
            if (Skip("WHERE"))
            {
                Condition(equal, other);
                while (Skip("AND")) Condition(equal, other);
            }
            if (Skip("GROUP"))
            {
                Expect(t => t.Is("BY"));
                groupBy.Add(Name());
                while (Peek?.IsSymbol(",") == true)
                {
                    _at++;
                    groupBy.Add(Name());
                }
            }
            // ORDER BY and LIMIT only choose among the series: they pin nothing.
            if (Peek is { } rest && !rest.Is("ORDER") && !rest.Is("LIMIT")) throw new FormatException("unexpected clause");
            return new MetricsInsightsQuery(function, metric, ns, schema, equal, other, groupBy);
        }

        private void Condition(Dictionary<string, string> equal, List<string> other)
        {
            var key = Name();
            var op = Next();
            if (op.IsSymbol("="))
            {
                var value = Next() is { Kind: Kind.Value } v ? v.Text : throw new FormatException("a quoted value was expected");
                if (!equal.ContainsKey(key) && !other.Contains(key))
                {
                    equal[key] = value;
                    return;
                }
                if (equal.GetValueOrDefault(key) == value) return;
            }
            else if (op.Is("IN") || op.Is("NOT"))
            {
                if (op.Is("NOT")) Expect(t => t.Is("IN"));
                Expect(t => t.IsSymbol("("));
                while (!Next().IsSymbol(")")) { }
            }
            else
            {
                Expect(t => t.Kind == Kind.Value); // !=, <>, LIKE
            }
            // Not one value (!=, LIKE, IN, or two values for one key): the key pins nothing.
            equal.Remove(key);
            if (!other.Contains(key)) other.Add(key);
        }
    }
}
