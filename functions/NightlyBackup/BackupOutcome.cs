namespace Functions.NightlyBackup;

/// <summary>What one table's run came to, written in kebab-case, as the responses always wrote it (conformance and CI read them).</summary>
[JsonConverter(typeof(WireEnumConverter<BackupOutcome>))]
internal enum BackupOutcome
{
    Created,
    WouldCreate,
    Exists,
    SkippedTag,
    InUse,
    NotFound,
    Failed,
    NotReached,
}
