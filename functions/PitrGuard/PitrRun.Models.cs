using System.Text.Json.Serialization;

namespace Functions.PitrGuard;

/// <summary>A run's options, from the event's detail: <c>{"mode": "report"}</c>. Unknown options are refused.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class PitrRunOptions
{
    /// <summary>enforce or report: overrides PITR_MODE for this run.</summary>
    public string? Mode { get; set; }
}

/// <summary>A PITR change: made (enforce) or only needed (report).</summary>
public sealed class PitrChange
{
    public required string EventName { get; init; }
    public required string Before { get; init; }
    public required string After { get; init; }
    /// <summary>False when this very change had been audited already (a replay of the same run).</summary>
    public bool Audited { get; set; }
}

public sealed class TablePitrResult
{
    public required string Table { get; init; }
    public required string Outcome { get; set; }
    public string? Reason { get; set; }
    public PitrChange? Change { get; set; }
    public List<Finding> Findings { get; set; } = [];
}

public sealed class PitrCounts
{
    public int Tables { get; set; }
    public int Checked { get; set; }
    public int Compliant { get; set; }
    public int Remediated { get; set; }
    public int NonCompliant { get; set; }
    public int Exempt { get; set; }
    public int Skipped { get; set; }
    public int Failed { get; set; }
    public int NotReached { get; set; }
    public int Findings { get; set; }
}

/// <summary>The function's response: PITR compliance and readiness findings, table by table.</summary>
public sealed class PitrReport
{
    public required string Mode { get; init; }
    public required DateTimeOffset CheckedAt { get; init; }
    public required string Source { get; init; }
    public int RecoveryDays { get; init; }
    public required PitrCounts Counts { get; init; }
    public required List<TablePitrResult> Tables { get; init; }
    public required SortedDictionary<string, int> Calls { get; init; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    PropertyNameCaseInsensitive = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    AllowTrailingCommas = true,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip)]
[JsonSerializable(typeof(PitrRunOptions))]
[JsonSerializable(typeof(PitrReport))]
public sealed partial class PitrJsonContext : JsonSerializerContext;
