using System.Globalization;
using Amazon.DynamoDBv2.Model;
using Functions.Common.Tables;

namespace Functions.Common.Audit;

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

    // The names Item writes and Change reads back; those the audit trail's items share are AuditItem's.
    private const string Before = "before";
    private const string After = "after";
    private const string Reason = "reason";
    private const string DryRun = "dryRun";

    public static string Timestamp(DateTimeOffset time, string eventName, bool dryRun = false)
        => AuditKey.FormatTime(time.UtcDateTime) + "#" + eventName + (dryRun ? DryRunSuffix : "");

    public static Dictionary<string, AttributeValue> Item(TableChange change)
    {
        var item = new Dictionary<string, AttributeValue>(StringComparer.Ordinal)
        {
            [TableCatalog.Audit.PartitionKey] = new() { S = EntityKey(change.TableName) },
            [TableCatalog.Audit.SortKey] = new() { S = Timestamp(change.ChangeTime, change.EventName, change.DryRun) },
            [AuditItem.EventName] = new() { S = change.EventName },
            [AuditItem.EntityType] = new() { S = EntityType },
            [AuditItem.EntityId] = new() { S = change.TableName },
            [AuditItem.SourceTable] = new() { S = change.TableName },
            [AuditItem.ChangeTime] = new() { S = AuditKey.FormatTime(change.ChangeTime.UtcDateTime) },
            [AuditItem.Actor] = new() { S = change.Actor },
            [Before] = new() { M = new Dictionary<string, AttributeValue>(change.Before, StringComparer.Ordinal) },
            [After] = new() { M = new Dictionary<string, AttributeValue>(change.After, StringComparer.Ordinal) },
        };
        if (change.Reason is not null) item[Reason] = new() { S = change.Reason };
        if (change.DryRun) item[DryRun] = new() { BOOL = true };
        foreach (var (name, value) in change.Details ?? new Dictionary<string, AttributeValue>())
            item.TryAdd(name, value);
        return item;
    }

    private static readonly HashSet<string> Fields = new(StringComparer.Ordinal)
    {
        TableCatalog.Audit.PartitionKey, TableCatalog.Audit.SortKey, AuditItem.EventName, AuditItem.EntityType, AuditItem.EntityId,
        AuditItem.SourceTable, AuditItem.ChangeTime, AuditItem.Actor, Before, After, Reason, DryRun, WriteId,
    };

    /// <summary>The change an item of <see cref="Item"/> records (to write it again, amended).</summary>
    public static TableChange Change(IReadOnlyDictionary<string, AttributeValue> item) => new(
        item[AuditItem.EntityId].S,
        item[AuditItem.EventName].S,
        DateTimeOffset.ParseExact(item[AuditItem.ChangeTime].S, AuditKey.TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
        item[AuditItem.Actor].S,
        item.TryGetValue(Before, out var before) ? before.M : new Dictionary<string, AttributeValue>(),
        item.TryGetValue(After, out var after) ? after.M : new Dictionary<string, AttributeValue>(),
        item.TryGetValue(Reason, out var reason) ? reason.S : null,
        item.Where(f => !Fields.Contains(f.Key)).ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal),
        item.TryGetValue(DryRun, out var dryRun) && dryRun.BOOL == true);
}
