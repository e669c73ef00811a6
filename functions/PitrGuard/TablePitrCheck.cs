using Amazon.Runtime;

namespace Functions.PitrGuard;

/// <summary>
/// One table's check: DescribeTable, its tags, DescribeContinuousBackups, the change and its
/// audit record when enforcing, TTL when it is listed as ephemeral, and its recent backups.
/// PitrPolicy and Readiness decide; this class only calls DynamoDB.
/// </summary>
internal sealed class TablePitrCheck(
    IAmazonDynamoDB dynamoDb, ControlPlane controlPlane, TableAuditWriter audit, PitrSettings settings,
    FunctionEnvironment environment, InvocationDeadline deadline)
{
    public async Task<TablePitrResult> RunAsync(string table, PitrMode mode, DateTimeOffset asOf)
    {
        // The change is known before it is made: a failure after it says which change it was.
        PitrChange? change = null;
        try
        {
            var description = (await controlPlane.CallAsync("DescribeTable",
                t => dynamoDb.DescribeTableAsync(new DescribeTableRequest { TableName = table }, t), deadline).ConfigureAwait(false)).Table;
            var exempt = await TableTags.HasAsync(dynamoDb, controlPlane, description.TableArn, PitrPolicy.ExemptTagKey, PitrPolicy.ExemptTagValue, deadline).ConfigureAwait(false);
            var state = await PitrStateAsync(table).ConfigureAwait(false);

            var decision = PitrPolicy.Decide(state, exempt, mode, settings.RecoveryDays);
            if (decision.EventName is not null)
                change = new PitrChange { EventName = decision.EventName, Before = Describe(state), After = Describe(decision.Target!) };
            if (decision.Changes)
                change = change! with { Audited = await RemediateAsync(table, state, decision, asOf).ConfigureAwait(false) };

            var findings = Readiness.Check(await FactsAsync(table, description, asOf).ConfigureAwait(false), environment.EnvironmentName, asOf);
            return new TablePitrResult { Table = table, Outcome = decision.Outcome, Reason = decision.Reason, Change = change, Findings = [.. findings] };
        }
        catch (AmazonServiceException ex) when (ex.ErrorCode is "TableNotFoundException" or "ResourceNotFoundException")
        {
            return new TablePitrResult { Table = table, Outcome = PitrOutcome.NotFound, Reason = $"the table is gone or not yet there ({ex.ErrorCode})", Change = change };
        }
        catch (AmazonServiceException ex) when (ex.ErrorCode is "ResourceInUseException" or "TableInUseException")
        {
            return new TablePitrResult
            {
                Table = table, Outcome = PitrOutcome.InUse, Reason = $"the table is being created, updated or deleted ({ex.ErrorCode}); the next run checks it", Change = change,
            };
        }
        catch (Exception ex)
        {
            var why = ex is DeadlineReachedException ? ex.Message : DynamoDbErrors.Describe(ex);
            return new TablePitrResult { Table = table, Outcome = PitrOutcome.Failed, Reason = change is null ? why : $"{change.EventName}: {why}", Change = change };
        }
    }

    // The change first, its record after: a lost record leaves PITR right and the table failed
    // (with its before and after in the log); the record's key is the run's scheduled time, so a
    // retry of the same run that changes it again finds the record and does not write a second.
    private async Task<bool> RemediateAsync(string table, PitrState before, PitrDecision decision, DateTimeOffset asOf)
    {
        await controlPlane.CallAsync("UpdateContinuousBackups", t => dynamoDb.UpdateContinuousBackupsAsync(new UpdateContinuousBackupsRequest
        {
            TableName = table,
            PointInTimeRecoverySpecification = new PointInTimeRecoverySpecification
            {
                PointInTimeRecoveryEnabled = true,
                RecoveryPeriodInDays = decision.Target!.RecoveryPeriodInDays,
            },
        }, t), deadline).ConfigureAwait(false);
        return await audit.PutOnceAsync(new TableChange(table, decision.EventName!, asOf, environment.FunctionName,
            before.ToAudit(), decision.Target!.ToAudit(), decision.Reason), deadline).ConfigureAwait(false);
    }

    private async Task<PitrState> PitrStateAsync(string table)
    {
        var described = await controlPlane.CallAsync("DescribeContinuousBackups",
            t => dynamoDb.DescribeContinuousBackupsAsync(new DescribeContinuousBackupsRequest { TableName = table }, t), deadline).ConfigureAwait(false);
        var pitr = described.ContinuousBackupsDescription?.PointInTimeRecoveryDescription;
        return new PitrState(pitr?.PointInTimeRecoveryStatus?.Value == "ENABLED", pitr?.RecoveryPeriodInDays);
    }

    private async Task<TableFacts> FactsAsync(string table, TableDescription description, DateTimeOffset asOf)
    {
        var ephemeral = environment.TablePrefix.SuffixOf(table) is { } suffix && settings.EphemeralSuffixes.Contains(suffix);
        bool? ttl = null;
        if (ephemeral)
        {
            var described = await controlPlane.CallAsync("DescribeTimeToLive",
                t => dynamoDb.DescribeTimeToLiveAsync(new DescribeTimeToLiveRequest { TableName = table }, t), deadline).ConfigureAwait(false);
            ttl = described.TimeToLiveDescription?.TimeToLiveStatus?.Value == "ENABLED";
        }
        return new TableFacts(table,
            IsBusinessTable: TableCatalog.FindBusiness(table, environment.TablePrefix) is not null,
            IsEphemeral: ephemeral,
            DeletionProtection: description.DeletionProtectionEnabled == true,
            StreamEnabled: description.StreamSpecification?.StreamEnabled == true,
            TtlEnabled: ttl,
            LatestOnDemandBackup: await LatestOnDemandBackupAsync(table, asOf).ConfigureAwait(false));
    }

    // USER and AWS_BACKUP backups are on-demand; SYSTEM ones are made when a table is deleted.
    // The time bound saves pages on AWS; moto ignores it, hence the filter here as well.
    private async Task<DateTimeOffset?> LatestOnDemandBackupAsync(string table, DateTimeOffset asOf)
    {
        var since = asOf - Readiness.RecentBackupWindow;
        DateTimeOffset? latest = null;
        string? start = null;
        do
        {
            var page = await controlPlane.CallAsync("ListBackups", t => dynamoDb.ListBackupsAsync(new ListBackupsRequest
            {
                TableName = table, BackupType = BackupTypeFilter.ALL, TimeRangeLowerBound = since.UtcDateTime, Limit = 100, ExclusiveStartBackupArn = start,
            }, t), deadline).ConfigureAwait(false);
            foreach (var backup in page.BackupSummaries ?? [])
            {
                if (backup.TableName != table || backup.BackupType?.Value == "SYSTEM" || backup.BackupStatus?.Value == "DELETED") continue;
                if (backup.BackupCreationDateTime is not { } time) continue;
                var created = new DateTimeOffset(time.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(time, DateTimeKind.Utc) : time.ToUniversalTime());
                if (latest is null || created > latest) latest = created;
            }
            start = string.IsNullOrEmpty(page.LastEvaluatedBackupArn) ? null : page.LastEvaluatedBackupArn;
        } while (start is not null);
        return latest;
    }

    private static string Describe(PitrState state) => state.Enabled ? $"ENABLED, {state.EffectivePeriod} days" : "DISABLED";
}
