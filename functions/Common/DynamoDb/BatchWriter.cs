using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Functions.Common.Runtime;

namespace Functions.Common.DynamoDb;

/// <summary>An item to put, tagged with the id its outcome is reported under.</summary>
public sealed record PendingPut(string Id, Dictionary<string, AttributeValue> Item);

public sealed record PutFailure(string Id, string Reason);

public sealed record BatchWriteReport(int Written, int Requests, IReadOnlyList<PutFailure> Failures);

/// <summary>
/// Puts items with BatchWriteItem, 25 per request, several requests in flight at once (at most
/// <see cref="DefaultMaxInFlight"/> by default, fewer while DynamoDB throttles: see
/// <see cref="SendWindow"/>). Unprocessed items and throttled or broken requests are retried by
/// the <see cref="RetryPolicy"/> within the invocation's deadline. A request DynamoDB rejects as
/// invalid is split into single puts so only the offending items fail. Every item ends written or
/// reported, failures in the order of the items, and only what DynamoDB confirmed counts as
/// written. The items must be on distinct keys: requests in flight together land in any order.
/// </summary>
public sealed class BatchWriter
{
    public const int MaxBatchSize = 25;

    /// <summary>Requests in flight at most, chosen by measurement: README, Performance.</summary>
    public const int DefaultMaxInFlight = 8;

    private readonly Func<BatchWriteItemRequest, CancellationToken, Task<BatchWriteItemResponse>> _batchWrite;
    private readonly Func<PutItemRequest, CancellationToken, Task> _put;
    private readonly RetryPolicy _retry;
    private readonly int _maxInFlight;

    /// <param name="maxInFlight">Requests (parts of 25 items) in flight at most; 1 writes them one after another.</param>
    public BatchWriter(IAmazonDynamoDB client, RetryPolicy? retry = null, int maxInFlight = DefaultMaxInFlight)
        : this(client.BatchWriteItemAsync, client.PutItemAsync, retry, maxInFlight)
    {
    }

    /// <summary>
    /// The seam for tests of the retry logic; production passes the SDK client. One request at a
    /// time unless told otherwise, so a scripted sequence of answers means one order of requests.
    /// </summary>
    internal BatchWriter(
        Func<BatchWriteItemRequest, CancellationToken, Task<BatchWriteItemResponse>> batchWrite,
        Func<PutItemRequest, CancellationToken, Task> put,
        RetryPolicy? retry = null,
        int maxInFlight = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInFlight, 1);
        _batchWrite = batchWrite;
        _put = put;
        _retry = retry ?? new RetryPolicy();
        _maxInFlight = maxInFlight;
    }

    /// <param name="keyAttributes">The table's key attribute names: how unprocessed items are matched back to their ids.</param>
    public async Task<BatchWriteReport> PutAllAsync(
        string tableName, IReadOnlyList<string> keyAttributes, IReadOnlyList<PendingPut> items, InvocationDeadline deadline)
    {
        var chunks = items.Chunk(MaxBatchSize).ToList();
        var run = new Run(tableName, keyAttributes, deadline, new SendWindow(_maxInFlight), chunks.Count);
        var writes = new List<Task>(chunks.Count);
        for (var i = 0; i < chunks.Count; i++)
        {
            // Chunks start in order, each once there is room: a stop (throttling that outlasted the
            // retries, the deadline) keeps every later chunk from being sent.
            if (run.StopReason is null && !run.Broken)
            {
                if (!await run.Window.EnterAsync(deadline.Token).ConfigureAwait(false))
                {
                    run.StopAt(i, chunks[i], Run.OutOfTime);
                    continue;
                }
                if (run.StopReason is null && !run.Broken)
                {
                    writes.Add(WriteChunkAsync(i, chunks[i].ToList(), run));
                    continue;
                }
                run.Window.Leave();
            }
            run.Fail(i, chunks[i], run.StopReason ?? Run.NotAttempted);
        }
        await Task.WhenAll(writes).ConfigureAwait(false);
        return new BatchWriteReport(run.Written, run.Requests, run.AllFailures());
    }

    /// <summary>Writes one chunk, holding its room in the window until it is done, retries and all.</summary>
    private async Task WriteChunkAsync(int chunk, List<PendingPut> pending, Run run)
    {
        try
        {
            await WriteChunkCoreAsync(chunk, pending, run).ConfigureAwait(false);
        }
        catch
        {
            run.Broken = true; // a bug, not an answer: no more chunks are started
            throw;
        }
        finally
        {
            run.Window.Leave();
        }
    }

    private async Task WriteChunkCoreAsync(int chunk, List<PendingPut> pending, Run run)
    {
        for (var attempt = 1; pending.Count > 0; attempt++)
        {
            if (run.Deadline.IsExpired)
            {
                run.StopAt(chunk, pending, Run.OutOfTime);
                return;
            }
            if (run.StoppedBefore(chunk) is { } stopped)
            {
                // An earlier chunk gave up: Lambda redelivers from there, this chunk included.
                run.Fail(chunk, pending, stopped);
                return;
            }
            Exception? error = null;
            string? rejected = null;
            var split = false;
            bool? throttled = null; // null: no answer came (cut off, or a bug), nothing learnt
            try
            {
                run.CountRequest();
                var response = await _batchWrite(ToRequest(run.Table, pending), run.Deadline.Token).ConfigureAwait(false);
                var left = Unprocessed(response, run, pending);
                run.CountWritten(pending.Count - left.Count);
                pending = left;
                throttled = pending.Count > 0; // unprocessed items: DynamoDB's way of saying slow down
            }
            catch (AmazonDynamoDBException ex) when (ex.ErrorCode == "ValidationException" && pending.Count > 1)
            {
                (split, throttled) = (true, false);
            }
            catch (Exception ex) when (_retry.IsRetryable(ex, run.Deadline.Token))
            {
                (error, throttled) = (ex, true); // throttled, a server error or a broken connection: back off and retry
            }
            catch (OperationCanceledException) when (run.Deadline.Token.IsCancellationRequested)
            {
                run.StopAt(chunk, pending, Run.OutOfTime);
                return;
            }
            catch (AmazonServiceException ex)
            {
                (rejected, throttled) = ($"DynamoDB rejected the write: {DynamoDbErrors.Describe(ex)}.", false);
            }
            finally
            {
                if (throttled is { } slowDown) run.Window.Answered(slowDown);
            }

            if (pending.Count == 0) return;
            if (rejected is not null)
            {
                run.Fail(chunk, pending, rejected);
                return;
            }
            if (split)
            {
                await PutOneByOneAsync(chunk, pending, run).ConfigureAwait(false);
                return;
            }
            if (!await _retry.WaitBeforeRetryAsync(attempt, run.Deadline).ConfigureAwait(false))
            {
                run.StopAt(chunk, pending, run.Deadline.IsExpired
                    ? Run.OutOfTime
                    : $"Still not written after {attempt} attempts ({(error is null ? "unprocessed: throttled" : DynamoDbErrors.Describe(error))}).");
                return;
            }
        }
    }

    private async Task PutOneByOneAsync(int chunk, List<PendingPut> items, Run run)
    {
        for (var i = 0; i < items.Count; i++)
        {
            if (run.StopReasonFor(chunk) is { } reason)
            {
                run.Fail(chunk, items.Skip(i), reason);
                return;
            }
            var item = items[i];
            try
            {
                await _retry.ExecuteAsync(async token =>
                {
                    try
                    {
                        run.CountRequest();
                        await _put(new PutItemRequest { TableName = run.Table, Item = item.Item }, token).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (_retry.IsRetryable(ex, token))
                    {
                        run.Window.Answered(throttled: true);
                        throw;
                    }
                    return true;
                }, run.Deadline, "PutItem").ConfigureAwait(false);
                run.CountWritten(1);
            }
            catch (DeadlineReachedException)
            {
                run.StopAt(chunk, [item], Run.OutOfTime);
            }
            catch (Exception ex) when (_retry.IsRetryable(ex, run.Deadline.Token))
            {
                run.StopAt(chunk, [item], $"Still not written after {_retry.Options.MaxAttempts} attempts ({DynamoDbErrors.Describe(ex)}).");
            }
            catch (AmazonServiceException ex)
            {
                run.Fail(chunk, [item], $"DynamoDB rejected the item: {DynamoDbErrors.Describe(ex)}.");
            }
        }
    }

    private static BatchWriteItemRequest ToRequest(string tableName, List<PendingPut> items) => new()
    {
        RequestItems = new Dictionary<string, List<WriteRequest>>
        {
            [tableName] = items.Select(i => new WriteRequest { PutRequest = new PutRequest { Item = i.Item } }).ToList(),
        },
    };

    /// <summary>
    /// The sent items DynamoDB left unprocessed. An entry that matches no sent item means the
    /// match cannot be trusted: then nothing counts as written and every item is sent again
    /// (puts are idempotent), rather than counting an unwritten item as written.
    /// </summary>
    private static List<PendingPut> Unprocessed(BatchWriteItemResponse response, Run run, List<PendingPut> sent)
    {
        if (response.UnprocessedItems is null || response.UnprocessedItems.Count == 0) return [];
        if (response.UnprocessedItems.Keys.Any(t => t != run.Table)) return sent;
        var unprocessed = response.UnprocessedItems[run.Table];
        if (unprocessed is not { Count: > 0 }) return [];
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in unprocessed)
            if (entry.PutRequest?.Item is not { } item || !keys.Add(KeyOf(item, run.KeyAttributes)))
                return sent;
        var left = sent.Where(p => keys.Contains(KeyOf(p.Item, run.KeyAttributes))).ToList();
        return left.Count == keys.Count ? left : sent;
    }

    private static string KeyOf(Dictionary<string, AttributeValue> item, IReadOnlyList<string> keyAttributes)
        => string.Join('\u001f', keyAttributes.Select(k => item.TryGetValue(k, out var v)
            ? v.S ?? v.N ?? (v.B is not null ? Convert.ToBase64String(v.B.ToArray()) : "")
            : "\u0000"));

    private sealed class Run(string table, IReadOnlyList<string> keyAttributes, InvocationDeadline deadline, SendWindow window, int chunks)
    {
        public const string OutOfTime = "Not written: the invocation's time budget ran out.";
        public const string NotAttempted = "Not attempted: the table was still throttling an earlier part of the batch.";
        private const string CalledOff = "Not written: the table was still throttling an earlier part of the batch.";

        private readonly List<PutFailure>?[] _failures = new List<PutFailure>?[chunks];
        private int _written;
        private int _requests;
        private int _stoppedAt = int.MaxValue;
        private readonly object _gate = new();

        public string Table { get; } = table;
        public IReadOnlyList<string> KeyAttributes { get; } = keyAttributes;
        public InvocationDeadline Deadline { get; } = deadline;
        public SendWindow Window { get; } = window;
        public int Written => Volatile.Read(ref _written);
        public int Requests => Volatile.Read(ref _requests);

        /// <summary>A chunk's write threw something that is no answer from DynamoDB (a bug).</summary>
        public volatile bool Broken;

        public void CountRequest() => Interlocked.Increment(ref _requests);
        public void CountWritten(int items) => Interlocked.Add(ref _written, items);

        /// <summary>
        /// Set once the table keeps throttling or time is up: a stream source redelivers from the
        /// lowest failed record anyway, so sending more would only add load.
        /// </summary>
        public string? StopReason { get; private set; }

        /// <summary>Why a chunk still being written should stop: time is up, or a chunk before it gave up.</summary>
        public string? StoppedBefore(int chunk)
        {
            lock (_gate)
                return StopReason == OutOfTime ? OutOfTime : _stoppedAt < chunk ? CalledOff : null;
        }

        /// <summary>Why a chunk's single puts should stop: time is up, or this chunk or one before it gave up.</summary>
        public string? StopReasonFor(int chunk)
        {
            lock (_gate)
                return StopReason == OutOfTime ? OutOfTime : _stoppedAt <= chunk ? NotAttempted : null;
        }

        public void Fail(int chunk, IEnumerable<PendingPut> items, string reason)
        {
            lock (_gate)
                (_failures[chunk] ??= []).AddRange(items.Select(i => new PutFailure(i.Id, reason)));
        }

        public void StopAt(int chunk, IEnumerable<PendingPut> items, string reason)
        {
            Fail(chunk, items, reason);
            lock (_gate)
            {
                _stoppedAt = Math.Min(_stoppedAt, chunk);
                if (StopReason != OutOfTime) StopReason = reason == OutOfTime ? OutOfTime : NotAttempted;
            }
        }

        /// <summary>Every failure, in the order of the items, however the chunks' writes interleaved.</summary>
        public List<PutFailure> AllFailures() => _failures.Where(f => f is not null).SelectMany(f => f!).ToList();
    }
}
