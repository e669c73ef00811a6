using System.Net;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Functions.Common.DynamoDb;
using Functions.Common.Runtime;

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
    private readonly InvocationDeadline _minute = InvocationDeadline.Start(TimeSpan.FromMinutes(1));

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
            new RetryPolicy(new RetryOptions { MaxAttempts = maxAttempts }, random: () => 1.0,
                delay: (delay, _) => { _delays.Add(delay); return Task.CompletedTask; }));

    private static List<WriteRequest> Sent(BatchWriteItemRequest request) => request.RequestItems["audit"];

    private static AmazonDynamoDBException Rejected(string code, string message = "Size of hashkey has exceeded the maximum size limit of 2048 bytes")
        => new(message) { ErrorCode = code, StatusCode = HttpStatusCode.BadRequest };

    [Fact]
    public async Task Items_go_25_to_a_request()
    {
        var report = await Writer(_ => new BatchWriteItemResponse()).PutAllAsync("audit", KeyAttributes, Items(1000), _minute);

        Assert.Equal(40, _batches.Count);
        Assert.All(_batches, b => Assert.True(Sent(b).Count <= 25));
        Assert.Equal(1000, report.Written);
        Assert.Equal(40, report.Requests);
        Assert.Empty(report.Failures);
    }

    [Fact]
    public async Task Unprocessed_items_are_retried_with_growing_backoff_until_written()
    {
        var calls = 0;
        var report = await Writer(request =>
        {
            calls++;
            // First two answers leave the last two items unprocessed.
            var unprocessed = calls <= 2 ? Sent(request).TakeLast(2).ToList() : [];
            return new BatchWriteItemResponse { UnprocessedItems = new() { ["audit"] = unprocessed } };
        }).PutAllAsync("audit", KeyAttributes, Items(10), _minute);

        Assert.Equal(3, _batches.Count);
        Assert.Equal(2, Sent(_batches[1]).Count);
        Assert.Equal(["order#8", "order#9"], Sent(_batches[2]).Select(w => w.PutRequest.Item["pk"].S));
        Assert.Equal(10, report.Written);
        Assert.Empty(report.Failures);
        Assert.Equal([TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(100)], _delays);
    }

    [Theory]
    [InlineData(0.0, new[] { 0, 0, 0, 0, 0, 0, 0, 0 })]
    [InlineData(1.0, new[] { 50, 100, 200, 400, 800, 1600, 2000, 2000 })]
    [InlineData(0.5, new[] { 25, 50, 100, 200, 400, 800, 1000, 1000 })]
    public void Backoff_is_full_jitter_under_an_exponential_ceiling_capped_at_the_maximum(double random, int[] expectedMilliseconds)
    {
        var policy = new RetryPolicy(random: () => random);
        Assert.Equal(expectedMilliseconds, Enumerable.Range(1, 8).Select(a => (int)policy.Backoff(a).TotalMilliseconds));
    }

    [Fact]
    public void Jitter_spreads_the_waits_of_one_attempt_over_the_whole_range()
    {
        var policy = new RetryPolicy();
        var waits = Enumerable.Range(0, 2000).Select(_ => policy.Backoff(4).TotalMilliseconds).ToList();
        Assert.All(waits, w => Assert.InRange(w, 0, 400));
        Assert.True(waits.Min() < 40 && waits.Max() > 360, $"min {waits.Min()}, max {waits.Max()}");
    }

    [Fact]
    public async Task Items_still_throttled_after_the_last_attempt_are_reported_not_lost()
    {
        var report = await Writer(request => new BatchWriteItemResponse
        {
            UnprocessedItems = new() { ["audit"] = Sent(request).Where(w => w.PutRequest.Item["pk"].S == "order#3").ToList() },
        }, maxAttempts: 4).PutAllAsync("audit", KeyAttributes, Items(5), _minute);

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
            : new BatchWriteItemResponse(), maxAttempts: 3).PutAllAsync("audit", KeyAttributes, Items(100), _minute);

        Assert.Equal(1 + 3, _batches.Count);            // chunk 1 written, chunk 2 tried three times, chunks 3-4 not sent
        Assert.Equal(25, report.Written);
        Assert.Equal(75, report.Failures.Count);
        Assert.Equal("seq-25", report.Failures[0].Id);
        Assert.Contains("Not attempted", report.Failures[^1].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Throttling_errors_and_broken_connections_are_retried_like_unprocessed_items()
    {
        var calls = 0;
        var report = await Writer(_ => ++calls switch
        {
            1 => throw new ProvisionedThroughputExceededException("slow down"),
            2 => throw Rejected("ThrottlingException", "Rate exceeded"),
            3 => throw new HttpRequestException("Connection reset by peer", new IOException("reset")),
            _ => new BatchWriteItemResponse(),
        }).PutAllAsync("audit", KeyAttributes, Items(3), _minute);

        Assert.Equal(4, _batches.Count);
        Assert.Equal(3, report.Written);
        Assert.Empty(report.Failures);
    }

    [Fact]
    public async Task An_unprocessed_entry_that_matches_no_sent_item_counts_nothing_as_written_and_resends_all()
    {
        var calls = 0;
        var report = await Writer(_ => ++calls == 1
            ? new BatchWriteItemResponse
            {
                UnprocessedItems = new()
                {
                    ["audit"] = [new WriteRequest { PutRequest = new PutRequest { Item = new() { ["pk"] = new() { S = "order#999" }, ["sk"] = new() { S = "t" } } } }],
                },
            }
            : new BatchWriteItemResponse()).PutAllAsync("audit", KeyAttributes, Items(3), _minute);

        Assert.Equal(2, _batches.Count);
        Assert.Equal(3, Sent(_batches[1]).Count);
        Assert.Equal(3, report.Written);
    }

    [Fact]
    public async Task Unmatched_unprocessed_entries_that_persist_fail_every_item_instead_of_counting_them_written()
    {
        var report = await Writer(_ => new BatchWriteItemResponse
        {
            UnprocessedItems = new() { ["audit"] = [new WriteRequest { PutRequest = new PutRequest { Item = new() { ["pk"] = new() { S = "elsewhere" } } } }] },
        }, maxAttempts: 3).PutAllAsync("audit", KeyAttributes, Items(2), _minute);

        Assert.Equal(0, report.Written);
        Assert.Equal(["seq-0", "seq-1"], report.Failures.Select(f => f.Id));
    }

    [Fact]
    public async Task An_invalid_request_is_split_so_only_the_bad_item_fails_and_no_value_reaches_the_reason()
    {
        const string quotingMessage = "One or more parameter values were invalid: value 'secret-card-4111' is not valid";
        var report = await Writer(
            _ => throw Rejected("ValidationException", quotingMessage),
            put =>
            {
                if (put.Item["pk"].S == "order#1") throw Rejected("ValidationException", quotingMessage);
            }).PutAllAsync("audit", KeyAttributes, Items(3), _minute);

        Assert.Equal(3, _puts.Count);
        Assert.Equal(2, report.Written);
        var failure = Assert.Single(report.Failures);
        Assert.Equal("seq-1", failure.Id);
        Assert.Contains("ValidationException", failure.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_throttled_single_put_after_a_split_is_retried()
    {
        var throttled = 0;
        var report = await Writer(
            _ => throw Rejected("ValidationException"),
            put =>
            {
                if (put.Item["pk"].S == "order#1" && throttled++ < 2) throw Rejected("ThrottlingException", "Rate exceeded");
            }).PutAllAsync("audit", KeyAttributes, Items(3), _minute);

        Assert.Equal(5, _puts.Count);
        Assert.Equal(3, report.Written);
        Assert.Empty(report.Failures);
    }

    [Fact]
    public async Task A_single_put_that_stays_throttled_stops_the_rest_like_a_throttled_batch()
    {
        var report = await Writer(
            _ => throw Rejected("ValidationException"),
            put =>
            {
                if (put.Item["pk"].S == "order#1") throw new ProvisionedThroughputExceededException("slow down");
            }, maxAttempts: 3).PutAllAsync("audit", KeyAttributes, Items(30), _minute);

        Assert.Equal(1 + 3, _puts.Count);           // order#0 written, order#1 tried three times, nothing after it
        Assert.Equal(1, report.Written);
        Assert.Equal(29, report.Failures.Count);
        Assert.Contains("after 3 attempts", report.Failures[0].Reason, StringComparison.Ordinal);
        Assert.All(report.Failures.Skip(1), f => Assert.Contains("Not attempted", f.Reason, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_permanent_error_for_the_whole_table_fails_every_item_of_the_request()
    {
        var report = await Writer(_ => throw new ResourceNotFoundException("Requested resource not found") { ErrorCode = "ResourceNotFoundException" })
            .PutAllAsync("audit", KeyAttributes, Items(30), _minute);

        Assert.Equal(2, _batches.Count);
        Assert.Equal(30, report.Failures.Count);
        Assert.Equal(0, report.Written);
        Assert.Empty(_delays);
    }

    [Fact]
    public async Task Nothing_is_sent_once_the_deadline_has_passed_and_every_item_says_so()
    {
        using var spent = InvocationDeadline.Start(TimeSpan.Zero);
        var report = await Writer(_ => new BatchWriteItemResponse { UnprocessedItems = new() { ["audit"] = [] } })
            .PutAllAsync("audit", KeyAttributes, Items(3), spent);

        Assert.Equal(0, report.Written);
        Assert.Equal(3, report.Failures.Count);
        Assert.All(report.Failures, f => Assert.Contains("time budget", f.Reason, StringComparison.Ordinal));
    }
}
