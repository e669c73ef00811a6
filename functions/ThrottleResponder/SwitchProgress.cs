using static Functions.ThrottleResponder.SwitchAnswer;

namespace Functions.ThrottleResponder;

/// <summary>
/// One throttled table's switch, as a state machine without AWS: the state, the response so far,
/// and what the calls still to make need to know. <see cref="Next"/> holds every transition and
/// what each one records and counts (<see cref="TableResponse.CountsAs"/>: only a record this
/// invocation wrote counts); TableSwitcher makes the calls.
/// </summary>
internal sealed record SwitchProgress
{
    public const string NoLongerFailed =
        "the table is on-demand after all (the attempt took effect, or another delivery switched it): the failure recorded for this alarm does not stand";

    public required SwitchState State { get; init; }
    /// <summary>What the response says if the switch ends here.</summary>
    public required TableResponse Response { get; init; }
    public required bool DryRun { get; init; }
    /// <summary>A recorded failure can be amended: a real run, for an alarm whose state change has a time (the records' key).</summary>
    public required bool CanAmend { get; init; }
    /// <summary>The switch sets an on-demand ceiling (MaxRead/WriteRequestUnits): the indexes are to get it too.</summary>
    public required bool HasCeiling { get; init; }
    /// <summary>The audit table, named when a failure could not be recorded there.</summary>
    public required string AuditTable { get; init; }

    /// <summary>The table as it settled (from <see cref="SwitchState.LookingAtTable"/> on).</summary>
    public TableState? Table { get; init; }
    /// <summary>Why the table is switched (ThrottlePolicy.Decide), which the outcome's reason starts from.</summary>
    public string? Decision { get; init; }
    /// <summary>The switch request caps the indexes too.</summary>
    public bool CapIndexes { get; init; }
    /// <summary>This invocation wrote the record of the intended switch: the alarm's first attempt, which counts the switch.</summary>
    public bool FirstAttempt { get; init; }
    /// <summary>What an amendment of a recorded failure adds to the reason.</summary>
    public string? AmendNote { get; init; }
    /// <summary>Set when the switch went without the indexes' ceilings: the time of the record of the switch as it happened.</summary>
    public DateTimeOffset? AsSwitchedAt { get; init; }
    /// <summary>The switch counts (TablesSwitched) even if no amendment is written.</summary>
    public bool CountsUnamended { get; init; }

    /// <param name="response">The alarm's and the table's, failed until the switch says otherwise.</param>
    public static SwitchProgress Start(TableResponse response, bool dryRun, bool alarmHasTime, bool hasCeiling, string auditTable) => new()
    {
        State = SwitchState.LookingAtTable,
        Response = response,
        DryRun = dryRun,
        CanAmend = !dryRun && alarmHasTime,
        HasCeiling = hasCeiling,
        AuditTable = auditTable,
    };

    public SwitchProgress Next(SwitchAnswer answer) => (State, answer) switch
    {
        (SwitchState.Done, _) => throw new InvalidOperationException("The switch is done: no call is answered."),
        (_, CallFailed failed) => AfterFailedCall(failed),
        (SwitchState.LookingAtTable, TableSeen seen) => Decide(seen),
        (SwitchState.RecordingIntent, Recorded intent) => DryRun
            ? Finish(ThrottleOutcome.WouldSwitch, $"dry run: {Decision}; would switch to on-demand")
            : this with { State = SwitchState.Switching, FirstAttempt = intent.Written },
        (SwitchState.Switching, SwitchWentThrough through) => AfterSwitch(through),
        // The delivery whose UpdateTable went through does not count a switch whose record it did
        // not write: the one that wrote it counts it here.
        (SwitchState.Switching, SwitchedMeanwhile) => Amend(
            Response with { Outcome = ThrottleOutcome.AlreadyOnDemand, Reason = "switched meanwhile by another delivery of the alarm: nothing to do" },
            NoLongerFailed, countsUnamended: FirstAttempt),
        (SwitchState.Switching, SwitchRefused refused) => Refused(refused),
        (SwitchState.AmendingFailure, Recorded amended) => AfterAmending(amended.Written),
        (SwitchState.RecordingAsSwitched, Recorded) => Finish(CountsUnamended ? ThrottleMetrics.TablesSwitched : null),
        (SwitchState.RecordingRefusal, Recorded refusal) => Finish(refusal.Written ? ThrottleMetrics.SwitchesRefused : null),
        (SwitchState.RecordingRefusedSwitch, Recorded failure) => Finish(!failure.Written ? null
            : Response.Outcome == ThrottleOutcome.Refused ? ThrottleMetrics.SwitchesRefused : ThrottleMetrics.SwitchesFailed),
        (SwitchState.RecordingFailure, Recorded failure) => Finish(failure.Written ? ThrottleMetrics.SwitchesFailed : null),
        _ => throw new InvalidOperationException($"{answer} does not answer the call of {State}."),
    };

    private SwitchProgress Decide(TableSeen seen)
    {
        var (step, reason) = ThrottlePolicy.Decide(seen.Table, seen.OptedOut);
        var looked = this with { Table = seen.Table, Decision = reason };
        return step switch
        {
            SwitchStep.Refuse => looked.Goes(SwitchState.RecordingRefusal, Response with { Outcome = ThrottleOutcome.Refused, Reason = reason }),
            // The failure recorded for this alarm did not stand: the switch counts now.
            SwitchStep.AlreadyOnDemand => looked.Amend(Response with { Outcome = ThrottleOutcome.AlreadyOnDemand, Reason = reason }, NoLongerFailed, countsUnamended: false),
            SwitchStep.Wait => looked.Goes(SwitchState.RecordingFailure,
                Response with { Reason = $"{reason} for longer than this invocation could wait; Lambda's retry tries again" }),
            SwitchStep.Fail => looked.Goes(SwitchState.RecordingFailure, Response with { Reason = reason }),
            _ => looked.Goes(SwitchState.RecordingIntent, Response with
            {
                Reason = reason,
                Capacity = TableCapacityView.From(seen.Table.Read, seen.Table.Write, seen.Table.Indexes),
            }) with { CapIndexes = HasCeiling && seen.Table.Indexes.Count > 0 },
        };
    }

    private SwitchProgress AfterSwitch(SwitchWentThrough through)
    {
        // The intent's record says the indexes are capped: when DynamoDB took the switch without
        // that, a record of the switch as it happened follows (in the amendment, or on its own).
        var withoutIndexCeilings = CapIndexes && !through.IndexesCapped;
        var switched = Response with
        {
            Outcome = ThrottleOutcome.Switched,
            Reason = $"{Decision}: switched to on-demand"
                     + (withoutIndexCeilings ? "; DynamoDB refused the indexes' ceilings in the switch request: the table is capped, its indexes are not" : ""),
        };
        // Not counted by a delivery that found the table provisioned just before another
        // delivery's switch and whose own UpdateTable went through on the switched table.
        return (this with { AsSwitchedAt = withoutIndexCeilings ? through.At : null }).Amend(switched,
            FirstAttempt ? "switched after the failure recorded for this alarm" : "switched on a retry, after the failure recorded for this alarm",
            countsUnamended: FirstAttempt);
    }

    private SwitchProgress Refused(SwitchRefused refused)
    {
        var (outcome, reason) = refused.Limit switch
        {
            UpdateLimit.DailySwitches => (ThrottleOutcome.Refused, ThrottlePolicy.LimitReached(Table!)),
            UpdateLimit.Unclear => (ThrottleOutcome.Failed, ThrottlePolicy.UnclearLimit(refused.Message)),
            UpdateLimit.TooManyOperations => (ThrottleOutcome.Failed, $"UpdateTable failed: {refused.Error}, too many table operations " +
                                                                      "in the account at once for longer than this invocation could wait; Lambda's retry tries again"),
            _ => (ThrottleOutcome.Failed, $"UpdateTable failed: {refused.Error}"),
        };
        return Goes(SwitchState.RecordingRefusedSwitch, Response with { Outcome = outcome, Reason = reason });
    }

    // A failure recorded for this alarm (an earlier attempt's, or this one's before the table
    // settled) is amended when the table is on-demand after all; a dry run amends nothing.
    private SwitchProgress Amend(TableResponse response, string note, bool countsUnamended)
    {
        var amending = this with { State = SwitchState.AmendingFailure, Response = response, AmendNote = note, CountsUnamended = countsUnamended };
        return CanAmend ? amending : amending.AfterAmending(written: false);
    }

    private SwitchProgress AfterAmending(bool written)
    {
        var amended = written ? this with { Response = Response with { Reason = $"{Response.Reason}; {AmendNote}" } } : this;
        if (!written && AsSwitchedAt is not null) return amended with { State = SwitchState.RecordingAsSwitched };
        return amended.Finish(written || CountsUnamended ? ThrottleMetrics.TablesSwitched : null);
    }

    private SwitchProgress AfterFailedCall(CallFailed failed) => State switch
    {
        // A failure the audit table cannot take is not counted; the invocation's error still is.
        SwitchState.RecordingFailure => Goes(SwitchState.Done,
            Response with { Reason = $"{Response.Reason}; not recorded in {AuditTable} either ({failed.Error}), so not counted" }),
        // The failure is the refused switch's, already said: it is not recorded a second time.
        SwitchState.RecordingRefusedSwitch => Finish(ThrottleOutcome.Failed, WhyFailed(failed)),
        _ => Goes(SwitchState.RecordingFailure, Response with { Outcome = ThrottleOutcome.Failed, Reason = WhyFailed(failed) }),
    };

    private string WhyFailed(CallFailed failed) => failed.TableMissing ? $"table {Response.Table} does not exist" : failed.Error;

    private SwitchProgress Goes(SwitchState state, TableResponse response) => this with { State = state, Response = response };

    private SwitchProgress Finish(ThrottleOutcome outcome, string reason) => Goes(SwitchState.Done, Response with { Outcome = outcome, Reason = reason });

    private SwitchProgress Finish(string? countsAs) => Goes(SwitchState.Done, Response with { CountsAs = countsAs });
}
