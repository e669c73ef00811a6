namespace Functions.AuditCli;

/// <summary>
/// Where an undo stands. It starts from the plan (<see cref="UndoProgress.Start"/>); each state
/// that writes or reads is one call to DynamoDB, whose answer <see cref="UndoProgress.Next"/>
/// turns into the next state; the ends say the exit code (<see cref="ExitCodes"/>).
/// </summary>
internal enum UndoState
{
    /// <summary>End: the item already is as it was (or was not there, and is not). Exit 0.</summary>
    NothingToDo,
    /// <summary>End: --dry-run, the plan shown and nothing written. Exit 0.</summary>
    DryRun,

    /// <summary>UpdateItem setting and removing what differs, conditional on the item the newest audit record has.</summary>
    PuttingBack,
    /// <summary>The put-back's answer was lost: GetItem tells whether it landed.</summary>
    ReadingBackPutBack,
    /// <summary>The delete's first write: the actor into the item, conditional on the audited image, so the trail names who removed it.</summary>
    MarkingActor,
    /// <summary>DeleteItem conditional on the marked image.</summary>
    Deleting,
    /// <summary>The delete removed attributes a change added after the mark, which its condition cannot see: PutItem of what it removed, where no item was made since.</summary>
    WritingBack,
    /// <summary>The write-back's answer was lost: GetItem tells whether it landed.</summary>
    ReadingBackWriteBack,

    /// <summary>End: written as planned. Exit 0.</summary>
    Done,
    /// <summary>End: a change came in before the first write, which failed: nothing written. Exit 5.</summary>
    Raced,
    /// <summary>End: written, but a change that came in between was kept: not as it was at the time asked. Exit 7.</summary>
    PartlyDone,
    /// <summary>End: an answer was lost, or what the delete removed could not be put back. Exit 1.</summary>
    Failed,
}
