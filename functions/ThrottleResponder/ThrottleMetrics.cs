namespace Functions.ThrottleResponder;

/// <summary>
/// The metrics of a throttle response, in its EMF record (namespace METRICS_NAMESPACE, dimensions
/// service and environment): the names the dashboard and the rehearsal read. An integration test
/// checks a response's record carries exactly these. Each counts an event once, whatever the
/// deliveries and retries: a result adds to a metric only when its invocation wrote the audit
/// record of it (TableResponse.CountsAs).
/// </summary>
internal static class ThrottleMetrics
{
    public const string TablesSwitched = "TablesSwitched";
    public const string SwitchesRefused = "SwitchesRefused";
    public const string SwitchesFailed = "SwitchesFailed";
    public const string TablesRestored = "TablesRestored";
    /// <summary>Throttling recorded and not switched, by cause: a hot partition, the on-demand maximum, the account limit.</summary>
    public const string HotPartitionThrottles = "HotPartitionThrottles";
    public const string OnDemandMaximumThrottles = "OnDemandMaximumThrottles";
    public const string AccountLimitThrottles = "AccountLimitThrottles";

    /// <summary>The metric of throttling a switch does not cure, by its cause (ThrottleCauses).</summary>
    public static string NotSwitched(string cause) => cause switch
    {
        ThrottleCauses.KeyRange => HotPartitionThrottles,
        ThrottleCauses.OnDemandMaximum => OnDemandMaximumThrottles,
        ThrottleCauses.AccountLimit => AccountLimitThrottles,
        _ => throw new ArgumentOutOfRangeException(nameof(cause), cause, "a switch cures this cause"),
    };

    public static IReadOnlyList<string> All { get; } =
        [TablesSwitched, SwitchesRefused, SwitchesFailed, TablesRestored, HotPartitionThrottles, OnDemandMaximumThrottles, AccountLimitThrottles];
}
