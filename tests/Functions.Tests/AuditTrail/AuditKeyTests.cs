using Functions.AuditTrail;

namespace Functions.Tests;

public class AuditKeyTests
{
    private readonly AuditRecordBuilder _builder = new(TestRecords.Settings());

    [Fact]
    public void The_partition_key_is_the_singular_entity_type_and_the_source_partition_key_value()
    {
        var entry = _builder.Build(TestRecords.Record("INSERT", TestRecords.Order()));
        Assert.Equal("order#order-123", entry.Key.EntityKey);
        Assert.Equal("order#order-123", entry.Item["entityType#entityId"].S);
        Assert.Equal("order", entry.Item["entityType"].S);
        Assert.Equal("order-123", entry.Item["entityId"].S);
        Assert.Equal("maip-dev-orders", entry.Item["sourceTable"].S);
    }

    [Theory]
    [InlineData("maip-dev-", "maip-dev-pricing-rules", """{"ruleId":{"S":"rule-1"},"effectiveDate":{"S":"2026-01-01"}}""", "pricing-rule#rule-1")]
    [InlineData("maip-prod-", "maip-prod-applications", """{"applicationId":{"S":"app-9"},"status#timestamp":{"S":"NEW#1"}}""", "application#app-9")]
    [InlineData("maip-dev-", "maip-dev-products", """{"productId":{"N":"42"},"version":{"S":"v3"}}""", "product#42")]
    [InlineData("otherapp-staging-", "otherapp-staging-customers", """{"customerId":{"S":"c-1"},"timestamp":{"S":"t"}}""", "customer#c-1")]
    public void Every_business_table_maps_to_its_entity(string prefix, string table, string keys, string expected)
    {
        var record = TestRecords.Record("INSERT", keys: TestRecords.Map(keys),
            streamArn: $"arn:aws:dynamodb:us-east-1:123456789012:table/{table}/stream/label");
        var builder = new AuditRecordBuilder(TestRecords.Settings(prefix));
        Assert.Equal(expected, builder.Build(record).Key.EntityKey);
    }

    [Theory]
    [InlineData("maip-prod-orders")]   // another environment
    [InlineData("maipx-dev-orders")]   // a look-alike app
    [InlineData("maip-devx-orders")]   // a look-alike environment
    [InlineData("orders")]
    [InlineData("maip-dev-audit")]     // ours, but not a business table
    public void Another_environments_or_look_alike_table_is_never_a_business_table_of_this_one(string table)
    {
        var record = TestRecords.Record("INSERT", streamArn: $"arn:aws:dynamodb:us-east-1:1:table/{table}/stream/x");
        var ex = Assert.Throws<AuditRecordException>(() => _builder.Build(record));
        Assert.Contains($"'{table}' is not a business table of this environment", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_table_that_is_not_a_business_table_is_refused_by_name()
    {
        var record = TestRecords.Record("INSERT", streamArn: "arn:aws:dynamodb:us-east-1:1:table/maip-dev-sessions/stream/x");
        var ex = Assert.Throws<AuditRecordException>(() => _builder.Build(record));
        Assert.Contains("maip-dev-sessions", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_timestamp_is_iso_utc_to_the_millisecond_then_the_zero_padded_sequence_number()
    {
        var entry = _builder.Build(TestRecords.Record("INSERT", TestRecords.Order(), sequenceNumber: "111"));
        Assert.Equal("2026-01-16T12:00:00.000Z#" + "111".PadLeft(40, '0'), entry.Key.Timestamp);
        Assert.Equal("2026-01-16T12:00:00.000Z", entry.Item["changeTime"].S);
    }

    [Fact]
    public void Changes_within_one_second_get_distinct_keys_that_sort_in_change_order()
    {
        var sequences = new[] { "99", "100", "4421584500000000017450439091", "4421584500000000017450439092" };
        var keys = sequences.Select(s => _builder.Build(TestRecords.Record("MODIFY", TestRecords.Order(), TestRecords.Order(), s)).Key.Timestamp).ToList();

        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.Equal(keys, keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_runbook_between_query_bounds_select_the_change_by_its_time()
    {
        var sortKey = _builder.Build(TestRecords.Record("INSERT", TestRecords.Order())).Key.Timestamp;

        // DynamoDB compares S sort keys by their UTF-8 bytes: ordinal for these ASCII strings.
        Assert.True(string.CompareOrdinal(sortKey, "2026-01-01T00:00:00Z") > 0);
        Assert.True(string.CompareOrdinal(sortKey, "2026-01-31T23:59:59Z") < 0);
        Assert.True(string.CompareOrdinal(sortKey, "2026-01-16T11:59:59Z") > 0);
        Assert.True(string.CompareOrdinal(sortKey, "2026-01-16T12:00:01Z") < 0);
    }

    [Fact]
    public void A_sequence_number_that_is_not_decimal_is_refused()
        => Assert.Throws<AuditRecordException>(() => _builder.Build(TestRecords.Record("INSERT", TestRecords.Order(), sequenceNumber: "12ab")));

    [Fact]
    public void The_same_record_always_gives_the_same_item()
    {
        var record = TestRecords.Record("MODIFY", TestRecords.Order(""" "status":{"S":"PAID"} """), TestRecords.Order(""" "status":{"S":"NEW"} """));
        Assert.Equal(TestRecords.Json(_builder.Build(record).Item), TestRecords.Json(_builder.Build(record).Item));
    }
}
