namespace Functions.PitrGuard;

internal enum PitrMode
{
    /// <summary>Turn PITR on, raise a short recovery period.</summary>
    Enforce,
    /// <summary>Only say what is not compliant.</summary>
    Report,
}
