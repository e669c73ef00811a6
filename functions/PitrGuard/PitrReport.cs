namespace Functions.PitrGuard;

/// <summary>The function's response: PITR compliance and readiness findings, table by table.</summary>
internal sealed record PitrReport : ScheduledRunReport<TablePitrResult>
{
    public required string Mode { get; init; }
    public required DateTimeOffset CheckedAt { get; init; }
    public required string Source { get; init; }
    public int RecoveryDays { get; init; }
    /// <summary>The tables counted by what they came to: from the tables, so the two always agree.</summary>
    [JsonPropertyOrder(CountsOrder)] public PitrCounts Counts => PitrCounts.Of(Tables);
}
