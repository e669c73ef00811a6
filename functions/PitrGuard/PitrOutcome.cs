using System.Text.Json.Serialization;

namespace Functions.PitrGuard;

/// <summary>What one table's check came to, written as the string beside each member (conformance and CI read them).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PitrOutcome>))]
public enum PitrOutcome
{
    [JsonStringEnumMemberName("compliant")] Compliant,
    [JsonStringEnumMemberName("remediated")] Remediated,
    [JsonStringEnumMemberName("non-compliant")] NonCompliant,
    [JsonStringEnumMemberName("exempt")] Exempt,
    [JsonStringEnumMemberName("in-use")] InUse,
    [JsonStringEnumMemberName("not-found")] NotFound,
    [JsonStringEnumMemberName("failed")] Failed,
    [JsonStringEnumMemberName("not-reached")] NotReached,
}

public static class PitrOutcomes
{
    /// <summary>As the report writes it: for messages.</summary>
    public static string WireName(this PitrOutcome outcome) => Common.Logging.WireName.Of(outcome, PitrJsonContext.Default.PitrOutcome);
}
