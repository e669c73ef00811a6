using System.Globalization;
using System.Text;
using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.DocumentModel;
using Amazon.DynamoDBv2.Model;
using Functions.DevKit;

// dotnet run --project tools/LocalRun
// Uses AWS_ENDPOINT_URL_DYNAMODB when it is set (a moto_server you run); otherwise starts one.
var ownMoto = Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_DYNAMODB") is not { Length: > 0 };
using var moto = ownMoto ? await MotoServer.StartAsync() : null;
var endpoint = moto?.Endpoint.ToString().TrimEnd('/') ?? Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_DYNAMODB")!;
SetIfUnset("AWS_ACCESS_KEY_ID", "test");
SetIfUnset("AWS_SECRET_ACCESS_KEY", "test");
SetIfUnset("AWS_REGION", "us-east-1");
Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_DYNAMODB", endpoint);
Console.WriteLine($"moto_server: {endpoint}{(ownMoto ? " (started for this run)" : "")}");

var repo = RepoLayout.Find();
var template = SamTemplate.Load(repo.TemplatePath);
var region = LocalFunctionHost.Region();
// Business tables provisioned, as `--parameter-overrides BillingMode=PROVISIONED` deploys them,
// so the throttle responder has something to switch.
var context = template.Context(new Dictionary<string, string> { ["BillingMode"] = "PROVISIONED" }, region);
var prefix = $"{context.Parameters["AppName"]}-{context.Parameters["Environment"]}-";
using var dynamo = new AmazonDynamoDBClient(new AmazonDynamoDBConfig { ServiceURL = endpoint, AuthenticationRegion = region });

// 1. The environment's tables, exactly as template.yaml defines them.
var tables = TableDefinition.ReadAll(context);
var streams = new Dictionary<string, string>();
foreach (var table in tables)
    if (await table.CreateAsync(dynamo) is { } arn && table.StreamViewType is not null) streams[table.TableName] = arn;
Console.WriteLine($"tables: {string.Join(", ", tables.Select(t => t.TableName))} (business tables PROVISIONED, BillingMode=PROVISIONED)");

// 2. A morning of business changes.
var runId = DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture);
var order = $"order-{runId}";
var cancelled = $"order-{runId}-x";
var customer = $"cust-{runId}";
var orderKey = Key(("orderId", order), ("customerId#timestamp", $"{customer}#2026-01-16T12:00:00Z"));
var cancelledKey = Key(("orderId", cancelled), ("customerId#timestamp", $"{customer}#2026-01-16T12:30:00Z"));
await Put(prefix + "customers", Item(("customerId", customer), ("timestamp", "2026-01-16T11:58:00Z"),
    ("email", "ana@example.com"), ("tier", "gold"), ("updatedBy", "signup-service")));
const string Merchant = "merchant-acme";
await Put(prefix + "orders", With(orderKey, ("merchantId", Merchant), ("status", "PENDING"), ("total", N("149.99")), ("currency", "USD"), ("updatedBy", "checkout-service")));
await Update(prefix + "orders", orderKey, "SET #s = :s, updatedBy = :by", ("PAID", "payments-service"));
await Update(prefix + "orders", orderKey, "SET #s = :s, updatedBy = :by", ("SHIPPED", "warehouse-7"));
await Put(prefix + "orders", With(cancelledKey, ("merchantId", Merchant), ("status", "PENDING"), ("total", N("20")), ("currency", "USD"), ("updatedBy", "checkout-service")));
await dynamo.DeleteItemAsync(prefix + "orders", cancelledKey);
await Put(prefix + "pricing-rules", Item(("ruleId", "rule-weekend"), ("effectiveDate", "2026-01-17"),
    ("discountPercent", N("10")), ("updatedBy", "pricing-team")));
var quoteKey = Key(("quoteId", $"quote-{runId}"), ("customerId#timestamp", $"{customer}#2026-01-16T09:00:00Z"));
await Put(prefix + "quotes", With(quoteKey, ("merchantId", Merchant), ("status", "SENT"), ("total", N("1200")), ("currency", "USD"), ("updatedBy", "sales-7")));
await Update(prefix + "quotes", quoteKey, "SET #s = :s, updatedBy = :by", ("ACCEPTED", "portal"));
var applicationKey = Key(("applicationId", $"app-{runId}"), ("status#timestamp", "SUBMITTED#2026-01-15T10:00:00Z"));
await Put(prefix + "applications", With(applicationKey, ("merchantId", Merchant), ("status", "SUBMITTED"), ("updatedBy", "merchant-portal")));
await Update(prefix + "applications", applicationKey, "SET #s = :s, updatedBy = :by", ("APPROVED", "risk-team"));
Console.WriteLine("business changes: 1 customer, 2 orders of merchant-acme (one paid and shipped, one cancelled), a quote accepted, an application approved, 1 pricing rule");

// 3. Each table's real stream records, as Lambda delivers them, through AuditTrailFunction.
var function = FunctionDefinition.Read(context, "AuditTrailFunction");
LocalFunctionHost.ApplyEnvironment(function, region);
var handler = LocalFunctionHost.Load(repo, function);
using var streamsApi = new StreamsApi(new Uri(endpoint), region);
var events = new List<byte[]>();
var batchesByTable = new Dictionary<string, byte[]>();
foreach (var (tableName, streamArn) in streams)
{
    var records = await streamsApi.ReadAllAsync(streamArn);
    if (records.Count == 0) continue;
    var payload = Encoding.UTF8.GetBytes(StreamsApi.ToLambdaEvent(records, streamArn).ToJsonString());
    events.Add(payload);
    batchesByTable[tableName] = payload;
    var response = await handler.InvokeAsync(payload, TimeSpan.FromSeconds(function.TimeoutSeconds));
    Console.WriteLine($"AuditTrailFunction <- {records.Count,3} records of {tableName,-28} -> {Encoding.UTF8.GetString(response ?? [])}");
}

// 4. The audit trail, one entity at a time, as an operator would query it.
var auditTable = function.Environment["AUDIT_TABLE_NAME"];
var before = await ScanAll(auditTable);
Console.WriteLine();
Console.WriteLine($"Audit trail in {auditTable} ({before.Count} items):");
foreach (var entity in before.GroupBy(i => i["entityType#entityId"].S).OrderBy(g => g.Key, StringComparer.Ordinal))
{
    Console.WriteLine($"  {entity.Key}");
    foreach (var item in entity.OrderBy(i => i["timestamp"].S, StringComparer.Ordinal))
    {
        var changed = item.TryGetValue("changedAttributes", out var c) ? $"  changed: {string.Join(", ", c.SS)}" : "";
        var actor = item.TryGetValue("actor", out var a) ? $"  by {a.S}" : "";
        Console.WriteLine($"    {item["timestamp"].S[..24]}  {item["eventName"].S,-6}{actor}{changed}");
    }
}

// 5. Lambda delivers at least once: replaying every batch must leave the trail as it is.
foreach (var payload in events) await handler.InvokeAsync(payload, TimeSpan.FromSeconds(function.TimeoutSeconds));
var after = await ScanAll(auditTable);
var unchanged = Fingerprint(before) == Fingerprint(after);
Console.WriteLine();
Console.WriteLine($"Replayed all {events.Count} batches: audit trail {(unchanged ? "unchanged" : "CHANGED")} ({after.Count} items).");
Console.WriteLine();
Console.WriteLine("Query one entity's history (the runbook query), against this moto or AWS:");
Console.WriteLine($"  aws dynamodb query --table-name {auditTable} \\");
Console.WriteLine("    --key-condition-expression '#pk = :pk AND #ts BETWEEN :start AND :end' \\");
Console.WriteLine("    --expression-attribute-names '{\"#pk\":\"entityType#entityId\",\"#ts\":\"timestamp\"}' \\");
Console.WriteLine($"    --expression-attribute-values '{{\":pk\":{{\"S\":\"order#{order}\"}},\":start\":{{\"S\":\"2026-01-01T00:00:00Z\"}},\":end\":{{\"S\":\"2099-12-31T23:59:59Z\"}}}}'");

// 6. The same orders, quotes and applications batches through MerchantAnalyticsFunction, twice
// (Lambda delivers at least once): events and the day's rollups of each merchant, counted once.
var analytics = FunctionDefinition.Read(context, "MerchantAnalyticsFunction");
LocalFunctionHost.ApplyEnvironment(analytics, region);
var analyticsHandler = LocalFunctionHost.Load(repo, analytics);
var analyticsTable = prefix + "merchant-analytics";
Console.WriteLine();
foreach (var suffix in new[] { "orders", "quotes", "applications" })
{
    var payload = batchesByTable[prefix + suffix];
    var response = await analyticsHandler.InvokeAsync(payload, TimeSpan.FromSeconds(analytics.TimeoutSeconds));
    Console.WriteLine($"MerchantAnalyticsFunction <- {prefix + suffix,-22} -> {Encoding.UTF8.GetString(response ?? [])}");
}
var counted = await ScanAll(analyticsTable);
foreach (var suffix in new[] { "orders", "quotes", "applications" })
    await analyticsHandler.InvokeAsync(batchesByTable[prefix + suffix], TimeSpan.FromSeconds(analytics.TimeoutSeconds));
var countedOnce = Fingerprint(counted) == Fingerprint(await ScanAll(analyticsTable));
Console.WriteLine($"Merchant analytics in {analyticsTable} ({counted.Count} items):");
foreach (var merchant in counted.GroupBy(i => i["merchantId"].S).OrderBy(g => g.Key, StringComparer.Ordinal))
{
    Console.WriteLine($"  {merchant.Key}");
    var byKey = merchant.OrderBy(i => i["eventType#timestamp"].S, StringComparer.Ordinal).ToList();
    Console.WriteLine("    events: " + string.Join(", ", byKey.Where(i => !i["eventType#timestamp"].S.StartsWith("daily.", StringComparison.Ordinal))
        .GroupBy(i => i["eventType"].S).Select(g => g.Count() == 1 ? g.Key : $"{g.Key} x{g.Count()}")));
    foreach (var rollup in byKey.Where(i => i["eventType#timestamp"].S.StartsWith("daily.", StringComparison.Ordinal)))
        Console.WriteLine($"    {rollup["eventType#timestamp"].S,-40} count {rollup["count"].N}" +
                          string.Concat(rollup.Keys.Where(k => k.StartsWith("total", StringComparison.Ordinal)).Select(k => $", {k} {rollup[k].N}")));
}
Console.WriteLine($"Replayed the three batches: analytics {(countedOnce ? "unchanged" : "CHANGED")}.");

// 7. The hourly PITR guard, report only: moto's tables start with PITR off and no backup.
var pitr = FunctionDefinition.Read(context, "PitrGuardFunction");
LocalFunctionHost.ApplyEnvironment(pitr, region);
var pitrHandler = LocalFunctionHost.Load(repo, pitr);
Console.WriteLine();
Console.WriteLine("PITR guard (PitrGuardFunction), events/pitr-report-only.json:");
await PitrCheckAsync("pitr-report-only.json", details: true);

// 8. The nightly backup of every table: a dry run, the run, then EventBridge's retry of the same night.
var backup = FunctionDefinition.Read(context, "NightlyBackupFunction");
LocalFunctionHost.ApplyEnvironment(backup, region);
var backupHandler = LocalFunctionHost.Load(repo, backup);
Console.WriteLine();
Console.WriteLine("Nightly backup (NightlyBackupFunction), events/backup-dry-run.json then events/backup-nightly.json twice:");
var backupsConsistent = true;
foreach (var (label, file) in new[] { ("dry run", "backup-dry-run.json"), ("run", "backup-nightly.json"), ("retry", "backup-nightly.json") })
{
    var payload = await File.ReadAllBytesAsync(Path.Combine(repo.EventsDirectory, file));
    var summary = JsonDocument.Parse(await backupHandler.InvokeAsync(payload, TimeSpan.FromSeconds(backup.TimeoutSeconds)) ?? []).RootElement;
    var counts = summary.GetProperty("counts");
    var outcomes = summary.GetProperty("tables").EnumerateArray()
        .GroupBy(t => t.GetProperty("outcome").GetString()).Select(g => $"{g.Count()} {g.Key}");
    Console.WriteLine($"  {label,-8} night {summary.GetProperty("night").GetString()}: {string.Join(", ", outcomes)}; " +
                      $"{counts.GetProperty("pruned").GetInt32()} pruned, {counts.GetProperty("failed").GetInt32()} failed");
}
foreach (var table in tables)
{
    var names = (await dynamo.ListBackupsAsync(new ListBackupsRequest { TableName = table.TableName })).BackupSummaries?
        .Select(b => $"{b.BackupName} ({b.BackupStatus})").ToList() ?? [];
    backupsConsistent &= names.Count(n => n.StartsWith($"{table.TableName}-20261123 ", StringComparison.Ordinal)) == 1;
    Console.WriteLine($"  {table.TableName,-28} {string.Join(", ", names)}");
}
Console.WriteLine(backupsConsistent ? "One backup per table for the night, whatever the retries." : "NOT one backup per table for the night.");

// 9. The PITR guard enforcing, then its next hour: everything fixed once, audited once.
Console.WriteLine();
Console.WriteLine("PITR guard, events/pitr-hourly.json (enforce), then the same again:");
LocalFunctionHost.ApplyEnvironment(pitr, region);
await PitrCheckAsync("pitr-hourly.json", details: false);
var fixedOnce = await PitrCheckAsync("pitr-hourly.json", details: false) == 0;
var pitrAudit = (await ScanAll(auditTable)).Where(i => i["entityType#entityId"].S.StartsWith("table#", StringComparison.Ordinal)).ToList();
Console.WriteLine($"  audit records of table changes: {pitrAudit.Count} ({string.Join(", ", pitrAudit.Select(i => i["eventName"].S).Distinct())})");

// 10. The throttle responder: a write-throttle alarm through SNS, the same alarm through
// EventBridge, then the operator's restore.
var throttle = FunctionDefinition.Read(context, "ThrottleResponderFunction");
LocalFunctionHost.ApplyEnvironment(throttle, region);
var throttleHandler = LocalFunctionHost.Load(repo, throttle);
Console.WriteLine();
Console.WriteLine("Throttle responder (ThrottleResponderFunction):");
var throttleOk = true;
foreach (var (label, file, expected) in new[]
         {
             ("alarm via SNS", "alarm-sns-write-throttle.json", "switched"),
             ("same alarm via EventBridge", "alarm-eventbridge-write-throttle.json", "already-on-demand"),
             ("restore", "throttle-restore.json", "restored"),
         })
{
    var payload = await File.ReadAllBytesAsync(Path.Combine(repo.EventsDirectory, file));
    var result = JsonDocument.Parse(await throttleHandler.InvokeAsync(payload, TimeSpan.FromSeconds(throttle.TimeoutSeconds)) ?? []).RootElement
        .GetProperty("results")[0];
    var billing = (await dynamo.DescribeTableAsync(prefix + "orders")).Table.BillingModeSummary?.BillingMode?.Value ?? "PROVISIONED";
    var outcome = result.GetProperty("outcome").GetString();
    throttleOk &= outcome == expected;
    Console.WriteLine($"  {label,-27} {outcome,-18} {prefix}orders is {billing}: {result.GetProperty("reason").GetString()}");
}
foreach (var item in (await ScanAll(auditTable)).Where(i => i["entityType#entityId"].S == $"table#{prefix}orders" && i["eventName"].S != "PITR_ENABLED"))
    Console.WriteLine($"  audit {item["eventName"].S,-24} {Document.FromAttributeMap(item["before"].M).ToJson()} -> {Document.FromAttributeMap(item["after"].M).ToJson()}");
return unchanged && countedOnce && backupsConsistent && fixedOnce && throttleOk ? 0 : 1;

// One run of the PITR guard: its counts, and per table what is wrong; returns the tables remediated.
async Task<int> PitrCheckAsync(string file, bool details)
{
    var payload = await File.ReadAllBytesAsync(Path.Combine(repo.EventsDirectory, file));
    var report = JsonDocument.Parse(await pitrHandler.InvokeAsync(payload, TimeSpan.FromSeconds(pitr.TimeoutSeconds)) ?? []).RootElement;
    var counts = report.GetProperty("counts");
    Console.WriteLine($"  {report.GetProperty("mode").GetString(),-8} " + string.Join(", ",
        counts.EnumerateObject().Where(c => c.Name is not ("tables" or "checked")).Select(c => $"{c.Value.GetInt32()} {c.Name}")));
    if (details)
        foreach (var table in report.GetProperty("tables").EnumerateArray())
        {
            var findings = table.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("code").GetString());
            var reason = table.TryGetProperty("reason", out var r) ? r.GetString() : "";
            Console.WriteLine($"  {table.GetProperty("table").GetString(),-28} {table.GetProperty("outcome").GetString(),-14} {reason}; findings: {string.Join(", ", findings)}");
        }
    return counts.GetProperty("remediated").GetInt32();
}

async Task Put(string table, Dictionary<string, AttributeValue> item)
    => await dynamo.PutItemAsync(new PutItemRequest { TableName = table, Item = item });

async Task Update(string table, Dictionary<string, AttributeValue> key, string expression, (string Status, string By) values)
    => await dynamo.UpdateItemAsync(new UpdateItemRequest
    {
        TableName = table,
        Key = key,
        UpdateExpression = expression,
        ExpressionAttributeNames = new() { ["#s"] = "status" },
        ExpressionAttributeValues = new() { [":s"] = new AttributeValue { S = values.Status }, [":by"] = new AttributeValue { S = values.By } },
    });

async Task<List<Dictionary<string, AttributeValue>>> ScanAll(string table)
{
    var items = new List<Dictionary<string, AttributeValue>>();
    Dictionary<string, AttributeValue>? start = null;
    do
    {
        var page = await dynamo.ScanAsync(new ScanRequest { TableName = table, ExclusiveStartKey = start });
        items.AddRange(page.Items ?? []);
        start = page.LastEvaluatedKey is { Count: > 0 } last ? last : null;
    } while (start is not null);
    return items;
}

// Canonical enough to compare two scans of the same table: one JSON line per item, sorted.
static string Fingerprint(List<Dictionary<string, AttributeValue>> items)
    => string.Join("\n", items.Select(i => Document.FromAttributeMap(i).ToJson()).Order(StringComparer.Ordinal));

static AttributeValue N(string number) => new() { N = number };

static Dictionary<string, AttributeValue> Key(params (string Name, string Value)[] parts)
    => parts.ToDictionary(p => p.Name, p => new AttributeValue { S = p.Value });

static Dictionary<string, AttributeValue> Item(params (string Name, object Value)[] parts)
    => With([], parts);

static Dictionary<string, AttributeValue> With(Dictionary<string, AttributeValue> key, params (string Name, object Value)[] parts)
{
    var item = new Dictionary<string, AttributeValue>(key);
    foreach (var (name, value) in parts)
        item[name] = value as AttributeValue ?? new AttributeValue { S = (string)value };
    return item;
}

static void SetIfUnset(string name, string value)
{
    if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(name))) Environment.SetEnvironmentVariable(name, value);
}
