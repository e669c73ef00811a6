using System.Globalization;
using System.Numerics;

namespace Functions.MerchantAnalytics;

/// <summary>
/// An exact decimal as DynamoDB keeps numbers (up to 38 significant digits), added without ever
/// going through double or System.Decimal (28 digits): an unscaled integer and a power of ten.
/// </summary>
internal readonly record struct DecimalAmount(BigInteger Unscaled, int Scale)
{
    public static DecimalAmount Zero => new(BigInteger.Zero, 0);

    /// <summary>Reads a DynamoDB number (<c>-12.50</c>, <c>1E+3</c>); false when it is not one.</summary>
    public static bool TryParse(string text, out DecimalAmount amount)
    {
        amount = Zero;
        var s = text.Trim();
        var exponent = 0;
        var e = s.IndexOfAny(['e', 'E']);
        if (e >= 0)
        {
            if (!int.TryParse(s.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out exponent)) return false;
            s = s[..e];
        }
        var negative = s.StartsWith('-');
        if (negative || s.StartsWith('+')) s = s[1..];
        var dot = s.IndexOf('.', StringComparison.Ordinal);
        var digits = dot < 0 ? s : s.Remove(dot, 1);
        if (digits.Length == 0 || !digits.All(char.IsAsciiDigit)) return false;
        var scale = (dot < 0 ? 0 : s.Length - dot - 1) - exponent;
        var unscaled = BigInteger.Parse(digits, CultureInfo.InvariantCulture);
        amount = new DecimalAmount(negative ? -unscaled : unscaled, scale).Normalized();
        return true;
    }

    public static DecimalAmount operator +(DecimalAmount a, DecimalAmount b)
    {
        var scale = Math.Max(a.Scale, b.Scale);
        return new DecimalAmount(a.Unscaled * BigInteger.Pow(10, scale - a.Scale) + b.Unscaled * BigInteger.Pow(10, scale - b.Scale), scale).Normalized();
    }

    /// <summary>Plain decimal notation, as DynamoDB accepts it in an N value.</summary>
    public override string ToString()
    {
        var digits = BigInteger.Abs(Unscaled).ToString(CultureInfo.InvariantCulture);
        var sign = Unscaled.Sign < 0 ? "-" : "";
        if (Scale <= 0) return sign + digits + (Unscaled.IsZero ? "" : new string('0', -Scale));
        digits = digits.PadLeft(Scale + 1, '0');
        return sign + digits[..^Scale] + "." + digits[^Scale..];
    }

    // Trailing zeros of the fraction carry no value: 12.50 and 12.5 are one amount.
    private DecimalAmount Normalized()
    {
        var (unscaled, scale) = (Unscaled, Scale);
        if (unscaled.IsZero) return Zero;
        while (scale > 0 && unscaled % 10 == 0)
        {
            unscaled /= 10;
            scale--;
        }
        return new DecimalAmount(unscaled, scale);
    }
}
