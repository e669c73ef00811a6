using System.Globalization;
using System.Text.RegularExpressions;
using Functions.Common.Audit;

namespace Functions.AuditCli;

public static partial class AuditTime
{
    public const string Forms =
        "a time with its zone (2026-01-16T12:00:00Z, 2026-01-16T14:00:00+02:00), a date (2026-01-16, midnight UTC), " +
        "now or a time ago (-15m, -2h, -7d), or a timestamp from `history` (2026-01-16T12:00:00.000Z#<sequence number>)";

    [GeneratedRegex(@"^(?<time>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)#(?<sequence>\d{1,40})$", RegexOptions.CultureInvariant)]
    private static partial Regex TimestampForm();

    [GeneratedRegex(@"^(now)?-(?<amount>\d{1,6})(?<unit>[smhd])$", RegexOptions.CultureInvariant)]
    private static partial Regex AgoForm();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(?<zone>Z|[+-]\d{2}:\d{2})?$", RegexOptions.CultureInvariant)]
    private static partial Regex DateTimeForm();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}$", RegexOptions.CultureInvariant)]
    private static partial Regex DateForm();

    /// <summary>Parses one of <see cref="Forms"/>; a usage error that says what is accepted otherwise.</summary>
    public static AuditPoint Parse(string text, DateTimeOffset now)
    {
        var value = text.Trim();
        if (TimestampForm().Match(value) is { Success: true } stamp)
        {
            var time = ParseIso(stamp.Groups["time"].Value, text);
            return new AuditPoint(text, time, $"{stamp.Groups["time"].Value}#{stamp.Groups["sequence"].Value.PadLeft(AuditKey.SequenceWidth, '0')}");
        }
        if (value.Equals("now", StringComparison.OrdinalIgnoreCase)) return new AuditPoint(text, now, null);
        if (AgoForm().Match(value) is { Success: true } ago)
        {
            var amount = int.Parse(ago.Groups["amount"].Value, CultureInfo.InvariantCulture);
            var span = ago.Groups["unit"].Value switch
            {
                "s" => TimeSpan.FromSeconds(amount),
                "m" => TimeSpan.FromMinutes(amount),
                "h" => TimeSpan.FromHours(amount),
                _ => TimeSpan.FromDays(amount),
            };
            return new AuditPoint(text, now - span, null);
        }
        if (DateForm().IsMatch(value))
            return new AuditPoint(text, ParseIso(value + "T00:00:00Z", text), null);
        if (DateTimeForm().Match(value) is { Success: true } dateTime)
        {
            if (!dateTime.Groups["zone"].Success)
                throw Bad(text, "it has no time zone: add Z for UTC (2026-01-16T12:00:00Z) or an offset (+02:00)");
            return new AuditPoint(text, ParseIso(value, text), null);
        }
        throw Bad(text, "give " + Forms);
    }

    private static DateTimeOffset ParseIso(string value, string text)
        => DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time.ToUniversalTime()
            : throw Bad(text, "it is not a date and time of the calendar");

    private static CliException Bad(string text, string why) => new(ExitCodes.Usage, $"Bad time '{text}': {why}.");
}
