using System.Text.Json.Serialization;
using Functions.Common.Logging;

namespace Functions.NightlyBackup;

/// <summary>What one table's run came to, written as the string beside each member (conformance and CI read them).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<BackupOutcome>))]
public enum BackupOutcome
{
    [JsonStringEnumMemberName("created")] Created,
    [JsonStringEnumMemberName("would-create")] WouldCreate,
    [JsonStringEnumMemberName("exists")] Exists,
    [JsonStringEnumMemberName("skipped-tag")] SkippedByTag,
    [JsonStringEnumMemberName("in-use")] InUse,
    [JsonStringEnumMemberName("not-found")] NotFound,
    [JsonStringEnumMemberName("failed")] Failed,
    [JsonStringEnumMemberName("not-reached")] NotReached,
}

public static class BackupOutcomes
{
    /// <summary>Nothing to do tonight: the backup is there, the table opted out, or it is gone.</summary>
    public static bool IsSkipped(this BackupOutcome outcome) => outcome is BackupOutcome.Exists or BackupOutcome.SkippedByTag or BackupOutcome.NotFound;

    /// <summary>The night has no backup of the table: the run fails so that a person hears of it.</summary>
    public static bool IsMissed(this BackupOutcome outcome) => outcome is BackupOutcome.Failed or BackupOutcome.NotReached or BackupOutcome.InUse;

    /// <summary>As the summary writes it: for log lines and messages.</summary>
    public static string WireName(this BackupOutcome outcome) => Common.Logging.WireName.Of(outcome, BackupJsonContext.Default.BackupOutcome);
}
