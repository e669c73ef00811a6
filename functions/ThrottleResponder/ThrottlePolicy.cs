namespace Functions.ThrottleResponder;

/// <summary>A table an alarm says is throttled, what says so, and why it is throttled.</summary>
internal sealed record ThrottleTarget(string Table, string Metrics, string? Index, string Cause);

/// <summary>Why an alarm, or one table of it, is not acted on.</summary>
internal sealed record Refusal(string? Table, string Reason);

internal enum SwitchStep { Switch, AlreadyOnDemand, Wait, Refuse, Fail }

/// <summary>The responder's decisions, without AWS.</summary>
internal static class ThrottlePolicy
{
    public const string OptOutTagKey = "throttle-responder";
    public const string OptOutTagValue = "off";
    public const int SwitchesPerDay = 4;

    /// <summary>
    /// The tables an alarm in ALARM points at: every DynamoDB throttling metric of it (each metric
    /// of a metric-math alarm, each Metrics Insights query by the TableName its WHERE pins), by its
    /// TableName dimension, with the cause the metrics tell; an index's alarm points at its table
    /// (its indexes follow its billing mode). Tables of other environments are refused.
    /// </summary>
    public static (IReadOnlyList<ThrottleTarget> Targets, IReadOnlyList<Refusal> Refused) TargetsOf(AlarmNotification alarm, TablePrefix prefix)
    {
        var throttles = alarm.Metrics
            .Where(m => m.Namespace == "AWS/DynamoDB" && m.MetricName is not null && ThrottleCauses.OfMetric.ContainsKey(m.MetricName) && m.Dimension("TableName") is { Length: > 0 })
            .GroupBy(m => m.Dimension("TableName")!, StringComparer.Ordinal)
            .ToList();
        if (throttles.Count == 0)
            return ([], [new Refusal(null, "the alarm watches no DynamoDB throttling metric (namespace AWS/DynamoDB, with a TableName, or a Metrics Insights query whose WHERE pins TableName = '...') the responder knows: "
                                           + string.Join(", ", ThrottleCauses.OfMetric.Keys))]);

        var targets = new List<ThrottleTarget>();
        var refused = new List<Refusal>();
        foreach (var table in throttles)
        {
            if (prefix.WhyNotOwned(table.Key) is { } notOurs)
            {
                refused.Add(new Refusal(table.Key, $"{notOurs}: never changed"));
                continue;
            }
            var metrics = string.Join(", ", table.Select(m => m.MetricName).Distinct(StringComparer.Ordinal))
                          + (table.Any(m => m.IsQuery && m.Dimension("GlobalSecondaryIndexName") is null) ? " (the table and each of its indexes)" : "");
            targets.Add(new ThrottleTarget(table.Key, metrics, table.Select(m => m.Dimension("GlobalSecondaryIndexName")).FirstOrDefault(i => i is not null),
                ThrottleCauses.Deciding(table.Select(m => ThrottleCauses.OfMetric[m.MetricName!]))));
        }
        return (targets, refused);
    }

    /// <summary>Why a table throttled for this cause is left as it is, and what would help.</summary>
    public static string NotSwitched(string cause, TableState table) => cause switch
    {
        ThrottleCauses.KeyRange =>
            $"a hot partition (key-range throttling, {table.BillingMode}): on-demand does not lift a partition's limit and a switch would spend one of the " +
            $"{SwitchesPerDay} a table gets per 24 hours, so nothing is changed; spread the load over more partition keys",
        ThrottleCauses.OnDemandMaximum =>
            "the table's on-demand maximum (OnDemandThroughput) is reached, so nothing is changed; raise or remove the ceiling if the load is expected",
        ThrottleCauses.AccountLimit =>
            "the account's per-table throughput quota is reached, so nothing is changed; ask for a higher quota (Service Quotas, DynamoDB)",
        _ => throw new ArgumentOutOfRangeException(nameof(cause), cause, "a switch cures this cause"),
    };

    /// <summary>
    /// Tells DynamoDB's two LimitExceededExceptions of UpdateTable apart. The daily quota counts
    /// switches to on-demand only and its message names the mode ("Subscriber limit exceeded:
    /// Update to PayPerRequest mode are limited to ..."); too many table operations at once says
    /// so ("Too many operations for a given subscriber", "... simultaneously"). A message that
    /// says neither is <see cref="UpdateLimit.Unclear"/>: the table's last switch to on-demand
    /// cannot tell (it is one switch, the quota is four), so it is never taken for the quota.
    /// </summary>
    public static UpdateLimit LimitOf(string? message, bool toOnDemand)
    {
        if (!toOnDemand) return UpdateLimit.TooManyOperations;
        var text = message ?? "";
        if (text.Contains("PayPerRequest", StringComparison.OrdinalIgnoreCase) || text.Contains("PAY_PER_REQUEST", StringComparison.OrdinalIgnoreCase)
            || text.Contains("on-demand", StringComparison.OrdinalIgnoreCase))
            return UpdateLimit.DailySwitches;
        if (text.Contains("Too many operations", StringComparison.OrdinalIgnoreCase) || text.Contains("simultaneous", StringComparison.OrdinalIgnoreCase)
            || text.Contains("concurrent", StringComparison.OrdinalIgnoreCase))
            return UpdateLimit.TooManyOperations;
        return UpdateLimit.Unclear;
    }

    /// <summary>Why a switch failed on a LimitExceededException that named neither limit, after every try the time budget allowed.</summary>
    public static string UnclearLimit(string? message)
        => $"DynamoDB refused the switch with LimitExceededException \"{message}\", which names neither the {SwitchesPerDay} switches to on-demand a day " +
           "nor too many table operations at once; tried again within this invocation's time budget, Lambda's retry tries again";

    /// <summary>What to do with a throttled table in this state.</summary>
    public static (SwitchStep Step, string Reason) Decide(TableState table, bool optedOut) => table switch
    {
        _ when optedOut => (SwitchStep.Refuse, $"tagged {OptOutTagKey}={OptOutTagValue}: left alone"),
        // A duplicate delivery may find the other's switch still being applied: done all the same.
        { BillingMode: TableState.OnDemand, Status: "UPDATING" } => (SwitchStep.AlreadyOnDemand, "already on-demand (the switch is still being applied): nothing to do"),
        { BillingMode: TableState.OnDemand } => (SwitchStep.AlreadyOnDemand, "already on-demand: nothing to do"),
        { Status: "UPDATING" or "CREATING" } => (SwitchStep.Wait, $"the table is {table.Status}"),
        { Status: "ACTIVE" } => (SwitchStep.Switch, $"provisioned {table.Read} RCU / {table.Write} WCU, throttled"),
        _ => (SwitchStep.Fail, $"the table is {table.Status}, it cannot be switched"),
    };

    /// <summary>What an operator needs to know when DynamoDB refuses a switch for its daily limit.</summary>
    public static string LimitReached(TableState table)
        => $"DynamoDB allows {SwitchesPerDay} switches to on-demand per rolling 24 hours and {table.Name} has used them" +
           (table.LastSwitchToOnDemand is { } last
               ? $" (the last at {last.UtcDateTime:yyyy-MM-dd HH:mm}Z; one frees up by {last.AddHours(24).UtcDateTime:yyyy-MM-dd HH:mm}Z at the latest)"
               : "") +
           "; not retried: raise its provisioned capacity meanwhile";

    /// <summary>
    /// The capacity to go back to: the saved one for the table and each index that still exists;
    /// an index created since the switch gets the table's, as the note says.
    /// </summary>
    public static (long Read, long Write, IReadOnlyList<IndexCapacity> Indexes, IReadOnlyList<string> Notes) RestorePlan(
        (long Read, long Write, IReadOnlyList<IndexCapacity> Indexes) saved, IEnumerable<string> currentIndexes)
    {
        var notes = new List<string>();
        var indexes = new List<IndexCapacity>();
        foreach (var name in currentIndexes)
        {
            if (saved.Indexes.FirstOrDefault(i => i.IndexName == name) is { } known)
                indexes.Add(known);
            else
            {
                indexes.Add(new IndexCapacity(name, saved.Read, saved.Write));
                notes.Add($"index {name} did not exist at the switch: given the table's capacity");
            }
        }
        return (saved.Read, saved.Write, indexes, notes);
    }
}
