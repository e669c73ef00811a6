namespace Functions.NightlyBackup;

/// <summary>What pruning a table's old backups (and deleting second copies of a night's backup) came to, apart from the backup.</summary>
[JsonConverter(typeof(WireEnumConverter<PruneOutcome>))]
internal enum PruneOutcome
{
    Done,
    /// <summary>A backup to delete was in use (a restore from it runs): kept for the next run, not an error.</summary>
    InUse,
    /// <summary>A delete failed: the backup of the night stands, the run ends in an error.</summary>
    Failed,
}
