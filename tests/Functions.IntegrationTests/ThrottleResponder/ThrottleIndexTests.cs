using Functions.ThrottleResponder;

namespace Functions.IntegrationTests;

/// <summary>
/// An adopted table with an index, its throttling watched by the template's Metrics Insights
/// query alarms (the table's series and every index's): each delivery of the alarm reaches
/// ThrottleResponderFunction on moto; provisioned capacity exceeded switches the table (its index
/// follows), a hot partition is recorded and nothing is switched.
/// </summary>
[Collection(MotoCollection.Name)]
public class ThrottleIndexTests(MotoFixture moto)
{
    public static TheoryData<string> Deliveries() => new() { "sns", "eventbridge", "action" };

    // The alarm's three deliveries of one state change (its time a moment ago), the given one first.
    private static string[] InTurn(ThrottleEnvironment env, string sample, string first)
    {
        var changed = DateTimeOffset.UtcNow.AddMinutes(-2);
        return [.. new[] { first }.Concat(new[] { "sns", "eventbridge", "action" }.Where(d => d != first)).Select(d => env.EventAt($"alarm-{d}-{sample}.json", changed))];
    }

    [Theory]
    [MemberData(nameof(Deliveries))]
    public async Task Provisioned_capacity_exceeded_on_a_table_or_its_index_switches_the_table_once_whichever_delivery_comes_first(string first)
    {
        var env = await ThrottleEnvironment.CreateAsync(moto);
        var quotes = env.Table("quotes"); // 5/7, index by-customer 3/4

        var (responses, counted) = await env.DeliverAsync(env.Function(), InTurn(env, "index-write-throttle", first));

        Assert.Equal([ThrottleOutcome.Switched, ThrottleOutcome.AlreadyOnDemand, ThrottleOutcome.AlreadyOnDemand],
            responses.Select(r => Assert.Single(r.Results).Outcome));
        Assert.All(responses, r => Assert.Equal((quotes, ThrottleCauses.ProvisionedCapacity), (r.Results[0].Table, r.Results[0].Cause)));
        Assert.Equal("PAY_PER_REQUEST", await env.BillingOfAsync(quotes));
        var record = Assert.Single(await env.AuditOfAsync(quotes));
        Assert.Equal(("SWITCHED_TO_ON_DEMAND", $"{env.App}-dev-quotes-write-throttle", "WriteProvisionedThroughputThrottleEvents (the table and each of its indexes)"),
            (record["eventName"].S, record["alarmName"].S, record["metric"].S));
        var index = record["before"].M["globalSecondaryIndexes"].M["by-customer"].M;
        Assert.Equal(("3", "4"), (index["readCapacityUnits"].N, index["writeCapacityUnits"].N)); // what a restore puts back
        Assert.Equal(1d, counted[ThrottleMetrics.TablesSwitched]);
    }

    [Theory]
    [MemberData(nameof(Deliveries))]
    public async Task A_hot_partition_of_a_table_or_its_index_is_recorded_once_and_nothing_is_switched(string first)
    {
        var env = await ThrottleEnvironment.CreateAsync(moto);
        var quotes = env.Table("quotes");
        using var network = new ScriptedNetwork((_, _) => null);
        using var client = network.Client(moto);

        var (responses, counted) = await env.DeliverAsync(env.Function(client), InTurn(env, "index-hot-partition", first));

        Assert.All(responses, r => Assert.Equal((quotes, ThrottleOutcome.NotSwitched, ThrottleCauses.KeyRange),
            (Assert.Single(r.Results).Table, r.Results[0].Outcome, r.Results[0].Cause)));
        Assert.Equal(0, network.CallsOf("UpdateTable"));
        Assert.Equal("PROVISIONED", await env.BillingOfAsync(quotes));
        var record = Assert.Single(await env.AuditOfAsync(quotes));
        Assert.Equal(("THROTTLE_NOT_SWITCHED", $"{env.App}-dev-quotes-read-hot-partition", ThrottleCauses.KeyRange),
            (record["eventName"].S, record["alarmName"].S, record["cause"].S));
        Assert.Equal(1d, counted[ThrottleMetrics.HotPartitionThrottles]);
        Assert.All(ThrottleMetrics.All.Where(m => m != ThrottleMetrics.HotPartitionThrottles), m => Assert.Equal(0d, counted[m]));
    }
}
