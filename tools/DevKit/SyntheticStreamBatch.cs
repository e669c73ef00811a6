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
            records.Add(new JsonObject
            {
                ["eventID"] = $"e{i}", ["eventName"] = "INSERT", ["eventVersion"] = "1.1", ["eventSource"] = "aws:dynamodb", ["awsRegion"] = "us-east-1",
                ["eventSourceARN"] = streamArn,
                ["dynamodb"] = new JsonObject
                {
                    ["ApproximateCreationDateTime"] = 1768564800 + i, ["Keys"] = keys, ["NewImage"] = image,
                    ["SequenceNumber"] = (100000000000000000000m + i).ToString(CultureInfo.InvariantCulture),
                    ["SizeBytes"] = 120, ["StreamViewType"] = "NEW_AND_OLD_IMAGES",
                },
            });
        }
        return new JsonObject { ["Records"] = records }.ToJsonString();
    }
}
