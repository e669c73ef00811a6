namespace Functions.NightlyBackup;

/// <summary>
/// Which backups of one table go: only the suite's own (USER backups named by
/// <see cref="BackupNaming"/> for this table), older than the retention as of the run's scheduled
/// time, and never the newest <c>MinKeep</c> nights. Anything else (another name, SYSTEM or
/// AWS_BACKUP backups, one still being created) is never chosen.
/// </summary>
internal sealed record RetentionPolicy(int RetentionDays, int MinKeep)
{
    /// <summary>
    /// One backup a night counts towards MinKeep: a backup listed twice (tonight's, listed and just
    /// made) once, and of a night's two copies the one kept (<see cref="NightlyDuplicates"/>); the
    /// other copy is never chosen here, NightlyDuplicates deletes it.
    /// </summary>
    public IReadOnlyList<BackupInfo> ToPrune(string table, IEnumerable<BackupInfo> backups, DateTimeOffset asOf)
    {
        var cutoff = asOf - TimeSpan.FromDays(RetentionDays);
        return NightlyDuplicates.OfEveryNight(table, backups).Kept
            .OrderByDescending(b => b.Created)
            .ThenByDescending(b => BackupNaming.NightOf(b.Name, table))
            .ThenByDescending(b => b.Arn, StringComparer.Ordinal)
            .Skip(MinKeep)
            .Where(b => b.Status == BackupInfo.Available && b.Created < cutoff)
            .ToList();
    }
}
