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

    private readonly SwitchTrail _trail = new(dynamoDb, controlPlane.Retry, audit, deadline);

    /// <summary>
    /// A throttled table a switch cures: the calls of each <see cref="SwitchState"/>, whose answers
    /// <see cref="SwitchProgress.Next"/> turns into the next state until the response is final.
    /// Each outcome a metric counts is tied to a record keyed by the alarm's state change that
    /// this invocation wrote (<see cref="TableResponse.CountsAs"/>), so the alarm's SNS and
    /// EventBridge deliveries and Lambda's retries count it once.
    /// </summary>
    public async Task<TableResponse> SwitchAsync(AlarmNotification alarm, ThrottleTarget target, bool dryRun)
    {
        var progress = SwitchProgress.Start(AlarmResponse(alarm, target), dryRun, alarmHasTime: alarm.Time is not null,
            hasCeiling: Ceiling() is not null, audit.AuditTable);
        while (progress.State != SwitchState.Done)
            progress = progress.Next(await AnswerAsync(progress, alarm, target).ConfigureAwait(false));
        return progress.Response;
    }

    // The one call of the state, and DynamoDB's answer; any failure is an answer too.
    private async Task<SwitchAnswer> AnswerAsync(SwitchProgress progress, AlarmNotification alarm, ThrottleTarget target)
    {
        var (table, response, dryRun) = (progress.Table, progress.Response, progress.DryRun);
        try
        {
            switch (progress.State)
            {
                case SwitchState.LookingAtTable:
                    var settled = await DescribeUntilSettledAsync(target.Table, settledIn: TableState.OnDemand).ConfigureAwait(false);
                    return new SwitchAnswer.TableSeen(settled, await TableTags.HasAsync(dynamoDb, controlPlane, settled.Arn,
                        ThrottlePolicy.OptOutTagKey, ThrottlePolicy.OptOutTagValue, deadline).ConfigureAwait(false));
                case SwitchState.RecordingIntent:
                    return await RecordAsync(SwitchChange(alarm, target, table!, response.Metric!, dryRun, progress.CapIndexes)).ConfigureAwait(false);
                case SwitchState.Switching:
                    try
                    {
                        var (updated, indexesCapped) = await SwitchToOnDemandAsync(table!, progress.CapIndexes).ConfigureAwait(false);
                        return updated ? new SwitchAnswer.SwitchWentThrough(indexesCapped, clock.GetUtcNow()) : new SwitchAnswer.SwitchedMeanwhile();
                    }
                    catch (Exception ex) when (ex is not DeadlineReachedException)
                    {
                        return new SwitchAnswer.SwitchRefused(ex is LimitExceededException ? ThrottlePolicy.LimitOf(ex.Message, toOnDemand: true) : null,
                            ex.Message, DynamoDbErrors.Describe(ex));
                    }
                case SwitchState.AmendingFailure:
                    return new SwitchAnswer.Recorded(await AmendFailureAsync(target.Table, alarm.Time!.Value, progress.AmendNote!,
                        AsSwitchedChange(progress, alarm, target)).ConfigureAwait(false));
                case SwitchState.RecordingAsSwitched:
                    return await RecordAsync(AsSwitchedChange(progress, alarm, target)!).ConfigureAwait(false);
                case SwitchState.RecordingRefusal:
                    return await RecordAsync(NotSwitchedChange(alarm, target, table!, response, dryRun)).ConfigureAwait(false);
                case SwitchState.RecordingRefusedSwitch:
                    return await RecordAsync(SwitchChange(alarm, target, table!, response.Metric!, dryRun, progress.CapIndexes)
                        with { EventName = SwitchFailed, Reason = response.Reason }).ConfigureAwait(false);
                case SwitchState.RecordingFailure:
                    // The table missing or not in a state to switch, still updating, an error: recorded as the alarm's failed switch.
                    return await RecordAsync(new TableChange(target.Table, SwitchFailed, alarm.Time ?? clock.GetUtcNow(), environment.FunctionName,
                        new Dictionary<string, AttributeValue>(), new Dictionary<string, AttributeValue> { ["billingMode"] = new() { S = TableState.OnDemand } },
                        response.Reason, Details(alarm, response.Metric!, target.Cause), dryRun)).ConfigureAwait(false);
                default:
                    throw new InvalidOperationException($"No call in state {progress.State}.");
            }
        }
        catch (Exception ex)
        {
            return new SwitchAnswer.CallFailed(ex is ResourceNotFoundException, ex is DeadlineReachedException ? ex.Message : DynamoDbErrors.Describe(ex));
        }
    }

    private async Task<SwitchAnswer> RecordAsync(TableChange change)
        => new SwitchAnswer.Recorded(await audit.PutOnceAsync(change, deadline).ConfigureAwait(false));

    // The switch as it happened, without the indexes' ceilings DynamoDB refused in the request; null when it had them.
    private TableChange? AsSwitchedChange(SwitchProgress progress, AlarmNotification alarm, ThrottleTarget target)
        => progress.AsSwitchedAt is not { } at ? null
            : SwitchChange(alarm, target, progress.Table!, progress.Response.Metric!, progress.DryRun, indexesCapped: false) with
            {
                ChangeTime = at,
                Reason = "switched without the indexes' ceilings, which DynamoDB refused in the switch request",
            };

    /// <summary>
    /// Throttling a switch does not cure (a hot partition, the on-demand maximum, the account's
    /// quota): the table is left as it is; the audit trail, the log and a metric say why. The
    /// metric counts it when this invocation wrote the record: once per alarm state change.
    /// </summary>
    public Task<TableResponse> RecordNotSwitchedAsync(AlarmNotification alarm, ThrottleTarget target, bool dryRun)
        => ForTableAsync(AlarmResponse(alarm, target), async response =>
        {
            var table = await DescribeAsync(target.Table).ConfigureAwait(false);
            var recorded = response with { Outcome = ThrottleOutcome.NotSwitched, Reason = ThrottlePolicy.NotSwitched(target.Cause, table) };
            return await audit.PutOnceAsync(NotSwitchedChange(alarm, target, table, recorded, dryRun), deadline).ConfigureAwait(false)
                ? recorded with { CountsAs = ThrottleMetrics.NotSwitched(target.Cause) }
                : recorded;
        });

    private TableChange NotSwitchedChange(AlarmNotification alarm, ThrottleTarget target, TableState table, TableResponse response, bool dryRun)
    {
        var mode = new Dictionary<string, AttributeValue> { ["billingMode"] = new() { S = table.BillingMode } };
        return new TableChange(target.Table, ThrottleNotSwitched, alarm.Time ?? clock.GetUtcNow(), environment.FunctionName,
            mode, mode, response.Reason, Details(alarm, response.Metric!, target.Cause), dryRun);
    }

    // A retry or a duplicate delivery that finds the table on-demand after this alarm recorded a
    // failed switch: the trail's last word on the alarm must say so (see SwitchTrail). True when
    // this invocation wrote that word.
    private Task<bool> AmendFailureAsync(string table, DateTimeOffset alarmTime, string note, TableChange? asSwitched)
    {
        var now = clock.GetUtcNow();
        return _trail.AmendFailedSwitchAsync(table, alarmTime,
            intended => asSwitched is null ? intended with { ChangeTime = now, Reason = note } : asSwitched with { Reason = $"{asSwitched.Reason}; {note}" });
    }

    private static TableResponse AlarmResponse(AlarmNotification alarm, ThrottleTarget target) => new()
    {
        Alarm = alarm.AlarmName, Table = target.Table, Outcome = ThrottleOutcome.Failed, Cause = target.Cause,
        Metric = target.Index is null ? target.Metrics : $"{target.Metrics} on index {target.Index}",
    };

    // One table's work: a missing table or an error fails this table alone, with the reason; what
    // the response held when it failed (the capacity to restore) stays.
    private static async Task<TableResponse> ForTableAsync(TableResponse response, Func<TableResponse, Task<TableResponse>> work)
    {
        try
        {
            return await work(response).ConfigureAwait(false);
        }
        catch (ResourceNotFoundException)
        {
            return response with { Outcome = ThrottleOutcome.Failed, Reason = $"table {response.Table} does not exist" };
        }
        catch (Exception ex)
        {
            return response with { Outcome = ThrottleOutcome.Failed, Reason = ex is DeadlineReachedException ? ex.Message : DynamoDbErrors.Describe(ex) };
        }
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
                return response with { Outcome = ThrottleOutcome.AlreadyProvisioned, Reason = "already provisioned: nothing to restore" };
            if (await _trail.LastSwitchCapacityAsync(tableName).ConfigureAwait(false) is not { } saved)
                return response with { Reason = $"no {SwitchedToOnDemand} record of {tableName} in {audit.AuditTable}: the capacity to restore is unknown" };
            var (read, write, indexes, notes) = ThrottlePolicy.RestorePlan(saved, table.Indexes.Select(i => i.IndexName));
            // From here on the response shows the capacity to restore, whatever happens next.
            return await ForTableAsync(response with { Capacity = TableCapacityView.From(read, write, indexes) }, planned =>
                RestoreToAsync(table with { BillingMode = TableState.Provisioned, Read = read, Write = write, Indexes = indexes }, notes, dryRun, planned)).ConfigureAwait(false);
        }).ConfigureAwait(false);
        return result.Outcome == ThrottleOutcome.Failed ? result with { CountsAs = ThrottleMetrics.SwitchesFailed } : result;
    }

    private async Task<TableResponse> RestoreToAsync(TableState restored, IReadOnlyList<string> notes, bool dryRun, TableResponse planned)
    {
        var change = new TableChange(restored.Name, RestoredToProvisioned, clock.GetUtcNow(), environment.FunctionName,
            new Dictionary<string, AttributeValue> { ["billingMode"] = new() { S = TableState.OnDemand } },
            restored.CapacityForAudit(), notes.Count > 0 ? string.Join("; ", notes) : "restore requested", DryRun: dryRun);
        if (dryRun)
        {
            await audit.PutOnceAsync(change, deadline).ConfigureAwait(false);
            return planned with { Outcome = ThrottleOutcome.WouldRestore, Reason = "dry run: would switch back to provisioned" };
        }
        var updated = await UpdateWhenActiveAsync(new UpdateTableRequest
        {
            TableName = restored.Name,
            BillingMode = BillingMode.PROVISIONED,
            ProvisionedThroughput = new ProvisionedThroughput(restored.Read, restored.Write),
            GlobalSecondaryIndexUpdates = restored.Indexes.Count == 0 ? null : restored.Indexes.Select(i => new GlobalSecondaryIndexUpdate
            {
                Update = new UpdateGlobalSecondaryIndexAction { IndexName = i.IndexName, ProvisionedThroughput = new ProvisionedThroughput(i.Read, i.Write) },
            }).ToList(),
        }).ConfigureAwait(false);
        if (!updated)
            return planned with { Outcome = ThrottleOutcome.AlreadyProvisioned, Reason = "provisioned meanwhile by another restore: nothing to do" };
        return planned with
        {
            Outcome = ThrottleOutcome.Restored, Reason = change.Reason,
            CountsAs = await audit.PutOnceAsync(change, deadline).ConfigureAwait(false) ? ThrottleMetrics.TablesRestored : null,
        };
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
