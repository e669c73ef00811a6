namespace Functions.PitrGuard;

/// <summary>A table's point-in-time recovery as DescribeContinuousBackups tells it.</summary>
public sealed record PitrState(bool Enabled, int? RecoveryPeriodInDays)
{
    /// <summary>DynamoDB's period when none is stated: the full 35 days.</summary>
    public int EffectivePeriod => RecoveryPeriodInDays ?? PitrSettings.MaxRecoveryDays;

    public Dictionary<string, AttributeValue> ToAudit()
    {
        var setting = new Dictionary<string, AttributeValue>(StringComparer.Ordinal)
        {
            ["pointInTimeRecovery"] = new() { S = Enabled ? "ENABLED" : "DISABLED" },
        };
        if (Enabled) setting["recoveryPeriodInDays"] = new() { N = EffectivePeriod.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        return setting;
    }
}

/// <summary>What to do about one table's PITR: nothing, or one change (to make, or only to report).</summary>
public sealed record PitrDecision(PitrOutcome Outcome, string? EventName, PitrState? Target, string? Reason)
{
    public const string PitrEnabled = "PITR_ENABLED";
    public const string PitrPeriodRaised = "PITR_PERIOD_RAISED";

    public bool Changes => Outcome == PitrOutcome.Remediated;
}

/// <summary>
/// The rule: PITR on, with a recovery period of at least the policy's days. A longer period is
/// left alone (never lowered); a table tagged pitr=off is exempt and never changed.
/// </summary>
public static class PitrPolicy
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
