namespace Functions.Common.Runtime;

/// <summary>
/// What ILambdaContext.RemainingTime gives: the time until Lambda ends the invocation (its
/// Lambda-Runtime-Deadline-Ms). Work stops at the cutoff, a safety margin before that, so what
/// was not done is reported instead of being cut off mid-write by Lambda.
/// </summary>
public sealed class InvocationDeadline : IDisposable
{
    private readonly TimeProvider _clock;
    private readonly long _started;
    private readonly CancellationTokenSource _cutoff;

    private InvocationDeadline(TimeSpan timeout, TimeSpan margin, TimeProvider clock)
    {
        _clock = clock;
        _started = clock.GetTimestamp();
        Timeout = timeout;
        Budget = timeout - margin > TimeSpan.Zero ? timeout - margin : TimeSpan.Zero;
        _cutoff = new CancellationTokenSource(Budget, clock);
    }

    /// <summary>The time the invocation had when its clock started.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>How long work may go on: the timeout less the safety margin.</summary>
    public TimeSpan Budget { get; }

    /// <summary>Starts the clock of work that has <paramref name="timeout"/> from now.</summary>
    public static InvocationDeadline Start(TimeSpan timeout, TimeProvider? clock = null)
        => new(timeout, MarginFor(timeout), clock ?? TimeProvider.System);

    /// <summary>
    /// Starts the clock of an invocation Lambda ends at <paramref name="deadline"/>: the time
    /// already spent before the handler runs is not counted again.
    /// </summary>
    public static InvocationDeadline Until(DateTimeOffset deadline, TimeProvider? clock = null)
    {
        clock ??= TimeProvider.System;
        var left = deadline - clock.GetUtcNow();
        return Start(left > TimeSpan.Zero ? left : TimeSpan.Zero, clock);
    }

    /// <summary>A tenth of the time left, between half a second and five seconds: room to log and respond.</summary>
    public static TimeSpan MarginFor(TimeSpan timeout)
        => TimeSpan.FromTicks(Math.Clamp(timeout.Ticks / 10, TimeSpan.FromMilliseconds(500).Ticks, TimeSpan.FromSeconds(5).Ticks));

    public TimeSpan Elapsed => _clock.GetElapsedTime(_started);

    /// <summary>Time left before the cutoff (never negative).</summary>
    public TimeSpan Remaining => Budget - Elapsed is var left && left > TimeSpan.Zero ? left : TimeSpan.Zero;

    public bool IsExpired => Remaining == TimeSpan.Zero || _cutoff.IsCancellationRequested;

    /// <summary>Cancelled at the cutoff: pass it to every AWS call and wait.</summary>
    public CancellationToken Token => _cutoff.Token;

    /// <summary>True when waiting this long still leaves time to do something after it.</summary>
    public bool Allows(TimeSpan wait) => !IsExpired && Remaining > wait;

    public void Dispose() => _cutoff.Dispose();
}

/// <summary>The work was stopped at the invocation's cutoff.</summary>
public sealed class DeadlineReachedException(string message) : Exception(message);
