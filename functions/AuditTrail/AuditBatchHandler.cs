using System.Globalization;
using Functions.Common.DynamoDb;
using Functions.Common.Lambda;
using Functions.Common.Runtime;
using Functions.Common.Streams;

namespace Functions.AuditTrail;

/// <summary>
/// The audit trail's record logic on the stream pipeline: each record becomes its audit item
/// (pure), then the batch's items go to the audit table 25 to a request.
/// </summary>
public sealed class AuditBatchHandler(AuditTrailSettings settings, BatchWriter writer) : IStreamRecordHandler<AuditEntry>
{
    private readonly AuditRecordBuilder _builder = new(settings);

    public AuditEntry Prepare(DynamoDBEvent.DynamodbStreamRecord record) => _builder.Build(record);

    public async Task CommitAsync(IReadOnlyList<PreparedRecord<AuditEntry>> prepared, BatchOutcome outcome, InvocationDeadline deadline)
    {
        outcome.Count("images_reduced", prepared.Count(p => p.Work.Reduction is not null), "ImagesReduced");

        // One put per audit key: BatchWriteItem refuses two puts on one key, and a record
        // delivered twice in one batch maps to the same key. An identical copy succeeds with the
        // put it repeats; a different record on the same key is a conflict, reported.
        var puts = new List<PendingPut>();
        var copies = new Dictionary<AuditKey, List<int>>();
        var firstOfKey = new Dictionary<AuditKey, PreparedRecord<AuditEntry>>();
        var duplicates = 0;
        foreach (var record in prepared)
        {
            if (!firstOfKey.TryGetValue(record.Work.Key, out var first))
            {
                firstOfKey[record.Work.Key] = record;
                copies[record.Work.Key] = [record.Index];
                puts.Add(new PendingPut(record.Index.ToString(CultureInfo.InvariantCulture), AttributeValueMapper.ToSdk(record.Work.Item)));
            }
            else if (AttributeValueEquality.MapEquals(first.Work.Item, record.Work.Item))
            {
                duplicates++;
                copies[record.Work.Key].Add(record.Index);
            }
            else
            {
                outcome.Failed(record.Index,
                    $"Another record of this batch (sequence number {first.SequenceNumber}) maps to the same audit key " +
                    "with different content; this one is not written.");
            }
        }
        outcome.Count("duplicates_skipped", duplicates);

        var report = await writer.PutAllAsync(settings.AuditTableName, AuditKey.Attributes, puts, deadline).ConfigureAwait(false);
        outcome.Count("written", report.Written);
        outcome.Count("write_requests", report.Requests, "WriteRequests");

        var failed = report.Failures.ToDictionary(f => int.Parse(f.Id, CultureInfo.InvariantCulture), f => f.Reason);
        foreach (var (key, indexes) in copies)
        {
            var index = firstOfKey[key].Index;
            foreach (var copy in indexes)
            {
                if (failed.TryGetValue(index, out var reason)) outcome.Failed(copy, reason);
                else outcome.Succeeded(copy);
            }
        }
    }
}
