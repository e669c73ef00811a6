namespace Functions.NightlyBackup;

/// <summary>The function's response: the whole run, table by table.</summary>
internal sealed record BackupRunSummary : ScheduledRunReport<TableBackupResult>
{
    public required string Night { get; init; }
    public required DateTimeOffset ScheduledTime { get; init; }
    public required string Source { get; init; }
    public bool DryRun { get; init; }
    public int RetentionDays { get; init; }
    public int MinKeep { get; init; }
    /// <summary>The tables counted by what they came to: from the tables, so the two always agree.</summary>
    [JsonPropertyOrder(CountsOrder)] public BackupCounts Counts => BackupCounts.Of(Tables);
}
