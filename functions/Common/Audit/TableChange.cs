using Amazon.DynamoDBv2.Model;

namespace Functions.Common.Audit;

/// <summary>
/// A change the suite made to a table's settings (PITR, billing mode), for the audit table: the
/// setting before and after, who made it, and when.
/// </summary>
/// <param name="Details">More attributes of the record (the alarm behind a change, say).</param>
/// <param name="DryRun">What would have been done: kept apart by its key and marked <c>dryRun</c>.</param>
public sealed record TableChange(
    string TableName, string EventName, DateTimeOffset ChangeTime, string Actor,
    IReadOnlyDictionary<string, AttributeValue> Before, IReadOnlyDictionary<string, AttributeValue> After,
    string? Reason = null, IReadOnlyDictionary<string, AttributeValue>? Details = null, bool DryRun = false);
