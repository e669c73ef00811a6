using System.Text.Json;
using System.Text.Json.Serialization;

namespace Functions.Events.Serialization;

/// <summary>Source-generated (reflection-free) JSON for every wire type of the suite.</summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    // Above DynamoDB's 32 levels (two JSON levels each) plus the envelope, so the converter's own
    // limit is what rejects a record nested too deep, with a clear reason.
    MaxDepth = 128,
    // The models carry no converters (as the official ones carry none): the reader adds them.
    Converters = [typeof(AttributeValueJsonConverter), typeof(LambdaDateTimeConverter)])]
[JsonSerializable(typeof(DynamoDBEvent))]
[JsonSerializable(typeof(DynamoDBEvent.DynamodbStreamRecord))]
[JsonSerializable(typeof(Dictionary<string, DynamoDBEvent.AttributeValue>))]
[JsonSerializable(typeof(StreamsEventResponse))]
[JsonSerializable(typeof(CloudWatchEvent<JsonElement>))]
[JsonSerializable(typeof(CloudWatchEvent<AlarmStateChange>))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(CloudWatchAlarmActionEvent))]
[JsonSerializable(typeof(SNSEvent))]
[JsonSerializable(typeof(AlarmSnsMessage))]
public sealed partial class LambdaJsonContext : JsonSerializerContext;
