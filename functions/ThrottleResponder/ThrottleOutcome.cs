namespace Functions.ThrottleResponder;

/// <summary>What happened to one table (or to an alarm), written in kebab-case, as the responses always wrote it (conformance and CI read them).</summary>
[JsonConverter(typeof(WireEnumConverter<ThrottleOutcome>))]
internal enum ThrottleOutcome
{
    Switched,
    WouldSwitch,
    AlreadyOnDemand,
    /// <summary>Throttling that on-demand does not cure: recorded and reported, the table left as it is.</summary>
    NotSwitched,
    Ignored,
    Refused,
    Failed,
    Restored,
    WouldRestore,
    AlreadyProvisioned,
}
