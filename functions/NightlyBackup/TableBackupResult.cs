namespace Functions.NightlyBackup;

/// <summary>One table's night, as the summary reports it.</summary>
internal sealed record TableBackupResult : TableRunResult<BackupOutcome>
{
    /// <summary>The night's backup: created, found, or (dry run) the name it would get.</summary>
    public string? Backup { get; init; }
    public string? BackupArn { get; init; }
    /// <summary>Second copies of a night's backup (this night's or an earlier one's), deleted so that one stays (the oldest): their ARNs.</summary>
    public IReadOnlyList<string>? DuplicatesDeleted { get; init; }
    public IReadOnlyList<string>? Pruned { get; init; }
    public IReadOnlyList<string>? WouldPrune { get; init; }
    /// <summary>How pruning went, and why when not done.</summary>
    public PruneOutcome? Prune { get; init; }
    public string? PruneReason { get; init; }
    /// <summary>This run made the night's backup (a copy of one made first is not counted).</summary>
    [JsonIgnore] public bool Created { get; init; }
}
