namespace Functions.AuditTrail;

/// <summary>
/// The metrics of an audit batch, in its EMF record (namespace METRICS_NAMESPACE, dimensions
/// service and environment): the names the dashboard and the rehearsal read. An integration test
/// checks a batch's record carries exactly these.
/// </summary>
internal static class AuditMetrics
{
    public const string RecordsAudited = "RecordsAudited";
    public const string RecordsFailed = "RecordsFailed";
    public const string ImagesReduced = "ImagesReduced";
    public const string WriteRequests = "WriteRequests";

    public static IReadOnlyList<string> All { get; } = [RecordsAudited, RecordsFailed, ImagesReduced, WriteRequests];
}
