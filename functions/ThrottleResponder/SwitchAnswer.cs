namespace Functions.ThrottleResponder;

/// <summary>What DynamoDB answered the call of a <see cref="SwitchState"/>.</summary>
internal abstract record SwitchAnswer
{
    /// <summary>The table as it settled, and whether it is tagged to be left alone.</summary>
    internal sealed record TableSeen(TableState Table, bool OptedOut) : SwitchAnswer;

    /// <summary>An audit record: <c>Written</c> false when it was there already (another delivery or try wrote it) or nothing was to amend.</summary>
    internal sealed record Recorded(bool Written) : SwitchAnswer;

    /// <summary>UpdateTable went through, without the indexes' ceilings when <c>IndexesCapped</c> is false; <c>At</c>: when it answered.</summary>
    internal sealed record SwitchWentThrough(bool IndexesCapped, DateTimeOffset At) : SwitchAnswer;

    /// <summary>The table became on-demand while UpdateTable waited: another delivery of the alarm switched it.</summary>
    internal sealed record SwitchedMeanwhile : SwitchAnswer;

    /// <summary>UpdateTable refused: the limit a LimitExceededException names (null for any other error), its message and the error as the log says it.</summary>
    internal sealed record SwitchRefused(UpdateLimit? Limit, string Message, string Error) : SwitchAnswer;

    /// <summary>The call failed (the time budget ran out, an error); <c>TableMissing</c> for ResourceNotFoundException.</summary>
    internal sealed record CallFailed(bool TableMissing, string Error) : SwitchAnswer;
}
