using System.Text.Json;
using Functions.Events.Serialization;

namespace Functions.Tests;

public class LambdaDateTimeConverterTests
{
    [Theory]
    [InlineData("1428537600", "2015-04-09T00:00:00.000Z")]        // AWS: whole seconds
    [InlineData("1428537600.0", "2015-04-09T00:00:00.000Z")]
    [InlineData("1795305930.595", "2026-11-22T00:05:30.595Z")]    // moto: with a fraction
    [InlineData("1428537600123", "2015-04-09T00:00:00.123Z")]     // milliseconds
    [InlineData("\"1428537600\"", "2015-04-09T00:00:00.000Z")]    // as a string
    public void ApproximateCreationDateTime_is_read_in_every_shape_it_arrives_in(string value, string expected)
    {
        var record = JsonSerializer.Deserialize(
            $$"""{"ApproximateCreationDateTime":{{value}},"SequenceNumber":"1"}""",
            LambdaJsonContext.Default.StreamRecord)!;
        Assert.Equal(expected, record.ApproximateCreationDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(DateTimeKind.Utc, record.ApproximateCreationDateTime.Kind);
    }

    [Fact]
    public void A_time_that_is_not_a_number_is_malformed()
        => Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(
            """{"ApproximateCreationDateTime":"yesterday"}""", LambdaJsonContext.Default.StreamRecord));
}
