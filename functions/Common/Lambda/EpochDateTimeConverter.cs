using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Functions.Common.Lambda;

/// <summary>
/// ApproximateCreationDateTime: epoch seconds, whole (AWS) or with a fraction (moto), as a
/// number or a numeric string. Values above 1e11 can only be milliseconds.
/// </summary>
public sealed class EpochDateTimeConverter : JsonConverter<DateTime>
{
    private const decimal MillisecondsThreshold = 100_000_000_000m;

    public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        decimal value = reader.TokenType switch
        {
            JsonTokenType.Number => reader.GetDecimal(),
            JsonTokenType.String when decimal.TryParse(reader.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ => throw new JsonException("ApproximateCreationDateTime must be epoch seconds."),
        };
        var milliseconds = value > MillisecondsThreshold ? value : value * 1000m;
        try
        {
            return DateTime.UnixEpoch.AddMilliseconds((double)decimal.Round(milliseconds));
        }
        catch (ArgumentOutOfRangeException)
        {
            throw new JsonException("ApproximateCreationDateTime is out of range.");
        }
    }

    public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options)
    {
        var milliseconds = (decimal)(value.ToUniversalTime() - DateTime.UnixEpoch).TotalMilliseconds;
        writer.WriteNumberValue(milliseconds % 1000m == 0 ? milliseconds / 1000m : decimal.Round(milliseconds / 1000m, 3));
    }
}
