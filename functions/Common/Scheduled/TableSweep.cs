using System.Diagnostics;
using Functions.Common.Runtime;

namespace Functions.Common.Scheduled;

/// <summary>
/// Runs one unit of work per table, a few tables at a time, and starts none the time budget
/// cannot expect to finish: those get the caller's "not reached" result, in table order.
/// The work itself must not throw (each table's failure is its own result).
/// </summary>
public static class TableSweep
{
    public static readonly TimeSpan MinimumPerTable = TimeSpan.FromSeconds(2);

    public static async Task<TResult[]> RunAsync<TResult>(
        IReadOnlyList<string> tables, int concurrency, InvocationDeadline deadline,
        Func<string, Task<TResult>> work, Func<string, TResult> notReached)
    {
        var results = new TResult[tables.Count];
        var budget = new TimeBudget(deadline, MinimumPerTable);
        await Parallel.ForEachAsync(Enumerable.Range(0, tables.Count), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, _) =>
        {
            if (!budget.CanStartAnother())
            {
                results[i] = notReached(tables[i]);
                return;
            }
            var started = Stopwatch.GetTimestamp();
            results[i] = await work(tables[i]).ConfigureAwait(false);
            budget.Finished(Stopwatch.GetElapsedTime(started));
        }).ConfigureAwait(false);
        return results;
    }

    /// <summary>The first few tables of a list for an error message, and how many more there are.</summary>
    public static string FirstFew(IReadOnlyList<string> tables, int shown = 5)
        => string.Join("; ", tables.Take(shown)) + (tables.Count > shown ? $"; and {tables.Count - shown} more" : "");

    /// <summary>Why a table was not started: the same words in every function's summary.</summary>
    public const string NotReachedReason = "not started: the invocation's time budget was running out; Lambda's retry or the next run takes it";
}
