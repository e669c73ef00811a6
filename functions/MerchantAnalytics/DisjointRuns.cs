namespace Functions.MerchantAnalytics;

/// <summary>
/// Runs units of work a few at a time, never two that share a key at once: two transactions on
/// one rollup would only conflict and cancel each other, two on different rollups need not wait.
/// The first units in order whose keys are free start; their order does not matter otherwise
/// (additions to a rollup commute). After a unit throws, no other starts; the running ones
/// finish, then the first exception is thrown.
/// </summary>
internal static class DisjointRuns
{
    public static async Task RunAsync<TUnit, TKey>(
        IReadOnlyList<TUnit> units, Func<TUnit, IEnumerable<TKey>> keysOf, int concurrency, Func<TUnit, Task> work)
        where TKey : notnull
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        var pending = units.Select(u => (Unit: u, Keys: keysOf(u).ToHashSet())).ToList();
        var running = new Dictionary<Task, HashSet<TKey>>();
        var busy = new HashSet<TKey>();
        Exception? failure = null;
        while (running.Count > 0 || (pending.Count > 0 && failure is null))
        {
            for (var i = 0; i < pending.Count && running.Count < concurrency && failure is null;)
            {
                var (unit, keys) = pending[i];
                if (keys.Overlaps(busy))
                {
                    i++;
                    continue;
                }
                pending.RemoveAt(i);
                busy.UnionWith(keys);
                running[work(unit)] = keys;
            }
            var done = await Task.WhenAny(running.Keys).ConfigureAwait(false);
            busy.ExceptWith(running[done]);
            running.Remove(done);
            try
            {
                await done.ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                failure ??= ex;
            }
        }
        if (failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
    }
}
