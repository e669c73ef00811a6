namespace Functions.Tests;

/// <summary>A clock that moves only when a test says so (timers stay the system's: tests here never wait on them).</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private long _ticks;
    private readonly DateTimeOffset _start = start;

    public ManualClock() : this(new DateTimeOffset(2026, 11, 23, 3, 0, 0, TimeSpan.Zero))
    {
    }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;
    public override long GetTimestamp() => Interlocked.Read(ref _ticks);
    public override DateTimeOffset GetUtcNow() => _start.AddTicks(GetTimestamp());

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
