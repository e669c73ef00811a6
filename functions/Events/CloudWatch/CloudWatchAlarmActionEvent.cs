using System.Text.Json.Serialization;

namespace Functions.Events;

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
