using System.Diagnostics;
using Functions.Common.DynamoDb;
using Functions.Events;
using Functions.Events.Serialization;
using Functions.Common.Logging;
using Functions.Common.Metrics;
using Functions.Common.Runtime;

namespace Functions.Common.Streams;

/// <summary>
/// Runs one stream batch through a function's record handler: parse record by record, decide
/// each one (an exception of any type fails that record only), commit, and answer with the
/// records that did not succeed as batch item failures. The summary line and the metrics are
/// written whatever happens: a broken write path, the deadline, a bug.
/// </summary>
public sealed class StreamBatchProcessor(StructuredLogger logger, EmfMetrics metrics, StreamBatchNames names)
{
    public async Task<StreamsEventResponse> ProcessAsync<TWork>(
        ReadOnlyMemory<byte> payload, IStreamRecordHandler<TWork> handler, InvocationDeadline deadline, params LogField[] context)
        where TWork : class
    {
        IReadOnlyList<StreamBatchEntry> entries;
        try
        {
            entries = StreamBatch.Parse(payload.Span);
        }
        catch (Exception ex) when (ex is InvalidEventException or System.Text.Json.JsonException)
        {
            // Nothing can be reported per record: the invocation fails and Lambda retries the batch.
            var reason = ex is InvalidEventException ? ex.Message : $"The event is not valid JSON: {ex.Message}";
            logger.Error(names.Summary, [("records", 0), ("error", reason), ("duration_ms", deadline.Elapsed.TotalMilliseconds), .. context]);
            throw new InvalidEventException(reason);
        }

        var outcome = new BatchOutcome(entries.Select(e => e.SequenceNumber).ToList());
        foreach (var (field, metric) in names.Counters ?? []) outcome.Count(field, 0, metric);
        string? batchError = null;
        try
        {
            var prepared = Prepare(entries, handler, outcome);
            if (prepared.Count > 0)
                await handler.CommitAsync(prepared, outcome, deadline).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            batchError = ex is OperationCanceledException or DeadlineReachedException && deadline.IsExpired
                ? TimeUp
                : $"The write path failed: {Describe(ex)}.";
            outcome.FailPending(batchError);
        }
        finally
        {
            Summarise(outcome, deadline, batchError, context);
        }
        return Response(outcome);
    }

    private const string TimeUp = "Not processed: the invocation's time budget ran out.";

    private static List<PreparedRecord<TWork>> Prepare<TWork>(
        IReadOnlyList<StreamBatchEntry> entries, IStreamRecordHandler<TWork> handler, BatchOutcome outcome)
        where TWork : class
    {
        var prepared = new List<PreparedRecord<TWork>>(entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            if (entry.Record is null)
            {
                outcome.Failed(i, entry.Error!);
                continue;
            }
            try
            {
                if (handler.Prepare(entry.Record) is { } work) prepared.Add(new PreparedRecord<TWork>(i, entry.SequenceNumber, work));
                else outcome.Ignored(i);
            }
            catch (RecordRejectedException ex)
            {
                outcome.Failed(i, ex.Message);
            }
            catch (Exception ex)
            {
                outcome.Failed(i, $"Unexpected {Describe(ex)}.");
            }
        }
        return prepared;
    }

    /// <summary>
    /// The type and where it was thrown, never the message of an exception the suite did not
    /// write: .NET and DynamoDB messages can quote the values that caused them.
    /// </summary>
    private static string Describe(Exception ex)
    {
        if (ex is RecordRejectedException or InvalidEventException or DeadlineReachedException) return ex.Message;
        if (ex is Amazon.Runtime.AmazonServiceException) return DynamoDbErrors.Describe(ex);
        // DiagnosticMethodInfo, not StackFrame.GetMethod: it needs no reflection metadata, so it
        // names the method in a Native AOT binary as in the JIT build (and the trimmer sees no use).
        var frame = new StackTrace(ex, fNeedFileInfo: false).GetFrame(0);
        var method = frame is null ? null : DiagnosticMethodInfo.Create(frame);
        if (method is null) return ex.GetType().Name;
        var type = method.DeclaringTypeName.Split('[')[0]; // a generic type's arguments left out
        return $"{ex.GetType().Name} in {type[(type.LastIndexOfAny(['.', '+']) + 1)..]}.{method.Name}";
    }

    private void Summarise(BatchOutcome outcome, InvocationDeadline deadline, string? batchError, LogField[] context)
    {
        var failures = outcome.Failures(deadline.IsExpired ? TimeUp : BatchOutcome.NotProcessed);
        foreach (var (_, sequenceNumber, reason) in failures)
            logger.Warn(names.FailedRecord, ("sequence_number", sequenceNumber), ("reason", reason));

        var fields = new List<LogField>
        {
            ("records", outcome.RecordCount),
            ("succeeded", outcome.SucceededCount),
            ("ignored", outcome.IgnoredCount),
            ("failed", failures.Count),
        };
        fields.AddRange(outcome.Counters.Select(c => (LogField)(c.Field, c.Value)));
        if (batchError is not null) fields.Add(("error", batchError));
        fields.Add(("duration_ms", deadline.Elapsed.TotalMilliseconds));
        fields.Add(("remaining_ms", deadline.Remaining.TotalMilliseconds));
        fields.AddRange(context);
        if (batchError is null) logger.Info(names.Summary, [.. fields]);
        else logger.Error(names.Summary, [.. fields]);

        metrics.Publish(
        [
            new Metric(names.SucceededMetric, outcome.SucceededCount),
            new Metric(names.FailedMetric, failures.Count),
            .. outcome.Counters.Where(c => c.Metric is not null).Select(c => new Metric(c.Metric!, c.Value)),
        ]);
    }

    private static StreamsEventResponse Response(BatchOutcome outcome) => new()
    {
        BatchItemFailures = outcome.Failures(BatchOutcome.NotProcessed)
            .Select(f => f.SequenceNumber).Distinct(StringComparer.Ordinal)
            .Select(id => new StreamsEventResponse.BatchItemFailure { ItemIdentifier = id })
            .ToList(),
    };
}
