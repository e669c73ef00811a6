namespace Functions.NightlyBackup;

/// <summary>A backup as ListBackups describes it.</summary>
public sealed record BackupInfo(string Name, string Arn, DateTimeOffset Created, string Status, string Type = "USER")
{
    public const string Available = "AVAILABLE";
    public const string Creating = "CREATING";

    public bool IsUsable => Status is Available or Creating;
}

/// <summary>
/// Which backups of one table go: only the suite's own (USER backups named by
/// <see cref="BackupNaming"/> for this table), older than the retention as of the run's scheduled
/// time, and never the newest <c>MinKeep</c> nights. Anything else (another name, SYSTEM or
/// AWS_BACKUP backups, one still being created) is never chosen.
/// </summary>
public sealed record RetentionPolicy(int RetentionDays, int MinKeep)
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

/// <summary>
/// One backup a night: DynamoDB lets two backups share a name, and a request resent below the
/// function (or two runs at once) makes a second. The oldest usable backup of the name is the
/// night's; the others are extra, and every run decides the same way, so runs at once agree.
/// </summary>
public static class NightlyDuplicates
{
    public static (BackupInfo? Kept, IReadOnlyList<BackupInfo> Extra) Of(string name, IEnumerable<BackupInfo> backups)
    {
        var ofTheNight = backups
            .DistinctBy(b => b.Arn, StringComparer.Ordinal)
            .Where(b => b.Name == name && b.Type == "USER" && b.IsUsable)
            .OrderBy(b => b.Created)
            .ThenBy(b => b.Arn, StringComparer.Ordinal)
            .ToList();
        return (ofTheNight.FirstOrDefault(), ofTheNight.Skip(1).ToList());
    }

    /// <summary>
    /// <see cref="Of"/> over every night of the table's suite-named backups: the backup kept for
    /// each night, and every night's extra copies (a copy a night's run did not see yet, or could
    /// not delete while it was in use, is found by any later run).
    /// </summary>
    public static (IReadOnlyList<BackupInfo> Kept, IReadOnlyList<BackupInfo> Extra) OfEveryNight(string table, IEnumerable<BackupInfo> backups)
    {
        var nights = backups
            .Where(b => BackupNaming.NightOf(b.Name, table) is not null)
            .GroupBy(b => b.Name, StringComparer.Ordinal)
            .Select(night => Of(night.Key, night))
            .ToList();
        return (nights.Where(n => n.Kept is not null).Select(n => n.Kept!).ToList(), nights.SelectMany(n => n.Extra).ToList());
    }
}
