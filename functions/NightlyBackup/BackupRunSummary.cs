namespace Functions.NightlyBackup;

/// <summary>The function's response: the whole run, table by table.</summary>
internal sealed record BackupRunSummary
{
    public required string Night { get; init; }
    public required DateTimeOffset ScheduledTime { get; init; }
    public required string Source { get; init; }
    public bool DryRun { get; init; }
    public int RetentionDays { get; init; }
    public int MinKeep { get; init; }
    public required BackupCounts Counts { get; init; }
    public required IReadOnlyList<TableBackupResult> Tables { get; init; }
    /// <summary>Control-plane calls made, per operation (retries included).</summary>
    public required SortedDictionary<string, int> Calls { get; init; }
}
