using System.Text.Json;
using System.Text.Json.Serialization;

namespace Functions.Common.Lambda;

/// <summary>Source-generated (reflection-free) JSON for every wire type of the suite.</summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true)]
[JsonSerializable(typeof(DynamoDBEvent))]
[JsonSerializable(typeof(DynamoDBEvent.DynamodbStreamRecord))]
[JsonSerializable(typeof(Dictionary<string, DynamoDBEvent.AttributeValue>))]
[JsonSerializable(typeof(StreamsEventResponse))]
public sealed partial class LambdaJsonContext : JsonSerializerContext;
