using Functions.AuditCli;

namespace Functions.IntegrationTests;

// history: every change of an item, oldest first, as text or JSON
public abstract partial class AuditToolTests
{
    [Fact]
    public async Task History_lists_every_change_in_order_with_its_exact_timestamp_event_actor_and_changed_attributes()
    {
        var (env, created, paid, badEdit) = await BadEditAsync();

        var history = await HistoryJsonAsync(env);

        Assert.Equal(["checkout-service", "payments-service", "ops-console"], history.Select(c => c.GetProperty("actor").GetString()));
        Assert.Equal(["shipping", "signature", "status", "tags", "total", "updatedBy"],
            history[0].GetProperty("changedAttributes").EnumerateArray().Select(a => a.GetString()).ToList().Order(StringComparer.Ordinal));
        Assert.Equal(["status", "updatedBy"], history[1].GetProperty("changedAttributes").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(["shipping", "status", "tags", "total", "updatedBy"], history[2].GetProperty("changedAttributes").EnumerateArray().Select(a => a.GetString()));
        // The timestamp is the audit sort key itself: distinct and ordered even within one second (or, on DynamoDB Local, one minute).
        Assert.Equal([created, paid, badEdit], new[] { created, paid, badEdit }.Order(StringComparer.Ordinal));
        Assert.Equal(3, new[] { created, paid, badEdit }.Distinct().Count());
        Assert.All(history, c => Assert.StartsWith(c.GetProperty("changeTime").GetString()!, Timestamp(c), StringComparison.Ordinal));

        // For people: one table row per change, the timestamp in the short form the tool reads back.
        var table = await ToolAsync(env, "history", "order", Order);
        Assert.Equal(0, table.ExitCode);
        Assert.Contains($"order#{Order} in {env.Table("audit")}: 3 changes", table.Stdout, StringComparison.Ordinal);
        var shortPaid = paid.Split('#')[0] + "#" + paid.Split('#')[1].TrimStart('0');
        Assert.Matches($@"{System.Text.RegularExpressions.Regex.Escape(shortPaid)}\s*│\s*MODIFY\s*│\s*payments-service\s*│\s*status, updatedBy", table.Stdout);

        // A range: from the payment on; up to before the first change there is nothing.
        Assert.Equal([paid, badEdit], (await HistoryJsonAsync(env, "order", Order, "--from", shortPaid)).Select(Timestamp));
        var none = await ToolAsync(env, "history", "order", Order, "--to", "2000-01-01");
        Assert.Equal(ExitCodes.NotFound, none.ExitCode);
        Assert.Contains($"No audit record of order#{Order}", none.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task As_a_command_it_reads_the_endpoint_from_the_environment_and_prints_json_for_scripts()
    {
        var (env, created, paid, badEdit) = await BadEditAsync();

        var run = await AuditTool.RunProcessAsync(engine, null, "history", "order", Order, "--app", env.App, "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal([created, paid, badEdit], JsonDocument.Parse(run.Stdout).RootElement.EnumerateArray().Select(Timestamp));
        Assert.Empty(run.Stderr);
    }
}
