using System.Text.Json.Serialization;

namespace Functions.ThrottleResponder;

/// <summary>What happened to one table (or to an alarm), written as the string beside each member (conformance and CI read them).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ThrottleOutcome>))]
public enum ThrottleOutcome
{
    [JsonStringEnumMemberName("switched")] Switched,
    [JsonStringEnumMemberName("would-switch")] WouldSwitch,
    [JsonStringEnumMemberName("already-on-demand")] AlreadyOnDemand,
    /// <summary>Throttling that on-demand does not cure: recorded and reported, the table left as it is.</summary>
    [JsonStringEnumMemberName("not-switched")] NotSwitched,
    [JsonStringEnumMemberName("ignored")] Ignored,
    [JsonStringEnumMemberName("refused")] Refused,
    [JsonStringEnumMemberName("failed")] Failed,
    [JsonStringEnumMemberName("restored")] Restored,
    [JsonStringEnumMemberName("would-restore")] WouldRestore,
    [JsonStringEnumMemberName("already-provisioned")] AlreadyProvisioned,
}

public static class ThrottleOutcomes
{
    /// <summary>As the response writes it: for log lines.</summary>
    public static string WireName(this ThrottleOutcome outcome) => Common.Logging.WireName.Of(outcome, ThrottleJsonContext.Default.ThrottleOutcome);
}
