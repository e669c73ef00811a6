using System.Diagnostics;
using System.Text.RegularExpressions;
using Amazon.Runtime;

namespace Functions.IntegrationTests;

/// <summary>
/// Each function's published package run as Lambda runs it: a process started the way the
/// dotnet10 runtime's bootstrap starts an executable Handler, its events served by a local
/// Runtime API, moto_server behind it. What the in-process tests cannot show: that the program
/// starts, serves cold and warm events, answers errors on the right route, and keeps Lambda's
/// deadline.
/// </summary>
[Collection(PackagedFunctionsCollection.Name)]
public sealed class PackagedFunctionTests(MotoFixture moto, FunctionPackagesFixture packages)
{
    private static readonly RepoLayout Repo = RepoLayout.Find(AppContext.BaseDirectory);

    public static TheoryData<string> Functions() => new(FunctionDefinition.LogicalIds(SamTemplate.Load(Repo.TemplatePath)));

    [Fact]
    public async Task The_audit_trail_answers_a_cold_and_a_warm_event_with_their_audit_items()
    {
        var app = await TablesAsync();
        await using var lambda = Lambda(app, "AuditTrailFunction");

        var cold = await InvokeAsync(lambda, Event(app, "orders-insert.json"));
        var coldProcess = lambda.ProcessId;
        var warm = await InvokeAsync(lambda, Event(app, "orders-modify.json"));

        Assert.Equal((true, false), (cold.ColdStart, warm.ColdStart));
        Assert.Equal(coldProcess, lambda.ProcessId);
        Assert.All([cold, warm], r => Assert.Empty(r.Json().GetProperty("batchItemFailures").EnumerateArray()));
        var trail = await moto.Client.QueryAsync(new QueryRequest
        {
            TableName = $"{app}-dev-audit",
            KeyConditionExpression = "#k = :k",
            ExpressionAttributeNames = new() { ["#k"] = "entityType#entityId" },
            ExpressionAttributeValues = new() { [":k"] = new AttributeValue { S = "order#order-123" } },
        });
        Assert.Equal(["INSERT", "MODIFY"], trail.Items.Select(i => i["eventName"].S));
    }

    [Fact]
    public async Task Merchant_analytics_answers_a_cold_and_a_warm_event_with_the_merchants_events()
    {
        var app = await TablesAsync();
        await using var lambda = Lambda(app, "MerchantAnalyticsFunction");

        var cold = await InvokeAsync(lambda, Event(app, "analytics-order-created-paid-cancelled.json"));
        var afterOrders = await MerchantItemsAsync(app);
        var warm = await InvokeAsync(lambda, Event(app, "analytics-quote-accepted.json"));
        var afterQuote = await MerchantItemsAsync(app);

        Assert.Equal((true, false), (cold.ColdStart, warm.ColdStart));
        Assert.All([cold, warm], r => Assert.Empty(r.Json().GetProperty("batchItemFailures").EnumerateArray()));
        Assert.Contains(afterOrders, k => k.StartsWith("order.paid#", StringComparison.Ordinal));
        Assert.DoesNotContain(afterOrders, k => k.StartsWith("quote.", StringComparison.Ordinal));
        Assert.Contains(afterQuote, k => k.StartsWith("quote.accepted#", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_nightly_backup_answers_a_cold_and_a_warm_event_with_one_backup_per_table()
    {
        var app = await TablesAsync();
        await using var lambda = Lambda(app, "NightlyBackupFunction");

        var cold = (await InvokeAsync(lambda, Event(app, "backup-two-tables.json"))).Json();
        var warm = (await InvokeAsync(lambda, Event(app, "backup-nightly.json"))).Json();

        Assert.Equal(2, cold.GetProperty("counts").GetProperty("created").GetInt32());
        Assert.Equal((6, 2), (warm.GetProperty("counts").GetProperty("created").GetInt32(), warm.GetProperty("counts").GetProperty("skipped").GetInt32()));
        foreach (var table in TableNames(app))
            Assert.Single((await moto.Client.ListBackupsAsync(new ListBackupsRequest { TableName = table })).BackupSummaries);
    }

    [Fact]
    public async Task The_pitr_guard_answers_a_cold_and_a_warm_event_reporting_then_enforcing()
    {
        var app = await TablesAsync();
        await using var lambda = Lambda(app, "PitrGuardFunction");

        var cold = (await InvokeAsync(lambda, Event(app, "pitr-report-only.json"))).Json();
        var warm = (await InvokeAsync(lambda, Event(app, "pitr-hourly.json"))).Json();

        Assert.Equal(8, cold.GetProperty("counts").GetProperty("nonCompliant").GetInt32());
        Assert.Equal(8, warm.GetProperty("counts").GetProperty("remediated").GetInt32());
        foreach (var table in TableNames(app))
            Assert.Equal("ENABLED", (await moto.Client.DescribeContinuousBackupsAsync(new DescribeContinuousBackupsRequest { TableName = table }))
                .ContinuousBackupsDescription.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus);
    }

    [Fact]
    public async Task The_throttle_responder_answers_a_cold_and_a_warm_event_switching_then_restoring()
    {
        var app = await TablesAsync(billingMode: "PROVISIONED");
        await using var lambda = Lambda(app, "ThrottleResponderFunction", billingMode: "PROVISIONED");

        var cold = (await InvokeAsync(lambda, Event(app, "alarm-sns-write-throttle.json"))).Json();
        var switched = await BillingModeAsync($"{app}-dev-orders");
        var warm = (await InvokeAsync(lambda, Event(app, "throttle-restore.json"))).Json();

        Assert.Equal("switched", cold.GetProperty("results")[0].GetProperty("outcome").GetString());
        Assert.Equal("PAY_PER_REQUEST", switched);
        Assert.Equal("restored", warm.GetProperty("results")[0].GetProperty("outcome").GetString());
        Assert.Equal("PROVISIONED", await BillingModeAsync($"{app}-dev-orders"));
    }

    [Theory]
    [MemberData(nameof(Functions))]
    public async Task A_handler_error_is_answered_on_the_error_route_and_the_process_serves_the_next_event(string logicalId)
    {
        var app = await TablesAsync();
        await using var lambda = Lambda(app, logicalId);

        var refused = await lambda.InvokeAsync("[]"u8.ToArray());
        var process = lambda.ProcessId;
        var next = await lambda.InvokeAsync("[]"u8.ToArray());

        Assert.NotNull(refused.Error);
        Assert.Equal(("InvalidEventException", "InvalidEventException", "invoke"), (refused.Error.ErrorType, refused.Error.HeaderType, refused.Error.Phase));
        Assert.NotEmpty(refused.Error.ErrorMessage);
        Assert.NotEmpty(refused.Error.StackTrace);
        Assert.Contains(Lines(refused), l => l.GetProperty("message").GetString() == "invocation failed"
                                              && l.GetProperty("function_request_id").GetString() == refused.RequestId);
        Assert.False(next.ColdStart); // the same process, still serving
        Assert.Equal(process, lambda.ProcessId);
        Assert.Equal("InvalidEventException", next.Error?.ErrorType);
    }

    [Theory]
    [MemberData(nameof(Functions))]
    public async Task A_failed_init_is_reported_on_init_error_and_the_process_exits_non_zero(string logicalId)
    {
        var app = await TablesAsync();
        await using var lambda = Lambda(app, logicalId, environment: new() { ["TABLE_PREFIX"] = "", ["APP_NAME"] = "" });

        var result = await lambda.InvokeAsync(Event(app, "orders-insert.json"));

        Assert.NotNull(result.Error);
        Assert.Equal(("init", "InvalidOperationException"), (result.Error.Phase, result.Error.ErrorType));
        Assert.Contains("TABLE_PREFIX", result.Error.ErrorMessage, StringComparison.Ordinal);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(result.Output, l => l.StartsWith("lambda runtime: init failed", StringComparison.Ordinal));
        Assert.Null(lambda.ProcessId);
    }

    /// <summary>
    /// With 20 s to go (a 2 s margin: room for a machine busy with other jobs) behind a slow
    /// network (round trips of 8 s for the stream functions, 3 s for the scheduled ones, 5 s for
    /// the responder), more work than fits: each function stops at its cutoff, says what it did
    /// not do, and answers before Lambda's deadline. What follows the cutoff costs time too (a
    /// WARN line per unwritten record). A binary run under an emulator (CI's arm64 run, under
    /// qemu: processor work several times slower, more so on a busy machine) gets every time
    /// stretched alike, round trips and deadline: the same cutoff in the same round, with the
    /// margin (a tenth of the time left) 5 s instead of 2 s; merchant analytics' 1,000 WARN lines
    /// and its response once took more than 2 s there.
    /// </summary>
    [Theory]
    [MemberData(nameof(Functions))]
    public async Task Near_its_deadline_a_function_stops_at_the_cutoff_and_reports_what_was_not_done(string logicalId)
    {
        var billing = logicalId == "ThrottleResponderFunction" ? "PROVISIONED" : "PAY_PER_REQUEST";
        // An account of its own: ListTables pages through every table of the account, and the
        // shared moto_server holds thousands by now, each page a slow round trip.
        using var account = await MotoServer.StartAsync();
        using var client = new AmazonDynamoDBClient(new BasicAWSCredentials("test", "test"),
            new AmazonDynamoDBConfig { ServiceURL = account.Endpoint.ToString(), AuthenticationRegion = MotoFixture.Region });
        var app = await TablesAsync(billing, client);
        var stretch = packages.For(FunctionDefinition.Read(Context(app, billing), logicalId)).Emulator() is null ? 1.0 : 2.5;
        using var slow = new LatencyProxy(account.Endpoint, TimeSpan.FromSeconds(stretch * logicalId switch
        {
            "AuditTrailFunction" or "MerchantAnalyticsFunction" => 8,
            "ThrottleResponderFunction" => 5,
            _ => 3,
        }));
        await using var lambda = Lambda(app, logicalId, billing, endpoint: slow.Endpoint);
        var payload = logicalId switch
        {
            // A batch of the template's size (100): 4 BatchWriteItem, 1, 2 and 1 in flight, the last cut off.
            "AuditTrailFunction" => Encoding.UTF8.GetBytes(SyntheticStreamBatch.Orders(StreamArn(app), 100, merchants: 10)),
            // 1,000 changes of 10 merchants: 11 transactions, 4 at a time, the third round cut off.
            "MerchantAnalyticsFunction" => Encoding.UTF8.GetBytes(SyntheticStreamBatch.Orders(StreamArn(app), 1000, merchants: 10)),
            "NightlyBackupFunction" => Event(app, "backup-nightly.json"),
            "PitrGuardFunction" => Event(app, "pitr-hourly.json"),
            _ => Event(app, "alarm-sns-write-throttle.json"),
        };

        var timeout = TimeSpan.FromSeconds(20 * stretch);
        var result = await lambda.InvokeAsync(payload, timeout: timeout);

        Assert.True(result.Duration < timeout, $"answered after {result.Duration.TotalSeconds:0.00} s:\n{string.Join('\n', result.Output)}");
        Assert.NotEqual("Sandbox.Timedout", result.Error?.ErrorType);
        switch (logicalId)
        {
            case "AuditTrailFunction" or "MerchantAnalyticsFunction":
                Assert.Null(result.Error);
                Assert.InRange(result.Json().GetProperty("batchItemFailures").GetArrayLength(), 1, 1000);
                break;
            case "ThrottleResponderFunction":
                Assert.Equal("ThrottleResponseFailedException", result.Error?.ErrorType);
                Assert.Contains("time budget ran out", result.Error!.ErrorMessage, StringComparison.Ordinal);
                break;
            default:
                Assert.NotNull(result.Error);
                Assert.Matches(new Regex("[1-9][0-9]* were not reached"), result.Error.ErrorMessage);
                break;
        }
    }

    [Theory]
    [MemberData(nameof(Functions))]
    public async Task Every_line_of_an_invocation_carries_its_request_and_trace_ids(string logicalId)
    {
        var app = await TablesAsync();
        await using var lambda = Lambda(app, logicalId);
        const string Trace = "Root=1-67891233-abcdef012345678912345678;Parent=463ac35c9f6413ad;Sampled=1";

        var result = await lambda.InvokeAsync(Encoding.UTF8.GetBytes(SampleFor(app, logicalId)), traceId: Trace);

        var lines = Lines(result);
        Assert.NotEmpty(lines);
        Assert.All(lines, l => Assert.Equal((result.RequestId, Trace),
            (l.GetProperty("function_request_id").GetString(), l.GetProperty("xray_trace_id").GetString())));
    }

    [Fact]
    public async Task Sigterm_lets_the_event_in_hand_finish_and_be_answered_then_the_process_exits()
    {
        var app = await TablesAsync();
        using var slow = new LatencyProxy(moto.Endpoint, TimeSpan.FromMilliseconds(300));
        LocalRuntimeApi? api = null;
        await using var lambda = Lambda(app, "NightlyBackupFunction", endpoint: slow.Endpoint, onStart: started => api = started);

        var invocation = lambda.InvokeAsync(Event(app, "backup-nightly.json"), timeout: TimeSpan.FromSeconds(60));
        var waiting = Stopwatch.StartNew();
        while (api?.EventsDelivered is not 1 && !invocation.IsCompleted && waiting.Elapsed < TimeSpan.FromSeconds(30))
            await Task.Delay(20);
        await Task.Delay(800); // the run is in the middle of its calls (each takes 300 ms)
        Assert.False(invocation.IsCompleted, "the run ended before SIGTERM could reach it");
        var exit = lambda.TerminateAsync(TimeSpan.FromSeconds(60));
        var result = await invocation;

        Assert.Null(result.Error);
        Assert.Equal(8, result.Json().GetProperty("counts").GetProperty("created").GetInt32());
        Assert.Equal(0, await exit);
    }

    [Fact]
    public async Task A_runtime_api_answering_500_ends_the_process_with_a_clear_line()
    {
        var app = await TablesAsync();
        await using var lambda = Lambda(app, "PitrGuardFunction", onStart: api => api.Faults["response"] = 500);

        var result = await lambda.InvokeAsync(Event(app, "pitr-report-only.json"));

        Assert.Equal("Runtime.ExitError", result.Error?.ErrorType);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(result.Output, l => l.StartsWith("lambda runtime: the Runtime API answered 500 to POST invocation/", StringComparison.Ordinal));
    }

    private async Task<string> TablesAsync(string billingMode = "PAY_PER_REQUEST", AmazonDynamoDBClient? client = null)
    {
        var app = "pk" + Guid.NewGuid().ToString("N")[..10];
        await TestTemplate.CreateTablesAsync(Context(app, billingMode), client ?? moto.Client);
        return app;
    }

    private static TemplateContext Context(string app, string billingMode)
        => TestTemplate.Context(app, new Dictionary<string, string> { ["BillingMode"] = billingMode });

    private LocalLambda Lambda(string app, string logicalId, string billingMode = "PAY_PER_REQUEST", Uri? endpoint = null,
        Dictionary<string, string?>? environment = null, Action<LocalRuntimeApi>? onStart = null)
    {
        var function = FunctionDefinition.Read(Context(app, billingMode), logicalId);
        var variables = ToolProcess.MotoEnvironment(endpoint ?? moto.Endpoint, MotoFixture.Region);
        foreach (var (name, value) in environment ?? []) variables[name] = value;
        return new LocalLambda(packages.For(function), function, MotoFixture.Region, variables, onStart: onStart, bootstrap: packages.Bootstrap);
    }

    private static async Task<InvocationResult> InvokeAsync(LocalLambda lambda, byte[] payload)
    {
        var result = await lambda.InvokeAsync(payload);
        Assert.True(result.Error is null, $"{result.Error?.ErrorType}: {result.Error?.ErrorMessage}\n{string.Join('\n', result.Output)}");
        return result;
    }

    private static byte[] Event(string app, string file)
        => Encoding.UTF8.GetBytes(File.ReadAllText(Path.Combine(Repo.EventsDirectory, file)).Replace("maip-dev-", $"{app}-dev-", StringComparison.Ordinal));

    private static string SampleFor(string app, string logicalId) => Encoding.UTF8.GetString(Event(app, logicalId switch
    {
        "AuditTrailFunction" => "orders-insert.json",
        "MerchantAnalyticsFunction" => "analytics-order-created-paid-cancelled.json",
        "NightlyBackupFunction" => "backup-dry-run.json",
        "PitrGuardFunction" => "pitr-report-only.json",
        _ => "alarm-sns-ok.json",
    }));

    private static string StreamArn(string app) => $"arn:aws:dynamodb:{MotoFixture.Region}:123456789012:table/{app}-dev-orders/stream/2026-01-16T00:00:00.000";

    private static IEnumerable<string> TableNames(string app) => TableDefinition.ReadAll(Context(app, "PAY_PER_REQUEST")).Select(t => t.TableName);

    private async Task<List<string>> MerchantItemsAsync(string app)
        => (await moto.Client.QueryAsync(new QueryRequest
        {
            TableName = $"{app}-dev-merchant-analytics",
            KeyConditionExpression = "merchantId = :m",
            ExpressionAttributeValues = new() { [":m"] = new AttributeValue { S = "merchant-acme" } },
        })).Items.Select(i => i["eventType#timestamp"].S).ToList();

    private async Task<string> BillingModeAsync(string table)
        => (await moto.Client.DescribeTableAsync(table)).Table.BillingModeSummary?.BillingMode?.Value ?? "PROVISIONED";

    /// <summary>The JSON lines the function wrote during the invocation (logs and EMF records).</summary>
    private static List<JsonElement> Lines(InvocationResult result)
        => result.Output.Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
}

/// <summary>
/// A moto_server of their own: these tests mostly wait (on processes, on slow networks), so they
/// run beside the other moto tests instead of after them.
/// </summary>
[CollectionDefinition(Name)]
public sealed class PackagedFunctionsCollection : ICollectionFixture<MotoFixture>, ICollectionFixture<FunctionPackagesFixture>
{
    public const string Name = "packaged functions";
}
