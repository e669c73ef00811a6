using System.Text.Json;
using System.Text.Json.Nodes;
using Functions.MerchantAnalytics;

namespace Functions.IntegrationTests;

/// <summary>MerchantAnalyticsFunction against moto, fed real stream records as Lambda redelivers them.</summary>
[Collection(MotoCollection.Name)]
public class MerchantAnalyticsTests(MotoFixture moto)
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
            var env = await AnalyticsEnvironment.CreateAsync(moto);
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
        await env.PutAsync("orders", "o-5", "m-a", "PENDING", "50.05", "USD"); // same status: no event
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

    private static async Task AssertCountedOnceAsync(AnalyticsEnvironment env, string day)
    {
        Assert.Equal(ExpectedA(day), await env.RollupsAsync("m-a"));
        Assert.Equal(ExpectedB(day), await env.RollupsAsync("m-b"));
        Assert.Equal(11, (await env.EventKeysAsync("m-a")).Count); // 6 created, 3 paid, 1 cancelled, 1 deleted
        Assert.Equal(4, (await env.EventKeysAsync("m-b")).Count);
    }

    [Fact]
    public async Task Overlapping_redeliveries_leave_every_rollup_and_event_as_one_delivery_makes_them()
    {
        var (env, records, day) = await OrdersOfADayAsync();
        var function = env.Function();
        var half = records.Count / 2;

        Assert.Empty(await env.InvokeAsync(function, env.LambdaEvent("orders", records.Take(half))));        // the first half
        Assert.Empty(await env.InvokeAsync(function, env.LambdaEvent("orders", records.Skip(half / 2))));    // a retry overlapping it
        Assert.Empty(await env.InvokeAsync(function, env.LambdaEvent("orders", records)));                   // the whole batch
        Assert.Empty(await env.InvokeAsync(function, env.LambdaEvent("orders", records)));                   // and again

        await AssertCountedOnceAsync(env, day);
        var summary = env.Logs.Line("analytics batch processed");
        Assert.Equal((records.Count, 0, 15, 0), (summary.GetProperty("records").GetInt32(), summary.GetProperty("events_written").GetInt32(),
            summary.GetProperty("already_counted").GetInt32(), summary.GetProperty("failed").GetInt32()));
        Assert.Equal(2, summary.GetProperty("ignored").GetInt32()); // the order of no merchant, the modify without a status change
        EmittedMetrics.AssertTheDashboardReadsThem(env.Logs.MetricRecord(), env.App, "MerchantAnalyticsFunction", AnalyticsMetrics.All);
    }

    [Fact]
    public async Task Two_concurrent_invocations_for_the_same_merchant_count_each_change_once()
    {
        var (env, records, day) = await OrdersOfADayAsync();
        // DynamoDB runs transactions serializably and cancels one that meets another in flight
        // (TransactionConflict); moto does neither (no lock, and a rollback restores a stale copy
        // of the table), so its HTTP seam plays DynamoDB's part here.
        var conflicts = 0;
        using var dynamoDb = new ScriptedNetwork((request, forward) =>
        {
            if (request.Operation != "TransactWriteItems") return null;
            if (!InFlight.Wait(0) && Interlocked.Increment(ref conflicts) > 0)
                return ScriptedNetwork.Cancelled(Enumerable.Repeat("TransactionConflict", ActionsOf(request.Body)).ToList());
            // A transaction stays in flight a little while, as on a busy table, so the others meet it.
            return Task.Delay(50).ContinueWith(_ => forward(), TaskScheduler.Default).Unwrap()
                .ContinueWith(t => { InFlight.Release(); return t; }, TaskScheduler.Default).Unwrap();
        });
        using var client = dynamoDb.Client(moto);
        var functions = Enumerable.Range(0, 3).Select(_ => env.Function(client, new LogCapture())).ToList();

        var results = await Task.WhenAll(
            env.InvokeAsync(functions[0], env.LambdaEvent("orders", records), concurrent: true),
            env.InvokeAsync(functions[1], env.LambdaEvent("orders", records.Skip(3)), concurrent: true),
            env.InvokeAsync(functions[2], env.LambdaEvent("orders", records.Take(records.Count - 2)), concurrent: true));

        Assert.All(results, Assert.Empty);
        await AssertCountedOnceAsync(env, day);
        Assert.True(conflicts > 0, "the invocations never met: nothing was shown");
    }

    private static readonly SemaphoreSlim InFlight = new(1, 1);

    private static int ActionsOf(string body) => JsonDocument.Parse(body).RootElement.GetProperty("TransactItems").GetArrayLength();

    [Fact]
    public async Task A_bad_total_is_reported_by_its_sequence_number_while_the_rest_lands()
    {
        var (env, records, day) = await OrdersOfADayAsync();
        var bad = (JsonObject)records[2].DeepClone();
        bad["dynamodb"]!["NewImage"]!["total"] = new JsonObject { ["S"] = "twelve" };
        var malformed = (JsonObject)records[3].DeepClone();
        malformed["dynamodb"]!["NewImage"]!["total"] = new JsonObject { ["N"] = "not-a-number" };
        var batch = records.Select((r, i) => i == 2 ? bad : i == 3 ? malformed : r).ToList();

        var failed = await env.InvokeAsync(env.Function(), env.LambdaEvent("orders", batch));

        Assert.Equal([SequenceOf(records[2]), SequenceOf(records[3])], failed);
        var reasons = env.Logs.LogLines().Where(l => l.GetProperty("message").GetString() == "record not counted").Select(l => l.GetProperty("reason").GetString()!).ToList();
        Assert.Contains(reasons, r => r.Contains("'total' is not a number", StringComparison.Ordinal));
        Assert.DoesNotContain(reasons, r => r.Contains("twelve", StringComparison.Ordinal) || r.Contains("not-a-number", StringComparison.Ordinal));
        Assert.Equal(13, (await env.EventKeysAsync("m-a")).Count + (await env.EventKeysAsync("m-b")).Count);

        Assert.Empty(await env.InvokeAsync(env.Function(), env.LambdaEvent("orders", records))); // the fixed redelivery completes it
        await AssertCountedOnceAsync(env, day);
    }

    private static string SequenceOf(JsonObject record) => record["dynamodb"]!["SequenceNumber"]!.GetValue<string>();

    [Fact]
    public async Task Changes_of_ten_merchants_cost_the_fewest_transactions_the_action_limit_allows_and_a_replay_no_more()
    {
        // A moto of its own, and 300 changes rather than 1,000: moto copies the tables for every
        // transaction (half a second per 100 items held), so at scale it measures moto. The
        // 1,000-change packing is a unit test, its cost against moto a bench (tools/Bench).
        var ownMoto = new MotoFixture();
        await ownMoto.InitializeAsync();
        try
        {
            await ThousandChangesAsync(ownMoto);
        }
        finally
        {
            await ownMoto.DisposeAsync();
        }
    }

    private static async Task ThousandChangesAsync(MotoFixture moto)
    {
        var env = await AnalyticsEnvironment.CreateAsync(moto);
        using var network = new ScriptedNetwork((_, _) => null);
        using var client = network.Client(moto);
        var function = env.Function(client);
        var batch = Functions.DevKit.SyntheticStreamBatch.Orders(env.StreamArns[env.Table("orders")], 300, merchants: 10);

        Assert.Empty(await env.InvokeAsync(function, batch));
        var first = network.CallsOf("TransactWriteItems");
        Assert.Empty(await env.InvokeAsync(function, batch));
        var replay = network.CallsOf("TransactWriteItems") - first;

        Assert.Equal(4, first); // 300 puts and each transaction's ten rollups: 100 actions at most
        Assert.InRange(replay, 1, first);
        Assert.Equal([$"daily.order.created#2026-01-16: 30, total_USD=30.3"], await env.RollupsAsync("m-3"));
        Assert.Equal(30, (await env.EventKeysAsync("m-3")).Count);
        Assert.Equal(300, env.Logs.Line("analytics batch processed").GetProperty("already_counted").GetInt32());
    }
}
