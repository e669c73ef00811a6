using System.Net;
using Functions.Events;
using Functions.MerchantAnalytics;

namespace Functions.IntegrationTests;

/// <summary>
/// MerchantAnalyticsFunction against DynamoDB Local (AWS's own engine: exact 38-digit numbers,
/// isolated transactions, key-size limits), fed real stream records as Lambda redelivers them.
/// </summary>
[Collection(DynamoDbLocalCollection.Name)]
public class MerchantAnalyticsTests(DynamoDbLocalFixture local)
{
    /// <summary>
    /// A fresh environment and a day's orders in it, with the day the backend stamped on their
    /// changes (rollups are keyed by change time, never by the test's clock). Merchant m-a: six
    /// orders created (10.01 … 60.06 USD), three of them paid, one cancelled, one deleted, one
    /// modified without a status change; an order of no merchant; merchant m-b: two orders in
    /// EUR, both paid. Changes that straddle a UTC midnight are no day's: made again, once (two
    /// midnights cannot fall within seconds).
    /// </summary>
    private async Task<(AnalyticsEnvironment Env, List<JsonObject> Records, string Day)> OrdersOfADayAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            var env = await AnalyticsEnvironment.CreateAsync(local);
            var records = await WriteOrdersAsync(env);
            var days = records.Select(ChangeDay).Distinct().ToList();
            if (days.Count == 1) return (env, records, days[0]);
            if (attempt == 2) throw new InvalidOperationException($"The orders' changes fell on {string.Join(", ", days)} twice.");
        }
    }

    private static string ChangeDay(JsonObject record)
        => DateTimeOffset.FromUnixTimeMilliseconds((long)(record["dynamodb"]!["ApproximateCreationDateTime"]!.GetValue<double>() * 1000))
            .UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<List<JsonObject>> WriteOrdersAsync(AnalyticsEnvironment env)
    {
        for (var i = 1; i <= 6; i++) await env.PutAsync("orders", $"o-{i}", "m-a", "PENDING", $"{i}0.0{i}", "USD");
        for (var i = 1; i <= 3; i++) await env.PutAsync("orders", $"o-{i}", "m-a", "PAID", $"{i}0.0{i}", "USD");
        await env.PutAsync("orders", "o-4", "m-a", "CANCELLED", "40.04", "USD");
        await env.PutAsync("orders", "o-5", "m-a", "PENDING", "55.05", "USD"); // same status: no event (and a write that changes nothing makes no record)
        await env.DeleteAsync("orders", "o-6");
        await env.PutAsync("orders", "o-none", null, "PENDING", "1");
        await env.PutAsync("orders", "o-b1", "m-b", "PENDING", "5.5", "EUR");
        await env.PutAsync("orders", "o-b2", "m-b", "PENDING", "4.5", "EUR");
        await env.PutAsync("orders", "o-b1", "m-b", "PAID", "5.5", "EUR");
        await env.PutAsync("orders", "o-b2", "m-b", "PAID", "4.5", "EUR");
        return await env.StreamRecordsAsync("orders");
    }

    private static List<string> ExpectedA(string day) => [
        $"daily.order.cancelled#{day}: 1, total_USD=40.04",
        $"daily.order.created#{day}: 6, total_USD=210.21",
        $"daily.order.deleted#{day}: 1, total_USD=60.06",
        $"daily.order.paid#{day}: 3, total_USD=60.06",
    ];

    private static List<string> ExpectedB(string day) => [
        $"daily.order.created#{day}: 2, total_EUR=10",
        $"daily.order.paid#{day}: 2, total_EUR=10",
    ];

    private const int EventsOfTheDay = 15; // m-a: 6 created, 3 paid, 1 cancelled, 1 deleted; m-b: 2 created, 2 paid

    private static async Task AssertCountedOnceAsync(AnalyticsEnvironment env, string day)
    {
        Assert.Equal(ExpectedA(day), await env.RollupsAsync("m-a"));
        Assert.Equal(ExpectedB(day), await env.RollupsAsync("m-b"));
        Assert.Equal(11, (await env.EventKeysAsync("m-a")).Count);
        Assert.Equal(4, (await env.EventKeysAsync("m-b")).Count);
    }

    private static int Counter(JsonElement summary, string name) => summary.GetProperty(name).GetInt32();

    private static string SequenceOf(JsonObject record) => record["dynamodb"]!["SequenceNumber"]!.GetValue<string>();

    private static List<string> Reasons(LogCapture logs)
        => logs.LogLines().Where(l => l.GetProperty("message").GetString() == "record not counted").Select(l => l.GetProperty("reason").GetString()!).ToList();

    [Fact]
    public async Task Overlapping_redeliveries_leave_every_rollup_and_event_as_one_delivery_makes_them()
    {
        var (env, records, day) = await OrdersOfADayAsync();
        var function = env.Function();
        var half = records.Count / 2;

        Assert.Empty(await AnalyticsEnvironment.InvokeAsync(function, env.LambdaEvent("orders", records.Take(half))));        // the first half
        Assert.Empty(await AnalyticsEnvironment.InvokeAsync(function, env.LambdaEvent("orders", records.Skip(half / 2))));    // a retry overlapping it
        Assert.Empty(await AnalyticsEnvironment.InvokeAsync(function, env.LambdaEvent("orders", records)));                   // the whole batch
        Assert.Empty(await AnalyticsEnvironment.InvokeAsync(function, env.LambdaEvent("orders", records)));                   // and again

        await AssertCountedOnceAsync(env, day);
        var summary = env.Logs.Line("analytics batch processed");
        Assert.Equal((records.Count, 0, EventsOfTheDay, 0), (Counter(summary, "records"), Counter(summary, "events_written"),
            Counter(summary, "already_counted"), Counter(summary, "failed")));
        Assert.Equal(2, Counter(summary, "ignored")); // the order of no merchant, the modify without a status change
        EmittedMetrics.AssertTheDashboardReadsThem(env.Logs.MetricRecord(), env.App, "MerchantAnalyticsFunction", AnalyticsMetrics.All);
    }

    [Fact]
    public async Task Two_invocations_on_the_same_merchants_rollups_at_once_count_each_change_once()
    {
        var (env, records, day) = await OrdersOfADayAsync();
        // Each invocation's first transaction waits at the backend until the other's is in flight
        // too; the backend's answers are only observed. DynamoDB Local runs the two serializably:
        // one lands, the other is cancelled on the events it finds (ConditionalCheckFailed) and
        // is sent again without them.
        var meeting = new Meeting(parties: 2, patience: TimeSpan.FromSeconds(10));
        var cancellations = 0;
        AnalyticsFunctionAt Party(string name, IEnumerable<JsonObject> batch)
        {
            var network = new ScriptedNetwork((request, forward) => request.Operation != "TransactWriteItems" ? null
                : ScriptedNetwork.Observe(meeting.JoinAsync(name, forward), (status, body) =>
                {
                    if (status == HttpStatusCode.BadRequest && body.Contains("TransactionCanceledException", StringComparison.Ordinal))
                        Interlocked.Increment(ref cancellations);
                }));
            var logs = new LogCapture();
            return new AnalyticsFunctionAt(network, env.Function(network.Client(local), logs), logs, env.LambdaEvent("orders", batch));
        }
        var parties = new[] { Party("first", records), Party("second", records.Skip(3)) };

        var failures = await Task.WhenAll(parties.Select(p => AnalyticsEnvironment.InvokeAsync(p.Function, p.Event, concurrent: true)));

        Assert.True(meeting.Met, "the two invocations' transactions were never in flight together: nothing was shown");
        Assert.All(failures, Assert.Empty);
        await AssertCountedOnceAsync(env, day);
        var summaries = parties.Select(p => p.Logs.Line("analytics batch processed")).ToList();
        Assert.Equal(EventsOfTheDay, summaries.Sum(s => Counter(s, "events_written")));
        Assert.InRange(summaries.Sum(s => Counter(s, "already_counted")), 1, EventsOfTheDay); // they met on the same events
        Assert.InRange(cancellations, 1, 2);
        foreach (var party in parties) party.Network.Dispose();
    }

    private sealed record AnalyticsFunctionAt(ScriptedNetwork Network, TestFunction<StreamsEventResponse> Function, LogCapture Logs, string Event);

    [Fact]
    public async Task A_bad_total_is_reported_by_its_sequence_number_while_the_rest_lands()
    {
        var (env, records, day) = await OrdersOfADayAsync();
        var bad = (JsonObject)records[2].DeepClone();
        bad["dynamodb"]!["NewImage"]!["total"] = new JsonObject { ["S"] = "twelve" };
        var malformed = (JsonObject)records[3].DeepClone();
        malformed["dynamodb"]!["NewImage"]!["total"] = new JsonObject { ["N"] = "not-a-number" };
        var batch = records.Select((r, i) => i == 2 ? bad : i == 3 ? malformed : r).ToList();

        var failed = await AnalyticsEnvironment.InvokeAsync(env.Function(), env.LambdaEvent("orders", batch));

        Assert.Equal([SequenceOf(records[2]), SequenceOf(records[3])], failed);
        var reasons = Reasons(env.Logs);
        Assert.Contains(reasons, r => r.Contains("'total' is not a number", StringComparison.Ordinal));
        Assert.DoesNotContain(reasons, r => r.Contains("twelve", StringComparison.Ordinal) || r.Contains("not-a-number", StringComparison.Ordinal));
        Assert.Equal(13, (await env.EventKeysAsync("m-a")).Count + (await env.EventKeysAsync("m-b")).Count);

        Assert.Empty(await AnalyticsEnvironment.InvokeAsync(env.Function(), env.LambdaEvent("orders", records))); // the fixed redelivery completes it
        await AssertCountedOnceAsync(env, day);
    }

    [Fact]
    public async Task Rollup_sums_beyond_28_significant_digits_are_exact()
    {
        var env = await AnalyticsEnvironment.CreateAsync(local);
        await env.PutAsync("orders", "o-1", "m-big", "PENDING", "12345678901234567890.123456789012345678", "USD");
        await env.PutAsync("orders", "o-2", "m-big", "PENDING", "98765432109876543210.987654321098765432", "USD");
        var records = await env.StreamRecordsAsync("orders");
        var day = ChangeDay(records[0]);
        Assert.Equal(day, ChangeDay(records[1])); // DynamoDB Local stamps changes to the minute: one day unless it turned over

        // One record per invocation: DynamoDB itself adds the second amount to the first.
        foreach (var record in records) Assert.Empty(await AnalyticsEnvironment.InvokeAsync(env.Function(), env.LambdaEvent("orders", [record])));

        // 38 significant digits; through decimal (28) or double it would read 111111111011111111101.1111111
        Assert.Equal([$"daily.order.created#{day}: 2, total_USD=111111111011111111101.11111111011111111"], await env.RollupsAsync("m-big"));
    }

    [Fact]
    public async Task Records_dynamodb_would_refuse_fail_alone_and_the_rest_of_the_batch_lands()
    {
        var env = await AnalyticsEnvironment.CreateAsync(local);
        await env.PutAsync("orders", "o-1", "m-z", "PENDING", "1.5", "USD");
        await env.PutAsync("orders", "o-2", "m-z", "PENDING", "12345678901234567890123456789012345678", "USD"); // + 1.5 needs 39 digits
        await env.PutAsync("orders", "o-3", "m-z", "PENDING", "2.25", "USD");
        await env.PutAsync("orders", "o-3", "m-z", new string('X', 1100), "2.25", "USD");                        // the event's sort key > 1,024 bytes
        await env.PutAsync("orders", "o-4", new string('m', 2049), "PENDING", "3", "USD");                      // a partition key > 2,048 bytes
        await env.PutAsync("orders", "o-5", "m-z", "PENDING", "3", "USD");
        var records = await env.StreamRecordsAsync("orders");
        var day = ChangeDay(records[0]);

        var failed = await AnalyticsEnvironment.InvokeAsync(env.Function(), env.LambdaEvent("orders", records));

        Assert.Equal([SequenceOf(records[1]), SequenceOf(records[3]), SequenceOf(records[4])], failed);
        var reasons = Reasons(env.Logs);
        Assert.Contains(reasons, r => r.Contains("'status'", StringComparison.Ordinal) && r.Contains("1,024", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.Contains("'merchantId'", StringComparison.Ordinal) && r.Contains("2,048", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.Contains("ValidationException", StringComparison.Ordinal));
        Assert.Equal([$"daily.order.created#{day}: 3, total_USD=6.75"], await env.RollupsAsync("m-z"));
        Assert.Equal(3, Counter(env.Logs.Line("analytics batch processed"), "events_written"));
    }

    [Fact]
    public async Task A_cancellation_naming_one_action_a_validation_error_fails_only_that_record()
    {
        // AWS cancels a transaction when "a similar validation error occurs because of changes
        // made by the transaction", reason code ValidationError on that action (DynamoDB API
        // reference, TransactWriteItems); DynamoDB Local answers a ValidationException instead,
        // so the network plays AWS's part here.
        var env = await AnalyticsEnvironment.CreateAsync(local);
        foreach (var (id, total) in new[] { ("o-1", "1.5"), ("o-2", "2"), ("o-3", "4"), ("o-4", "8"), ("o-5", "16") })
            await env.PutAsync("orders", id, "m-v", "PENDING", total, "USD");
        var records = await env.StreamRecordsAsync("orders");
        var day = ChangeDay(records[0]);
        using var network = new ScriptedNetwork((request, _) =>
        {
            if (request.Operation != "TransactWriteItems") return null;
            var actions = JsonDocument.Parse(request.Body).RootElement.GetProperty("TransactItems").EnumerateArray()
                .Select(a => a.GetRawText()).ToList();
            var bad = actions.FindIndex(a => a.Contains("\"o-3\"", StringComparison.Ordinal));
            return bad < 0 ? null : ScriptedNetwork.Cancelled(actions.Select((_, i) => i == bad ? "ValidationError" : "None").ToList());
        });
        using var client = network.Client(local);

        var failed = await AnalyticsEnvironment.InvokeAsync(env.Function(client), env.LambdaEvent("orders", records));

        Assert.Equal([SequenceOf(records[2])], failed);
        Assert.Contains(Reasons(env.Logs), r => r.Contains("ValidationError", StringComparison.Ordinal));
        Assert.Equal([$"daily.order.created#{day}: 4, total_USD=27.5"], await env.RollupsAsync("m-v"));
        Assert.Equal(4, Counter(env.Logs.Line("analytics batch processed"), "events_written"));
    }

    [Fact]
    public async Task Cancellations_without_reasons_are_retried_with_backoff_a_bounded_number_of_times()
    {
        var (env, records, _) = await OrdersOfADayAsync();
        using var network = new ScriptedNetwork((request, _) => request.Operation != "TransactWriteItems" ? null
            : ScriptedNetwork.Cancelled(Enumerable.Repeat("None", JsonDocument.Parse(request.Body).RootElement.GetProperty("TransactItems").GetArrayLength()).ToList()));
        using var client = network.Client(local);
        // A timeout long enough for every retry the policy allows, short enough that a loop
        // without one ends soon.
        var function = env.Function(client, timeout: TimeSpan.FromSeconds(20));

        var failed = await AnalyticsEnvironment.InvokeAsync(function, env.LambdaEvent("orders", records));

        Assert.Equal(EventsOfTheDay, failed.Count);
        Assert.Equal(AnalyticsEnvironment.Retry.MaxAttempts, network.CallsOf("TransactWriteItems"));
        Assert.All(Reasons(env.Logs).Where(r => !r.StartsWith("Not processed", StringComparison.Ordinal)),
            r => Assert.Contains("cancelled", r, StringComparison.Ordinal));
        Assert.Empty(await env.EventKeysAsync("m-a"));
    }

    [Fact]
    public async Task A_lost_answer_still_counts_the_events_this_invocation_wrote_as_written()
    {
        var (env, records, day) = await OrdersOfADayAsync();
        var once = new FirstTimes();
        using var network = new ScriptedNetwork((request, forward) =>
            request.Operation == "TransactWriteItems" && once.First("lost") ? ScriptedNetwork.AnswerLost(forward) : null);
        using var client = network.Client(local);

        Assert.Empty(await AnalyticsEnvironment.InvokeAsync(env.Function(client), env.LambdaEvent("orders", records)));

        await AssertCountedOnceAsync(env, day);
        var summary = env.Logs.Line("analytics batch processed");
        Assert.Equal((EventsOfTheDay, 0), (Counter(summary, "events_written"), Counter(summary, "already_counted")));
        Assert.Equal(2, network.CallsOf("TransactWriteItems")); // the lost one, and its idempotent resend
    }

    [Fact]
    public async Task A_stream_without_old_images_is_refused_record_by_record_with_the_reason()
    {
        var env = await AnalyticsEnvironment.CreateAsync(local);
        await env.RecreateWithStreamAsync("orders", "NEW_IMAGE");
        await env.PutAsync("orders", "o-1", "m-n", "PENDING", "10", "USD");
        await env.PutAsync("orders", "o-1", "m-n", "PENDING", "12", "USD"); // no status change, but no old image to tell
        var records = await env.StreamRecordsAsync("orders");

        var failed = await AnalyticsEnvironment.InvokeAsync(env.Function(), env.LambdaEvent("orders", records));

        Assert.Equal(records.Select(SequenceOf), failed);
        Assert.All(Reasons(env.Logs), r => Assert.Contains("NEW_IMAGE", r, StringComparison.Ordinal));
        Assert.Empty(await env.MerchantAsync("m-n"));
    }

    [Fact]
    public async Task A_status_that_is_a_number_or_blank_is_reported_not_ignored()
    {
        var env = await AnalyticsEnvironment.CreateAsync(local);
        await env.PutAsync("orders", "o-1", "m-s", "PENDING", "10", "USD");
        await env.PutAsync("orders", "o-1", "m-s", new AttributeValue { N = "3" }, "10", "USD");
        await env.PutAsync("orders", "o-2", "m-s", "PENDING", "20", "USD");
        await env.PutAsync("orders", "o-2", "m-s", "   ", "20", "USD");
        var records = await env.StreamRecordsAsync("orders");

        var failed = await AnalyticsEnvironment.InvokeAsync(env.Function(), env.LambdaEvent("orders", records));

        Assert.Equal([SequenceOf(records[1]), SequenceOf(records[3])], failed);
        Assert.All(Reasons(env.Logs), r => Assert.Contains("'status'", r, StringComparison.Ordinal));
        Assert.Equal(2, (await env.EventKeysAsync("m-s")).Count); // the two orders created
    }

    [Fact]
    public async Task Changes_of_ten_merchants_cost_the_fewest_transactions_sent_at_once_where_rollups_differ_and_a_replay_no_more()
    {
        var env = await AnalyticsEnvironment.CreateAsync(local);
        // Transactions on different rollups go at once: the first waits until another is in
        // flight. A function sending one at a time never gets past it and fails the assertion.
        var meeting = new Meeting(parties: 2, patience: TimeSpan.FromSeconds(10));
        using var network = new ScriptedNetwork((request, forward) => request.Operation != "TransactWriteItems" ? null
            : meeting.JoinAsync(Guid.NewGuid().ToString(), forward));
        using var client = network.Client(local);
        var function = env.Function(client);
        var batch = Functions.DevKit.SyntheticStreamBatch.Orders(env.StreamArns[env.Table("orders")], 1000, merchants: 10);

        Assert.Empty(await AnalyticsEnvironment.InvokeAsync(function, batch));
        var first = network.CallsOf("TransactWriteItems");
        Assert.True(meeting.Met, "no two transactions were ever in flight together");
        Assert.Empty(await AnalyticsEnvironment.InvokeAsync(function, batch));
        var replay = network.CallsOf("TransactWriteItems") - first;

        Assert.Equal(11, first); // 1,000 puts and the rollups they touch, 100 actions at most per transaction
        Assert.Equal(first, replay); // each transaction cancelled once, nothing added
        Assert.Equal(["daily.order.created#2026-01-16: 100, total_USD=101"], await env.RollupsAsync("m-3"));
        Assert.Equal(100, (await env.EventKeysAsync("m-3")).Count);
        Assert.Equal(1000, Counter(env.Logs.Line("analytics batch processed"), "already_counted"));
    }
}
