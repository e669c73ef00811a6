using Functions.AuditCli;
using Functions.Common.Tables;
using AttributeValue = Functions.Events.DynamoDBEvent.AttributeValue;

namespace Functions.Tests;

/// <summary>The audit tool's pure parts: times, diffs, which item, and every undo decision.</summary>
public class AuditToolDecisionTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 9, 30, 0, TimeSpan.Zero);
    private static readonly TablePrefix Dev = new("maip-dev-");
    private static readonly EntityRef Order = EntityRef.Resolve("order", "order-123", Dev);

    private static string Seq(int n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(40, '0');

    private static AuditChange Change(string eventName, int sequence, string? newImage = null, string? oldImage = null,
        string time = "2026-01-16T12:00:00.000Z", bool reduced = false, string? viewType = "NEW_AND_OLD_IMAGES", string? actor = null)
        => new()
        {
            Timestamp = $"{time}#{Seq(sequence)}",
            EventName = eventName,
            ChangeTime = time,
            SourceTable = "maip-dev-orders",
            Actor = actor,
            StreamViewType = viewType,
            Keys = TestRecords.OrderKeys(),
            NewImage = newImage is null ? null : TestRecords.Order(newImage),
            OldImage = oldImage is null ? null : TestRecords.Order(oldImage),
            ImagesReduced = reduced,
            ImagesReduction = reduced ? "images-limited-to-changed-attributes" : null,
        };

    private static EntityHistory History(params AuditChange[] changes) => new(Order, changes);

    private static AuditPoint At(int sequence) => AuditTime.Parse($"2026-01-16T12:00:00.000Z#{sequence}", Now);

    private static Dictionary<string, AttributeValue> Item(string json) => TestRecords.Order(json);

    // Times

    [Theory]
    [InlineData("2026-01-16T12:00:00Z", "2026-01-16T12:00:00.000Z")]
    [InlineData("2026-01-16T14:00:00+02:00", "2026-01-16T12:00:00.000Z")]
    [InlineData("2026-01-16T12:00:00.25Z", "2026-01-16T12:00:00.250Z")]
    [InlineData("2026-01-16", "2026-01-16T00:00:00.000Z")]
    [InlineData("now", "2026-03-01T09:30:00.000Z")]
    [InlineData("-15m", "2026-03-01T09:15:00.000Z")]
    [InlineData("now-2h", "2026-03-01T07:30:00.000Z")]
    [InlineData("-7d", "2026-02-22T09:30:00.000Z")]
    public void Times_are_read_in_every_documented_form(string text, string expected)
    {
        var point = AuditTime.Parse(text, Now);
        Assert.Equal(expected, point.ToString());
        Assert.Null(point.Timestamp);
        Assert.Equal(expected + "#~", point.UpperBound);
        Assert.Equal(expected, point.LowerBound);
    }

    [Fact]
    public void A_timestamp_names_one_change_exactly_in_its_short_or_full_form()
    {
        var full = "2026-01-16T12:00:00.000Z#" + Seq(42);
        foreach (var text in new[] { "2026-01-16T12:00:00.000Z#42", full })
        {
            var point = AuditTime.Parse(text, Now);
            Assert.Equal(full, point.Timestamp);
            Assert.Equal(full, point.UpperBound);
            Assert.Equal(full, point.LowerBound);
            Assert.True(point.Includes("2026-01-16T12:00:00.000Z#" + Seq(41)));
            Assert.True(point.Includes(full));
            Assert.False(point.Includes("2026-01-16T12:00:00.000Z#" + Seq(43)));
        }
    }

    [Fact]
    public void A_time_includes_every_change_of_its_millisecond_and_none_after()
    {
        var point = AuditTime.Parse("2026-01-16T12:00:00Z", Now);
        Assert.True(point.Includes("2026-01-16T12:00:00.000Z#" + Seq(999999)));
        Assert.False(point.Includes("2026-01-16T12:00:00.001Z#" + Seq(1)));
        // As a lower bound, a time between two milliseconds starts at the next one.
        Assert.Equal("2026-01-16T12:00:00.001Z", AuditTime.Parse("2026-01-16T12:00:00.0005Z", Now).LowerBound);
    }

    [Theory]
    [InlineData("2026-01-16T12:00", "no time zone")]
    [InlineData("2026-01-16T12:00:00", "no time zone")]
    [InlineData("2026-13-01", "not a date and time of the calendar")]
    [InlineData("yesterday", "give a time with its zone")]
    [InlineData("2026-01-16T12:00:00.000Z#12ab", "give a time with its zone")]
    [InlineData("-5w", "give a time with its zone")]
    public void A_bad_time_is_a_usage_error_that_says_why(string text, string why)
    {
        var error = Assert.Throws<CliException>(() => AuditTime.Parse(text, Now));
        Assert.Equal(ExitCodes.Usage, error.ExitCode);
        Assert.Contains($"Bad time '{text}'", error.Message, StringComparison.Ordinal);
        Assert.Contains(why, error.Message, StringComparison.Ordinal);
    }

    // Which entity

    [Theory]
    [InlineData("order")]
    [InlineData("orders")]
    [InlineData("maip-dev-orders")]
    public void An_entity_is_named_by_its_type_its_tables_suffix_or_its_tables_name(string entity)
    {
        var resolved = EntityRef.Resolve(entity, "order-123", Dev);
        Assert.Equal("maip-dev-orders", resolved.TableName);
        Assert.Equal("order#order-123", resolved.AuditKey);
        Assert.Equal("maip-dev-audit", resolved.AuditTableName);
    }

    [Theory]
    [InlineData("maip-prod-orders", "another environment than maip-dev-*: to work on it, pass --app maip --env prod")]
    [InlineData("otherapp-staging-pricing-rules", "pass --app otherapp --env staging")]
    [InlineData("maip-dev-audit", "is the audit table, not a business table")]
    [InlineData("invoice", "Unknown entity type 'invoice': one of product, customer, application, pricing-rule, quote, order")]
    public void A_wrong_entity_is_a_usage_error_that_names_the_way_out(string entity, string message)
    {
        var error = Assert.Throws<CliException>(() => EntityRef.Resolve(entity, "x", Dev));
        Assert.Equal(ExitCodes.Usage, error.ExitCode);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Several_items_under_one_id_need_the_sort_key_which_matches_numbers_by_value()
    {
        var products = EntityRef.Resolve("product", "42", Dev);
        AuditChange Version(string version, int sequence) => Change("INSERT", sequence, """ "x":{"S":"1"} """) with
        {
            Keys = TestRecords.Map($$$"""{"productId":{"N":"42"},"version":{"N":"{{{version}}}"}}"""),
        };
        var history = new EntityHistory(products, [Version("1.50", 1), Version("2", 2)]);

        var error = Assert.Throws<CliException>(() => history.ForOneItem(null));
        Assert.Equal(ExitCodes.Usage, error.ExitCode);
        Assert.Contains("product#42 covers 2 items of maip-dev-products (its sort key version tells them apart): 1.50, 2", error.Message, StringComparison.Ordinal);
        Assert.Single(history.ForOneItem("1.5").Changes);
        Assert.Equal(ExitCodes.NotFound, Assert.Throws<CliException>(() => history.ForOneItem("3")).ExitCode);
    }

    // Diff

    [Fact]
    public void The_diff_goes_into_maps_and_lists_and_follows_DynamoDBs_equality()
    {
        var before = Item("""
            "status":{"S":"PAID"},"total":{"N":"1.50"},"tags":{"SS":["a","b"]},"gone":{"BOOL":true},
            "shipping":{"M":{"address":{"M":{"city":{"S":"Oslo"},"zip":{"S":"0150"}}},"lines":{"L":[{"N":"1"},{"N":"2"}]}}},"code":{"S":"7"}
            """);
        var after = Item("""
            "status":{"S":"PAID"},"total":{"N":"1.5"},"tags":{"SS":["b","a"]},"new":{"NULL":true},
            "shipping":{"M":{"address":{"M":{"city":{"S":"Bergen"},"zip":{"S":"0150"}}},"lines":{"L":[{"N":"1"},{"N":"2"},{"N":"3"}]}}},"code":{"N":"7"}
            """);

        var changes = ItemDiff.Between(before, after);

        Assert.Equal(
            [("code", ChangeKind.Changed), ("gone", ChangeKind.Removed), ("new", ChangeKind.Added),
             ("shipping.address.city", ChangeKind.Changed), ("shipping.lines[2]", ChangeKind.Added)],
            changes.Select(c => (c.Path, c.Kind)));
        Assert.Equal("\"Oslo\"", ValueText.Format(changes[3].Before));
        Assert.Equal("<<\"a\", \"b\">>", ValueText.Format(before["tags"]));
        Assert.Equal("{\"address\": {\"city\": \"Oslo\", \"zip\": \"0150\"}, \"lines\": [1, 2]}", ValueText.Format(before["shipping"]));
        Assert.Equal(2 + 6, ItemDiff.Between(null, after).Count(c => c.Kind == ChangeKind.Added)); // a whole new item: every attribute added
    }

    // Undo

    private const string Created = """ "status":{"S":"PENDING"},"total":{"N":"10"},"updatedBy":{"S":"checkout"} """;
    private const string Paid = """ "status":{"S":"PAID"},"total":{"N":"10"},"updatedBy":{"S":"payments"} """;
    private const string Broken = """ "status":{"S":"CANCELLED"},"total":{"N":"0"},"updatedBy":{"S":"ops"} """;

    private static EntityHistory BadEdit() => History(
        Change("INSERT", 1, Created), Change("MODIFY", 2, Paid, Created), Change("MODIFY", 3, Broken, Paid));

    [Fact]
    public void Undo_to_a_change_puts_its_new_image_back_with_the_actor_conditional_on_the_newest_image()
    {
        var plan = UndoPlanner.Plan(BadEdit(), At(2), Item(Broken), "updatedBy", "alice");

        Assert.Equal(UndoAction.PutBack, plan.Action);
        Assert.Equal(Item(Broken).Keys.Order(), plan.Expected!.Keys.Order());
        Assert.Equal("PAID", plan.Write!["status"].S);
        Assert.Equal("alice", plan.Write["updatedBy"].S);
        Assert.Equal(["status", "total", "updatedBy"], plan.Diff.Select(d => d.Path));
    }

    [Fact]
    public void Undo_to_a_time_before_the_insert_deletes_the_item()
    {
        var plan = UndoPlanner.Plan(BadEdit(), AuditTime.Parse("2026-01-16T11:00:00Z", Now), Item(Broken), "updatedBy", "alice");

        Assert.Equal(UndoAction.Delete, plan.Action);
        Assert.Contains("did not exist at 2026-01-16T11:00:00.000Z (not yet created", plan.Summary, StringComparison.Ordinal);
        Assert.Null(plan.Write);
    }

    [Fact]
    public void Undo_recreates_a_removed_item_only_where_none_exists()
    {
        var history = History(Change("INSERT", 1, Created), Change("REMOVE", 2, oldImage: Created));

        var plan = UndoPlanner.Plan(history, At(1), null, "updatedBy", "alice");

        Assert.Equal(UndoAction.PutBack, plan.Action);
        Assert.Null(plan.Expected); // the write is conditional on there being no item
        Assert.Equal("PENDING", plan.Write!["status"].S);

        var again = Assert.Throws<CliException>(() => UndoPlanner.Plan(history, At(1), Item(Created), "updatedBy", "alice"));
        Assert.Contains("it exists again", again.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_item_already_as_it_was_apart_from_the_actor_needs_nothing()
    {
        var history = History(Change("INSERT", 1, Created), Change("MODIFY", 2, Paid, Created));
        var plan = UndoPlanner.Plan(history, At(2), Item(Paid), "updatedBy", "alice");
        Assert.Equal(UndoAction.Nothing, plan.Action);
        Assert.Contains("nothing to do", plan.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Undo_refuses_an_item_that_differs_from_its_newest_audit_record()
    {
        var error = Assert.Throws<CliException>(() =>
            UndoPlanner.Plan(BadEdit(), At(2), Item(""" "status":{"S":"REFUNDED"},"total":{"N":"0"},"updatedBy":{"S":"ops"} """), "updatedBy", "alice"));

        Assert.Equal(ExitCodes.CannotTell, error.ExitCode);
        Assert.Contains("changed after its newest audit record (2026-01-16T12:00:00.000Z#3): it differs in status", error.Message, StringComparison.Ordinal);
        Assert.Throws<CliException>(() => UndoPlanner.Plan(BadEdit(), At(2), null, "updatedBy", "alice"));
    }

    [Fact]
    public void Numbers_and_sets_equal_by_DynamoDBs_rules_are_not_a_difference()
    {
        var stored = Item(""" "status":{"S":"CANCELLED"},"total":{"N":"0.0"},"updatedBy":{"S":"ops"} """);
        Assert.Equal(UndoAction.PutBack, UndoPlanner.Plan(BadEdit(), At(2), stored, "updatedBy", "alice").Action);
    }

    public static TheoryData<string, AuditChange[], string> Unknowable => new()
    {
        { "the target's images reduced", [Change("INSERT", 1, Created), Change("MODIFY", 2, Paid, Created, reduced: true), Change("MODIFY", 3, Broken, Paid)],
            "were reduced to fit DynamoDB's item limits (images-limited-to-changed-attributes)" },
        { "the newest images reduced", [Change("INSERT", 1, Created), Change("MODIFY", 2, Paid, Created), Change("MODIFY", 3, Broken, Paid, reduced: true)],
            "cannot be checked against its newest audit record" },
        { "no image in the stream", [Change("INSERT", 1, viewType: "KEYS_ONLY"), Change("MODIFY", 2, viewType: "KEYS_ONLY"), Change("MODIFY", 3, Broken, Paid)],
            "the stream carried no new image for the MODIFY at 2026-01-16T12:00:00.000Z#2 (stream view type KEYS_ONLY)" },
        { "a redacted value in the target", [Change("INSERT", 1, Created), Change("MODIFY", 2, Paid + ""","contacts":{"L":[{"M":{"email":{"S":"<redacted:changed>"}}}]}""", Created), Change("MODIFY", 3, Broken, Paid)],
            "holds redacted values the audit trail never kept (contacts[0].email)" },
        { "a redacted value in the newest", [Change("INSERT", 1, Created), Change("MODIFY", 3, Broken + ""","email":{"S":"<redacted>"}""", Created)],
            "it holds redacted values (email)" },
        { "a history that starts later", [Change("MODIFY", 5, Broken, Paid)], "its first, at 2026-01-16T12:00:00.000Z#5, is a MODIFY, so what it was before is unknown" },
    };

    [Theory]
    [MemberData(nameof(Unknowable))]
    public void Undo_refuses_what_the_audit_trail_cannot_tell_and_says_why(string because, AuditChange[] changes, string reason)
    {
        var newest = changes[^1].NewImage!;
        var error = Assert.Throws<CliException>(() => UndoPlanner.Plan(History(changes), At(2), newest, "updatedBy", "alice"));

        Assert.True(error.ExitCode == ExitCodes.CannotTell, because);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.Contains("Nothing written.", error.Message, StringComparison.Ordinal);
    }

    // The conditional writes

    [Fact]
    public void The_put_back_is_conditional_on_every_attribute_and_changes_only_what_differs()
    {
        var expected = Item(""" "status":{"S":"CANCELLED"},"total":{"N":"0"},"note":{"S":"x"},"updatedBy":{"S":"ops"} """);
        var write = Item(""" "status":{"S":"PAID"},"total":{"N":"0.0"},"updatedBy":{"S":"alice"} """);

        var request = ConditionalWrites.PutBack("maip-dev-orders", TestRecords.OrderKeys(), expected, write);

        var names = request.ExpressionAttributeNames;
        string Placeholder(string name) => names.Single(n => n.Value == name).Key;
        Assert.StartsWith($"attribute_exists({Placeholder("customerId#timestamp")}) AND ", request.ConditionExpression, StringComparison.Ordinal);
        foreach (var attribute in new[] { "note", "status", "total", "updatedBy" })
            Assert.Contains($"{Placeholder(attribute)} = :", request.ConditionExpression, StringComparison.Ordinal);
        Assert.DoesNotContain("orderId", names.Values); // the key names the item; it is not compared
        // total is equal by value (0 = 0.0): not set again; note is not in the image put back: removed.
        Assert.Equal($"SET {Placeholder("status")} = :v4, {Placeholder("updatedBy")} = :v5 REMOVE {Placeholder("note")}", request.UpdateExpression);
        Assert.Equal(Amazon.DynamoDBv2.ReturnValue.ALL_OLD, request.ReturnValues);
    }

    [Fact]
    public void Putting_back_a_removed_item_is_conditional_on_there_being_none()
    {
        var request = ConditionalWrites.PutBack("maip-dev-orders", TestRecords.OrderKeys(), null, Item(Created));
        Assert.Matches(@"^attribute_not_exists\(#n\d+\)$", request.ConditionExpression);
        Assert.Equal(3, request.UpdateExpression.Split(',').Length);
    }

    [Theory]
    [InlineData(149, false)]
    [InlineData(150, true)]
    public void An_item_too_large_for_one_condition_expression_is_refused(int attributes, bool refused)
    {
        var image = TestRecords.OrderKeys();
        for (var i = 0; i < attributes; i++) image[$"a{i}"] = AttributeValue.FromN("1");

        var build = () => ConditionalWrites.Delete("maip-dev-orders", TestRecords.OrderKeys(), image);

        if (!refused) Assert.NotNull(build());
        else Assert.Contains("300 operators", Assert.Throws<CliException>(build).Message, StringComparison.Ordinal);
    }

    // Exit codes

    [Fact]
    public void Every_exit_code_is_documented_once_and_5_means_nothing_written()
    {
        var constants = typeof(ExitCodes).GetFields().Where(f => f.IsLiteral).Select(f => (int)f.GetRawConstantValue()!).Order().ToList();
        Assert.Equal(constants, ExitCodes.All.Select(c => c.Code).Order());
        Assert.EndsWith(": nothing written", ExitCodes.All.Single(c => c.Code == ExitCodes.Conflict).Meaning, StringComparison.Ordinal);
        Assert.StartsWith("the undo wrote", ExitCodes.All.Single(c => c.Code == ExitCodes.PartlyDone).Meaning, StringComparison.Ordinal);
    }
}
