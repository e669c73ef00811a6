using System.Diagnostics;
using System.Text;
using Amazon.DynamoDBv2;
using Functions.Common.Hosting;
using Functions.Common.Logging;
using Functions.Common.Runtime;
using Functions.DevKit;
using Functions.Events;

namespace Functions.Bench;

/// <summary>
/// What every scenario shares: the options, one DynamoDB Local behind one latency proxy, and the
/// template (tables, each function's variables and memory size) under a fresh app name per use.
/// </summary>
public sealed class BenchEnvironment : IDisposable
{
    private readonly LocalServer _dynamoDbLocal;

    private readonly InstantDynamoDb _instant = new();

    private BenchEnvironment(BenchOptions options, LocalServer dynamoDbLocal, LatencyProxy proxy)
    {
        Options = options;
        _dynamoDbLocal = dynamoDbLocal;
        Proxy = proxy;
        InstantProxy = new LatencyProxy(_instant.Endpoint, options.RoundTrip);
        Template = SamTemplate.Load(RepoLayout.Find(AppContext.BaseDirectory).TemplatePath);
    }

    public BenchOptions Options { get; }
    public LatencyProxy Proxy { get; }

    /// <summary>The same round trip in front of <see cref="InstantDynamoDb"/>: writes that cost only their round trip.</summary>
    public LatencyProxy InstantProxy { get; }
    public SamTemplate Template { get; }

    /// <summary>DynamoDB Local itself, without the added latency (for the cold start's child processes).</summary>
    public Uri DirectEndpoint => _dynamoDbLocal.Endpoint;

    public static async Task<BenchEnvironment> StartAsync(BenchOptions options)
    {
        var dynamoDbLocal = await DynamoDbLocal.StartAsync().ConfigureAwait(false);
        var env = new BenchEnvironment(options, dynamoDbLocal, new LatencyProxy(dynamoDbLocal.Endpoint, options.RoundTrip));
        await env.WarmUpDynamoDbLocalAsync().ConfigureAwait(false);
        return env;
    }

    /// <summary>
    /// DynamoDB Local runs on a JVM that starts out interpreting: its first thousands of writes are
    /// several times slower than the rest, which would fall on whichever scenario came first.
    /// </summary>
    private async Task WarmUpDynamoDbLocalAsync()
    {
        var app = NewApp("warm");
        await CreateTablesAsync(app, "AuditTable", "MerchantAnalyticsTable").ConfigureAwait(false);
        using var clients = new BenchClients(DirectEndpoint);
        var audit = Function(app, "AuditTrailFunction");
        var analytics = Function(app, "MerchantAnalyticsFunction");
        var batch = PaidOrders(app, Options.Quick ? 100 : 1000);
        for (var i = 0; i < (Options.Quick ? 1 : 4); i++)
        {
            await Hosted(audit, clients.Client, services => new AuditTrail.Function(services, AuditTrail.AuditTrailSettings.From(audit.Environment.GetValueOrDefault)))
                .InvokeAsync(batch, Invocation(audit)).ConfigureAwait(false);
            await Hosted(analytics, clients.Client, services => new MerchantAnalytics.Function(services)).InvokeAsync(batch, Invocation(analytics)).ConfigureAwait(false);
        }
    }

    /// <summary>A client through the proxy, counting its requests.</summary>
    public BenchClients Clients() => new(Proxy.Endpoint);

    /// <summary>A new app name: its own tables, so rounds never see each other's items.</summary>
    public static string NewApp(string prefix) => prefix + Guid.NewGuid().ToString("N")[..8];

    public TemplateContext Context(string app) => Template.Context(new Dictionary<string, string> { ["AppName"] = app }, BenchClients.Region);

    /// <summary>Creates the template's tables with these logical ids in the app's environment.</summary>
    public async Task CreateTablesAsync(string app, params string[] logicalIds)
    {
        using var clients = new BenchClients(DirectEndpoint);
        foreach (var table in TableDefinition.ReadAll(Context(app)).Where(t => logicalIds.Contains(t.LogicalId)))
            await table.CreateAsync(clients.Client).ConfigureAwait(false);
    }

    public FunctionDefinition Function(string app, string logicalId) => FunctionDefinition.Read(Context(app), logicalId);

    public static FunctionEnvironment EnvironmentOf(FunctionDefinition function)
        => FunctionEnvironment.From(function.Environment.GetValueOrDefault, function.LogicalId);

    /// <summary>The function as its Program.cs hosts it, on the bench's client, its logs going nowhere.</summary>
    public static FunctionHost<StreamsEventResponse> Hosted(FunctionDefinition function, IAmazonDynamoDB client,
        Func<FunctionServices, IFunction<StreamsEventResponse>> create)
    {
        var services = new FunctionServices(EnvironmentOf(function), client, QuietLogger());
        return FunctionHost.For(create(services), services);
    }

    /// <summary>An invocation with the template's Timeout from now, as Lambda would give it.</summary>
    public static LambdaInvocation Invocation(FunctionDefinition function) => LambdaInvocation.Local(TimeSpan.FromSeconds(function.TimeoutSeconds));

    /// <summary>Logs go nowhere: the bench measures the work, not the console.</summary>
    public static StructuredLogger QuietLogger() => new("bench", Stream.Null);

    public static string OrdersStreamArn(string app) => $"arn:aws:dynamodb:{BenchClients.Region}:123456789012:table/{app}-dev-orders/stream/2026-01-16T00:00:00.000";

    public static byte[] PaidOrders(string app, int records) => Encoding.UTF8.GetBytes(SyntheticStreamBatch.PaidOrders(OrdersStreamArn(app), records));

    /// <summary>The round trip the proxy really adds, measured with small requests: timers are not exact.</summary>
    public async Task<double> MeasuredRoundTripMsAsync()
    {
        using var direct = new BenchClients(DirectEndpoint);
        using var proxied = Clients();
        var samples = new List<double>();
        for (var i = 0; i < 12; i++)
        {
            var clock = Stopwatch.StartNew();
            await direct.Client.ListTablesAsync().ConfigureAwait(false);
            var directMs = clock.Elapsed.TotalMilliseconds;
            clock.Restart();
            await proxied.Client.ListTablesAsync().ConfigureAwait(false);
            if (i >= 2) samples.Add(clock.Elapsed.TotalMilliseconds - directMs); // the first ones open connections
        }
        return Stats.Median(samples);
    }

    public void Dispose()
    {
        Proxy.Dispose();
        InstantProxy.Dispose();
        _instant.Dispose();
        _dynamoDbLocal.Dispose();
    }
}
