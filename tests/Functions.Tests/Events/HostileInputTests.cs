using System.Text;
using Functions.Events.Serialization;

namespace Functions.Tests;

/// <summary>
/// Inputs that used to fail a whole batch, or to pass values DynamoDB refuses: each one now
/// fails its own record, at parse time, with a reason that names no value.
/// </summary>
public class HostileInputTests
{
    private static string Record(string sequence, string newImage = """{"orderId":{"S":"o-1"}}""", string keys = """{"orderId":{"S":"o-1"},"customerId#timestamp":{"S":"c"}}""")
        => $$$"""
           {"eventID":"1","eventName":"INSERT","eventVersion":"1.1","eventSource":"aws:dynamodb","awsRegion":"us-east-1",
            "eventSourceARN":"{{{TestRecords.OrdersStreamArn}}}",
            "dynamodb":{"ApproximateCreationDateTime":1768564800,"Keys":{{{keys}}},
                        "NewImage":{{{newImage}}},"SequenceNumber":"{{{sequence}}}","SizeBytes":26,"StreamViewType":"NEW_AND_OLD_IMAGES"}}
           """;

    private static IReadOnlyList<StreamBatchEntry> Batch(params string[] records)
        => StreamBatch.Parse(Encoding.UTF8.GetBytes($$"""{"Records":[{{string.Join(",", records)}}]}"""));

    /// <summary>An attribute holding maps nested <paramref name="levels"/> deep.</summary>
    private static string Nested(int levels)
    {
        var value = """{"S":"deep"}""";
        for (var i = 0; i < levels; i++) value = """{"M":{"a":""" + value + "}}";
        return """{"orderId":{"S":"o-1"},"doc":""" + value + "}";
    }

    [Fact]
    public void An_item_nested_to_dynamodbs_limit_of_32_levels_is_read()
    {
        var entries = Batch(Record("1", Nested(32)), Record("2"));
        Assert.All(entries, e => Assert.True(e.IsValid, e.Error));
    }

    [Theory]
    [InlineData(33)]
    [InlineData(40)]
    [InlineData(200)]
    [InlineData(5000)]
    public void A_record_nested_deeper_than_dynamodb_allows_fails_alone(int levels)
    {
        var entries = Batch(Record("1"), Record("2", Nested(levels)), Record("3"));

        Assert.Equal(["1", "2", "3"], entries.Select(e => e.SequenceNumber));
        Assert.True(entries[0].IsValid && entries[2].IsValid);
        Assert.False(entries[1].IsValid);
        Assert.Contains("deeper than DynamoDB's limit of 32 levels", entries[1].Error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_event_with_a_utf8_byte_order_mark_is_read()
    {
        var json = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes($$"""{"Records":[{{Record("1")}}]}""")).ToArray();
        Assert.True(Assert.Single(StreamBatch.Parse(json)).IsValid);
    }

    [Theory]
    [InlineData("""{"orderId":null,"customerId#timestamp":{"S":"c"}}""", """{"orderId":{"S":"o-1"}}""", "$.dynamodb.Keys.orderId")]
    [InlineData("""{"orderId":{"S":"o-1"},"customerId#timestamp":{"S":"c"}}""", """{"orderId":{"S":"o-1"},"status":null}""", "$.dynamodb.NewImage.status")]
    [InlineData("""{"orderId":{"S":"o-1"},"customerId#timestamp":{"S":"c"}}""", """{"orderId":{"S":"o-1"},"lines":{"L":[null]}}""", "$.dynamodb.NewImage.lines")]
    public void A_json_null_where_a_value_belongs_fails_that_record_with_where_it_is(string keys, string newImage, string path)
    {
        var entries = Batch(Record("1", newImage, keys), Record("2"));

        Assert.False(entries[0].IsValid);
        Assert.Contains(path, entries[0].Error, StringComparison.Ordinal);
        Assert.Contains("null", entries[0].Error, StringComparison.Ordinal);
        Assert.True(entries[1].IsValid);
    }

    [Theory]
    [InlineData("""{"N":" 12"}""")]
    [InlineData("""{"N":"12 "}""")]
    [InlineData("""{"N":"1e200"}""")]
    [InlineData("""{"N":"867530973e500"}""")]
    [InlineData("""{"N":"1e-131"}""")]
    [InlineData("""{"N":"1e 5"}""")]
    [InlineData("""{"NS":["1","2","1.0"]}""")]
    [InlineData("""{"SS":["a","b","a"]}""")]
    [InlineData("""{"BS":["AQI=","AQI="]}""")]
    public void Values_dynamodb_refuses_are_refused_when_the_record_is_read_without_quoting_them(string value)
    {
        var entry = Assert.Single(Batch(Record("1", $$"""{"orderId":{"S":"o-1"},"x":{{value}}}""")));

        Assert.False(entry.IsValid);
        Assert.Contains("$.dynamodb.NewImage.x", entry.Error, StringComparison.Ordinal);
        foreach (var literal in new[] { "867530973", "1e200", "AQI=" })
            Assert.DoesNotContain(literal, entry.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1E-130")]
    [InlineData("9.9999999999999999999999999999999999999E+125")]
    [InlineData("-9.9999999999999999999999999999999999999E+125")]
    [InlineData("0.000")]
    [InlineData("12345678901234567890123456789012345678")]
    public void Numbers_at_dynamodbs_limits_are_accepted(string number) => Assert.True(DynamoNumber.IsValid(number));

    [Theory]
    [InlineData("1E+126")]
    [InlineData("1E-131")]
    [InlineData("\t1")]
    [InlineData("1e")]
    [InlineData("1e+-2")]
    public void Numbers_beyond_dynamodbs_limits_are_refused(string number) => Assert.False(DynamoNumber.IsValid(number));
}
