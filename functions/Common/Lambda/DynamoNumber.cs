namespace Functions.Common.Lambda;

/// <summary>
/// DynamoDB numbers as text: validated and compared without ever going through double, which
/// would lose digits beyond 15-17.
/// </summary>
public static class DynamoNumber
{
    private const int MaxSignificantDigits = 38;

    public static bool IsValid(string text) => TryCanonicalize(text, out _);

    /// <summary>Two number strings denote the same number ("1.50" and "1.5" do).</summary>
    public static bool AreEqual(string left, string right)
        => left == right
           || (TryCanonicalize(left, out var a) && TryCanonicalize(right, out var b) && a == b);

    /// <summary>Canonical form "[-]digits e exponent" with no leading or trailing zeros.</summary>
    public static bool TryCanonicalize(string text, out string canonical)
    {
        canonical = string.Empty;
        var span = text.AsSpan().Trim();
        if (span.IsEmpty) return false;

        var negative = span[0] == '-';
        if (span[0] is '-' or '+') span = span[1..];

        var exponent = 0L;
        var e = span.IndexOfAny('e', 'E');
        if (e >= 0)
        {
            if (!long.TryParse(span[(e + 1)..], System.Globalization.NumberStyles.AllowLeadingSign,
                    System.Globalization.CultureInfo.InvariantCulture, out exponent))
                return false;
            span = span[..e];
        }

        var digits = new System.Text.StringBuilder(span.Length);
        var seenDigit = false;
        var seenPoint = false;
        foreach (var c in span)
        {
            if (c == '.')
            {
                if (seenPoint) return false;
                seenPoint = true;
            }
            else if (char.IsAsciiDigit(c))
            {
                seenDigit = true;
                digits.Append(c);
                if (seenPoint) exponent--;
            }
            else return false;
        }
        if (!seenDigit) return false;

        var mantissa = digits.ToString().TrimStart('0');
        if (mantissa.Length == 0)
        {
            canonical = "0";
            return true;
        }
        var trimmed = mantissa.TrimEnd('0');
        exponent += mantissa.Length - trimmed.Length;
        if (trimmed.Length > MaxSignificantDigits) return false;
        canonical = $"{(negative ? "-" : "")}{trimmed}e{exponent}";
        return true;
    }
}
