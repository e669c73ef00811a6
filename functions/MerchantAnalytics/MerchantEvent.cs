namespace Functions.MerchantAnalytics;

/// <summary>One business change of a merchant: its event item, and what it adds to its day's rollup.</summary>
internal sealed record MerchantEvent(
    string MerchantId, string SortKey, string EventType, Dictionary<string, AttributeValue> Item,
    DecimalAmount? Amount, string? Currency, DateOnly Day)
{
    public RollupKey Rollup => new(MerchantId, EventType, Day);

    /// <summary>The event item's key, which is also the proof that the change was counted.</summary>
    public (string MerchantId, string SortKey) Key => (MerchantId, SortKey);
}
