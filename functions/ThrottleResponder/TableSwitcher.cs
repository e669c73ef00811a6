using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Functions.Common.Audit;
using Functions.Common.DynamoDb;
using Functions.Common.Events;
using Functions.Common.Runtime;
using Functions.Common.Scheduled;
using Functions.Common.Tables;

namespace Functions.ThrottleResponder;

/// <summary>
/// The DynamoDB side of a switch and of a restore. ThrottlePolicy decides; this class describes
/// the table, writes the audit record and calls UpdateTable.
/// </summary>
internal sealed class TableSwitcher(
    IAmazonDynamoDB dynamoDb, ControlPlane controlPlane, TableAuditWriter audit, ThrottleSettings settings,
    FunctionEnvironment environment, TimeProvider clock, InvocationDeadline deadline)
{
    public const string SwitchedToOnDemand = "SWITCHED_TO_ON_DEMAND";
    public const string SwitchFailed = "SWITCH_TO_ON_DEMAND_FAILED";
    public const string RestoredToProvisioned = "RESTORED_TO_PROVISIONED";

    public async Task<TableResponse> SwitchAsync(AlarmNotification alarm, ThrottleTarget target, bool dryRun)
    {
        var response = new TableResponse { Alarm = alarm.AlarmName, Table = target.Table, Outcome = ThrottleOutcome.Failed,
            Metric = target.Index is null ? target.Metrics : $"{target.Metrics} on index {target.Index}" };
        try
        {
            var table = await DescribeUntilSettledAsync(target.Table).ConfigureAwait(false);
            var optedOut = await TableTags.HasAsync(dynamoDb, controlPlane, table.Arn,
                ThrottlePolicy.OptOutTagKey, ThrottlePolicy.OptOutTagValue, deadline).ConfigureAwait(false);
            var (step, reason) = ThrottlePolicy.Decide(table, optedOut);
            response.Reason = reason;
            switch (step)
            {
                case SwitchStep.AlreadyOnDemand: response.Outcome = ThrottleOutcome.AlreadyOnDemand; return response;
                case SwitchStep.Refuse: response.Outcome = ThrottleOutcome.Refused; return response;
                case SwitchStep.Fail: return response;
                case SwitchStep.Wait:
                    response.Reason = $"{reason} for longer than this invocation could wait; Lambda's retry tries again";
                    return response;
            }

            response.Capacity = TableCapacityView.From(table.Read, table.Write, table.Indexes);
            // The capacity is recorded before the switch: afterwards DynamoDB no longer tells it.
            var change = SwitchChange(alarm, target, table, response.Metric!, dryRun);
            await audit.PutOnceAsync(change, deadline).ConfigureAwait(false);
            if (dryRun)
            {
                (response.Outcome, response.Reason) = (ThrottleOutcome.WouldSwitch, $"dry run: {reason}; would switch to on-demand");
                return response;
            }
            try
            {
                var updated = await UpdateWhenActiveAsync(new UpdateTableRequest
                {
                    TableName = table.Name,
                    BillingMode = BillingMode.PAY_PER_REQUEST,
                    OnDemandThroughput = settings.MaxReadRequestUnits is null && settings.MaxWriteRequestUnits is null ? null : new OnDemandThroughput
                    {
                        MaxReadRequestUnits = settings.MaxReadRequestUnits ?? -1,
                        MaxWriteRequestUnits = settings.MaxWriteRequestUnits ?? -1,
                    },
                }).ConfigureAwait(false);
                if (!updated)
                {
                    (response.Outcome, response.Reason) = (ThrottleOutcome.AlreadyOnDemand, "switched meanwhile by another delivery of the alarm: nothing to do");
                    return response;
                }
            }
            catch (Exception ex) when (ex is not DeadlineReachedException)
            {
                var limit = ex is LimitExceededException;
                (response.Outcome, response.Reason) = limit
                    ? (ThrottleOutcome.Refused, ThrottlePolicy.LimitReached(table))
                    : (ThrottleOutcome.Failed, $"UpdateTable failed: {DynamoDbErrors.Describe(ex)}");
                await audit.PutOnceAsync(change with { EventName = SwitchFailed, Reason = response.Reason }, deadline).ConfigureAwait(false);
                return response;
            }
            (response.Outcome, response.Reason) = (ThrottleOutcome.Switched, $"{reason}: switched to on-demand");
        }
        catch (ResourceNotFoundException)
        {
            response.Reason = $"table {target.Table} does not exist";
        }
        catch (Exception ex)
        {
            response.Reason = ex is DeadlineReachedException ? ex.Message : DynamoDbErrors.Describe(ex);
        }
        return response;
    }

    public async Task<TableResponse> RestoreAsync(string tableName, bool dryRun)
    {
        var response = new TableResponse { Table = tableName, Outcome = ThrottleOutcome.Failed };
        try
        {
            var table = await DescribeUntilSettledAsync(tableName).ConfigureAwait(false);
            if (table.BillingMode == TableState.Provisioned)
            {
                (response.Outcome, response.Reason) = (ThrottleOutcome.AlreadyProvisioned, "already provisioned: nothing to restore");
                return response;
            }
            if (await LastSwitchCapacityAsync(tableName).ConfigureAwait(false) is not { } saved)
            {
                response.Reason = $"no {SwitchedToOnDemand} record of {tableName} in {audit.AuditTable}: the capacity to restore is unknown";
                return response;
            }
            var (read, write, indexes, notes) = ThrottlePolicy.RestorePlan(saved, table.Indexes.Select(i => i.IndexName));
            response.Capacity = TableCapacityView.From(read, write, indexes);
            var restored = table with { BillingMode = TableState.Provisioned, Read = read, Write = write, Indexes = indexes };
            var change = new TableChange(tableName, RestoredToProvisioned, clock.GetUtcNow(), environment.FunctionName,
                new Dictionary<string, AttributeValue> { ["billingMode"] = new() { S = TableState.OnDemand } },
                restored.CapacityForAudit(), notes.Count > 0 ? string.Join("; ", notes) : "restore requested", DryRun: dryRun);
            if (dryRun)
            {
                await audit.PutOnceAsync(change, deadline).ConfigureAwait(false);
                (response.Outcome, response.Reason) = (ThrottleOutcome.WouldRestore, "dry run: would switch back to provisioned");
                return response;
            }
            var updated = await UpdateWhenActiveAsync(new UpdateTableRequest
            {
                TableName = tableName,
                BillingMode = BillingMode.PROVISIONED,
                ProvisionedThroughput = new ProvisionedThroughput(read, write),
                GlobalSecondaryIndexUpdates = indexes.Count == 0 ? null : indexes.Select(i => new GlobalSecondaryIndexUpdate
                {
                    Update = new UpdateGlobalSecondaryIndexAction { IndexName = i.IndexName, ProvisionedThroughput = new ProvisionedThroughput(i.Read, i.Write) },
                }).ToList(),
            }).ConfigureAwait(false);
            if (!updated)
            {
                (response.Outcome, response.Reason) = (ThrottleOutcome.AlreadyProvisioned, "provisioned meanwhile by another restore: nothing to do");
                return response;
            }
            await audit.PutOnceAsync(change, deadline).ConfigureAwait(false);
            (response.Outcome, response.Reason) = (ThrottleOutcome.Restored, change.Reason);
        }
        catch (ResourceNotFoundException)
        {
            response.Reason = $"table {tableName} does not exist";
        }
        catch (Exception ex)
        {
            response.Reason = ex is DeadlineReachedException ? ex.Message : DynamoDbErrors.Describe(ex);
        }
        return response;
    }

    private TableChange SwitchChange(AlarmNotification alarm, ThrottleTarget target, TableState table, string metric, bool dryRun)
    {
        var after = new Dictionary<string, AttributeValue> { ["billingMode"] = new() { S = TableState.OnDemand } };
        if (settings.MaxReadRequestUnits is { } maxRead) after["maxReadRequestUnits"] = TableState.Number(maxRead);
        if (settings.MaxWriteRequestUnits is { } maxWrite) after["maxWriteRequestUnits"] = TableState.Number(maxWrite);
        var details = new Dictionary<string, AttributeValue>
        {
            ["alarmName"] = new() { S = alarm.AlarmName },
            ["metric"] = new() { S = metric },
        };
        // Keyed by the alarm's state change: its SNS and EventBridge deliveries make one record.
        return new TableChange(target.Table, SwitchedToOnDemand, alarm.Time ?? clock.GetUtcNow(), environment.FunctionName,
            table.CapacityForAudit(), after, alarm.Reason ?? "throttling alarm", details, dryRun);
    }

    // The newest real (not dry-run) switch record of the table, newest first through the pages.
    private async Task<(long Read, long Write, IReadOnlyList<IndexCapacity> Indexes)?> LastSwitchCapacityAsync(string tableName)
    {
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var page = await controlPlane.Retry.ExecuteAsync(token => dynamoDb.QueryAsync(new QueryRequest
            {
                TableName = audit.AuditTable,
                KeyConditionExpression = "#pk = :pk",
                ExpressionAttributeNames = new() { ["#pk"] = TableCatalog.Audit.PartitionKey },
                ExpressionAttributeValues = new() { [":pk"] = new AttributeValue { S = TableAuditRecord.EntityKey(tableName) } },
                ScanIndexForward = false,
                ExclusiveStartKey = start,
            }, token), deadline, "Query (audit)").ConfigureAwait(false);
            foreach (var item in page.Items ?? [])
                if (item.TryGetValue("eventName", out var name) && name.S == SwitchedToOnDemand && !(item.TryGetValue("dryRun", out var dry) && dry.BOOL == true))
                    return TableState.CapacityFromAudit(item.TryGetValue("before", out var before) ? before.M : null);
            start = page.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        } while (start is not null);
        return null;
    }

    private async Task<TableState> DescribeAsync(string tableName)
        => TableState.From((await controlPlane.CallAsync("DescribeTable",
            t => dynamoDb.DescribeTableAsync(new DescribeTableRequest { TableName = tableName }, t), deadline).ConfigureAwait(false)).Table);

    // An UPDATING table is looked at again until it settles or the time budget runs out.
    private async Task<TableState> DescribeUntilSettledAsync(string tableName)
    {
        var table = await DescribeAsync(tableName).ConfigureAwait(false);
        while (table.Status is "UPDATING" or "CREATING" && await PauseAsync().ConfigureAwait(false))
            table = await DescribeAsync(tableName).ConfigureAwait(false);
        return table;
    }

    /// <summary>
    /// UpdateTable, waiting out another update of the table. False when, meanwhile, the table got
    /// the billing mode asked for (another delivery of the same alarm switched it): nothing to do.
    /// </summary>
    private async Task<bool> UpdateWhenActiveAsync(UpdateTableRequest request)
    {
        while (true)
        {
            try
            {
                await controlPlane.CallAsync("UpdateTable", t => dynamoDb.UpdateTableAsync(request, t), deadline).ConfigureAwait(false);
                return true;
            }
            catch (ResourceInUseException) when (deadline.Allows(settings.UpdatingPollInterval))
            {
                // another update is running: wait for it
            }
            await PauseAsync().ConfigureAwait(false);
            if ((await DescribeAsync(request.TableName).ConfigureAwait(false)).BillingMode == request.BillingMode.Value) return false;
        }
    }

    private async Task<bool> PauseAsync()
    {
        if (!deadline.Allows(settings.UpdatingPollInterval)) return false;
        await Task.Delay(settings.UpdatingPollInterval, clock, deadline.Token).ConfigureAwait(false);
        return true;
    }
}
