using System.Globalization;

namespace Functions.Events.Serialization;

/// <summary>
/// DynamoDB numbers as text: validated and compared without ever going through double, which
/// would lose digits beyond 15-17. Valid means what DynamoDB itself accepts: at most 38
/// significant digits, a magnitude between 1E-130 and 9.99...E+125 (or zero), no white space.
/// Validation and comparison read the text in place: a stream batch checks every number it
/// carries, so they allocate nothing.
/// </summary>
public static class DynamoNumber
{
    private const int MaxSignificantDigits = 38;
    private const int MinExponent = -130; // smallest magnitude: 1E-130
    private const int MaxExponent = 125;  // largest magnitude: 9.9999999999999999999999999999999999999E+125
    private const long MaxExplicitExponent = 1_000_000;

    public static bool IsValid(string text) => TryParse(text, out _);

    /// <summary>Two number strings denote the same number ("1.50" and "1.5" do).</summary>
    public static bool AreEqual(string left, string right)
        => left == right
           || (TryParse(left, out var a) && TryParse(right, out var b) && SameValue(left, a, right, b));

    /// <summary>The canonical form, or the text itself when it is no valid number (compared as text then).</summary>
    public static string CanonicalOrSelf(string text) => TryCanonicalize(text, out var canonical) ? canonical : text;

    /// <summary>Canonical form "[-]digits e exponent" with no leading or trailing zeros.</summary>
    public static bool TryCanonicalize(string text, out string canonical)
    {
        if (!TryParse(text, out var number))
        {
            canonical = string.Empty;
            return false;
        }
        canonical = number.IsZero
            ? "0"
            : $"{(number.Negative ? "-" : "")}{new string(SignificantDigits(text, number))}e{number.Exponent.ToString(CultureInfo.InvariantCulture)}";
        return true;
    }

    /// <summary>
    /// Where a valid number's significant digits lie in its text (first to last non-zero digit,
    /// a decimal point possibly between them), and the power of ten of the last one.
    /// </summary>
    internal readonly record struct Parsed(bool Negative, int First, int Last, int Digits, long Exponent)
    {
        public bool IsZero => Digits == 0;
    }

    internal static bool TryParse(ReadOnlySpan<char> text, out Parsed number)
    {
        number = default;
        if (text.IsEmpty) return false;
        var start = 0;
        var negative = text[0] == '-';
        if (text[0] is '-' or '+') start = 1;

        var exponent = 0L;
        var end = text.IndexOfAny('e', 'E');
        if (end >= 0)
        {
            if (!TryParseExponent(text[(end + 1)..], out exponent)) return false;
        }
        else end = text.Length;

        int first = -1, last = -1, digits = 0, afterLast = 0;
        var seenDigit = false;
        var seenPoint = false;
        for (var i = start; i < end; i++)
        {
            var c = text[i];
            if (c == '.')
            {
                if (seenPoint) return false;
                seenPoint = true;
            }
            else if (char.IsAsciiDigit(c))
            {
                seenDigit = true;
                if (seenPoint) exponent--;
                if (c == '0')
                {
                    if (first >= 0) afterLast++;
                    continue;
                }
                if (first < 0) first = i;
                digits += afterLast + 1;
                afterLast = 0;
                last = i;
            }
            else return false;
        }
        if (!seenDigit) return false;
        if (first < 0) return true; // zero, whatever its sign or exponent
        exponent += afterLast; // trailing zeros move into the exponent
        if (digits > MaxSignificantDigits) return false;
        // The magnitude in scientific notation is d.ddd × 10^(exponent + digits - 1).
        var magnitude = exponent + digits - 1;
        if (magnitude is < MinExponent or > MaxExponent) return false;
        number = new Parsed(negative, first, last, digits, exponent);
        return true;
    }

    /// <summary>An optional sign and digits only (no white space), at most a million in size.</summary>
    private static bool TryParseExponent(ReadOnlySpan<char> text, out long exponent)
    {
        exponent = 0;
        var negative = false;
        if (!text.IsEmpty && text[0] is '-' or '+')
        {
            negative = text[0] == '-';
            text = text[1..];
        }
        if (text.IsEmpty) return false;
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c)) return false;
            exponent = exponent * 10 + (c - '0');
            if (exponent > MaxExplicitExponent) return false;
        }
        if (negative) exponent = -exponent;
        return true;
    }

    /// <summary>Whether two valid numbers are equal, digit by digit, skipping their decimal points.</summary>
    internal static bool SameValue(ReadOnlySpan<char> left, Parsed a, ReadOnlySpan<char> right, Parsed b)
    {
        if (a.IsZero || b.IsZero) return a.IsZero && b.IsZero;
        if (a.Negative != b.Negative || a.Exponent != b.Exponent || a.Digits != b.Digits) return false;
        for (int i = a.First, j = b.First; i <= a.Last; i++, j++)
        {
            if (left[i] == '.') i++;
            if (right[j] == '.') j++;
            if (left[i] != right[j]) return false;
        }
        return true;
    }

    private static char[] SignificantDigits(ReadOnlySpan<char> text, Parsed number)
    {
        var digits = new char[number.Digits];
        var n = 0;
        foreach (var c in text[number.First..(number.Last + 1)])
            if (c != '.') digits[n++] = c;
        return digits;
    }
}
