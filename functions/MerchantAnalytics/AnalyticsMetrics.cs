namespace Functions.MerchantAnalytics;

/// <summary>
/// The metrics of an analytics batch, in its EMF record (namespace METRICS_NAMESPACE, dimensions
/// service and environment): the names the dashboard and the rehearsal read. An integration test
/// checks a batch's record carries exactly these.
/// </summary>
internal static class AnalyticsMetrics
{
    public const string RecordsCounted = "RecordsCounted";
    public const string RecordsFailed = "RecordsFailed";
    public const string EventsWritten = "EventsWritten";
    public const string AlreadyCounted = "AlreadyCounted";
    public const string Transactions = "Transactions";

    public static IReadOnlyList<string> All { get; } = [RecordsCounted, RecordsFailed, EventsWritten, AlreadyCounted, Transactions];
}
