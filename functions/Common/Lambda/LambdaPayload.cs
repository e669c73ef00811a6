using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Functions.Common.Lambda;

/// <summary>
/// Responses for the managed runtime's raw <c>Stream</c> handler signature. The runtime copies a
/// returned stream from its current position, so the stream comes back rewound.
/// </summary>
public static class LambdaPayload
{
    public static Stream Serialize<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        var output = new MemoryStream();
        JsonSerializer.Serialize(output, value, typeInfo);
        output.Position = 0;
        return output;
    }
}
