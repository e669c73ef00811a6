using System.Text.Json.Serialization;
using Functions.Common.Logging;

namespace Functions.Common.Scheduled;

/// <summary>
/// One table's part in a scheduled run over the environment's tables (the nightly backup's
/// night, the PITR guard's check), as the run's response gives it: the table, what it came to,
/// and why when that needs saying. A function adds what is its own (the backup, the change).
/// These three lead its JSON: System.Text.Json writes a derived record's own properties before
/// its base's unless told (JsonPropertyOrder).
/// </summary>
public abstract record TableRunResult<TOutcome> where TOutcome : struct, Enum
{
    [JsonPropertyOrder(-1)] public required string Table { get; init; }
    [JsonPropertyOrder(-1)] public required TOutcome Outcome { get; init; }
    /// <summary>Why it was skipped, failed or not reached.</summary>
    [JsonPropertyOrder(-1)] public string? Reason { get; init; }

    /// <summary>The table as a failed run's message lists it: <c>table (outcome: reason)</c>.</summary>
    public string Describe() => $"{Table} ({Outcome.WireName()}: {Reason})";
}
