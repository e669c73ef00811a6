using Functions.AuditCli;

namespace Functions.IntegrationTests;

// show: the item as it was at a change, and which item an id means
public abstract partial class AuditToolTests
{
    [Fact]
    public async Task Show_gives_the_item_as_it_was_at_a_change_and_absent_before_its_creation()
    {
        var (env, created, _, badEdit) = await BadEditAsync();

        var atCreation = await ImageAtAsync(env, created);
        Assert.Equal(BigNumber, atCreation["total"].N);
        Assert.Equal(new byte[] { 0, 1, 2, 255 }, atCreation["signature"].B);
        Assert.Equal("Oslo", atCreation["shipping"].M!["address"].M!["city"].S);
        Assert.Equal("Nowhere", (await ImageAtAsync(env, badEdit))["shipping"].M!["address"].M!["city"].S);

        var table = await ToolAsync(env, "show", "order", Order, "--at", created);
        Assert.Equal(0, table.ExitCode);
        Assert.Contains($"order#{Order} right after the INSERT at", table.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"total\s*│\s*12345678901234567890123456789012345678", table.Stdout);
        Assert.Matches(@"tags\s*│\s*<<""priority"", ""web"">>", table.Stdout);

        var before = await ToolAsync(env, "show", "order", Order, "--at", "2000-01-01T00:00:00Z", "--json");
        Assert.Equal(0, before.ExitCode);
        var absent = JsonDocument.Parse(before.Stdout).RootElement;
        Assert.False(absent.GetProperty("exists").GetBoolean());
        Assert.Equal(JsonValueKind.Null, absent.GetProperty("item").ValueKind);
    }

    [Fact]
    public async Task An_id_that_covers_several_items_is_said_so_and_the_full_key_is_taken()
    {
        var env = await AuditEnvironment.CreateAsync(engine);
        foreach (var customer in new[] { "cust-1#2026-01-16T12:00:00Z", "cust-2#2026-01-17T08:00:00Z" })
            await engine.Client.PutItemAsync(env.Table("orders"), new(OrderKey(Order, customer)) { ["status"] = new() { S = "PENDING" }, ["updatedBy"] = new() { S = customer[..6] } });
        await UpdateAsync(env, "SET #s = :s", new() { [":s"] = new() { S = "PAID" } }, OrderKey(Order, "cust-2#2026-01-17T08:00:00Z"));
        await AuditAsync(env);

        var ambiguous = await ToolAsync(env, "show", "order", Order, "--at", "now");
        Assert.Equal(ExitCodes.Usage, ambiguous.ExitCode);
        Assert.Contains("covers 2 items", ambiguous.Stderr, StringComparison.Ordinal);
        Assert.Contains("cust-1#2026-01-16T12:00:00Z, cust-2#2026-01-17T08:00:00Z", ambiguous.Stderr, StringComparison.Ordinal);
        Assert.Contains("--sort-key", ambiguous.Stderr, StringComparison.Ordinal);

        var one = await ToolAsync(env, "show", "order", Order, "--at", "now", "--sort-key", "cust-2#2026-01-17T08:00:00Z", "--json");
        Assert.True(one.ExitCode == 0, one.ToString());
        Assert.Equal("PAID", JsonDocument.Parse(one.Stdout).RootElement.GetProperty("item").GetProperty("status").GetProperty("S").GetString());

        var history = await ToolAsync(env, "history", "order", Order);
        Assert.Contains("3 changes of 2 items", history.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, (await HistoryJsonAsync(env, "order", Order, "--sort-key", "cust-2#2026-01-17T08:00:00Z")).Count);
    }
}
