namespace Functions.NightlyBackup;

/// <summary>The run's tables counted by what they came to.</summary>
/// <param name="Created">Backups this run made that are the night's (a copy of one made first is a duplicate, not counted).</param>
/// <param name="Kept">
/// Tables that have the night's backup after this run, whoever made it (created, or there
/// already): a state, so two runs of one night both say it and neither adds to the other.
/// </param>
/// <param name="InUse">Tables still in use after every try within the time budget: no backup tonight.</param>
internal sealed record BackupCounts(
    int Tables, int Created, int Kept, int Skipped, int Failed, int NotReached, int InUse,
    int DuplicatesDeleted, int Pruned, int PruneFailed)
{
    public static BackupCounts Of(IReadOnlyList<TableBackupResult> results) => new(
        Tables: results.Count,
        Created: results.Count(r => r.Created),
        Kept: results.Count(r => r.Outcome is BackupOutcome.Created or BackupOutcome.Exists),
        Skipped: results.Count(r => r.Outcome.IsSkipped()),
        Failed: results.Count(r => r.Outcome == BackupOutcome.Failed),
        NotReached: results.Count(r => r.Outcome == BackupOutcome.NotReached),
        InUse: results.Count(r => r.Outcome == BackupOutcome.InUse),
        DuplicatesDeleted: results.Sum(r => r.DuplicatesDeleted?.Count ?? 0),
        Pruned: results.Sum(r => r.Pruned?.Count ?? 0),
        PruneFailed: results.Count(r => r.Prune == PruneOutcome.Failed));
}
