namespace Functions.NightlyBackup;

/// <summary>
/// The metrics of a backup run, in its EMF record (namespace METRICS_NAMESPACE, dimensions service
/// and environment): the names the dashboard and the rehearsal read. An integration test checks a
/// run's record carries exactly these.
/// </summary>
internal static class BackupMetrics
{
    /// <summary>Backups this invocation made that are the night's: a copy of one made first is not counted (DuplicateBackupsDeleted says it went).</summary>
    public const string BackupsCreated = "BackupsCreated";
    /// <summary>
    /// Tables with the night's backup after this invocation, whoever made it: a state, not an
    /// action, so the dashboard takes its Maximum over the night and two runs of one night (a
    /// manual one during the scheduled one) still read as one backup per table.
    /// </summary>
    public const string BackupsKept = "BackupsKept";
    /// <summary>Second copies of a night's backup this invocation deleted (each once: a copy already gone is not counted).</summary>
    public const string DuplicateBackupsDeleted = "DuplicateBackupsDeleted";
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

    public static IReadOnlyList<string> All { get; } = [BackupsCreated, BackupsKept, DuplicateBackupsDeleted, BackupsSkipped, BackupsFailed, BackupsPruned, PrunesFailed];
}
