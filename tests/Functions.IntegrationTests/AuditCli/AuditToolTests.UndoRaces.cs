using Functions.AuditCli;
using StreamValue = Functions.Events.DynamoDBEvent.AttributeValue;

namespace Functions.IntegrationTests;

// undo raced by other writes: it fails or keeps what they wrote, never loses it
public abstract partial class AuditToolTests
{
    [Fact]
    public async Task A_write_racing_between_the_undos_read_and_its_write_makes_the_undo_fail_and_change_nothing()
    {
        var (env, _, paid, _) = await BadEditAsync();

        var raced = await UndoRacedByAsync(env,
            () => UpdateAsync(env, "SET #s = :s, updatedBy = :by", new() { [":s"] = new() { S = "ON_HOLD" }, [":by"] = new() { S = "support" } }),
            "--to", paid, "--actor", "alice");

        Assert.Equal(ExitCodes.Conflict, raced.ExitCode);
        Assert.Contains("changed between the undo's read and its write", raced.Stderr, StringComparison.Ordinal);
        Assert.Contains("nothing written", raced.Stderr, StringComparison.Ordinal);
        var now = (await ItemAsync(env))!;
        Assert.Equal("ON_HOLD", now["status"].S);       // the racing write stands
        Assert.Equal("support", now["updatedBy"].S);
        Assert.Equal("0", now["total"].N);              // and nothing of the undo landed
        Assert.Equal("Nowhere", now["shipping"].M!["address"].M!["city"].S);
    }

    [Fact]
    public async Task A_write_racing_a_delete_leaves_the_item_as_that_write_made_it()
    {
        var (env, _, _, _) = await BadEditAsync();

        var raced = await UndoRacedByAsync(env, () => UpdateAsync(env, "SET #s = :s", new() { [":s"] = new() { S = "REOPENED" } }),
            "--to", "2000-01-01", "--actor", "bob");

        Assert.Equal(ExitCodes.Conflict, raced.ExitCode);
        Assert.Contains("(it changed in status): nothing written", raced.Stderr, StringComparison.Ordinal);
        var now = (await ItemAsync(env))!;
        Assert.Equal("REOPENED", now["status"].S);
        Assert.Equal("ops-console", now["updatedBy"].S); // not even the actor mark landed
    }

    [Fact]
    public async Task An_attribute_added_before_a_deletes_actor_mark_stops_the_delete_and_the_mark_is_said_to_be_written()
    {
        var (env, _, _, _) = await BadEditAsync();

        var raced = await UndoRacedByAsync(env, () => UpdateAsync(env, "SET note = :n", new() { [":n"] = new() { S = "call the customer" } }),
            "--to", "2000-01-01", "--actor", "bob");

        Assert.Equal(ExitCodes.PartlyDone, raced.ExitCode);
        Assert.Contains("Not deleted: a change came in between and added note", raced.Stderr, StringComparison.Ordinal);
        var now = (await ItemAsync(env))!;
        Assert.Equal("call the customer", now["note"].S);
        Assert.Equal("bob", now["updatedBy"].S); // the actor mark was written: exit 5 would say nothing was
    }

    [Fact]
    public async Task A_change_between_the_actor_mark_and_the_delete_stops_the_delete_and_the_mark_is_said_to_be_written()
    {
        var (env, _, _, _) = await BadEditAsync();

        var raced = await UndoRacedAtAsync("DeleteItem", env, () => UpdateAsync(env, "SET #s = :s", new() { [":s"] = new() { S = "REOPENED" } }), null,
            "--to", "2000-01-01", "--actor", "bob");

        Assert.Equal(ExitCodes.PartlyDone, raced.ExitCode);
        Assert.Contains("(it changed in status): not deleted, and it keeps updatedBy = bob", raced.Stderr, StringComparison.Ordinal);
        var now = (await ItemAsync(env))!;
        Assert.Equal("REOPENED", now["status"].S);
        Assert.Equal("bob", now["updatedBy"].S);
    }

    [Fact]
    public async Task An_attribute_added_between_the_actor_mark_and_the_delete_is_not_lost_the_item_is_put_back_as_that_write_left_it()
    {
        var (env, _, _, _) = await BadEditAsync();
        var seen = await ItemAsync(env);

        var raced = await UndoRacedAtAsync("DeleteItem", env, () => UpdateAsync(env, "SET note = :n", new() { [":n"] = new() { S = "call the customer" } }), null,
            "--to", "2000-01-01", "--actor", "bob");

        Assert.Equal(ExitCodes.PartlyDone, raced.ExitCode);
        Assert.Contains("added note between the actor mark and the delete", raced.Stderr, StringComparison.Ordinal);
        var now = (await ItemAsync(env))!;
        Assert.True(AttributeValueEquality.MapEquals(
            new Dictionary<string, StreamValue>(seen!) { ["updatedBy"] = StreamValue.FromS("bob"), ["note"] = StreamValue.FromS("call the customer") }, now), raced.ToString());
        // The trail tells it as it happened: the mark, the delete, the item written back by bob.
        await AuditAsync(env);
        var history = await HistoryJsonAsync(env);
        Assert.Equal(["MODIFY", "MODIFY", "REMOVE", "INSERT"], history.Skip(3).Select(c => c.GetProperty("eventName").GetString()));
        Assert.Equal("bob", history[^1].GetProperty("actor").GetString());
    }

    [Fact]
    public async Task An_attribute_the_delete_removed_unseen_is_named_when_it_cannot_be_put_back()
    {
        var (env, _, _, _) = await BadEditAsync();
        var recreated = OrderKey();
        recreated["status"] = new() { S = "NEW" };
        recreated["updatedBy"] = new() { S = "checkout-service" };

        // A note added between the mark and the delete; the item made anew between the delete and the put-back.
        var raced = await UndoRacedAtAsync("DeleteItem", env, () => UpdateAsync(env, "SET note = :n", new() { [":n"] = new() { S = "call the customer" } }),
            ("PutItem", () => engine.Client.PutItemAsync(env.Table("orders"), recreated)), "--to", "2000-01-01", "--actor", "bob");

        Assert.Equal(ExitCodes.Failed, raced.ExitCode);
        Assert.Contains("removed note, which a change had added between the actor mark and the delete", raced.Stderr, StringComparison.Ordinal);
        Assert.Contains("note = \"call the customer\"", raced.Stderr, StringComparison.Ordinal);
        var now = (await ItemAsync(env))!;
        Assert.Equal("NEW", now["status"].S); // the item made meanwhile is not overwritten
        Assert.False(now.ContainsKey("note"));
    }

    /// <summary>
    /// The undo through a network that lets <paramref name="race"/> write to the item just before
    /// the undo's first write reaches the engine: after its read, before its write.
    /// </summary>
    private Task<ToolRun> UndoRacedByAsync(AuditEnvironment env, Func<Task> race, params string[] undo)
        => UndoRacedAtAsync("UpdateItem", env, race, null, undo);

    /// <summary>
    /// The same, before the first request of <paramref name="operation"/> (UpdateItem: the put-back
    /// or the delete's actor mark; DeleteItem: the delete, after the mark), and optionally a second
    /// race before the first request of another operation.
    /// </summary>
    private async Task<ToolRun> UndoRacedAtAsync(string operation, AuditEnvironment env, Func<Task> race,
        (string Operation, Func<Task> Race)? then, params string[] undo)
    {
        var once = new FirstTimes();
        using var network = new ScriptedNetwork((request, forward) =>
            !request.Names(env.Table("orders")) ? null
            : request.Operation == operation && once.First(operation) ? RaceThenAsync(race, forward)
            : then is { } next && request.Operation == next.Operation && once.First(next.Operation) ? RaceThenAsync(next.Race, forward)
            : null);
        static async Task<HttpResponseMessage> RaceThenAsync(Func<Task> race, Func<Task<HttpResponseMessage>> forward)
        {
            await race();
            return await forward();
        }
        return await AuditTool.RunAsync(engine, env.App, () => network.Client(engine), ["undo", "order", Order, .. undo]);
    }

    [Fact]
    public async Task An_attribute_added_by_a_racing_write_is_kept_not_overwritten_and_reported()
    {
        var (env, _, paid, _) = await BadEditAsync();

        var raced = await UndoRacedByAsync(env, () => UpdateAsync(env, "SET note = :n", new() { [":n"] = new() { S = "call the customer" } }),
            "--to", paid, "--actor", "alice");

        // Written, with the racing change kept: not exit 5, which says nothing was written.
        Assert.Equal(ExitCodes.PartlyDone, raced.ExitCode);
        Assert.Contains("added note, which the undo kept", raced.Stderr, StringComparison.Ordinal);
        var now = (await ItemAsync(env))!;
        Assert.Equal("call the customer", now["note"].S);
        Assert.Equal("PAID", now["status"].S);
    }
}
