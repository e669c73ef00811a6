namespace Functions.PitrGuard;

/// <summary>
/// The rule: PITR on, with a recovery period of at least the policy's days. A longer period is
/// left alone (never lowered); a table tagged pitr=off is exempt and never changed.
/// </summary>
internal static class PitrPolicy
{
    public const string ExemptTagKey = "pitr";
    public const string ExemptTagValue = "off";

    public static PitrDecision Decide(PitrState state, bool exempt, PitrMode mode, int policyDays)
    {
        if (exempt)
            return new(PitrOutcome.Exempt, null, null, $"tagged {ExemptTagKey}={ExemptTagValue}" + (state.Enabled ? "" : " (PITR is off)"));
        var target = new PitrState(true, policyDays);
        if (!state.Enabled)
            return Act(mode, PitrDecision.PitrEnabled, target, "point-in-time recovery is off");
        if (state.EffectivePeriod < policyDays)
            return Act(mode, PitrDecision.PitrPeriodRaised, target, $"recovery period {state.EffectivePeriod} days, policy {policyDays}");
        return new(PitrOutcome.Compliant, null, null, null);
    }

    private static PitrDecision Act(PitrMode mode, string eventName, PitrState target, string reason)
        => new(mode == PitrMode.Enforce ? PitrOutcome.Remediated : PitrOutcome.NonCompliant, eventName, target, reason);
}
