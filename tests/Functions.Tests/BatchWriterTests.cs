using System.Net;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Functions.Common.DynamoDb;

namespace Functions.Tests;

/// <summary>
/// The retry and isolation logic, through the writer's request seam: DynamoDB's throttling and
/// UnprocessedItems cannot be provoked on moto. The integration tests cover the real requests.
/// </summary>
public class BatchWriterTests
{
    private static readonly string[] KeyAttributes = ["pk", "sk"];
    private readonly List<BatchWriteItemRequest> _batches = [];
    private readonly List<PutItemRequest> _puts = [];
    private readonly List<TimeSpan> _delays = [];

    private static List<PendingPut> Items(int count)
        => Enumerable.Range(0, count).Select(i => new PendingPut($"seq-{i}", new Dictionary<string, AttributeValue>
        {
            ["pk"] = new() { S = $"order#{i}" },
            ["sk"] = new() { S = "t" },
        })).ToList();

    private BatchWriter Writer(
        Func<BatchWriteItemRequest, BatchWriteItemResponse> batch, Action<PutItemRequest>? put = null, int maxAttempts = 6)
        => new(
            (request, _) => { _batches.Add(request); return Task.FromResult(batch(request)); },
            (request, _) => { _puts.Add(request); put?.Invoke(request); return Task.CompletedTask; },
            (delay, _) => { _delays.Add(delay); return Task.CompletedTask; },
            new BatchWriterOptions { MaxAttempts = maxAttempts });

    private static List<WriteRequest> Sent(BatchWriteItemRequest request) => request.RequestItems["audit"];

    [Fact]
    public async Task Items_go_25_to_a_request()
    {
        var report = await Writer(_ => new BatchWriteItemResponse()).PutAllAsync("audit", KeyAttributes, Items(1000), default);

        Assert.Equal(40, _batches.Count);
        Assert.All(_batches, b => Assert.True(Sent(b).Count <= 25));
        Assert.Equal(1000, report.Written);
        Assert.Equal(40, report.Requests);
        Assert.Empty(report.Failures);
    }

    [Fact]
    public async Task Unprocessed_items_are_retried_with_growing_jittered_backoff_until_written()
    {
        var calls = 0;
        var report = await Writer(request =>
        {
            calls++;
            // First two answers leave the last two items unprocessed.
            var unprocessed = calls <= 2 ? Sent(request).TakeLast(2).ToList() : [];
            return new BatchWriteItemResponse { UnprocessedItems = new() { ["audit"] = unprocessed } };
        }).PutAllAsync("audit", KeyAttributes, Items(10), default);

        Assert.Equal(3, _batches.Count);
        Assert.Equal(2, Sent(_batches[1]).Count);
        Assert.Equal(["order#8", "order#9"], Sent(_batches[2]).Select(w => w.PutRequest.Item["pk"].S));
        Assert.Equal(10, report.Written);
        Assert.Empty(report.Failures);
        Assert.Equal(2, _delays.Count);
        Assert.True(_delays[0] <= TimeSpan.FromMilliseconds(50) && _delays[1] <= TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task Items_still_throttled_after_the_last_attempt_are_reported_not_lost()
    {
        var report = await Writer(request => new BatchWriteItemResponse
        {
            UnprocessedItems = new() { ["audit"] = Sent(request).Where(w => w.PutRequest.Item["pk"].S == "order#3").ToList() },
        }, maxAttempts: 4).PutAllAsync("audit", KeyAttributes, Items(5), default);

        Assert.Equal(4, _batches.Count);
        Assert.Equal(4, report.Written);
        Assert.Equal("seq-3", Assert.Single(report.Failures).Id);
        Assert.Contains("after 4 attempts", report.Failures[0].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_a_chunk_exhausts_its_attempts_the_rest_of_the_batch_is_reported_without_more_load()
    {
        var report = await Writer(request => request.RequestItems["audit"].Any(w => w.PutRequest.Item["pk"].S == "order#30")
            ? new BatchWriteItemResponse { UnprocessedItems = new() { ["audit"] = Sent(request) } }
            : new BatchWriteItemResponse(), maxAttempts: 3).PutAllAsync("audit", KeyAttributes, Items(100), default);

        Assert.Equal(1 + 3, _batches.Count);            // chunk 1 written, chunk 2 tried three times, chunks 3-4 not sent
        Assert.Equal(25, report.Written);
        Assert.Equal(75, report.Failures.Count);
        Assert.Equal("seq-25", report.Failures[0].Id);
        Assert.Contains("Not attempted", report.Failures[^1].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Throttling_errors_are_retried_like_unprocessed_items()
    {
        var calls = 0;
        var report = await Writer(_ => ++calls == 1
            ? throw new ProvisionedThroughputExceededException("slow down")
            : new BatchWriteItemResponse()).PutAllAsync("audit", KeyAttributes, Items(3), default);

        Assert.Equal(2, _batches.Count);
        Assert.Equal(3, report.Written);
        Assert.Empty(report.Failures);
    }

    [Fact]
    public async Task An_invalid_request_is_split_so_only_the_bad_item_fails()
    {
        var report = await Writer(
            _ => throw new AmazonDynamoDBException("Size of hashkey has exceeded the maximum size limit of 2048 bytes")
            {
                ErrorCode = "ValidationException",
                StatusCode = HttpStatusCode.BadRequest,
            },
            put =>
            {
                if (put.Item["pk"].S == "order#1")
                    throw new AmazonDynamoDBException("Size of hashkey has exceeded the maximum size limit of 2048 bytes")
                    {
                        ErrorCode = "ValidationException",
                    };
            }).PutAllAsync("audit", KeyAttributes, Items(3), default);

        Assert.Equal(3, _puts.Count);
        Assert.Equal(2, report.Written);
        var failure = Assert.Single(report.Failures);
        Assert.Equal("seq-1", failure.Id);
        Assert.StartsWith("ValidationException:", failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_permanent_error_for_the_whole_table_fails_every_item_of_the_request()
    {
        var report = await Writer(_ => throw new ResourceNotFoundException("Requested resource not found") { ErrorCode = "ResourceNotFoundException" })
            .PutAllAsync("audit", KeyAttributes, Items(30), default);

        Assert.Equal(2, _batches.Count);
        Assert.Equal(30, report.Failures.Count);
        Assert.Equal(0, report.Written);
        Assert.Empty(_delays);
    }
}
