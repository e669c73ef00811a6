using Functions.Events.Serialization;
using Functions.ThrottleResponder;

namespace Functions.IntegrationTests;

/// <summary>ThrottleResponderFunction against moto, through each of the three alarm deliveries.</summary>
[Collection(MotoCollection.Name)]
public class ThrottleResponderTests(MotoFixture moto)
{
    [Theory]
    [InlineData("alarm-sns-write-throttle.json")]
    [InlineData("alarm-eventbridge-write-throttle.json")]
    [InlineData("alarm-action-write-throttle.json")]
    public async Task Each_delivery_switches_the_provisioned_table_to_on_demand_once_and_records_what_it_had(string file)
    {
        var env = await ThrottleEnvironment.CreateAsync(moto);
        var orders = env.Table("orders");
        var function = env.Function();

        var (responses, counted) = await env.DeliverAsync(function, env.Event(file), env.Event(file), env.Event("alarm-sns-write-throttle.json"));
        var (first, repeat, otherDelivery) = (responses[0], responses[1], responses[2]);

        var result = Assert.Single(first.Results);
        Assert.Equal((orders, ThrottleOutcome.Switched, "WriteProvisionedThroughputThrottleEvents"), (result.Table, result.Outcome, result.Metric));
        Assert.Equal("PAY_PER_REQUEST", await env.BillingOfAsync(orders));
        Assert.Equal(ThrottleOutcome.AlreadyOnDemand, Assert.Single(repeat.Results).Outcome);
        Assert.Equal(ThrottleOutcome.AlreadyOnDemand, Assert.Single(otherDelivery.Results).Outcome);

        var record = Assert.Single(await env.AuditOfAsync(orders));
        Assert.Equal(("SWITCHED_TO_ON_DEMAND", "2026-11-23T10:15:00.123Z#SWITCHED_TO_ON_DEMAND", $"{env.App}-dev-throttle-responder"),
            (record["eventName"].S, record["timestamp"].S, record["actor"].S));
        Assert.Equal(($"{env.App}-dev-orders-write-throttle", "WriteProvisionedThroughputThrottleEvents", "provisioned-capacity"),
            (record["alarmName"].S, record["metric"].S, record["cause"].S));
        Assert.StartsWith("Threshold Crossed", record["reason"].S, StringComparison.Ordinal);
        Assert.Equal(("PROVISIONED", "5", "5"), (record["before"].M["billingMode"].S, record["before"].M["readCapacityUnits"].N, record["before"].M["writeCapacityUnits"].N));
        Assert.Equal("PAY_PER_REQUEST", record["after"].M["billingMode"].S);
        Assert.Equal(1d, counted[ThrottleMetrics.TablesSwitched]);
        EmittedMetrics.AssertTheDashboardReadsThem(env.Logs.MetricRecord(), env.App, "ThrottleResponderFunction", ThrottleMetrics.All);
    }

    [Fact]
    public async Task Ok_is_ignored_and_another_environments_or_an_opted_out_table_is_left_alone_without_an_error()
    {
        var env = await ThrottleEnvironment.CreateAsync(moto);
        var function = env.Function();

        var optedOutAlarm = env.Event("alarm-sns-write-throttle.json", table: "legacy");
        // The opted-out table's alarm by SNS, by EventBridge, and Lambda's retry of the first.
        var (responses, counted) = await env.DeliverAsync(function, env.Event("alarm-sns-ok.json"), env.Event("alarm-sns-foreign-table.json"),
            optedOutAlarm, env.Event("alarm-eventbridge-write-throttle.json", table: "legacy"), optedOutAlarm);
        var (ok, foreign, optedOut) = (responses[0], responses[1], responses[2]);

        Assert.Equal(ThrottleOutcome.Ignored, Assert.Single(ok.Results).Outcome);
        Assert.Equal((env.Foreign, ThrottleOutcome.Refused), (Assert.Single(foreign.Results).Table, foreign.Results[0].Outcome));
        Assert.Equal(ThrottleOutcome.Refused, Assert.Single(optedOut.Results).Outcome);
        Assert.Contains("throttle-responder=off", optedOut.Results[0].Reason, StringComparison.Ordinal);
        foreach (var table in new[] { env.Table("orders"), env.Foreign, env.Table("legacy") })
            Assert.Equal("PROVISIONED", await env.BillingOfAsync(table));
        Assert.All(responses[2..], r => Assert.Equal(ThrottleOutcome.Refused, Assert.Single(r.Results).Outcome));
        // The opted-out table's refusal is recorded and counted once; an alarm on another
        // environment's table has no table here to record it by: logged at each delivery, not counted.
        var record = Assert.Single(await env.AuditOfAsync(env.Table("legacy")));
        Assert.Equal(("THROTTLE_NOT_SWITCHED", optedOut.Results[0].Reason), (record["eventName"].S, record["reason"].S));
        Assert.Equal(1d, counted[ThrottleMetrics.SwitchesRefused]);
        Assert.Contains(env.Logs.LogLines(), l => l.GetProperty("message").GetString() == "throttle response refused");
    }

    [Fact]
    public async Task A_table_that_does_not_exist_is_named_in_the_error_and_a_malformed_event_is_refused()
    {
        var env = await ThrottleEnvironment.CreateAsync(moto);
        var function = env.Function();

        var missing = await Assert.ThrowsAsync<ThrottleResponseFailedException>(() => function.RunAsync(env.Event("alarm-sns-write-throttle.json", table: "ghost")));
        Assert.Contains($"table {env.Table("ghost")} does not exist", missing.Message, StringComparison.Ordinal);
        Assert.Equal(1d, env.Logs.MetricRecord().GetProperty("SwitchesFailed").GetDouble());
        // The alarm's other delivery and Lambda's retries fail alike and are not counted again.
        var (again, counted) = await env.DeliverAsync(function, env.Event("alarm-eventbridge-write-throttle.json", table: "ghost"),
            env.Event("alarm-sns-write-throttle.json", table: "ghost"));
        Assert.All(again, r => Assert.Equal(ThrottleOutcome.Failed, Assert.Single(r.Results).Outcome));
        Assert.Equal(0d, counted[ThrottleMetrics.SwitchesFailed]);
        Assert.Equal("SWITCH_TO_ON_DEMAND_FAILED", Assert.Single(await env.AuditOfAsync(env.Table("ghost")))["eventName"].S);

        var malformed = await Assert.ThrowsAsync<InvalidEventException>(() => function.RunAsync("""{"Records":[{"Sns":{"Message":"not json"}}]}"""));
        Assert.Contains("not a CloudWatch alarm notification", malformed.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidEventException>(() => function.RunAsync("""{"action":"resize","table":"orders"}"""));
    }

    [Fact]
    public async Task An_index_alarm_records_the_table_and_index_capacity_and_restore_brings_them_back()
    {
        var env = await ThrottleEnvironment.CreateAsync(moto);
        var quotes = env.Table("quotes");
        var updates = new List<string>();
        using var network = new ScriptedNetwork((request, _) =>
        {
            if (request.Operation == "UpdateTable") lock (updates) updates.Add(request.Body);
            return null;
        });
        using var client = network.Client(moto);
        var function = env.Function(client);

        var switched = await function.RunAsync(env.Event("alarm-eventbridge-gsi-read-throttle.json"));
        Assert.Equal((quotes, ThrottleOutcome.Switched, "ReadProvisionedThroughputThrottleEvents on index by-customer"),
            (switched.Results[0].Table, switched.Results[0].Outcome, switched.Results[0].Metric));
        var before = Assert.Single(await env.AuditOfAsync(quotes))["before"].M;
        Assert.Equal(("5", "7"), (before["readCapacityUnits"].N, before["writeCapacityUnits"].N));
        Assert.Equal(("3", "4"), (before["globalSecondaryIndexes"].M["by-customer"].M["readCapacityUnits"].N, before["globalSecondaryIndexes"].M["by-customer"].M["writeCapacityUnits"].N));

        var (responses, counted) = await env.DeliverAsync(function, env.Event("throttle-restore.json").Replace("orders", "quotes", StringComparison.Ordinal),
            """{"action": "restore", "table": "quotes"}""");
        var (restored, again) = (responses[0], responses[1]);
        Assert.Equal(1d, counted[ThrottleMetrics.TablesRestored]);

        Assert.Equal(ThrottleOutcome.Restored, Assert.Single(restored.Results).Outcome);
        Assert.Equal((5L, 7L, 3L, 4L), (restored.Results[0].Capacity!.ReadCapacityUnits, restored.Results[0].Capacity!.WriteCapacityUnits,
            restored.Results[0].Capacity!.GlobalSecondaryIndexes["by-customer"].ReadCapacityUnits, restored.Results[0].Capacity!.GlobalSecondaryIndexes["by-customer"].WriteCapacityUnits));
        Assert.Equal("PROVISIONED", await env.BillingOfAsync(quotes));
        // moto keeps the old numbers through a switch, so what restore asked for is read off the wire.
        var restore = updates[^1];
        Assert.Contains("\"BillingMode\":\"PROVISIONED\"", restore, StringComparison.Ordinal);
        Assert.Contains("\"ProvisionedThroughput\":{\"ReadCapacityUnits\":5,\"WriteCapacityUnits\":7}", restore, StringComparison.Ordinal);
        Assert.Contains("\"IndexName\":\"by-customer\",\"ProvisionedThroughput\":{\"ReadCapacityUnits\":3,\"WriteCapacityUnits\":4}", restore, StringComparison.Ordinal);
        Assert.Equal(ThrottleOutcome.AlreadyProvisioned, Assert.Single(again.Results).Outcome);
        // (sorted by name: the sample alarm's time may be later than this test's clock)
        Assert.Equal(["RESTORED_TO_PROVISIONED", "SWITCHED_TO_ON_DEMAND"], (await env.AuditOfAsync(quotes)).Select(r => r["eventName"].S).Order(StringComparer.Ordinal));
        Assert.Equal(2, updates.Count);
    }

    [Fact]
    public async Task The_daily_switch_limit_is_said_clearly_recorded_and_not_retried()
    {
        var env = await ThrottleEnvironment.CreateAsync(moto);
        // DynamoDB's message for the quota (the other LimitExceededException, too many table
        // operations at once, is waited out: see ThrottleCauseTests).
        using var network = new ScriptedNetwork((request, _) => request.Operation == "UpdateTable"
            ? ScriptedNetwork.Error("LimitExceededException", message: "Subscriber limit exceeded: Update to PayPerRequest mode are limited to 4 times in 1 day(s).")
            : null);
        using var client = network.Client(moto);

        // The alarm by SNS, by EventBridge, and Lambda's retry of the first.
        var (responses, counted) = await env.DeliverAsync(env.Function(client), env.Event("alarm-sns-write-throttle.json"),
            env.Event("alarm-eventbridge-write-throttle.json"), env.Event("alarm-sns-write-throttle.json"));

        var result = Assert.Single(responses[0].Results);
        Assert.Equal(ThrottleOutcome.Refused, result.Outcome);
        Assert.Contains("4 switches to on-demand per rolling 24 hours", result.Reason, StringComparison.Ordinal);
        Assert.All(responses, r => Assert.Equal(ThrottleOutcome.Refused, Assert.Single(r.Results).Outcome));
        Assert.Equal(3, network.CallsOf("UpdateTable")); // one each: never tried again
        Assert.Equal(1d, counted[ThrottleMetrics.SwitchesRefused]);
        Assert.Equal("PROVISIONED", await env.BillingOfAsync(env.Table("orders")));
        Assert.Equal(["SWITCHED_TO_ON_DEMAND", "SWITCH_TO_ON_DEMAND_FAILED"], (await env.AuditOfAsync(env.Table("orders"))).Select(r => r["eventName"].S));
    }

    [Fact]
    public async Task A_table_still_updating_is_waited_for_within_the_budget_then_fails_for_the_retry()
    {
        var env = await ThrottleEnvironment.CreateAsync(moto);
        var once = new FirstTimes();
        using var busyOnce = new ScriptedNetwork((request, _) =>
            request.Operation == "UpdateTable" && once.First("busy") ? ScriptedNetwork.Error("ResourceInUseException") : null);
        using var busyOnceClient = busyOnce.Client(moto);
        var waited = await env.Function(busyOnceClient).RunAsync(env.Event("alarm-sns-write-throttle.json"));
        Assert.Equal(ThrottleOutcome.Switched, Assert.Single(waited.Results).Outcome);
        Assert.Equal(2, busyOnce.CallsOf("UpdateTable"));

        using var busy = new ScriptedNetwork((request, _) => request.Operation == "UpdateTable" ? ScriptedNetwork.Error("ResourceInUseException") : null);
        using var busyClient = busy.Client(moto);
        var error = await Assert.ThrowsAsync<ThrottleResponseFailedException>(() =>
            env.Function(busyClient, timeoutSeconds: 5).RunAsync(env.Event("alarm-sns-write-throttle.json", table: "products")));
        Assert.Contains(env.Table("products"), error.Message, StringComparison.Ordinal);
        // Bounded by the budget: at most one try per poll interval (100 ms) of the 5 s timeout.
        Assert.InRange(busy.CallsOf("UpdateTable"), 3, 5000 / 100);
        Assert.Equal("PROVISIONED", await env.BillingOfAsync(env.Table("products")));
    }

    [Fact]
    public async Task When_another_delivery_of_the_alarm_switches_the_table_first_there_is_nothing_left_to_do()
    {
        var env = await ThrottleEnvironment.CreateAsync(moto);
        using var race = AnotherDeliverySwitchesFirst();
        using var client = race.Client(moto);

        var response = await env.Function(client).RunAsync(env.Event("alarm-sns-write-throttle.json"));

        Assert.Equal(ThrottleOutcome.AlreadyOnDemand, Assert.Single(response.Results).Outcome);
        Assert.Equal(1, race.CallsOf("UpdateTable"));
        Assert.Equal("PAY_PER_REQUEST", await env.BillingOfAsync(env.Table("orders")));
        Assert.Equal(["SWITCHED_TO_ON_DEMAND"], (await env.AuditOfAsync(env.Table("orders"))).Select(r => r["eventName"].S));
    }

    // The other delivery's UpdateTable lands first: the first UpdateTable sent here is carried
    // out, and its answer is the one the other's switch leaves, the table UPDATING.
    private static ScriptedNetwork AnotherDeliverySwitchesFirst()
    {
        var once = new FirstTimes();
        return new ScriptedNetwork((request, forward) => request.Operation == "UpdateTable" && once.First("race")
            ? forward().ContinueWith(sent => { sent.Result.Dispose(); return ScriptedNetwork.Error("ResourceInUseException"); }, TaskScheduler.Default).Unwrap()
            : null);
    }

    [Fact]
    public async Task A_switch_another_delivery_made_first_is_counted_once_by_the_delivery_that_recorded_it()
    {
        var env = await ThrottleEnvironment.CreateAsync(moto);
        // The SNS delivery records the switch; the EventBridge delivery's UpdateTable (which does
        // not count it: the record is not its own) lands first.
        using var race = AnotherDeliverySwitchesFirst();
        using var client = race.Client(moto);
        var function = env.Function(client);

        var (responses, counted) = await env.DeliverAsync(function, env.Event("alarm-sns-write-throttle.json"), env.Event("alarm-eventbridge-write-throttle.json"));

        Assert.All(responses, r => Assert.Equal(ThrottleOutcome.AlreadyOnDemand, Assert.Single(r.Results).Outcome));
        Assert.Equal(1d, counted[ThrottleMetrics.TablesSwitched]);
        Assert.Equal(["SWITCHED_TO_ON_DEMAND"], (await env.AuditOfAsync(env.Table("orders"))).Select(r => r["eventName"].S));
    }

    [Fact]
    public async Task A_delivery_that_saw_the_table_provisioned_just_before_the_other_switched_it_does_not_count_the_switch_again()
    {
        var env = await ThrottleEnvironment.CreateAsync(moto);
        var orders = env.Table("orders");
        var late = false;
        // The EventBridge delivery read the table before the SNS delivery's switch and reaches
        // UpdateTable after it, which DynamoDB takes (it may: the ceiling is a change of its own).
        using var network = new ScriptedNetwork((request, forward) => late && request.Operation == "DescribeTable"
            ? ScriptedNetwork.Edited(forward, body => body.Replace("PAY_PER_REQUEST", "PROVISIONED", StringComparison.Ordinal))
            : null);
        using var client = network.Client(moto);
        var function = env.Function(client);

        var (first, firstCounts) = await env.DeliverAsync(function, env.Event("alarm-sns-write-throttle.json"));
        late = true;
        var (second, secondCounts) = await env.DeliverAsync(function, env.Event("alarm-eventbridge-write-throttle.json"));

        Assert.Equal(ThrottleOutcome.Switched, Assert.Single(first[0].Results).Outcome);
        Assert.Equal(ThrottleOutcome.Switched, Assert.Single(second[0].Results).Outcome); // what it saw
        Assert.Equal(2, network.CallsOf("UpdateTable"));
        Assert.Equal((1d, 0d), (firstCounts[ThrottleMetrics.TablesSwitched], secondCounts[ThrottleMetrics.TablesSwitched]));
        Assert.Equal(["SWITCHED_TO_ON_DEMAND"], (await env.AuditOfAsync(orders)).Select(r => r["eventName"].S));
    }

    [Fact]
    public async Task A_dry_run_logs_and_audits_what_would_happen_without_changing_the_table()
    {
        var env = await ThrottleEnvironment.CreateAsync(moto);
        var orders = env.Table("orders");
        var dryEvent = env.Event("alarm-sns-write-throttle.json").TrimStart().Insert(1, "\"dryRun\": true, ");

        var response = await env.Function().RunAsync(dryEvent);
        var real = await env.Function().RunAsync(env.Event("alarm-sns-write-throttle.json"));

        Assert.True(response.DryRun);
        Assert.Equal(ThrottleOutcome.WouldSwitch, Assert.Single(response.Results).Outcome);
        Assert.Equal(ThrottleOutcome.Switched, Assert.Single(real.Results).Outcome); // the dry run's record does not stand in for the switch
        var records = await env.AuditOfAsync(orders);
        Assert.Equal(2, records.Count);
        Assert.True(records.Single(r => r["timestamp"].S.EndsWith("#dry-run", StringComparison.Ordinal))["dryRun"].BOOL);

        var dryRestore = await env.Function().RunAsync("""{"action": "restore", "table": "orders", "dryRun": true}""");
        Assert.Equal(ThrottleOutcome.WouldRestore, Assert.Single(dryRestore.Results).Outcome);
        Assert.Equal("PAY_PER_REQUEST", await env.BillingOfAsync(orders));
    }
}
