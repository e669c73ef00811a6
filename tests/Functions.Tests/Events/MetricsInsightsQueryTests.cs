using Functions.Events.Serialization;
using Functions.Common.Tables;
using Functions.ThrottleResponder;

namespace Functions.Tests;

/// <summary>
/// Alarms on a Metrics Insights query (the template's throttle alarms, which cover a table's
/// indexes) reach the responder with a query in place of a metric: read as the metric it selects
/// and the dimensions its WHERE pins.
/// </summary>
public class MetricsInsightsQueryTests
{
    private static readonly string EventsDirectory = Functions.DevKit.RepoLayout.Find(AppContext.BaseDirectory).EventsDirectory;

    [Fact]
    public void The_templates_form_is_the_metric_of_the_table_over_every_dimension()
    {
        var query = MetricsInsightsQuery.TryParse("""SELECT SUM(WriteProvisionedThroughputThrottleEvents) FROM "AWS/DynamoDB" WHERE TableName = 'maip-dev-quotes'""")!;

        Assert.Equal(("SUM", "WriteProvisionedThroughputThrottleEvents", "AWS/DynamoDB"), (query.Function, query.MetricName, query.Namespace));
        Assert.Null(query.SchemaKeys); // no SCHEMA: index series (TableName, GlobalSecondaryIndexName) count too
        Assert.Equal(new Dictionary<string, string> { ["TableName"] = "maip-dev-quotes" }, query.Equal);
        Assert.Empty(query.OtherConditions);
        Assert.Empty(query.GroupBy);
    }

    [Theory]
    // Keywords in any case, names quoted or not, \ escaping a quote.
    [InlineData("""select max("ReadKeyRangeThroughputThrottleEvents") from SCHEMA("AWS/DynamoDB", TableName, GlobalSecondaryIndexName) where TableName = 'o\'brien' and GlobalSecondaryIndexName = 'by-customer' group by GlobalSecondaryIndexName order by max() desc limit 5""",
        "MAX", "ReadKeyRangeThroughputThrottleEvents", "TableName=o'brien GlobalSecondaryIndexName=by-customer", "TableName,GlobalSecondaryIndexName", "", "GlobalSecondaryIndexName")]
    // A key not pinned to one value pins nothing.
    [InlineData("""SELECT SUM(WriteThrottleEvents) FROM "AWS/DynamoDB" WHERE TableName != 'maip-dev-orders'""", "SUM", "WriteThrottleEvents", "", null, "TableName", "")]
    [InlineData("""SELECT SUM(WriteThrottleEvents) FROM "AWS/DynamoDB" WHERE TableName LIKE 'maip-dev-%'""", "SUM", "WriteThrottleEvents", "", null, "TableName", "")]
    [InlineData("""SELECT SUM(WriteThrottleEvents) FROM "AWS/DynamoDB" WHERE TableName IN ('a', 'b') AND Operation = 'PutItem'""", "SUM", "WriteThrottleEvents", "Operation=PutItem", null, "TableName", "")]
    [InlineData("""SELECT SUM(WriteThrottleEvents) FROM "AWS/DynamoDB" WHERE TableName = 'a' AND TableName = 'b'""", "SUM", "WriteThrottleEvents", "", null, "TableName", "")]
    [InlineData("""SELECT SUM(WriteThrottleEvents) FROM "AWS/DynamoDB" WHERE TableName = 'a' AND TableName = 'a'""", "SUM", "WriteThrottleEvents", "TableName=a", null, "", "")]
    public void A_query_is_read_as_its_metric_and_the_dimensions_it_pins(string text, string function, string metric, string pinned, string? schema, string other, string groupBy)
    {
        var query = MetricsInsightsQuery.TryParse(text)!;

        Assert.Equal((function, metric, "AWS/DynamoDB"), (query.Function, query.MetricName, query.Namespace));
        Assert.Equal(pinned, string.Join(" ", query.Equal.Select(d => $"{d.Key}={d.Value}")));
        Assert.Equal(schema, query.SchemaKeys is null ? null : string.Join(",", query.SchemaKeys));
        Assert.Equal(other, string.Join(",", query.OtherConditions));
        Assert.Equal(groupBy, string.Join(",", query.GroupBy));
    }

    [Theory]
    [InlineData("FILL(reads, 0) + FILL(writes, 0)")] // metric math
    [InlineData("SELECT SUM(WriteThrottleEvents)")]
    [InlineData("SELECT SUM(WriteThrottleEvents) FROM \"AWS/DynamoDB\" WHERE TableName = 'unterminated")]
    [InlineData("SELECT SUM(WriteThrottleEvents) FROM \"AWS/DynamoDB\" WHERE TableName = maip")] // a value is quoted
    [InlineData("SELECT SUM(WriteThrottleEvents) FROM \"AWS/DynamoDB\" HAVING x")]
    [InlineData("")]
    public void What_is_not_a_query_is_no_metric(string text) => Assert.Null(MetricsInsightsQuery.TryParse(text));

    public static TheoryData<string, string, string> IndexSamples() => new()
    {
        { "alarm-sns-index-write-throttle.json", "WriteProvisionedThroughputThrottleEvents", ThrottleCauses.ProvisionedCapacity },
        { "alarm-eventbridge-index-write-throttle.json", "WriteProvisionedThroughputThrottleEvents", ThrottleCauses.ProvisionedCapacity },
        { "alarm-action-index-write-throttle.json", "WriteProvisionedThroughputThrottleEvents", ThrottleCauses.ProvisionedCapacity },
        { "alarm-sns-index-hot-partition.json", "ReadKeyRangeThroughputThrottleEvents", ThrottleCauses.KeyRange },
        { "alarm-eventbridge-index-hot-partition.json", "ReadKeyRangeThroughputThrottleEvents", ThrottleCauses.KeyRange },
        { "alarm-action-index-hot-partition.json", "ReadKeyRangeThroughputThrottleEvents", ThrottleCauses.KeyRange },
    };

    [Theory]
    [MemberData(nameof(IndexSamples))]
    public void Each_delivery_of_a_query_alarm_points_at_its_table_and_its_indexes_with_the_cause(string file, string metric, string cause)
    {
        var alarm = Assert.Single(AlarmEvents.Parse(File.ReadAllBytes(Path.Combine(EventsDirectory, file))));
        var (targets, refused) = ThrottlePolicy.TargetsOf(alarm, new TablePrefix("maip-dev-"));

        var watched = Assert.Single(alarm.Metrics);
        Assert.True(watched.IsQuery);
        Assert.Equal(("AWS/DynamoDB", metric, "maip-dev-quotes"), (watched.Namespace, watched.MetricName, watched.Dimension("TableName")));
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 10, 15, 0, 123, TimeSpan.Zero), alarm.Time); // one audit key for the three deliveries
        Assert.Equal([new ThrottleTarget("maip-dev-quotes", $"{metric} (the table and each of its indexes)", null, cause)], targets);
        Assert.Empty(refused);
        Assert.False(alarm.IsComposite);
    }

    [Fact]
    public void A_query_that_pins_no_table_is_refused_with_the_reason()
    {
        var alarm = Assert.Single(AlarmEvents.Parse(File.ReadAllBytes(Path.Combine(EventsDirectory, "alarm-eventbridge-index-write-throttle.json"))));
        alarm = alarm with { Metrics = [AlarmMetric.Of("q", null, null, new Dictionary<string, string>(), """SELECT SUM(WriteProvisionedThroughputThrottleEvents) FROM "AWS/DynamoDB" WHERE TableName LIKE 'maip-dev-%'""")] };

        var (targets, refused) = ThrottlePolicy.TargetsOf(alarm, new TablePrefix("maip-dev-"));

        Assert.Empty(targets);
        Assert.Contains("Metrics Insights query whose WHERE pins TableName", Assert.Single(refused).Reason, StringComparison.Ordinal);
    }
}
