using Functions.Common.Events;
using Functions.Common.Tables;

namespace Functions.ThrottleResponder;

/// <summary>A table an alarm says is throttled, and what says so.</summary>
public sealed record ThrottleTarget(string Table, string Metrics, string? Index);

/// <summary>Why an alarm, or one table of it, is not acted on.</summary>
public sealed record Refusal(string? Table, string Reason);

public static class ThrottleOutcome
{
    public const string Switched = "switched";
    public const string WouldSwitch = "would-switch";
    public const string AlreadyOnDemand = "already-on-demand";
    public const string Ignored = "ignored";
    public const string Refused = "refused";
    public const string Failed = "failed";
    public const string Restored = "restored";
    public const string WouldRestore = "would-restore";
    public const string AlreadyProvisioned = "already-provisioned";
}

public enum SwitchStep { Switch, AlreadyOnDemand, Wait, Refuse, Fail }

/// <summary>The responder's decisions, without AWS.</summary>
public static class ThrottlePolicy
{
    public const string OptOutTagKey = "throttle-responder";
    public const string OptOutTagValue = "off";
    public const int SwitchesPerDay = 4;

    private static readonly HashSet<string> ThrottleMetrics = new(StringComparer.Ordinal) { "ReadThrottleEvents", "WriteThrottleEvents", "ThrottledRequests" };

    /// <summary>
    /// The tables an alarm in ALARM points at: every DynamoDB throttling metric of it (each metric
    /// of a metric-math alarm), by its TableName dimension; an index's alarm points at its table.
    /// Tables of other environments are refused.
    /// </summary>
    public static (IReadOnlyList<ThrottleTarget> Targets, IReadOnlyList<Refusal> Refused) TargetsOf(AlarmNotification alarm, TablePrefix prefix)
    {
        var throttles = alarm.Metrics
            .Where(m => m.Namespace == "AWS/DynamoDB" && m.MetricName is not null && ThrottleMetrics.Contains(m.MetricName) && m.Dimension("TableName") is { Length: > 0 })
            .GroupBy(m => m.Dimension("TableName")!, StringComparer.Ordinal)
            .ToList();
        if (throttles.Count == 0)
            return ([], [new Refusal(null, "the alarm watches no DynamoDB throttling metric (ReadThrottleEvents, WriteThrottleEvents, ThrottledRequests) with a TableName")]);

        var targets = new List<ThrottleTarget>();
        var refused = new List<Refusal>();
        foreach (var table in throttles)
        {
            if (!prefix.Owns(table.Key))
            {
                refused.Add(new Refusal(table.Key, $"not a table of this environment ({prefix.Value}*): never changed"));
                continue;
            }
            var metrics = string.Join(", ", table.Select(m => m.MetricName).Distinct(StringComparer.Ordinal));
            targets.Add(new ThrottleTarget(table.Key, metrics, table.Select(m => m.Dimension("GlobalSecondaryIndexName")).FirstOrDefault(i => i is not null)));
        }
        return (targets, refused);
    }

    /// <summary>What to do with a throttled table in this state.</summary>
    public static (SwitchStep Step, string Reason) Decide(TableState table, bool optedOut) => table switch
    {
        _ when optedOut => (SwitchStep.Refuse, $"tagged {OptOutTagKey}={OptOutTagValue}: left alone"),
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
