using System.Text.Json;
using System.Text.Json.Serialization;

namespace Functions.Common.Logging;

/// <summary>
/// An outcome enum written as the suite's responses have always written it: its name in
/// kebab-case (<c>WouldCreate</c> is "would-create"). Put on the enum; source-generated JSON
/// takes it without reflection (a <see cref="JsonStringEnumConverter{TEnum}"/>, which Native AOT
/// supports).
/// </summary>
public sealed class WireEnumConverter<TEnum>() : JsonStringEnumConverter<TEnum>(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false)
    where TEnum : struct, Enum;
