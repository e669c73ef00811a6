namespace Functions.ThrottleResponder;

[JsonSerializable(typeof(ManualCommand))]
[JsonSerializable(typeof(ThrottleResponse))]
internal sealed partial class ThrottleJsonContext : JsonSerializerContext
{
    /// <summary>The context with the functions' one JSON convention (FunctionJson).</summary>
    public static ThrottleJsonContext Wire { get; } = new(FunctionJson.Options());
}
