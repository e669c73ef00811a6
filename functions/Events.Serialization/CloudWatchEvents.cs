using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Functions.Events.Serialization;

/// <summary>Reads EventBridge events whatever form their detail takes.</summary>
public static class CloudWatchEvents
{
    public const string ScheduledEventType = "Scheduled Event";
    public const string AlarmStateChangeType = "CloudWatch Alarm State Change";

    /// <summary>
    /// The event with its detail as an object. A rule sends <c>"detail": {}</c>; EventBridge
    /// Scheduler without an Input sends <c>"detail": "{}"</c>, a JSON string, which is parsed
    /// here; no detail at all reads as an empty object.
    /// </summary>
    public static CloudWatchEvent<TDetail> Parse<TDetail>(ReadOnlySpan<byte> json, JsonTypeInfo<TDetail> detailType)
        where TDetail : new()
    {
        var raw = ParseRaw(json);
        var detail = ParseDetail(raw.Detail, detailType);
        return new CloudWatchEvent<TDetail>
        {
            Version = raw.Version, Id = raw.Id, DetailType = raw.DetailType, Source = raw.Source, Account = raw.Account,
            Time = raw.Time, Region = raw.Region, Resources = raw.Resources, Detail = detail,
        };
    }

    /// <summary>A detail as an object: itself, the object a JSON string holds, or empty when absent.</summary>
    public static TDetail ParseDetail<TDetail>(JsonElement detail, JsonTypeInfo<TDetail> detailType)
        where TDetail : new()
    {
        try
        {
            return detail.ValueKind switch
            {
                JsonValueKind.Object => detail.Deserialize(detailType),
                JsonValueKind.String when string.IsNullOrWhiteSpace(detail.GetString()) => new TDetail(),
                JsonValueKind.String => JsonSerializer.Deserialize(detail.GetString()!, detailType),
                JsonValueKind.Undefined or JsonValueKind.Null => new TDetail(),
                _ => throw new InvalidEventException("The event's detail must be an object or a JSON string holding one."),
            } ?? new TDetail();
        }
        catch (JsonException ex)
        {
            throw new InvalidEventException($"The event's detail is not what this function takes: {ex.Message}");
        }
    }

    /// <summary>The event with its detail as JSON (a Scheduler string detail parsed into an object).</summary>
    public static CloudWatchEvent<JsonElement> Parse(ReadOnlySpan<byte> json)
        => Parse(json, LambdaJsonContext.Default.JsonElement);

    private static CloudWatchEvent<JsonElement> ParseRaw(ReadOnlySpan<byte> json)
    {
        try
        {
            var raw = JsonSerializer.Deserialize(LambdaPayload.WithoutByteOrderMark(json), LambdaJsonContext.Default.CloudWatchEventJsonElement);
            return raw is { DetailType: not null, Source: not null }
                ? raw
                : throw new InvalidEventException("The event is not an EventBridge event: \"source\" and \"detail-type\" are missing.");
        }
        catch (JsonException ex)
        {
            throw new InvalidEventException($"The event is not a valid EventBridge event: {ex.Message}");
        }
    }
}
