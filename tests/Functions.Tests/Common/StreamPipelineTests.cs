using System.Text;
using System.Text.Json;
using Functions.AuditTrail;
using Functions.Events;
using Functions.Events.Serialization;
using Functions.Common.Hosting;
using Functions.Common.Logging;
using Functions.Common.Metrics;
using Functions.Common.Runtime;
using Functions.Common.Streams;

namespace Functions.Tests;

/// <summary>The record pipeline with in-memory handlers: failures stay per record, the summary always comes.</summary>
public class StreamPipelineTests
{
    private readonly MemoryStream _logs = new();
    private StreamBatchProcessor Processor()
    {
        var logger = new StructuredLogger("test", _logs);
        return new StreamBatchProcessor(logger, new EmfMetrics(logger, "maip/dynamodb-ops", "dev"), new StreamBatchNames("batch done", "record failed", "RecordsDone", "RecordsFailed"));
    }

    private List<JsonElement> Lines() => Encoding.UTF8.GetString(_logs.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    private JsonElement Summary() => Lines().Single(l => l.TryGetProperty("message", out var m) && m.GetString() == "batch done");

    private static byte[] Batch(int records)
        => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new DynamoDBEvent
        {
            Records = Enumerable.Range(1, records).Select(i => TestRecords.Record("INSERT", TestRecords.Order(), sequenceNumber: i.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList(),
        }, LambdaJsonContext.Default.DynamoDBEvent));

    private sealed class Handler(Func<DynamoDBEvent.DynamodbStreamRecord, string?> prepare, Func<IReadOnlyList<PreparedRecord<string>>, BatchOutcome, Task> commit)
        : IStreamRecordHandler<string>
    {
        public string? Prepare(DynamoDBEvent.DynamodbStreamRecord record) => prepare(record);
        public Task CommitAsync(IReadOnlyList<PreparedRecord<string>> prepared, BatchOutcome outcome, InvocationDeadline deadline) => commit(prepared, outcome);
    }

    private static List<string> Failed(StreamsEventResponse response) => response.BatchItemFailures.Select(f => f.ItemIdentifier).ToList();

    [Fact]
    public async Task An_exception_of_any_type_from_one_record_fails_that_record_only()
    {
        var handler = new Handler(
            r => r.Dynamodb!.SequenceNumber switch
            {
                "2" => throw new FormatException("The input string 'card-4111' was not in a correct format."),
                "3" => throw new KeyNotFoundException(),
                "4" => null, // not this function's business
                _ => "work",
            },
            (prepared, outcome) => { foreach (var p in prepared) outcome.Succeeded(p.Index); return Task.CompletedTask; });

        var response = await Processor().ProcessAsync(Batch(5), handler, InvocationDeadline.Start(TimeSpan.FromMinutes(1)));

        Assert.Equal(["2", "3"], Failed(response));
        var summary = Summary();
        Assert.Equal((5, 2, 1, 2), (summary.GetProperty("records").GetInt32(), summary.GetProperty("succeeded").GetInt32(),
            summary.GetProperty("ignored").GetInt32(), summary.GetProperty("failed").GetInt32()));
        Assert.DoesNotContain("card-4111", Encoding.UTF8.GetString(_logs.ToArray()), StringComparison.Ordinal);
        Assert.Contains(Lines(), l => l.TryGetProperty("reason", out var r) && r.GetString()!.StartsWith("Unexpected FormatException", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Records_the_handler_does_not_mark_count_as_failed()
    {
        var handler = new Handler(_ => "work", (prepared, outcome) => { outcome.Succeeded(prepared[0].Index); return Task.CompletedTask; });

        var response = await Processor().ProcessAsync(Batch(3), handler, InvocationDeadline.Start(TimeSpan.FromMinutes(1)));

        Assert.Equal(["2", "3"], Failed(response));
    }

    [Fact]
    public async Task A_broken_write_path_fails_what_was_not_done_and_the_summary_and_metrics_are_still_written()
    {
        var handler = new Handler(_ => "work", (prepared, outcome) =>
        {
            outcome.Succeeded(prepared[0].Index);
            throw new IOException("Connection reset by peer");
        });

        var response = await Processor().ProcessAsync(Batch(3), handler, InvocationDeadline.Start(TimeSpan.FromMinutes(1)));

        Assert.Equal(["2", "3"], Failed(response));
        var summary = Summary();
        Assert.Equal("ERROR", summary.GetProperty("level").GetString());
        Assert.StartsWith("The write path failed: IOException", summary.GetProperty("error").GetString(), StringComparison.Ordinal);
        var metrics = Lines().Single(l => l.TryGetProperty("_aws", out _));
        Assert.Equal(1, metrics.GetProperty("RecordsDone").GetInt32());
        Assert.Equal(2, metrics.GetProperty("RecordsFailed").GetInt32());
    }

    [Fact]
    public async Task Work_cut_off_at_the_deadline_is_reported_as_not_processed_in_time()
    {
        using var deadline = InvocationDeadline.Start(TimeSpan.FromMilliseconds(600));
        var handler = new Handler(_ => "work", async (_, _) => await Task.Delay(Timeout.Infinite, deadline.Token));

        var response = await Processor().ProcessAsync(Batch(2), handler, deadline);

        Assert.Equal(["1", "2"], Failed(response));
        var warnings = Lines().Where(l => l.TryGetProperty("level", out var level) && level.GetString() == "WARN").ToList();
        Assert.Equal(2, warnings.Count);
        Assert.All(warnings, l => Assert.Contains("time budget ran out", l.GetProperty("reason").GetString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_event_that_is_no_batch_fails_the_invocation_after_logging_why()
    {
        await Assert.ThrowsAsync<InvalidEventException>(() => Processor().ProcessAsync(
            "{\"Records\":[{"u8.ToArray(), new Handler(_ => "w", (_, _) => Task.CompletedTask), InvocationDeadline.Start(TimeSpan.FromMinutes(1))));
        Assert.Contains("not valid JSON", Summary().GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("audit")]
    [InlineData("analytics")]
    public async Task Both_stream_functions_refuse_an_event_with_two_records_arrays(string function)
    {
        var twoArrays = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Batch(1)).Replace(
            "{\"Records\":[", "{\"Records\":[],\"Records\":[", StringComparison.Ordinal));
        var variables = new Dictionary<string, string> { ["TABLE_PREFIX"] = "maip-dev-", ["AUDIT_TABLE_NAME"] = "maip-dev-audit" };
        // Never called: the event is refused before any write.
        using var client = new Amazon.DynamoDBv2.AmazonDynamoDBClient(new Amazon.Runtime.BasicAWSCredentials("test", "test"),
            new Amazon.DynamoDBv2.AmazonDynamoDBConfig { ServiceURL = "http://127.0.0.1:9" });
        var services = new FunctionServices(FunctionEnvironment.From(variables.GetValueOrDefault, function), client, new StructuredLogger(function, _logs));
        var host = function == "audit"
            ? FunctionHost.For(new Function(services, AuditTrailSettings.From(variables.GetValueOrDefault)), services)
            : FunctionHost.For(new Functions.MerchantAnalytics.Function(services), services);

        var ex = await Assert.ThrowsAsync<InvalidEventException>(() => host.InvokeAsync(twoArrays, LambdaInvocation.Local(TimeSpan.FromMinutes(1))));
        Assert.Contains("more than one \"Records\" array", ex.Message, StringComparison.Ordinal);
        Assert.Contains(Lines(), l => l.TryGetProperty("error", out var e) && e.GetString() == ex.Message);
    }

    [Fact]
    public void The_deadline_leaves_a_margin_before_the_timeout()
    {
        Assert.Equal(TimeSpan.FromSeconds(5), InvocationDeadline.MarginFor(TimeSpan.FromSeconds(60)));
        Assert.Equal(TimeSpan.FromSeconds(1), InvocationDeadline.MarginFor(TimeSpan.FromSeconds(10)));
        Assert.Equal(TimeSpan.FromMilliseconds(500), InvocationDeadline.MarginFor(TimeSpan.FromSeconds(3)));
        using var deadline = InvocationDeadline.Start(TimeSpan.FromSeconds(60));
        Assert.Equal(TimeSpan.FromSeconds(55), deadline.Budget);
        Assert.InRange(deadline.Remaining, TimeSpan.FromSeconds(54), TimeSpan.FromSeconds(55));
        Assert.False(deadline.IsExpired);
    }

    [Fact]
    public void The_first_invocation_of_a_process_is_the_cold_start_and_only_that_one()
    {
        var process = new ColdStart();
        var logger = new StructuredLogger("test", _logs, process: process);
        logger.StartInvocation(LambdaInvocation.Local(TimeSpan.FromMinutes(1)));
        logger.Info("first");
        logger.StartInvocation(LambdaInvocation.Local(TimeSpan.FromMinutes(1)));
        logger.Info("second");

        Assert.Equal([true, false], Lines().Select(l => l.GetProperty("cold_start").GetBoolean()));
    }

    [Fact]
    public void Metrics_are_one_emf_record_with_the_suite_namespace_and_service_and_environment_dimensions()
    {
        var logger = new StructuredLogger("audit-trail", _logs);
        new EmfMetrics(logger, "maip/dynamodb-ops", "prod").Publish([new Metric("RecordsAudited", 98), new Metric("RecordsFailed", 2)]);

        var record = Assert.Single(Lines());
        var directive = record.GetProperty("_aws").GetProperty("CloudWatchMetrics")[0];
        Assert.Equal("maip/dynamodb-ops", directive.GetProperty("Namespace").GetString());
        Assert.Equal(["service", "environment"], directive.GetProperty("Dimensions")[0].EnumerateArray().Select(d => d.GetString()));
        Assert.Equal(["RecordsAudited", "RecordsFailed"], directive.GetProperty("Metrics").EnumerateArray().Select(m => m.GetProperty("Name").GetString()));
        Assert.Equal(("audit-trail", "prod", 98, 2), (record.GetProperty("service").GetString(), record.GetProperty("environment").GetString(),
            record.GetProperty("RecordsAudited").GetInt32(), record.GetProperty("RecordsFailed").GetInt32()));
        Assert.True(record.GetProperty("_aws").GetProperty("Timestamp").GetInt64() > 1_700_000_000_000);
    }
}

/// <summary>Audit decisions the pipeline reports: conflicts, key redaction, the year 9999.</summary>
public class AuditDecisionTests
{
    [Fact]
    public async Task Two_records_on_one_audit_key_are_one_put_when_identical_and_a_reported_conflict_when_not()
    {
        var settings = TestRecords.Settings();
        var writes = new List<Amazon.DynamoDBv2.Model.BatchWriteItemRequest>();
        var writer = new Functions.Common.DynamoDb.BatchWriter(
            (request, _) => { writes.Add(request); return Task.FromResult(new Amazon.DynamoDBv2.Model.BatchWriteItemResponse()); },
            (_, _) => Task.CompletedTask);
        var handler = new AuditBatchHandler(settings, writer);
        var first = TestRecords.Record("INSERT", TestRecords.Order("""
            "status":{"S":"NEW"}
            """), sequenceNumber: "5");
        var copy = TestRecords.Record("INSERT", TestRecords.Order("""
            "status":{"S":"NEW"}
            """), sequenceNumber: "5");
        var different = TestRecords.Record("INSERT", TestRecords.Order("""
            "status":{"S":"PAID"}
            """), sequenceNumber: "5");
        var prepared = new[] { first, copy, different }.Select((r, i) => new PreparedRecord<AuditEntry>(i, "5", handler.Prepare(r))).ToList();
        var outcome = new BatchOutcome(["5", "5", "5"]);

        await handler.CommitAsync(prepared, outcome, InvocationDeadline.Start(TimeSpan.FromMinutes(1)));

        Assert.Single(Assert.Single(writes).RequestItems.Values.Single());
        Assert.True(outcome.IsDone(0) && outcome.IsDone(1));
        var conflict = Assert.Single(outcome.Failures("-"));
        Assert.Equal(2, conflict.Index);
        Assert.Contains("same audit key with different content", conflict.Reason, StringComparison.Ordinal);
        Assert.Contains(outcome.Counters, c => c is { Field: "duplicates_skipped", Value: 1 });
    }

    [Fact]
    public void A_key_attribute_named_for_redaction_stays_readable_where_it_identifies_the_entity_and_is_redacted_elsewhere()
    {
        var settings = TestRecords.Settings() with { RedactAttributes = new HashSet<string> { "orderId", "email" } };
        var image = TestRecords.Order("""
            "email":{"S":"ana@example.com"},"refund":{"M":{"orderId":{"S":"order-9"}}}
            """);
        var entry = new AuditRecordBuilder(settings).Build(TestRecords.Record("INSERT", image));

        Assert.Equal("order#order-123", entry.Item["entityType#entityId"].S);
        Assert.Equal("order-123", entry.Item["keys"].M!["orderId"].S);
        var newImage = entry.Item["newImage"].M!;
        Assert.Equal("order-123", newImage["orderId"].S);                      // the key: same as `keys`
        Assert.Equal(Redactor.Marker, newImage["email"].S);
        Assert.Equal(Redactor.Marker, newImage["refund"].M!["orderId"].S);     // not a key there
    }

    [Fact]
    public void A_change_time_whose_retention_date_is_past_year_9999_fails_with_why()
    {
        var settings = TestRecords.Settings() with { RetentionDays = 365 };
        var record = TestRecords.Record("INSERT", TestRecords.Order(), time: new DateTime(9999, 6, 1, 0, 0, 0, DateTimeKind.Utc));

        var ex = Assert.Throws<AuditRecordException>(() => new AuditRecordBuilder(settings).Build(record));
        Assert.Contains("past the year 9999", ex.Message, StringComparison.Ordinal);
    }
}
