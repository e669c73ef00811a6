namespace Functions.MerchantAnalytics;

/// <summary>
/// Decides each record's merchant event, then writes the batch in transactions: every event item
/// put only if new, with its rollups' additions. A transaction cancelled because some events
/// exist already (counted by an earlier delivery) is sent again without them; conflicts,
/// throttling and cancellations without a reason wait and retry, a bounded number of times; one
/// DynamoDB refuses as invalid is split until only the offending record fails. So every change
/// is counted once, however often it is delivered, and one bad record fails alone.
/// </summary>
internal sealed class AnalyticsBatchHandler(TablePrefix prefix, IAmazonDynamoDB dynamoDb, RetryPolicy retry) : IStreamRecordHandler<MerchantEvent>
{
    /// <summary>Transactions in flight at once, on different rollups (see <see cref="DisjointRuns"/>).</summary>
    public const int TransactionsAtOnce = 4;

    private static readonly HashSet<string> RetryableCancellations = new(StringComparer.Ordinal)
    {
        "TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded", "RequestLimitExceeded",
    };

    private readonly MerchantEventBuilder _builder = new(prefix);

    public string AnalyticsTable { get; } = TableCatalog.MerchantAnalytics.NameIn(prefix);

    public MerchantEvent? Prepare(DynamoDBEvent.DynamodbStreamRecord record) => _builder.Build(record);

    public async Task CommitAsync(IReadOnlyList<PreparedRecord<MerchantEvent>> prepared, BatchOutcome outcome, InvocationDeadline deadline)
    {
        // The same change twice in one batch (its key holds the sequence number): counted once,
        // and the copy shares the first one's fate.
        var first = new Dictionary<(string, string), PreparedRecord<MerchantEvent>>();
        foreach (var record in prepared) first.TryAdd(record.Work.Key, record);

        var shared = new SharedOutcome(outcome);
        await DisjointRuns.RunAsync(RollupPlanner.Plan(first.Values.Select(r => (r.Index, r.Work))), plan => plan.Rollups.Keys,
            TransactionsAtOnce, plan => CommitAsync(plan, shared, deadline)).ConfigureAwait(false);
        foreach (var copy in prepared.Where(r => first[r.Work.Key] != r && outcome.IsDone(first[r.Work.Key].Index)))
            outcome.Succeeded(copy.Index);
    }

    private async Task CommitAsync(TransactionPlan plan, SharedOutcome outcome, InvocationDeadline deadline)
    {
        for (var attempt = 1; plan.Events.Count > 0;)
        {
            try
            {
                await SendAsync(plan, outcome, deadline).ConfigureAwait(false);
                foreach (var (index, _) in plan.Events) outcome.Succeeded(index);
                outcome.Count("events_written", plan.Events.Count, AnalyticsMetrics.EventsWritten);
                outcome.Count("rollups_updated", plan.Rollups.Count);
                return;
            }
            catch (AmazonDynamoDBException ex) when (ex.ErrorCode == "ValidationException")
            {
                // DynamoDB refuses the whole request: a number past 38 digits, a key too long.
                await SplitAsync(plan, outcome, deadline, DynamoDbErrors.Describe(ex)).ConfigureAwait(false);
                return;
            }
            catch (TransactionCanceledException ex)
            {
                var reasons = ex.CancellationReasons ?? [];
                var codes = reasons.Select(r => r.Code ?? "None").ToList();
                var counted = new HashSet<int>();
                for (var i = 0; i < plan.Events.Count && i < codes.Count; i++)
                    if (codes[i] == "ConditionalCheckFailed") counted.Add(plan.Events[i].Index);
                foreach (var index in counted) outcome.Succeeded(index);
                outcome.Count("already_counted", counted.Count, AnalyticsMetrics.AlreadyCounted);
                var rest = plan.Without(counted);

                if (codes.Contains("ValidationError"))
                {
                    await SplitAsync(rest, outcome, deadline, "ValidationError").ConfigureAwait(false);
                    return;
                }
                if (codes.FirstOrDefault(c => c is not ("None" or "ConditionalCheckFailed") && !RetryableCancellations.Contains(c)) is { } permanent)
                {
                    foreach (var (index, _) in rest.Events) outcome.Failed(index, $"TransactWriteItems was cancelled: {permanent}.");
                    return;
                }
                // Events found counted are all it said: the rest goes again at once. A conflict,
                // throttling, or no reason at all: wait first, as any retry does, and not forever.
                var onlyCounted = counted.Count > 0 && codes.All(c => c is "None" or "ConditionalCheckFailed");
                if (rest.Events.Count > 0 && !onlyCounted && !await retry.WaitBeforeRetryAsync(attempt++, deadline).ConfigureAwait(false))
                {
                    var seen = string.Join(", ", codes.Distinct());
                    foreach (var (index, _) in rest.Events)
                        outcome.Failed(index, $"TransactWriteItems kept being cancelled ({(seen.Length > 0 ? seen : "no reason given")}) for {attempt - 1} attempts.");
                    return;
                }
                plan = rest;
            }
        }
    }

    /// <summary>
    /// One TransactWriteItems, its transient failures retried by the policy. The token makes a
    /// resend after a lost answer idempotent: DynamoDB answers it as the first, so the events it
    /// wrote are counted written. Each plan gets its own (a changed plan must not reuse one).
    /// </summary>
    private Task<TransactWriteItemsResponse> SendAsync(TransactionPlan plan, SharedOutcome outcome, InvocationDeadline deadline)
    {
        var request = new TransactWriteItemsRequest { TransactItems = plan.ToActions(AnalyticsTable), ClientRequestToken = Guid.NewGuid().ToString() };
        return retry.ExecuteAsync(token =>
        {
            outcome.Count("transactions", 1, AnalyticsMetrics.Transactions);
            return dynamoDb.TransactWriteItemsAsync(request, token);
        }, deadline, "TransactWriteItems");
    }

    // Halves until the record DynamoDB refuses is alone: it fails, the others land.
    private async Task SplitAsync(TransactionPlan plan, SharedOutcome outcome, InvocationDeadline deadline, string reason)
    {
        if (plan.Events.Count == 0) return;
        if (plan.Events.Count == 1)
        {
            outcome.Failed(plan.Events[0].Index, $"DynamoDB refused its event or rollup update: {reason} (a key too long, or a sum past 38 digits).");
            return;
        }
        var (first, second) = plan.Halves();
        await CommitAsync(first, outcome, deadline).ConfigureAwait(false);
        await CommitAsync(second, outcome, deadline).ConfigureAwait(false);
    }

    /// <summary>The batch's outcome, updated by transactions that run at once.</summary>
    private sealed class SharedOutcome(BatchOutcome outcome)
    {
        private readonly Lock _gate = new();

        public void Succeeded(int index)
        {
            lock (_gate) outcome.Succeeded(index);
        }

        public void Failed(int index, string reason)
        {
            lock (_gate) outcome.Failed(index, reason);
        }

        public void Count(string field, long value, string? metric = null)
        {
            lock (_gate) outcome.Count(field, value, metric);
        }
    }
}
