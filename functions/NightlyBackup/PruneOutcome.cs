namespace Functions.NightlyBackup;

/// <summary>What pruning a table's old backups (and deleting second copies of a night's backup) came to, apart from the backup.</summary>
[JsonConverter(typeof(WireEnumConverter<PruneOutcome>))]
public enum PruneOutcome
{
    Done,
    /// <summary>A backup to delete was in use (a restore from it runs): kept for the next run, not an error.</summary>
    InUse,
    /// <summary>A delete failed: the backup of the night stands, the run ends in an error.</summary>
    Failed,
}

/// <summary>
/// How a table's deletes are going: done until one is in use (the latest says why) or fails; a
/// failure is the last word.
/// </summary>
internal sealed record PruneProgress(PruneOutcome Outcome, string? Reason)
{
    public static PruneProgress Done { get; } = new(PruneOutcome.Done, null);

    public PruneProgress After(PruneOutcome outcome, string reason) => Outcome == PruneOutcome.Failed ? this : new(outcome, reason);
}
