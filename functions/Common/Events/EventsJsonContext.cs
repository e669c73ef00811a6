using System.Text.Json;
using System.Text.Json.Serialization;

namespace Functions.Common.Events;

/// <summary>Source-generated JSON for the schedule and alarm envelopes.</summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(CloudWatchEvent<JsonElement>))]
[JsonSerializable(typeof(CloudWatchEvent<AlarmStateChange>))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(AlarmStateChange))]
[JsonSerializable(typeof(CloudWatchAlarmActionEvent))]
[JsonSerializable(typeof(SNSEvent))]
[JsonSerializable(typeof(AlarmSnsMessage))]
public sealed partial class EventsJsonContext : JsonSerializerContext;
