using System.Net.Http;
using Functions.AuditCli;
using Functions.Events;
using Functions.Events.Serialization;
using StreamValue = Functions.Events.DynamoDBEvent.AttributeValue;

namespace Functions.IntegrationTests;

/// <summary>DynamoDB Local: AWS's own engine (exact numbers, real conditions), with its Streams API.</summary>
[Collection(DynamoDbLocalCollection.Name)]
public sealed class AuditToolOnDynamoDbLocalTests(DynamoDbLocalFixture local) : AuditToolTests(local);

[Collection(MotoCollection.Name)]
public sealed class AuditToolOnMotoTests(MotoFixture moto) : AuditToolTests(moto);

/// <summary>
/// The audit tool end to end on each engine: real writes to a business table, its real stream
/// records through the audit function into the audit table, then the tool through the real SDK.
/// </summary>
public abstract class AuditToolTests(ILocalEngine engine)
{
    private const string Order = "order-1";
    private const string CustomerTimestamp = "cust-1#2026-01-16T12:00:00Z";
    private const string BigNumber = "12345678901234567890123456789012345678";

    private static Dictionary<string, AttributeValue> OrderKey(string id = Order, string customerTimestamp = CustomerTimestamp) => new()
    {
        ["orderId"] = new() { S = id },
        ["customerId#timestamp"] = new() { S = customerTimestamp },
    };

    /// <summary>Created, paid, then a bad manual edit; all of it audited. Returns the three changes' timestamps.</summary>
    private async Task<(AuditEnvironment Env, string Created, string Paid, string BadEdit)> BadEditAsync()
    {
        var env = await AuditEnvironment.CreateAsync(engine);
        var item = OrderKey();
        item["status"] = new() { S = "PENDING" };
        item["total"] = new() { N = BigNumber };
        item["signature"] = new() { B = new MemoryStream([0, 1, 2, 255]) };
        item["tags"] = new() { SS = ["web", "priority"] };
        item["shipping"] = new() { M = new() { ["address"] = new() { M = new() { ["city"] = new() { S = "Oslo" } } }, ["lines"] = new() { L = [new() { N = "1.50" }] } } };
        item["updatedBy"] = new() { S = "checkout-service" };
        await engine.Client.PutItemAsync(env.Table("orders"), item);
        await UpdateAsync(env, "SET #s = :s, updatedBy = :by", new() { [":s"] = new() { S = "PAID" }, [":by"] = new() { S = "payments-service" } });
        await UpdateAsync(env, "SET #s = :s, #t = :t, shipping.address.city = :c, updatedBy = :by REMOVE tags", new()
        {
            [":s"] = new() { S = "CANCELLED" }, [":t"] = new() { N = "0" }, [":c"] = new() { S = "Nowhere" }, [":by"] = new() { S = "ops-console" },
        });
        await AuditAsync(env);
        var history = await HistoryJsonAsync(env);
        Assert.Equal(["INSERT", "MODIFY", "MODIFY"], history.Select(c => c.GetProperty("eventName").GetString()));
        return (env, Timestamp(history[0]), Timestamp(history[1]), Timestamp(history[2]));
    }

    private Task UpdateAsync(AuditEnvironment env, string expression, Dictionary<string, AttributeValue> values, Dictionary<string, AttributeValue>? key = null)
        => engine.Client.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = env.Table("orders"),
            Key = key ?? OrderKey(),
            UpdateExpression = expression,
            // status and total are reserved words (DynamoDB Local enforces them, moto does not).
            ExpressionAttributeNames = new[] { ("#s", "status"), ("#t", "total") }.Where(n => expression.Contains(n.Item1, StringComparison.Ordinal))
                .ToDictionary(n => n.Item1, n => n.Item2) is { Count: > 0 } names ? names : null,
            ExpressionAttributeValues = values,
        });

    private static async Task AuditAsync(AuditEnvironment env, string suffix = "orders")
    {
        var (response, _) = await env.AuditAsync(suffix);
        Assert.Empty(AuditEnvironment.FailedSequenceNumbers(response));
    }

    private Task<ToolRun> ToolAsync(AuditEnvironment env, params string[] args) => AuditTool.RunAsync(engine, env.App, args);

    private async Task<List<JsonElement>> HistoryJsonAsync(AuditEnvironment env, string entity = "order", string id = Order, params string[] more)
    {
        var run = await ToolAsync(env, ["history", entity, id, "--json", .. more]);
        Assert.True(run.ExitCode == 0, run.ToString());
        return JsonDocument.Parse(run.Stdout).RootElement.EnumerateArray().ToList();
    }

    private static string Timestamp(JsonElement change) => change.GetProperty("timestamp").GetString()!;

    private async Task<Dictionary<string, StreamValue>?> ItemAsync(AuditEnvironment env, string suffix = "orders", Dictionary<string, AttributeValue>? key = null)
    {
        var item = (await engine.Client.GetItemAsync(new GetItemRequest { TableName = env.Table(suffix), Key = key ?? OrderKey(), ConsistentRead = true })).Item;
        return item is { Count: > 0 } ? AttributeValueMapper.FromSdk(item) : null;
    }

    /// <summary>The item the audit trail recorded right after a change (its new image).</summary>
    private async Task<Dictionary<string, StreamValue>> ImageAtAsync(AuditEnvironment env, string timestamp)
    {
        var run = await ToolAsync(env, "show", "order", Order, "--at", timestamp, "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        return JsonSerializer.Deserialize(JsonDocument.Parse(run.Stdout).RootElement.GetProperty("item").GetRawText(), LambdaJsonContext.Default.DictionaryStringAttributeValue)!;
    }

    private static Dictionary<string, StreamValue> With(Dictionary<string, StreamValue> image, string name, string value)
        => new(image, StringComparer.Ordinal) { [name] = StreamValue.FromS(value) };

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
    public async Task Diff_compares_two_points_attribute_by_attribute_into_nested_values()
    {
        var (env, created, _, badEdit) = await BadEditAsync();

        var run = await ToolAsync(env, "diff", "order", Order, "--from", created, "--to", badEdit, "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        var changes = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("changes").EnumerateArray()
            .ToDictionary(c => c.GetProperty("path").GetString()!, c => c.GetProperty("change").GetString());
        Assert.Equal(new Dictionary<string, string?>
        {
            ["shipping.address.city"] = "changed",
            ["status"] = "changed",
            ["tags"] = "removed",
            ["total"] = "changed",
            ["updatedBy"] = "changed",
        }, changes);
        var table = await ToolAsync(env, "diff", "order", Order, "--from", created, "--to", badEdit);
        Assert.Matches(@"shipping\.address\.city\s*│\s*changed\s*│\s*""Oslo""\s*│\s*""Nowhere""", table.Stdout);
    }

    [Fact]
    public async Task Undo_puts_the_item_back_as_it_was_with_the_actor_and_the_undo_is_audited_in_turn()
    {
        var (env, _, paid, _) = await BadEditAsync();
        var wanted = With(await ImageAtAsync(env, paid), "updatedBy", "alice");

        var dryRun = await ToolAsync(env, "undo", "order", Order, "--to", paid, "--actor", "alice", "--dry-run");
        Assert.True(dryRun.ExitCode == 0, dryRun.ToString());
        Assert.Contains("Dry run: nothing written.", dryRun.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"status\s*│\s*changed\s*│\s*""CANCELLED""\s*│\s*""PAID""", dryRun.Stdout);
        Assert.Equal("CANCELLED", (await ItemAsync(env))!["status"].S);

        var undo = await ToolAsync(env, "undo", "order", Order, "--to", paid, "--actor", "alice");

        Assert.True(undo.ExitCode == 0, undo.ToString());
        var now = await ItemAsync(env);
        Assert.True(AttributeValueEquality.MapEquals(wanted, now!), undo.ToString());
        Assert.Equal(BigNumber, now!["total"].N); // 38 digits, exactly
        Assert.Equal(new byte[] { 0, 1, 2, 255 }, now["signature"].B);

        // The undo's own stream record goes through the audit trail like any change, naming alice.
        await AuditAsync(env);
        var history = await HistoryJsonAsync(env);
        Assert.Equal(4, history.Count);
        Assert.Equal("alice", history[3].GetProperty("actor").GetString());
        Assert.Equal(["shipping", "status", "tags", "total", "updatedBy"], history[3].GetProperty("changedAttributes").EnumerateArray().Select(a => a.GetString()));

        // Asked again, there is nothing left to do.
        var again = await ToolAsync(env, "undo", "order", Order, "--to", paid, "--actor", "alice");
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("nothing to do", again.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Undo_to_before_the_item_existed_deletes_it_after_writing_the_actor_so_the_trail_names_who()
    {
        var (env, _, _, _) = await BadEditAsync();

        var undo = await ToolAsync(env, "undo", "order", Order, "--to", "2000-01-01", "--actor", "bob");

        Assert.True(undo.ExitCode == 0, undo.ToString());
        Assert.Null(await ItemAsync(env));
        await AuditAsync(env);
        var history = await HistoryJsonAsync(env);
        Assert.Equal(["MODIFY", "REMOVE"], history.Skip(3).Select(c => c.GetProperty("eventName").GetString()));
        Assert.Equal("bob", history[3].GetProperty("actor").GetString());
        Assert.Equal(["updatedBy"], history[3].GetProperty("changedAttributes").EnumerateArray().Select(a => a.GetString()));
    }

    [Fact]
    public async Task A_delete_whose_condition_fits_only_without_the_actor_mark_is_refused_before_the_mark_is_written()
    {
        var env = await AuditEnvironment.CreateAsync(engine);
        var item = OrderKey();
        // 149 attributes and no updatedBy: the mark's condition on them fits DynamoDB's 300
        // operators (1 + 2 x 149), the delete's on the marked item does not (1 + 2 x 150).
        for (var i = 0; i < 149; i++) item[$"a{i:D3}"] = new() { S = "x" };
        await engine.Client.PutItemAsync(env.Table("orders"), item);
        await AuditAsync(env);
        var before = await ItemAsync(env);

        var undo = await ToolAsync(env, "undo", "order", Order, "--to", "2000-01-01", "--actor", "bob");

        Assert.Equal(ExitCodes.CannotTell, undo.ExitCode);
        Assert.Contains("too many attributes for one conditional write", undo.Stderr, StringComparison.Ordinal);
        Assert.Contains("Nothing written", undo.Stderr, StringComparison.Ordinal);
        Assert.True(AttributeValueEquality.MapEquals(before!, (await ItemAsync(env))!), "the exit code says nothing was written, yet the item changed");
    }

    [Fact]
    public async Task Undo_refuses_an_item_that_changed_after_its_newest_audit_record_and_writes_nothing()
    {
        var (env, created, _, _) = await BadEditAsync();
        await UpdateAsync(env, "SET #s = :s", new() { [":s"] = new() { S = "REFUNDED" } }); // not audited yet
        var before = await ItemAsync(env);

        var undo = await ToolAsync(env, "undo", "order", Order, "--to", created, "--actor", "alice");

        Assert.Equal(ExitCodes.CannotTell, undo.ExitCode);
        Assert.Contains("changed after its newest audit record", undo.Stderr, StringComparison.Ordinal);
        Assert.Contains("it differs in status", undo.Stderr, StringComparison.Ordinal);
        Assert.True(AttributeValueEquality.MapEquals(before!, (await ItemAsync(env))!));
    }

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

    [Fact]
    public async Task Undo_refuses_images_with_redacted_values()
    {
        var env = await AuditEnvironment.CreateAsync(engine, new Dictionary<string, string> { ["REDACT_ATTRIBUTES"] = "email" });
        var key = new Dictionary<string, AttributeValue> { ["customerId"] = new() { S = "cust-1" }, ["timestamp"] = new() { S = "2026-01-16T11:58:00Z" } };
        await engine.Client.PutItemAsync(env.Table("customers"), new(key) { ["email"] = new() { S = "ana@example.com" }, ["tier"] = new() { S = "gold" }, ["updatedBy"] = new() { S = "signup" } });
        await engine.Client.PutItemAsync(env.Table("customers"), new(key) { ["email"] = new() { S = "ana@example.com" }, ["tier"] = new() { S = "none" }, ["updatedBy"] = new() { S = "script" } });
        await AuditAsync(env, "customers");
        var created = Timestamp((await HistoryJsonAsync(env, "customer", "cust-1"))[0]);

        var undo = await ToolAsync(env, "undo", "customer", "cust-1", "--to", created, "--actor", "alice");

        Assert.Equal(ExitCodes.CannotTell, undo.ExitCode);
        Assert.Contains("redacted values (email)", undo.Stderr, StringComparison.Ordinal);
        Assert.Equal("none", (await ItemAsync(env, "customers", key))!["tier"].S);
        // Showing it is fine: the redacted value is said to be so.
        var show = await ToolAsync(env, "show", "customer", "cust-1", "--at", created);
        Assert.Equal(0, show.ExitCode);
        Assert.Contains("Redacted by the audit trail (not kept): email", show.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Undo_refuses_images_reduced_for_size()
    {
        var env = await AuditEnvironment.CreateAsync(engine);
        var item = OrderKey();
        item["status"] = new() { S = "PENDING" };
        item["attachment"] = new() { S = new string('x', 250_000) }; // both images of a change exceed an audit item's 400 KB
        await engine.Client.PutItemAsync(env.Table("orders"), item);
        await UpdateAsync(env, "SET #s = :s", new() { [":s"] = new() { S = "PAID" } });
        await AuditAsync(env);
        var history = await HistoryJsonAsync(env);
        Assert.Equal([false, true], history.Select(c => c.GetProperty("imagesReduced").GetBoolean()));

        var undo = await ToolAsync(env, "undo", "order", Order, "--to", Timestamp(history[0]), "--actor", "alice");

        Assert.Equal(ExitCodes.CannotTell, undo.ExitCode);
        Assert.Contains("were reduced to fit DynamoDB's item limits (images-limited-to-changed-attributes)", undo.Stderr, StringComparison.Ordinal);
        Assert.Equal("PAID", (await ItemAsync(env))!["status"].S);
    }

    [Fact]
    public async Task Undo_refuses_when_the_stream_carried_no_images()
    {
        // The environment's orders table made first, with a stream of keys only.
        var app = AuditEnvironment.NewApp();
        var orders = $"{app}-dev-orders";
        await engine.Client.CreateTableAsync(new CreateTableRequest
        {
            TableName = orders,
            BillingMode = Amazon.DynamoDBv2.BillingMode.PAY_PER_REQUEST,
            AttributeDefinitions = [new("orderId", "S"), new("customerId#timestamp", "S")],
            KeySchema = [new("orderId", "HASH"), new("customerId#timestamp", "RANGE")],
            StreamSpecification = new StreamSpecification { StreamEnabled = true, StreamViewType = "KEYS_ONLY" },
        });
        var env = await AuditEnvironment.CreateAsync(engine, app: app);
        await engine.Client.PutItemAsync(orders, new(OrderKey()) { ["status"] = new() { S = "PENDING" } });
        await UpdateAsync(env, "SET #s = :s", new() { [":s"] = new() { S = "PAID" } });
        await AuditAsync(env);
        var created = Timestamp((await HistoryJsonAsync(env))[0]);

        var undo = await ToolAsync(env, "undo", "order", Order, "--to", created, "--actor", "alice");

        Assert.Equal(ExitCodes.CannotTell, undo.ExitCode);
        Assert.Contains("the stream carried no new image", undo.Stderr, StringComparison.Ordinal);
        Assert.Contains("KEYS_ONLY", undo.Stderr, StringComparison.Ordinal);
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

/// <summary>The tool as an operator's script meets it: exit codes and one-line errors, as a separate process.</summary>
[Collection(DynamoDbLocalCollection.Name)]
public sealed class AuditToolCommandTests(DynamoDbLocalFixture local)
{
    public static TheoryData<string[], int, string> Errors => new()
    {
        { ["history", "invoice", "i-1"], ExitCodes.Usage, "Unknown entity type 'invoice'" },
        { ["history", "maip-prod-orders", "o-1"], ExitCodes.Usage, "maip-prod-orders is a table of another environment than maip-dev-*: to work on it, pass --app maip --env prod" },
        { ["show", "order", "o-1", "--at", "2026-01-16 12:00"], ExitCodes.Usage, "Bad time '2026-01-16 12:00'" },
        { ["undo", "order", "o-1", "--to", "now"], ExitCodes.Usage, "Option '--actor' is required." },
        { ["history", "order", "o-1", "--env", "qa"], ExitCodes.Usage, "Argument 'qa' not recognized" },
        { ["history", "order", "o-1", "--app", "nosuchapp"], ExitCodes.Aws, "Table nosuchapp-dev-audit does not exist in the endpoint" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public async Task A_bad_request_is_one_line_on_stderr_and_an_exit_code_a_script_can_use(string[] args, int exitCode, string message)
    {
        var run = await AuditTool.RunProcessAsync(local, null, args);

        Assert.True(run.ExitCode == exitCode, run.ToString());
        Assert.Contains(message, run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal); // no stack trace
        Assert.Empty(run.Stdout);
    }

    [Fact]
    public async Task No_audit_record_is_exit_code_3()
    {
        var env = await AuditEnvironment.CreateAsync(local);

        var run = await AuditTool.RunProcessAsync(local, null, "history", "order", "never-made", "--app", env.App);

        Assert.Equal(ExitCodes.NotFound, run.ExitCode);
        Assert.Contains($"No audit record of order#never-made in {env.Table("audit")}.", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_credentials_is_said_plainly()
    {
        var run = await AuditTool.RunProcessAsync(local, new Dictionary<string, string?>
        {
            ["AWS_ACCESS_KEY_ID"] = null,
            ["AWS_SECRET_ACCESS_KEY"] = null,
            ["AWS_PROFILE"] = null,
            ["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent/credentials",
            ["AWS_CONFIG_FILE"] = "/nonexistent/config",
        }, "history", "order", "o-1");

        Assert.Equal(ExitCodes.Aws, run.ExitCode);
        Assert.Equal("error: No AWS credentials: set AWS_PROFILE (or --profile), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (any values do for moto or DynamoDB Local).",
            run.Stderr.Trim());
    }

    [Fact]
    public async Task Help_documents_the_verbs_and_the_exit_codes()
    {
        var run = await AuditTool.RunProcessAsync(local, null, "--help");

        Assert.Equal(0, run.ExitCode);
        foreach (var verb in new[] { "history <entity> <id>", "show <entity> <id>", "diff <entity> <id>", "undo <entity> <id>" })
            Assert.Contains(verb, run.Stdout, StringComparison.Ordinal);
        foreach (var (code, meaning) in ExitCodes.All)
            Assert.Contains($"{code}  {meaning}", run.Stdout, StringComparison.Ordinal);
    }
}

/// <summary>
/// --profile as an operator uses it, against moto, whose tables live in one region: the tool as a
/// process with temporary AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE and no AWS_REGION.
/// </summary>
[Collection(MotoCollection.Name)]
public sealed class AuditToolProfileTests(MotoFixture moto) : IDisposable
{
    private readonly DirectoryInfo _aws = Directory.CreateTempSubdirectory("auditcli-aws-");

    public void Dispose() => _aws.Delete(recursive: true);

    private Dictionary<string, string?> Environment()
    {
        var config = Path.Combine(_aws.FullName, "aws-config");
        var credentials = Path.Combine(_aws.FullName, "aws-credentials");
        // The default profile names another region: the same table name may exist there too.
        File.WriteAllText(config, $"[default]\nregion = eu-west-3\n\n[profile ops]\nregion = {MotoFixture.Region}\n\n[profile bare]\noutput = json\n");
        File.WriteAllText(credentials, "[default]\naws_access_key_id = test\naws_secret_access_key = test\n\n" +
                                       "[ops]\naws_access_key_id = test\naws_secret_access_key = test\n\n[bare]\naws_access_key_id = test\naws_secret_access_key = test\n");
        return new()
        {
            ["AWS_CONFIG_FILE"] = config,
            ["AWS_SHARED_CREDENTIALS_FILE"] = credentials,
            ["AWS_REGION"] = null,
            ["AWS_DEFAULT_REGION"] = null,
            ["AWS_ACCESS_KEY_ID"] = null,
            ["AWS_SECRET_ACCESS_KEY"] = null,
        };
    }

    [Fact]
    public async Task A_profile_brings_its_region_and_one_without_a_region_is_refused_in_one_line()
    {
        var env = await AuditEnvironment.CreateAsync(moto);
        await moto.Client.PutItemAsync(env.Table("orders"), new()
        {
            ["orderId"] = new() { S = "o-1" }, ["customerId#timestamp"] = new() { S = "c-1#2026-01-16T12:00:00Z" }, ["updatedBy"] = new() { S = "checkout" },
        });
        var (response, _) = await env.AuditAsync("orders");
        Assert.Empty(AuditEnvironment.FailedSequenceNumbers(response));

        var ops = await AuditTool.RunProcessAsync(moto, Environment(), "history", "order", "o-1", "--app", env.App, "--profile", "ops", "--json");
        Assert.True(ops.ExitCode == 0, ops.ToString());
        Assert.Single(JsonDocument.Parse(ops.Stdout).RootElement.EnumerateArray());

        var bare = await AuditTool.RunProcessAsync(moto, Environment(), "history", "order", "o-1", "--app", env.App, "--profile", "bare");
        Assert.Equal(ExitCodes.Aws, bare.ExitCode);
        Assert.Equal("error: No region for the profile 'bare': it sets none, and neither --region nor AWS_REGION is given. " +
                     "Pass --region, or add `region = ...` to the profile in the AWS config file.", bare.Stderr.Trim());

        // --region still wins, and the error names the region it looked in.
        var elsewhere = await AuditTool.RunProcessAsync(moto, Environment(), "history", "order", "o-1", "--app", env.App, "--profile", "ops", "--region", "eu-west-3");
        Assert.Equal(ExitCodes.Aws, elsewhere.ExitCode);
        Assert.Contains($"Table {env.Table("audit")} does not exist in the endpoint", elsewhere.Stderr, StringComparison.Ordinal);
        Assert.Contains("region eu-west-3", elsewhere.Stderr, StringComparison.Ordinal);
    }
}
