using Functions.Common.DynamoDb;
using static Functions.AuditCli.UndoAnswer;
using StreamValue = Functions.Events.DynamoDBEvent.AttributeValue;

namespace Functions.AuditCli;

/// <summary>
/// An undo's protocol as a state machine, without AWS: the state, what the next write is
/// conditional on, and at an end the exit code and the one line for the operator.
/// <see cref="Next"/> holds every transition; AuditStore makes the calls.
/// </summary>
internal sealed record UndoProgress
{
    public required UndoState State { get; init; }
    public required UndoPlan Plan { get; init; }
    /// <summary>The entity as messages name it (order#order-1).</summary>
    public required string Entity { get; init; }
    public required string ActorAttribute { get; init; }
    public required string Actor { get; init; }
    /// <summary>At an end: what the operator reads.</summary>
    public string? Message { get; init; }
    /// <summary>The item the mark left, which the delete is conditional on.</summary>
    public IReadOnlyDictionary<string, StreamValue>? Marked { get; init; }
    /// <summary>The item the delete removed, with attributes it had not seen: what the write-back puts.</summary>
    public IReadOnlyDictionary<string, StreamValue>? Deleted { get; init; }
    /// <summary>The attributes the delete removed unseen.</summary>
    public IReadOnlyList<string> Unseen { get; init; } = [];
    /// <summary>Why a write's answer was lost, for the read-back's verdict.</summary>
    public string? LostAnswer { get; init; }

    private string ActorMark => $"{ActorAttribute} = {Actor}";

    public bool IsFinished => State is UndoState.NothingToDo or UndoState.DryRun or UndoState.Done or UndoState.Raced or UndoState.PartlyDone or UndoState.Failed;

    /// <summary>At an end, what a script reads: the exit code and the message.</summary>
    public UndoOutcome Outcome => new(State switch
    {
        UndoState.NothingToDo or UndoState.DryRun or UndoState.Done => ExitCodes.Ok,
        UndoState.Raced => ExitCodes.Conflict,
        UndoState.PartlyDone => ExitCodes.PartlyDone,
        UndoState.Failed => ExitCodes.Failed,
        _ => throw new InvalidOperationException($"The undo is not over: it is {State}."),
    }, Message!);

    /// <summary>Where the plan leads: nothing to write, a dry run, the put-back, or the delete's actor mark.</summary>
    public static UndoProgress Start(UndoPlan plan, string entity, string actorAttribute, string actor, bool dryRun)
    {
        var (state, message) = plan.Action switch
        {
            UndoAction.Nothing => (UndoState.NothingToDo, plan.Summary),
            _ when dryRun => (UndoState.DryRun, "Dry run: nothing written."),
            UndoAction.PutBack => (UndoState.PuttingBack, null),
            _ => (UndoState.MarkingActor, (string?)null),
        };
        return new UndoProgress { State = state, Message = message, Plan = plan, Entity = entity, ActorAttribute = actorAttribute, Actor = actor };
    }

    public UndoProgress Next(UndoAnswer answer) => (State, answer) switch
    {
        (UndoState.PuttingBack, Written written) => AddedNames(written.Item, Plan.Expected) is { Count: > 0 } added
            ? End(UndoState.PartlyDone,
                $"Put back, but a change came in between and added {string.Join(", ", added)}, which the undo kept (it never overwrites what it has not seen).")
            : End(UndoState.Done, $"Put back: {Entity} is as it was, with {ActorMark}."),
        (UndoState.PuttingBack, ConditionFailed failed) => End(UndoState.Raced, Raced(Plan.Expected, failed, "nothing written")),
        (UndoState.PuttingBack, AnswerLost lost) => this with { State = UndoState.ReadingBackPutBack, LostAnswer = lost.Error },
        (UndoState.ReadingBackPutBack, ReadBack read) => read.Item is not null && AttributeValueEquality.MapEquals(read.Item, Plan.Write!)
            ? End(UndoState.Done, $"Put back (the write's answer was lost; read back, {Entity} is as the undo wrote it).")
            : End(UndoState.Failed, $"The write's answer was lost ({LostAnswer}) and {Entity} is not as the undo would write it; look at `history`."),

        (UndoState.MarkingActor, Written marked) => AddedNames(marked.Item, Plan.Expected).Where(n => n != ActorAttribute).ToList() is { Count: > 0 } added
            ? End(UndoState.PartlyDone, $"Not deleted: a change came in between and added {string.Join(", ", added)}. {Entity} keeps it, with {ActorMark} written.")
            : this with { State = UndoState.Deleting, Marked = marked.Item },
        (UndoState.MarkingActor, ConditionFailed failed) => End(UndoState.Raced, Raced(Plan.Expected, failed, "nothing written")),
        (UndoState.MarkingActor or UndoState.Deleting, AnswerLost lost) => End(UndoState.Failed,
            $"The answer to a write of the undo was lost ({lost.Error}): look at `history` of {Entity} before trying again."),

        (UndoState.Deleting, Written deleted) => AddedNames(deleted.Item, Marked) is { Count: > 0 } unseen
            ? this with { State = UndoState.WritingBack, Deleted = deleted.Item, Unseen = unseen }
            : End(UndoState.Done, $"Deleted: {Entity} did not exist then; {ActorMark} was written first, so the audit trail names who removed it."),
        // The mark is written: not exit 5, which says nothing was.
        (UndoState.Deleting, ConditionFailed failed) => End(UndoState.PartlyDone, Raced(Marked, failed, $"not deleted, and it keeps {ActorMark}")),

        (UndoState.WritingBack, Written) => WrittenBack(),
        (UndoState.WritingBack, ConditionFailed) => End(UndoState.Failed, Removed($"{Entity} could not be written back: an item was made there since, and it stands")),
        (UndoState.WritingBack, AnswerLost lost) => this with { State = UndoState.ReadingBackWriteBack, LostAnswer = lost.Error },
        (UndoState.ReadingBackWriteBack, ReadBack read) => read.Item is not null && AttributeValueEquality.MapEquals(read.Item, Deleted!)
            ? WrittenBack()
            : End(UndoState.Failed, Removed($"the answer to writing it back was lost ({LostAnswer}) and {Entity} is not as it was")),

        _ => throw new InvalidOperationException(IsFinished ? $"The undo is over ({State}): no call is answered." : $"{answer} does not answer the call of {State}."),
    };

    private UndoProgress End(UndoState state, string message) => this with { State = state, Message = message };

    private UndoProgress WrittenBack() => End(UndoState.PartlyDone,
        $"Not deleted: a change added {string.Join(", ", Unseen)} between the actor mark and the delete, which the delete's condition cannot see; " +
        $"{Entity} was written back as that change left it (with {ActorMark}), so the audit trail shows a REMOVE and an INSERT.");

    // What was lost when the removed item could not be put back, said whole.
    private string Removed(string why) =>
        $"The delete removed {string.Join(", ", Unseen)}, which a change had added between the actor mark and the delete, and {why}. What it removed: " +
        string.Join(", ", Unseen.Select(n => $"{n} = {ValueText.Format(Deleted![n])}")) + "; the audit trail's REMOVE record holds the whole item.";

    private string Raced(IReadOnlyDictionary<string, StreamValue>? expected, ConditionFailed failed, string result)
    {
        var what = failed.Found is null ? ""
            : failed.Found.Count == 0 ? " (it was deleted)"
            : $" (it changed in {string.Join(", ", ItemDiff.Between(expected, failed.Found).Select(c => c.Path))})";
        return $"{Entity} changed between the undo's read and its write{what}: {result}.";
    }

    private static List<string> AddedNames(IReadOnlyDictionary<string, StreamValue>? item, IReadOnlyDictionary<string, StreamValue>? expected)
        => (item?.Keys ?? []).Where(n => expected is null || !expected.ContainsKey(n)).Order(StringComparer.Ordinal).ToList();
}

/// <summary>What an undo came to: the exit code and one line for the operator.</summary>
internal sealed record UndoOutcome(int ExitCode, string Message);
