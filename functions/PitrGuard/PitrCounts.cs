namespace Functions.PitrGuard;

/// <summary>The run's tables counted by what they came to.</summary>
/// <param name="Checked">Tables whose PITR was looked at to the end: compliant, remediated, non-compliant or exempt.</param>
/// <param name="Skipped">Tables in use or gone: neither checked nor failed.</param>
/// <param name="Findings">Readiness findings over every table (reported, never changed).</param>
internal sealed record PitrCounts(
    int Tables, int Checked, int Compliant, int Remediated, int NonCompliant, int Exempt,
    int Skipped, int Failed, int NotReached, int Findings)
{
    public static PitrCounts Of(IReadOnlyList<TablePitrResult> results)
    {
        int Count(params PitrOutcome[] outcomes) => results.Count(r => outcomes.Contains(r.Outcome));
        return new PitrCounts(
            Tables: results.Count,
            Checked: Count(PitrOutcome.Compliant, PitrOutcome.Remediated, PitrOutcome.NonCompliant, PitrOutcome.Exempt),
            Compliant: Count(PitrOutcome.Compliant),
            Remediated: Count(PitrOutcome.Remediated),
            NonCompliant: Count(PitrOutcome.NonCompliant),
            Exempt: Count(PitrOutcome.Exempt),
            Skipped: Count(PitrOutcome.InUse, PitrOutcome.NotFound),
            Failed: Count(PitrOutcome.Failed),
            NotReached: Count(PitrOutcome.NotReached),
            Findings: results.Sum(r => r.Findings.Count));
    }
}
