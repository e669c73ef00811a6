using System.Diagnostics;
using Functions.AuditTrail;
using Functions.Common.DynamoDb;
using Functions.Events;
using Functions.Events.Serialization;
using Functions.Common.Metrics;
using Functions.Common.Runtime;
using Functions.Common.Streams;
using Functions.DevKit;

namespace Functions.Bench;

/// <summary>
/// The audit trail on one stream batch, against DynamoDB Local behind the latency proxy: ours (the
/// function as deployed: 25 items a request, several in flight), the same pipeline with the
/// writer one request at a time (as it was), and a naive peer that puts each record's audit item
/// with its own PutItem, one after another (same parsing and items: only the writing differs).
/// For 1,000 records it also runs ours and the serial writer against <see cref="InstantDynamoDb"/>
/// behind the same round trip (writes that cost only their round trip, as DynamoDB's many servers
/// make them; DynamoDB Local does each request's work itself), and the writer with at most 2 to
/// 16 requests in flight.
/// </summary>
public static class AuditScenario
{
    public sealed record Result(int Records, double OursMs, int OursRequests, double SerialMs, double PeerMs, int PeerRequests);

    private static readonly int[] InFlightSweep = [2, 4, 8, 16];

    public static async Task<Result> RunAsync(BenchEnvironment env, ResultTable table, int records)
    {
        var app = BenchEnvironment.NewApp("audit");
        await env.CreateTablesAsync(app, "AuditTable").ConfigureAwait(false);
        var function = env.Function(app, "AuditTrailFunction");
        var batch = BenchEnvironment.PaidOrders(app, records);
        var large = records >= 1000 && !env.Options.Quick;
        await RoundAsync(env, function, BenchEnvironment.PaidOrders(app, 20), large).ConfigureAwait(false); // warm-up: jitted code, as a warm Lambda has

        var rounds = new List<Round>();
        for (var i = 0; i < env.Options.Rounds; i++) rounds.Add(await RoundAsync(env, function, batch, large).ConfigureAwait(false));

        var result = new Result(records, Stats.Median(rounds.Select(r => r.Ours)), rounds[^1].OursRequests,
            Stats.Median(rounds.Select(r => r.Serial)), Stats.Median(rounds.Select(r => r.Peer)), rounds[^1].PeerRequests);
        var latency = $"{env.Options.RoundTrip.TotalMilliseconds:0} ms round trip";
        table.Row($"audit {records:N0} records, {latency}",
            ResultTable.Ms(result.OursMs, result.OursRequests, "BatchWriteItem"),
            ResultTable.Ms(result.PeerMs, result.PeerRequests, "PutItem"),
            ResultTable.Ratio(result.OursMs, result.PeerMs));
        table.Row($"audit {records:N0} records, {latency}, against the serial writer",
            ResultTable.Ms(result.OursMs), ResultTable.F("{0} · 1 in flight", ResultTable.Ms(result.SerialMs)), ResultTable.Ratio(result.OursMs, result.SerialMs));
        if (large)
        {
            var oursInstant = Stats.Median(rounds.Select(r => r.OursInstant!.Value));
            var serialInstant = Stats.Median(rounds.Select(r => r.SerialInstant!.Value));
            table.Row($"audit {records:N0} records, {latency}, writes that cost only their round trip",
                ResultTable.Ms(oursInstant), ResultTable.F("{0} · 1 in flight", ResultTable.Ms(serialInstant)), ResultTable.Ratio(oursInstant, serialInstant));
            await SweepAsync(env, table, function, batch, result.SerialMs).ConfigureAwait(false);
        }
        return result;
    }

    private sealed record Round(double Ours, int OursRequests, double Serial, double Peer, int PeerRequests, double? OursInstant, double? SerialInstant);

    /// <summary>
    /// Ours, serial and the peer on one batch, one after another, each with a fresh client (its
    /// connections opened by a first call), so drift in the machine's load falls on all alike.
    /// </summary>
    private static async Task<Round> RoundAsync(BenchEnvironment env, FunctionDefinition function, byte[] batch, bool instant)
    {
        var (ours, oursRequests) = await WithClientsAsync(env.Proxy.Endpoint, "BatchWriteItem", c => OursAsync(function, c, batch)).ConfigureAwait(false);
        var (serial, _) = await WithClientsAsync(env.Proxy.Endpoint, "BatchWriteItem", c => PipelineAsync(function, c, batch, maxInFlight: 1)).ConfigureAwait(false);
        var (peer, peerRequests) = await WithClientsAsync(env.Proxy.Endpoint, "PutItem", c => NaivePeerAsync(function, c, batch)).ConfigureAwait(false);
        double? oursInstant = null, serialInstant = null;
        if (instant)
        {
            (oursInstant, _) = await WithClientsAsync(env.InstantProxy.Endpoint, "BatchWriteItem", c => OursAsync(function, c, batch)).ConfigureAwait(false);
            (serialInstant, _) = await WithClientsAsync(env.InstantProxy.Endpoint, "BatchWriteItem", c => PipelineAsync(function, c, batch, maxInFlight: 1)).ConfigureAwait(false);
        }
        return new Round(ours, oursRequests, serial, peer, peerRequests, oursInstant, serialInstant);
    }

    /// <summary>The writer with at most N requests in flight, against the serial one.</summary>
    private static async Task SweepAsync(BenchEnvironment env, ResultTable table, FunctionDefinition function, byte[] batch, double serialMs)
    {
        foreach (var maxInFlight in InFlightSweep)
        {
            var runs = new List<double>();
            for (var i = 0; i < env.Options.Rounds; i++)
                runs.Add((await WithClientsAsync(env.Proxy.Endpoint, "BatchWriteItem", c => PipelineAsync(function, c, batch, maxInFlight)).ConfigureAwait(false)).Ms);
            var ms = Stats.Median(runs);
            table.Row($"audit 1,000 records, at most {maxInFlight} in flight{(maxInFlight == BatchWriter.DefaultMaxInFlight ? " (the default)" : "")}",
                ResultTable.Ms(ms), ResultTable.F("{0} · 1 in flight", ResultTable.Ms(serialMs)), ResultTable.Ratio(ms, serialMs));
        }
    }

    private static async Task<(double Ms, int Requests)> WithClientsAsync(Uri endpoint, string operation, Func<BenchClients, Task<StreamsEventResponse>> invocation)
    {
        using var clients = new BenchClients(endpoint);
        await clients.Client.ListTablesAsync().ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        var response = await invocation(clients).ConfigureAwait(false);
        var elapsed = clock.Elapsed.TotalMilliseconds;
        if (response.BatchItemFailures.Count > 0)
            throw new InvalidOperationException($"{response.BatchItemFailures.Count} records were not audited: the bench measures whole batches.");
        return (elapsed, clients.Requests(operation));
    }

    private static AuditTrailSettings Settings(FunctionDefinition function) => AuditTrailSettings.From(function.Environment.GetValueOrDefault);

    /// <summary>The function as deployed.</summary>
    private static Task<StreamsEventResponse> OursAsync(FunctionDefinition function, BenchClients clients, byte[] batch)
        => BenchEnvironment.Hosted(function, clients.Client, services => new Function(services, Settings(function)))
            .InvokeAsync(batch, BenchEnvironment.Invocation(function));

    /// <summary>The function's own pipeline with a writer of at most N requests in flight (1: the audit trail before concurrent writes).</summary>
    private static async Task<StreamsEventResponse> PipelineAsync(FunctionDefinition function, BenchClients clients, byte[] batch, int maxInFlight)
    {
        var logger = BenchEnvironment.QuietLogger();
        var environment = BenchEnvironment.EnvironmentOf(function);
        var processor = new StreamBatchProcessor(logger, new EmfMetrics(logger, environment.MetricsNamespace, environment.EnvironmentName), Function.Names);
        var handler = new AuditBatchHandler(Settings(function), new BatchWriter(clients.Client, maxInFlight: maxInFlight));
        using var deadline = InvocationDeadline.Start(TimeSpan.FromSeconds(function.TimeoutSeconds));
        return await processor.ProcessAsync(batch, handler, deadline).ConfigureAwait(false);
    }

    /// <summary>One PutItem per record, awaited one after another: what a first handler would do.</summary>
    private static async Task<StreamsEventResponse> NaivePeerAsync(FunctionDefinition function, BenchClients clients, byte[] batch)
    {
        var settings = Settings(function);
        var builder = new AuditRecordBuilder(settings);
        foreach (var entry in await StreamBatch.ReadAsync(new MemoryStream(batch)).ConfigureAwait(false))
            await clients.Client.PutItemAsync(settings.AuditTableName, AttributeValueMapper.ToSdk(builder.Build(entry.Record!).Item)).ConfigureAwait(false);
        return new StreamsEventResponse();
    }
}
