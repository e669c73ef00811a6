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
/// time, and never the newest <c>MinKeep</c> of them. Anything else (another name, SYSTEM or
/// AWS_BACKUP backups, one still being created) is never chosen.
/// </summary>
public sealed record RetentionPolicy(int RetentionDays, int MinKeep)
{
    /// <summary>A backup listed twice (tonight's, listed and just made) counts once: each is one of MinKeep.</summary>
    public IReadOnlyList<BackupInfo> ToPrune(string table, IEnumerable<BackupInfo> backups, DateTimeOffset asOf)
    {
        var cutoff = asOf - TimeSpan.FromDays(RetentionDays);
        return backups
            .DistinctBy(b => b.Arn, StringComparer.Ordinal)
            .Where(b => b.Type == "USER" && b.IsUsable && BackupNaming.NightOf(b.Name, table) is not null)
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
}
