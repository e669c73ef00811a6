namespace Functions.Common.Runtime;

/// <summary>
/// What ILambdaContext.RemainingTime gives, without Amazon.Lambda.Core: the invocation started
/// now and Lambda ends it after the configured timeout. Work stops at the cutoff, a safety margin
/// before that, so what was not done is reported instead of being cut off mid-write by Lambda.
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

    /// <summary>The function's configured timeout.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>How long work may go on: the timeout less the safety margin.</summary>
    public TimeSpan Budget { get; }

    /// <summary>Starts the clock of one invocation.</summary>
    public static InvocationDeadline Start(TimeSpan timeout, TimeProvider? clock = null)
        => new(timeout, MarginFor(timeout), clock ?? TimeProvider.System);

    /// <summary>A tenth of the timeout, between half a second and five seconds: room to log and respond.</summary>
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
