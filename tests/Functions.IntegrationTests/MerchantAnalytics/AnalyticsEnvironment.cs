using Functions.Events;
using Functions.MerchantAnalytics;

namespace Functions.IntegrationTests;

/// <summary>
/// A fresh environment on DynamoDB Local (every table of template.yaml under a unique app name;
/// AWS's own engine: exact 38-digit sums, isolated transactions) and MerchantAnalyticsFunction
/// configured from the template's variables.
/// </summary>
internal sealed class AnalyticsEnvironment
{
    private readonly ILocalEngine _backend;

    private AnalyticsEnvironment(ILocalEngine backend, string app, Dictionary<string, string> streams)
    {
        _backend = backend;
        App = app;
        StreamArns = streams;
    }

    public string App { get; }
    public Dictionary<string, string> StreamArns { get; }
    public LogCapture Logs { get; } = new();
    public string Table(string suffix) => $"{App}-dev-{suffix}";

    public static async Task<AnalyticsEnvironment> CreateAsync(ILocalEngine backend)
    {
        var app = "ma" + Guid.NewGuid().ToString("N")[..8];
        var (_, streams) = await TestTemplate.CreateTablesAsync(TestTemplate.Context(app), backend.Client);
        return new AnalyticsEnvironment(backend, app, streams);
    }

    /// <summary>The function's retries in these tests: short waits, so a test does not wait long on them.</summary>
    public static readonly RetryOptions Retry = new() { BaseDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(200), MaxAttempts = 30 };

    /// <param name="logs">Where its log lines go: concurrent invocations each need their own.</param>
    /// <param name="variables">Environment variables set on top of the template's.</param>
    /// <param name="timeout">Each invocation's time, as Lambda's deadline gives it; the template's Timeout by default.</param>
    public TestFunction<StreamsEventResponse> Function(IAmazonDynamoDB? client = null, LogCapture? logs = null, IReadOnlyDictionary<string, string>? variables = null,
        TimeSpan? timeout = null)
    {
        logs ??= Logs;
        var services = TestFunctions.Services(TestFunctions.Variables(App, "MerchantAnalyticsFunction", variables), Functions.MerchantAnalytics.Function.Service,
            client ?? _backend.Client, logs, retry: new RetryPolicy(Retry));
        return TestFunctions.Hosted(new Function(services), services, logs, App, "MerchantAnalyticsFunction", timeout);
    }

    /// <summary>
    /// Makes the table again with a stream of another view type (a stream's view type cannot be
    /// changed while it is enabled), as a stack deployed with ManageTables=false may have it.
    /// </summary>
    public async Task RecreateWithStreamAsync(string suffix, string viewType)
    {
        var table = (await _backend.Client.DescribeTableAsync(Table(suffix))).Table;
        await _backend.Client.DeleteTableAsync(Table(suffix));
        StreamArns[Table(suffix)] = (await _backend.Client.CreateTableAsync(new CreateTableRequest
        {
            TableName = Table(suffix),
            BillingMode = BillingMode.PAY_PER_REQUEST,
            AttributeDefinitions = table.AttributeDefinitions,
            KeySchema = table.KeySchema,
            StreamSpecification = new StreamSpecification { StreamEnabled = true, StreamViewType = viewType },
        })).TableDescription.LatestStreamArn;
    }

    /// <summary>An order (or quote, application) item of a merchant, written to its table.</summary>
    public Task PutAsync(string suffix, string id, string? merchant, string status, string? total = null, string? currency = null)
        => PutAsync(suffix, id, merchant, new AttributeValue { S = status }, total, currency);

    /// <summary>The same with a status of any type (a number, a blank string).</summary>
    public Task PutAsync(string suffix, string id, string? merchant, AttributeValue status, string? total = null, string? currency = null)
    {
        var (keyName, sortName) = suffix switch
        {
            "orders" => ("orderId", "customerId#timestamp"),
            "quotes" => ("quoteId", "customerId#timestamp"),
            "applications" => ("applicationId", "status#timestamp"),
            _ => throw new ArgumentException(suffix, nameof(suffix)),
        };
        var item = new Dictionary<string, AttributeValue>
        {
            [keyName] = new() { S = id },
            [sortName] = new() { S = "c-1#2026-01-16T12:00:00Z" },
            ["status"] = status,
        };
        if (merchant is not null) item["merchantId"] = new() { S = merchant };
        if (total is not null) item["total"] = new() { N = total };
        if (currency is not null) item["currency"] = new() { S = currency };
        return _backend.Client.PutItemAsync(Table(suffix), item);
    }

    public Task DeleteAsync(string suffix, string id)
        => _backend.Client.DeleteItemAsync(Table(suffix), new Dictionary<string, AttributeValue>
        {
            [suffix switch { "orders" => "orderId", "quotes" => "quoteId", _ => "applicationId" }] = new() { S = id },
            [suffix == "applications" ? "status#timestamp" : "customerId#timestamp"] = new() { S = "c-1#2026-01-16T12:00:00Z" },
        });

    public Task<List<JsonObject>> StreamRecordsAsync(string suffix) => _backend.Streams.ReadAllAsync(StreamArns[Table(suffix)]);

    public string LambdaEvent(string suffix, IEnumerable<JsonObject> records) => StreamsApi.ToLambdaEvent(records, StreamArns[Table(suffix)]).ToJsonString();

    /// <summary>One invocation as the runtime loop makes it; the batch item failures it reports.</summary>
    public static async Task<List<string>> InvokeAsync(TestFunction<StreamsEventResponse> function, string lambdaEvent, bool concurrent = false)
        => (await function.HandleAsync(lambdaEvent, keepLogs: concurrent)).GetProperty("batchItemFailures").EnumerateArray()
            .Select(f => f.GetProperty("itemIdentifier").GetString()!).ToList();

    /// <summary>Every item of the analytics table of one merchant.</summary>
    public async Task<List<Dictionary<string, AttributeValue>>> MerchantAsync(string merchant)
    {
        var items = new List<Dictionary<string, AttributeValue>>();
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var page = await _backend.Client.QueryAsync(new QueryRequest
            {
                TableName = Table("merchant-analytics"),
                KeyConditionExpression = "merchantId = :m",
                ExpressionAttributeValues = new() { [":m"] = new AttributeValue { S = merchant } },
                ExclusiveStartKey = start,
            });
            items.AddRange(page.Items ?? []);
            start = page.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        } while (start is not null);
        return items;
    }

    /// <summary>
    /// The rollups of a merchant as "type#day: count, total_X=…" lines, sorted, with the numbers
    /// as DynamoDB returns them, all digits kept (never through decimal, which keeps 28), only
    /// the trailing zeros of a fraction dropped (DynamoDB Local's ADD keeps them: 10.0, AWS trims).
    /// </summary>
    public async Task<List<string>> RollupsAsync(string merchant)
        => (await MerchantAsync(merchant))
            .Where(i => i["eventType#timestamp"].S.StartsWith("daily.", StringComparison.Ordinal))
            .Select(i => $"{i["eventType#timestamp"].S}: {i["count"].N}" + string.Concat(i.Keys.Where(k => k.StartsWith("total", StringComparison.Ordinal)).Order(StringComparer.Ordinal)
                .Select(k => $", {k}={WithoutTrailingZeros(i[k].N)}")))
            .Order(StringComparer.Ordinal)
            .ToList();

    private static string WithoutTrailingZeros(string number)
        => number.Contains('.', StringComparison.Ordinal) ? number.TrimEnd('0').TrimEnd('.') : number;

    /// <summary>The event items of a merchant (sort keys), sorted.</summary>
    public async Task<List<string>> EventKeysAsync(string merchant)
        => (await MerchantAsync(merchant)).Select(i => i["eventType#timestamp"].S)
            .Where(k => !k.StartsWith("daily.", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
}
