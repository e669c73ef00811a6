namespace Functions.NightlyBackup;

/// <summary>Some tables have no backup for the night, or their prune failed; the summary log line says which and why.</summary>
internal sealed class BackupRunFailedException(BackupRunSummary summary) : Exception(MessageFor(summary))
{
    public BackupRunSummary Summary { get; } = summary;

    private static string MessageFor(BackupRunSummary s)
    {
        var wrong = s.Tables.Where(t => t.Outcome.IsMissed()).Select(t => t.Describe())
            .Concat(s.Tables.Where(t => t.Prune == PruneOutcome.Failed).Select(t => $"{t.Table} (prune failed, backup {t.Outcome.WireName()}: {t.PruneReason})"))
            .ToList();
        var shown = TableSweep.FirstFew(wrong);
        return $"Night {s.Night}: {s.Counts.Failed} of {s.Counts.Tables} tables failed, {s.Counts.NotReached} were not reached, " +
               $"{s.Counts.InUse} stayed in use, {s.Counts.PruneFailed} could not be pruned " +
               $"({s.Counts.Created} created, {s.Counts.Skipped} skipped, {s.Counts.Pruned} pruned). {shown}";
    }
}
