namespace Functions.PitrGuard;

/// <summary>
/// The metrics of a PITR check, in its EMF record (namespace METRICS_NAMESPACE, dimensions service
/// and environment): the names the dashboard and the rehearsal read. An integration test checks a
/// check's record carries exactly these.
/// </summary>
internal static class PitrMetrics
{
    public const string TablesChecked = "TablesChecked";
    public const string PitrRemediated = "PitrRemediated";
    public const string PitrNonCompliant = "PitrNonCompliant";
    public const string ReadinessFindings = "ReadinessFindings";

    public static IReadOnlyList<string> All { get; } = [TablesChecked, PitrRemediated, PitrNonCompliant, ReadinessFindings];
}
