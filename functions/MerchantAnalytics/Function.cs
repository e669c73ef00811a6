namespace Functions.MerchantAnalytics;

/// <summary>
/// Turns changes of orders, quotes and applications into per-merchant events and daily rollups,
/// each change counted exactly once. Handler: <c>MerchantAnalytics</c> (Program.cs hosts it).
/// </summary>
internal sealed class Function : StreamFunction<MerchantEvent>
{
    public const string Service = "merchant-analytics";

    public static readonly StreamBatchNames Names = new(
        Summary: "analytics batch processed", FailedRecord: "record not counted",
        SucceededMetric: AnalyticsMetrics.RecordsCounted, FailedMetric: AnalyticsMetrics.RecordsFailed,
        Counters: [("events_written", AnalyticsMetrics.EventsWritten), ("already_counted", AnalyticsMetrics.AlreadyCounted), ("rollups_updated", null), ("transactions", AnalyticsMetrics.Transactions)]);

    public Function(FunctionServices services) : this(services, new AnalyticsBatchHandler(services.Environment.TablePrefix, services.DynamoDb, services.Retry()))
    {
    }

    private Function(FunctionServices services, AnalyticsBatchHandler handler)
        : base(services, handler, Names, ("analytics_table", handler.AnalyticsTable))
    {
    }
}
