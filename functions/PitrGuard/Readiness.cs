namespace Functions.PitrGuard;

/// <summary>The production-readiness checklist of the runbooks, beyond PITR.</summary>
internal static class Readiness
{
    public static readonly TimeSpan RecentBackupWindow = TimeSpan.FromHours(48);

    public static IReadOnlyList<Finding> Check(TableFacts table, string environmentName, DateTimeOffset asOf)
    {
        var findings = new List<Finding>();
        if (!table.DeletionProtection && environmentName != "dev")
            findings.Add(new(Finding.DeletionProtectionOff, $"deletion protection is off in {environmentName}"));
        if (table.IsBusinessTable && !table.StreamEnabled)
            findings.Add(new(Finding.NoStream, "a business table without a stream: its changes are not audited"));
        if (table.IsEphemeral && table.TtlEnabled != true)
            findings.Add(new(Finding.NoTtl, "listed in EPHEMERAL_TABLES but TTL is not enabled"));
        if (table.LatestOnDemandBackup is not { } latest || latest < asOf - RecentBackupWindow)
            findings.Add(new(Finding.NoRecentBackup, table.LatestOnDemandBackup is { } last
                ? $"the latest on-demand backup is from {last.UtcDateTime:yyyy-MM-dd HH:mm}Z, over 48 hours before this check"
                : "no on-demand backup in the last 48 hours"));
        return findings;
    }
}
