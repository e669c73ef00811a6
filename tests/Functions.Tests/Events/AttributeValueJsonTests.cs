using System.Text.Json;
using Functions.Common.DynamoDb;
using Functions.Events;
using Functions.Events.Serialization;

namespace Functions.Tests;

public class AttributeValueJsonTests
{
    [Fact]
    public void Every_type_survives_a_round_trip_exactly()
    {
        const string json = """
            {"s":{"S":"text"},"n":{"N":"12345678901234567890123456789012345678"},"b":{"B":"AAEC/w=="},
             "ss":{"SS":["a","b"]},"ns":{"NS":["1","-0.5"]},"bs":{"BS":["AA==","AQ=="]},
             "m":{"M":{"inner":{"M":{"deep":{"L":[{"N":"1"},{"NULL":true},{"BOOL":false}]}}}}},
             "l":{"L":[]},"e":{"M":{}},"nul":{"NULL":true},"t":{"BOOL":true}}
            """;
        var item = TestRecords.Map(json);

        Assert.Equal("12345678901234567890123456789012345678", item["n"].N);
        Assert.Equal(new byte[] { 0, 1, 2, 255 }, item["b"].B);
        Assert.Equal(["AA==", "AQ=="], item["bs"].BS!.Select(Convert.ToBase64String));
        Assert.False(item["m"].M!["inner"].M!["deep"].L![2].BOOL);
        Assert.Empty(item["l"].L!);
        Assert.Empty(item["e"].M!);
        var again = TestRecords.Map(TestRecords.Json(item));
        Assert.True(AttributeValueEquality.MapEquals(item, again));
        Assert.Equal(JsonSerializer.Serialize(JsonDocument.Parse(json)), JsonSerializer.Serialize(JsonDocument.Parse(TestRecords.Json(again))));
    }

    [Theory]
    [InlineData("""{"X":"1"}""", "Unknown attribute type 'X'")]
    [InlineData("""{"N":"twelve"}""", "decimal number")]
    [InlineData("""{"N":12}""", "must hold a string")]
    [InlineData("""{"N":"123456789012345678901234567890123456789"}""", "38 significant digits")]
    [InlineData("""{"B":"not base64!"}""", "base64")]
    [InlineData("""{"SS":[]}""", "must not be empty")]
    [InlineData("""{"S":"a","N":"1"}""", "more than one type key")]
    [InlineData("""{}""", "no type key")]
    [InlineData("""{"NULL":false}""", "'NULL' must be true")]
    [InlineData("""{"BOOL":"yes"}""", "'BOOL' must be true or false")]
    [InlineData(""" "plain" """, "must be an object")]
    [InlineData("""{"M":[]}""", "'M' must hold an object")]
    public void A_malformed_value_is_rejected_with_a_message_naming_the_problem(string value, string expected)
    {
        var ex = Assert.Throws<JsonException>(() => TestRecords.Map($$"""{"a":{{value}}}"""));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("NS", "\"1.0\"", true)]       // "1" is in the set: the same number
    [InlineData("NS", "\"21\"", false)]
    [InlineData("SS", "\"s7\"", true)]
    [InlineData("SS", "\"s77\"", false)]
    public void Large_sets_are_checked_for_repeats_like_small_ones(string type, string last, bool repeated)
    {
        // Past 16 members the check changes method (a hash set): the rule must not.
        var members = Enumerable.Range(1, 20).Select(i => type == "NS" ? $"\"{i}\"" : $"\"s{i}\"").Append(last);
        var json = $$$"""{"a":{"{{{type}}}":[{{{string.Join(",", members)}}}]}}""";

        if (repeated)
            Assert.Contains("the same member twice", Assert.Throws<JsonException>(() => TestRecords.Map(json)).Message, StringComparison.Ordinal);
        else
            Assert.Equal(21, (type == "NS" ? TestRecords.Map(json)["a"].NS : TestRecords.Map(json)["a"].SS)!.Count);
    }

    [Fact]
    public void A_value_holds_one_member_setting_another_replaces_it_and_null_clears_only_its_own()
    {
        var value = new DynamoDBEvent.AttributeValue { S = "text" };
        value.N = null; // not the member that is set: nothing changes
        Assert.Equal("text", value.S);
        value.BOOL = false;
        Assert.Equal((null, false), (value.S, value.BOOL));
        value.BOOL = null;
        Assert.Null(value.BOOL);
        Assert.Equal("""{"NULL":true}""", JsonSerializer.Serialize(value, LambdaJsonContext.Default.Options));
    }

    [Fact]
    public void Error_messages_never_carry_the_value()
    {
        var ex = Assert.Throws<JsonException>(() => TestRecords.Map("""{"ssn":{"N":"secret-078-05-1120"}}"""));
        Assert.DoesNotContain("secret", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("1120", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1.50", "1.5", true)]
    [InlineData("100", "1e2", true)]
    [InlineData("-0", "0", true)]
    [InlineData("12345678901234567890123456789012345678", "12345678901234567890123456789012345679", false)]
    [InlineData("0.1", "0.10000000000000001", false)]
    public void Numbers_compare_by_value_without_losing_digits(string left, string right, bool equal)
        => Assert.Equal(equal, DynamoNumber.AreEqual(left, right));
}
