using System.Text.Json.Serialization;

namespace Functions.Events;

/// <summary>
/// An EventBridge event: a rule's "Scheduled Event", a Scheduler schedule, a "CloudWatch Alarm
/// State Change". Shaped like Amazon.Lambda.CloudWatchEvents.CloudWatchEvent&lt;T&gt;.
/// </summary>
public sealed class CloudWatchEvent<TDetail>
{
    [JsonPropertyName("version")] public string? Version { get; set; }
    [JsonPropertyName("id")] public string? Id { get; set; }
    [JsonPropertyName("detail-type")] public string? DetailType { get; set; }
    [JsonPropertyName("source")] public string? Source { get; set; }
    [JsonPropertyName("account")] public string? Account { get; set; }
    [JsonPropertyName("time")] public DateTime Time { get; set; }
    [JsonPropertyName("region")] public string? Region { get; set; }
    [JsonPropertyName("resources")] public List<string>? Resources { get; set; }
    [JsonPropertyName("detail")] public TDetail? Detail { get; set; }
}
