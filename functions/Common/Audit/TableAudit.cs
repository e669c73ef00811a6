using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Functions.Common.DynamoDb;
using Functions.Common.Runtime;
using Functions.Common.Tables;

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

/// <summary>
/// The audit item of a table change: <c>entityType#entityId</c> = <c>table#&lt;table name&gt;</c> and a
/// <c>timestamp</c> shaped like the audit trail's (ISO time with milliseconds, then <c>#</c> and
/// what distinguishes it: here the event name), so an operator's time-range query over one
/// table's history works the same way.
/// </summary>
public static class TableAuditRecord
{
    public const string EntityType = "table";

    public static string EntityKey(string tableName) => $"{EntityType}#{tableName}";

    public const string DryRunSuffix = "#dry-run";

    /// <summary>Set by <see cref="TableAuditWriter"/> to each put's own id: it tells a put sent again after a lost answer from another's.</summary>
    public const string WriteId = "writeId";

    public static string Timestamp(DateTimeOffset time, string eventName, bool dryRun = false)
        => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) + "#" + eventName + (dryRun ? DryRunSuffix : "");

    public static Dictionary<string, AttributeValue> Item(TableChange change)
    {
        var item = new Dictionary<string, AttributeValue>(StringComparer.Ordinal)
        {
            [TableCatalog.Audit.PartitionKey] = new() { S = EntityKey(change.TableName) },
            [TableCatalog.Audit.SortKey] = new() { S = Timestamp(change.ChangeTime, change.EventName, change.DryRun) },
            ["eventName"] = new() { S = change.EventName },
            ["entityType"] = new() { S = EntityType },
            ["entityId"] = new() { S = change.TableName },
            ["sourceTable"] = new() { S = change.TableName },
            ["changeTime"] = new() { S = change.ChangeTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) },
            ["actor"] = new() { S = change.Actor },
            ["before"] = new() { M = new Dictionary<string, AttributeValue>(change.Before, StringComparer.Ordinal) },
            ["after"] = new() { M = new Dictionary<string, AttributeValue>(change.After, StringComparer.Ordinal) },
        };
        if (change.Reason is not null) item["reason"] = new() { S = change.Reason };
        if (change.DryRun) item["dryRun"] = new() { BOOL = true };
        foreach (var (name, value) in change.Details ?? new Dictionary<string, AttributeValue>())
            item.TryAdd(name, value);
        return item;
    }

    private static readonly HashSet<string> Fields = new(StringComparer.Ordinal)
    {
        TableCatalog.Audit.PartitionKey, TableCatalog.Audit.SortKey, "eventName", "entityType", "entityId", "sourceTable",
        "changeTime", "actor", "before", "after", "reason", "dryRun", WriteId,
    };

    /// <summary>The change an item of <see cref="Item"/> records (to write it again, amended).</summary>
    public static TableChange Change(IReadOnlyDictionary<string, AttributeValue> item) => new(
        item["entityId"].S,
        item["eventName"].S,
        DateTimeOffset.ParseExact(item["changeTime"].S, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
        item["actor"].S,
        item.TryGetValue("before", out var before) ? before.M : new Dictionary<string, AttributeValue>(),
        item.TryGetValue("after", out var after) ? after.M : new Dictionary<string, AttributeValue>(),
        item.TryGetValue("reason", out var reason) ? reason.S : null,
        item.Where(f => !Fields.Contains(f.Key)).ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal),
        item.TryGetValue("dryRun", out var dryRun) && dryRun.BOOL == true);
}

/// <summary>
/// Writes table changes to the audit table once: the put is conditional on the key being new, so
/// a replay of the same change (the same run's retry, another delivery of an alarm) finds its
/// record and writes nothing. Each put carries its own id, so a put that landed but whose answer
/// was lost, sent again, finds its own record and still knows it wrote it: a caller may count the
/// change when, and only when, this returns true.
/// </summary>
public sealed class TableAuditWriter(IAmazonDynamoDB dynamoDb, string auditTable, RetryPolicy retry)
{
    public string AuditTable => auditTable;

    /// <summary>True when written by this call; false when this very change was already audited.</summary>
    public async Task<bool> PutOnceAsync(TableChange change, InvocationDeadline deadline)
    {
        var item = TableAuditRecord.Item(change);
        var writeId = Guid.NewGuid().ToString("N");
        item[TableAuditRecord.WriteId] = new AttributeValue { S = writeId };
        try
        {
            await retry.ExecuteAsync(token => dynamoDb.PutItemAsync(new PutItemRequest
            {
                TableName = auditTable,
                Item = item,
                ConditionExpression = "attribute_not_exists(#pk)",
                ExpressionAttributeNames = new() { ["#pk"] = TableCatalog.Audit.PartitionKey },
                ReturnValuesOnConditionCheckFailure = ReturnValuesOnConditionCheckFailure.ALL_OLD,
            }, token), deadline, "PutItem (audit)").ConfigureAwait(false);
            return true;
        }
        catch (ConditionalCheckFailedException ex)
        {
            return ex.Item is { } stored && stored.TryGetValue(TableAuditRecord.WriteId, out var id) && id.S == writeId;
        }
    }
}
