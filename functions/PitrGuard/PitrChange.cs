namespace Functions.PitrGuard;

/// <summary>A PITR change: made (enforce) or only needed (report).</summary>
internal sealed record PitrChange
{
    public required string EventName { get; init; }
    public required string Before { get; init; }
    public required string After { get; init; }
    /// <summary>False when this very change had been audited already (a replay of the same run).</summary>
    public bool Audited { get; init; }
}
