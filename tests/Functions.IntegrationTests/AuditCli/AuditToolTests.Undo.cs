using Functions.AuditCli;

namespace Functions.IntegrationTests;

// undo: the item put back as it was, audited in turn, and what undo refuses
public abstract partial class AuditToolTests
{
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
}
