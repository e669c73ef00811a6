using Functions.AuditTrail;
using Functions.Events;
using Functions.Events.Serialization;

namespace Functions.IntegrationTests;

/// <summary>
/// A fresh environment on DynamoDB Local (the data plane: numbers kept to 38 digits, as AWS does)
/// or moto: every table of template.yaml under a unique app name, and the audit function
/// configured from the template's own environment variables.
/// </summary>
internal sealed class AuditEnvironment
{
    private readonly ILocalEngine _engine;
    private readonly LogCapture _logs = new();

    private AuditEnvironment(ILocalEngine engine, string app, IReadOnlyDictionary<string, string> streams,
        IReadOnlyDictionary<string, string> variables, IAmazonDynamoDB? client, TimeSpan? timeout)
    {
        _engine = engine;
        App = app;
        StreamArns = streams;
        Variables = variables;
        Settings = AuditTrailSettings.From(variables.GetValueOrDefault);
        var services = TestFunctions.Services(variables, Functions.AuditTrail.Function.Service, client ?? engine.Client, _logs);
        Function = TestFunctions.Hosted(new Function(services, Settings), services, _logs, app, "AuditTrailFunction", timeout);
    }

    /// <summary>The function's environment variables as the template sets them (plus the test's).</summary>
    public IReadOnlyDictionary<string, string> Variables { get; }

    public string App { get; }
    public IReadOnlyDictionary<string, string> StreamArns { get; }
    public AuditTrailSettings Settings { get; }
    public TestFunction<StreamsEventResponse> Function { get; }
    public string Table(string suffix) => $"{App}-dev-{suffix}";

    /// <param name="app">The app name; a fresh one by default. Tables of that app that exist already are kept as they are.</param>
    /// <param name="timeout">Each invocation's time, as Lambda's deadline gives it; the template's Timeout by default.</param>
    public static async Task<AuditEnvironment> CreateAsync(ILocalEngine engine, IReadOnlyDictionary<string, string>? variables = null,
        IAmazonDynamoDB? client = null, string? app = null, TimeSpan? timeout = null)
    {
        app ??= NewApp();
        var (_, streams) = await TestTemplate.CreateTablesAsync(TestTemplate.Context(app), engine.Client);
        return new AuditEnvironment(engine, app, streams, TestFunctions.Variables(app, "AuditTrailFunction", variables), client, timeout);
    }

    public static string NewApp() => "it" + Guid.NewGuid().ToString("N")[..10];

    /// <summary>Every record of the table's stream through the audit function, as Lambda would (again) deliver them.</summary>
    public async Task<(JsonElement Response, JsonElement Summary)> AuditAsync(string suffix)
        => await InvokeAsync(LambdaEvent(suffix, await StreamRecordsAsync(suffix)));

    /// <summary>The table's real stream records, from the engine's DynamoDB Streams API.</summary>
    public Task<List<JsonObject>> StreamRecordsAsync(string suffix) => _engine.Streams.ReadAllAsync(StreamArns[Table(suffix)]);

    public JsonObject LambdaEvent(string suffix, IEnumerable<JsonObject> records) => StreamsApi.ToLambdaEvent(records, StreamArns[Table(suffix)]);

    /// <summary>Invokes the handler as the runtime loop does: the event's bytes and Lambda's deadline (the template's Timeout or the test's).</summary>
    public async Task<(JsonElement Response, JsonElement Summary)> InvokeAsync(JsonObject lambdaEvent)
    {
        var response = await Function.HandleAsync(lambdaEvent.ToJsonString());
        return (response, _logs.Line("audit batch processed"));
    }

    /// <summary>The structured log lines (EMF metric records aside).</summary>
    public List<JsonElement> LogLines() => _logs.LogLines();

    /// <summary>The invocation's CloudWatch Embedded Metric Format records.</summary>
    public List<JsonElement> MetricRecords() => _logs.MetricRecords();

    public string LogText() => _logs.Text();

    public static IReadOnlyList<string> FailedSequenceNumbers(JsonElement response)
        => response.GetProperty("batchItemFailures").EnumerateArray().Select(f => f.GetProperty("itemIdentifier").GetString()!).ToList();

    /// <summary>The runbook query: one entity's history between two ISO times.</summary>
    public async Task<List<Dictionary<string, AttributeValue>>> HistoryAsync(string entityKey, string start = "2000-01-01T00:00:00Z", string end = "2100-01-01T00:00:00Z")
    {
        var response = await _engine.Client.QueryAsync(new QueryRequest
        {
            TableName = Table("audit"),
            KeyConditionExpression = "#pk = :pk AND #ts BETWEEN :start AND :end",
            ExpressionAttributeNames = new() { ["#pk"] = "entityType#entityId", ["#ts"] = "timestamp" },
            ExpressionAttributeValues = new()
            {
                [":pk"] = new AttributeValue { S = entityKey },
                [":start"] = new AttributeValue { S = start },
                [":end"] = new AttributeValue { S = end },
            },
        });
        return response.Items ?? [];
    }

    /// <summary>Every audit item, as canonical JSON lines in key order: equal strings mean equal tables.</summary>
    public async Task<List<string>> AuditSnapshotAsync()
    {
        var items = new List<Dictionary<string, AttributeValue>>();
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var page = await _engine.Client.ScanAsync(new ScanRequest { TableName = Table("audit"), ExclusiveStartKey = start });
            items.AddRange(page.Items ?? []);
            start = page.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        } while (start is not null);
        return items
            .Select(i => JsonSerializer.Serialize(
                new SortedDictionary<string, DynamoDBEvent.AttributeValue>(Functions.Common.DynamoDb.AttributeValueMapper.FromSdk(i), StringComparer.Ordinal)
                    .ToDictionary(), LambdaJsonContext.Default.DictionaryStringAttributeValue))
            .Order(StringComparer.Ordinal)
            .ToList();
    }
}
