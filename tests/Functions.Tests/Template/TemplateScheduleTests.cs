using System.Globalization;
using System.Text.RegularExpressions;
using Functions.Common.Tables;
using Functions.DevKit;

namespace Functions.Tests;

/// <summary>
/// The scheduled functions of one account's environments never run in the same minute, nor
/// overlap while they run: ListBackups (5 a second), ListTagsOfResource and DeleteBackup (10) are
/// rates of the account, not of a caller (each API's reference page, e.g.
/// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ListBackups.html), so runs
/// at once would throttle each other.
/// </summary>
public partial class TemplateScheduleTests
{
    private static readonly SamTemplate Template = SamTemplate.Load(RepoLayout.Find(AppContext.BaseDirectory).TemplatePath);
    private static readonly string[] Scheduled = ["NightlyBackupFunction", "PitrGuardFunction"];

    // The two forms the template uses: a minute of one hour each day, a minute of every hour.
    [GeneratedRegex(@"^cron\((\d{1,2}) (\d{1,2}|\*) \* \* \? \*\)$")]
    private static partial Regex Cron();

    private static string ScheduleOf(TemplateContext context, string function)
    {
        var events = (Dictionary<string, object?>)context.Resolve(Template.ResourceProperty(function, "Events"), function)!;
        var schedule = events.Values.Cast<Dictionary<string, object?>>().Single(e => (string?)e["Type"] == "Schedule");
        return (string)((Dictionary<string, object?>)schedule["Properties"]!)["Schedule"]!;
    }

    /// <summary>The minutes of a day (0 to 1439) the function runs in: from each start, its Timeout rounded up to whole minutes.</summary>
    private static IEnumerable<int> BusyMinutes(string expression, int timeoutSeconds)
    {
        var cron = Cron().Match(expression);
        Assert.True(cron.Success, $"{expression}: not a form this test reads (a minute of an hour, or of every hour)");
        var minute = int.Parse(cron.Groups[1].Value, CultureInfo.InvariantCulture);
        var hours = cron.Groups[2].Value == "*" ? Enumerable.Range(0, 24) : [int.Parse(cron.Groups[2].Value, CultureInfo.InvariantCulture)];
        var length = (timeoutSeconds + 59) / 60;
        return hours.SelectMany(h => Enumerable.Range(h * 60 + minute, length)).Select(m => m % 1440);
    }

    [Fact]
    public void The_scheduled_runs_of_one_accounts_environments_never_share_a_minute()
    {
        var busy = new Dictionary<int, string>();
        var clashes = new List<string>();
        foreach (var environment in TablePrefix.Environments)
        {
            var context = Template.Context(new Dictionary<string, string> { ["Environment"] = environment });
            foreach (var function in Scheduled)
            {
                var run = $"{environment} {function}";
                foreach (var minute in BusyMinutes(ScheduleOf(context, function), FunctionDefinition.Read(context, function).TimeoutSeconds))
                    if (!busy.TryAdd(minute, run)) clashes.Add($"{run} and {busy[minute]} at {minute / 60:D2}:{minute % 60:D2}");
            }
        }
        Assert.True(clashes.Count == 0, string.Join(Environment.NewLine, clashes.Distinct().Take(10)));
        Assert.Equal(3 * (24 + 1) * 5, busy.Count); // each environment: 24 checks and one backup a day, 5 minutes each
    }

    [Fact]
    public void A_schedule_given_as_a_parameter_is_taken_as_given()
    {
        var context = Template.Context(new Dictionary<string, string> { ["BackupSchedule"] = "cron(0 2 * * ? *)", ["PitrSchedule"] = "rate(2 hours)" });
        Assert.Equal(("cron(0 2 * * ? *)", "rate(2 hours)"), (ScheduleOf(context, "NightlyBackupFunction"), ScheduleOf(context, "PitrGuardFunction")));
    }
}
