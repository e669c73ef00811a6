namespace Functions.MerchantAnalytics;

/// <summary>One TransactWriteItems: the events it proves counted, and the rollups it adds them to.</summary>
internal sealed class TransactionPlan
{
    public const int MaxActions = 100;

    public List<(int Index, MerchantEvent Event)> Events { get; } = [];
    public SortedDictionary<RollupKey, RollupDelta> Rollups { get; } = new(Comparer<RollupKey>.Create(
        (a, b) => (string.CompareOrdinal(a.MerchantId, b.MerchantId), string.CompareOrdinal(a.SortKey, b.SortKey)) switch
        {
            (0, var bySortKey) => bySortKey,
            var (byMerchant, _) => byMerchant,
        }));

    public int Actions => Events.Count + Rollups.Count;

    /// <summary>The plan without some of its events (those already counted), rollups recomputed.</summary>
    public TransactionPlan Without(IReadOnlySet<int> indices)
    {
        var rest = new TransactionPlan();
        foreach (var (index, change) in Events.Where(e => !indices.Contains(e.Index))) rest.Add(index, change);
        return rest;
    }

    /// <summary>The plan's events in two halves, in order, each with its own rollups.</summary>
    public (TransactionPlan First, TransactionPlan Second) Halves()
    {
        var (first, second) = (new TransactionPlan(), new TransactionPlan());
        for (var i = 0; i < Events.Count; i++) (i < Events.Count / 2 ? first : second).Add(Events[i].Index, Events[i].Event);
        return (first, second);
    }

    public void Add(int index, MerchantEvent change)
    {
        Events.Add((index, change));
        if (!Rollups.TryGetValue(change.Rollup, out var delta)) Rollups[change.Rollup] = delta = new RollupDelta();
        delta.Add(change);
    }

    /// <summary>
    /// Each event put only if it does not exist (the proof), in the same transaction as the rollup
    /// additions: either both land or neither. Events first, so cancellation reasons at positions
    /// below Events.Count name events.
    /// </summary>
    public List<TransactWriteItem> ToActions(string table)
    {
        var actions = Events.Select(e => new TransactWriteItem
        {
            Put = new Put
            {
                TableName = table,
                Item = e.Event.Item,
                ConditionExpression = "attribute_not_exists(#pk)",
                ExpressionAttributeNames = new() { ["#pk"] = TableCatalog.MerchantAnalytics.PartitionKey },
            },
        }).ToList();
        foreach (var (key, delta) in Rollups)
        {
            var names = new Dictionary<string, string> { ["#count"] = "count", ["#eventType"] = "eventType", ["#day"] = "day" };
            var values = new Dictionary<string, AttributeValue>
            {
                [":count"] = new() { N = delta.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                [":eventType"] = new() { S = key.EventType },
                [":day"] = new() { S = key.Day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) },
            };
            var adds = new List<string> { "#count :count" };
            var i = 0;
            foreach (var (attribute, sum) in delta.Sums)
            {
                names[$"#s{i}"] = attribute;
                values[$":s{i}"] = new() { N = sum.ToString() };
                adds.Add($"#s{i} :s{i}");
                i++;
            }
            actions.Add(new TransactWriteItem
            {
                Update = new Update
                {
                    TableName = table,
                    Key = new()
                    {
                        [TableCatalog.MerchantAnalytics.PartitionKey] = new() { S = key.MerchantId },
                        [TableCatalog.MerchantAnalytics.SortKey] = new() { S = key.SortKey },
                    },
                    UpdateExpression = $"ADD {string.Join(", ", adds)} SET #eventType = :eventType, #day = :day",
                    ExpressionAttributeNames = names,
                    ExpressionAttributeValues = values,
                },
            });
        }
        return actions;
    }
}
