using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Functions.Common.DynamoDb;
using Functions.Common.Logging;
using Functions.Common.Runtime;
using Functions.DevKit;
using Functions.MerchantAnalytics;

namespace Functions.IntegrationTests;

/// <summary>
/// A fresh environment on moto (every table of template.yaml under a unique app name) and
/// MerchantAnalyticsFunction configured from the template's variables.
/// </summary>
internal sealed class AnalyticsEnvironment
{
    private readonly MotoFixture _moto;

    private AnalyticsEnvironment(MotoFixture moto, string app, IReadOnlyDictionary<string, string> streams)
    {
        _moto = moto;
        App = app;
        StreamArns = streams;
    }

    public string App { get; }
    public IReadOnlyDictionary<string, string> StreamArns { get; }
    public LogCapture Logs { get; } = new();
    public string Table(string suffix) => $"{App}-dev-{suffix}";

    public static async Task<AnalyticsEnvironment> CreateAsync(MotoFixture moto)
    {
        var app = "ma" + Guid.NewGuid().ToString("N")[..8];
        var context = TestTemplate.Context(app);
        var streams = new Dictionary<string, string>();
        foreach (var table in TableDefinition.ReadAll(context))
            if (await table.CreateAsync(moto.Client) is { } arn) streams[table.TableName] = arn;
        return new AnalyticsEnvironment(moto, app, streams);
    }

    /// <param name="logs">Where its log lines go: concurrent invocations each need their own.</param>
    public Function Function(IAmazonDynamoDB? client = null, LogCapture? logs = null)
    {
        var environment = TestTemplate.Variables(App, "MerchantAnalyticsFunction");
        return new Function(FunctionEnvironment.From(environment.GetValueOrDefault, "merchant-analytics"), client ?? _moto.Client,
            new StructuredLogger("merchant-analytics", (logs ?? Logs).Sink),
            new RetryPolicy(new RetryOptions { BaseDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(200), MaxAttempts = 30 }));
    }

    /// <summary>An order (or quote, application) item of a merchant, written to its table.</summary>
    public Task PutAsync(string suffix, string id, string? merchant, string status, string? total = null, string? currency = null)
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
            ["status"] = new() { S = status },
        };
        if (merchant is not null) item["merchantId"] = new() { S = merchant };
        if (total is not null) item["total"] = new() { N = total };
        if (currency is not null) item["currency"] = new() { S = currency };
        return _moto.Client.PutItemAsync(Table(suffix), item);
    }

    public Task DeleteAsync(string suffix, string id)
        => _moto.Client.DeleteItemAsync(Table(suffix), new Dictionary<string, AttributeValue>
        {
            [suffix switch { "orders" => "orderId", "quotes" => "quoteId", _ => "applicationId" }] = new() { S = id },
            [suffix == "applications" ? "status#timestamp" : "customerId#timestamp"] = new() { S = "c-1#2026-01-16T12:00:00Z" },
        });

    public Task<List<JsonObject>> StreamRecordsAsync(string suffix) => _moto.Streams.ReadAllAsync(StreamArns[Table(suffix)]);

    public string LambdaEvent(string suffix, IEnumerable<JsonObject> records) => StreamsApi.ToLambdaEvent(records, StreamArns[Table(suffix)]).ToJsonString();

    /// <summary>One invocation through the raw Stream signature; the batch item failures it reports.</summary>
    public async Task<List<string>> InvokeAsync(Function function, string lambdaEvent, bool concurrent = false)
    {
        if (!concurrent) Logs.Clear();
        await using var output = await function.FunctionHandler(new MemoryStream(Encoding.UTF8.GetBytes(lambdaEvent)));
        return JsonDocument.Parse(output).RootElement.GetProperty("batchItemFailures").EnumerateArray()
            .Select(f => f.GetProperty("itemIdentifier").GetString()!).ToList();
    }

    /// <summary>Every item of the analytics table of one merchant.</summary>
    public async Task<List<Dictionary<string, AttributeValue>>> MerchantAsync(string merchant)
    {
        var items = new List<Dictionary<string, AttributeValue>>();
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var page = await _moto.Client.QueryAsync(new QueryRequest
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

    /// <summary>The rollups of a merchant as "type#day: count, total_X=…" lines, sorted.</summary>
    public async Task<List<string>> RollupsAsync(string merchant)
        => (await MerchantAsync(merchant))
            .Where(i => i["eventType#timestamp"].S.StartsWith("daily.", StringComparison.Ordinal))
            .Select(i => $"{i["eventType#timestamp"].S}: {i["count"].N}" + string.Concat(i.Keys.Where(k => k.StartsWith("total", StringComparison.Ordinal)).Order(StringComparer.Ordinal)
                .Select(k => $", {k}={decimal.Parse(i[k].N, NumberStyles.Float, CultureInfo.InvariantCulture).ToString("G29", CultureInfo.InvariantCulture)}")))
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>The event items of a merchant (sort keys), sorted.</summary>
    public async Task<List<string>> EventKeysAsync(string merchant)
        => (await MerchantAsync(merchant)).Select(i => i["eventType#timestamp"].S)
            .Where(k => !k.StartsWith("daily.", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
}
