using Functions.Common.Audit;

namespace Functions.AuditCli;

/// <summary>
/// A point in an entity's history as a user names it: a time, or an audit record's
/// <c>timestamp</c> (which names one change exactly, even among several in one second).
/// </summary>
public sealed record AuditPoint(string Text, DateTimeOffset Time, string? Timestamp)
{
    // '~' sorts after '#' and every digit: "<time>#~" is above every key of that millisecond.
    private const string AfterEverySequence = "#~";

    /// <summary>Inclusive upper bound on the audit sort key: every change at or before this point.</summary>
    public string UpperBound => Timestamp ?? AuditKey.FormatTime(FloorToMillisecond(Time)) + AfterEverySequence;

    /// <summary>Inclusive lower bound on the audit sort key: every change at or after this point.</summary>
    public string LowerBound => Timestamp ?? AuditKey.FormatTime(CeilingToMillisecond(Time));

    /// <summary>True when the change with this audit sort key is at or before the point.</summary>
    public bool Includes(string sortKey) => string.CompareOrdinal(sortKey, UpperBound) <= 0;

    public override string ToString() => Timestamp is null ? AuditKey.FormatTime(Time.UtcDateTime) : Text;

    private static DateTime FloorToMillisecond(DateTimeOffset time)
        => new(time.UtcTicks - time.UtcTicks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);

    private static DateTime CeilingToMillisecond(DateTimeOffset time)
    {
        var floor = FloorToMillisecond(time);
        return floor.Ticks == time.UtcTicks ? floor : floor.AddMilliseconds(1);
    }
}
