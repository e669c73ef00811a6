using System.Globalization;

namespace Functions.AuditTrail;

/// <summary>
/// The audit trail's record logic on the stream pipeline: each record becomes its audit item
/// (pure), then the batch's items go to the audit table 25 to a request.
/// </summary>
internal sealed class AuditBatchHandler(AuditTrailSettings settings, BatchWriter writer) : IStreamRecordHandler<AuditEntry>
{
    private readonly AuditRecordBuilder _builder = new(settings);

    public AuditEntry Prepare(DynamoDBEvent.DynamodbStreamRecord record) => _builder.Build(record);

    public async Task CommitAsync(IReadOnlyList<PreparedRecord<AuditEntry>> prepared, BatchOutcome outcome, InvocationDeadline deadline)
    {
        outcome.Count("images_reduced", prepared.Count(p => p.Work.Reduction is not null), AuditMetrics.ImagesReduced);

        // One put per audit key: BatchWriteItem refuses two puts on one key, and a record
        // delivered twice in one batch maps to the same key. An identical copy succeeds with the
        // put it repeats; a different record on the same key is a conflict, reported.
        var puts = new List<PendingPut>();
        var byKey = new Dictionary<AuditKey, (PreparedRecord<AuditEntry> First, List<int> Copies)>();
        var duplicates = 0;
        foreach (var record in prepared)
        {
            if (!byKey.TryGetValue(record.Work.Key, out var existing))
            {
                byKey[record.Work.Key] = (record, [record.Index]);
                puts.Add(new PendingPut(record.Index.ToString(CultureInfo.InvariantCulture), AttributeValueMapper.ToSdk(record.Work.Item)));
            }
            else if (AttributeValueEquality.MapEquals(existing.First.Work.Item, record.Work.Item))
            {
                duplicates++;
                existing.Copies.Add(record.Index);
            }
            else
            {
                outcome.Failed(record.Index,
                    $"Another record of this batch (sequence number {existing.First.SequenceNumber}) maps to the same audit key " +
                    "with different content; this one is not written.");
            }
        }
        outcome.Count("duplicates_skipped", duplicates);

        var report = await writer.PutAllAsync(settings.AuditTableName, AuditKey.Attributes, puts, deadline).ConfigureAwait(false);
        outcome.Count("written", report.Written);
        outcome.Count("write_requests", report.Requests, AuditMetrics.WriteRequests);

        var failed = report.Failures.ToDictionary(f => int.Parse(f.Id, CultureInfo.InvariantCulture), f => f.Reason);
        foreach (var (first, copies) in byKey.Values)
            foreach (var copy in copies)
            {
                if (failed.TryGetValue(first.Index, out var reason)) outcome.Failed(copy, reason);
                else outcome.Succeeded(copy);
            }
    }
}
