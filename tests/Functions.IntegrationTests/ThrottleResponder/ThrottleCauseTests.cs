using Functions.ThrottleResponder;

namespace Functions.IntegrationTests;

/// <summary>
/// ThrottleResponderFunction against moto where the cause of the throttling, or DynamoDB's limits
/// and states that moto does not enforce, decide what it does (injected through ScriptedNetwork).
/// </summary>
[Collection(MotoCollection.Name)]
public partial class ThrottleCauseTests(MotoFixture moto)
{
    [System.Text.RegularExpressions.GeneratedRegex("\"TableStatus\"\\s*:\\s*\"ACTIVE\"")]
    private static partial System.Text.RegularExpressions.Regex TableStatus();

    [System.Text.RegularExpressions.GeneratedRegex("\"BillingMode\"\\s*:\\s*\"PROVISIONED\"")]
    private static partial System.Text.RegularExpressions.Regex BillingMode();

    [Theory]
    [InlineData("sns", "KeyRangeThroughput", ThrottleCauses.KeyRange, ThrottleMetrics.HotPartitionThrottles)]
    [InlineData("eventbridge", "KeyRangeThroughput", ThrottleCauses.KeyRange, ThrottleMetrics.HotPartitionThrottles)]
    [InlineData("sns", "MaxOnDemandThroughput", ThrottleCauses.OnDemandMaximum, ThrottleMetrics.OnDemandMaximumThrottles)]
    [InlineData("eventbridge", "AccountLimit", ThrottleCauses.AccountLimit, ThrottleMetrics.AccountLimitThrottles)]
    public async Task Throttling_a_switch_does_not_cure_is_recorded_and_counted_once_over_both_deliveries_and_a_retry(
        string firstDelivery, string metricStem, string cause, string metric)
    {
        var env = await ThrottleEnvironment.CreateAsync(moto);
        var orders = env.Table("orders");
        using var network = new ScriptedNetwork((_, _) => null);
        using var client = network.Client(moto);
        string Via(string delivery) => env.Event($"alarm-{delivery}-key-range.json")
            .Replace("KeyRangeThroughputThrottleEvents", metricStem + "ThrottleEvents", StringComparison.Ordinal);
        var first = Via(firstDelivery);

        // The alarm's SNS and EventBridge deliveries of one state change, and Lambda's retry of the first.
        var (responses, counted) = await env.DeliverAsync(env.Function(client), first, Via(firstDelivery == "sns" ? "eventbridge" : "sns"), first);

        Assert.All(responses, response => // each delivery still says what it saw
            Assert.Equal((orders, ThrottleOutcome.NotSwitched, cause), (Assert.Single(response.Results).Table, response.Results[0].Outcome, response.Results[0].Cause)));
        Assert.Equal(0, network.CallsOf("UpdateTable"));
        Assert.Equal("PROVISIONED", await env.BillingOfAsync(orders));
        // One record for the alarm's state change, whichever delivery came first, and one count.
        var record = Assert.Single(await env.AuditOfAsync(orders));
        Assert.Equal(("THROTTLE_NOT_SWITCHED", cause, $"{env.App}-dev-orders-hot-partition"),
            (record["eventName"].S, record["cause"].S, record["alarmName"].S));
        Assert.Equal(("PROVISIONED", "PROVISIONED"), (record["before"].M["billingMode"].S, record["after"].M["billingMode"].S));
        Assert.Equal(responses[0].Results[0].Reason, record["reason"].S);
        Assert.Equal(1d, counted[metric]);
        Assert.All(ThrottleMetrics.All.Where(m => m != metric), m => Assert.Equal(0d, counted[m]));
        Assert.Contains(env.Logs.LogLines(), l => l.GetProperty("message").GetString() == "throttling recorded, nothing switched"
                                                  && l.GetProperty("cause").GetString() == cause);
    }

    [Fact]
    public async Task A_record_whose_answer_was_lost_still_counts_once()
    {
        var env = await ThrottleEnvironment.CreateAsync(moto);
        var once = new FirstTimes();
        // The record reaches the audit table, its answer does not: the put sent again finds it.
        using var network = new ScriptedNetwork((request, forward) => request.Operation == "PutItem" && once.First("lost") ? ScriptedNetwork.AnswerLost(forward) : null);
        using var client = network.Client(moto);

        var (_, counted) = await env.DeliverAsync(env.Function(client), env.Event("alarm-sns-key-range.json"), env.Event("alarm-eventbridge-key-range.json"));

        Assert.Single(await env.AuditOfAsync(env.Table("orders")));
        Assert.Equal(3, network.CallsOf("PutItem")); // the lost one, its resend, the other delivery's
        Assert.Equal(1d, counted[ThrottleMetrics.HotPartitionThrottles]);
    }

    [Fact]
    public async Task A_users_alarm_on_the_generic_throttle_metrics_still_switches()
    {
        var env = await ThrottleEnvironment.CreateAsync(moto);

        var response = await env.Function().RunAsync(env.Event("alarm-action-metric-math.json"));

        var result = Assert.Single(response.Results);
        Assert.Equal((env.Table("products"), ThrottleOutcome.Switched, ThrottleCauses.Unattributed), (result.Table, result.Outcome, result.Cause));
        Assert.Equal("PAY_PER_REQUEST", await env.BillingOfAsync(env.Table("products")));
    }

    [Fact]
    public async Task A_retry_that_switches_after_a_failed_attempt_leaves_switched_as_the_trails_last_word()
    {
        var env = await ThrottleEnvironment.CreateAsync(moto);
        var orders = env.Table("orders");
        var alarm = env.EventAt("alarm-sns-write-throttle.json", DateTimeOffset.UtcNow.AddMinutes(-2));
        var throttling = true;
        // DynamoDB's control plane throttles every attempt of the first invocation, then recovers.
        using var network = new ScriptedNetwork((request, _) =>
            request.Operation == "UpdateTable" && throttling ? ScriptedNetwork.Error("ThrottlingException") : null);
        using var client = network.Client(moto);
        var function = env.Function(client);

        var (failed, failedCounts) = await env.DeliverAsync(function, alarm);
        throttling = false;
        // Lambda's asynchronous retry (the same event), then the alarm's other delivery.
        var (responses, counted) = await env.DeliverAsync(function, alarm, env.EventAt("alarm-eventbridge-write-throttle.json", DateTimeOffset.UtcNow.AddMinutes(-2)));
        var retry = responses[0];

        Assert.Equal(ThrottleOutcome.Failed, Assert.Single(failed[0].Results).Outcome);
        Assert.Equal(ThrottleOutcome.Switched, Assert.Single(retry.Results).Outcome);
        Assert.Equal(ThrottleOutcome.AlreadyOnDemand, Assert.Single(responses[1].Results).Outcome);
        Assert.Equal((1d, 0d), (failedCounts[ThrottleMetrics.SwitchesFailed], failedCounts[ThrottleMetrics.TablesSwitched]));
        Assert.Equal((0d, 1d), (counted[ThrottleMetrics.SwitchesFailed], counted[ThrottleMetrics.TablesSwitched]));
        Assert.Equal("PAY_PER_REQUEST", await env.BillingOfAsync(orders));
        var trail = (await env.AuditOfAsync(orders)).Select(r => r["eventName"].S).ToList();
        Assert.Equal(["SWITCHED_TO_ON_DEMAND", "SWITCH_TO_ON_DEMAND_FAILED", "SWITCHED_TO_ON_DEMAND"], trail);
        var last = (await env.AuditOfAsync(orders))[^1];
        Assert.Equal(("5", "5"), (last["before"].M["readCapacityUnits"].N, last["before"].M["writeCapacityUnits"].N));
        Assert.Contains("after the failure", last["reason"].S, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_switch_recorded_as_failed_that_took_effect_after_all_is_set_right_by_the_next_delivery()
    {
        var env = await ThrottleEnvironment.CreateAsync(moto);
        var orders = env.Table("orders");
        var alarm = env.EventAt("alarm-sns-write-throttle.json", DateTimeOffset.UtcNow.AddMinutes(-2));
        var losing = true;
        // DynamoDB switches the table, but no answer reaches the function, attempt after attempt.
        using var network = new ScriptedNetwork((request, forward) =>
            request.Operation == "UpdateTable" && losing ? ScriptedNetwork.AnswerLost(forward) : null);
        using var client = network.Client(moto);
        var function = env.Function(client);

        await Assert.ThrowsAsync<ThrottleResponseFailedException>(() => function.RunAsync(alarm));
        losing = false;
        var (responses, counted) = await env.DeliverAsync(function, alarm, env.EventAt("alarm-eventbridge-write-throttle.json", DateTimeOffset.UtcNow.AddMinutes(-2)));
        var (retry, again) = (responses[0], responses[1]);

        Assert.Equal(ThrottleOutcome.AlreadyOnDemand, Assert.Single(retry.Results).Outcome);
        Assert.Contains("does not stand", retry.Results[0].Reason, StringComparison.Ordinal);
        Assert.Equal(ThrottleOutcome.AlreadyOnDemand, Assert.Single(again.Results).Outcome);
        var trail = await env.AuditOfAsync(orders);
        Assert.Equal(["SWITCHED_TO_ON_DEMAND", "SWITCH_TO_ON_DEMAND_FAILED", "SWITCHED_TO_ON_DEMAND"], trail.Select(r => r["eventName"].S));
        Assert.Equal("5", trail[^1]["before"].M["readCapacityUnits"].N); // what a restore goes back to
        Assert.Equal(1d, counted[ThrottleMetrics.TablesSwitched]); // the switch that stood, counted by the retry that found it
    }

    [Fact]
    public async Task A_table_updating_for_longer_than_the_budget_fails_once_and_the_retrys_switch_is_the_trails_last_word()
    {
        var env = await ThrottleEnvironment.CreateAsync(moto);
        var orders = env.Table("orders");
        var alarm = env.EventAt("alarm-sns-write-throttle.json", DateTimeOffset.UtcNow.AddMinutes(-2));
        var updating = true;
        using var network = new ScriptedNetwork((request, forward) => request.Operation == "DescribeTable" && request.Names(orders) && updating
            ? ScriptedNetwork.Edited(forward, body => TableStatus().Replace(body, "\"TableStatus\": \"UPDATING\""))
            : null);
        using var client = network.Client(moto);

        // The first delivery and Lambda's retry wait for the table in vain, the second retry finds it settled.
        var (stuck, stuckCounts) = await env.DeliverAsync(env.Function(client, timeoutSeconds: 2), alarm, alarm);
        updating = false;
        var (settled, counted) = await env.DeliverAsync(env.Function(client), alarm);

        Assert.All(stuck, r => Assert.Equal(ThrottleOutcome.Failed, Assert.Single(r.Results).Outcome));
        Assert.Equal(ThrottleOutcome.Switched, Assert.Single(settled[0].Results).Outcome);
        Assert.Equal(["SWITCHED_TO_ON_DEMAND", "SWITCH_TO_ON_DEMAND_FAILED", "SWITCHED_TO_ON_DEMAND"], (await env.AuditOfAsync(orders)).Select(r => r["eventName"].S));
        Assert.Equal((1d, 0d), (stuckCounts[ThrottleMetrics.SwitchesFailed], counted[ThrottleMetrics.SwitchesFailed]));
        Assert.Equal(1d, counted[ThrottleMetrics.TablesSwitched]);
    }

    [Fact]
    public async Task A_duplicate_delivery_that_finds_the_table_on_demand_but_still_updating_returns_at_once()
    {
        var env = await ThrottleEnvironment.CreateAsync(moto);
        var orders = env.Table("orders");
        await env.SwitchToOnDemandAsync(orders); // the other delivery's switch, still being applied
        using var network = new ScriptedNetwork((request, forward) => request.Operation == "DescribeTable" && request.Names(orders)
            ? ScriptedNetwork.Edited(forward, body => TableStatus().Replace(body, "\"TableStatus\": \"UPDATING\""))
            : null);
        using var client = network.Client(moto);

        var response = await env.Function(client, timeoutSeconds: 5).RunAsync(env.Event("alarm-sns-write-throttle.json"));

        Assert.Equal(ThrottleOutcome.AlreadyOnDemand, Assert.Single(response.Results).Outcome);
        Assert.Equal(1, network.CallsOf("DescribeTable"));
        Assert.Equal(0, network.CallsOf("UpdateTable"));
    }

    [Fact]
    public async Task Too_many_table_operations_at_once_is_waited_out_within_the_budget()
    {
        var env = await ThrottleEnvironment.CreateAsync(moto);
        var once = new FirstTimes();
        using var network = new ScriptedNetwork((request, _) => request.Operation == "UpdateTable" && once.First("busy")
            ? ScriptedNetwork.Error("LimitExceededException", message: "Too many operations for a given subscriber.")
            : null);
        using var client = network.Client(moto);

        var response = await env.Function(client).RunAsync(env.Event("alarm-sns-write-throttle.json"));

        Assert.Equal(ThrottleOutcome.Switched, Assert.Single(response.Results).Outcome);
        Assert.Equal(2, network.CallsOf("UpdateTable"));
        Assert.Equal("PAY_PER_REQUEST", await env.BillingOfAsync(env.Table("orders")));
        Assert.Equal(["SWITCHED_TO_ON_DEMAND"], (await env.AuditOfAsync(env.Table("orders"))).Select(r => r["eventName"].S));
    }

    [Fact]
    public async Task A_limit_DynamoDB_does_not_name_is_tried_again_and_then_fails_for_a_person_not_taken_for_the_spent_quota()
    {
        var env = await ThrottleEnvironment.CreateAsync(moto);
        var orders = env.Table("orders");
        // The table switched to on-demand once an hour ago (one of its four a day), and every
        // UpdateTable meets a LimitExceededException whose message names neither limit.
        var lastSwitch = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds();
        using var network = new ScriptedNetwork((request, forward) => request.Operation switch
        {
            "DescribeTable" when request.Names(orders) => ScriptedNetwork.Edited(forward,
                body => BillingMode().Replace(body, $"\"BillingMode\": \"PROVISIONED\", \"LastUpdateToPayPerRequestDateTime\": {lastSwitch}")),
            "UpdateTable" => ScriptedNetwork.Error("LimitExceededException", message: "Limit exceeded for this table."),
            _ => null,
        });
        using var client = network.Client(moto);

        var error = await Assert.ThrowsAsync<ThrottleResponseFailedException>(
            () => env.Function(client, timeoutSeconds: 2).RunAsync(env.Event("alarm-sns-write-throttle.json")));

        var result = Assert.Single(error.Response.Results);
        Assert.Equal(ThrottleOutcome.Failed, result.Outcome);
        Assert.Contains("Limit exceeded for this table.", result.Reason, StringComparison.Ordinal);
        Assert.Contains("names neither", result.Reason, StringComparison.Ordinal);
        Assert.InRange(network.CallsOf("UpdateTable"), 2, 30); // tried again within the time budget
        Assert.Equal("PROVISIONED", await env.BillingOfAsync(orders));
        Assert.Equal(["SWITCHED_TO_ON_DEMAND", "SWITCH_TO_ON_DEMAND_FAILED"], (await env.AuditOfAsync(orders)).Select(r => r["eventName"].S));
        Assert.Equal((0d, 1d), (env.Logs.MetricRecord().GetProperty("SwitchesRefused").GetDouble(), env.Logs.MetricRecord().GetProperty("SwitchesFailed").GetDouble()));
    }

    [Fact]
    public async Task The_on_demand_ceiling_goes_with_the_switch_to_the_table_and_every_index()
    {
        var env = await ThrottleEnvironment.CreateAsync(moto);
        string? update = null;
        using var network = new ScriptedNetwork((request, _) =>
        {
            if (request.Operation == "UpdateTable") update = request.Body;
            return null;
        });
        using var client = network.Client(moto);
        var settings = new ThrottleSettings { MaxReadRequestUnits = 500, MaxWriteRequestUnits = 200 };

        var response = await env.Function(client, settings).RunAsync(env.Event("alarm-sns-write-throttle.json", table: "quotes"));

        Assert.Equal(ThrottleOutcome.Switched, Assert.Single(response.Results).Outcome);
        Assert.Contains("\"OnDemandThroughput\":{\"MaxReadRequestUnits\":500,\"MaxWriteRequestUnits\":200}", update, StringComparison.Ordinal);
        Assert.Contains("\"GlobalSecondaryIndexUpdates\":[{\"Update\":{\"IndexName\":\"by-customer\",\"OnDemandThroughput\":{\"MaxReadRequestUnits\":500,\"MaxWriteRequestUnits\":200}}}]",
            update, StringComparison.Ordinal);
        var after = Assert.Single(await env.AuditOfAsync(env.Table("quotes")))["after"].M;
        Assert.Equal(("500", "200"), (after["maxReadRequestUnits"].N, after["maxWriteRequestUnits"].N));
        Assert.Equal(("500", "200"), (after["globalSecondaryIndexes"].M["by-customer"].M["maxReadRequestUnits"].N,
            after["globalSecondaryIndexes"].M["by-customer"].M["maxWriteRequestUnits"].N));
    }

    [Fact]
    public async Task When_DynamoDB_refuses_the_index_ceilings_with_the_switch_the_table_is_still_switched_and_the_trail_says_so()
    {
        var env = await ThrottleEnvironment.CreateAsync(moto);
        var quotes = env.Table("quotes");
        var updates = new List<string>();
        using var network = new ScriptedNetwork((request, _) =>
        {
            if (request.Operation != "UpdateTable") return null;
            lock (updates) updates.Add(request.Body);
            return request.Body.Contains("GlobalSecondaryIndexUpdates", StringComparison.Ordinal) ? ScriptedNetwork.Error("ValidationException") : null;
        });
        using var client = network.Client(moto);
        var settings = new ThrottleSettings { MaxReadRequestUnits = 500, MaxWriteRequestUnits = 200 };

        var response = await env.Function(client, settings).RunAsync(env.EventAt("alarm-sns-write-throttle.json", DateTimeOffset.UtcNow.AddMinutes(-1), table: "quotes"));

        var result = Assert.Single(response.Results);
        Assert.Equal(ThrottleOutcome.Switched, result.Outcome);
        Assert.Contains("indexes", result.Reason, StringComparison.Ordinal);
        Assert.Equal(2, updates.Count);
        Assert.DoesNotContain("GlobalSecondaryIndexUpdates", updates[1], StringComparison.Ordinal);
        Assert.Equal("PAY_PER_REQUEST", await env.BillingOfAsync(quotes));
        // The last record says what DynamoDB took: the table's ceiling, not the index's.
        var last = (await env.AuditOfAsync(quotes))[^1];
        Assert.Equal("SWITCHED_TO_ON_DEMAND", last["eventName"].S);
        Assert.Equal("500", last["after"].M["maxReadRequestUnits"].N);
        Assert.False(last["after"].M.ContainsKey("globalSecondaryIndexes"));
    }
}
