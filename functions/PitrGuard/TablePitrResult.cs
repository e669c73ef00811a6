namespace Functions.PitrGuard;

/// <summary>One table's check, as the report gives it.</summary>
internal sealed record TablePitrResult
{
    public required string Table { get; init; }
    public required PitrOutcome Outcome { get; init; }
    public string? Reason { get; init; }
    public PitrChange? Change { get; init; }
    public IReadOnlyList<Finding> Findings { get; init; } = [];
}
