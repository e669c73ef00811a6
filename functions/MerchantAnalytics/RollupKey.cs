namespace Functions.MerchantAnalytics;

/// <summary>The key of a daily rollup: one merchant, one event type, one UTC day.</summary>
internal readonly record struct RollupKey(string MerchantId, string EventType, DateOnly Day)
{
    public string SortKey => $"daily.{EventType}#{Day:yyyy-MM-dd}";
}
