namespace Functions.PitrGuard;

/// <summary>A table's point-in-time recovery as DescribeContinuousBackups tells it.</summary>
internal sealed record PitrState(bool Enabled, int? RecoveryPeriodInDays)
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
