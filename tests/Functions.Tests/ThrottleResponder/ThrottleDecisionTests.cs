using Functions.Common.Logging;
using System.Text.Json;
using Amazon.DynamoDBv2.Model;
using Functions.Events.Serialization;
using Functions.Common.Tables;
using Functions.ThrottleResponder;

namespace Functions.Tests;

/// <summary>The throttle responder's decisions, without AWS: which table, what to do, what to restore.</summary>
// A function's types are internal and xUnit calls public methods: a theory takes them as object.
public class ThrottleDecisionTests
{
    private static readonly TablePrefix Dev = new("maip-dev-");
    private static readonly string EventsDirectory = Functions.DevKit.RepoLayout.Find(AppContext.BaseDirectory).EventsDirectory;

    private static AlarmNotification Alarm(string file) => AlarmEvents.Parse(File.ReadAllBytes(Path.Combine(EventsDirectory, file))).Single();

    [Theory]
    [InlineData("alarm-sns-write-throttle.json")]
    [InlineData("alarm-eventbridge-write-throttle.json")]
    [InlineData("alarm-action-write-throttle.json")]
    public void The_three_deliveries_of_one_write_throttle_alarm_point_at_the_same_table(string file)
    {
        var alarm = Alarm(file);
        var (targets, refused) = ThrottlePolicy.TargetsOf(alarm, Dev);

        Assert.Equal((AlarmNotification.Alarm, "maip-dev-orders-write-throttle"), (alarm.State, alarm.AlarmName));
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 10, 15, 0, 123, TimeSpan.Zero), alarm.Time); // one audit key for all three
        Assert.Equal([new ThrottleTarget("maip-dev-orders", "WriteProvisionedThroughputThrottleEvents", null, ThrottleCauses.ProvisionedCapacity)], targets);
        Assert.Empty(refused);
    }

    [Fact]
    public void An_index_alarm_switches_its_table()
        => Assert.Equal([new ThrottleTarget("maip-dev-quotes", "ReadProvisionedThroughputThrottleEvents", "by-customer", ThrottleCauses.ProvisionedCapacity)],
            ThrottlePolicy.TargetsOf(Alarm("alarm-eventbridge-gsi-read-throttle.json"), Dev).Targets);

    [Fact]
    public void Every_metric_of_a_metric_math_alarm_is_examined_and_the_generic_ones_still_switch()
        => Assert.Equal([new ThrottleTarget("maip-dev-products", "ReadThrottleEvents, WriteThrottleEvents", null, ThrottleCauses.Unattributed)],
            ThrottlePolicy.TargetsOf(Alarm("alarm-action-metric-math.json"), Dev).Targets);

    [Theory]
    [InlineData("alarm-sns-key-range.json")]
    [InlineData("alarm-eventbridge-key-range.json")]
    public void A_hot_partition_alarm_points_at_its_table_with_a_cause_a_switch_does_not_cure(string file)
    {
        var target = Assert.Single(ThrottlePolicy.TargetsOf(Alarm(file), Dev).Targets);

        Assert.Equal(new ThrottleTarget("maip-dev-orders", "ReadKeyRangeThroughputThrottleEvents, WriteKeyRangeThroughputThrottleEvents", null, ThrottleCauses.KeyRange), target);
        Assert.False(ThrottleCauses.OnDemandHelps(target.Cause));
        Assert.Contains("hot partition", ThrottlePolicy.NotSwitched(target.Cause, Table()), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ReadProvisionedThroughputThrottleEvents", ThrottleCauses.ProvisionedCapacity, true)]
    [InlineData("WriteThrottleEvents", ThrottleCauses.Unattributed, true)]
    [InlineData("ThrottledRequests", ThrottleCauses.Unattributed, true)]
    [InlineData("WriteKeyRangeThroughputThrottleEvents", ThrottleCauses.KeyRange, false)]
    [InlineData("ReadMaxOnDemandThroughputThrottleEvents", ThrottleCauses.OnDemandMaximum, false)]
    [InlineData("WriteAccountLimitThrottleEvents", ThrottleCauses.AccountLimit, false)]
    public void Each_throttling_metric_has_its_cause_and_only_provisioned_capacity_or_no_cause_switches(string metric, string cause, bool switches)
    {
        Assert.Equal(cause, ThrottleCauses.OfMetric[metric]);
        Assert.Equal(switches, ThrottleCauses.OnDemandHelps(cause));
        if (!switches) Assert.Contains("nothing is changed", ThrottlePolicy.NotSwitched(cause, Table()), StringComparison.Ordinal);
    }

    [Fact]
    public void When_one_alarm_watches_several_causes_of_a_table_a_cause_a_switch_cures_decides()
    {
        Assert.Equal(ThrottleCauses.ProvisionedCapacity, ThrottleCauses.Deciding([ThrottleCauses.KeyRange, ThrottleCauses.ProvisionedCapacity]));
        Assert.Equal(ThrottleCauses.Unattributed, ThrottleCauses.Deciding([ThrottleCauses.AccountLimit, ThrottleCauses.Unattributed]));
        Assert.Equal(ThrottleCauses.KeyRange, ThrottleCauses.Deciding([ThrottleCauses.OnDemandMaximum, ThrottleCauses.KeyRange]));
    }

    [Theory]
    // DynamoDB's message for the quota names the mode; the other limit says too many operations.
    [InlineData("Subscriber limit exceeded: Update to PayPerRequest mode are limited to 4 times in 1 day(s).", true, UpdateLimit.DailySwitches)]
    [InlineData("Too many operations for a given subscriber.", true, UpdateLimit.TooManyOperations)]
    [InlineData("Subscriber limit exceeded: Only 10 tables can be created, updated, or deleted simultaneously", true, UpdateLimit.TooManyOperations)]
    // A message saying neither is unclear, never the quota: the table's last switch to on-demand
    // (one within 24 hours) does not say the four are spent.
    [InlineData("scripted", true, UpdateLimit.Unclear)]
    [InlineData("Limit exceeded.", true, UpdateLimit.Unclear)]
    [InlineData(null, true, UpdateLimit.Unclear)]
    // The quota counts switches to on-demand only.
    [InlineData("Subscriber limit exceeded: Update to PayPerRequest mode are limited to 4 times in 1 day(s).", false, UpdateLimit.TooManyOperations)]
    public void The_two_limit_exceeded_errors_of_UpdateTable_are_told_apart(string? message, bool toOnDemand, object expected)
        => Assert.Equal((UpdateLimit)expected, ThrottlePolicy.LimitOf(message, toOnDemand));

    [Fact]
    public void Another_environments_table_is_refused_and_never_a_target()
    {
        var (targets, refused) = ThrottlePolicy.TargetsOf(Alarm("alarm-sns-foreign-table.json"), Dev);
        Assert.Empty(targets);
        Assert.Equal("maip-prod-orders", Assert.Single(refused).Table);
        Assert.Contains("not a table of this environment", refused[0].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void An_alarm_on_no_throttling_metric_is_refused_with_the_reason()
    {
        var alarm = Alarm("alarm-sns-write-throttle.json") with
        {
            Metrics = [new AlarmMetric(null, "AWS/DynamoDB", "ConsumedWriteCapacityUnits", new Dictionary<string, string> { ["TableName"] = "maip-dev-orders" }, null)],
        };
        var (targets, refused) = ThrottlePolicy.TargetsOf(alarm, Dev);
        Assert.Empty(targets);
        Assert.Null(Assert.Single(refused).Table);
    }

    [Fact]
    public void The_ok_transition_is_not_an_alarm()
        => Assert.False(Alarm("alarm-sns-ok.json").IsInAlarm);

    private static TableState Table(string billing = TableState.Provisioned, string status = "ACTIVE")
        => new("maip-dev-quotes", status, billing, 5, 7, [new IndexCapacity("by-customer", 3, 4)],
            new DateTimeOffset(2026, 11, 23, 9, 30, 0, TimeSpan.Zero));

    [Theory]
    [InlineData(TableState.Provisioned, "ACTIVE", false, SwitchStep.Switch)]
    [InlineData(TableState.OnDemand, "ACTIVE", false, SwitchStep.AlreadyOnDemand)]
    [InlineData(TableState.OnDemand, "UPDATING", false, SwitchStep.AlreadyOnDemand)]
    [InlineData(TableState.Provisioned, "UPDATING", false, SwitchStep.Wait)]
    [InlineData(TableState.Provisioned, "DELETING", false, SwitchStep.Fail)]
    [InlineData(TableState.Provisioned, "ACTIVE", true, SwitchStep.Refuse)]
    [InlineData(TableState.OnDemand, "ACTIVE", true, SwitchStep.Refuse)]
    public void Each_table_state_has_its_step(string billing, string status, bool optedOut, object expected)
        => Assert.Equal((SwitchStep)expected, ThrottlePolicy.Decide(Table(billing, status), optedOut).Step);

    [Fact]
    public void The_daily_limit_says_it_is_spent_and_when_it_frees_up()
    {
        var message = ThrottlePolicy.LimitReached(Table());
        Assert.Contains("4 switches to on-demand per rolling 24 hours", message, StringComparison.Ordinal);
        Assert.Contains("2026-11-24 09:30Z", message, StringComparison.Ordinal);
        Assert.Contains("not retried", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_switch_record_reads_back_as_the_change_it_records_to_be_written_again_amended()
    {
        var change = new Functions.Common.Audit.TableChange("maip-dev-quotes", "SWITCHED_TO_ON_DEMAND", new DateTimeOffset(2026, 11, 23, 10, 15, 0, 123, TimeSpan.Zero),
            "maip-dev-throttle-responder", Table().CapacityForAudit(), new Dictionary<string, AttributeValue> { ["billingMode"] = new() { S = TableState.OnDemand } },
            "Threshold Crossed", new Dictionary<string, AttributeValue> { ["alarmName"] = new() { S = "maip-dev-quotes-read-throttle" }, ["cause"] = new() { S = ThrottleCauses.ProvisionedCapacity } });

        var read = Functions.Common.Audit.TableAuditRecord.Change(Functions.Common.Audit.TableAuditRecord.Item(change));

        Assert.Equal((change.TableName, change.EventName, change.ChangeTime, change.Actor, change.Reason, change.DryRun),
            (read.TableName, read.EventName, read.ChangeTime, read.Actor, read.Reason, read.DryRun));
        Assert.Equal(["alarmName", "cause"], read.Details!.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(TableState.CapacityFromAudit(change.Before.ToDictionary()), TableState.CapacityFromAudit(read.Before.ToDictionary()));
        Assert.Equal(TableState.OnDemand, read.After["billingMode"].S);
    }

    [Fact]
    public void The_capacity_kept_in_the_audit_record_reads_back_for_a_restore()
    {
        var saved = TableState.CapacityFromAudit(Table().CapacityForAudit());

        Assert.NotNull(saved);
        Assert.Equal((5L, 7L), (saved.Value.Read, saved.Value.Write));
        Assert.Equal([new IndexCapacity("by-customer", 3, 4)], saved.Value.Indexes);
        Assert.Null(TableState.CapacityFromAudit(new Dictionary<string, AttributeValue> { ["billingMode"] = new() { S = "PROVISIONED" } }));
        Assert.Null(TableState.CapacityFromAudit(null));
    }

    [Fact]
    public void A_restore_gives_each_index_its_saved_capacity_and_a_new_index_the_tables()
    {
        var (read, write, indexes, notes) = ThrottlePolicy.RestorePlan((5, 7, [new IndexCapacity("by-customer", 3, 4), new IndexCapacity("dropped", 9, 9)]),
            ["by-customer", "by-status"]);

        Assert.Equal((5L, 7L), (read, write));
        Assert.Equal([new IndexCapacity("by-customer", 3, 4), new IndexCapacity("by-status", 5, 7)], indexes);
        Assert.Contains("by-status", Assert.Single(notes), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, null, null, false)]
    [InlineData("-1", "-1", "false", false)]
    [InlineData("500", "0", "true", true)]
    public void Settings_read_the_ceiling_and_dry_run(string? maxRead, string? maxWrite, string? dryRun, bool expectedDryRun)
    {
        var settings = ThrottleSettings.From(n => n switch
        {
            "ON_DEMAND_MAX_READ_REQUEST_UNITS" => maxRead, "ON_DEMAND_MAX_WRITE_REQUEST_UNITS" => maxWrite, "DRY_RUN" => dryRun, _ => null,
        });
        Assert.Equal(expectedDryRun, settings.DryRun);
        Assert.Equal(maxRead == "500" ? 500 : null, settings.MaxReadRequestUnits);
        Assert.Null(settings.MaxWriteRequestUnits);
        Assert.Throws<InvalidOperationException>(() => ThrottleSettings.From(n => n == "DRY_RUN" ? "yes" : null));
    }

    [Theory]
    [InlineData(ThrottleOutcome.Switched, "switched")]
    [InlineData(ThrottleOutcome.WouldSwitch, "would-switch")]
    [InlineData(ThrottleOutcome.AlreadyOnDemand, "already-on-demand")]
    [InlineData(ThrottleOutcome.NotSwitched, "not-switched")]
    [InlineData(ThrottleOutcome.Ignored, "ignored")]
    [InlineData(ThrottleOutcome.Refused, "refused")]
    [InlineData(ThrottleOutcome.Failed, "failed")]
    [InlineData(ThrottleOutcome.Restored, "restored")]
    [InlineData(ThrottleOutcome.WouldRestore, "would-restore")]
    [InlineData(ThrottleOutcome.AlreadyProvisioned, "already-provisioned")]
    public void Each_outcome_is_written_as_the_string_the_response_and_its_log_line_always_gave(object outcomeValue, string written)
    {
        var outcome = (ThrottleOutcome)outcomeValue;
        var json = JsonSerializer.Serialize(new TableResponse { Table = "t", Outcome = outcome, CountsAs = ThrottleMetrics.TablesSwitched },
            ThrottleJsonContext.Wire.TableResponse);

        Assert.Equal($$"""{"table":"t","outcome":"{{written}}"}""", json);
        Assert.Equal(written, outcome.WireName());
        Assert.Equal(10, Enum.GetValues<ThrottleOutcome>().Length); // a new outcome gets its line above
    }
}
