using Functions.AuditTrail;

namespace Functions.IntegrationTests;

/// <summary>
/// Real changes on DynamoDB Local tables (AWS's engine), their real stream records from its Streams API turned into
/// the Lambda event, the real handler, and the audit table read back with the runbook query.
/// </summary>
[Collection(DynamoDbLocalCollection.Name)]
public class AuditTrailStreamTests(DynamoDbLocalFixture local)
{
    private static Dictionary<string, AttributeValue> OrderKey(string orderId) => new()
    {
        ["orderId"] = new() { S = orderId },
        ["customerId#timestamp"] = new() { S = "cust-789#2026-01-16T12:00:00Z" },
    };

    private async Task ChangeOrderAsync(AuditEnvironment env, string orderId)
    {
        var item = OrderKey(orderId);
        item["status"] = new() { S = "PENDING" };
        item["total"] = new() { N = "12345678901234567890123456789012345678" };
        // All 38 significant digits DynamoDB keeps, in a fraction, a set and a nested list.
        item["rate"] = new() { N = "-9876543210.9876543210987654321098765432" };
        item["limits"] = new() { NS = ["98765432109876543210987654321098765432", "0.1234567890123456789012345678901234567"] };
        item["signature"] = new() { B = new MemoryStream([0, 1, 2, 255]) };
        item["tags"] = new() { SS = ["web", "priority"] };
        item["shipping"] = new() { M = new() { ["address"] = new() { M = new() { ["city"] = new() { S = "Oslo" } } }, ["lines"] = new() { L = [new() { N = "1" }, new() { N = "12345678901234567890.123456789012345678" }] } } };
        item["notes"] = new() { L = [] };
        item["updatedBy"] = new() { S = "checkout-service" };
        await local.Client.PutItemAsync(env.Table("orders"), item);
        await UpdateAsync(env, orderId, "SET #s = :v, updatedBy = :by", "PAID", "payments-service");
        await UpdateAsync(env, orderId, "SET shipping.address.city = :v, updatedBy = :by", "Bergen", "ops@example.com");
        await local.Client.DeleteItemAsync(env.Table("orders"), OrderKey(orderId));
    }

    private Task UpdateAsync(AuditEnvironment env, string orderId, string expression, string value, string by)
        => local.Client.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = env.Table("orders"),
            Key = OrderKey(orderId),
            UpdateExpression = expression,
            ExpressionAttributeNames = expression.Contains("#s", StringComparison.Ordinal) ? new() { ["#s"] = "status" } : null,
            ExpressionAttributeValues = new() { [":v"] = new() { S = value }, [":by"] = new() { S = by } },
        });

    [Fact]
    public async Task Changes_on_an_orders_table_become_the_entity_history_in_order()
    {
        var env = await AuditEnvironment.CreateAsync(local);
        await ChangeOrderAsync(env, "order-123");
        var records = await env.StreamRecordsAsync("orders");
        Assert.Equal(4, records.Count);
        // An empty map, as DynamoDB Streams sends it. (DynamoDB Local 3.3.1's Streams API loses its
        // type and sends {}, which the parser rightly refuses, so the item written above has none.)
        records[0]["dynamodb"]!["NewImage"]!["extras"] = new JsonObject { ["M"] = new JsonObject() };

        var (response, summary) = await env.InvokeAsync(env.LambdaEvent("orders", records));

        Assert.Empty(AuditEnvironment.FailedSequenceNumbers(response));
        Assert.Equal(4, summary.GetProperty("written").GetInt32());
        EmittedMetrics.AssertTheDashboardReadsThem(Assert.Single(env.MetricRecords()), env.App, "AuditTrailFunction", AuditMetrics.All);
        var history = await env.HistoryAsync("order#order-123", "2000-01-01T00:00:00Z", "2099-12-31T23:59:59Z");
        Assert.Equal(["INSERT", "MODIFY", "MODIFY", "REMOVE"], history.Select(i => i["eventName"].S));
        Assert.Equal(records.Select(r => r["dynamodb"]!["SequenceNumber"]!.GetValue<string>()), history.Select(i => i["sequenceNumber"].S));

        var insert = history[0];
        Assert.Equal("order", insert["entityType"].S);
        Assert.Equal(env.Table("orders"), insert["sourceTable"].S);
        Assert.Equal("checkout-service", insert["actor"].S);
        var image = insert["newImage"].M;
        Assert.Equal("12345678901234567890123456789012345678", image["total"].N);
        Assert.Equal("-9876543210.9876543210987654321098765432", image["rate"].N);
        Assert.Equal(["0.1234567890123456789012345678901234567", "98765432109876543210987654321098765432"], image["limits"].NS.Order(StringComparer.Ordinal));
        Assert.Equal("12345678901234567890.123456789012345678", image["shipping"].M["lines"].L[1].N);
        Assert.Equal(new byte[] { 0, 1, 2, 255 }, image["signature"].B.ToArray());
        Assert.Equal(["priority", "web"], image["tags"].SS.Order());
        Assert.Equal("Oslo", image["shipping"].M["address"].M["city"].S);
        Assert.Equal(2, insert["keys"].M.Count);
        Assert.Empty(image["notes"].L);
        Assert.Empty(image["extras"].M);

        Assert.Equal(["status", "updatedBy"], history[1]["changedAttributes"].SS.Order());
        Assert.Equal("payments-service", history[1]["actor"].S);
        Assert.Equal(["shipping", "updatedBy"], history[2]["changedAttributes"].SS.Order());
        Assert.Equal("Bergen", history[2]["newImage"].M["shipping"].M["address"].M["city"].S);
        Assert.Equal("Oslo", history[2]["oldImage"].M["shipping"].M["address"].M["city"].S);
        Assert.False(history[3].ContainsKey("newImage"));
        Assert.Equal("PAID", history[3]["oldImage"].M["status"].S);
        Assert.All(history, i => Assert.StartsWith(i["changeTime"].S, i["timestamp"].S, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Replaying_a_batch_in_whole_or_from_any_record_leaves_the_audit_table_exactly_as_it_was()
    {
        var env = await AuditEnvironment.CreateAsync(local);
        await ChangeOrderAsync(env, "order-1");
        await ChangeOrderAsync(env, "order-2");
        var records = await env.StreamRecordsAsync("orders");
        await env.InvokeAsync(env.LambdaEvent("orders", records));
        var before = await env.AuditSnapshotAsync();
        Assert.Equal(8, before.Count);

        for (var from = 0; from < records.Count; from++)
        {
            var (response, _) = await env.InvokeAsync(env.LambdaEvent("orders", records.Skip(from)));
            Assert.Empty(AuditEnvironment.FailedSequenceNumbers(response));
        }
        // The same record twice in one batch (a redelivery that overlaps) is written once.
        await env.InvokeAsync(env.LambdaEvent("orders", records.Concat(records)));

        Assert.Equal(before, await env.AuditSnapshotAsync());
    }

    [Fact]
    public async Task A_thousand_record_batch_lands_whole_in_forty_write_requests()
    {
        var env = await AuditEnvironment.CreateAsync(local);
        foreach (var chunk in Enumerable.Range(0, 1000).Chunk(25))
            await local.Client.BatchWriteItemAsync(new BatchWriteItemRequest
            {
                RequestItems = new()
                {
                    [env.Table("orders")] = chunk.Select(i =>
                    {
                        var item = OrderKey($"order-{i:D4}");
                        item["status"] = new() { S = "PENDING" };
                        return new WriteRequest(new PutRequest(item));
                    }).ToList(),
                },
            });
        var records = await env.StreamRecordsAsync("orders");
        Assert.Equal(1000, records.Count);

        var (response, summary) = await env.InvokeAsync(env.LambdaEvent("orders", records));

        Assert.Empty(AuditEnvironment.FailedSequenceNumbers(response));
        Assert.Equal(1000, summary.GetProperty("records").GetInt32());
        Assert.Equal(1000, summary.GetProperty("written").GetInt32());
        Assert.Equal(40, summary.GetProperty("write_requests").GetInt32());
        Assert.Equal(1000, (await env.AuditSnapshotAsync()).Count);
    }

    [Fact]
    public async Task A_malformed_record_is_reported_while_the_rest_of_the_batch_lands()
    {
        var env = await AuditEnvironment.CreateAsync(local);
        await ChangeOrderAsync(env, "order-9");
        var records = await env.StreamRecordsAsync("orders");
        var broken = (JsonObject)records[1].DeepClone();
        broken["dynamodb"]!["NewImage"]!["status"] = new JsonObject { ["Q"] = "?" };
        var brokenSequence = broken["dynamodb"]!["SequenceNumber"]!.GetValue<string>();

        var (response, summary) = await env.InvokeAsync(env.LambdaEvent("orders", [records[0], broken, records[2], records[3]]));

        Assert.Equal([brokenSequence], AuditEnvironment.FailedSequenceNumbers(response));
        Assert.Equal(3, summary.GetProperty("written").GetInt32());
        Assert.Equal(1, summary.GetProperty("failed").GetInt32());
        Assert.Equal(["INSERT", "MODIFY", "REMOVE"], (await env.HistoryAsync("order#order-9")).Select(i => i["eventName"].S));
        var warning = env.LogLines().Single(l => l.GetProperty("level").GetString() == "WARN");
        Assert.Equal(brokenSequence, warning.GetProperty("sequence_number").GetString());
        Assert.Contains("Unknown attribute type 'Q'", warning.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_permanent_write_error_is_reported_for_its_record_only()
    {
        var env = await AuditEnvironment.CreateAsync(local);
        // Valid in orders (2,045 bytes of partition key), too long once prefixed for the audit key (2,048 max).
        var longId = new string('x', 2045);
        foreach (var id in new[] { "order-a", longId, "order-b" })
        {
            var item = OrderKey(id);
            item["status"] = new() { S = "PENDING" };
            await local.Client.PutItemAsync(env.Table("orders"), item);
        }
        var records = await env.StreamRecordsAsync("orders");

        var (response, summary) = await env.InvokeAsync(env.LambdaEvent("orders", records));

        Assert.Equal([records[1]["dynamodb"]!["SequenceNumber"]!.GetValue<string>()], AuditEnvironment.FailedSequenceNumbers(response));
        Assert.Equal(2, summary.GetProperty("written").GetInt32());
        Assert.Single(await env.HistoryAsync("order#order-a"));
        Assert.Single(await env.HistoryAsync("order#order-b"));
        Assert.Contains("ValidationException", env.LogText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Redacted_values_reach_neither_the_audit_table_nor_the_logs()
    {
        var env = await AuditEnvironment.CreateAsync(local, new Dictionary<string, string> { ["REDACT_ATTRIBUTES"] = "email,ssn" });
        var item = new Dictionary<string, AttributeValue>
        {
            ["customerId"] = new() { S = "cust-1" },
            ["timestamp"] = new() { S = "2026-01-16T12:00:00Z" },
            ["email"] = new() { S = "ana@example.com" },
            ["profile"] = new() { M = new() { ["ssn"] = new() { S = "078-05-1120" } } },
        };
        await local.Client.PutItemAsync(env.Table("customers"), item);
        item["email"] = new() { S = "ana.new@example.com" };
        await local.Client.PutItemAsync(env.Table("customers"), item);

        var (response, _) = await env.InvokeAsync(env.LambdaEvent("customers", await env.StreamRecordsAsync("customers")));

        Assert.Empty(AuditEnvironment.FailedSequenceNumbers(response));
        var stored = string.Join("\n", await env.AuditSnapshotAsync()) + env.LogText();
        foreach (var secret in new[] { "ana@example.com", "ana.new@example.com", "078-05-1120" })
            Assert.DoesNotContain(secret, stored, StringComparison.Ordinal);
        var modify = (await env.HistoryAsync("customer#cust-1"))[1];
        Assert.Equal(Redactor.ChangedMarker, modify["newImage"].M["email"].S);
        Assert.Equal(Redactor.Marker, modify["newImage"].M["profile"].M["ssn"].S);
        Assert.Equal(["email"], modify["changedAttributes"].SS);
    }

    [Theory]
    [InlineData("KEYS_ONLY", false, false)]
    [InlineData("NEW_IMAGE", true, false)]
    [InlineData("OLD_IMAGE", false, true)]
    public async Task Streams_of_every_view_type_are_audited_with_the_images_they_carry(string viewType, bool hasNew, bool hasOld)
    {
        var env = await AuditEnvironment.CreateAsync(local);
        // A stream's view type is fixed while it is enabled: the environment's quotes table is
        // made again with this one.
        var quotes = env.Table("quotes");
        await local.Client.DeleteTableAsync(quotes);
        var arn = (await local.Client.CreateTableAsync(new CreateTableRequest
        {
            TableName = quotes,
            BillingMode = Amazon.DynamoDBv2.BillingMode.PAY_PER_REQUEST,
            AttributeDefinitions = [new("quoteId", "S"), new("customerId#timestamp", "S")],
            KeySchema = [new("quoteId", "HASH"), new("customerId#timestamp", "RANGE")],
            StreamSpecification = new StreamSpecification { StreamEnabled = true, StreamViewType = viewType },
        })).TableDescription.LatestStreamArn;
        var key = new Dictionary<string, AttributeValue> { ["quoteId"] = new() { S = "q-1" }, ["customerId#timestamp"] = new() { S = "c#1" } };
        await local.Client.PutItemAsync(quotes, new(key) { ["amount"] = new() { N = "10" } });
        await local.Client.PutItemAsync(quotes, new(key) { ["amount"] = new() { N = "12" } });

        var records = await local.Streams.ReadAllAsync(arn);
        var (response, _) = await env.InvokeAsync(Functions.DevKit.StreamsApi.ToLambdaEvent(records, arn));

        Assert.Empty(AuditEnvironment.FailedSequenceNumbers(response));
        var modify = (await env.HistoryAsync("quote#q-1")).Single(i => i["eventName"].S == "MODIFY");
        Assert.Equal(hasNew, modify.ContainsKey("newImage"));
        Assert.Equal(hasOld, modify.ContainsKey("oldImage"));
        Assert.Equal(viewType, modify["streamViewType"].S);
    }
}
