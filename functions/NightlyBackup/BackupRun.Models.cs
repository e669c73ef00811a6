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

    public static bool IsSkipped(string outcome) => outcome is Exists or SkippedByTag or InUse or NotFound;
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
    public List<string>? Pruned { get; set; }
    public List<string>? WouldPrune { get; set; }
    [JsonIgnore] public bool Created { get; set; }
}

public sealed class BackupCounts
{
    public int Tables { get; set; }
    public int Created { get; set; }
    public int Skipped { get; set; }
    public int Failed { get; set; }
    public int NotReached { get; set; }
    public int Pruned { get; set; }
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
