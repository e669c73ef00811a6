namespace Functions.NightlyBackup;

internal static class BackupOutcomes
{
    /// <summary>Nothing to do tonight: the backup is there, the table opted out, or it is gone.</summary>
    public static bool IsSkipped(this BackupOutcome outcome) => outcome is BackupOutcome.Exists or BackupOutcome.SkippedTag or BackupOutcome.NotFound;

    /// <summary>The night has no backup of the table: the run fails so that a person hears of it.</summary>
    public static bool IsMissed(this BackupOutcome outcome) => outcome is BackupOutcome.Failed or BackupOutcome.NotReached or BackupOutcome.InUse;
}
