using System.Globalization;

namespace Functions.PitrGuard;

public enum PitrMode
{
    /// <summary>Turn PITR on, raise a short recovery period.</summary>
    Enforce,
    /// <summary>Only say what is not compliant.</summary>
    Report,
}
