using Functions.NightlyBackup;
using Functions.ThrottleResponder;

namespace Functions.IntegrationTests;

/// <summary>
/// Tables of stacks made while AppName could hold a hyphen sit under this environment's prefix:
/// app {app}-dev, environment prod, owns {app}-dev-prod-orders, which starts with {app}-dev-. No
/// function lists, backs up, prunes, enables PITR on or switches them, whether it finds them in
/// ListTables, is asked for them by name, or is alarmed about them.
/// </summary>
[Collection(MotoCollection.Name)]
public class TableCollisionTests(MotoFixture moto)
{
    [Fact]
    public async Task The_nightly_backup_neither_lists_backs_up_nor_prunes_another_stacks_table_under_its_prefix()
    {
        var env = await BackupEnvironment.CreateAsync(moto, extraTables: 0);
        var colliding = env.Table("prod-orders");
        // A backup named as the suite names it, long past retention: only the owner's run may prune it.
        var old = BackupNaming.NameFor(colliding, env.Night.AddDays(-400));
        await env.SeedBackupAsync(colliding, old);

        var summary = await env.Function().RunAsync(BackupEnvironment.ScheduledEvent(env.Night));
        var asked = (await env.Function().FailsWithAsync<BackupRunFailedException>(BackupEnvironment.ScheduledEvent(env.Night, $$"""{"tables": ["prod-orders", "{{env.Table("x-staging-quotes")}}"]}"""))).Summary;

        Assert.DoesNotContain(summary.Tables, t => env.Foreign.Contains(t.Table));
        Assert.Equal([old], (await env.BackupsOfAsync(colliding)).Select(b => b.BackupName));
        Assert.Empty(await env.BackupsOfAsync(env.Table("x-staging-quotes")));
        Assert.Equal(2, asked.Counts.Failed);
        Assert.All(asked.Tables, t => Assert.Contains("another stack's table", t.Reason, StringComparison.Ordinal));
        var warning = env.LogLines().Single(l => l.GetProperty("message").GetString() == "tables left alone: another stack's");
        Assert.Equal([colliding, env.Table("x-staging-quotes")], warning.GetProperty("tables").EnumerateArray().Select(t => t.GetString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_pitr_guard_neither_lists_nor_enables_pitr_on_another_stacks_table_under_its_prefix()
    {
        var env = await PitrEnvironment.CreateAsync(moto);
        var colliding = env.Table("prod-orders");

        var report = await env.Function().RunAsync(ScheduledEvents.At(DateTimeOffset.UtcNow));

        Assert.DoesNotContain(report.Tables, t => t.Table == colliding);
        Assert.Equal((false, (int?)null), await env.PitrOfAsync(colliding));
        Assert.Equal((true, (int?)35), await env.PitrOfAsync(env.Table("orders"))); // its own are fixed
        Assert.Contains(env.Logs.LogLines(), l => l.GetProperty("message").GetString() == "tables left alone: another stack's");
    }

    [Fact]
    public async Task The_throttle_responder_neither_switches_nor_restores_another_stacks_table_under_its_prefix()
    {
        var env = await ThrottleEnvironment.CreateAsync(moto);
        var colliding = env.Table("prod-orders");
        await moto.Client.CreateTableAsync(new CreateTableRequest
        {
            TableName = colliding,
            BillingMode = BillingMode.PROVISIONED,
            ProvisionedThroughput = new ProvisionedThroughput(5, 5),
            AttributeDefinitions = [new("id", ScalarAttributeType.S)],
            KeySchema = [new("id", KeyType.HASH)],
        });
        await env.SwitchToOnDemandAsync(env.Table("products")); // a restore of its own table still works

        var (responses, counted) = await env.DeliverAsync(env.Function(),
            env.Event("alarm-sns-write-throttle.json", table: "prod-orders"),
            env.Event("alarm-eventbridge-write-throttle.json", table: "prod-orders"),
            env.Event("alarm-action-write-throttle.json", table: "prod-orders"),
            """{"action": "restore", "table": "prod-orders"}""");

        Assert.All(responses, r => Assert.Equal(ThrottleOutcome.Refused, Assert.Single(r.Results).Outcome));
        Assert.Equal([colliding, colliding, colliding, "prod-orders"], responses.Select(r => r.Results[0].Table));
        Assert.All(responses, r => Assert.Contains("another stack's table", r.Results[0].Reason, StringComparison.Ordinal));
        Assert.Equal("PROVISIONED", await env.BillingOfAsync(colliding));
        Assert.Empty(await env.AuditOfAsync(colliding));
        Assert.All(ThrottleMetrics.All, m => Assert.Equal(0d, counted[m]));
    }
}
