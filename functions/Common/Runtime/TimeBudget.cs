namespace Functions.Common.Runtime;

/// <summary>
/// Decides whether one more unit of work (a table) may start before the invocation's cutoff:
/// only while the time left exceeds the longest unit seen so far (at least the minimum), so work
/// that starts can finish, and what is left is reported as not reached instead of cut off.
/// </summary>
internal sealed class TimeBudget(InvocationDeadline deadline, TimeSpan minimumPerUnit)
{
    private long _longestTicks = minimumPerUnit.Ticks;

    /// <summary>The time one more unit is expected to need.</summary>
    public TimeSpan Reserve => TimeSpan.FromTicks(Interlocked.Read(ref _longestTicks));

    public bool CanStartAnother() => !deadline.IsExpired && deadline.Remaining > Reserve;

    /// <summary>Records how long a finished unit took.</summary>
    public void Finished(TimeSpan took)
    {
        long seen;
        do
        {
            seen = Interlocked.Read(ref _longestTicks);
            if (took.Ticks <= seen) return;
        } while (Interlocked.CompareExchange(ref _longestTicks, took.Ticks, seen) != seen);
    }
}
