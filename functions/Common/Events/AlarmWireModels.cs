using System.Text.Json.Serialization;

namespace Functions.Common.Events;

/// <summary>
/// The alarm as EventBridge's "CloudWatch Alarm State Change" detail and an alarm action's
/// <c>alarmData</c> both carry it: camelCase, metric dimensions as an object map.
/// </summary>
public sealed class AlarmStateChange
{
    [JsonPropertyName("alarmName")] public string? AlarmName { get; set; }
    [JsonPropertyName("state")] public AlarmState? State { get; set; }
    [JsonPropertyName("previousState")] public AlarmState? PreviousState { get; set; }
    [JsonPropertyName("configuration")] public AlarmConfiguration? Configuration { get; set; }

    public sealed class AlarmState
    {
        [JsonPropertyName("value")] public string? Value { get; set; }
        [JsonPropertyName("reason")] public string? Reason { get; set; }
        [JsonPropertyName("timestamp")] public string? Timestamp { get; set; }
    }

    public sealed class AlarmConfiguration
    {
        [JsonPropertyName("description")] public string? Description { get; set; }
        [JsonPropertyName("metrics")] public List<AlarmMetricQuery>? Metrics { get; set; }
        /// <summary>Composite alarms: the rule over other alarms, and no metrics.</summary>
        [JsonPropertyName("alarmRule")] public string? AlarmRule { get; set; }
    }

    public sealed class AlarmMetricQuery
    {
        [JsonPropertyName("id")] public string? Id { get; set; }
        [JsonPropertyName("expression")] public string? Expression { get; set; }
        [JsonPropertyName("label")] public string? Label { get; set; }
        [JsonPropertyName("returnData")] public bool? ReturnData { get; set; }
        /// <summary>A Metrics Insights query's period (a metric's is in its metricStat).</summary>
        [JsonPropertyName("period")] public int? Period { get; set; }
        [JsonPropertyName("metricStat")] public MetricStat? MetricStat { get; set; }
    }

    public sealed class MetricStat
    {
        [JsonPropertyName("metric")] public MetricName? Metric { get; set; }
        [JsonPropertyName("period")] public int? Period { get; set; }
        [JsonPropertyName("stat")] public string? Stat { get; set; }
    }

    public sealed class MetricName
    {
        [JsonPropertyName("namespace")] public string? Namespace { get; set; }
        [JsonPropertyName("name")] public string? Name { get; set; }
        [JsonPropertyName("dimensions")] public Dictionary<string, string>? Dimensions { get; set; }
    }
}

/// <summary>The payload of an alarm that invokes a function directly as its action.</summary>
public sealed class CloudWatchAlarmActionEvent
{
    [JsonPropertyName("source")] public string? Source { get; set; }
    [JsonPropertyName("alarmArn")] public string? AlarmArn { get; set; }
    [JsonPropertyName("accountId")] public string? AccountId { get; set; }
    [JsonPropertyName("time")] public string? Time { get; set; }
    [JsonPropertyName("region")] public string? Region { get; set; }
    [JsonPropertyName("alarmData")] public AlarmStateChange? AlarmData { get; set; }
}

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
