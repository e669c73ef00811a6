namespace Functions.PitrGuard;

/// <summary>What the checklist needs to know of a table. TtlEnabled is null when TTL was not asked (not ephemeral).</summary>
internal sealed record TableFacts(
    string Name, bool IsBusinessTable, bool IsEphemeral, bool DeletionProtection, bool StreamEnabled,
    bool? TtlEnabled, DateTimeOffset? LatestOnDemandBackup);
