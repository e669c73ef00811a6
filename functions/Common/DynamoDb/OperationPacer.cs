namespace Functions.Common.DynamoDb;

/// <summary>
/// Keeps each control-plane operation under its documented rate: calls of one operation are
/// spaced 1/rate apart, across all concurrent callers of the invocation. Smooth spacing rather
/// than bursts, so a run never spends the account's whole allowance at once. The rates are the
/// account's (each API's reference page), shared with other environments and people: while
/// DynamoDB throttles an operation its spacing doubles (up to <see cref="MaxSlowdown"/> times),
/// and each answer takes it back a step.
/// </summary>
public sealed class OperationPacer
{
    /// <summary>DynamoDB's published per-account rates (calls per second) of the calls the suite paces.</summary>
    public static IReadOnlyDictionary<string, double> DynamoDbRates { get; } = new Dictionary<string, double>(StringComparer.Ordinal)
    {
        ["ListBackups"] = 5,
        ["CreateBackup"] = 50,
        ["DeleteBackup"] = 10,
        ["ListTagsOfResource"] = 10,
    };

    private readonly IReadOnlyDictionary<string, double> _rates;
    private readonly TimeProvider _clock;
    /// <summary>How much slower than its rate an operation DynamoDB keeps throttling is paced, at most.</summary>
    public const int MaxSlowdown = 8;

    private readonly Dictionary<string, long> _nextSlot = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double> _slowdown = new(StringComparer.Ordinal);
    private readonly object _gate = new();

    public OperationPacer(IReadOnlyDictionary<string, double>? rates = null, TimeProvider? clock = null)
    {
        _rates = rates ?? DynamoDbRates;
        _clock = clock ?? TimeProvider.System;
        foreach (var (operation, rate) in _rates)
            if (!(rate > 0)) throw new ArgumentException($"The rate of {operation} must be above zero calls per second.", nameof(rates));
    }

    /// <summary>
    /// Takes the operation's next slot and says how long to wait for it. An operation without a
    /// rate never waits.
    /// </summary>
    public TimeSpan Reserve(string operation)
    {
        if (!_rates.TryGetValue(operation, out var rate)) return TimeSpan.Zero;
        lock (_gate)
        {
            var interval = (long)(_clock.TimestampFrequency / rate * _slowdown.GetValueOrDefault(operation, 1));
            var now = _clock.GetTimestamp();
            var slot = _nextSlot.TryGetValue(operation, out var next) && next > now ? next : now;
            _nextSlot[operation] = slot + interval;
            return TimeSpan.FromSeconds((slot - now) / (double)_clock.TimestampFrequency);
        }
    }

    /// <summary>True for an operation with a rate: one whose allowance the account shares.</summary>
    public bool Paces(string operation) => _rates.ContainsKey(operation);

    /// <summary>DynamoDB throttled the operation: its calls are spaced twice as far apart, up to <see cref="MaxSlowdown"/> times.</summary>
    public void Throttled(string operation)
    {
        if (!Paces(operation)) return;
        lock (_gate) _slowdown[operation] = Math.Min(MaxSlowdown, _slowdown.GetValueOrDefault(operation, 1) * 2);
    }

    /// <summary>DynamoDB answered the operation: its spacing goes back a step towards the rate.</summary>
    public void Answered(string operation)
    {
        lock (_gate)
            if (_slowdown.TryGetValue(operation, out var slowdown))
                if (slowdown * 0.8 <= 1) _slowdown.Remove(operation);
                else _slowdown[operation] = slowdown * 0.8;
    }

    /// <summary>Waits for the operation's turn.</summary>
    public Task WaitTurnAsync(string operation, CancellationToken cancellationToken)
        => Reserve(operation) is var wait && wait > TimeSpan.Zero
            ? Task.Delay(wait, _clock, cancellationToken)
            : Task.CompletedTask;
}
