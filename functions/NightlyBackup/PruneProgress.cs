namespace Functions.NightlyBackup;

/// <summary>
/// How a table's deletes are going: done until one is in use (the latest says why) or fails; a
/// failure is the last word.
/// </summary>
internal sealed record PruneProgress(PruneOutcome Outcome, string? Reason)
{
    public static PruneProgress Done { get; } = new(PruneOutcome.Done, null);

    public PruneProgress After(PruneOutcome outcome, string reason) => Outcome == PruneOutcome.Failed ? this : new(outcome, reason);
}
