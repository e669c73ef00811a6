namespace Functions.PitrGuard;

/// <summary>The run's tables counted by what they came to.</summary>
internal sealed record PitrCounts
{
    public int Tables { get; init; }
    public int Checked { get; init; }
    public int Compliant { get; init; }
    public int Remediated { get; init; }
    public int NonCompliant { get; init; }
    public int Exempt { get; init; }
    public int Skipped { get; init; }
    public int Failed { get; init; }
    public int NotReached { get; init; }
    public int Findings { get; init; }

    public static PitrCounts Of(IReadOnlyList<TablePitrResult> results)
    {
        int Count(PitrOutcome outcome) => results.Count(r => r.Outcome == outcome);
        return new PitrCounts
        {
            Tables = results.Count,
            Compliant = Count(PitrOutcome.Compliant),
            Remediated = Count(PitrOutcome.Remediated),
            NonCompliant = Count(PitrOutcome.NonCompliant),
            Exempt = Count(PitrOutcome.Exempt),
            Skipped = Count(PitrOutcome.InUse) + Count(PitrOutcome.NotFound),
            Failed = Count(PitrOutcome.Failed),
            NotReached = Count(PitrOutcome.NotReached),
            Checked = Count(PitrOutcome.Compliant) + Count(PitrOutcome.Remediated) + Count(PitrOutcome.NonCompliant) + Count(PitrOutcome.Exempt),
            Findings = results.Sum(r => r.Findings.Count),
        };
    }
}
