using System.Text.Json.Serialization;

namespace Functions.NightlyBackup;

/// <summary>
/// A run's options, from the event's detail: <c>{"dryRun": true}</c>, <c>{"tables": ["orders"]}</c>.
/// An unknown option is refused rather than ignored: a misspelt dryRun must not become a real run.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class BackupRunOptions
{
    /// <summary>Report what would be created and pruned; change nothing.</summary>
    public bool DryRun { get; set; }

    /// <summary>Only these tables: suffixes (orders) or full names (maip-dev-orders).</summary>
    public List<string>? Tables { get; set; }
}

/// <summary>What one table's run came to.</summary>
public static class BackupOutcome
{
    public const string Created = "created";
    public const string WouldCreate = "would-create";
    public const string Exists = "exists";
    public const string SkippedByTag = "skipped-tag";
    public const string InUse = "in-use";
    public const string NotFound = "not-found";
    public const string Failed = "failed";
    public const string NotReached = "not-reached";

    /// <summary>Nothing to do tonight: the backup is there, the table opted out, or it is gone.</summary>
    public static bool IsSkipped(string outcome) => outcome is Exists or SkippedByTag or NotFound;

    /// <summary>The night has no backup of the table: the run fails so that a person hears of it.</summary>
    public static bool IsMissed(string outcome) => outcome is Failed or NotReached or InUse;
}

/// <summary>What pruning a table's old backups (and deleting second copies of a night's backup) came to, apart from the backup.</summary>
public static class PruneOutcome
{
    public const string Done = "done";
    /// <summary>A backup to delete was in use (a restore from it runs): kept for the next run, not an error.</summary>
    public const string InUse = "in-use";
    /// <summary>A delete failed: the backup of the night stands, the run ends in an error.</summary>
    public const string Failed = "failed";
}

public sealed class TableBackupResult
{
    public required string Table { get; init; }
    public required string Outcome { get; set; }
    /// <summary>Why it was skipped, failed or not reached.</summary>
    public string? Reason { get; set; }
    /// <summary>The night's backup: created, found, or (dry run) the name it would get.</summary>
    public string? Backup { get; set; }
    public string? BackupArn { get; set; }
    /// <summary>Second copies of a night's backup (this night's or an earlier one's), deleted so that one stays (the oldest): their ARNs.</summary>
    public List<string>? DuplicatesDeleted { get; set; }
    public List<string>? Pruned { get; set; }
    public List<string>? WouldPrune { get; set; }
    /// <summary>How pruning went (<see cref="PruneOutcome"/>), and why when not done.</summary>
    public string? Prune { get; set; }
    public string? PruneReason { get; set; }
    [JsonIgnore] public bool Created { get; set; }
}

public sealed class BackupCounts
{
    public int Tables { get; set; }
    /// <summary>Backups this run made that are the night's (a copy of one made first is a duplicate, not counted).</summary>
    public int Created { get; set; }
    /// <summary>
    /// Tables that have the night's backup after this run, whoever made it (created, or there
    /// already): a state, so two runs of one night both say it and neither adds to the other.
    /// </summary>
    public int Kept { get; set; }
    public int Skipped { get; set; }
    public int Failed { get; set; }
    public int NotReached { get; set; }
    /// <summary>Tables still in use after every try within the time budget: no backup tonight.</summary>
    public int InUse { get; set; }
    public int DuplicatesDeleted { get; set; }
    public int Pruned { get; set; }
    public int PruneFailed { get; set; }
}

/// <summary>The function's response: the whole run, table by table.</summary>
public sealed class BackupRunSummary
{
    public required string Night { get; init; }
    public required DateTimeOffset ScheduledTime { get; init; }
    public required string Source { get; init; }
    public bool DryRun { get; init; }
    public int RetentionDays { get; init; }
    public int MinKeep { get; init; }
    public required BackupCounts Counts { get; init; }
    public required List<TableBackupResult> Tables { get; init; }
    /// <summary>Control-plane calls made, per operation (retries included).</summary>
    public required SortedDictionary<string, int> Calls { get; init; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    PropertyNameCaseInsensitive = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    AllowTrailingCommas = true,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip)]
[JsonSerializable(typeof(BackupRunOptions))]
[JsonSerializable(typeof(BackupRunSummary))]
public sealed partial class BackupJsonContext : JsonSerializerContext;
