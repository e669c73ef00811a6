namespace Functions.Common.DynamoDb;

/// <summary>
/// Keeps each control-plane operation under its documented rate: calls of one operation are
/// spaced 1/rate apart, across all concurrent callers of the invocation. Smooth spacing rather
/// than bursts, so a run never spends the account's whole allowance at once.
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
    private readonly Dictionary<string, long> _nextSlot = new(StringComparer.Ordinal);
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
        var interval = (long)(_clock.TimestampFrequency / rate);
        lock (_gate)
        {
            var now = _clock.GetTimestamp();
            var slot = _nextSlot.TryGetValue(operation, out var next) && next > now ? next : now;
            _nextSlot[operation] = slot + interval;
            return TimeSpan.FromSeconds((slot - now) / (double)_clock.TimestampFrequency);
        }
    }

    /// <summary>Waits for the operation's turn.</summary>
    public Task WaitTurnAsync(string operation, CancellationToken cancellationToken)
        => Reserve(operation) is var wait && wait > TimeSpan.Zero
            ? Task.Delay(wait, _clock, cancellationToken)
            : Task.CompletedTask;
}
