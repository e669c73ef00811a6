using Functions.Events;
using Functions.Common.Tables;
using Functions.MerchantAnalytics;
using static Functions.Tests.TestRecords;

namespace Functions.Tests;

/// <summary>The merchant analytics' decisions, without AWS: event names, exact sums, packing.</summary>
public class AnalyticsDecisionTests
{
    private static readonly MerchantEventBuilder Builder = new(new TablePrefix("maip-dev-"));
    private const string Quotes = "arn:aws:dynamodb:us-east-1:123456789012:table/maip-dev-quotes/stream/2026-01-16T00:00:00.000";
    private const string Products = "arn:aws:dynamodb:us-east-1:123456789012:table/maip-dev-products/stream/2026-01-16T00:00:00.000";

    private static Dictionary<string, DynamoDBEvent.AttributeValue> Merchant(string status, string extra = ""","total":{"N":"149.99"},"currency":{"S":"usd"}""")
        => Order($$"""
                 "merchantId":{"S":"m-1"},"status":{"S":"{{status}}"}{{extra}}
                 """);

    [Fact]
    public void Insert_status_changes_and_removal_name_their_events()
    {
        Assert.Equal("order.created", Builder.Build(Record("INSERT", Merchant("PENDING")))!.EventType);
        Assert.Equal("order.paid", Builder.Build(Record("MODIFY", Merchant("PAID"), Merchant("PENDING")))!.EventType);
        Assert.Equal("order.deleted", Builder.Build(Record("REMOVE", oldImage: Merchant("PAID")))!.EventType);
        var ttl = Record("REMOVE", oldImage: Merchant("PENDING"));
        ttl.UserIdentity = new DynamoDBEvent.Identity { Type = "Service", PrincipalId = "dynamodb.amazonaws.com" };
        Assert.Equal("order.expired", Builder.Build(ttl)!.EventType);
        Assert.Equal("quote.accepted", Builder.Build(Record("MODIFY", Merchant("ACCEPTED"), Merchant("SENT"), streamArn: Quotes,
            keys: Map("""{"quoteId":{"S":"q-1"},"customerId#timestamp":{"S":"c#t"}}""")))!.EventType);
    }

    [Fact]
    public void A_change_without_a_status_change_or_without_a_merchant_is_not_an_event()
    {
        Assert.Null(Builder.Build(Record("MODIFY", Merchant("PAID", ""","total":{"N":"2"}"""), Merchant("PAID"))));
        Assert.Null(Builder.Build(Record("INSERT", Order("""
                                                         "status":{"S":"PENDING"}
                                                         """))));
    }

    [Fact]
    public void The_event_item_carries_the_change_and_a_key_unique_per_change()
    {
        var change = Builder.Build(Record("MODIFY", Merchant("PAID"), Merchant("PENDING"), sequenceNumber: "42"))!;

        Assert.Equal("order.paid#2026-01-16T12:00:00.000Z#0000000000000000000000000000000000000042", change.SortKey);
        Assert.Equal(("m-1", "order", "order-123", "PAID", "PENDING", "149.99", "USD"),
            (change.Item["merchantId"].S, change.Item["entityType"].S, change.Item["entityId"].S, change.Item["status"].S,
             change.Item["previousStatus"].S, change.Item["amount"].N, change.Item["currency"].S));
        Assert.Equal(new RollupKey("m-1", "order.paid", new DateOnly(2026, 1, 16)), change.Rollup);
        Assert.Equal("daily.order.paid#2026-01-16", change.Rollup.SortKey);
    }

    [Theory]
    [InlineData(""","total":{"S":"12.50"}""", "'total' is not a number")]
    [InlineData(""","currency":{"S":"dollars"}""", "'currency'")]
    [InlineData(""","total":{"N":"1"},"currency":{"N":"840"}""", "'currency'")]
    public void A_bad_total_or_currency_fails_the_record_naming_the_attribute_not_the_value(string extra, string named)
    {
        var error = Assert.Throws<AnalyticsRecordException>(() => Builder.Build(Record("INSERT", Merchant("NEW", extra))));
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("12.50", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("dollars", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"N":"3"}""")]
    [InlineData("""{"S":"  "}""")]
    [InlineData("""{"S":""}""")]
    [InlineData("""{"BOOL":true}""")]
    public void A_status_that_is_not_a_word_is_refused_not_ignored(string status)
    {
        var numeric = Order($$"""
                            "merchantId":{"S":"m-1"},"status":{{status}}
                            """);
        var error = Assert.Throws<AnalyticsRecordException>(() => Builder.Build(Record("MODIFY", numeric, Merchant("PENDING"))));
        Assert.Contains("'status'", error.Message, StringComparison.Ordinal);
        Assert.Throws<AnalyticsRecordException>(() => Builder.Build(Record("INSERT", numeric)));
    }

    [Fact]
    public void A_status_too_long_for_a_sort_key_and_a_merchant_too_long_for_a_partition_key_are_refused_when_prepared()
    {
        // order.<status>#<time>#<40 digits> must fit DynamoDB's 1,024 bytes; 952 letters is the most that does.
        Assert.NotNull(Builder.Build(Record("MODIFY", Merchant(new string('x', 952)), Merchant("PENDING"))));
        var status = Assert.Throws<AnalyticsRecordException>(() => Builder.Build(Record("MODIFY", Merchant(new string('x', 953)), Merchant("PENDING"))));
        Assert.Contains("'status'", status.Message, StringComparison.Ordinal);
        Assert.Contains("1,024", status.Message, StringComparison.Ordinal);

        Assert.NotNull(Builder.Build(Record("INSERT", Merchant("NEW").Also("merchantId", new string('é', 1024)))));
        var merchant = Assert.Throws<AnalyticsRecordException>(() => Builder.Build(Record("INSERT", Merchant("NEW").Also("merchantId", new string('é', 1024) + "m"))));
        Assert.Contains("'merchantId'", merchant.Message, StringComparison.Ordinal);
        Assert.Contains("2,048", merchant.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_sequence_number_too_long_to_pad_is_refused_so_events_keep_their_change_order()
    {
        // Padded to 40 digits, text order is change order; a 41st digit would sort it wrongly.
        Assert.NotNull(Builder.Build(Record("INSERT", Merchant("NEW"), sequenceNumber: new string('9', 40))));
        var error = Assert.Throws<AnalyticsRecordException>(() => Builder.Build(Record("INSERT", Merchant("NEW"), sequenceNumber: "1" + new string('0', 40))));
        Assert.Contains("at most 40 digits", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("NEW_IMAGE")]
    [InlineData("OLD_IMAGE")]
    [InlineData("KEYS_ONLY")]
    public void A_record_of_a_stream_without_both_images_is_refused_naming_the_view_type(string viewType)
    {
        foreach (var record in new[] { Record("INSERT", Merchant("NEW")), Record("MODIFY", Merchant("PAID")), Record("REMOVE") })
        {
            record.Dynamodb!.StreamViewType = viewType;
            var error = Assert.Throws<AnalyticsRecordException>(() => Builder.Build(record));
            Assert.Contains(viewType, error.Message, StringComparison.Ordinal);
            Assert.Contains("NEW_AND_OLD_IMAGES", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_modify_without_its_old_image_is_refused_when_the_view_type_is_not_given()
    {
        var record = Record("MODIFY", Merchant("PAID"));
        record.Dynamodb!.StreamViewType = null;
        Assert.Contains("old image", Assert.Throws<AnalyticsRecordException>(() => Builder.Build(record)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Records_of_other_tables_are_refused()
        => Assert.Throws<AnalyticsRecordException>(() => Builder.Build(Record("INSERT", Merchant("NEW"), streamArn: Products)));

    [Theory]
    [InlineData("12345678901234567890123456789012.345678", "0.000001", "12345678901234567890123456789012.345679")]
    [InlineData("99999999999999999999999999999999999999", "1", "100000000000000000000000000000000000000")]
    [InlineData("1.50", "-1.5", "0")]
    [InlineData("1E+3", "0.25", "1000.25")]
    [InlineData("-0.1", "0.02", "-0.08")]
    public void Sums_are_exact_to_38_digits_and_beyond_never_through_double(string a, string b, string sum)
    {
        Assert.True(DecimalAmount.TryParse(a, out var x));
        Assert.True(DecimalAmount.TryParse(b, out var y));
        Assert.Equal(sum, (x + y).ToString());
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData("1.2.3")]
    [InlineData("1e")]
    public void Text_that_is_no_number_is_refused(string text) => Assert.False(DecimalAmount.TryParse(text, out _));

    private static MerchantEvent Event(string merchant, string status, string total, string? currency, int sequence)
    {
        var extra = $$""","total":{"N":"{{total}}"}""" + (currency is null ? "" : $$""","currency":{"S":"{{currency}}"}""");
        return Builder.Build(Record("MODIFY", Merchant(status, extra).Also("merchantId", merchant), Merchant("PENDING"), sequenceNumber: sequence.ToString(System.Globalization.CultureInfo.InvariantCulture)))!;
    }

    [Fact]
    public void A_rollup_counts_and_sums_each_currency_apart()
    {
        var plan = RollupPlanner.Plan([
            (0, Event("m-1", "PAID", "10.10", "USD", 1)), (1, Event("m-1", "PAID", "0.90", "USD", 2)),
            (2, Event("m-1", "PAID", "5", "EUR", 3)), (3, Event("m-1", "PAID", "7", null, 4)),
        ]).Single();

        var delta = plan.Rollups.Single().Value;
        Assert.Equal(4, delta.Count);
        Assert.Equal(["total", "total_EUR", "total_USD"], delta.Sums.Keys);
        Assert.Equal(["7", "5", "11"], delta.Sums.Values.Select(v => v.ToString()));
        var update = plan.ToActions("maip-dev-merchant-analytics")[^1].Update;
        Assert.Equal("ADD #count :count, #s0 :s0, #s1 :s1, #s2 :s2 SET #eventType = :eventType, #day = :day", update.UpdateExpression);
        Assert.Equal("daily.order.paid#2026-01-16", update.Key["eventType#timestamp"].S);
    }

    [Fact]
    public void A_thousand_changes_of_ten_merchants_pack_into_at_most_fifteen_transactions_the_same_way_every_time()
    {
        var events = Enumerable.Range(0, 1000)
            .Select(i => (i, Event($"m-{i % 10}", i % 3 == 0 ? "PAID" : "SHIPPED", "1.01", "USD", i + 1)))
            .ToList();

        var plans = RollupPlanner.Plan(events);
        var again = RollupPlanner.Plan(events.AsEnumerable().Reverse());

        Assert.InRange(plans.Count, 10, 15);
        Assert.All(plans, p => Assert.InRange(p.Actions, 1, TransactionPlan.MaxActions));
        Assert.Equal(1000, plans.Sum(p => p.Events.Count));
        Assert.Equal(plans.Select(p => p.Events.Select(e => e.Index)), again.Select(p => p.Events.Select(e => e.Index)));
        Assert.All(plans, p => Assert.Equal(p.Rollups.Count, p.Events.Select(e => e.Event.Rollup).Distinct().Count()));
    }

    [Fact]
    public void A_plan_splits_into_halves_in_order_each_with_its_own_rollups()
    {
        var plan = RollupPlanner.Plan(Enumerable.Range(0, 5).Select(i => (i, Event(i < 2 ? "m-1" : "m-2", "PAID", "1.5", null, i + 1)))).Single();

        var (first, second) = plan.Halves();

        Assert.Equal([0, 1], first.Events.Select(e => e.Index));
        Assert.Equal([2, 3, 4], second.Events.Select(e => e.Index));
        Assert.Equal(("3", "4.5"), (first.Rollups.Single().Value.Sums["total"].ToString(), second.Rollups.Single().Value.Sums["total"].ToString()));
    }

    [Fact]
    public void Dropping_counted_events_recomputes_the_rollups()
    {
        var plan = RollupPlanner.Plan([(0, Event("m-1", "PAID", "1", null, 1)), (1, Event("m-1", "PAID", "2", null, 2))]).Single();

        var rest = plan.Without(new HashSet<int> { 0 });

        Assert.Equal(1, rest.Rollups.Single().Value.Count);
        Assert.Equal("2", rest.Rollups.Single().Value.Sums["total"].ToString());
    }
}

internal static class ImageExtensions
{
    public static Dictionary<string, DynamoDBEvent.AttributeValue> Also(this Dictionary<string, DynamoDBEvent.AttributeValue> image, string name, string value)
    {
        image[name] = DynamoDBEvent.AttributeValue.FromS(value);
        return image;
    }
}
