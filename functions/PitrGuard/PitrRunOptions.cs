namespace Functions.PitrGuard;

/// <summary>A run's options, from the event's detail: <c>{"mode": "report"}</c>. Unknown options are refused.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class PitrRunOptions
{
    /// <summary>enforce or report: overrides PITR_MODE for this run.</summary>
    public string? Mode { get; init; }
}
