using Functions.ThrottleResponder;
using static Functions.ThrottleResponder.SwitchAnswer;

namespace Functions.Tests;

/// <summary>
/// The throttle responder's switch as a state machine, without AWS: each state, the answer its
/// call gets, the next state, what the response says and what it counts.
/// </summary>
// A function's types are internal and xUnit calls public methods: a theory takes them as object.
public class SwitchStateMachineTests
{
    private const string Audit = "maip-dev-audit";
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 10, 15, 0, TimeSpan.Zero);

    private static readonly TableSeen Provisioned = new(Table(TableState.Provisioned), OptedOut: false);
    private static readonly TableSeen OnDemand = new(Table(TableState.OnDemand), OptedOut: false);
    private static readonly Recorded Written = new(true);
    private static readonly Recorded AlreadyThere = new(false);

    private static TableState Table(string billing, string status = "ACTIVE", bool withIndex = true)
        => new("maip-dev-quotes", status, billing, 5, 7, withIndex ? [new IndexCapacity("by-customer", 3, 4)] : [], Now.AddHours(-3));

    private static SwitchProgress Start(bool dryRun = false, bool alarmHasTime = true, bool hasCeiling = false)
        => SwitchProgress.Start(new TableResponse
        {
            Alarm = "maip-dev-quotes-write-throttle", Table = "maip-dev-quotes", Outcome = ThrottleOutcome.Failed,
            Metric = "WriteProvisionedThroughputThrottleEvents", Cause = ThrottleCauses.ProvisionedCapacity,
        }, dryRun, alarmHasTime, hasCeiling, Audit);

    private static (List<SwitchState> States, SwitchProgress End) Walk(SwitchProgress start, params SwitchAnswer[] answers)
        => StateWalk.Walk(start, p => p.State, (p, answer) => p.Next(answer), answers);

    [Fact]
    public void A_provisioned_table_is_recorded_then_switched_and_the_delivery_that_recorded_it_counts_it()
    {
        var (states, end) = Walk(Start(), Provisioned, Written, new SwitchWentThrough(true, Now), AlreadyThere);

        Assert.Equal([SwitchState.LookingAtTable, SwitchState.RecordingIntent, SwitchState.Switching, SwitchState.AmendingFailure, SwitchState.Done], states);
        Assert.Equal(ThrottleOutcome.Switched, end.Response.Outcome);
        Assert.Equal("provisioned 5 RCU / 7 WCU, throttled: switched to on-demand", end.Response.Reason);
        Assert.Equal((5L, 7L), (end.Response.Capacity!.ReadCapacityUnits, end.Response.Capacity.WriteCapacityUnits)); // as it was before the switch
        Assert.Equal(new IndexCapacityView(3, 4), end.Response.Capacity.GlobalSecondaryIndexes["by-customer"]);
        Assert.Equal(ThrottleMetrics.TablesSwitched, end.Response.CountsAs);
    }

    [Fact]
    public void A_delivery_that_found_the_intent_recorded_switches_without_counting_unless_it_amends_a_failure()
    {
        var (_, plain) = Walk(Start(), Provisioned, AlreadyThere, new SwitchWentThrough(true, Now), AlreadyThere);
        Assert.Equal((ThrottleOutcome.Switched, null), (plain.Response.Outcome, plain.Response.CountsAs));

        var (_, amending) = Walk(Start(), Provisioned, AlreadyThere, new SwitchWentThrough(true, Now), Written);
        Assert.Equal((ThrottleOutcome.Switched, ThrottleMetrics.TablesSwitched), (amending.Response.Outcome, amending.Response.CountsAs));
        Assert.EndsWith("switched to on-demand; switched on a retry, after the failure recorded for this alarm", amending.Response.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_table_found_on_demand_counts_only_when_it_amends_the_failure_recorded_for_the_alarm()
    {
        var (states, nothing) = Walk(Start(), OnDemand, AlreadyThere);
        Assert.Equal([SwitchState.LookingAtTable, SwitchState.AmendingFailure, SwitchState.Done], states);
        Assert.Equal((ThrottleOutcome.AlreadyOnDemand, "already on-demand: nothing to do", null),
            (nothing.Response.Outcome, nothing.Response.Reason, nothing.Response.CountsAs));

        var (_, amended) = Walk(Start(), OnDemand, Written);
        Assert.Equal((ThrottleOutcome.AlreadyOnDemand, $"already on-demand: nothing to do; {SwitchProgress.NoLongerFailed}", ThrottleMetrics.TablesSwitched),
            (amended.Response.Outcome, amended.Response.Reason, amended.Response.CountsAs));
    }

    [Theory]
    [InlineData(true, true)] // a dry run amends nothing
    [InlineData(false, false)] // an alarm without a state-change time has no record to amend
    public void Without_a_failure_to_amend_a_table_found_on_demand_is_done_at_once(bool dryRun, bool alarmHasTime)
    {
        var (states, end) = Walk(Start(dryRun, alarmHasTime), OnDemand);

        Assert.Equal([SwitchState.LookingAtTable, SwitchState.Done], states);
        Assert.Equal((ThrottleOutcome.AlreadyOnDemand, null), (end.Response.Outcome, end.Response.CountsAs));
    }

    [Fact]
    public void A_dry_run_records_its_intent_and_switches_nothing()
    {
        var (states, end) = Walk(Start(dryRun: true), Provisioned, Written);

        Assert.Equal([SwitchState.LookingAtTable, SwitchState.RecordingIntent, SwitchState.Done], states);
        Assert.Equal((ThrottleOutcome.WouldSwitch, "dry run: provisioned 5 RCU / 7 WCU, throttled; would switch to on-demand", null),
            (end.Response.Outcome, end.Response.Reason, end.Response.CountsAs));
    }

    [Fact]
    public void A_table_switched_meanwhile_by_another_delivery_counts_for_the_one_that_recorded_the_intent()
    {
        var (states, first) = Walk(Start(), Provisioned, Written, new SwitchedMeanwhile(), AlreadyThere);
        Assert.Equal([SwitchState.LookingAtTable, SwitchState.RecordingIntent, SwitchState.Switching, SwitchState.AmendingFailure, SwitchState.Done], states);
        Assert.Equal((ThrottleOutcome.AlreadyOnDemand, "switched meanwhile by another delivery of the alarm: nothing to do", ThrottleMetrics.TablesSwitched),
            (first.Response.Outcome, first.Response.Reason, first.Response.CountsAs));

        var (_, other) = Walk(Start(), Provisioned, AlreadyThere, new SwitchedMeanwhile(), AlreadyThere);
        Assert.Null(other.Response.CountsAs);
    }

    [Fact]
    public void A_switch_without_the_indexes_ceilings_is_recorded_as_it_happened_when_no_amendment_says_so()
    {
        var start = Start(hasCeiling: true);
        var (states, end) = Walk(start, Provisioned, Written, new SwitchWentThrough(IndexesCapped: false, Now), AlreadyThere, AlreadyThere);

        Assert.Equal([SwitchState.LookingAtTable, SwitchState.RecordingIntent, SwitchState.Switching, SwitchState.AmendingFailure,
            SwitchState.RecordingAsSwitched, SwitchState.Done], states);
        Assert.EndsWith("; DynamoDB refused the indexes' ceilings in the switch request: the table is capped, its indexes are not", end.Response.Reason, StringComparison.Ordinal);
        Assert.Equal(ThrottleMetrics.TablesSwitched, end.Response.CountsAs);
        Assert.Equal(Now, start.Next(Provisioned).Next(Written).Next(new SwitchWentThrough(false, Now)).AsSwitchedAt);

        // An amendment carries the record of the switch as it happened: nothing follows it.
        var (amendedStates, _) = Walk(start, Provisioned, Written, new SwitchWentThrough(IndexesCapped: false, Now), Written);
        Assert.Equal(SwitchState.Done, amendedStates[^1]);
        Assert.DoesNotContain(SwitchState.RecordingAsSwitched, amendedStates);
    }

    [Fact]
    public void The_indexes_are_capped_only_when_there_is_a_ceiling_and_an_index()
    {
        Assert.True(Start(hasCeiling: true).Next(Provisioned).CapIndexes);
        Assert.False(Start(hasCeiling: false).Next(Provisioned).CapIndexes);
        Assert.False(Start(hasCeiling: true).Next(new TableSeen(Table(TableState.Provisioned, withIndex: false), false)).CapIndexes);
        // Capped as asked: no record of the switch as it happened.
        Assert.Null(Start(hasCeiling: true).Next(Provisioned).Next(Written).Next(new SwitchWentThrough(true, Now)).AsSwitchedAt);
    }

    [Fact]
    public void A_table_tagged_to_be_left_alone_is_refused_and_counted_by_the_delivery_that_recorded_it()
    {
        var optedOut = new TableSeen(Table(TableState.Provisioned), OptedOut: true);
        var (states, end) = Walk(Start(), optedOut, Written);

        Assert.Equal([SwitchState.LookingAtTable, SwitchState.RecordingRefusal, SwitchState.Done], states);
        Assert.Equal((ThrottleOutcome.Refused, ThrottleMetrics.SwitchesRefused), (end.Response.Outcome, end.Response.CountsAs));
        Assert.Null(Walk(Start(), optedOut, AlreadyThere).End.Response.CountsAs);
    }

    [Theory]
    [InlineData(UpdateLimit.DailySwitches, ThrottleOutcome.Refused, ThrottleMetrics.SwitchesRefused, "DynamoDB allows 4 switches to on-demand per rolling 24 hours")]
    [InlineData(UpdateLimit.TooManyOperations, ThrottleOutcome.Failed, ThrottleMetrics.SwitchesFailed, "UpdateTable failed: LimitExceededException (HTTP 400), too many table operations")]
    [InlineData(UpdateLimit.Unclear, ThrottleOutcome.Failed, ThrottleMetrics.SwitchesFailed, "DynamoDB refused the switch with LimitExceededException \"Limit\"")]
    [InlineData(null, ThrottleOutcome.Failed, ThrottleMetrics.SwitchesFailed, "UpdateTable failed: LimitExceededException (HTTP 400)")]
    public void A_switch_DynamoDB_refuses_is_recorded_once_as_failed_and_counted_by_its_cause(object? limitValue, object outcomeValue, string metric, string reason)
    {
        var (limit, outcome) = ((UpdateLimit?)limitValue, (ThrottleOutcome)outcomeValue);
        var refused = new SwitchRefused(limit, "Limit", "LimitExceededException (HTTP 400)");
        var (states, end) = Walk(Start(), Provisioned, Written, refused, Written);

        Assert.Equal([SwitchState.LookingAtTable, SwitchState.RecordingIntent, SwitchState.Switching, SwitchState.RecordingRefusedSwitch, SwitchState.Done], states);
        Assert.Equal((outcome, metric), (end.Response.Outcome, end.Response.CountsAs));
        Assert.StartsWith(reason, end.Response.Reason, StringComparison.Ordinal);
        Assert.Null(Walk(Start(), Provisioned, Written, refused, AlreadyThere).End.Response.CountsAs);
    }

    [Fact]
    public void A_refused_switch_whose_record_fails_is_failed_and_not_recorded_again()
    {
        var (states, end) = Walk(Start(), Provisioned, Written, new SwitchRefused(null, "m", "e"), new CallFailed(false, "AccessDeniedException (HTTP 400)"));

        Assert.Equal(SwitchState.Done, states[^1]);
        Assert.DoesNotContain(SwitchState.RecordingFailure, states);
        Assert.Equal((ThrottleOutcome.Failed, "AccessDeniedException (HTTP 400)", null), (end.Response.Outcome, end.Response.Reason, end.Response.CountsAs));
        Assert.NotNull(end.Response.Capacity); // what the response showed before stays
    }

    [Theory]
    [InlineData(TableState.Provisioned, "UPDATING", "the table is UPDATING for longer than this invocation could wait; Lambda's retry tries again")]
    [InlineData(TableState.Provisioned, "DELETING", "the table is DELETING, it cannot be switched")]
    public void A_table_not_in_a_state_to_switch_is_recorded_as_the_alarms_failed_switch(string billing, string status, string reason)
    {
        var (states, end) = Walk(Start(), new TableSeen(Table(billing, status), false), Written);

        Assert.Equal([SwitchState.LookingAtTable, SwitchState.RecordingFailure, SwitchState.Done], states);
        Assert.Equal((ThrottleOutcome.Failed, reason, ThrottleMetrics.SwitchesFailed), (end.Response.Outcome, end.Response.Reason, end.Response.CountsAs));
        Assert.Null(Walk(Start(), new TableSeen(Table(billing, status), false), AlreadyThere).End.Response.CountsAs);
    }

    [Theory]
    [InlineData(nameof(SwitchState.LookingAtTable))]
    [InlineData(nameof(SwitchState.RecordingIntent))]
    [InlineData(nameof(SwitchState.Switching))]
    [InlineData(nameof(SwitchState.AmendingFailure))]
    [InlineData(nameof(SwitchState.RecordingAsSwitched))]
    [InlineData(nameof(SwitchState.RecordingRefusal))]
    public void A_call_that_fails_on_the_way_fails_the_table_and_records_the_alarms_failed_switch(string failing)
    {
        var progress = Start() with { State = Enum.Parse<SwitchState>(failing), Response = Start().Response with { Outcome = ThrottleOutcome.Switched, Reason = "so far" } };

        var failed = progress.Next(new CallFailed(false, "the invocation's time budget ran out"));
        Assert.Equal((SwitchState.RecordingFailure, ThrottleOutcome.Failed, "the invocation's time budget ran out"),
            (failed.State, failed.Response.Outcome, failed.Response.Reason));

        var missing = progress.Next(new CallFailed(TableMissing: true, "ResourceNotFoundException (HTTP 400)"));
        Assert.Equal("table maip-dev-quotes does not exist", missing.Response.Reason);
        Assert.Equal(ThrottleMetrics.SwitchesFailed, missing.Next(Written).Response.CountsAs);
    }

    [Fact]
    public void A_failure_the_audit_table_cannot_take_is_said_and_not_counted()
    {
        var (states, end) = Walk(Start(), new TableSeen(Table(TableState.Provisioned, "DELETING"), false), new CallFailed(TableMissing: true, "ResourceNotFoundException (HTTP 400)"));

        Assert.Equal([SwitchState.LookingAtTable, SwitchState.RecordingFailure, SwitchState.Done], states);
        Assert.Equal((ThrottleOutcome.Failed, null), (end.Response.Outcome, end.Response.CountsAs));
        Assert.Equal($"the table is DELETING, it cannot be switched; not recorded in {Audit} either (ResourceNotFoundException (HTTP 400)), so not counted", end.Response.Reason);
    }

    [Fact]
    public void An_answer_that_is_not_the_states_call_is_refused()
    {
        Assert.Throws<InvalidOperationException>(() => Start().Next(Written));
        Assert.Throws<InvalidOperationException>(() => Start().Next(Provisioned).Next(new SwitchedMeanwhile()));
        Assert.Throws<InvalidOperationException>(() => Walk(Start(dryRun: true), Provisioned, Written).End.Next(Written));
    }
}
