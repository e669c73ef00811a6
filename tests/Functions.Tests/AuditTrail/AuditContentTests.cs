using Functions.AuditTrail;

namespace Functions.Tests;

public class AuditContentTests
{
    private static AuditRecordBuilder Builder(string redact = "", string? actorAttribute = null, int? retentionDays = null)
        => new(AuditTrailSettings.From(name => name switch
        {
            "AUDIT_TABLE_NAME" => "maip-dev-audit",
            "TABLE_PREFIX" => "maip-dev-",
            "REDACT_ATTRIBUTES" => redact,
            "ACTOR_ATTRIBUTE" => actorAttribute,
            "AUDIT_RETENTION_DAYS" => retentionDays?.ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => null,
        }));

    [Fact]
    public void Images_and_keys_are_kept_exactly_as_typed_in_the_stream()
    {
        var image = TestRecords.Order("""
            "total":{"N":"12345678901234567890123456789012345678"},"blob":{"B":"AAEC"},"tags":{"SS":["b","a"]},
            "lines":{"L":[{"M":{"sku":{"S":"S-1"},"qty":{"N":"2"}}}]},"gift":{"BOOL":true},"note":{"NULL":true}
            """);
        var entry = Builder().Build(TestRecords.Record("INSERT", image));

        Assert.Equal(TestRecords.Json(image), TestRecords.Json(entry.Item["newImage"].M!));
        Assert.Equal(TestRecords.Json(TestRecords.OrderKeys()), TestRecords.Json(entry.Item["keys"].M!));
        Assert.False(entry.Item.ContainsKey("oldImage"));
        Assert.False(entry.Item.ContainsKey("changedAttributes"));
        Assert.Equal("INSERT", entry.Item["eventName"].S);
        Assert.Equal("4421584500000000017450439091", entry.Item["sequenceNumber"].S);
        Assert.Equal("c4ca4238a0b923820dcc509a6f75849b", entry.Item["eventId"].S);
    }

    [Fact]
    public void Changed_attributes_name_what_was_added_removed_or_changed_at_any_depth()
    {
        var before = TestRecords.Order("""
            "status":{"S":"NEW"},"address":{"M":{"city":{"S":"Oslo"},"zip":{"S":"0150"}}},"tags":{"SS":["a","b"]},
            "total":{"N":"1.50"},"blob":{"B":"AAEC"},"coupon":{"S":"X1"},"lines":{"L":[{"N":"1"},{"N":"2"}]}
            """);
        var after = TestRecords.Order("""
            "status":{"S":"NEW"},"address":{"M":{"city":{"S":"Bergen"},"zip":{"S":"0150"}}},"tags":{"SS":["b","a"]},
            "total":{"N":"1.5"},"blob":{"B":"AAED"},"giftWrap":{"BOOL":true},"lines":{"L":[{"N":"2"},{"N":"1"}]}
            """);
        var entry = Builder().Build(TestRecords.Record("MODIFY", after, before));

        // tags (set order) and total (1.50 = 1.5) did not change; list order does.
        Assert.Equal(["address", "blob", "coupon", "giftWrap", "lines"], entry.Item["changedAttributes"].SS!);
    }

    [Fact]
    public void A_modify_that_changes_nothing_has_no_changed_attributes_set()
    {
        var entry = Builder().Build(TestRecords.Record("MODIFY", TestRecords.Order(), TestRecords.Order()));
        Assert.False(entry.Item.ContainsKey("changedAttributes")); // DynamoDB refuses empty sets
    }

    [Fact]
    public void Redacted_values_are_replaced_at_any_depth_and_never_reach_the_item()
    {
        var before = TestRecords.Order("""
            "ssn":{"S":"078-05-1120"},"email":{"S":"ana@example.com"},
            "contact":{"M":{"email":{"S":"ana@example.com"},"phone":{"S":"555-0100"}}},
            "people":{"L":[{"M":{"ssn":{"S":"219-09-9999"}}}]}
            """);
        var after = TestRecords.Order("""
            "ssn":{"S":"078-05-1120"},"email":{"S":"ana.new@example.com"},
            "contact":{"M":{"email":{"S":"ana@example.com"},"phone":{"S":"555-0100"}}},
            "people":{"L":[{"M":{"ssn":{"S":"219-09-0000"}}}]}
            """);
        var entry = Builder(redact: "ssn, email").Build(TestRecords.Record("MODIFY", after, before));
        var json = TestRecords.Json(entry.Item);

        foreach (var secret in new[] { "078-05-1120", "ana@example.com", "ana.new@example.com", "219-09-9999", "219-09-0000" })
            Assert.DoesNotContain(secret, json, StringComparison.Ordinal);
        var newImage = entry.Item["newImage"].M!;
        Assert.Equal(Redactor.Marker, newImage["ssn"].S);                               // unchanged
        Assert.Equal(Redactor.ChangedMarker, newImage["email"].S);                      // changed
        Assert.Equal(Redactor.Marker, newImage["contact"].M!["email"].S);               // nested, unchanged
        Assert.Equal(Redactor.ChangedMarker, newImage["people"].L![0].M!["ssn"].S);     // in a list, changed
        Assert.Equal(Redactor.Marker, entry.Item["oldImage"].M!["email"].S);
        Assert.Equal("555-0100", newImage["contact"].M!["phone"].S);                    // the rest stays
        Assert.Equal(["email", "people"], entry.Item["changedAttributes"].SS!);
    }

    [Fact]
    public void The_actor_comes_from_the_new_image_updatedBy_by_default()
    {
        var entry = Builder().Build(TestRecords.Record("MODIFY", TestRecords.Order("""
            "updatedBy":{"S":"ops@example.com"}
            """), TestRecords.Order()));
        Assert.Equal("ops@example.com", entry.Item["actor"].S);
    }

    [Fact]
    public void The_actor_attribute_can_be_configured()
    {
        var entry = Builder(actorAttribute: "modifiedBy").Build(TestRecords.Record("INSERT", TestRecords.Order("""
            "updatedBy":{"S":"nobody"},"modifiedBy":{"S":"svc-pricing"}
            """)));
        Assert.Equal("svc-pricing", entry.Item["actor"].S);
    }

    [Fact]
    public void A_ttl_expiry_is_attributed_to_dynamodb_ttl()
    {
        var record = TestRecords.Record("REMOVE", oldImage: TestRecords.Order("""
            "updatedBy":{"S":"checkout"}
            """));
        record.UserIdentity = new() { Type = "Service", PrincipalId = "dynamodb.amazonaws.com" };
        Assert.Equal(AuditRecordBuilder.TtlActor, Builder().Build(record).Item["actor"].S);
    }

    [Fact]
    public void The_actor_is_absent_when_unknown_or_redacted()
    {
        var remove = TestRecords.Record("REMOVE", oldImage: TestRecords.Order("""
            "updatedBy":{"S":"checkout"}
            """));
        Assert.False(Builder().Build(remove).Item.ContainsKey("actor"));

        var redacted = TestRecords.Record("INSERT", TestRecords.Order("""
            "updatedBy":{"S":"ana@example.com"}
            """));
        Assert.False(Builder(redact: "updatedBy").Build(redacted).Item.ContainsKey("actor"));
    }

    [Fact]
    public void Retention_sets_a_ttl_counted_from_the_change_not_from_processing()
    {
        var record = TestRecords.Record("INSERT", TestRecords.Order());
        var expected = new DateTimeOffset(TestRecords.ChangeTime.AddDays(30)).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(expected, Builder(retentionDays: 30).Build(record).Item["expiresAt"].N);
        Assert.False(Builder().Build(record).Item.ContainsKey("expiresAt"));
        Assert.False(Builder(retentionDays: 0).Build(record).Item.ContainsKey("expiresAt"));
    }

    [Fact]
    public void Images_are_absent_as_the_stream_view_type_leaves_them()
    {
        var keysOnly = TestRecords.Record("MODIFY");
        keysOnly.Dynamodb!.StreamViewType = "KEYS_ONLY";
        var entry = Builder().Build(keysOnly);
        Assert.False(entry.Item.ContainsKey("newImage"));
        Assert.False(entry.Item.ContainsKey("oldImage"));
        Assert.False(entry.Item.ContainsKey("changedAttributes"));
        Assert.Equal("order#order-123", entry.Item["entityType#entityId"].S);

        var newOnly = Builder().Build(TestRecords.Record("MODIFY", TestRecords.Order("""
            "status":{"S":"PAID"}
            """)));
        Assert.True(newOnly.Item.ContainsKey("newImage"));
        Assert.False(newOnly.Item.ContainsKey("changedAttributes")); // nothing to compare with
    }

    [Fact]
    public void Settings_without_the_audit_table_name_fail_with_what_to_set()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => AuditTrailSettings.From(_ => null));
        Assert.Contains("AUDIT_TABLE_NAME", ex.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => AuditTrailSettings.From(n => n == "AUDIT_TABLE_NAME" ? "a" : n == "AUDIT_RETENTION_DAYS" ? "ten" : null));
    }
}
