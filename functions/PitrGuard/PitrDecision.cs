namespace Functions.PitrGuard;

/// <summary>What to do about one table's PITR: nothing, or one change (to make, or only to report).</summary>
internal sealed record PitrDecision(PitrOutcome Outcome, string? EventName, PitrState? Target, string? Reason)
{
    public const string PitrEnabled = "PITR_ENABLED";
    public const string PitrPeriodRaised = "PITR_PERIOD_RAISED";

    public bool Changes => Outcome == PitrOutcome.Remediated;
}
