using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Functions.Events.Serialization;

/// <summary>
/// The wire's times, as Amazon.Lambda.Serialization.SystemTextJson's DateTimeConverter reads
/// them: a stream record's ApproximateCreationDateTime is epoch seconds, whole (AWS) or with a
/// fraction (moto), as a number or a numeric string (values above 1e11 can only be
/// milliseconds); every other time (an EventBridge event's, SNS's) is an ISO 8601 string.
/// Registered on the context, since the models carry no converters of their own.
/// </summary>
internal sealed class LambdaDateTimeConverter : JsonConverter<DateTime>
{
    private const decimal MillisecondsThreshold = 100_000_000_000m;

    public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String && reader.TryGetDateTime(out var iso)) return iso;
        try
        {
            return ReadEpoch(ref reader);
        }
        catch (MalformedValueException ex)
        {
            throw new JsonException(ex.Message); // the serializer adds where
        }
    }

    /// <summary>The value under the reader; the stream batch reader calls it directly.</summary>
    internal static DateTime ReadEpoch(ref Utf8JsonReader reader)
    {
        decimal value = reader.TokenType switch
        {
            JsonTokenType.Number when reader.TryGetDecimal(out var number) => number,
            JsonTokenType.String when decimal.TryParse(reader.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ => throw new MalformedValueException("ApproximateCreationDateTime must be epoch seconds (other times, ISO 8601)."),
        };
        try
        {
            var milliseconds = value > MillisecondsThreshold ? value : value * 1000m;
            return DateTime.UnixEpoch.AddMilliseconds((double)decimal.Round(milliseconds));
        }
        catch (Exception ex) when (ex is ArgumentOutOfRangeException or OverflowException)
        {
            throw new MalformedValueException("ApproximateCreationDateTime is out of range.");
        }
    }

    public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options)
    {
        var milliseconds = (decimal)(value.ToUniversalTime() - DateTime.UnixEpoch).TotalMilliseconds;
        writer.WriteNumberValue(milliseconds % 1000m == 0 ? milliseconds / 1000m : decimal.Round(milliseconds / 1000m, 3));
    }
}
