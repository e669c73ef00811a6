namespace Functions.PitrGuard;

/// <summary>One item of the runbooks' production checklist a table does not meet (reported, never changed).</summary>
internal sealed record Finding(string Code, string Detail)
{
    public const string DeletionProtectionOff = "DELETION_PROTECTION_OFF";
    public const string NoStream = "NO_STREAM";
    public const string NoTtl = "NO_TTL";
    public const string NoRecentBackup = "NO_RECENT_BACKUP";
}
