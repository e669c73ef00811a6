using System.Text.Json.Serialization;

namespace Functions.Events;

/// <summary>
/// An alarm notification as SNS carries it in <c>Sns.Message</c> (a JSON string): PascalCase,
/// dimensions as an array of lower-case <c>{value, name}</c>, the region as a long name.
/// </summary>
public sealed class AlarmSnsMessage
{
    public string? AlarmName { get; set; }
    public string? AlarmDescription { get; set; }
    public string? AWSAccountId { get; set; }
    public string? NewStateValue { get; set; }
    public string? NewStateReason { get; set; }
    public string? StateChangeTime { get; set; }
    public string? Region { get; set; }
    public string? AlarmArn { get; set; }
    public string? OldStateValue { get; set; }
    public string? AlarmRule { get; set; }
    public AlarmTrigger? Trigger { get; set; }

    public sealed class AlarmTrigger
    {
        public string? MetricName { get; set; }
        public string? Namespace { get; set; }
        public string? Statistic { get; set; }
        public List<Dimension>? Dimensions { get; set; }
        /// <summary>Metric-math alarms: the queries, instead of MetricName.</summary>
        public List<MetricQuery>? Metrics { get; set; }
    }

    public sealed class Dimension
    {
        [JsonPropertyName("name")] public string? Name { get; set; }
        [JsonPropertyName("value")] public string? Value { get; set; }
    }

    public sealed class MetricQuery
    {
        public string? Id { get; set; }
        public string? Expression { get; set; }
        public string? Label { get; set; }
        public bool? ReturnData { get; set; }
        /// <summary>A Metrics Insights query's period (a metric's is in its MetricStat).</summary>
        public int? Period { get; set; }
        public MetricStatPart? MetricStat { get; set; }
    }

    public sealed class MetricStatPart
    {
        public MetricPart? Metric { get; set; }
        public int? Period { get; set; }
        public string? Stat { get; set; }
    }

    public sealed class MetricPart
    {
        public string? MetricName { get; set; }
        public string? Namespace { get; set; }
        public List<Dimension>? Dimensions { get; set; }
    }
}
