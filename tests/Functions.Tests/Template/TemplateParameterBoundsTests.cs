using System.Globalization;
using Functions.AuditTrail;
using Functions.DevKit;
using Functions.NightlyBackup;
using Functions.PitrGuard;
using Functions.ThrottleResponder;

namespace Functions.Tests;

/// <summary>
/// Every Number parameter of template.yaml, with the bounds of what it feeds: where AWS bounds the
/// property, the template holds the same bound, so CloudFormation refuses a value before it
/// changes anything instead of failing mid-deploy (18 alarms at ThrottleAlarmEvaluationPeriods
/// 1,441); where only the function bounds it, the template holds the function's. A Number
/// parameter added without its line here fails the test.
/// </summary>
public class TemplateParameterBoundsTests
{
    private static readonly SamTemplate Template = SamTemplate.Load(RepoLayout.Find(AppContext.BaseDirectory).TemplatePath);

    /// <param name="Source">The AWS page that bounds what the parameter feeds (or says nothing does).</param>
    private sealed record Bound(long? Min, long? Max, string Source, string Why);

    private const string PutMetricAlarm = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html";
    private const string ProvisionedThroughput = "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ProvisionedThroughput.html";
    private const string OnDemandThroughput = "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_OnDemandThroughput.html";
    private const string Backups = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/BackupRestore.html";

    private static readonly Dictionary<string, Bound> Bounds = new(StringComparer.Ordinal)
    {
        ["AuditRetentionDays"] = new(0, AuditTrailSettings.MaxRetentionDays, "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/time-to-live-ttl-before-you-start.html",
            "0 keeps items forever; DynamoDB bounds no TTL value: the function's 100 years (a change time plus more days than DateTime holds fails)"),
        ["BackupRetentionDays"] = new(1, 36_500, Backups, "on-demand backups stay until deleted, no AWS bound: the function's (BackupSettings)"),
        ["BackupMinKeep"] = new(1, 1_000, Backups, "no AWS bound: the function's (BackupSettings)"),
        ["PitrRecoveryDays"] = new(1, PitrSettings.MaxRecoveryDays, "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PointInTimeRecoverySpecification.html",
            "RecoveryPeriodInDays, 1 to 35"),
        ["ReadCapacityUnits"] = new(1, null, ProvisionedThroughput,
            "at least 1; the most is the account's per-table quota, 40,000 by default and raised on request (ServiceQuotas.html): no fixed bound"),
        ["WriteCapacityUnits"] = new(1, null, ProvisionedThroughput, "likewise"),
        ["ThrottleAlarmThreshold"] = new(0, null, PutMetricAlarm, "Threshold is any double; below 0 a count of throttle events is always over it"),
        ["ThrottleAlarmEvaluationPeriods"] = new(1, 180, "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-limits.html",
            "EvaluationPeriods at least 1 and times Period at most 86,400 s (PutMetricAlarm); a Metrics Insights alarm evaluates only the last 3 hours: 180 one-minute periods"),
        ["OnDemandMaxReadRequestUnits"] = new(-1, null, OnDemandThroughput, "at least 1, or -1 for none; 0 the function takes as none and never sends"),
        ["OnDemandMaxWriteRequestUnits"] = new(-1, null, OnDemandThroughput, "likewise"),
    };

    public static TheoryData<string> NumberParameters()
        => new(Template.ParameterDeclarations().Where(p => SamTemplate.Scalar(SamTemplate.Child(p.Value, "Type")) == "Number").Select(p => p.Key));

    [Theory]
    [MemberData(nameof(NumberParameters))]
    public void Every_number_parameter_has_the_bounds_of_what_it_feeds(string name)
    {
        Assert.True(Bounds.TryGetValue(name, out var bound), $"{name} is a Number parameter with no bound and source listed here");
        var declaration = Template.ParameterDeclarations()[name];
        long? Read(string key) => SamTemplate.Scalar(SamTemplate.Child(declaration, key)) is { } text ? long.Parse(text, CultureInfo.InvariantCulture) : null;

        Assert.Equal((bound.Min, bound.Max), (Read("MinValue"), Read("MaxValue")));
        Assert.StartsWith("https://docs.aws.amazon.com/", bound.Source, StringComparison.Ordinal);
        var fallback = long.Parse(SamTemplate.Scalar(SamTemplate.Child(declaration, "Default"))!, CultureInfo.InvariantCulture);
        Assert.InRange(fallback, bound.Min ?? long.MinValue, bound.Max ?? long.MaxValue);
    }

    [Fact]
    public void Every_listed_parameter_is_in_the_template() => Assert.Empty(Bounds.Keys.Except(Template.ParameterDeclarations().Keys));

    /// <summary>The alarms ThrottleAlarmEvaluationPeriods feeds: at its MaxValue each stays within 86,400 s, and a Metrics Insights one within 3 hours.</summary>
    [Fact]
    public void At_its_most_the_evaluation_periods_fit_every_alarm_they_feed()
    {
        var context = Template.Context(new Dictionary<string, string> { ["BillingMode"] = "PROVISIONED", ["ThrottleAlarmEvaluationPeriods"] = "180" }).WithResourceReferences();
        var fed = 0;
        foreach (var id in Template.ResourcesOfType("AWS::CloudWatch::Alarm"))
        {
            var properties = (Dictionary<string, object?>)context.Resolve(Template.ResourceProperty(id), id)!;
            if (!Equals(properties["EvaluationPeriods"], "180")) continue;
            fed++;
            var queries = ((List<object?>)properties["Metrics"]!).Cast<Dictionary<string, object?>>().ToList();
            var period = int.Parse((string)queries.Single()["Period"]!, CultureInfo.InvariantCulture);
            Assert.True(180 * period <= 86_400, $"{id}: {180 * period} s");
            Assert.True(180 * period <= 3 * 3600 || Functions.Events.Serialization.MetricsInsightsQuery.TryParse(queries.Single()["Expression"] as string) is null, $"{id}: a query alarm over 3 hours");
        }
        Assert.Equal(24, fed);
    }

    /// <summary>Where the function bounds a value, the template's bound is the function's: the most the template lets through is taken, one more is refused.</summary>
    [Fact]
    public void The_functions_take_the_most_the_template_allows_and_refuse_more()
    {
        static Func<string, string?> Vars(params (string Name, string Value)[] values)
            => name => values.FirstOrDefault(v => v.Name == name).Value ?? (name switch { "AUDIT_TABLE_NAME" => "maip-dev-audit", "TABLE_PREFIX" => "maip-dev-", _ => null });
        Assert.Equal(36_500, AuditTrailSettings.From(Vars(("AUDIT_RETENTION_DAYS", "36500"))).RetentionDays);
        Assert.Throws<InvalidOperationException>(() => AuditTrailSettings.From(Vars(("AUDIT_RETENTION_DAYS", "36501"))));
        Assert.Equal((36_500, 1_000), (BackupSettings.From(Vars(("BACKUP_RETENTION_DAYS", "36500"), ("BACKUP_MIN_KEEP", "1000"))) is var b ? (b.RetentionDays, b.MinKeep) : default));
        Assert.Throws<InvalidOperationException>(() => BackupSettings.From(Vars(("BACKUP_RETENTION_DAYS", "36501"))));
        Assert.Throws<InvalidOperationException>(() => BackupSettings.From(Vars(("BACKUP_MIN_KEEP", "1001"))));
        Assert.Throws<InvalidOperationException>(() => PitrSettings.From(Vars(("PITR_RECOVERY_DAYS", "36"))));
        Assert.Null(ThrottleSettings.From(Vars(("ON_DEMAND_MAX_READ_REQUEST_UNITS", "0"))).MaxReadRequestUnits); // never sent as 0
        Assert.Throws<InvalidOperationException>(() => ThrottleSettings.From(Vars(("ON_DEMAND_MAX_WRITE_REQUEST_UNITS", "-2"))));
    }
}
