using System.Text.Json;

namespace Functions.Common.Logging;

/// <summary>An outcome as its JSON says it, for log lines and messages: one spelling everywhere.</summary>
public static class WireNames
{
    public static string WireName<TEnum>(this TEnum value) where TEnum : struct, Enum
        => JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());
}
