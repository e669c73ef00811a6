using System.Text.Json.Serialization;

namespace Functions.Events;

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
