namespace Functions.NightlyBackup;

/// <summary>
/// The metrics of a backup run, in its EMF record (namespace METRICS_NAMESPACE, dimensions service
/// and environment): the names the dashboard and the rehearsal read. An integration test checks a
/// run's record carries exactly these.
/// </summary>
public static class BackupMetrics
{
    public const string BackupsCreated = "BackupsCreated";
    public const string BackupsSkipped = "BackupsSkipped";
    /// <summary>
    /// Tables this invocation left without the night's backup (failed, not reached, in use). Per
    /// invocation: Lambda's retries of a failed night count again, and a night a retry saved still
    /// shows one; no store tells a night's last attempt, so the errors alarm is what tells a person.
    /// </summary>
    public const string BackupsFailed = "BackupsFailed";
    public const string BackupsPruned = "BackupsPruned";
    /// <summary>Tables whose prune failed (not in use by a restore): the backup stands, the run ends in an error. Per invocation, like BackupsFailed.</summary>
    public const string PrunesFailed = "PrunesFailed";

    public static IReadOnlyList<string> All { get; } = [BackupsCreated, BackupsSkipped, BackupsFailed, BackupsPruned, PrunesFailed];
}
