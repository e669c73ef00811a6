using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace Functions.Common.DynamoDb;

/// <summary>An item to put, tagged with the id a failure is reported under (a sequence number).</summary>
public sealed record PendingPut(string Id, Dictionary<string, AttributeValue> Item);

public sealed record PutFailure(string Id, string Reason);

public sealed record BatchWriteReport(int Written, int Requests, IReadOnlyList<PutFailure> Failures);

public sealed record BatchWriterOptions
{
    /// <summary>BatchWriteItem's own limit.</summary>
    public int BatchSize { get; init; } = 25;
    /// <summary>Attempts for items DynamoDB leaves unprocessed or throttles, after the SDK's own retries.</summary>
    public int MaxAttempts { get; init; } = 6;
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(50);
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(2);
}

/// <summary>
/// Puts items with BatchWriteItem, 25 per request. Unprocessed items are retried with
/// exponential backoff and full jitter. A request DynamoDB rejects as invalid is split into
/// single PutItem calls so only the offending items fail. Every item ends written or reported.
/// </summary>
public sealed class BatchWriter
{
    private readonly Func<BatchWriteItemRequest, CancellationToken, Task<BatchWriteItemResponse>> _batchWrite;
    private readonly Func<PutItemRequest, CancellationToken, Task> _put;
    private readonly Func<TimeSpan, CancellationToken, Task> _delay;
    private readonly BatchWriterOptions _options;

    public BatchWriter(IAmazonDynamoDB client, BatchWriterOptions? options = null)
        : this(client.BatchWriteItemAsync, client.PutItemAsync, Task.Delay, options)
    {
    }

    /// <summary>The seam for tests of the retry logic; production passes the SDK client.</summary>
    internal BatchWriter(
        Func<BatchWriteItemRequest, CancellationToken, Task<BatchWriteItemResponse>> batchWrite,
        Func<PutItemRequest, CancellationToken, Task> put,
        Func<TimeSpan, CancellationToken, Task> delay,
        BatchWriterOptions? options = null)
    {
        _batchWrite = batchWrite;
        _put = put;
        _delay = delay;
        _options = options ?? new BatchWriterOptions();
    }

    /// <param name="keyAttributes">The table's key attribute names: how unprocessed items are matched back to their ids.</param>
    public async Task<BatchWriteReport> PutAllAsync(
        string tableName, IReadOnlyList<string> keyAttributes, IReadOnlyList<PendingPut> items, CancellationToken cancellationToken)
    {
        var report = new Accumulator();
        foreach (var chunk in items.Chunk(_options.BatchSize))
        {
            if (report.Throttled)
            {
                // A stream source redelivers everything after the lowest failed record anyway:
                // writing more into a table that is still throttling only adds load.
                report.Fail(chunk, "Not attempted: the table was still throttling an earlier part of the batch.");
                continue;
            }
            await WriteChunkAsync(tableName, keyAttributes, chunk, report, cancellationToken).ConfigureAwait(false);
        }
        return new BatchWriteReport(report.Written, report.Requests, report.Failures);
    }

    private async Task WriteChunkAsync(
        string tableName, IReadOnlyList<string> keyAttributes, IReadOnlyList<PendingPut> chunk, Accumulator report, CancellationToken cancellationToken)
    {
        var pending = chunk.ToList();
        for (var attempt = 1; pending.Count > 0; attempt++)
        {
            List<PendingPut> left;
            try
            {
                report.Requests++;
                var response = await _batchWrite(ToRequest(tableName, pending), cancellationToken).ConfigureAwait(false);
                left = Unprocessed(response, tableName, keyAttributes, pending);
            }
            catch (AmazonDynamoDBException ex) when (IsInvalidRequest(ex) && pending.Count > 1)
            {
                await PutOneByOneAsync(tableName, pending, report, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (AmazonDynamoDBException ex) when (!IsRetryable(ex))
            {
                report.Fail(pending, $"{ex.ErrorCode}: {ex.Message}");
                return;
            }
            catch (AmazonDynamoDBException)
            {
                left = pending; // throttled or a server error past the SDK's retries: back off and retry
            }

            report.Written += pending.Count - left.Count;
            pending = left;
            if (pending.Count == 0) return;
            if (attempt >= _options.MaxAttempts)
            {
                report.Fail(pending, $"Still unprocessed after {attempt} attempts (throttled).");
                report.Throttled = true;
                return;
            }
            await _delay(Backoff(attempt), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task PutOneByOneAsync(string tableName, List<PendingPut> items, Accumulator report, CancellationToken cancellationToken)
    {
        foreach (var item in items)
        {
            try
            {
                report.Requests++;
                await _put(new PutItemRequest { TableName = tableName, Item = item.Item }, cancellationToken).ConfigureAwait(false);
                report.Written++;
            }
            catch (AmazonDynamoDBException ex)
            {
                report.Fail([item], $"{ex.ErrorCode}: {ex.Message}");
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

    private static List<PendingPut> Unprocessed(
        BatchWriteItemResponse response, string tableName, IReadOnlyList<string> keyAttributes, List<PendingPut> sent)
    {
        if (response.UnprocessedItems is null
            || !response.UnprocessedItems.TryGetValue(tableName, out var unprocessed)
            || unprocessed is not { Count: > 0 })
            return [];
        var keys = unprocessed
            .Where(w => w.PutRequest?.Item is not null)
            .Select(w => KeyOf(w.PutRequest.Item, keyAttributes))
            .ToHashSet(StringComparer.Ordinal);
        return sent.Where(p => keys.Contains(KeyOf(p.Item, keyAttributes))).ToList();
    }

    private static string KeyOf(Dictionary<string, AttributeValue> item, IReadOnlyList<string> keyAttributes)
        => string.Join('\u001f', keyAttributes.Select(k => item.TryGetValue(k, out var v) ? v.S ?? v.N ?? Convert.ToBase64String(v.B?.ToArray() ?? []) : ""));

    private TimeSpan Backoff(int attempt)
    {
        // Full jitter: spreads retries of concurrent invocations instead of synchronising them.
        var ceiling = Math.Min(_options.MaxDelay.TotalMilliseconds, _options.BaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1));
        return TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * ceiling);
    }

    private static bool IsInvalidRequest(AmazonDynamoDBException ex) => ex.ErrorCode == "ValidationException";

    private static bool IsRetryable(AmazonDynamoDBException ex)
        => ex is ProvisionedThroughputExceededException or RequestLimitExceededException or InternalServerErrorException
           || ex.ErrorCode is "ThrottlingException" or "ServiceUnavailable"
           || (int)ex.StatusCode >= 500;

    private sealed class Accumulator
    {
        public int Written;
        public int Requests;
        public bool Throttled;
        public List<PutFailure> Failures { get; } = [];

        public void Fail(IEnumerable<PendingPut> items, string reason)
            => Failures.AddRange(items.Select(i => new PutFailure(i.Id, reason)));
    }
}
