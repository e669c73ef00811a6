namespace Functions.ThrottleResponder;

/// <summary>What happened to one table (or to an alarm with no table of ours).</summary>
internal sealed record TableResponse
{
    public string? Alarm { get; init; }
    public string? Table { get; init; }
    public required ThrottleOutcome Outcome { get; init; }
    public string? Reason { get; init; }
    /// <summary>The throttling metrics (and index) behind a switch.</summary>
    public string? Metric { get; init; }
    /// <summary>Why the table is throttled, as the metrics tell it (ThrottleCauses).</summary>
    public string? Cause { get; init; }
    /// <summary>Capacity before a switch, or restored by a restore.</summary>
    public TableCapacityView? Capacity { get; init; }
    /// <summary>
    /// The metric (ThrottleMetrics) this result adds one to: set only when this invocation wrote
    /// the audit record that makes it once-only; null for what another delivery or try counted.
    /// </summary>
    [JsonIgnore] public string? CountsAs { get; init; }
}
