namespace Functions.Common.DynamoDb;

/// <summary>
/// How many parts of a batch may be written at once (each holds its place through its retries, so
/// with room for one the parts go strictly one after another), set the way TCP sets its
/// congestion window (additive increase, multiplicative decrease): it starts at one, so a table
/// that is throttling gets one request rather than a burst; each request that went through adds
/// one, doubling the window every round trip, up to the maximum; throttling (or a request that
/// did not get through) halves it; after that it grows by one per window's worth of requests.
/// </summary>
/// <remarks>
/// A request that finds no room waits, first come first served. Woken requests continue on the
/// thread that made room, never under the lock: no thread hop per request, and a test that answers
/// requests by hand sees the same sequence every time.
/// </remarks>
internal sealed class SendWindow
{
    private readonly int _max;
    private readonly object _gate = new();
    private readonly LinkedList<Waiter> _waiting = new();
    private double _limit = 1;
    private bool _slowStart = true;
    private int _inFlight;

    public SendWindow(int max)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        _max = max;
    }

    /// <summary>
    /// Waits for room for one part: true once it may be written (then <see cref="Leave"/> must
    /// follow), false when <paramref name="token"/> ends the wait.
    /// </summary>
    public Task<bool> EnterAsync(CancellationToken token)
    {
        lock (_gate)
        {
            if (_waiting.Count == 0 && _inFlight < (int)_limit)
            {
                _inFlight++;
                return Task.FromResult(true);
            }
            if (token.IsCancellationRequested) return Task.FromResult(false);
            var waiter = new Waiter();
            var node = _waiting.AddLast(waiter);
            if (token.CanBeCanceled)
                waiter.Registration = token.Register(() =>
                {
                    lock (_gate)
                    {
                        if (node.List is null) return; // already let in
                        _waiting.Remove(node);
                    }
                    waiter.Done.TrySetResult(false);
                });
            return waiter.Done.Task;
        }
    }

    /// <summary>A request came back: <paramref name="throttled"/> when DynamoDB asked to slow down (or it did not get through).</summary>
    public void Answered(bool throttled)
    {
        List<Waiter> woken;
        lock (_gate)
        {
            if (throttled)
            {
                _limit = Math.Max(1, Math.Floor(_limit / 2));
                _slowStart = false;
            }
            else _limit = Math.Min(_max, _limit + (_slowStart ? 1 : 1 / Math.Floor(_limit)));
            woken = LetIn();
        }
        Wake(woken);
    }

    /// <summary>A part is done (written, reported, or called off before sending).</summary>
    public void Leave()
    {
        List<Waiter> woken;
        lock (_gate)
        {
            _inFlight--;
            woken = LetIn();
        }
        Wake(woken);
    }

    private List<Waiter> LetIn()
    {
        var woken = new List<Waiter>();
        while (_waiting.First is { } first && _inFlight < (int)_limit)
        {
            _waiting.RemoveFirst();
            _inFlight++;
            woken.Add(first.Value);
        }
        return woken;
    }

    private static void Wake(List<Waiter> woken)
    {
        foreach (var waiter in woken)
        {
            waiter.Registration.Dispose();
            waiter.Done.TrySetResult(true);
        }
    }

    private sealed class Waiter
    {
        // Continuations run inline, on the thread that made room (outside the lock).
        public TaskCompletionSource<bool> Done { get; } = new();
        public CancellationTokenRegistration Registration { get; set; }
    }
}
