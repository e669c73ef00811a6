namespace Functions.PitrGuard;

/// <summary>Some tables were not checked; the summary log line says which and why.</summary>
internal sealed class PitrCheckFailedException(PitrReport report) : Exception(MessageFor(report))
{
    public PitrReport Report { get; } = report;

    private static string MessageFor(PitrReport r)
    {
        var failed = r.Tables.Where(t => t.Outcome is PitrOutcome.Failed or PitrOutcome.NotReached)
            .Select(t => t.Describe()).ToList();
        var shown = TableSweep.FirstFew(failed);
        return $"PITR check ({r.Mode}): {r.Counts.Failed} of {r.Counts.Tables} tables failed and {r.Counts.NotReached} were not reached " +
               $"({r.Counts.Remediated} remediated, {r.Counts.NonCompliant} non-compliant, {r.Counts.Compliant} compliant). {shown}";
    }
}
