namespace Functions.ThrottleResponder;

/// <summary>
/// A table's switch records in the audit table (<c>table#&lt;name&gt;</c>): the capacity a restore
/// goes back to, and a last word on each alarm's switch that says what happened.
/// </summary>
internal sealed class SwitchTrail(IAmazonDynamoDB dynamoDb, RetryPolicy retry, TableAuditWriter audit, InvocationDeadline deadline)
{
    public const string SwitchedToOnDemand = "SWITCHED_TO_ON_DEMAND";
    public const string SwitchFailed = "SWITCH_TO_ON_DEMAND_FAILED";

    /// <summary>The capacity of the newest real (not dry-run) switch record that holds one.</summary>
    public async Task<(long Read, long Write, IReadOnlyList<IndexCapacity> Indexes)?> LastSwitchCapacityAsync(string tableName)
    {
        await foreach (var item in RecordsAsync(tableName, newestFirst: true, from: null).ConfigureAwait(false))
            if (item.TryGetValue("eventName", out var name) && name.S == SwitchedToOnDemand && !(item.TryGetValue("dryRun", out var dry) && dry.BOOL == true)
                && TableState.CapacityFromAudit(item.TryGetValue("before", out var before) ? before.M : null) is { } capacity)
                return capacity;
        return null;
    }

    /// <summary>
    /// The switch of the alarm that changed state at <paramref name="alarmTime"/> is recorded before
    /// it is tried (<see cref="SwitchedToOnDemand"/>, with the capacity), and a failure after it
    /// (<see cref="SwitchFailed"/>), both keyed by that time so the alarm's deliveries and retries
    /// make one of each. When the failure is the last word but the table is on-demand after all (a
    /// retry switched it, or the failed attempt took effect), a switch record follows: what
    /// <paramref name="amended"/> makes of the record written before the switch (at a later time,
    /// saying why). True when this call wrote it.
    /// </summary>
    public async Task<bool> AmendFailedSwitchAsync(string tableName, DateTimeOffset alarmTime, Func<TableChange, TableChange> amended)
    {
        var intendedKey = TableAuditRecord.Timestamp(alarmTime, SwitchedToOnDemand);
        var failedKey = TableAuditRecord.Timestamp(alarmTime, SwitchFailed);
        TableChange? intended = null;
        var failed = false;
        await foreach (var item in RecordsAsync(tableName, newestFirst: false, from: TableAuditRecord.Timestamp(alarmTime, "")).ConfigureAwait(false))
        {
            var key = item[TableCatalog.Audit.SortKey].S;
            if (key == intendedKey) intended = TableAuditRecord.Change(item);
            else if (key == failedKey) failed = true;
            else if (failed && item["eventName"].S == SwitchedToOnDemand && !item.ContainsKey("dryRun")) failed = false; // already amended
        }
        return failed && intended is not null
               && await audit.PutOnceAsync(amended(intended), deadline).ConfigureAwait(false);
    }

    // The table's records (from a sort key on, when given), through every page.
    private async IAsyncEnumerable<Dictionary<string, AttributeValue>> RecordsAsync(string tableName, bool newestFirst, string? from)
    {
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var request = new QueryRequest
            {
                TableName = audit.AuditTable,
                KeyConditionExpression = from is null ? "#pk = :pk" : "#pk = :pk AND #sk >= :from",
                ExpressionAttributeNames = new() { ["#pk"] = TableCatalog.Audit.PartitionKey },
                ExpressionAttributeValues = new() { [":pk"] = new AttributeValue { S = TableAuditRecord.EntityKey(tableName) } },
                ScanIndexForward = !newestFirst,
                ExclusiveStartKey = start,
            };
            if (from is not null)
            {
                request.ExpressionAttributeNames["#sk"] = TableCatalog.Audit.SortKey;
                request.ExpressionAttributeValues[":from"] = new AttributeValue { S = from };
            }
            var page = await retry.ExecuteAsync(token => dynamoDb.QueryAsync(request, token), deadline, "Query (audit)").ConfigureAwait(false);
            foreach (var item in page.Items ?? [])
                yield return item;
            start = page.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        } while (start is not null);
    }
}
