using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Functions.Common.DynamoDb;
using Functions.Common.Lambda;
using Functions.Common.Runtime;
using Functions.Common.Streams;
using Functions.Common.Tables;

namespace Functions.MerchantAnalytics;

/// <summary>
/// Decides each record's merchant event, then writes the batch in transactions: every event item
/// put only if new, with its rollups' additions. A transaction cancelled because some events
/// exist already (counted by an earlier delivery) is sent again without them; conflicts and
/// throttling wait and retry. So every change is counted once, however often it is delivered.
/// </summary>
public sealed class AnalyticsBatchHandler(TablePrefix prefix, IAmazonDynamoDB dynamoDb, RetryPolicy retry) : IStreamRecordHandler<MerchantEvent>
{
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

        foreach (var plan in RollupPlanner.Plan(first.Values.Select(r => (r.Index, r.Work))))
            await CommitAsync(plan, outcome, deadline).ConfigureAwait(false);
        foreach (var copy in prepared.Where(r => first[r.Work.Key] != r && outcome.IsDone(first[r.Work.Key].Index)))
            outcome.Succeeded(copy.Index);
    }

    private async Task CommitAsync(TransactionPlan plan, BatchOutcome outcome, InvocationDeadline deadline)
    {
        for (var attempt = 1; plan.Events.Count > 0; attempt++)
        {
            outcome.Count("transactions", 1, AnalyticsMetrics.Transactions);
            try
            {
                await retry.ExecuteAsync(token => dynamoDb.TransactWriteItemsAsync(
                    new TransactWriteItemsRequest { TransactItems = plan.ToActions(AnalyticsTable) }, token), deadline, "TransactWriteItems").ConfigureAwait(false);
                foreach (var (index, _) in plan.Events) outcome.Succeeded(index);
                outcome.Count("events_written", plan.Events.Count, AnalyticsMetrics.EventsWritten);
                outcome.Count("rollups_updated", plan.Rollups.Count);
                return;
            }
            catch (TransactionCanceledException ex)
            {
                var reasons = ex.CancellationReasons ?? [];
                var counted = new HashSet<int>();
                for (var i = 0; i < plan.Events.Count && i < reasons.Count; i++)
                    if (reasons[i].Code == "ConditionalCheckFailed") counted.Add(plan.Events[i].Index);
                foreach (var index in counted) outcome.Succeeded(index);
                outcome.Count("already_counted", counted.Count, AnalyticsMetrics.AlreadyCounted);

                var transient = reasons.Any(r => RetryableCancellations.Contains(r.Code ?? ""));
                var permanent = reasons.FirstOrDefault(r => r.Code is not (null or "None" or "ConditionalCheckFailed") && !RetryableCancellations.Contains(r.Code));
                if (permanent is not null)
                {
                    // e.g. a ValidationError: these events cannot land together; Lambda's bisection isolates the record.
                    foreach (var (index, _) in plan.Without(counted).Events)
                        outcome.Failed(index, $"TransactWriteItems was cancelled: {permanent.Code}.");
                    return;
                }
                plan = plan.Without(counted);
                if (transient && plan.Events.Count > 0 && !await retry.WaitBeforeRetryAsync(attempt, deadline).ConfigureAwait(false))
                {
                    foreach (var (index, _) in plan.Events)
                        outcome.Failed(index, $"TransactWriteItems kept being cancelled ({string.Join(", ", reasons.Select(r => r.Code).Distinct())}) for {attempt} attempts.");
                    return;
                }
            }
        }
    }
}
