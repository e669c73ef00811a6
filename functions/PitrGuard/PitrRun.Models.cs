using System.Text.Json.Serialization;

namespace Functions.PitrGuard;

/// <summary>A run's options, from the event's detail: <c>{"mode": "report"}</c>. Unknown options are refused.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class PitrRunOptions
{
    /// <summary>enforce or report: overrides PITR_MODE for this run.</summary>
    public string? Mode { get; init; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    PropertyNameCaseInsensitive = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    AllowTrailingCommas = true,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip)]
[JsonSerializable(typeof(PitrRunOptions))]
[JsonSerializable(typeof(PitrReport))]
public sealed partial class PitrJsonContext : JsonSerializerContext;
