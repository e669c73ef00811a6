using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Functions.Common.Audit;
using Functions.Common.DynamoDb;
using Functions.Events;
using Functions.Events.Serialization;
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
    public const string RestoredToProvisioned = "RESTORED_TO_PROVISIONED";
    public const string ThrottleNotSwitched = "THROTTLE_NOT_SWITCHED";
    private const string SwitchedToOnDemand = SwitchTrail.SwitchedToOnDemand;
    private const string SwitchFailed = SwitchTrail.SwitchFailed;
    private const string NoLongerFailed = "the table is on-demand after all (the attempt took effect, or another delivery switched it): the failure recorded for this alarm does not stand";

    private readonly SwitchTrail _trail = new(dynamoDb, controlPlane.Retry, audit, deadline);

    /// <summary>
    /// A throttled table a switch cures. Each outcome a metric counts is tied to a record keyed by
    /// the alarm's state change that this invocation wrote (<see cref="TableResponse.CountsAs"/>),
    /// so the alarm's SNS and EventBridge deliveries and Lambda's retries count it once.
    /// </summary>
    public async Task<TableResponse> SwitchAsync(AlarmNotification alarm, ThrottleTarget target, bool dryRun)
    {
        var failureRecorded = false;
        var result = await ForTableAsync(AlarmResponse(alarm, target), async response =>
        {
            var table = await DescribeUntilSettledAsync(target.Table, settledIn: TableState.OnDemand).ConfigureAwait(false);
            var optedOut = await TableTags.HasAsync(dynamoDb, controlPlane, table.Arn,
                ThrottlePolicy.OptOutTagKey, ThrottlePolicy.OptOutTagValue, deadline).ConfigureAwait(false);
            var (step, reason) = ThrottlePolicy.Decide(table, optedOut);
            response.Reason = reason;
            switch (step)
            {
                case SwitchStep.AlreadyOnDemand:
                    response.Outcome = ThrottleOutcome.AlreadyOnDemand;
                    // The failure recorded for this alarm did not stand: the switch counts now.
                    if (await AmendFailureAsync(response, alarm, dryRun, NoLongerFailed).ConfigureAwait(false))
                        response.CountsAs = ThrottleMetrics.TablesSwitched;
                    return;
                case SwitchStep.Refuse:
                    response.Outcome = ThrottleOutcome.Refused;
                    if (await audit.PutOnceAsync(NotSwitchedChange(alarm, target, table, response, dryRun), deadline).ConfigureAwait(false))
                        response.CountsAs = ThrottleMetrics.SwitchesRefused;
                    return;
                case SwitchStep.Fail: return;
                case SwitchStep.Wait:
                    response.Reason = $"{reason} for longer than this invocation could wait; Lambda's retry tries again";
                    return;
            }

            response.Capacity = TableCapacityView.From(table.Read, table.Write, table.Indexes);
            var capIndexes = Ceiling() is not null && table.Indexes.Count > 0;
            // The capacity is recorded before the switch: afterwards DynamoDB no longer tells it.
            // Keyed by the alarm's state change, so its SNS and EventBridge deliveries make one record.
            var change = SwitchChange(alarm, target, table, response.Metric!, dryRun, capIndexes);
            var firstAttempt = await audit.PutOnceAsync(change, deadline).ConfigureAwait(false);
            if (dryRun)
            {
                (response.Outcome, response.Reason) = (ThrottleOutcome.WouldSwitch, $"dry run: {reason}; would switch to on-demand");
                return;
            }
            bool indexesCapped;
            try
            {
                (var updated, indexesCapped) = await SwitchToOnDemandAsync(table, capIndexes).ConfigureAwait(false);
                if (!updated)
                {
                    (response.Outcome, response.Reason) = (ThrottleOutcome.AlreadyOnDemand, "switched meanwhile by another delivery of the alarm: nothing to do");
                    // The delivery whose UpdateTable went through does not count a switch whose
                    // record it did not write (below): the one that wrote it counts it here.
                    if (await AmendFailureAsync(response, alarm, dryRun, NoLongerFailed).ConfigureAwait(false) || firstAttempt)
                        response.CountsAs = ThrottleMetrics.TablesSwitched;
                    return;
                }
            }
            catch (Exception ex) when (ex is not DeadlineReachedException)
            {
                var limit = ex is LimitExceededException ? ThrottlePolicy.LimitOf(ex.Message, toOnDemand: true) : (UpdateLimit?)null;
                (response.Outcome, response.Reason) = limit switch
                {
                    UpdateLimit.DailySwitches => (ThrottleOutcome.Refused, ThrottlePolicy.LimitReached(table)),
                    UpdateLimit.Unclear => (ThrottleOutcome.Failed, ThrottlePolicy.UnclearLimit(ex.Message)),
                    UpdateLimit.TooManyOperations => (ThrottleOutcome.Failed, $"UpdateTable failed: {DynamoDbErrors.Describe(ex)}, too many table operations " +
                                                                              "in the account at once for longer than this invocation could wait; Lambda's retry tries again"),
                    _ => (ThrottleOutcome.Failed, $"UpdateTable failed: {DynamoDbErrors.Describe(ex)}"),
                };
                failureRecorded = true;
                if (await audit.PutOnceAsync(change with { EventName = SwitchFailed, Reason = response.Reason }, deadline).ConfigureAwait(false))
                    response.CountsAs = response.Outcome == ThrottleOutcome.Refused ? ThrottleMetrics.SwitchesRefused : ThrottleMetrics.SwitchesFailed;
                return;
            }

            (response.Outcome, response.Reason) = (ThrottleOutcome.Switched, $"{reason}: switched to on-demand");
            // The record written before the switch says the indexes are capped: when DynamoDB took
            // the switch without that, a record of the switch as it happened follows.
            TableChange? asSwitched = null;
            if (capIndexes && !indexesCapped)
            {
                response.Reason += "; DynamoDB refused the indexes' ceilings in the switch request: the table is capped, its indexes are not";
                asSwitched = SwitchChange(alarm, target, table, response.Metric!, dryRun, indexesCapped: false) with
                {
                    ChangeTime = clock.GetUtcNow(),
                    Reason = "switched without the indexes' ceilings, which DynamoDB refused in the switch request",
                };
            }
            // A failure recorded for this alarm (an earlier attempt's, or this one's before the
            // table settled) is followed by the switch, so the trail's last word is true.
            var amended = await AmendFailureAsync(response, alarm, dryRun,
                firstAttempt ? "switched after the failure recorded for this alarm" : "switched on a retry, after the failure recorded for this alarm",
                asSwitched).ConfigureAwait(false);
            if (!amended && asSwitched is not null)
                await audit.PutOnceAsync(asSwitched, deadline).ConfigureAwait(false);
            // Not counted by a delivery that found the table provisioned just before another
            // delivery's switch and whose own UpdateTable went through on the switched table.
            if (firstAttempt || amended)
                response.CountsAs = ThrottleMetrics.TablesSwitched;
        }).ConfigureAwait(false);
        if (result.Outcome == ThrottleOutcome.Failed && !failureRecorded)
            await RecordFailureAsync(result, alarm, target, dryRun).ConfigureAwait(false);
        return result;
    }

    /// <summary>
    /// Throttling a switch does not cure (a hot partition, the on-demand maximum, the account's
    /// quota): the table is left as it is; the audit trail, the log and a metric say why. The
    /// metric counts it when this invocation wrote the record: once per alarm state change.
    /// </summary>
    public Task<TableResponse> RecordNotSwitchedAsync(AlarmNotification alarm, ThrottleTarget target, bool dryRun)
        => ForTableAsync(AlarmResponse(alarm, target), async response =>
        {
            var table = await DescribeAsync(target.Table).ConfigureAwait(false);
            (response.Outcome, response.Reason) = (ThrottleOutcome.NotSwitched, ThrottlePolicy.NotSwitched(target.Cause, table));
            if (await audit.PutOnceAsync(NotSwitchedChange(alarm, target, table, response, dryRun), deadline).ConfigureAwait(false))
                response.CountsAs = ThrottleMetrics.NotSwitched(target.Cause);
        });

    private TableChange NotSwitchedChange(AlarmNotification alarm, ThrottleTarget target, TableState table, TableResponse response, bool dryRun)
    {
        var mode = new Dictionary<string, AttributeValue> { ["billingMode"] = new() { S = table.BillingMode } };
        return new TableChange(target.Table, ThrottleNotSwitched, alarm.Time ?? clock.GetUtcNow(), environment.FunctionName,
            mode, mode, response.Reason, Details(alarm, response.Metric!, target.Cause), dryRun);
    }

    /// <summary>
    /// A switch that failed before UpdateTable (the table missing or not in a state to switch,
    /// still updating, an error): recorded as the alarm's failed switch, which makes it count once.
    /// A failure the audit table cannot take is not counted; the invocation's error still is.
    /// </summary>
    private async Task RecordFailureAsync(TableResponse response, AlarmNotification alarm, ThrottleTarget target, bool dryRun)
    {
        var failed = new TableChange(target.Table, SwitchFailed, alarm.Time ?? clock.GetUtcNow(), environment.FunctionName,
            new Dictionary<string, AttributeValue>(), new Dictionary<string, AttributeValue> { ["billingMode"] = new() { S = TableState.OnDemand } },
            response.Reason, Details(alarm, response.Metric!, target.Cause), dryRun);
        try
        {
            if (await audit.PutOnceAsync(failed, deadline).ConfigureAwait(false))
                response.CountsAs = ThrottleMetrics.SwitchesFailed;
        }
        catch (Exception ex)
        {
            response.Reason += $"; not recorded in {audit.AuditTable} either ({(ex is DeadlineReachedException ? ex.Message : DynamoDbErrors.Describe(ex))}), so not counted";
        }
    }

    // A retry or a duplicate delivery that finds the table on-demand after this alarm recorded a
    // failed switch: the trail's last word on the alarm must say so (see SwitchTrail). True when
    // this invocation wrote that word.
    private async Task<bool> AmendFailureAsync(TableResponse response, AlarmNotification alarm, bool dryRun, string note, TableChange? asSwitched = null)
    {
        if (dryRun || alarm.Time is not { } time) return false;
        var now = clock.GetUtcNow();
        if (!await _trail.AmendFailedSwitchAsync(response.Table!, time,
                intended => asSwitched is null ? intended with { ChangeTime = now, Reason = note } : asSwitched with { Reason = $"{asSwitched.Reason}; {note}" })
                .ConfigureAwait(false))
            return false;
        response.Reason += $"; {note}";
        return true;
    }

    private static TableResponse AlarmResponse(AlarmNotification alarm, ThrottleTarget target) => new()
    {
        Alarm = alarm.AlarmName, Table = target.Table, Outcome = ThrottleOutcome.Failed, Cause = target.Cause,
        Metric = target.Index is null ? target.Metrics : $"{target.Metrics} on index {target.Index}",
    };

    // One table's work: a missing table or an error fails this table alone, with the reason.
    private static async Task<TableResponse> ForTableAsync(TableResponse response, Func<TableResponse, Task> work)
    {
        try
        {
            await work(response).ConfigureAwait(false);
        }
        catch (ResourceNotFoundException)
        {
            (response.Outcome, response.Reason) = (ThrottleOutcome.Failed, $"table {response.Table} does not exist");
        }
        catch (Exception ex)
        {
            (response.Outcome, response.Reason) = (ThrottleOutcome.Failed, ex is DeadlineReachedException ? ex.Message : DynamoDbErrors.Describe(ex));
        }
        return response;
    }

    /// <summary>
    /// A person's restore command, answered in the response: a restore counts when this invocation
    /// switched the table back (and wrote its record), a failure once per command.
    /// </summary>
    public async Task<TableResponse> RestoreAsync(string tableName, bool dryRun)
    {
        var result = await ForTableAsync(new TableResponse { Table = tableName, Outcome = ThrottleOutcome.Failed }, async response =>
        {
            var table = await DescribeUntilSettledAsync(tableName, settledIn: TableState.Provisioned).ConfigureAwait(false);
            if (table.BillingMode == TableState.Provisioned)
            {
                (response.Outcome, response.Reason) = (ThrottleOutcome.AlreadyProvisioned, "already provisioned: nothing to restore");
                return;
            }
            if (await _trail.LastSwitchCapacityAsync(tableName).ConfigureAwait(false) is not { } saved)
            {
                response.Reason = $"no {SwitchedToOnDemand} record of {tableName} in {audit.AuditTable}: the capacity to restore is unknown";
                return;
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
                return;
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
                return;
            }
            (response.Outcome, response.Reason) = (ThrottleOutcome.Restored, change.Reason);
            if (await audit.PutOnceAsync(change, deadline).ConfigureAwait(false))
                response.CountsAs = ThrottleMetrics.TablesRestored;
        }).ConfigureAwait(false);
        if (result.Outcome == ThrottleOutcome.Failed) result.CountsAs = ThrottleMetrics.SwitchesFailed;
        return result;
    }

    private TableChange SwitchChange(AlarmNotification alarm, ThrottleTarget target, TableState table, string metric, bool dryRun, bool indexesCapped)
    {
        var after = new Dictionary<string, AttributeValue> { ["billingMode"] = new() { S = TableState.OnDemand } };
        if (settings.MaxReadRequestUnits is { } maxRead) after["maxReadRequestUnits"] = TableState.Number(maxRead);
        if (settings.MaxWriteRequestUnits is { } maxWrite) after["maxWriteRequestUnits"] = TableState.Number(maxWrite);
        if (indexesCapped)
            after["globalSecondaryIndexes"] = new()
            {
                M = table.Indexes.ToDictionary(i => i.IndexName, _ => new AttributeValue
                {
                    M = new Dictionary<string, AttributeValue>(after.Where(a => a.Key.StartsWith("max", StringComparison.Ordinal)), StringComparer.Ordinal),
                }, StringComparer.Ordinal),
            };
        return new TableChange(target.Table, SwitchedToOnDemand, alarm.Time ?? clock.GetUtcNow(), environment.FunctionName,
            table.CapacityForAudit(), after, alarm.Reason ?? "throttling alarm", Details(alarm, metric, target.Cause), dryRun);
    }

    private static Dictionary<string, AttributeValue> Details(AlarmNotification alarm, string metric, string cause) => new()
    {
        ["alarmName"] = new() { S = alarm.AlarmName },
        ["metric"] = new() { S = metric },
        ["cause"] = new() { S = cause },
    };

    // The ceiling of the switch (OnDemandThroughput; -1 leaves one side unlimited), null for none.
    private OnDemandThroughput? Ceiling() => settings.MaxReadRequestUnits is null && settings.MaxWriteRequestUnits is null ? null : new OnDemandThroughput
    {
        MaxReadRequestUnits = settings.MaxReadRequestUnits ?? -1,
        MaxWriteRequestUnits = settings.MaxWriteRequestUnits ?? -1,
    };

    /// <summary>
    /// The switch, with the ceiling on the table and on every index (UpdateTable's
    /// GlobalSecondaryIndexUpdates[].Update.OnDemandThroughput). AWS does not document whether the
    /// indexes' ceilings may ride on the switch request itself; if DynamoDB refuses them there
    /// (ValidationException), relief comes first: the switch goes without them and says so.
    /// </summary>
    private async Task<(bool Updated, bool IndexesCapped)> SwitchToOnDemandAsync(TableState table, bool capIndexes)
    {
        var request = new UpdateTableRequest
        {
            TableName = table.Name,
            BillingMode = BillingMode.PAY_PER_REQUEST,
            OnDemandThroughput = Ceiling(),
            GlobalSecondaryIndexUpdates = capIndexes
                ? table.Indexes.Select(i => new GlobalSecondaryIndexUpdate { Update = new UpdateGlobalSecondaryIndexAction { IndexName = i.IndexName, OnDemandThroughput = Ceiling() } }).ToList()
                : null,
        };
        try
        {
            return (await UpdateWhenActiveAsync(request).ConfigureAwait(false), capIndexes);
        }
        catch (AmazonDynamoDBException ex) when (capIndexes && ex.ErrorCode == "ValidationException")
        {
            request.GlobalSecondaryIndexUpdates = null;
            return (await UpdateWhenActiveAsync(request).ConfigureAwait(false), false);
        }
    }

    private async Task<TableState> DescribeAsync(string tableName)
        => TableState.From((await controlPlane.CallAsync("DescribeTable",
            t => dynamoDb.DescribeTableAsync(new DescribeTableRequest { TableName = tableName }, t), deadline).ConfigureAwait(false)).Table);

    // An UPDATING table is looked at again until it settles or the time budget runs out; one
    // already in the billing mode asked for is done at once (another delivery's switch).
    private async Task<TableState> DescribeUntilSettledAsync(string tableName, string settledIn)
    {
        var table = await DescribeAsync(tableName).ConfigureAwait(false);
        while (table.Status is "UPDATING" or "CREATING" && table.BillingMode != settledIn && await PauseAsync().ConfigureAwait(false))
            table = await DescribeAsync(tableName).ConfigureAwait(false);
        return table;
    }

    /// <summary>
    /// UpdateTable, waiting out another update of the table and too many table operations in the
    /// account at once (a LimitExceededException that is not the daily switch quota). False when,
    /// meanwhile, the table got the billing mode asked for (another delivery of the same alarm
    /// switched it): nothing to do.
    /// </summary>
    private async Task<bool> UpdateWhenActiveAsync(UpdateTableRequest request)
    {
        var toOnDemand = request.BillingMode == BillingMode.PAY_PER_REQUEST;
        while (true)
        {
            try
            {
                await controlPlane.CallAsync("UpdateTable", t => dynamoDb.UpdateTableAsync(request, t), deadline).ConfigureAwait(false);
                return true;
            }
            catch (ResourceInUseException) when (MayWait())
            {
                // another update is running: wait for it
            }
            catch (LimitExceededException ex) when (MayWait()
                && ThrottlePolicy.LimitOf(ex.Message, toOnDemand) is UpdateLimit.TooManyOperations or UpdateLimit.Unclear)
            {
                // too many table operations in the account at once: one of them finishes soon (and
                // a limit DynamoDB does not name is given the same chance, never taken for the quota)
            }
            await PauseAsync().ConfigureAwait(false);
            if ((await DescribeAsync(request.TableName).ConfigureAwait(false)).BillingMode == request.BillingMode.Value) return false;
        }
    }

    // What the last wait leaves for what follows it: a look at the table, UpdateTable, and the
    // record of how it ended (a failure not recorded would not be counted).
    private static readonly TimeSpan AfterLastWait = TimeSpan.FromSeconds(1);

    private bool MayWait() => deadline.Allows(settings.UpdatingPollInterval + AfterLastWait);

    private async Task<bool> PauseAsync()
    {
        if (!MayWait()) return false;
        await Task.Delay(settings.UpdatingPollInterval, clock, deadline.Token).ConfigureAwait(false);
        return true;
    }
}
