using System.Text;
using System.Text.Json.Serialization;
using Functions.Events.Serialization;
using Functions.DevKit;

namespace Functions.Tests;

/// <summary>The schedule and alarm envelopes on the project's own events (events/).</summary>
public class EventEnvelopeTests
{
    private static readonly RepoLayout Repo = RepoLayout.Find(AppContext.BaseDirectory);
    private static byte[] Event(string file) => File.ReadAllBytes(Path.Combine(Repo.EventsDirectory, file));

    [Fact]
    public void A_rule_schedule_has_an_object_detail_and_its_scheduled_time()
    {
        var e = CloudWatchEvents.Parse(Event("backup-nightly.json"), TestDetailContext.Default.RunOptions);

        Assert.Equal("aws.events", e.Source);
        Assert.Equal(CloudWatchEvents.ScheduledEventType, e.DetailType);
        Assert.Equal(new DateTime(2026, 11, 23, 3, 0, 0, DateTimeKind.Utc), e.Time.ToUniversalTime());
        Assert.Null(e.Detail!.Mode);
        Assert.Equal("arn:aws:events:us-east-1:123456789012:rule/maip-dev-nightly-backup", Assert.Single(e.Resources!));
    }

    [Fact]
    public void A_scheduler_schedule_carries_its_detail_as_a_json_string_which_is_read_as_the_object()
    {
        var e = CloudWatchEvents.Parse(Event("pitr-report-only-scheduler.json"), TestDetailContext.Default.RunOptions);

        Assert.Equal("aws.scheduler", e.Source);
        Assert.Equal("report", e.Detail!.Mode);
    }

    [Theory]
    [InlineData("""{"detail-type":"Scheduled Event","source":"aws.scheduler","time":"2026-01-01T00:00:00Z","detail":"{}"}""")]
    [InlineData("""{"detail-type":"Scheduled Event","source":"aws.events","time":"2026-01-01T00:00:00Z","detail":{}}""")]
    [InlineData("""{"detail-type":"Scheduled Event","source":"aws.events","time":"2026-01-01T00:00:00Z"}""")]
    public void Empty_details_of_every_form_read_as_an_empty_object(string json)
        => Assert.Null(CloudWatchEvents.Parse(Encoding.UTF8.GetBytes(json), TestDetailContext.Default.RunOptions).Detail!.Mode);

    [Theory]
    [InlineData("""{"detail-type":"Scheduled Event","source":"aws.events","detail":"{not json"}""", "detail")]
    [InlineData("""{"detail-type":"Scheduled Event","source":"aws.events","detail":[1]}""", "detail")]
    [InlineData("""{"Records":[]}""", "not an EventBridge event")]
    [InlineData("""{"detail-type":""", "not a valid EventBridge event")]
    public void A_schedule_event_that_cannot_be_read_says_why(string json, string expected)
    {
        var ex = Assert.Throws<InvalidEventException>(() => CloudWatchEvents.Parse(Encoding.UTF8.GetBytes(json), TestDetailContext.Default.RunOptions));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_alarm_through_sns_is_read_from_the_message_string_with_the_region_code_from_the_arn()
    {
        var alarm = Assert.Single(AlarmEvents.Parse(Event("alarm-sns-write-throttle.json")));

        Assert.Equal(AlarmDelivery.Sns, alarm.Delivery);
        Assert.Equal("maip-dev-orders-write-throttle", alarm.AlarmName);
        Assert.True(alarm.IsInAlarm);
        Assert.Equal("OK", alarm.PreviousState);
        Assert.Equal("us-east-1", alarm.Region); // the message's Region is "US East (N. Virginia)"
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 10, 15, 0, 123, TimeSpan.Zero), alarm.Time);
        var metric = Assert.Single(alarm.Metrics);
        Assert.Equal(("AWS/DynamoDB", "WriteProvisionedThroughputThrottleEvents", "maip-dev-orders"), (metric.Namespace, metric.MetricName, metric.Dimension("TableName")));
        Assert.False(alarm.IsComposite);
    }

    [Fact]
    public void An_eventbridge_alarm_state_change_has_dimensions_as_a_map_including_the_index()
    {
        var alarm = Assert.Single(AlarmEvents.Parse(Event("alarm-eventbridge-gsi-read-throttle.json")));

        Assert.Equal(AlarmDelivery.EventBridge, alarm.Delivery);
        Assert.Equal("ALARM", alarm.State);
        Assert.Equal("arn:aws:cloudwatch:us-east-1:123456789012:alarm:maip-dev-quotes-by-customer-read-throttle", alarm.AlarmArn);
        var metric = Assert.Single(alarm.Metrics);
        Assert.Equal("ReadProvisionedThroughputThrottleEvents", metric.MetricName);
        Assert.Equal("maip-dev-quotes", metric.Dimension("TableName"));
        Assert.Equal("by-customer", metric.Dimension("GlobalSecondaryIndexName"));
    }

    [Fact]
    public void A_direct_metric_math_alarm_action_lists_every_metric_and_the_expression()
    {
        var alarm = Assert.Single(AlarmEvents.Parse(Event("alarm-action-metric-math.json")));

        Assert.Equal(AlarmDelivery.AlarmAction, alarm.Delivery);
        Assert.Equal("INSUFFICIENT_DATA", alarm.PreviousState);
        Assert.Equal("123456789012", alarm.AccountId);
        Assert.Equal(["total", "reads", "writes"], alarm.Metrics.Select(m => m.Id));
        Assert.Equal("reads + writes", alarm.Metrics[0].Expression);
        Assert.Null(alarm.Metrics[0].MetricName);
        Assert.All(alarm.Metrics.Skip(1), m => Assert.Equal("maip-dev-products", m.Dimension("TableName")));
    }

    [Fact]
    public void A_composite_alarm_has_no_metrics_and_says_it_is_composite()
    {
        var json = """
            {"source":"aws.cloudwatch","alarmArn":"arn:aws:cloudwatch:us-east-1:1:alarm:all-throttles","accountId":"1","time":"2026-11-23T10:15:00.000+0000","region":"us-east-1",
             "alarmData":{"alarmName":"all-throttles","state":{"value":"ALARM","timestamp":"2026-11-23T10:15:00.000+0000"},
               "configuration":{"alarmRule":"ALARM(a) OR ALARM(b)"}}}
            """;
        var alarm = Assert.Single(AlarmEvents.Parse(Encoding.UTF8.GetBytes(json)));
        Assert.True(alarm.IsComposite);
        Assert.Empty(alarm.Metrics);
    }

    [Theory]
    [InlineData("""{"Records":[{"Sns":{"Message":"hello"}}]}""", "not a CloudWatch alarm notification")]
    [InlineData("""{"detail-type":"Scheduled Event","source":"aws.events"}""", "not an alarm notification")]
    [InlineData("""{"alarmData":{"state":{"value":"ALARM"}}}""", "no alarmName")]
    [InlineData("[1,2]", "not an alarm notification")]
    [InlineData("{", "not valid JSON")]
    public void Anything_else_is_refused_with_what_was_expected(string json, string expected)
    {
        var ex = Assert.Throws<InvalidEventException>(() => AlarmEvents.Parse(Encoding.UTF8.GetBytes(json)));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2015-06-03T17:43:27.123+0000", "2015-06-03T17:43:27.1230000+00:00")]
    [InlineData("2026-11-23T10:15:00.000-0130", "2026-11-23T10:15:00.0000000-01:30")]
    [InlineData("2026-11-23T10:15:00Z", "2026-11-23T10:15:00.0000000+00:00")]
    public void Cloudwatch_times_with_offsets_without_a_colon_are_read(string text, string expected)
        => Assert.Equal(expected, AlarmEvents.ParseTime(text)!.Value.ToString("O", System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public void Event_files_with_a_byte_order_mark_are_read()
    {
        var withBom = Encoding.UTF8.GetPreamble().Concat(Event("backup-nightly.json")).ToArray();
        Assert.Equal("aws.events", CloudWatchEvents.Parse(withBom).Source);
        Assert.Single(AlarmEvents.Parse(Encoding.UTF8.GetPreamble().Concat(Event("alarm-sns-write-throttle.json")).ToArray()));
    }
}

/// <summary>A detail type as a scheduled function would declare it.</summary>
public sealed class RunOptions
{
    [JsonPropertyName("mode")] public string? Mode { get; set; }
}

[JsonSerializable(typeof(RunOptions))]
internal sealed partial class TestDetailContext : JsonSerializerContext;
