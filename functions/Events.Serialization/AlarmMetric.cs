namespace Functions.Events.Serialization;

/// <summary>
/// One metric an alarm watches (a metric-math expression has no metric name). A Metrics Insights
/// query is read as the metric it selects, its dimensions those its WHERE pins to one value
/// (<see cref="IsQuery"/>): <c>FROM "AWS/DynamoDB" WHERE TableName = 't'</c> is the table's metric
/// and each of its indexes'.
/// </summary>
public sealed record AlarmMetric(string? Id, string? Namespace, string? MetricName, IReadOnlyDictionary<string, string> Dimensions, string? Expression)
{
    public string? Dimension(string name) => Dimensions.GetValueOrDefault(name);

    /// <summary>A Metrics Insights query: every series of the metric that matches its WHERE, whatever other dimensions it has.</summary>
    public bool IsQuery { get; init; }

    /// <summary>A metric (MetricStat) or, with none, the expression: a Metrics Insights query read as its metric.</summary>
    public static AlarmMetric Of(string? id, string? ns, string? name, IReadOnlyDictionary<string, string> dimensions, string? expression)
        => name is null && MetricsInsightsQuery.TryParse(expression) is { } query
            ? new AlarmMetric(id, query.Namespace, query.MetricName, query.Equal, expression) { IsQuery = true }
            : new AlarmMetric(id, ns, name, dimensions, expression);
}
