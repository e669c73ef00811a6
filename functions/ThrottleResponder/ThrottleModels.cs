using System.Text.Json.Serialization;

namespace Functions.ThrottleResponder;

/// <summary>
/// A manual invocation: <c>{"action": "restore", "table": "orders"}</c> (a suffix or the full
/// name), with <c>"dryRun": true</c> to only log and audit. Unknown keys are refused.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class ManualCommand
{
    public string? Action { get; set; }
    public string? Table { get; set; }
    public bool DryRun { get; set; }
}

/// <summary>What happened to one table (or to an alarm with no table of ours).</summary>
public sealed class TableResponse
{
    public string? Alarm { get; init; }
    public string? Table { get; init; }
    public required string Outcome { get; set; }
    public string? Reason { get; set; }
    /// <summary>The throttling metrics (and index) behind a switch.</summary>
    public string? Metric { get; init; }
    /// <summary>Why the table is throttled, as the metrics tell it (ThrottleCauses).</summary>
    public string? Cause { get; init; }
    /// <summary>Capacity before a switch, or restored by a restore.</summary>
    public TableCapacityView? Capacity { get; set; }
    /// <summary>
    /// The metric (ThrottleMetrics) this result adds one to: set only when this invocation wrote
    /// the audit record that makes it once-only; null for what another delivery or try counted.
    /// </summary>
    [JsonIgnore] public string? CountsAs { get; set; }
}

public sealed class TableCapacityView
{
    public long ReadCapacityUnits { get; init; }
    public long WriteCapacityUnits { get; init; }
    public Dictionary<string, IndexCapacityView> GlobalSecondaryIndexes { get; init; } = [];

    public static TableCapacityView From(long read, long write, IEnumerable<IndexCapacity> indexes) => new()
    {
        ReadCapacityUnits = read,
        WriteCapacityUnits = write,
        GlobalSecondaryIndexes = indexes.ToDictionary(i => i.IndexName, i => new IndexCapacityView(i.Read, i.Write), StringComparer.Ordinal),
    };
}

public sealed record IndexCapacityView(long ReadCapacityUnits, long WriteCapacityUnits);

/// <summary>The function's response.</summary>
public sealed class ThrottleResponse
{
    /// <summary>switch (an alarm) or restore (a manual command).</summary>
    public required string Action { get; init; }
    public bool DryRun { get; init; }
    public required List<TableResponse> Results { get; init; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    PropertyNameCaseInsensitive = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    AllowTrailingCommas = true,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip)]
[JsonSerializable(typeof(ManualCommand))]
[JsonSerializable(typeof(ThrottleResponse))]
public sealed partial class ThrottleJsonContext : JsonSerializerContext;
