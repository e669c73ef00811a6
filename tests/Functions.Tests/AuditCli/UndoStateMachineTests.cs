using Functions.AuditCli;
using Functions.Common.Tables;
using static Functions.AuditCli.UndoAnswer;
using AttributeValue = Functions.Events.DynamoDBEvent.AttributeValue;

namespace Functions.Tests;

/// <summary>
/// The audit tool's undo as a state machine, without AWS: from the plan, each write, the answer
/// DynamoDB gives it, the next state, and at the end the exit code and the message.
/// </summary>
public class UndoStateMachineTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 9, 30, 0, TimeSpan.Zero);
    private static readonly EntityRef Order = EntityRef.Resolve("order", "order-123", new TablePrefix("maip-dev-"));

    private const string Paid = """ "status":{"S":"PAID"},"total":{"N":"10"},"updatedBy":{"S":"payments"} """;
    private const string Broken = """ "status":{"S":"CANCELLED"},"total":{"N":"0"},"updatedBy":{"S":"ops"} """;

    private static Dictionary<string, AttributeValue> Item(string json) => TestRecords.Order(json);

    private static AuditChange Change(string eventName, int sequence, string newImage, string? oldImage = null) => new()
    {
        Timestamp = $"2026-01-16T12:00:00.000Z#{sequence.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(40, '0')}",
        EventName = eventName,
        ChangeTime = "2026-01-16T12:00:00.000Z",
        SourceTable = "maip-dev-orders",
        StreamViewType = "NEW_AND_OLD_IMAGES",
        Keys = TestRecords.OrderKeys(),
        NewImage = TestRecords.Order(newImage),
        OldImage = oldImage is null ? null : TestRecords.Order(oldImage),
    };

    private static readonly EntityHistory BadEdit = new(Order, [Change("INSERT", 1, Paid), Change("MODIFY", 2, Broken, Paid)]);

    /// <summary>Back to right after the payment: a put-back.</summary>
    private static UndoPlan PutBack() => UndoPlanner.Plan(BadEdit, AuditTime.Parse("2026-01-16T12:00:00.000Z#1", Now), Item(Broken), "updatedBy", "alice");

    /// <summary>Back to before the order existed: a delete.</summary>
    private static UndoPlan Delete() => UndoPlanner.Plan(BadEdit, AuditTime.Parse("2026-01-16T11:00:00Z", Now), Item(Broken), "updatedBy", "alice");

    private static UndoProgress Start(UndoPlan plan, bool dryRun = false) => UndoProgress.Start(plan, Order.AuditKey, "updatedBy", "alice", dryRun);

    private static (List<UndoState> States, UndoProgress End) Walk(UndoProgress start, params UndoAnswer[] answers)
        => StateWalk.Walk(start, p => p.State, (p, answer) => p.Next(answer), answers);

    private static Written WrittenReturning(Dictionary<string, AttributeValue> item) => new(item);

    private static Dictionary<string, AttributeValue> With(Dictionary<string, AttributeValue> item, string name, string value)
        => new(item, StringComparer.Ordinal) { [name] = AttributeValue.FromS(value) };

    private static readonly Dictionary<string, AttributeValue> Marked = With(Item(Broken), "updatedBy", "alice");

    [Fact]
    public void The_plan_leads_to_nothing_to_do_a_dry_run_the_put_back_or_the_delete_s_actor_mark()
    {
        var nothing = UndoPlanner.Plan(BadEdit, AuditTime.Parse("2026-01-16T12:00:00.000Z#2", Now), Item(Broken), "updatedBy", "alice");
        Assert.Equal((UndoState.NothingToDo, ExitCodes.Ok), (Start(nothing).State, Start(nothing).Outcome.ExitCode));
        Assert.Equal(UndoState.NothingToDo, Start(nothing, dryRun: true).State); // nothing to show either

        var dryRun = Start(PutBack(), dryRun: true);
        Assert.True(dryRun.IsFinished);
        Assert.Equal(new UndoOutcome(ExitCodes.Ok, "Dry run: nothing written."), dryRun.Outcome);
        Assert.Equal(UndoState.DryRun, Start(Delete(), dryRun: true).State);

        Assert.Equal(UndoState.PuttingBack, Start(PutBack()).State);
        Assert.Equal(UndoState.MarkingActor, Start(Delete()).State);
        Assert.Throws<InvalidOperationException>(() => Start(PutBack()).Outcome); // not over yet
    }

    [Fact]
    public void A_put_back_that_goes_through_is_done()
    {
        var (states, end) = Walk(Start(PutBack()), WrittenReturning(Item(Broken)));

        Assert.Equal([UndoState.PuttingBack, UndoState.Done], states);
        Assert.Equal(new UndoOutcome(ExitCodes.Ok, "Put back: order#order-123 is as it was, with updatedBy = alice."), end.Outcome);
    }

    [Fact]
    public void A_put_back_that_kept_an_attribute_a_racing_write_added_is_partly_done()
    {
        var (_, end) = Walk(Start(PutBack()), WrittenReturning(With(Item(Broken), "note", "call the customer")));

        Assert.Equal(UndoState.PartlyDone, end.State);
        Assert.Equal(ExitCodes.PartlyDone, end.Outcome.ExitCode);
        Assert.Equal("Put back, but a change came in between and added note, which the undo kept (it never overwrites what it has not seen).", end.Outcome.Message);
    }

    [Fact]
    public void A_first_write_whose_condition_fails_raced_a_change_and_wrote_nothing()
    {
        var changed = Walk(Start(PutBack()), new ConditionFailed(With(Item(Broken), "status", "ON_HOLD"))).End;
        Assert.Equal(new UndoOutcome(ExitCodes.Conflict, "order#order-123 changed between the undo's read and its write (it changed in status): nothing written."), changed.Outcome);

        var deleted = Walk(Start(PutBack()), new ConditionFailed(new Dictionary<string, AttributeValue>())).End;
        Assert.EndsWith("(it was deleted): nothing written.", deleted.Outcome.Message, StringComparison.Ordinal);
        var untold = Walk(Start(PutBack()), new ConditionFailed(null)).End;
        Assert.EndsWith("its write: nothing written.", untold.Outcome.Message, StringComparison.Ordinal);

        var mark = Walk(Start(Delete()), new ConditionFailed(With(Item(Broken), "status", "REOPENED"))).End;
        Assert.Equal((UndoState.Raced, ExitCodes.Conflict), (mark.State, mark.Outcome.ExitCode));
        Assert.EndsWith("(it changed in status): nothing written.", mark.Outcome.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_lost_answer_to_the_put_back_is_settled_by_reading_the_item_back()
    {
        var lost = new AnswerLost("HttpRequestException: connection reset");

        var (states, landed) = Walk(Start(PutBack()), lost, new ReadBack(PutBack().Write));
        Assert.Equal([UndoState.PuttingBack, UndoState.ReadingBackPutBack, UndoState.Done], states);
        Assert.Equal(new UndoOutcome(ExitCodes.Ok, "Put back (the write's answer was lost; read back, order#order-123 is as the undo wrote it)."), landed.Outcome);

        var notLanded = Walk(Start(PutBack()), lost, new ReadBack(Item(Broken))).End;
        Assert.Equal(new UndoOutcome(ExitCodes.Failed,
            "The write's answer was lost (HttpRequestException: connection reset) and order#order-123 is not as the undo would write it; look at `history`."), notLanded.Outcome);
        Assert.Equal(UndoState.Failed, Walk(Start(PutBack()), lost, new ReadBack(null)).End.State);
    }

    [Fact]
    public void A_delete_marks_the_actor_then_deletes_the_marked_item()
    {
        var (states, end) = Walk(Start(Delete()), WrittenReturning(Marked), WrittenReturning(Marked));

        Assert.Equal([UndoState.MarkingActor, UndoState.Deleting, UndoState.Done], states);
        Assert.Equal(new UndoOutcome(ExitCodes.Ok,
            "Deleted: order#order-123 did not exist then; updatedBy = alice was written first, so the audit trail names who removed it."), end.Outcome);
        Assert.Same(Marked, Start(Delete()).Next(WrittenReturning(Marked)).Marked); // what the delete is conditional on
    }

    [Fact]
    public void An_attribute_added_before_the_mark_stops_the_delete_with_the_mark_written()
    {
        var (states, end) = Walk(Start(Delete()), WrittenReturning(With(Marked, "note", "call the customer")));

        Assert.Equal([UndoState.MarkingActor, UndoState.PartlyDone], states);
        Assert.Equal(new UndoOutcome(ExitCodes.PartlyDone,
            "Not deleted: a change came in between and added note. order#order-123 keeps it, with updatedBy = alice written."), end.Outcome);
    }

    [Fact]
    public void The_actor_attribute_the_mark_itself_adds_is_not_a_change_that_came_in()
    {
        var plan = Delete() with { Expected = Item(""" "status":{"S":"CANCELLED"},"total":{"N":"0"} """) };

        Assert.Equal(UndoState.Deleting, Start(plan).Next(WrittenReturning(Marked)).State);
    }

    [Fact]
    public void A_change_between_the_mark_and_the_delete_leaves_the_mark_written()
    {
        var (states, end) = Walk(Start(Delete()), WrittenReturning(Marked), new ConditionFailed(With(Marked, "status", "REOPENED")));

        Assert.Equal([UndoState.MarkingActor, UndoState.Deleting, UndoState.PartlyDone], states);
        Assert.Equal(new UndoOutcome(ExitCodes.PartlyDone,
            "order#order-123 changed between the undo's read and its write (it changed in status): not deleted, and it keeps updatedBy = alice."), end.Outcome);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_lost_answer_to_the_mark_or_the_delete_sends_the_operator_to_the_history(bool afterTheMark)
    {
        var start = afterTheMark ? Start(Delete()).Next(WrittenReturning(Marked)) : Start(Delete());

        var end = start.Next(new AnswerLost("TimeoutException: timed out"));

        Assert.Equal(new UndoOutcome(ExitCodes.Failed,
            "The answer to a write of the undo was lost (TimeoutException: timed out): look at `history` of order#order-123 before trying again."), end.Outcome);
    }

    [Fact]
    public void What_the_delete_removed_unseen_is_written_back_as_the_change_left_it()
    {
        var removed = With(Marked, "note", "call the customer");
        const string WrittenBack = "Not deleted: a change added note between the actor mark and the delete, which the delete's condition cannot see; " +
                                   "order#order-123 was written back as that change left it (with updatedBy = alice), so the audit trail shows a REMOVE and an INSERT.";

        var (states, end) = Walk(Start(Delete()), WrittenReturning(Marked), WrittenReturning(removed), WrittenReturning([]));
        Assert.Equal([UndoState.MarkingActor, UndoState.Deleting, UndoState.WritingBack, UndoState.PartlyDone], states);
        Assert.Equal(new UndoOutcome(ExitCodes.PartlyDone, WrittenBack), end.Outcome);
        Assert.Equal(["note"], Start(Delete()).Next(WrittenReturning(Marked)).Next(WrittenReturning(removed)).Unseen);

        var lost = new AnswerLost("IOException: reset");
        var (readStates, readBack) = Walk(Start(Delete()), WrittenReturning(Marked), WrittenReturning(removed), lost, new ReadBack(removed));
        Assert.Equal(UndoState.ReadingBackWriteBack, readStates[^2]);
        Assert.Equal(new UndoOutcome(ExitCodes.PartlyDone, WrittenBack), readBack.Outcome);
    }

    [Fact]
    public void What_the_delete_removed_and_could_not_write_back_is_named_with_its_values()
    {
        var removed = With(Marked, "note", "call the customer");

        var madeSince = Walk(Start(Delete()), WrittenReturning(Marked), WrittenReturning(removed), new ConditionFailed(Item(Paid))).End;
        Assert.Equal(new UndoOutcome(ExitCodes.Failed,
            "The delete removed note, which a change had added between the actor mark and the delete, and order#order-123 could not be written back: " +
            "an item was made there since, and it stands. What it removed: note = \"call the customer\"; the audit trail's REMOVE record holds the whole item."),
            madeSince.Outcome);

        var lostAndNotThere = Walk(Start(Delete()), WrittenReturning(Marked), WrittenReturning(removed), new AnswerLost("IOException: reset"), new ReadBack(null)).End;
        Assert.Equal(ExitCodes.Failed, lostAndNotThere.Outcome.ExitCode);
        Assert.Contains("and the answer to writing it back was lost (IOException: reset) and order#order-123 is not as it was. What it removed: note = \"call the customer\"",
            lostAndNotThere.Outcome.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_answer_that_is_not_the_states_call_is_refused()
    {
        Assert.Throws<InvalidOperationException>(() => Start(PutBack()).Next(new ReadBack(null)));
        Assert.Throws<InvalidOperationException>(() => Start(Delete()).Next(WrittenReturning(Marked)).Next(new ReadBack(null)));
        Assert.Throws<InvalidOperationException>(() => Start(PutBack(), dryRun: true).Next(WrittenReturning([])));
        Assert.Throws<InvalidOperationException>(() => Walk(Start(PutBack()), WrittenReturning([])).End.Next(WrittenReturning([])));
    }
}
