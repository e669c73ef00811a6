using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Functions.Common.DynamoDb;
using Functions.Common.Runtime;
using Functions.Common.Scheduled;

namespace Functions.NightlyBackup;

/// <summary>
/// One table's night: its tags, one ListBackups page (in the steady state), CreateBackup unless
/// the night's backup exists, DeleteBackup for what retention lets go. The decisions are
/// BackupNaming's and RetentionPolicy's; this class only calls DynamoDB.
/// </summary>
internal sealed class TableBackup(IAmazonDynamoDB dynamoDb, ControlPlane controlPlane, RetentionPolicy retention, InvocationDeadline deadline)
{
    public const string SkipTagKey = "backup";
    public const string SkipTagValue = "skip";

    public async Task<TableBackupResult> RunAsync(string table, string tableArn, DateOnly night, DateTimeOffset asOf, bool dryRun)
    {
        var name = BackupNaming.NameFor(table, night);
        var result = new TableBackupResult { Table = table, Outcome = BackupOutcome.Failed, Backup = name };
        try
        {
            if (await TableTags.HasAsync(dynamoDb, controlPlane, tableArn, SkipTagKey, SkipTagValue, deadline).ConfigureAwait(false))
            {
                (result.Outcome, result.Reason, result.Backup) = (BackupOutcome.SkippedByTag, $"tagged {SkipTagKey}={SkipTagValue}", null);
                return result;
            }

            var backups = await ListBackupsAsync(table).ConfigureAwait(false);
            var tonight = backups.Where(b => b.Name == name && b.IsUsable).OrderByDescending(b => b.Created).FirstOrDefault();
            if (tonight is not null)
            {
                (result.Outcome, result.BackupArn, result.Reason) = (BackupOutcome.Exists, tonight.Arn, $"{name} is already {tonight.Status}");
            }
            else if (dryRun)
            {
                result.Outcome = BackupOutcome.WouldCreate;
                tonight = new BackupInfo(name, "", asOf, BackupInfo.Creating);
            }
            else
            {
                tonight = await CreateAsync(table, name).ConfigureAwait(false);
                (result.Outcome, result.BackupArn, result.Created) = (BackupOutcome.Created, tonight.Arn, true);
            }

            var prune = retention.ToPrune(table, backups.Append(tonight), asOf);
            if (dryRun)
            {
                result.WouldPrune = prune.Select(b => b.Name).ToList();
                return result;
            }
            result.Pruned = [];
            foreach (var backup in prune)
            {
                if (await DeleteAsync(backup).ConfigureAwait(false)) result.Pruned.Add(backup.Name);
            }
            return result;
        }
        catch (AmazonServiceException ex) when (ex.ErrorCode is "TableNotFoundException" or "ResourceNotFoundException")
        {
            (result.Outcome, result.Reason) = (BackupOutcome.NotFound, $"the table is gone or not yet there ({ex.ErrorCode})");
        }
        catch (AmazonServiceException ex) when (ex.ErrorCode is "TableInUseException" or "ResourceInUseException")
        {
            (result.Outcome, result.Reason) = (BackupOutcome.InUse, $"the table is being created, updated or deleted ({ex.ErrorCode}); the next run takes it");
        }
        catch (Exception ex)
        {
            (result.Outcome, result.Reason) = (BackupOutcome.Failed, ex is DeadlineReachedException ? ex.Message : DynamoDbErrors.Describe(ex));
        }
        return result;
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

    // DynamoDB allows two backups with one name: after a lost answer, look before sending again.
    private async Task<BackupInfo> CreateAsync(string table, string name)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var created = await controlPlane.CallAsync("CreateBackup",
                    t => dynamoDb.CreateBackupAsync(new CreateBackupRequest { TableName = table, BackupName = name }, t),
                    deadline, idempotent: false).ConfigureAwait(false);
                var details = created.BackupDetails;
                return new BackupInfo(name, details?.BackupArn ?? "", ToUtc(details?.BackupCreationDateTime), details?.BackupStatus?.Value ?? BackupInfo.Creating);
            }
            catch (OutcomeUnknownException) when (attempt < MaxCreateAttempts)
            {
                var landed = (await ListBackupsAsync(table).ConfigureAwait(false)).FirstOrDefault(b => b.Name == name && b.IsUsable);
                if (landed is not null) return landed;
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
