using Functions.PitrGuard;

namespace Functions.IntegrationTests;

/// <summary>PitrGuardFunction against moto: a mix of PITR settings, another environment's table and a look-alike.</summary>
[Collection(MotoCollection.Name)]
public class PitrGuardTests(MotoFixture moto)
{
    private static readonly DateTimeOffset TwoPm = new(2026, 11, 23, 14, 0, 0, TimeSpan.Zero);
    private static readonly string[] Fixable = ["applications", "audit", "merchant-analytics", "orders", "pricing-rules", "products", "quotes"];

    private static TablePitrResult Result(PitrReport report, string table) => report.Tables.Single(t => t.Table == table);

    [Theory]
    [InlineData("""{"mode": "report"}""", "aws.events")]
    [InlineData("\"{\\\"mode\\\": \\\"report\\\"}\"", "aws.scheduler")]
    public async Task Report_mode_changes_nothing_and_names_every_non_compliant_table(string detail, string source)
    {
        var env = await PitrEnvironment.CreateAsync(moto);

        var report = await env.Function().RunAsync(ScheduledEvents.At(TwoPm, detail, source));

        Assert.Equal("report", report.Mode);
        Assert.Equal(env.Tables, report.Tables.Select(t => t.Table));
        Assert.Equal(Fixable.Select(env.Table), report.Tables.Where(t => t.Outcome == PitrOutcome.NonCompliant).Select(t => t.Table));
        Assert.Equal("point-in-time recovery is off", Result(report, env.Table("orders")).Reason);
        Assert.Equal("recovery period 7 days, policy 35", Result(report, env.Table("quotes")).Reason);
        Assert.Equal(PitrOutcome.Compliant, Result(report, env.Table("customers")).Outcome);
        Assert.Equal(PitrOutcome.Exempt, Result(report, env.Table("legacy")).Outcome);
        Assert.Equal((false, (int?)null), await env.PitrOfAsync(env.Table("orders")));
        Assert.Equal((true, (int?)7), await env.PitrOfAsync(env.Table("quotes")));
        Assert.Empty(await env.TableAuditRecordsAsync());
        Assert.False(report.Calls.ContainsKey("UpdateContinuousBackups"));

        var summary = env.Logs.Line("pitr check");
        Assert.Equal(7, summary.GetProperty("non_compliant").GetInt32());
        Assert.Equal(7d, env.Logs.MetricRecord().GetProperty("PitrNonCompliant").GetDouble());
        Assert.Equal(9d, env.Logs.MetricRecord().GetProperty("TablesChecked").GetDouble());
        EmittedMetrics.AssertTheDashboardReadsThem(env.Logs.MetricRecord(), env.App, "PitrGuardFunction", PitrMetrics.All);
    }

    [Fact]
    public async Task Enforce_mode_fixes_every_table_audits_each_fix_once_and_a_second_run_writes_nothing()
    {
        var env = await PitrEnvironment.CreateAsync(moto);
        var function = env.Function();
        var firstEvent = ScheduledEvents.At(TwoPm);

        var first = await function.RunAsync(firstEvent);
        var replay = await function.RunAsync(firstEvent);
        var nextHour = await function.RunAsync(ScheduledEvents.At(TwoPm.AddHours(1)));

        Assert.Equal((7, 1, 1), (first.Counts.Remediated, first.Counts.Compliant, first.Counts.Exempt));
        foreach (var table in Fixable.Select(env.Table)) Assert.Equal((true, (int?)35), await env.PitrOfAsync(table));
        Assert.Equal((false, (int?)null), await env.PitrOfAsync(env.Table("legacy")));
        foreach (var table in env.Foreign) Assert.Equal((false, (int?)null), await env.PitrOfAsync(table));
        Assert.DoesNotContain(first.Tables, t => env.Foreign.Contains(t.Table));

        var records = await env.TableAuditRecordsAsync();
        Assert.Equal(Fixable.Select(s => "table#" + env.Table(s)), records.Select(r => r["entityType#entityId"].S).Order(StringComparer.Ordinal));
        var quotes = records.Single(r => r["entityId"].S == env.Table("quotes"));
        Assert.Equal(("PITR_PERIOD_RAISED", "2026-11-23T14:00:00.000Z#PITR_PERIOD_RAISED", $"{env.App}-dev-pitr-guard"),
            (quotes["eventName"].S, quotes["timestamp"].S, quotes["actor"].S));
        Assert.Equal(("7", "35"), (quotes["before"].M["recoveryPeriodInDays"].N, quotes["after"].M["recoveryPeriodInDays"].N));
        var orders = records.Single(r => r["entityId"].S == env.Table("orders"));
        Assert.Equal(("PITR_ENABLED", "DISABLED", "ENABLED"), (orders["eventName"].S, orders["before"].M["pointInTimeRecovery"].S, orders["after"].M["pointInTimeRecovery"].S));

        Assert.Equal((0, 8), (replay.Counts.Remediated, replay.Counts.Compliant));
        Assert.Equal((0, 8), (nextHour.Counts.Remediated, nextHour.Counts.Compliant));
        Assert.Equal(7, (await env.TableAuditRecordsAsync()).Count);
        Assert.False(nextHour.Calls.ContainsKey("UpdateContinuousBackups"));
        Assert.Equal(0d, env.Logs.MetricRecord().GetProperty("PitrRemediated").GetDouble());
    }

    [Fact]
    public async Task A_rerun_after_a_partial_failure_fixes_the_rest_and_never_audits_a_fix_twice()
    {
        var env = await PitrEnvironment.CreateAsync(moto);
        var (denied, lostAudit) = (env.Table("orders"), env.Table("quotes"));
        var once = new FirstTimes();
        using var network = new ScriptedNetwork((request, forward) => request.Operation switch
        {
            "UpdateContinuousBackups" when request.Names(denied) && once.First("denied") => ScriptedNetwork.Error("AccessDeniedException"),
            // The audit put reaches DynamoDB but its answer is lost: the retry finds the record.
            "PutItem" when request.Body.Contains($"table#{lostAudit}", StringComparison.Ordinal) && once.First("lost") => ScriptedNetwork.AnswerLost(forward),
            "DescribeContinuousBackups" when request.Names(env.Table("applications")) => ScriptedNetwork.Error("ThrottlingException"),
            _ => null,
        });
        using var client = network.Client(moto);
        var function = env.Function(client);
        var tick = ScheduledEvents.At(TwoPm);

        var partial = (await function.FailsWithAsync<PitrCheckFailedException>(tick)).Report;

        Assert.Equal((PitrOutcome.Failed, "PITR_ENABLED: AccessDeniedException (HTTP 400)"), (Result(partial, denied).Outcome, Result(partial, denied).Reason));
        Assert.Equal(PitrOutcome.Failed, Result(partial, env.Table("applications")).Outcome); // throttled on every attempt
        Assert.Equal(5, partial.Counts.Remediated);
        Assert.Equal(PitrOutcome.Remediated, Result(partial, lostAudit).Outcome);
        Assert.Equal("table not checked", env.Logs.LogLines().First(l => l.GetProperty("level").GetString() == "ERROR").GetProperty("message").GetString());

        // Lambda's retry of the same event, the network healthy again for all but applications.
        var rerun = (await function.FailsWithAsync<PitrCheckFailedException>(tick)).Report;
        Assert.Equal(PitrOutcome.Remediated, Result(rerun, denied).Outcome);
        Assert.Equal(6, rerun.Tables.Count(t => t.Outcome == PitrOutcome.Compliant)); // customers and the five fixed before

        var records = await env.TableAuditRecordsAsync();
        Assert.Equal(6, records.Count); // every table fixed, applications aside, once
        Assert.Equal(records.Count, records.Select(r => r["entityType#entityId"].S).Distinct().Count());
        Assert.Equal(5 + 1 + 1, network.CallsOf("PutItem")); // five fixes and the lost answer's retry, then orders
    }

    [Fact]
    public async Task Tables_being_created_or_deleted_are_reported_not_failed_and_a_throttled_call_is_retried()
    {
        var env = await PitrEnvironment.CreateAsync(moto);
        var (deleted, busy, throttled) = (env.Table("orders"), env.Table("quotes"), env.Table("products"));
        var once = new FirstTimes();
        using var network = new ScriptedNetwork((request, _) => request.Operation switch
        {
            "DescribeContinuousBackups" when request.Names(deleted) => ScriptedNetwork.Error("TableNotFoundException"),
            "UpdateContinuousBackups" when request.Names(busy) => ScriptedNetwork.Error("ResourceInUseException"),
            "DescribeContinuousBackups" when request.Names(throttled) && once.First("throttled") => ScriptedNetwork.Error("ThrottlingException"),
            _ => null,
        });
        using var client = network.Client(moto);

        var report = await env.Function(client).RunAsync(ScheduledEvents.At(TwoPm));

        Assert.Equal(PitrOutcome.NotFound, Result(report, deleted).Outcome);
        Assert.Equal(PitrOutcome.InUse, Result(report, busy).Outcome);
        Assert.Equal(PitrOutcome.Remediated, Result(report, throttled).Outcome);
        Assert.Equal((0, 2, 5), (report.Counts.Failed, report.Counts.Skipped, report.Counts.Remediated));
        Assert.Equal((true, (int?)35), await env.PitrOfAsync(throttled));
    }

    [Fact]
    public async Task The_readiness_report_names_each_finding_and_changes_nothing()
    {
        var env = await PitrEnvironment.CreateAsync(moto);
        await moto.Client.CreateBackupAsync(new CreateBackupRequest { TableName = env.Table("orders"), BackupName = "manual-check" });
        await moto.Client.UpdateTableAsync(new UpdateTableRequest { TableName = env.Table("quotes"), StreamSpecification = new StreamSpecification { StreamEnabled = false } });
        var asProd = new Dictionary<string, string> { ["ENVIRONMENT"] = "prod", ["EPHEMERAL_TABLES"] = "merchant-analytics" };

        var report = await env.Function(variables: asProd).RunAsync(ScheduledEvents.At(DateTimeOffset.UtcNow, """{"mode": "report"}"""));

        string[] Codes(string suffix) => Result(report, env.Table(suffix)).Findings.Select(f => f.Code).ToArray();
        Assert.Equal([Finding.DeletionProtectionOff], Codes("orders")); // backed up a moment ago
        Assert.Equal([Finding.DeletionProtectionOff, Finding.NoStream, Finding.NoRecentBackup], Codes("quotes"));
        Assert.Equal([Finding.DeletionProtectionOff, Finding.NoTtl, Finding.NoRecentBackup], Codes("merchant-analytics"));
        Assert.Equal([Finding.DeletionProtectionOff, Finding.NoRecentBackup], Codes("audit"));
        Assert.Equal(report.Tables.Sum(t => t.Findings.Count), report.Counts.Findings);
        Assert.Equal((double)report.Counts.Findings, env.Logs.MetricRecord().GetProperty("ReadinessFindings").GetDouble());
        Assert.Equal(1, report.Calls["DescribeTimeToLive"]); // asked of the ephemeral table only
        Assert.Empty(await env.TableAuditRecordsAsync());
    }
}
