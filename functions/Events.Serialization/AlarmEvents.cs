using System.Globalization;
using System.Text.Json;

namespace Functions.Events.Serialization;

/// <summary>Recognises and reads the three alarm deliveries into <see cref="AlarmNotification"/>.</summary>
public static class AlarmEvents
{
    private const string Expected =
        "SNS Records carrying a CloudWatch alarm message, an EventBridge \"CloudWatch Alarm State Change\" event, or an alarm action's payload (alarmData)";

    public static IReadOnlyList<AlarmNotification> Parse(ReadOnlySpan<byte> json)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(LambdaPayload.WithoutByteOrderMark(json.ToArray().AsMemory()),
                new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            root = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new InvalidEventException($"The event is not valid JSON: {ex.Message}");
        }
        if (root.ValueKind != JsonValueKind.Object) throw new InvalidEventException($"The event is not an alarm notification; expected {Expected}.");

        try
        {
            if (root.TryGetProperty("Records", out _))
                return FromSns(root.Deserialize(LambdaJsonContext.Default.SNSEvent)!);
            if (root.TryGetProperty("alarmData", out _))
                return [FromAlarmAction(root.Deserialize(LambdaJsonContext.Default.CloudWatchAlarmActionEvent)!)];
            if (root.TryGetProperty("detail-type", out var type) && type.ValueKind == JsonValueKind.String
                && type.GetString() == CloudWatchEvents.AlarmStateChangeType)
                return [FromEventBridge(root.Deserialize(LambdaJsonContext.Default.CloudWatchEventAlarmStateChange)!)];
        }
        catch (JsonException ex)
        {
            throw new InvalidEventException($"The alarm notification is malformed: {ex.Message}");
        }
        throw new InvalidEventException($"The event is not an alarm notification; expected {Expected}.");
    }

    private static List<AlarmNotification> FromSns(SNSEvent sns)
    {
        if (sns.Records is not { Count: > 0 }) throw new InvalidEventException("The SNS event has no records.");
        var alarms = new List<AlarmNotification>(sns.Records.Count);
        foreach (var record in sns.Records)
        {
            var text = record.Sns?.Message ?? throw new InvalidEventException("An SNS record has no Sns.Message.");
            AlarmSnsMessage? message;
            try
            {
                message = JsonSerializer.Deserialize(text, LambdaJsonContext.Default.AlarmSnsMessage);
            }
            catch (JsonException)
            {
                message = null;
            }
            if (message?.AlarmName is null || message.NewStateValue is null)
                throw new InvalidEventException("An SNS message is not a CloudWatch alarm notification (no AlarmName and NewStateValue).");

            var trigger = message.Trigger;
            var metrics = new List<AlarmMetric>();
            if (trigger?.MetricName is not null)
                metrics.Add(new AlarmMetric(null, trigger.Namespace, trigger.MetricName, Dimensions(trigger.Dimensions), null));
            foreach (var query in trigger?.Metrics ?? [])
            {
                var metric = query.MetricStat?.Metric;
                metrics.Add(AlarmMetric.Of(query.Id, metric?.Namespace, metric?.MetricName, Dimensions(metric?.Dimensions), query.Expression));
            }
            alarms.Add(new AlarmNotification(
                AlarmDelivery.Sns, message.AlarmName, message.AlarmArn,
                RegionOf(message.AlarmArn), message.AWSAccountId, message.NewStateValue, message.OldStateValue, message.NewStateReason,
                ParseTime(message.StateChangeTime), metrics, IsComposite: trigger is null || message.AlarmRule is not null));
        }
        return alarms;
    }

    private static AlarmNotification FromEventBridge(CloudWatchEvent<AlarmStateChange> e)
        => FromStateChange(AlarmDelivery.EventBridge, e.Detail, e.Resources?.FirstOrDefault(), e.Region, e.Account,
            e.Time == default ? null : new DateTimeOffset(DateTime.SpecifyKind(e.Time, DateTimeKind.Utc)));

    private static AlarmNotification FromAlarmAction(CloudWatchAlarmActionEvent e)
        => FromStateChange(AlarmDelivery.AlarmAction, e.AlarmData, e.AlarmArn, e.Region ?? RegionOf(e.AlarmArn), e.AccountId, ParseTime(e.Time));

    private static AlarmNotification FromStateChange(
        AlarmDelivery delivery, AlarmStateChange? change, string? arn, string? region, string? account, DateTimeOffset? time)
    {
        if (change?.AlarmName is null || change.State?.Value is null)
            throw new InvalidEventException("The alarm state change has no alarmName or state.value.");
        var metrics = (change.Configuration?.Metrics ?? [])
            .Select(m => AlarmMetric.Of(m.Id, m.MetricStat?.Metric?.Namespace, m.MetricStat?.Metric?.Name,
                m.MetricStat?.Metric?.Dimensions ?? new Dictionary<string, string>(), m.Expression))
            .ToList();
        return new AlarmNotification(delivery, change.AlarmName, arn, region, account, change.State.Value, change.PreviousState?.Value,
            change.State.Reason, ParseTime(change.State.Timestamp) ?? time, metrics,
            IsComposite: change.Configuration?.AlarmRule is not null || metrics.Count == 0);
    }

    private static Dictionary<string, string> Dimensions(List<AlarmSnsMessage.Dimension>? dimensions)
        => (dimensions ?? []).Where(d => d.Name is not null && d.Value is not null)
            .GroupBy(d => d.Name!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Value!, StringComparer.Ordinal);

    /// <summary>The region code of <c>arn:aws:cloudwatch:REGION:ACCOUNT:alarm:NAME</c> (SNS gives a long name instead).</summary>
    public static string? RegionOf(string? arn)
        => arn?.Split(':') is { Length: >= 6 } parts && parts[0] == "arn" && parts[3].Length > 0 ? parts[3] : null;

    /// <summary>CloudWatch writes <c>2015-06-03T17:43:27.123+0000</c>, an offset without a colon.</summary>
    public static DateTimeOffset? ParseTime(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var normalised = text.Length > 5 && (text[^5] is '+' or '-') && text[^4..].All(char.IsAsciiDigit)
            ? text[..^2] + ":" + text[^2..]
            : text;
        return DateTimeOffset.TryParse(normalised, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;
    }
}
