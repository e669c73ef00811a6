namespace Functions.Common.Streams;

/// <summary>How a function names its summary line and its two record metrics.</summary>
/// <param name="Counters">The function's own counters, on every summary line even when zero (and those with a metric name in the EMF record).</param>
public sealed record StreamBatchNames(string Summary, string FailedRecord, string SucceededMetric, string FailedMetric,
    IReadOnlyList<(string Field, string? Metric)>? Counters = null);
