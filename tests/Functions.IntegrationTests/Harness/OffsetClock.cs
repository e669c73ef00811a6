namespace Functions.IntegrationTests;

/// <summary>
/// The system's clock moved ahead by a fixed span: a function run "forty nights later" must see
/// that night as now. Timers and elapsed time stay the system's.
/// </summary>
internal sealed class OffsetClock(TimeSpan ahead) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + ahead;

    public static TimeProvider DaysAhead(int days) => days == 0 ? System : new OffsetClock(TimeSpan.FromDays(days));
}
