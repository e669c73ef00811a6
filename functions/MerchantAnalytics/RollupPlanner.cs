namespace Functions.MerchantAnalytics;

/// <summary>
/// Packs a batch's events into as few transactions as DynamoDB's 100 actions allow: the events
/// of one rollup go together, so a rollup is updated once per transaction with their sum. The
/// same batch always packs the same way, so a replay costs what the first delivery did.
/// </summary>
internal static class RollupPlanner
{
    public static List<TransactionPlan> Plan(IEnumerable<(int Index, MerchantEvent Event)> events)
    {
        var plans = new List<TransactionPlan>();
        var current = new TransactionPlan();
        var groups = events
            .GroupBy(e => e.Event.Rollup)
            .OrderBy(g => g.Key.MerchantId, StringComparer.Ordinal).ThenBy(g => g.Key.SortKey, StringComparer.Ordinal);
        foreach (var group in groups)
            foreach (var (index, change) in group.OrderBy(e => e.Index))
            {
                var needed = current.Rollups.ContainsKey(change.Rollup) ? 1 : 2;
                if (current.Actions + needed > TransactionPlan.MaxActions)
                {
                    plans.Add(current);
                    current = new TransactionPlan();
                }
                current.Add(index, change);
            }
        if (current.Events.Count > 0) plans.Add(current);
        return plans;
    }
}
