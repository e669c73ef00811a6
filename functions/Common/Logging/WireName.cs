using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Functions.Common.Logging;

/// <summary>
/// An enum value as the function's JSON response writes it (its <c>JsonStringEnumMemberName</c>),
/// so that log lines and error messages say an outcome exactly as the response does, from the one
/// declaration on the enum. Through the source-generated type info: no reflection.
/// </summary>
public static class WireName
{
    public static string Of<TEnum>(TEnum value, JsonTypeInfo<TEnum> typeInfo) where TEnum : struct, Enum
        => JsonSerializer.SerializeToElement(value, typeInfo).GetString()
           ?? throw new InvalidOperationException($"{typeof(TEnum).Name}.{value} is not written as a string.");
}
