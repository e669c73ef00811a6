namespace Functions.MerchantAnalytics;

/// <summary>What a set of events adds to one rollup: a count, and one exact sum per currency.</summary>
internal sealed class RollupDelta
{
    /// <summary>The sum of amounts without a currency.</summary>
    public const string TotalAttribute = "total";

    public long Count { get; private set; }
    public SortedDictionary<string, DecimalAmount> Sums { get; } = new(StringComparer.Ordinal);

    public void Add(MerchantEvent change)
    {
        Count++;
        if (change.Amount is not { } amount) return;
        var attribute = SumAttribute(change.Currency);
        Sums[attribute] = Sums.TryGetValue(attribute, out var sum) ? sum + amount : amount;
    }

    /// <summary><c>total</c>, or <c>total_USD</c> for amounts in USD: currencies are never added together.</summary>
    public static string SumAttribute(string? currency) => currency is null ? TotalAttribute : $"{TotalAttribute}_{currency}";
}
