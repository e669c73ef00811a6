using System.Diagnostics;
using Amazon.DynamoDBv2.Model;
using Functions.Events;
using Functions.Events.Serialization;
using Functions.Common.Tables;
using Functions.MerchantAnalytics;

namespace Functions.Bench;

/// <summary>
/// Merchant analytics on one batch of paid orders over 10 merchants, first delivery then replay,
/// against DynamoDB Local behind the latency proxy: ours (the batch aggregated into transactions
/// of up to 100 actions) and a naive peer that counts each change in its own transaction (its
/// event put if absent plus its rollup's ADD), one after another.
/// </summary>
public static class AnalyticsScenario
{
    public sealed record Result(int Changes, double OursMs, int OursTransactions, double OursReplayMs, int OursReplayTransactions,
        double PeerMs, int PeerTransactions, double PeerReplayMs);

    public static async Task<Result> RunAsync(BenchEnvironment env, ResultTable table, int changes)
    {
        var ours = new List<(double First, int FirstTx, double Replay, int ReplayTx)>();
        var peer = new List<(double First, int FirstTx, double Replay)>();
        await OursAsync(env, 20).ConfigureAwait(false); // warm-up: jitted code, as a warm Lambda has
        await PeerAsync(env, 20).ConfigureAwait(false);
        for (var round = 0; round < env.Options.Rounds; round++)
        {
            ours.Add(await OursAsync(env, changes).ConfigureAwait(false));
            peer.Add(await PeerAsync(env, changes).ConfigureAwait(false));
        }
        var result = new Result(changes,
            Stats.Median(ours.Select(o => o.First)), ours[^1].FirstTx, Stats.Median(ours.Select(o => o.Replay)), ours[^1].ReplayTx,
            Stats.Median(peer.Select(p => p.First)), peer[^1].FirstTx, Stats.Median(peer.Select(p => p.Replay)));

        var latency = $"{env.Options.RoundTrip.TotalMilliseconds:0} ms round trip";
        table.Row($"analytics {changes:N0} changes over 10 merchants, {latency}",
            ResultTable.Ms(result.OursMs, result.OursTransactions, "transactions"),
            ResultTable.Ms(result.PeerMs, result.PeerTransactions, "transactions"),
            ResultTable.Ratio(result.OursMs, result.PeerMs));
        table.Row($"analytics {changes:N0} changes, replayed",
            ResultTable.Ms(result.OursReplayMs, result.OursReplayTransactions, "transactions"),
            ResultTable.Ms(result.PeerReplayMs, result.PeerTransactions, "transactions"),
            ResultTable.Ratio(result.OursReplayMs, result.PeerReplayMs));
        return result;
    }

    private static async Task<(double, int, double, int)> OursAsync(BenchEnvironment env, int changes)
    {
        var app = BenchEnvironment.NewApp("ma");
        await env.CreateTablesAsync(app, "MerchantAnalyticsTable").ConfigureAwait(false);
        var batch = BenchEnvironment.PaidOrders(app, changes);
        using var clients = env.Clients();
        await clients.Client.ListTablesAsync().ConfigureAwait(false);
        var definition = env.Function(app, "MerchantAnalyticsFunction");
        var function = BenchEnvironment.Hosted(definition, clients.Client, services => new Function(services));

        var first = await TimeAsync(() => function.InvokeAsync(batch, BenchEnvironment.Invocation(definition))).ConfigureAwait(false);
        var firstTransactions = clients.Requests("TransactWriteItems");
        var replay = await TimeAsync(() => function.InvokeAsync(batch, BenchEnvironment.Invocation(definition))).ConfigureAwait(false);
        return (first, firstTransactions, replay, clients.Requests("TransactWriteItems") - firstTransactions);
    }

    private static async Task<double> TimeAsync(Func<Task<StreamsEventResponse>> invocation)
    {
        var clock = Stopwatch.StartNew();
        var response = await invocation().ConfigureAwait(false);
        var elapsed = clock.Elapsed.TotalMilliseconds;
        if (response.BatchItemFailures.Count > 0)
            throw new InvalidOperationException($"{response.BatchItemFailures.Count} changes were not counted: the bench measures whole batches.");
        return elapsed;
    }

    private static async Task<(double, int, double)> PeerAsync(BenchEnvironment env, int changes)
    {
        var app = BenchEnvironment.NewApp("mp");
        await env.CreateTablesAsync(app, "MerchantAnalyticsTable").ConfigureAwait(false);
        var batch = BenchEnvironment.PaidOrders(app, changes);
        var table = TableCatalog.MerchantAnalytics.NameIn(new TablePrefix($"{app}-dev-"));
        using var clients = env.Clients();
        await clients.Client.ListTablesAsync().ConfigureAwait(false);

        var clock = Stopwatch.StartNew();
        await NaivePeerAsync(app, clients, batch, table).ConfigureAwait(false);
        var first = clock.Elapsed.TotalMilliseconds;
        var transactions = clients.Requests("TransactWriteItems");
        clock.Restart();
        await NaivePeerAsync(app, clients, batch, table).ConfigureAwait(false);
        return (first, transactions, clock.Elapsed.TotalMilliseconds);
    }

    /// <summary>Each change in its own transaction; on replay the event exists and the transaction is cancelled, counted once.</summary>
    private static async Task NaivePeerAsync(string app, BenchClients clients, byte[] batch, string table)
    {
        var builder = new MerchantEventBuilder(new TablePrefix($"{app}-dev-"));
        var entries = await StreamBatch.ReadAsync(new MemoryStream(batch)).ConfigureAwait(false);
        for (var i = 0; i < entries.Count; i++)
        {
            if (builder.Build(entries[i].Record!) is not { } change) continue;
            var plan = RollupPlanner.Plan([(i, change)]).Single();
            try
            {
                await clients.Client.TransactWriteItemsAsync(new TransactWriteItemsRequest { TransactItems = plan.ToActions(table) }).ConfigureAwait(false);
            }
            catch (TransactionCanceledException ex) when (ex.CancellationReasons.Any(r => r.Code == "ConditionalCheckFailed"))
            {
                // Counted by an earlier delivery.
            }
        }
    }
}
