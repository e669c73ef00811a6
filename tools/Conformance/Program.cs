using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Functions.Events.Serialization;
using Functions.DevKit;

// usage: Conformance [folder of sample events]   (default: ../shared/external-events beside the repository)
// Every schedule and alarm sample must parse into its model; every sample goes through the
// functions as Lambda runs them (each function's built program, one warm process each, behind a
// local Runtime API: LocalInvoke's path), and each stream record must be audited or reported with a reason.
// Exit 0 when all hold; 1 when one does not, or when the folder is missing under CI=true.
var repo = RepoLayout.Find();
var folder = args.Length > 0 ? args[0] : Path.GetFullPath(Path.Combine(repo.Root, "..", "shared", "external-events"));
if (!Directory.Exists(folder))
{
    var ci = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
    Console.WriteLine($"{(ci ? "error" : "skipped")}: no sample events at {folder}.");
    return ci ? 1 : 0;
}

const string Region = "us-east-1";
using var moto = await MotoServer.StartAsync();
var context = SamTemplate.Load(repo.TemplatePath).Context(region: Region);
using (var client = new AmazonDynamoDBClient(new BasicAWSCredentials("test", "test"),
           new AmazonDynamoDBConfig { ServiceURL = moto.Endpoint.ToString(), AuthenticationRegion = Region }))
    foreach (var table in TableDefinition.ReadAll(context))
        await table.CreateAsync(client);
var functions = new Dictionary<string, LocalLambda>(StringComparer.Ordinal);

var problems = 0;
foreach (var file in Directory.GetFiles(folder, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
{
    var name = Path.GetRelativePath(folder, file);
    var bytes = LambdaPayload.WithoutByteOrderMark((await File.ReadAllBytesAsync(file)).AsMemory()).ToArray();
    var (kind, outcome, ok) = SampleKind.Of(bytes) switch
    {
        SampleKind.Kind.Schedule => await ScheduleAsync(file, bytes),
        SampleKind.Kind.Alarm => await AlarmAsync(file, bytes),
        SampleKind.Kind.StreamBatch => await StreamBatchAsync(file),
        SampleKind.Kind.NotJson => await NotAnEventAsync(file, "not JSON"),
        _ => await NotAnEventAsync(file, "no trigger of the suite"),
    };
    if (!ok) problems++;
    Console.WriteLine($"{(ok ? "ok  " : "FAIL")}  {name,-75} {kind,-14} {outcome}");
}
foreach (var function in functions.Values) await function.DisposeAsync();
Console.WriteLine(problems == 0 ? "conformance: every sample handled" : $"conformance: {problems} sample(s) not handled");
return problems == 0 ? 0 : 1;

// The event through the function as Lambda runs it: LocalInvoke's exit code (0 answered, 1 an
// error, in Lambda's error body), its standard output (the answer) and the function's own lines.
async Task<(int Exit, string Stdout, string Stderr)> InvokeAsync(string logicalId, string file)
{
    if (!functions.TryGetValue(logicalId, out var lambda))
    {
        var definition = FunctionDefinition.Read(context, logicalId);
        functions[logicalId] = lambda = new LocalLambda(FunctionPackage.BuildOutput(repo, definition), definition, Region,
            ToolProcess.MotoEnvironment(moto.Endpoint, Region));
    }
    var result = await lambda.InvokeAsync(await File.ReadAllBytesAsync(file));
    var output = string.Join('\n', result.Output);
    return result.Error is { } error
        ? (1, JsonSerializer.Serialize(new Dictionary<string, string> { ["errorType"] = error.ErrorType, ["errorMessage"] = error.ErrorMessage }), output)
        : (0, System.Text.Encoding.UTF8.GetString(result.Payload!), output);
}

// A scheduled event must parse, and run every scheduled function of the template to a summary.
async Task<(string, string, bool)> ScheduleAsync(string file, byte[] json)
{
    var e = CloudWatchEvents.Parse(json);
    var parsed = e.Detail.ValueKind == JsonValueKind.Object && e.Time != default && e.Source is "aws.events" or "aws.scheduler";
    var outcomes = new List<string>();
    var ok = parsed;
    foreach (var function in new[] { "NightlyBackupFunction", "PitrGuardFunction" })
    {
        var (exit, stdout, stderr) = await InvokeAsync(function, file);
        if (exit != 0)
        {
            outcomes.Add($"{function} exit {exit}: {Shorten(stdout.Trim() + " " + stderr.Trim())}");
            ok = false;
            continue;
        }
        var counts = JsonDocument.Parse(stdout).RootElement.GetProperty("counts");
        outcomes.Add($"{function}: " + string.Join(", ", counts.EnumerateObject().Where(c => c.Value.GetInt32() > 0).Select(c => $"{c.Value.GetInt32()} {c.Name}")));
        ok &= counts.GetProperty("tables").GetInt32() > 0;
    }
    return ("schedule", $"{e.Source}, detail {JsonSerializer.Serialize(e.Detail, LambdaJsonContext.Default.JsonElement)}; {string.Join("; ", outcomes)}", ok);
}

// An alarm must parse into its model and go through ThrottleResponderFunction to a response:
// acted on, or refused with a reason (AWS's samples watch other metrics and tables).
async Task<(string, string, bool)> AlarmAsync(string file, byte[] json)
{
    var alarms = AlarmEvents.Parse(json);
    var described = string.Join("; ", alarms.Select(a =>
        $"{a.Delivery} '{a.AlarmName}' {a.PreviousState}->{a.State}, " +
        (a.IsComposite ? "composite" : string.Join(", ", a.Metrics.Select(m => m.MetricName ?? $"expr {m.Expression}")))));
    var ok = alarms.Count > 0 && alarms.All(a => a.State.Length > 0 && (a.IsComposite || a.Metrics.Count > 0));
    var (exit, stdout, stderr) = await InvokeAsync("ThrottleResponderFunction", file);
    if (exit != 0) return ("alarm", $"{described}; ThrottleResponderFunction exit {exit}: {Shorten(stdout.Trim() + " " + stderr.Trim())}", false);
    var results = JsonDocument.Parse(stdout).RootElement.GetProperty("results").EnumerateArray()
        .Select(r => r.GetProperty("outcome").GetString()).ToList();
    return ("alarm", $"{described}; ThrottleResponderFunction: {string.Join(", ", results)}", ok && results.Count > 0);
}

// A stream batch goes through both stream functions; each record must be done (written or
// ignored) or reported with a reason, by its sequence number.
async Task<(string, string, bool)> StreamBatchAsync(string file)
{
    var outcomes = new List<string>();
    var ok = true;
    foreach (var (function, summaryMessage, failedMessage) in new[]
             {
                 ("AuditTrailFunction", "audit batch processed", "record not audited"),
                 ("MerchantAnalyticsFunction", "analytics batch processed", "record not counted"),
             })
    {
        var (exit, stdout, stderr) = await InvokeAsync(function, file);
        if (exit != 0) return ("stream batch", $"{function} exit {exit}: {stdout.Trim()} {stderr.Trim()}", false);

        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith('{'))
            .Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var summary = lines.Single(l => l.TryGetProperty("message", out var m) && m.GetString() == summaryMessage);
        var warned = lines.Where(l => l.TryGetProperty("message", out var m) && m.GetString() == failedMessage).ToList();
        var records = summary.GetProperty("records").GetInt32();
        var succeeded = summary.GetProperty("succeeded").GetInt32();
        var failed = summary.GetProperty("failed").GetInt32();
        var reported = JsonDocument.Parse(stdout).RootElement.GetProperty("batchItemFailures").EnumerateArray()
            .Select(f => f.GetProperty("itemIdentifier").GetString()).ToHashSet();
        ok &= records > 0 && succeeded + failed + summary.GetProperty("ignored").GetInt32() == records
              && warned.Count == failed
              && warned.All(w => w.GetProperty("reason").GetString() is { Length: > 10 } && reported.Contains(w.GetProperty("sequence_number").GetString()));
        var reasons = warned.GroupBy(w => Shorten(w.GetProperty("reason").GetString()!)).Select(g => $"{g.Count()}× {g.Key}");
        outcomes.Add($"{function}: {records} records, {succeeded} done, {summary.GetProperty("ignored").GetInt32()} ignored, {failed} reported [{string.Join(" | ", reasons)}]");
    }
    return ("stream batch", string.Join("; ", outcomes), ok);
}

// A file that is no event of the suite's triggers (a truncated batch, a lone record, a failure
// destination message) must still get a clear error from the function, not a crash.
async Task<(string, string, bool)> NotAnEventAsync(string file, string what)
{
    var (exit, stdout, _) = await InvokeAsync("AuditTrailFunction", file);
    if (exit != 1) return (what, $"exit {exit}: expected the function to refuse it", false);
    var error = JsonDocument.Parse(stdout).RootElement;
    var type = error.GetProperty("errorType").GetString();
    return (what, $"refused: {type}: {Shorten(error.GetProperty("errorMessage").GetString()!)}", type == nameof(InvalidEventException));
}

static string Shorten(string text) => text.Length <= 90 ? text : text[..87] + "...";

/// <summary>Which trigger a sample event belongs to, from its content.</summary>
internal static class SampleKind
{
    public enum Kind { Schedule, Alarm, StreamBatch, NotJson, Other }

    public static Kind Of(byte[] json)
    {
        JsonElement root;
        try
        {
            root = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true }).RootElement;
        }
        catch (JsonException)
        {
            return Kind.NotJson;
        }
        if (root.ValueKind != JsonValueKind.Object) return Kind.Other;
        if (root.TryGetProperty("Records", out var records) && records.ValueKind == JsonValueKind.Array && records.GetArrayLength() > 0)
        {
            var first = records[0];
            if (first.TryGetProperty("Sns", out _)) return Kind.Alarm;
            if (first.TryGetProperty("dynamodb", out _)) return Kind.StreamBatch;
        }
        if (root.TryGetProperty("alarmData", out _)) return Kind.Alarm;
        if (root.TryGetProperty("detail-type", out var type))
            return type.GetString() switch
            {
                CloudWatchEvents.ScheduledEventType => Kind.Schedule,
                CloudWatchEvents.AlarmStateChangeType => Kind.Alarm,
                _ => Kind.Other,
            };
        return Kind.Other;
    }
}
