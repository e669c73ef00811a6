namespace Functions.PitrGuard;

/// <summary>One table's check, as the report gives it.</summary>
internal sealed record TablePitrResult : TableRunResult<PitrOutcome>
{
    public PitrChange? Change { get; init; }
    public IReadOnlyList<Finding> Findings { get; init; } = [];
}
