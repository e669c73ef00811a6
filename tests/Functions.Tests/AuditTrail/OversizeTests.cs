using Functions.AuditTrail;
using Functions.Common.DynamoDb;

namespace Functions.Tests;

public class OversizeTests
{
    private static readonly AuditRecordBuilder Builder = new(TestRecords.Settings());
    private static string Text(int kilobytes, char c = 'x') => new(c, kilobytes * 1024);

    [Fact]
    public void Large_images_are_limited_to_the_changed_attributes_and_the_item_fits()
    {
        var before = TestRecords.Order($$""" "document":{"S":"{{Text(300)}}"},"status":{"S":"NEW"} """);
        var after = TestRecords.Order($$""" "document":{"S":"{{Text(300)}}"},"status":{"S":"PAID"} """);
        var entry = Builder.Build(TestRecords.Record("MODIFY", after, before));

        Assert.Equal(OversizeReducer.ChangedOnly, entry.Reduction);
        Assert.True(entry.Item["imagesReduced"].BOOL);
        Assert.Equal("PAID", entry.Item["newImage"].M!["status"].S);
        Assert.Equal("NEW", entry.Item["oldImage"].M!["status"].S);
        Assert.False(entry.Item["newImage"].M!.ContainsKey("document"));
        Assert.True(ItemSize.Of(entry.Item) <= ItemSize.MaxItemBytes);
    }

    [Fact]
    public void When_the_change_itself_is_large_the_old_image_goes_first()
    {
        var before = TestRecords.Order($$""" "document":{"S":"{{Text(250, 'a')}}"} """);
        var after = TestRecords.Order($$""" "document":{"S":"{{Text(250, 'b')}}"} """);
        var entry = Builder.Build(TestRecords.Record("MODIFY", after, before));

        Assert.Equal(OversizeReducer.OldImageDropped, entry.Reduction);
        Assert.False(entry.Item.ContainsKey("oldImage"));
        Assert.True(entry.Item.ContainsKey("newImage"));
        Assert.True(ItemSize.Of(entry.Item) <= ItemSize.MaxItemBytes);
    }

    [Fact]
    public void As_a_last_resort_both_images_go_but_the_change_stays()
    {
        var before = TestRecords.Order($$""" "document":{"S":"{{Text(395, 'a')}}"} """);
        var after = TestRecords.Order($$""" "document":{"S":"{{Text(395, 'b')}}"} """);
        var entry = Builder.Build(TestRecords.Record("MODIFY", after, before));

        Assert.Equal(OversizeReducer.ImagesDropped, entry.Reduction);
        Assert.False(entry.Item.ContainsKey("oldImage"));
        Assert.False(entry.Item.ContainsKey("newImage"));
        Assert.Equal(["document"], entry.Item["changedAttributes"].SS!);
        Assert.Equal("order#order-123", entry.Item["entityType#entityId"].S);
        Assert.Equal(TestRecords.Json(TestRecords.OrderKeys()), TestRecords.Json(entry.Item["keys"].M!));
        Assert.Equal("MODIFY", entry.Item["eventName"].S);
        Assert.True(ItemSize.Of(entry.Item) <= ItemSize.MaxItemBytes);
    }

    [Fact]
    public void An_item_that_fits_is_left_alone()
    {
        var entry = Builder.Build(TestRecords.Record("INSERT", TestRecords.Order($$""" "document":{"S":"{{Text(100)}}"} """)));
        Assert.Null(entry.Reduction);
        Assert.False(entry.Item.ContainsKey("imagesReduced"));
    }

    [Fact]
    public void Item_size_counts_names_and_values_as_dynamodb_does()
    {
        var item = TestRecords.Map("""{"ab":{"S":"héllo"},"n":{"N":"123"},"b":{"B":"AAEC"},"t":{"BOOL":true},"m":{"M":{"k":{"S":"v"}}},"l":{"L":[{"S":"v"}]}}""");
        // ab: 2 + 6 bytes; n: 1 + 3; b: 1 + 3; t: 1 + 1; m: 1 + 3 + (1 + 1 + 1); l: 1 + 3 + (1 + 1)
        Assert.Equal(8 + 4 + 4 + 2 + 7 + 6, ItemSize.Of(item));
    }
}
