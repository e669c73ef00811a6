using System.Text.Json.Serialization;

namespace Functions.Common.Scheduled;

/// <summary>
/// A scheduled run's response: the function's own fields (what the run was: its night or mode,
/// its source and settings), then its counts, then each table's result and the control-plane
/// calls it took. The order is the JSON's: a reader meets the totals before the detail.
/// </summary>
public abstract record ScheduledRunReport<TResult>
{
    /// <summary>Where a derived report puts its counts, between its own fields and <see cref="Tables"/>.</summary>
    protected const int CountsOrder = 1;

    [JsonPropertyOrder(CountsOrder + 1)]
    public required IReadOnlyList<TResult> Tables { get; init; }

    /// <summary>Control-plane calls made, per operation (retries included).</summary>
    [JsonPropertyOrder(CountsOrder + 2)]
    public required SortedDictionary<string, int> Calls { get; init; }
}
