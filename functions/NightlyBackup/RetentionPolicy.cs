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
    public IReadOnlyList<BackupInfo> ToPrune(string table, IEnumerable<BackupInfo> backups, DateTimeOffset asOf)
    {
        var cutoff = asOf - TimeSpan.FromDays(RetentionDays);
        return backups
            .Where(b => b.Type == "USER" && b.IsUsable && BackupNaming.NightOf(b.Name, table) is not null)
            .OrderByDescending(b => b.Created)
            .ThenByDescending(b => BackupNaming.NightOf(b.Name, table))
            .ThenByDescending(b => b.Arn, StringComparer.Ordinal)
            .Skip(MinKeep)
            .Where(b => b.Status == BackupInfo.Available && b.Created < cutoff)
            .ToList();
    }
}
