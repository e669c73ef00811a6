using System.Globalization;
using System.Text;

namespace Functions.Common.Lambda;

/// <summary>
/// DynamoDB numbers as text: validated and compared without ever going through double, which
/// would lose digits beyond 15-17. Valid means what DynamoDB itself accepts: at most 38
/// significant digits, a magnitude between 1E-130 and 9.99...E+125 (or zero), no white space.
/// </summary>
public static class DynamoNumber
{
    private const int MaxSignificantDigits = 38;
    private const int MinExponent = -130; // smallest magnitude: 1E-130
    private const int MaxExponent = 125;  // largest magnitude: 9.9999999999999999999999999999999999999E+125
    private static readonly System.Buffers.SearchValues<char> ExponentChars = System.Buffers.SearchValues.Create("+-0123456789");

    public static bool IsValid(string text) => TryCanonicalize(text, out _);

    /// <summary>Two number strings denote the same number ("1.50" and "1.5" do).</summary>
    public static bool AreEqual(string left, string right)
        => left == right
           || (TryCanonicalize(left, out var a) && TryCanonicalize(right, out var b) && a == b);

    /// <summary>The canonical form, or the text itself when it is no valid number (compared as text then).</summary>
    public static string CanonicalOrSelf(string text) => TryCanonicalize(text, out var canonical) ? canonical : text;

    /// <summary>Canonical form "[-]digits e exponent" with no leading or trailing zeros.</summary>
    public static bool TryCanonicalize(string text, out string canonical)
    {
        canonical = string.Empty;
        var span = text.AsSpan();
        if (span.IsEmpty) return false;

        var negative = span[0] == '-';
        if (span[0] is '-' or '+') span = span[1..];

        var exponent = 0L;
        var e = span.IndexOfAny('e', 'E');
        if (e >= 0)
        {
            var exponentText = span[(e + 1)..];
            // Digits with an optional sign only: long.TryParse alone would also take white space.
            if (exponentText.IsEmpty || exponentText.ContainsAnyExcept(ExponentChars)
                || !long.TryParse(exponentText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out exponent)
                || Math.Abs(exponent) > 1_000_000)
                return false;
            span = span[..e];
        }

        var digits = new StringBuilder(span.Length);
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
        // The magnitude in scientific notation is d.ddd × 10^(exponent + digits - 1).
        var magnitude = exponent + trimmed.Length - 1;
        if (magnitude is < MinExponent or > MaxExponent) return false;
        canonical = $"{(negative ? "-" : "")}{trimmed}e{exponent}";
        return true;
    }
}
