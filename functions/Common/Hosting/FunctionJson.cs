using System.Text.Json;
using System.Text.Json.Serialization;

namespace Functions.Common.Hosting;

/// <summary>
/// One JSON convention for every function's own options and responses: camelCase, null members
/// left out; keys matched whatever their case, trailing commas and comments allowed in what
/// people write by hand (a manual run's options, a restore command). Each function's
/// source-generated context is made with it: <c>new BackupJsonContext(FunctionJson.Options())</c>.
/// </summary>
public static class FunctionJson
{
    /// <summary>A new instance each time: a context binds the options it is given.</summary>
    public static JsonSerializerOptions Options() => new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        AllowTrailingCommas = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
    };
}
