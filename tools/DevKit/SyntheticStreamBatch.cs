using System.Globalization;
using System.Text.Json.Nodes;

namespace Functions.DevKit;

/// <summary>Stream batches made up for load: as Lambda delivers them, without a table behind.</summary>
public static class SyntheticStreamBatch
{
    /// <summary>Order INSERTs of 1.01 USD each, spread round-robin over merchants m-0, m-1, ….</summary>
    public static string Orders(string streamArn, int count, int merchants)
    {
        var records = new JsonArray();
        for (var i = 0; i < count; i++)
        {
            var keys = new JsonObject { ["orderId"] = new JsonObject { ["S"] = $"o-{i:D5}" }, ["customerId#timestamp"] = new JsonObject { ["S"] = "c#t" } };
            var image = (JsonObject)keys.DeepClone();
            image["merchantId"] = new JsonObject { ["S"] = $"m-{i % merchants}" };
            image["status"] = new JsonObject { ["S"] = "PENDING" };
            image["total"] = new JsonObject { ["N"] = "1.01" };
            image["currency"] = new JsonObject { ["S"] = "USD" };
            records.Add(Record(streamArn, i, "INSERT", keys, image, null));
        }
        return new JsonObject { ["Records"] = records }.ToJsonString();
    }

    /// <summary>
    /// Orders paid (MODIFY, both images) as a busy orders table's stream carries them: items of
    /// 1 to 3 KB of DynamoDB JSON (customer, addresses, 2 to 12 order lines, sets, a 38-digit
    /// number, binary), the same seed giving the same bytes.
    /// </summary>
    public static string PaidOrders(string streamArn, int count, int merchants = 10, int seed = 16)
    {
        var random = new Random(seed);
        var records = new JsonArray();
        for (var i = 0; i < count; i++)
        {
            var keys = new JsonObject { ["orderId"] = S($"order-{i:D6}"), ["customerId#timestamp"] = S($"cust-{i % 97:D4}#2026-01-16T12:{i % 60:D2}:00Z") };
            var lines = random.Next(2, 13);
            var newImage = OrderItem(random, keys, i, merchants, lines, "PAID");
            var oldImage = (JsonObject)newImage.DeepClone();
            oldImage["status"] = S("PENDING");
            oldImage["updatedBy"] = S("checkout-service");
            oldImage.Remove("paidAt");
            records.Add(Record(streamArn, i, "MODIFY", keys, newImage, oldImage));
        }
        return new JsonObject { ["Records"] = records }.ToJsonString();
    }

    private static JsonObject OrderItem(Random random, JsonObject keys, int i, int merchants, int lineCount, string status)
    {
        var item = (JsonObject)keys.DeepClone();
        item["merchantId"] = S($"m-{i % merchants}");
        item["status"] = S(status);
        item["currency"] = S("USD");
        item["email"] = S($"customer{i % 97}@example.com");
        item["phone"] = S($"+1-555-01{i % 100:D2}");
        item["createdAt"] = S("2026-01-16T11:58:03.118Z");
        item["paidAt"] = S("2026-01-16T12:00:00.000Z");
        item["updatedBy"] = S("payments-service");
        item["shippingAddress"] = Address(i);
        item["billingAddress"] = Address(i + 1);
        var lines = new JsonArray();
        var total = 0m;
        for (var l = 0; l < lineCount; l++)
        {
            var quantity = random.Next(1, 5);
            var price = random.Next(199, 19_999) / 100m;
            total += quantity * price;
            lines.Add(new JsonObject
            {
                ["M"] = new JsonObject
                {
                    ["sku"] = S($"SKU-{random.Next(10_000):D5}"),
                    ["name"] = S(ProductNames[random.Next(ProductNames.Length)]),
                    ["quantity"] = N(quantity.ToString(CultureInfo.InvariantCulture)),
                    ["unitPrice"] = N(price.ToString(CultureInfo.InvariantCulture)),
                    ["tags"] = new JsonObject { ["SS"] = new JsonArray("catalog", l % 2 == 0 ? "in-stock" : "backorder") },
                },
            });
        }
        item["lines"] = new JsonObject { ["L"] = lines };
        item["total"] = N(total.ToString(CultureInfo.InvariantCulture));
        item["ledgerId"] = N($"1234567890123456789012345678901234{i % 10_000:D4}"); // 38 digits
        item["riskScores"] = new JsonObject { ["NS"] = new JsonArray("0.12", random.Next(13, 99).ToString(CultureInfo.InvariantCulture) + ".5") };
        item["tags"] = new JsonObject { ["SS"] = new JsonArray("web", "priority", $"campaign-{i % 7}") };
        item["giftWrap"] = new JsonObject { ["BOOL"] = i % 3 == 0 };
        item["couponCode"] = new JsonObject { ["NULL"] = true };
        item["signature"] = new JsonObject { ["B"] = Convert.ToBase64String(BitConverter.GetBytes((long)i * 7_919).Concat(new byte[24]).ToArray()) };
        item["version"] = N((i % 9 + 2).ToString(CultureInfo.InvariantCulture));
        return item;
    }

    private static readonly string[] ProductNames =
    [
        "Stainless steel water bottle, 750 ml", "Organic cotton T-shirt, navy, size M", "Wireless earbuds with charging case",
        "Ceramic pour-over coffee dripper", "Recycled paper notebook, A5, dotted", "Trail running socks, pack of three",
    ];

    private static JsonObject Address(int i) => new()
    {
        ["M"] = new JsonObject
        {
            ["line1"] = S($"{i % 300 + 1} Harbour Street"),
            ["line2"] = S("Apartment 4B"),
            ["city"] = S("Portland"),
            ["postcode"] = S($"97{i % 1000:D3}"),
            ["country"] = S("US"),
        },
    };

    private static JsonObject S(string value) => new() { ["S"] = value };

    private static JsonObject N(string value) => new() { ["N"] = value };

    private static JsonObject Record(string streamArn, int i, string eventName, JsonObject keys, JsonObject newImage, JsonObject? oldImage)
    {
        var stream = new JsonObject
        {
            ["ApproximateCreationDateTime"] = 1768564800 + i,
            ["Keys"] = keys.DeepClone(),
            ["NewImage"] = newImage,
        };
        if (oldImage is not null) stream["OldImage"] = oldImage;
        stream["SequenceNumber"] = (100000000000000000000m + i).ToString(CultureInfo.InvariantCulture);
        stream["SizeBytes"] = 120;
        stream["StreamViewType"] = "NEW_AND_OLD_IMAGES";
        return new JsonObject
        {
            ["eventID"] = $"e{i}", ["eventName"] = eventName, ["eventVersion"] = "1.1", ["eventSource"] = "aws:dynamodb", ["awsRegion"] = "us-east-1",
            ["eventSourceARN"] = streamArn,
            ["dynamodb"] = stream,
        };
    }
}
