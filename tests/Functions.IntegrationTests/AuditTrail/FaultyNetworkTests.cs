using System.Diagnostics;
using Functions.AuditTrail;

namespace Functions.IntegrationTests;

/// <summary>
/// The suite's real SDK client (one attempt per call, as DynamoDbClients configures it) against
/// DynamoDB Local, with an HTTP layer that fails BatchWriteItem the way the field did: sustained
/// throttling, sustained connection resets. DynamoDB Local itself never throttles.
/// </summary>
[Collection(DynamoDbLocalCollection.Name)]
public class FaultyNetworkTests(DynamoDbLocalFixture local)
{
    private const int TimeoutSeconds = 4;

    private async Task<List<System.Text.Json.Nodes.JsonObject>> TwoHundredOrdersAsync(AuditEnvironment env)
    {
        foreach (var chunk in Enumerable.Range(0, 200).Chunk(25))
            await local.Client.BatchWriteItemAsync(new BatchWriteItemRequest
            {
                RequestItems = new()
                {
                    [env.Table("orders")] = chunk.Select(i => new WriteRequest(new PutRequest(new Dictionary<string, AttributeValue>
                    {
                        ["orderId"] = new() { S = $"order-{i:D3}" },
                        ["customerId#timestamp"] = new() { S = "cust-1#2026-01-16T12:00:00Z" },
                    }))).ToList(),
                },
            });
        return await env.StreamRecordsAsync("orders");
    }

    [Theory]
    [InlineData("throttling")]
    [InlineData("connection resets")]
    public async Task Under_sustained_failure_the_invocation_returns_before_its_timeout_with_every_unwritten_record_reported(string failure)
    {
        using var handler = new ScriptedNetwork((request, _) => request.Operation != "BatchWriteItem" ? null
            : failure == "throttling" ? ScriptedNetwork.Error("ThrottlingException")
            : throw new HttpRequestException("Connection reset by peer", new IOException("Connection reset by peer")));
        using var client = handler.Client(local);
        var env = await AuditEnvironment.CreateAsync(local, client: client, timeout: TimeSpan.FromSeconds(TimeoutSeconds));
        var records = await TwoHundredOrdersAsync(env);

        var clock = Stopwatch.StartNew();
        var (response, summary) = await env.InvokeAsync(env.LambdaEvent("orders", records));
        clock.Stop();

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(TimeoutSeconds), $"returned after {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal(200, AuditEnvironment.FailedSequenceNumbers(response).Count);
        Assert.Equal(records.Select(r => r["dynamodb"]!["SequenceNumber"]!.GetValue<string>()).Order(), AuditEnvironment.FailedSequenceNumbers(response).Order());
        Assert.Equal((200, 0, 200), (summary.GetProperty("records").GetInt32(), summary.GetProperty("written").GetInt32(), summary.GetProperty("failed").GetInt32()));
        Assert.InRange(handler.CallsOf("BatchWriteItem"), 2, 6); // the first chunk retried, the rest not sent into a failing table
        Assert.Single(env.MetricRecords());
        Assert.Empty(await env.AuditSnapshotAsync());
    }

    [Fact]
    public async Task An_item_too_large_for_dynamodb_is_reduced_and_written_to_dynamodb_local_which_enforces_the_limit()
    {
        var env = await AuditEnvironment.CreateAsync(local);
        var key = new Dictionary<string, AttributeValue>
        {
            ["orderId"] = new() { S = "order-big" },
            ["customerId#timestamp"] = new() { S = "cust-1#2026-01-16T12:00:00Z" },
        };
        // 250 KB of document: the source item fits, but its audit item (old and new image) would not.
        await local.Client.PutItemAsync(env.Table("orders"), new(key) { ["document"] = new() { S = new string('x', 250 * 1024) }, ["status"] = new() { S = "NEW" } });
        await local.Client.PutItemAsync(env.Table("orders"), new(key) { ["document"] = new() { S = new string('y', 250 * 1024) }, ["status"] = new() { S = "PAID" } });

        var (response, summary) = await env.InvokeAsync(env.LambdaEvent("orders", await env.StreamRecordsAsync("orders")));

        Assert.Empty(AuditEnvironment.FailedSequenceNumbers(response));
        Assert.Equal(1, summary.GetProperty("images_reduced").GetInt32());
        var modify = (await env.HistoryAsync("order#order-big")).Single(i => i["eventName"].S == "MODIFY");
        Assert.Equal(OversizeReducer.OldImageDropped, modify["imagesReduction"].S);
        Assert.Equal("PAID", modify["newImage"].M["status"].S);
        Assert.Equal(["document", "status"], modify["changedAttributes"].SS.Order());
    }
}
