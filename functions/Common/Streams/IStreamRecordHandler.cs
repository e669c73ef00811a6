using Functions.Events;
using Functions.Common.Runtime;

namespace Functions.Common.Streams;

/// <summary>
/// A function's own logic for stream records, in two steps so writes can be batched: a pure
/// decision per record, then one commit for the batch. The pipeline does the rest.
/// </summary>
public interface IStreamRecordHandler<TWork> where TWork : class
{
    /// <summary>
    /// Decides what one record means. Throw to fail this record alone (a
    /// <see cref="RecordRejectedException"/> with a reason fit for logs); return null when the
    /// record is not this function's business (ignored, not failed).
    /// </summary>
    TWork? Prepare(DynamoDBEvent.DynamodbStreamRecord record);

    /// <summary>
    /// Writes what the records decided and marks each one succeeded or failed in the outcome.
    /// Records it leaves unmarked count as failed.
    /// </summary>
    Task CommitAsync(IReadOnlyList<PreparedRecord<TWork>> prepared, BatchOutcome outcome, InvocationDeadline deadline);
}

/// <summary>A record's decision, with the position it is tracked and reported by.</summary>
public sealed record PreparedRecord<TWork>(int Index, string SequenceNumber, TWork Work);

/// <summary>A record the logic refuses, for a reason that names no item value (safe to log).</summary>
public class RecordRejectedException(string message) : Exception(message);
