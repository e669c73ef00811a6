namespace Functions.IntegrationTests;

/// <summary>
/// Makes requests meet at the backend: each request joining waits until requests of
/// <c>parties</c> different callers are in flight together (or its patience runs out), then goes
/// on. It never answers for the backend: it only holds requests back, so a test can show that
/// work really ran at once (<see cref="Met"/>) instead of trusting that it did.
/// </summary>
internal sealed class Meeting(int parties, TimeSpan patience)
{
    private readonly Dictionary<string, int> _inFlight = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _met = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>True once requests of every party were in flight at the same time.</summary>
    public bool Met => _met.Task.IsCompleted;

    public async Task<HttpResponseMessage> JoinAsync(string party, Func<Task<HttpResponseMessage>> forward)
    {
        lock (_inFlight)
        {
            _inFlight[party] = _inFlight.GetValueOrDefault(party) + 1;
            if (_inFlight.Count(p => p.Value > 0) >= parties) _met.TrySetResult();
        }
        try
        {
            await Task.WhenAny(_met.Task, Task.Delay(patience)).ConfigureAwait(false);
            return await forward().ConfigureAwait(false);
        }
        finally
        {
            lock (_inFlight) _inFlight[party]--;
        }
    }
}
