using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Functions.Events.Serialization;

/// <summary>
/// Reads what starts a scheduled function: an EventBridge rule's "Scheduled Event" (detail an
/// object), an EventBridge Scheduler event (detail a JSON string), or a manual invocation
/// (<c>{}</c>, or <c>{"detail": {...}, "time": "..."}</c>) that runs as of now.
/// </summary>
public static class ScheduledInvocations
{
    public const string ManualSource = "manual";
    private static readonly HashSet<string> ManualKeys = new(StringComparer.Ordinal) { "detail", "time" };

    public static ScheduledInvocation<TOptions> Parse<TOptions>(ReadOnlySpan<byte> json, JsonTypeInfo<TOptions> optionsType, TimeProvider clock)
        where TOptions : new()
    {
        json = LambdaPayload.WithoutByteOrderMark(json);
        if (IsBlank(json)) return new(clock.GetUtcNow(), ManualSource, new TOptions());

        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            root = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new InvalidEventException($"The event is not valid JSON: {ex.Message}");
        }
        if (root.ValueKind != JsonValueKind.Object)
            throw new InvalidEventException("The event must be a JSON object: a scheduled event, or {} for a run as of now.");

        if (root.TryGetProperty("detail-type", out var detailType))
        {
            if (detailType.ValueKind != JsonValueKind.String || detailType.GetString() != CloudWatchEvents.ScheduledEventType)
                throw new InvalidEventException($"This function runs on a schedule: a \"{detailType}\" event is not one of its triggers.");
            var scheduled = CloudWatchEvents.Parse(json, optionsType);
            if (scheduled.Time == default)
                throw new InvalidEventException("The scheduled event has no \"time\": which night it belongs to is unknown.");
            var sent = new DateTimeOffset(DateTime.SpecifyKind(scheduled.Time.ToUniversalTime(), DateTimeKind.Utc));
            // `sam local generate-event` and AWS's sample events carry the Unix epoch as a placeholder.
            return new(sent == DateTimeOffset.UnixEpoch ? clock.GetUtcNow() : sent, scheduled.Source!, scheduled.Detail!);
        }

        // A manual run: only "detail" and "time" are read, and anything else is refused, so that
        // {"dryRun": true} at the top level cannot silently become a real run.
        if (root.EnumerateObject().FirstOrDefault(p => !ManualKeys.Contains(p.Name)) is { Value.ValueKind: not JsonValueKind.Undefined } unknown)
            throw new InvalidEventException(
                $"Unknown key \"{unknown.Name}\": a manual run passes its options in \"detail\", e.g. {{\"detail\": {{\"dryRun\": true}}}}.");
        var time = root.TryGetProperty("time", out var t) ? ParseTime(t) : clock.GetUtcNow();
        var options = root.TryGetProperty("detail", out var detail) ? CloudWatchEvents.ParseDetail(detail, optionsType) : new TOptions();
        return new(time, ManualSource, options);
    }

    private static DateTimeOffset ParseTime(JsonElement time)
        => time.ValueKind == JsonValueKind.String
           && DateTimeOffset.TryParse(time.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed)
            ? parsed
            : throw new InvalidEventException($"\"time\" must be an ISO 8601 time such as 2026-11-23T03:00:00Z, not {time.GetRawText()}.");

    private static bool IsBlank(ReadOnlySpan<byte> json)
    {
        foreach (var b in json)
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')) return false;
        return true;
    }
}
