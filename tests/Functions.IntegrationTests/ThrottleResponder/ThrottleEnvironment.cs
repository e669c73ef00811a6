using Functions.ThrottleResponder;

namespace Functions.IntegrationTests;

/// <summary>
/// Provisioned tables on moto under a unique app name: orders (5/5), quotes (5/7, index
/// by-customer 3/4), products (5/5), legacy (tagged throttle-responder=off), customers already
/// on-demand, the audit table; and another environment's provisioned orders.
/// </summary>
internal sealed class ThrottleEnvironment
{
    private readonly MotoFixture _moto;

    private ThrottleEnvironment(MotoFixture moto, string app)
    {
        _moto = moto;
        App = app;
    }

    public string App { get; }
    public LogCapture Logs { get; } = new();
    public string Table(string suffix) => $"{App}-dev-{suffix}";
    public string Foreign => $"{App}-prod-orders";

    public static async Task<ThrottleEnvironment> CreateAsync(MotoFixture moto)
    {
        var env = new ThrottleEnvironment(moto, "tr" + Guid.NewGuid().ToString("N")[..8]);
        await TableDefinition.ReadAll(TestTemplate.Context(env.App)).Single(t => t.LogicalId == "AuditTable").CreateAsync(moto.Client);
        await env.CreateAsync(env.Table("orders"), 5, 5);
        await env.CreateAsync(env.Table("quotes"), 5, 7, withIndex: true);
        await env.CreateAsync(env.Table("products"), 5, 5);
        await env.CreateAsync(env.Table("legacy"), 5, 5, tags: [new Tag { Key = "throttle-responder", Value = "off" }]);
        await env.CreateAsync(env.Table("customers"), null, null);
        await env.CreateAsync(env.Foreign, 5, 5);
        return env;
    }

    private Task CreateAsync(string name, long? read, long? write, bool withIndex = false, List<Tag>? tags = null)
        => _moto.Client.CreateTableAsync(new CreateTableRequest
        {
            TableName = name,
            BillingMode = read is null ? BillingMode.PAY_PER_REQUEST : BillingMode.PROVISIONED,
            ProvisionedThroughput = read is null ? null : new ProvisionedThroughput(read.Value, write!.Value),
            AttributeDefinitions = withIndex ? [new("id", ScalarAttributeType.S), new("customerId", ScalarAttributeType.S)] : [new("id", ScalarAttributeType.S)],
            KeySchema = [new("id", KeyType.HASH)],
            GlobalSecondaryIndexes = withIndex
                ? [new GlobalSecondaryIndex { IndexName = "by-customer", KeySchema = [new("customerId", KeyType.HASH)], Projection = new Projection { ProjectionType = ProjectionType.ALL }, ProvisionedThroughput = new ProvisionedThroughput(3, 4) }]
                : null,
            Tags = tags,
        });

    /// <summary>A sample event of events/, its maip-dev tables renamed to this environment's.</summary>
    public string Event(string file, string? table = null)
    {
        var text = File.ReadAllText(Path.Combine(RepoLayout.Find(AppContext.BaseDirectory).EventsDirectory, file))
            .Replace("maip-dev-", $"{App}-dev-", StringComparison.Ordinal)
            .Replace("maip-prod-", $"{App}-prod-", StringComparison.Ordinal);
        return table is null ? text : text.Replace($"{App}-dev-orders", Table(table), StringComparison.Ordinal);
    }

    /// <summary>A sample alarm of events/ whose state change happened at <paramref name="time"/> (the samples' own is a fixed day).</summary>
    public string EventAt(string file, DateTimeOffset time, string? table = null)
        => Event(file, table).Replace("2026-11-23T10:15:00.123+0000",
            time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'+0000'", System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

    /// <summary>Switches a table as another delivery of the alarm would have.</summary>
    public Task SwitchToOnDemandAsync(string table)
        => _moto.Client.UpdateTableAsync(new UpdateTableRequest { TableName = table, BillingMode = BillingMode.PAY_PER_REQUEST });

    /// <param name="timeoutSeconds">Each invocation's time, as Lambda's deadline gives it (the template's Timeout is 60).</param>
    public TestFunction<ThrottleResponse> Function(IAmazonDynamoDB? client = null, ThrottleSettings? settings = null, int timeoutSeconds = 60)
    {
        var environment = TestFunctions.Variables(App, "ThrottleResponderFunction",
            new Dictionary<string, string> { ["AWS_LAMBDA_FUNCTION_NAME"] = $"{App}-dev-throttle-responder" });
        settings ??= ThrottleSettings.From(environment.GetValueOrDefault) with { UpdatingPollInterval = TimeSpan.FromMilliseconds(100) };
        var services = TestFunctions.Services(environment, Functions.ThrottleResponder.Function.Service, client ?? _moto.Client, Logs,
            retry: new RetryPolicy(ControlPlane.DefaultRetryOptions() with { BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(50) }));
        return TestFunctions.Hosted(new Function(services, settings), services, Logs, App, "ThrottleResponderFunction", TimeSpan.FromSeconds(timeoutSeconds));
    }


    /// <summary>
    /// The events in turn, one invocation each, as Lambda delivers them (an invocation that ends
    /// in an error is followed by the next like Lambda's retry): the responses, and each metric
    /// summed over the invocations' EMF records, as CloudWatch sums them.
    /// </summary>
    public async Task<(List<ThrottleResponse> Responses, Dictionary<string, double> Counted)> DeliverAsync(TestFunction<ThrottleResponse> function, params string[] events)
    {
        var responses = new List<ThrottleResponse>();
        var counted = ThrottleMetrics.All.ToDictionary(m => m, _ => 0d, StringComparer.Ordinal);
        foreach (var json in events)
        {
            try
            {
                responses.Add(await function.RunAsync(json));
            }
            catch (ThrottleResponseFailedException failed)
            {
                responses.Add(failed.Response);
            }
            var record = Logs.MetricRecord();
            foreach (var name in ThrottleMetrics.All) counted[name] += record.GetProperty(name).GetDouble();
        }
        return (responses, counted);
    }

    public async Task<TableDescription> DescribeAsync(string table) => (await _moto.Client.DescribeTableAsync(table)).Table;

    public async Task<string> BillingOfAsync(string table) => (await DescribeAsync(table)).BillingModeSummary?.BillingMode?.Value ?? "PROVISIONED";

    /// <summary>The table's records in the audit table, oldest first.</summary>
    public async Task<List<Dictionary<string, AttributeValue>>> AuditOfAsync(string table)
        => (await _moto.Client.QueryAsync(new QueryRequest
        {
            TableName = Table("audit"),
            KeyConditionExpression = "#pk = :pk",
            ExpressionAttributeNames = new() { ["#pk"] = "entityType#entityId" },
            ExpressionAttributeValues = new() { [":pk"] = new AttributeValue { S = "table#" + table } },
        })).Items ?? [];
}
