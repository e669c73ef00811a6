using Amazon.Runtime;

namespace Functions.NightlyBackup;

/// <summary>
/// One table's night: its tags, one ListBackups page (in the steady state), CreateBackup unless
/// the night's backup exists and ListBackups again to see that it is the only one of its name,
/// DeleteBackup for a second copy of any night and for what retention lets go. The decisions are BackupNaming's,
/// NightlyDuplicates' and RetentionPolicy's; this class only calls DynamoDB.
/// </summary>
internal sealed class TableBackup(IAmazonDynamoDB dynamoDb, ControlPlane controlPlane, RetentionPolicy retention, InvocationDeadline deadline)
{
    public const string SkipTagKey = "backup";
    public const string SkipTagValue = "skip";

    public async Task<TableBackupResult> RunAsync(string table, string tableArn, DateOnly night, DateTimeOffset asOf, bool dryRun)
    {
        var name = BackupNaming.NameFor(table, night);
        var result = new TableBackupResult { Table = table, Outcome = BackupOutcome.Failed, Backup = name };
        List<BackupInfo> backups;
        try
        {
            if (await TableTags.HasAsync(dynamoDb, controlPlane, tableArn, SkipTagKey, SkipTagValue, deadline).ConfigureAwait(false))
                return result with { Outcome = BackupOutcome.SkippedTag, Reason = $"tagged {SkipTagKey}={SkipTagValue}", Backup = null };

            backups = await ListBackupsAsync(table).ConfigureAwait(false);
            if (NightlyDuplicates.Of(name, backups).Kept is { } tonight)
            {
                result = result with { Outcome = BackupOutcome.Exists, BackupArn = tonight.Arn, Reason = $"{name} is already {tonight.Status}" };
            }
            else if (dryRun)
            {
                result = result with { Outcome = BackupOutcome.WouldCreate };
                backups.Add(new BackupInfo(name, "", asOf, BackupInfo.Creating)); // what retention would see
            }
            else
            {
                var (created, seenSince) = await CreateAsync(table, name).ConfigureAwait(false);
                // Looked at after the fact: a request resent below the function (or a run at
                // the same time) may have made a second backup of the name. ListBackups may not
                // show a backup made a moment ago yet: the one made is added.
                backups = [.. seenSince ?? await ListBackupsAsync(table).ConfigureAwait(false), created];
                // Counted as made only when it is the night's backup: a copy of one made first
                // (a manual run during the scheduled one) is a duplicate, deleted below, not a second backup.
                result = NightlyDuplicates.Of(name, backups).Kept is { } kept && kept.Arn != created.Arn
                    ? result with
                    {
                        Outcome = BackupOutcome.Exists, BackupArn = kept.Arn,
                        Reason = $"{name} was made first, by another run or a request of this one whose answer was lost: this run's copy is a duplicate",
                    }
                    : result with { Outcome = BackupOutcome.Created, BackupArn = created.Arn, Created = true };
            }
        }
        catch (AmazonServiceException ex) when (ex.ErrorCode is "TableNotFoundException" or "ResourceNotFoundException")
        {
            return result with { Outcome = BackupOutcome.NotFound, Reason = $"the table is gone or not yet there ({ex.ErrorCode})" };
        }
        catch (AmazonServiceException ex) when (ex.ErrorCode is "TableInUseException" or "ResourceInUseException")
        {
            return result with { Outcome = BackupOutcome.InUse, Reason = $"the table is being created, updated or deleted ({ex.ErrorCode})" };
        }
        catch (Exception ex)
        {
            return result with { Outcome = BackupOutcome.Failed, Reason = ex is DeadlineReachedException ? ex.Message : DynamoDbErrors.Describe(ex) };
        }

        if (dryRun)
            return result with { WouldPrune = retention.ToPrune(table, backups, asOf).Select(b => b.Name).ToList() };
        // The night's backup stands from here on: what follows is tidying, reported apart. Second
        // copies of any night go (one this night's run did not see yet, or could not delete while
        // it was in use, is found now), from the list in hand.
        var (duplicates, prune) = await DeleteAllAsync(NightlyDuplicates.OfEveryNight(table, backups).Extra, PruneProgress.Done, "a second backup of its night").ConfigureAwait(false);
        (var pruned, prune) = await DeleteAllAsync(retention.ToPrune(table, backups, asOf), prune, "an old backup").ConfigureAwait(false);
        return result with
        {
            BackupArn = NightlyDuplicates.Of(name, backups).Kept?.Arn ?? result.BackupArn,
            DuplicatesDeleted = duplicates.Count > 0 ? duplicates.Select(b => b.Arn).ToList() : null,
            Pruned = pruned.Select(b => b.Name).ToList(),
            Prune = prune.Outcome,
            PruneReason = prune.Reason,
        };
    }

    /// <summary>
    /// Deletes each backup; returns those deleted and how pruning stands. One in use (a restore
    /// from it runs) stays for the next run; any other error is the prune's failure, never the backup's.
    /// </summary>
    private async Task<(List<BackupInfo> Deleted, PruneProgress Prune)> DeleteAllAsync(IReadOnlyList<BackupInfo> backups, PruneProgress prune, string what)
    {
        var deleted = new List<BackupInfo>();
        foreach (var backup in backups)
        {
            try
            {
                if (await DeleteAsync(backup).ConfigureAwait(false)) deleted.Add(backup);
            }
            catch (AmazonServiceException ex) when (ex.ErrorCode == "BackupInUseException")
            {
                prune = prune.After(PruneOutcome.InUse, $"{what} ({backup.Name}) is in use, a restore from it most likely: the next run deletes it");
            }
            catch (Exception ex)
            {
                prune = prune.After(PruneOutcome.Failed, ex is DeadlineReachedException ? ex.Message : DynamoDbErrors.Describe(ex));
            }
        }
        return (deleted, prune);
    }

    // USER backups only (ListBackups' default): SYSTEM and AWS_BACKUP ones are never the suite's.
    private async Task<List<BackupInfo>> ListBackupsAsync(string table)
    {
        var backups = new List<BackupInfo>();
        string? start = null;
        do
        {
            var page = await controlPlane.CallAsync("ListBackups",
                t => dynamoDb.ListBackupsAsync(new ListBackupsRequest { TableName = table, Limit = 100, ExclusiveStartBackupArn = start }, t),
                deadline).ConfigureAwait(false);
            backups.AddRange((page.BackupSummaries ?? [])
                .Where(b => b.TableName == table)
                .Select(b => new BackupInfo(b.BackupName, b.BackupArn, ToUtc(b.BackupCreationDateTime), b.BackupStatus?.Value ?? "", b.BackupType?.Value ?? "")));
            start = string.IsNullOrEmpty(page.LastEvaluatedBackupArn) ? null : page.LastEvaluatedBackupArn;
        } while (start is not null);
        return backups;
    }

    /// <summary>
    /// DynamoDB allows two backups with one name: after a lost answer, look before sending again.
    /// Returns the backup made, and the list of the look that found it (a look after the fact), if any.
    /// </summary>
    private async Task<(BackupInfo Created, List<BackupInfo>? SeenSince)> CreateAsync(string table, string name)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var created = await controlPlane.CallAsync("CreateBackup",
                    t => dynamoDb.CreateBackupAsync(new CreateBackupRequest { TableName = table, BackupName = name }, t),
                    deadline, idempotent: false).ConfigureAwait(false);
                var details = created.BackupDetails;
                return (new BackupInfo(name, details?.BackupArn ?? "", ToUtc(details?.BackupCreationDateTime), details?.BackupStatus?.Value ?? BackupInfo.Creating), null);
            }
            catch (OutcomeUnknownException) when (attempt < MaxCreateAttempts)
            {
                var seen = await ListBackupsAsync(table).ConfigureAwait(false);
                if (NightlyDuplicates.Of(name, seen).Kept is { } landed) return (landed, seen);
            }
        }
    }

    private const int MaxCreateAttempts = 3;

    /// <summary>False when the backup was already gone (another run or a person deleted it).</summary>
    private async Task<bool> DeleteAsync(BackupInfo backup)
    {
        try
        {
            await controlPlane.CallAsync("DeleteBackup",
                t => dynamoDb.DeleteBackupAsync(new DeleteBackupRequest { BackupArn = backup.Arn }, t),
                deadline).ConfigureAwait(false);
            return true;
        }
        catch (AmazonServiceException ex) when (ex.ErrorCode == "BackupNotFoundException")
        {
            return false;
        }
    }

    private static DateTimeOffset ToUtc(DateTime? time)
        => time is { } t ? new DateTimeOffset(t.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(t, DateTimeKind.Utc) : t.ToUniversalTime()) : DateTimeOffset.MinValue;
}
