using System.Globalization;
using System.Text;
using System.Text.Json;
using Amazon.DynamoDBv2.Model;
using Functions.AuditCli;
using Functions.DevKit;
using Spectre.Console;
using static Functions.LocalRun.LocalTables;

namespace Functions.LocalRun;

/// <summary>
/// Every function of the suite, end to end, on a local DynamoDB: the story the README's first
/// command tells. Each step builds on the ones before it.
/// </summary>
public sealed class SuiteStory(IAnsiConsole console, bool interactive, bool verbose)
{
    private const string Merchant = "merchant-acme";
    private static readonly string[] AnalyticsSources = ["orders", "quotes", "applications"];
    private readonly Story _story = new(console);
    private readonly string _runId = TimeProvider.System.GetUtcNow().ToString("HHmmss", CultureInfo.InvariantCulture);

    // What the steps start, stopped at the end in the reverse order (functions, client, moto_server).
    private readonly Stack<Func<ValueTask>> _cleanup = new();

    private string Order => $"order-{_runId}";
    private Dictionary<string, AttributeValue> OrderKey => Key(("orderId", Order), ("customerId#timestamp", $"cust-{_runId}#2026-01-16T12:00:00Z"));

    /// <summary>Each step is given what the steps before it made, and returns what the steps after it need.</summary>
    public async Task<int> RunAsync()
    {
        try
        {
            var suite = await _story.StepAsync("A local DynamoDB", StartAsync).ConfigureAwait(false);
            var tables = await _story.StepAsync("The environment's tables, as template.yaml defines them", () => CreateTablesAsync(suite)).ConfigureAwait(false);
            await _story.StepAsync("A morning of business changes", () => BusinessChangesAsync(suite)).ConfigureAwait(false);
            var audited = await _story.StepAsync("Each table's stream records through AuditTrailFunction, as Lambda delivers them",
                () => AuditStreamsAsync(suite, tables)).ConfigureAwait(false);
            await _story.StepAsync("The audit trail, entity by entity", () => ShowAuditTrailAsync(suite, audited)).ConfigureAwait(false);
            await _story.StepAsync("Lambda delivers at least once: every batch again", () => ReplayAuditAsync(suite, audited)).ConfigureAwait(false);
            await _story.StepAsync("Merchant analytics: the orders, quotes and applications batches, twice", () => MerchantAnalyticsAsync(suite, audited)).ConfigureAwait(false);
            await _story.StepAsync("The audit tool: a bad edit to an order, its history, the undo", () => AuditToolAsync(suite, tables, audited)).ConfigureAwait(false);
            var pitr = await _story.StepAsync("PITR guard, report only (events/pitr-report-only.json)", () => PitrReportAsync(suite)).ConfigureAwait(false);
            await _story.StepAsync("Nightly backup: a dry run, the run, and EventBridge's retry of the same night", () => NightlyBackupAsync(suite, tables)).ConfigureAwait(false);
            await _story.StepAsync("PITR guard enforcing (events/pitr-hourly.json), then its next hour", () => PitrEnforceAsync(suite, pitr, audited)).ConfigureAwait(false);
            await _story.StepAsync("Throttle responder: a throttling alarm, the same alarm again, the restore", () => ThrottleResponderAsync(suite, audited)).ConfigureAwait(false);
            console.WriteLine();
            _story.Done("Every function of the suite ran end to end.");
            return 0;
        }
        catch (StoryStoppedException)
        {
            _story.Line("Stopped there: the steps after it build on it. (--verbose adds the functions' own log lines.)");
            return 1;
        }
        finally
        {
            while (_cleanup.TryPop(out var stop)) await stop().ConfigureAwait(false);
        }
    }

    private async Task<LocalSuite> StartAsync()
    {
        SetIfUnset("AWS_ACCESS_KEY_ID", "test");
        SetIfUnset("AWS_SECRET_ACCESS_KEY", "test");
        SetIfUnset("AWS_REGION", "us-east-1");
        string endpoint;
        if (Environment.GetEnvironmentVariable(DynamoDbConnection.EndpointVariable) is { Length: > 0 } given)
        {
            endpoint = given.TrimEnd('/');
            _story.Line($"Using the endpoint in {DynamoDbConnection.EndpointVariable}: {endpoint}");
        }
        else
        {
            var moto = await MotoServer.StartAsync().ConfigureAwait(false);
            Own(moto);
            endpoint = moto.Endpoint.ToString().TrimEnd('/');
            Environment.SetEnvironmentVariable(DynamoDbConnection.EndpointVariable, endpoint);
            _story.Line($"moto_server started for this run: {endpoint} (stopped at the end)");
        }
        var repo = RepoLayout.Find();
        var region = LocalLambda.Region();
        // Business tables provisioned, as `--parameter-overrides BillingMode=PROVISIONED` deploys
        // them, so the throttle responder has something to switch.
        var context = SamTemplate.Load(repo.TemplatePath).Context(new Dictionary<string, string> { ["BillingMode"] = "PROVISIONED" }, region);
        var dynamo = LocalSuite.NewClient(endpoint, region);
        Own(dynamo);
        return new LocalSuite(endpoint, region, repo, context, $"{context.Parameters["AppName"]}-{context.Parameters["Environment"]}-", dynamo);
    }

    private void Own(IDisposable resource) => _cleanup.Push(() =>
    {
        resource.Dispose();
        return ValueTask.CompletedTask;
    });

    private async Task<SuiteTables> CreateTablesAsync(LocalSuite suite)
    {
        var definitions = TableDefinition.ReadAll(suite.Context);
        var streams = new Dictionary<string, string>();
        foreach (var table in definitions)
            if (await table.CreateAsync(suite.Dynamo).ConfigureAwait(false) is { } arn && table.StreamViewType is not null) streams[table.TableName] = arn;
        var grid = Story.Table("table", "keys", "stream", "billing");
        foreach (var table in definitions)
            grid.AddRow(table.TableName, string.Join(", ", table.KeySchema.Select(k => k.Name)), table.StreamViewType ?? "-",
                table.ProvisionedCapacity is { } c ? $"PROVISIONED {c.Read}/{c.Write}" : "PAY_PER_REQUEST");
        console.Write(grid);
        return new SuiteTables(definitions, streams);
    }

    private async Task BusinessChangesAsync(LocalSuite suite)
    {
        var (tables, prefix) = (suite.Tables, suite.Prefix);
        var customer = $"cust-{_runId}";
        var cancelledKey = Key(("orderId", $"order-{_runId}-x"), ("customerId#timestamp", $"{customer}#2026-01-16T12:30:00Z"));
        await tables.PutAsync(prefix + "customers", Item(("customerId", customer), ("timestamp", "2026-01-16T11:58:00Z"),
            ("email", "ana@example.com"), ("tier", "gold"), ("updatedBy", "signup-service"))).ConfigureAwait(false);
        await tables.PutAsync(prefix + "orders", With(OrderKey, ("merchantId", Merchant), ("status", "PENDING"), ("total", N("149.99")), ("currency", "USD"), ("updatedBy", "checkout-service"))).ConfigureAwait(false);
        await tables.UpdateAsync(prefix + "orders", OrderKey, ("status", S("PAID")), ("updatedBy", S("payments-service"))).ConfigureAwait(false);
        await tables.UpdateAsync(prefix + "orders", OrderKey, ("status", S("SHIPPED")), ("updatedBy", S("warehouse-7"))).ConfigureAwait(false);
        await tables.PutAsync(prefix + "orders", With(cancelledKey, ("merchantId", Merchant), ("status", "PENDING"), ("total", N("20")), ("currency", "USD"), ("updatedBy", "checkout-service"))).ConfigureAwait(false);
        await tables.DeleteAsync(prefix + "orders", cancelledKey).ConfigureAwait(false);
        await tables.PutAsync(prefix + "pricing-rules", Item(("ruleId", "rule-weekend"), ("effectiveDate", "2026-01-17"),
            ("discountPercent", N("10")), ("updatedBy", "pricing-team"))).ConfigureAwait(false);
        var quoteKey = Key(("quoteId", $"quote-{_runId}"), ("customerId#timestamp", $"{customer}#2026-01-16T09:00:00Z"));
        await tables.PutAsync(prefix + "quotes", With(quoteKey, ("merchantId", Merchant), ("status", "SENT"), ("total", N("1200")), ("currency", "USD"), ("updatedBy", "sales-7"))).ConfigureAwait(false);
        await tables.UpdateAsync(prefix + "quotes", quoteKey, ("status", S("ACCEPTED")), ("updatedBy", S("portal"))).ConfigureAwait(false);
        var applicationKey = Key(("applicationId", $"app-{_runId}"), ("status#timestamp", "SUBMITTED#2026-01-15T10:00:00Z"));
        await tables.PutAsync(prefix + "applications", With(applicationKey, ("merchantId", Merchant), ("status", "SUBMITTED"), ("updatedBy", "merchant-portal"))).ConfigureAwait(false);
        await tables.UpdateAsync(prefix + "applications", applicationKey, ("status", S("APPROVED")), ("updatedBy", S("risk-team"))).ConfigureAwait(false);
        _story.Line($"A customer signs up; {Order} of {Merchant} is paid then shipped, and another order is cancelled;");
        _story.Line("a quote is accepted, an application approved, and a pricing rule added.");
    }

    private async Task<AuditedStreams> AuditStreamsAsync(LocalSuite suite, SuiteTables tables)
    {
        var audit = Load(suite, "AuditTrailFunction");
        var batches = new Dictionary<string, byte[]>();
        using var streamsApi = new StreamsApi(new Uri(suite.Endpoint), suite.Region);
        var grid = Story.Table("stream of", "records", "failed");
        foreach (var (tableName, streamArn) in tables.Streams)
        {
            var records = await streamsApi.ReadAllAsync(streamArn).ConfigureAwait(false);
            if (records.Count == 0) continue;
            var payload = Encoding.UTF8.GetBytes(StreamsApi.ToLambdaEvent(records, streamArn).ToJsonString());
            batches[tableName] = payload;
            var failed = await InvokeBatchAsync(audit, payload, tableName).ConfigureAwait(false);
            grid.AddRow(tableName, records.Count.ToString(CultureInfo.InvariantCulture), failed.ToString(CultureInfo.InvariantCulture));
        }
        console.Write(grid);
        return new AuditedStreams(audit, audit.Definition.Environment["AUDIT_TABLE_NAME"], batches);
    }

    private async Task ShowAuditTrailAsync(LocalSuite suite, AuditedStreams audited)
    {
        var items = await suite.Tables.ScanAllAsync(audited.AuditTable).ConfigureAwait(false);
        _story.Line($"Audit trail in {audited.AuditTable} ({items.Count} items):");
        var grid = Story.Table("entity", "time", "event", "actor", "changed");
        foreach (var item in items.OrderBy(i => i["entityType#entityId"].S, StringComparer.Ordinal).ThenBy(i => i["timestamp"].S, StringComparer.Ordinal))
            grid.AddRow(item["entityType#entityId"].S, item["timestamp"].S[..24], item["eventName"].S,
                item.TryGetValue("actor", out var a) ? a.S : "-", item.TryGetValue("changedAttributes", out var c) ? string.Join(", ", c.SS.Order(StringComparer.Ordinal)) : "");
        console.Write(grid);
    }

    private async Task ReplayAuditAsync(LocalSuite suite, AuditedStreams audited)
    {
        var before = await suite.Tables.ScanAllAsync(audited.AuditTable).ConfigureAwait(false);
        foreach (var (tableName, payload) in audited.Batches) await InvokeBatchAsync(audited.Audit, payload, tableName).ConfigureAwait(false);
        var after = await suite.Tables.ScanAllAsync(audited.AuditTable).ConfigureAwait(false);
        _story.Check(Fingerprint(before) == Fingerprint(after),
            $"Replayed all {audited.Batches.Count} batches: the audit trail is unchanged ({after.Count} items).",
            $"Replaying the {audited.Batches.Count} batches changed the audit trail ({before.Count} items before, {after.Count} after).");
    }

    private async Task MerchantAnalyticsAsync(LocalSuite suite, AuditedStreams audited)
    {
        var analytics = Load(suite, "MerchantAnalyticsFunction");
        var analyticsTable = suite.Prefix + "merchant-analytics";
        var sources = AnalyticsSources.Select(s => suite.Prefix + s).ToList();
        foreach (var source in sources) await InvokeBatchAsync(analytics, audited.Batches[source], source).ConfigureAwait(false);
        var counted = await suite.Tables.ScanAllAsync(analyticsTable).ConfigureAwait(false);
        foreach (var source in sources) await InvokeBatchAsync(analytics, audited.Batches[source], source).ConfigureAwait(false);
        var countedOnce = Fingerprint(counted) == Fingerprint(await suite.Tables.ScanAllAsync(analyticsTable).ConfigureAwait(false));

        _story.Line($"Merchant analytics in {analyticsTable} ({counted.Count} items):");
        foreach (var merchant in counted.GroupBy(i => i["merchantId"].S).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var byKey = merchant.OrderBy(i => i["eventType#timestamp"].S, StringComparer.Ordinal).ToList();
            var events = byKey.Where(i => !i["eventType#timestamp"].S.StartsWith("daily.", StringComparison.Ordinal))
                .GroupBy(i => i["eventType"].S).Select(g => g.Count() == 1 ? g.Key : $"{g.Key} x{g.Count()}");
            _story.Line($"{merchant.Key} events: {string.Join(", ", events)}");
            var grid = Story.Table($"{merchant.Key}'s rollup", "count", "totals");
            foreach (var rollup in byKey.Where(i => i["eventType#timestamp"].S.StartsWith("daily.", StringComparison.Ordinal)))
                grid.AddRow(rollup["eventType#timestamp"].S, rollup["count"].N,
                    string.Join(", ", rollup.Keys.Where(k => k.StartsWith("total", StringComparison.Ordinal)).Order(StringComparer.Ordinal).Select(k => $"{k} {rollup[k].N}")));
            console.Write(grid);
        }
        _story.Check(countedOnce, "Replayed the three batches: the analytics are unchanged, every change counted once.",
            "Replaying the three batches changed the merchant analytics: a change was counted twice.");
    }

    private async Task AuditToolAsync(LocalSuite suite, SuiteTables tables, AuditedStreams audited)
    {
        var orders = suite.Prefix + "orders";
        Task AuditOrdersAsync() => AuditStreamAgainAsync(suite, tables.Streams[orders], audited.Audit, orders);
        Task AuditCliAsync(params string[] args) => RunAuditCliAsync(suite, args);

        _story.Line($"ops-console edits {Order} by hand, by mistake: status CANCELLED, total 0.");
        await suite.Tables.UpdateAsync(orders, OrderKey, ("status", S("CANCELLED")), ("total", N("0")), ("updatedBy", S("ops-console"))).ConfigureAwait(false);
        await AuditOrdersAsync().ConfigureAwait(false);
        await AuditCliAsync("history", "order", Order).ConfigureAwait(false);

        // The timestamp as `history` prints it, which the operator copies.
        var shippedShort = AuditChange.FromItem((await suite.Tables.ScanAllAsync(audited.AuditTable).ConfigureAwait(false))
            .Single(i => i["entityType#entityId"].S == $"order#{Order}" && i.GetValueOrDefault("actor")?.S == "warehouse-7")).ShortTimestamp;
        _story.Line("The operator puts it back as it was right after it shipped (the timestamp from `history`):");
        await AuditCliAsync("undo", "order", Order, "--to", shippedShort, "--actor", "alice").ConfigureAwait(false);

        await AuditOrdersAsync().ConfigureAwait(false);
        _story.Line("The undo is a change like any other: its stream record reaches the audit trail, naming alice.");
        await AuditCliAsync("history", "order", Order).ConfigureAwait(false);
        var now = await suite.Tables.GetAsync(orders, OrderKey).ConfigureAwait(false);
        _story.Check(now is not null && now["status"].S == "SHIPPED" && now["total"].N == "149.99" && now["updatedBy"].S == "alice",
            $"{Order} is SHIPPED again with its total of 149.99, put back by alice.",
            $"{Order} is not as it was when it shipped: {(now is null ? "it is gone" : Json(now))}.");
    }

    /// <summary>A table's stream again, whole, through the audit function: new records land, the old ones are rewritten as they were.</summary>
    private static async Task AuditStreamAgainAsync(LocalSuite suite, string streamArn, LocalFunction audit, string table)
    {
        using var streamsApi = new StreamsApi(new Uri(suite.Endpoint), suite.Region);
        var payload = Encoding.UTF8.GetBytes(StreamsApi.ToLambdaEvent(await streamsApi.ReadAllAsync(streamArn).ConfigureAwait(false), streamArn).ToJsonString());
        await InvokeBatchAsync(audit, payload, table).ConfigureAwait(false);
    }

    private async Task RunAuditCliAsync(LocalSuite suite, string[] args)
    {
        console.Write(new Markup($"[grey]$ dotnet run --project tools/AuditCli -- {Markup.Escape(string.Join(' ', args))}[/]\n"));
        var exitCode = await AuditCommandLine.RunAsync(args, new CliContext
        {
            Out = System.Console.Out,
            Error = System.Console.Error,
            Interactive = interactive,
            ClientFactory = _ => suite.NewClient(),
        }).ConfigureAwait(false);
        if (exitCode != ExitCodes.Ok) throw new StoryCheckException($"the audit tool exited with {exitCode} (`{string.Join(' ', args)}`).");
    }

    /// <returns>The PITR guard, warm, for the enforcing step.</returns>
    private async Task<LocalFunction> PitrReportAsync(LocalSuite suite)
    {
        var pitr = Load(suite, "PitrGuardFunction");
        var report = await PitrCheckAsync(suite, pitr, "pitr-report-only.json").ConfigureAwait(false);
        var grid = Story.Table("table", "outcome", "reason", "findings");
        foreach (var table in report.GetProperty("tables").EnumerateArray())
            grid.AddRow(table.GetProperty("table").GetString()!, table.GetProperty("outcome").GetString()!,
                table.TryGetProperty("reason", out var r) ? r.GetString() ?? "" : "",
                string.Join(", ", table.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("code").GetString())));
        console.Write(grid);
        return pitr;
    }

    /// <summary>One run of the PITR guard: its counts in one line; returns its report.</summary>
    private async Task<JsonElement> PitrCheckAsync(LocalSuite suite, LocalFunction pitr, string file)
    {
        var report = JsonDocument.Parse(await pitr.InvokeAsync(await Event(suite, file).ConfigureAwait(false)).ConfigureAwait(false)).RootElement;
        var counts = report.GetProperty("counts");
        _story.Line($"{report.GetProperty("mode").GetString(),-8} " + string.Join(", ",
            counts.EnumerateObject().Where(c => c.Name is not ("tables" or "checked")).Select(c => $"{c.Value.GetInt32()} {c.Name}")));
        return report;
    }

    private async Task NightlyBackupAsync(LocalSuite suite, SuiteTables tables)
    {
        var backup = Load(suite, "NightlyBackupFunction");
        var runs = Story.Table("run", "event", "night", "tables", "pruned", "failed");
        foreach (var (label, file) in new[] { ("dry run", "backup-dry-run.json"), ("run", "backup-nightly.json"), ("retry", "backup-nightly.json") })
        {
            var summary = JsonDocument.Parse(await backup.InvokeAsync(await Event(suite, file).ConfigureAwait(false)).ConfigureAwait(false)).RootElement;
            var counts = summary.GetProperty("counts");
            var outcomes = summary.GetProperty("tables").EnumerateArray().GroupBy(t => t.GetProperty("outcome").GetString()).Select(g => $"{g.Count()} {g.Key}");
            runs.AddRow(label, $"events/{file}", summary.GetProperty("night").GetString()!, string.Join(", ", outcomes),
                counts.GetProperty("pruned").GetInt32().ToString(CultureInfo.InvariantCulture), counts.GetProperty("failed").GetInt32().ToString(CultureInfo.InvariantCulture));
        }
        console.Write(runs);
        var backups = Story.Table("table", "backups");
        var onePerTable = true;
        foreach (var table in tables.Definitions)
        {
            var names = (await suite.Dynamo.ListBackupsAsync(new ListBackupsRequest { TableName = table.TableName }).ConfigureAwait(false)).BackupSummaries?
                .Select(b => $"{b.BackupName} ({b.BackupStatus})").ToList() ?? [];
            onePerTable &= names.Count(n => n.StartsWith($"{table.TableName}-20261123 ", StringComparison.Ordinal)) == 1;
            backups.AddRow(table.TableName, string.Join(", ", names));
        }
        console.Write(backups);
        _story.Check(onePerTable, "One backup per table for the night, whatever the retries.", "Not one backup per table for the night.");
    }

    private async Task PitrEnforceAsync(LocalSuite suite, LocalFunction pitr, AuditedStreams audited)
    {
        await PitrCheckAsync(suite, pitr, "pitr-hourly.json").ConfigureAwait(false);
        var second = await PitrCheckAsync(suite, pitr, "pitr-hourly.json").ConfigureAwait(false);
        var records = (await suite.Tables.ScanAllAsync(audited.AuditTable).ConfigureAwait(false)).Where(i => i["entityType#entityId"].S.StartsWith("table#", StringComparison.Ordinal)).ToList();
        _story.Line($"audit records of table changes: {records.Count} ({string.Join(", ", records.Select(i => i["eventName"].S).Distinct())})");
        _story.Check(second.GetProperty("counts").GetProperty("remediated").GetInt32() == 0,
            "Every table fixed once and audited once; the next hour finds nothing to do.", "The second hourly run fixed tables again.");
    }

    private async Task ThrottleResponderAsync(LocalSuite suite, AuditedStreams audited)
    {
        var throttle = Load(suite, "ThrottleResponderFunction");
        var orders = suite.Prefix + "orders";
        var grid = Story.Table("delivery (events/)", "outcome", $"{orders} is", "reason");
        var asExpected = true;
        foreach (var (label, file, expected) in new[]
                 {
                     ("alarm via SNS", "alarm-sns-write-throttle.json", "switched"),
                     ("same alarm via EventBridge", "alarm-eventbridge-write-throttle.json", "already-on-demand"),
                     ("restore", "throttle-restore.json", "restored"),
                 })
        {
            var result = JsonDocument.Parse(await throttle.InvokeAsync(await Event(suite, file).ConfigureAwait(false)).ConfigureAwait(false)).RootElement.GetProperty("results")[0];
            var billing = (await suite.Dynamo.DescribeTableAsync(orders).ConfigureAwait(false)).Table.BillingModeSummary?.BillingMode?.Value ?? "PROVISIONED";
            var outcome = result.GetProperty("outcome").GetString()!;
            asExpected &= outcome == expected;
            grid.AddRow($"{label} ({file})", outcome, billing, result.GetProperty("reason").GetString() ?? "");
        }
        console.Write(grid);
        var records = Story.Table($"audit record of table#{orders}", "before", "after");
        foreach (var item in (await suite.Tables.ScanAllAsync(audited.AuditTable).ConfigureAwait(false))
                 .Where(i => i["entityType#entityId"].S == $"table#{orders}" && i["eventName"].S != "PITR_ENABLED"))
            records.AddRow(item["eventName"].S, Json(item["before"].M), Json(item["after"].M));
        console.Write(records);
        _story.Check(asExpected, "Switched once, the second delivery found nothing to do, and the restore put the capacity back.",
            "The throttle responder's outcomes were not switched, already-on-demand, restored.");
    }

    private LocalFunction Load(LocalSuite suite, string logicalId)
    {
        var function = new LocalFunction(FunctionDefinition.Read(suite.Context, logicalId), suite.Repo, suite.Region, verbose);
        _cleanup.Push(function.DisposeAsync);
        return function;
    }

    private static Task<byte[]> Event(LocalSuite suite, string file) => File.ReadAllBytesAsync(Path.Combine(suite.Repo.EventsDirectory, file));

    /// <summary>
    /// One stream batch through a function; a record it reports as failed stops the story. Replays
    /// included: a replay whose records all failed would leave the tables unchanged, and the check
    /// that a replay changes nothing would hold for the wrong reason.
    /// </summary>
    /// <returns>The records reported as failed: none, when it returns.</returns>
    private static async Task<int> InvokeBatchAsync(LocalFunction function, byte[] payload, string table)
    {
        var failed = JsonDocument.Parse(await function.InvokeAsync(payload).ConfigureAwait(false)).RootElement.GetProperty("batchItemFailures").GetArrayLength();
        if (failed > 0) throw new StoryCheckException($"{function.Definition.LogicalId} reported {failed} records of {table} as failed.");
        return failed;
    }

    private static void SetIfUnset(string name, string value)
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(name))) Environment.SetEnvironmentVariable(name, value);
    }
}
