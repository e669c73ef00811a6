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
/// Puts items with BatchWriteItem, 25 per request. Unprocessed items and throttled or broken
/// requests are retried by the <see cref="RetryPolicy"/> within the invocation's deadline. A
/// request DynamoDB rejects as invalid is split into single puts so only the offending items
/// fail. Every item ends written or reported, and only what DynamoDB confirmed counts as written.
/// </summary>
public sealed class BatchWriter
{
    public const int MaxBatchSize = 25;
    private readonly Func<BatchWriteItemRequest, CancellationToken, Task<BatchWriteItemResponse>> _batchWrite;
    private readonly Func<PutItemRequest, CancellationToken, Task> _put;
    private readonly RetryPolicy _retry;

    public BatchWriter(IAmazonDynamoDB client, RetryPolicy? retry = null)
        : this(client.BatchWriteItemAsync, client.PutItemAsync, retry)
    {
    }

    /// <summary>The seam for tests of the retry logic; production passes the SDK client.</summary>
    internal BatchWriter(
        Func<BatchWriteItemRequest, CancellationToken, Task<BatchWriteItemResponse>> batchWrite,
        Func<PutItemRequest, CancellationToken, Task> put,
        RetryPolicy? retry = null)
    {
        _batchWrite = batchWrite;
        _put = put;
        _retry = retry ?? new RetryPolicy();
    }

    /// <param name="keyAttributes">The table's key attribute names: how unprocessed items are matched back to their ids.</param>
    public async Task<BatchWriteReport> PutAllAsync(
        string tableName, IReadOnlyList<string> keyAttributes, IReadOnlyList<PendingPut> items, InvocationDeadline deadline)
    {
        var run = new Run(tableName, keyAttributes, deadline);
        foreach (var chunk in items.Chunk(MaxBatchSize))
        {
            if (run.StopReason is { } reason)
            {
                run.Fail(chunk, reason);
                continue;
            }
            await WriteChunkAsync(chunk.ToList(), run).ConfigureAwait(false);
        }
        return new BatchWriteReport(run.Written, run.Requests, run.Failures);
    }

    private async Task WriteChunkAsync(List<PendingPut> pending, Run run)
    {
        for (var attempt = 1; pending.Count > 0; attempt++)
        {
            if (run.Deadline.IsExpired)
            {
                run.StopAt(pending, Run.OutOfTime);
                return;
            }
            Exception? error = null;
            try
            {
                run.Requests++;
                var response = await _batchWrite(ToRequest(run.Table, pending), run.Deadline.Token).ConfigureAwait(false);
                var left = Unprocessed(response, run, pending);
                run.Written += pending.Count - left.Count;
                pending = left;
                if (pending.Count == 0) return;
            }
            catch (AmazonDynamoDBException ex) when (ex.ErrorCode == "ValidationException" && pending.Count > 1)
            {
                await PutOneByOneAsync(pending, run).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (_retry.IsRetryable(ex, run.Deadline.Token))
            {
                error = ex; // throttled, a server error or a broken connection: back off and retry
            }
            catch (OperationCanceledException) when (run.Deadline.Token.IsCancellationRequested)
            {
                run.StopAt(pending, Run.OutOfTime);
                return;
            }
            catch (AmazonServiceException ex)
            {
                run.Fail(pending, $"DynamoDB rejected the write: {DynamoDbErrors.Describe(ex)}.");
                return;
            }

            if (!await _retry.WaitBeforeRetryAsync(attempt, run.Deadline).ConfigureAwait(false))
            {
                run.StopAt(pending, run.Deadline.IsExpired
                    ? Run.OutOfTime
                    : $"Still not written after {attempt} attempts ({(error is null ? "unprocessed: throttled" : DynamoDbErrors.Describe(error))}).");
                return;
            }
        }
    }

    private async Task PutOneByOneAsync(List<PendingPut> items, Run run)
    {
        for (var i = 0; i < items.Count; i++)
        {
            if (run.StopReason is { } reason)
            {
                run.Fail(items.Skip(i), reason);
                return;
            }
            var item = items[i];
            try
            {
                await _retry.ExecuteAsync(async token =>
                {
                    run.Requests++;
                    await _put(new PutItemRequest { TableName = run.Table, Item = item.Item }, token).ConfigureAwait(false);
                    return true;
                }, run.Deadline, "PutItem").ConfigureAwait(false);
                run.Written++;
            }
            catch (DeadlineReachedException)
            {
                run.StopAt([item], Run.OutOfTime);
            }
            catch (Exception ex) when (_retry.IsRetryable(ex, run.Deadline.Token))
            {
                run.StopAt([item], $"Still not written after {_retry.Options.MaxAttempts} attempts ({DynamoDbErrors.Describe(ex)}).");
            }
            catch (AmazonServiceException ex)
            {
                run.Fail([item], $"DynamoDB rejected the item: {DynamoDbErrors.Describe(ex)}.");
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

    private sealed class Run(string table, IReadOnlyList<string> keyAttributes, InvocationDeadline deadline)
    {
        public const string OutOfTime = "Not written: the invocation's time budget ran out.";

        public string Table { get; } = table;
        public IReadOnlyList<string> KeyAttributes { get; } = keyAttributes;
        public InvocationDeadline Deadline { get; } = deadline;
        public int Written;
        public int Requests;
        public List<PutFailure> Failures { get; } = [];

        /// <summary>
        /// Set once the table keeps throttling or time is up: a stream source redelivers from the
        /// lowest failed record anyway, so sending more would only add load.
        /// </summary>
        public string? StopReason { get; private set; }

        public void Fail(IEnumerable<PendingPut> items, string reason)
            => Failures.AddRange(items.Select(i => new PutFailure(i.Id, reason)));

        public void StopAt(IEnumerable<PendingPut> items, string reason)
        {
            Fail(items, reason);
            StopReason = reason == OutOfTime
                ? OutOfTime
                : "Not attempted: the table was still throttling an earlier part of the batch.";
        }
    }
}
