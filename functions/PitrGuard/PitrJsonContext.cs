namespace Functions.PitrGuard;

[JsonSerializable(typeof(PitrRunOptions))]
[JsonSerializable(typeof(PitrReport))]
internal sealed partial class PitrJsonContext : JsonSerializerContext
{
    /// <summary>The context with the functions' one JSON convention (FunctionJson).</summary>
    public static PitrJsonContext Wire { get; } = new(FunctionJson.Options());
}
