namespace Functions.PitrGuard;

/// <summary>What one table's check came to, written in kebab-case, as the responses always wrote it (conformance and CI read them).</summary>
[JsonConverter(typeof(WireEnumConverter<PitrOutcome>))]
internal enum PitrOutcome
{
    Compliant,
    Remediated,
    NonCompliant,
    Exempt,
    InUse,
    NotFound,
    Failed,
    NotReached,
}
