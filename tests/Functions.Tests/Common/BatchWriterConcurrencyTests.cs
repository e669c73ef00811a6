using Amazon.DynamoDBv2.Model;
using Functions.Common.DynamoDb;
using Functions.Common.Runtime;

namespace Functions.Tests;

/// <summary>
/// Several BatchWriteItem requests in flight: the test answers each request by hand, in the order
/// it chooses, and looks at what is in flight in between. Nothing here is timed: each test runs
/// off xUnit's synchronization context, so an answer resumes the writer inline, on the test's own
/// thread, and every run sees the same sequence.
/// </summary>
public class BatchWriterConcurrencyTests
{
    private static readonly string[] KeyAttributes = ["pk", "sk"];
    private readonly List<Request> _inFlight = [];
    private readonly List<int> _sent = [];

    private sealed record Request(int Chunk, BatchWriteItemRequest Sent, TaskCompletionSource<BatchWriteItemResponse> Answer);

    private static List<PendingPut> Items(int count)
        => Enumerable.Range(0, count).Select(i => new PendingPut($"seq-{i}", new Dictionary<string, AttributeValue>
        {
            ["pk"] = new() { S = $"order#{i}" },
            ["sk"] = new() { S = "t" },
        })).ToList();

    private BatchWriter Writer(int maxInFlight, int maxAttempts = 6) => new(
        (request, _) =>
        {
            // Continuations run inline when the test answers: no thread hop, no timing.
            var answer = new TaskCompletionSource<BatchWriteItemResponse>();
            var chunk = int.Parse(request.RequestItems["audit"][0].PutRequest.Item["pk"].S["order#".Length..], System.Globalization.CultureInfo.InvariantCulture) / 25;
            _inFlight.Add(new Request(chunk, request, answer));
            _sent.Add(chunk);
            return answer.Task;
        },
        (_, _) => Task.CompletedTask,
        new RetryPolicy(new RetryOptions { MaxAttempts = maxAttempts }, random: () => 0, delay: (_, _) => Task.CompletedTask),
        maxInFlight);

    // No SynchronizationContext: continuations after ConfigureAwait(false) then run inline.
    private static Task OffContext(Func<Task> test) => Task.Run(test);

    private Request Take(int chunk)
    {
        var request = _inFlight.Single(r => r.Chunk == chunk);
        _inFlight.Remove(request);
        return request;
    }

    private void Written(int chunk) => Take(chunk).Answer.SetResult(new BatchWriteItemResponse());

    private void Throttled(int chunk)
    {
        var request = Take(chunk);
        request.Answer.SetResult(new BatchWriteItemResponse { UnprocessedItems = new() { ["audit"] = request.Sent.RequestItems["audit"] } });
    }

    private void WriteOldestUntilDone(Task task, List<int> inFlightAfterEachAnswer)
    {
        while (!task.IsCompleted)
        {
            Written(_inFlight[0].Chunk);
            inFlightAfterEachAnswer.Add(_inFlight.Count);
        }
    }

    [Fact]
    public Task Writes_start_one_at_a_time_and_grow_to_the_maximum_in_flight() => OffContext(async () =>
    {
        var task = Writer(maxInFlight: 4).PutAllAsync("audit", KeyAttributes, Items(400), InvocationDeadline.Start(TimeSpan.FromMinutes(1)));
        Assert.Single(_inFlight); // a table that is throttling gets one request, not a burst

        var inFlight = new List<int>();
        WriteOldestUntilDone(task, inFlight);
        var report = await task;

        Assert.Equal([2, 3, 4, 4], inFlight.Take(4));
        Assert.Equal(4, inFlight.Max());
        Assert.Equal(Enumerable.Range(0, 16), _sent); // chunks start in order
        Assert.Equal((400, 16), (report.Written, report.Requests));
        Assert.Empty(report.Failures);
    });

    [Fact]
    public Task Throttling_halves_the_writes_in_flight_and_they_grow_back() => OffContext(async () =>
    {
        var task = Writer(maxInFlight: 8).PutAllAsync("audit", KeyAttributes, Items(2000), InvocationDeadline.Start(TimeSpan.FromMinutes(1)));
        while (_inFlight.Count < 8) Written(_inFlight[0].Chunk);

        var throttled = _inFlight[0].Chunk;
        Throttled(throttled);                // window 8 -> 4; the chunk is sent again at once (no real backoff here)
        Assert.Equal(8, _inFlight.Count);    // nothing new started
        Assert.Contains(_inFlight, r => r.Chunk == throttled);

        var inFlight = new List<int>();
        while (_sent.Distinct().Count() < 80) // until the last chunk has started (then the batch drains)
        {
            Written(_inFlight[0].Chunk);
            inFlight.Add(_inFlight.Count);
        }
        WriteOldestUntilDone(task, []);
        var report = await task;

        var lowest = inFlight.IndexOf(inFlight.Min());
        Assert.Equal(5, inFlight.Min());                       // no new chunk until fewer than the halved window (4, growing) were in flight
        Assert.Equal(8, inFlight.Skip(lowest).Max());          // then back to the maximum
        Assert.Equal((2000, 81), (report.Written, report.Requests));
        Assert.Empty(report.Failures);
    });

    [Fact]
    public Task The_deadline_stops_new_writes_while_those_in_flight_finish() => OffContext(async () =>
    {
        var clock = new ManualClock();
        using var deadline = InvocationDeadline.Start(TimeSpan.FromMinutes(1), clock);
        var task = Writer(maxInFlight: 4).PutAllAsync("audit", KeyAttributes, Items(400), deadline);
        while (_inFlight.Count < 4) Written(_inFlight[0].Chunk);
        var sentBefore = _sent.Count;

        clock.Advance(TimeSpan.FromMinutes(1));
        while (_inFlight.Count > 0) Written(_inFlight[0].Chunk);
        var report = await task;

        Assert.Equal(sentBefore, _sent.Count);
        Assert.Equal(sentBefore * 25, report.Written);
        Assert.Equal(400 - sentBefore * 25, report.Failures.Count);
        Assert.All(report.Failures, f => Assert.Contains("time budget", f.Reason, StringComparison.Ordinal));
    });

    [Fact]
    public Task Outcomes_are_reported_in_item_order_whatever_order_the_answers_come_in() => OffContext(async () =>
    {
        var task = Writer(maxInFlight: 4).PutAllAsync("audit", KeyAttributes, Items(150), InvocationDeadline.Start(TimeSpan.FromMinutes(1)));
        Written(0);
        Written(1);                                            // chunks 2, 3 and 4 in flight
        Take(4).Answer.SetException(new ResourceNotFoundException("gone") { ErrorCode = "ResourceNotFoundException" });
        var request = Take(3);                                 // chunk 3: its last two items left unprocessed, then written
        request.Answer.SetResult(new BatchWriteItemResponse { UnprocessedItems = new() { ["audit"] = request.Sent.RequestItems["audit"].TakeLast(2).ToList() } });
        Take(2).Answer.SetException(new ResourceNotFoundException("gone") { ErrorCode = "ResourceNotFoundException" });
        WriteOldestUntilDone(task, []);
        var report = await task;

        Assert.Equal(150 - 50, report.Written);
        Assert.Equal(Enumerable.Range(50, 25).Concat(Enumerable.Range(100, 25)).Select(i => $"seq-{i}"), report.Failures.Select(f => f.Id));
    });

    [Fact]
    public Task When_a_chunk_gives_up_those_before_it_are_still_written_and_those_after_it_stop() => OffContext(async () =>
    {
        var task = Writer(maxInFlight: 8, maxAttempts: 2).PutAllAsync("audit", KeyAttributes, Items(200), InvocationDeadline.Start(TimeSpan.FromMinutes(1)));
        Written(0);
        Written(1);
        Written(2);                                            // chunks 3 to 6 in flight
        Throttled(5);
        Throttled(4);                                          // both sent again
        Throttled(4);                                          // chunk 4 gives up after its second attempt
        Throttled(3);                                          // before it: still retried
        Throttled(5);                                          // after it: no third attempt anyway...
        Written(3);
        Throttled(6);                                          // ...and chunk 6, after it, stops instead of retrying
        var report = await task;

        Assert.Empty(_inFlight);
        Assert.DoesNotContain(7, _sent);                        // the last chunk was never sent
        Assert.Equal(4 * 25, report.Written);                  // chunks 0-3
        var reasons = report.Failures.GroupBy(f => int.Parse(f.Id[4..], System.Globalization.CultureInfo.InvariantCulture) / 25)
            .ToDictionary(g => g.Key, g => g.Select(f => f.Reason).Distinct().Single());
        Assert.Equal([4, 5, 6, 7], reasons.Keys);
        Assert.Contains("after 2 attempts", reasons[4], StringComparison.Ordinal);
        Assert.StartsWith("Not written: the table was still throttling an earlier part", reasons[6], StringComparison.Ordinal);
        Assert.StartsWith("Not attempted", reasons[7], StringComparison.Ordinal);
    });
}
