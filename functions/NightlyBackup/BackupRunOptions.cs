namespace Functions.NightlyBackup;

/// <summary>
/// A run's options, from the event's detail: <c>{"dryRun": true}</c>, <c>{"tables": ["orders"]}</c>.
/// An unknown option is refused rather than ignored: a misspelt dryRun must not become a real run.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class BackupRunOptions
{
    /// <summary>Report what would be created and pruned; change nothing.</summary>
    public bool DryRun { get; init; }

    /// <summary>Only these tables: suffixes (orders) or full names (maip-dev-orders).</summary>
    public List<string>? Tables { get; init; }
}
