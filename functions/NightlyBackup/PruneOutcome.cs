using System.Text.Json.Serialization;

namespace Functions.NightlyBackup;

/// <summary>What pruning a table's old backups (and deleting second copies of a night's backup) came to, apart from the backup.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PruneOutcome>))]
public enum PruneOutcome
{
    [JsonStringEnumMemberName("done")] Done,
    /// <summary>A backup to delete was in use (a restore from it runs): kept for the next run, not an error.</summary>
    [JsonStringEnumMemberName("in-use")] InUse,
    /// <summary>A delete failed: the backup of the night stands, the run ends in an error.</summary>
    [JsonStringEnumMemberName("failed")] Failed,
}

/// <summary>
/// How a table's deletes are going: done until one is in use (the latest says why) or fails; a
/// failure is the last word.
/// </summary>
internal sealed record PruneProgress(PruneOutcome Outcome, string? Reason)
{
    public static PruneProgress Done { get; } = new(PruneOutcome.Done, null);

    public PruneProgress After(PruneOutcome outcome, string reason) => Outcome == PruneOutcome.Failed ? this : new(outcome, reason);
}

public static class PruneOutcomes
{
    /// <summary>As the summary writes it: for log lines.</summary>
    public static string WireName(this PruneOutcome outcome) => Common.Logging.WireName.Of(outcome, BackupJsonContext.Default.PruneOutcome);
}
