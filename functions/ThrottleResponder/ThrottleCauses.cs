namespace Functions.ThrottleResponder;

/// <summary>
/// Why DynamoDB throttles, as its CloudWatch metrics (namespace AWS/DynamoDB) tell it (developer
/// guide, "CloudWatch throttling metrics" and "Diagnosing throttling"). Only provisioned capacity
/// is lifted by a switch to on-demand; a hot partition is throttled in both modes, the on-demand
/// maximum and the account's per-table quota are limits of on-demand itself.
/// </summary>
internal static class ThrottleCauses
{
    public const string ProvisionedCapacity = "provisioned-capacity";
    public const string KeyRange = "key-range";
    public const string OnDemandMaximum = "on-demand-maximum";
    public const string AccountLimit = "account-limit";
    /// <summary>The generic metrics (ReadThrottleEvents, ...) say no cause: alarms users made on them switch, as before the by-cause metrics.</summary>
    public const string Unattributed = "unattributed";

    /// <summary>Every throttling metric the responder handles, with its cause; the template's EventBridge rule matches exactly these names.</summary>
    public static IReadOnlyDictionary<string, string> OfMetric { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ReadProvisionedThroughputThrottleEvents"] = ProvisionedCapacity,
        ["WriteProvisionedThroughputThrottleEvents"] = ProvisionedCapacity,
        ["ReadKeyRangeThroughputThrottleEvents"] = KeyRange,
        ["WriteKeyRangeThroughputThrottleEvents"] = KeyRange,
        ["ReadMaxOnDemandThroughputThrottleEvents"] = OnDemandMaximum,
        ["WriteMaxOnDemandThroughputThrottleEvents"] = OnDemandMaximum,
        ["ReadAccountLimitThrottleEvents"] = AccountLimit,
        ["WriteAccountLimitThrottleEvents"] = AccountLimit,
        ["ReadThrottleEvents"] = Unattributed,
        ["WriteThrottleEvents"] = Unattributed,
        ["ThrottledRequests"] = Unattributed,
    };

    public static bool OnDemandHelps(string cause) => cause is ProvisionedCapacity or Unattributed;

    // When one alarm watches several causes of a table (metric math), a cause a switch cures
    // decides: the alarm may be firing for it.
    private static readonly string[] Precedence = [ProvisionedCapacity, Unattributed, KeyRange, OnDemandMaximum, AccountLimit];

    public static string Deciding(IEnumerable<string> causes) => Precedence.First(causes.Contains);
}
