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
public abstract partial class AuditToolTests(ILocalEngine engine)
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
}
