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
    /// <summary>The tables counted by what they came to: from <see cref="Tables"/>, so the two always agree.</summary>
    public BackupCounts Counts => BackupCounts.Of(Tables);
    public required IReadOnlyList<TableBackupResult> Tables { get; init; }
    /// <summary>Control-plane calls made, per operation (retries included).</summary>
    public required SortedDictionary<string, int> Calls { get; init; }
}
