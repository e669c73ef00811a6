using System.Diagnostics;

namespace Functions.IntegrationTests;

/// <summary>
/// Control-plane rates the whole account shares (ListBackups 5 a second, ListTagsOfResource and
/// DeleteBackup 10: each API's reference page), spent by another environment's run in the same
/// minute: DynamoDB answers ThrottlingException, "Rate of requests exceeds the allowed throughput"
/// (developer guide, "Error handling":
/// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html),
/// injected at the SDK's HTTP layer in front of moto, which never throttles.
/// </summary>
[Collection(MotoCollection.Name)]
public class AccountRateFaultTests(MotoFixture moto)
{
    private const string RateExceeded = "Rate of requests exceeds the allowed throughput.";

    [Fact]
    public async Task A_run_whose_calls_the_account_throttles_longer_than_its_attempts_waits_it_out_and_backs_up_every_table()
    {
        var env = await BackupEnvironment.CreateAsync(moto, extraTables: 0);
        var throttled = new Dictionary<string, int>(StringComparer.Ordinal);
        const int PerTable = 12; // more in a row than the 8 attempts a call has for other errors
        using var network = new ScriptedNetwork((request, _) =>
        {
            if (request.Operation is not ("ListBackups" or "ListTagsOfResource")) return null;
            lock (throttled)
            {
                var key = request.Operation + request.Body;
                throttled[key] = throttled.GetValueOrDefault(key) + 1;
                return throttled[key] <= PerTable ? ScriptedNetwork.Error("ThrottlingException", message: RateExceeded) : null;
            }
        });
        using var client = network.Client(moto);

        var summary = await env.Function(client).RunAsync(BackupEnvironment.ScheduledEvent(env.Night));

        Assert.Equal((env.BackedUpTables.Count(), 0, 0), (summary.Counts.Created, summary.Counts.Failed, summary.Counts.NotReached));
        foreach (var table in env.BackedUpTables) Assert.Single(await env.BackupsOfNightAsync(table, env.Night));
        Assert.True(summary.Calls["ListTagsOfResource"] >= env.Tables.Count * (PerTable + 1), $"{summary.Calls["ListTagsOfResource"]} ListTagsOfResource calls");
        Assert.True(summary.Calls["ListBackups"] >= env.BackedUpTables.Count() * (PerTable + 2), $"{summary.Calls["ListBackups"]} ListBackups calls");
    }

    [Fact]
    public async Task Throttling_that_outlasts_the_budget_stops_before_the_cutoff_and_says_the_budget_ran_out()
    {
        using var network = new ScriptedNetwork((request, _) =>
            request.Operation == "ListBackups" ? ScriptedNetwork.Error("ThrottlingException", message: RateExceeded) : null);
        using var client = network.Client(moto);
        var controlPlane = new ControlPlane(
            new RetryPolicy(ControlPlane.DefaultRetryOptions() with { BaseDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(200) }),
            new OperationPacer(OperationPacer.DynamoDbRates.ToDictionary(r => r.Key, r => r.Value * 100))); // paced, not at DynamoDB's pace
        using var deadline = InvocationDeadline.Start(TimeSpan.FromSeconds(4));
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<DeadlineReachedException>(() => controlPlane.CallAsync("ListBackups",
            token => client.ListBackupsAsync(new ListBackupsRequest { TableName = "any" }, token), deadline));

        Assert.True(clock.Elapsed < deadline.Timeout, $"stopped after {clock.Elapsed.TotalSeconds:0.0} s, past the timeout");
        Assert.True(network.CallsOf("ListBackups") > ControlPlane.DefaultRetryOptions().MaxAttempts, $"{network.CallsOf("ListBackups")} calls");
        Assert.Contains("time budget", error.Message, StringComparison.Ordinal);
        Assert.Contains("ThrottlingException", error.Message, StringComparison.Ordinal);
    }
}
