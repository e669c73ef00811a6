using Functions.Common.Logging;
using System.Text.Json;
using Functions.Common.Audit;
using Functions.PitrGuard;

namespace Functions.Tests;

/// <summary>The PITR guard's decisions, without AWS: PITR, the readiness checklist, the audit record.</summary>
// A function's types are internal and xUnit calls public methods: a theory takes them as object.
public class PitrDecisionTests
{
    private static readonly DateTimeOffset AsOf = new(2026, 11, 23, 14, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(false, null, PitrMode.Enforce, PitrOutcome.Remediated, PitrDecision.PitrEnabled)]
    [InlineData(false, null, PitrMode.Report, PitrOutcome.NonCompliant, PitrDecision.PitrEnabled)]
    [InlineData(true, 7, PitrMode.Enforce, PitrOutcome.Remediated, PitrDecision.PitrPeriodRaised)]
    [InlineData(true, 7, PitrMode.Report, PitrOutcome.NonCompliant, PitrDecision.PitrPeriodRaised)]
    [InlineData(true, 34, PitrMode.Enforce, PitrOutcome.Remediated, PitrDecision.PitrPeriodRaised)]
    [InlineData(true, 35, PitrMode.Enforce, PitrOutcome.Compliant, null)]
    [InlineData(true, null, PitrMode.Enforce, PitrOutcome.Compliant, null)] // no period stated: DynamoDB's 35
    public void Pitr_off_or_short_is_fixed_in_enforce_mode_and_reported_in_report_mode(bool enabled, int? days, object modeValue, object outcomeValue, string? eventName)
    {
        var (mode, outcome) = ((PitrMode)modeValue, (PitrOutcome)outcomeValue);
        var decision = PitrPolicy.Decide(new PitrState(enabled, days), exempt: false, mode, policyDays: 35);

        Assert.Equal((outcome, eventName), (decision.Outcome, decision.EventName));
        if (eventName is not null) Assert.Equal(new PitrState(true, 35), decision.Target);
        Assert.Equal(outcome == PitrOutcome.Remediated, decision.Changes);
    }

    [Fact]
    public void A_longer_period_than_the_policy_is_never_lowered()
    {
        var decision = PitrPolicy.Decide(new PitrState(true, 35), exempt: false, PitrMode.Enforce, policyDays: 7);
        Assert.Equal(PitrOutcome.Compliant, decision.Outcome);
        Assert.Null(decision.Target);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void An_exempt_table_is_never_changed_whatever_its_state(bool enabled)
    {
        var decision = PitrPolicy.Decide(new PitrState(enabled, 1), exempt: true, PitrMode.Enforce, 35);
        Assert.Equal((PitrOutcome.Exempt, false, null), (decision.Outcome, decision.Changes, decision.EventName));
        Assert.Contains("pitr=off", decision.Reason, StringComparison.Ordinal);
    }

    private static TableFacts Ready(string name = "maip-prod-orders") => new(name, IsBusinessTable: true, IsEphemeral: false,
        DeletionProtection: true, StreamEnabled: true, TtlEnabled: null, LatestOnDemandBackup: AsOf - TimeSpan.FromHours(11));

    private static List<string> Codes(TableFacts facts, string environment = "prod")
        => Readiness.Check(facts, environment, AsOf).Select(f => f.Code).ToList();

    [Fact]
    public void A_ready_table_has_no_findings()
        => Assert.Empty(Codes(Ready()));

    [Fact]
    public void Deletion_protection_off_is_a_finding_outside_dev_only()
    {
        Assert.Equal([Finding.DeletionProtectionOff], Codes(Ready() with { DeletionProtection = false }, "prod"));
        Assert.Equal([Finding.DeletionProtectionOff], Codes(Ready() with { DeletionProtection = false }, "staging"));
        Assert.Empty(Codes(Ready() with { DeletionProtection = false }, "dev"));
    }

    [Fact]
    public void A_business_table_without_a_stream_is_a_finding_another_table_is_not()
    {
        Assert.Equal([Finding.NoStream], Codes(Ready() with { StreamEnabled = false }));
        Assert.Empty(Codes(Ready("maip-prod-audit") with { IsBusinessTable = false, StreamEnabled = false }));
    }

    [Fact]
    public void An_ephemeral_table_needs_ttl()
    {
        Assert.Equal([Finding.NoTtl], Codes(Ready() with { IsEphemeral = true, TtlEnabled = false }));
        Assert.Empty(Codes(Ready() with { IsEphemeral = true, TtlEnabled = true }));
        Assert.Empty(Codes(Ready() with { IsEphemeral = false, TtlEnabled = null }));
    }

    [Fact]
    public void The_latest_on_demand_backup_must_be_at_most_48_hours_old_at_the_check()
    {
        Assert.Empty(Codes(Ready() with { LatestOnDemandBackup = AsOf - TimeSpan.FromHours(48) }));
        Assert.Equal([Finding.NoRecentBackup], Codes(Ready() with { LatestOnDemandBackup = AsOf - TimeSpan.FromHours(48) - TimeSpan.FromSeconds(1) }));
        var none = Readiness.Check(Ready() with { LatestOnDemandBackup = null }, "prod", AsOf).Single();
        Assert.Equal("no on-demand backup in the last 48 hours", none.Detail);
    }

    [Fact]
    public void A_table_change_is_audited_under_table_name_with_the_setting_before_and_after()
    {
        var change = new TableChange("maip-dev-orders", PitrDecision.PitrPeriodRaised, AsOf, "maip-dev-pitr-guard",
            new PitrState(true, 7).ToAudit(), new PitrState(true, 35).ToAudit(), "recovery period 7 days, policy 35");

        var item = TableAuditRecord.Item(change);

        Assert.Equal("table#maip-dev-orders", item["entityType#entityId"].S);
        Assert.Equal("2026-11-23T14:00:00.000Z#PITR_PERIOD_RAISED", item["timestamp"].S);
        Assert.Equal(("PITR_PERIOD_RAISED", "table", "maip-dev-orders", "maip-dev-pitr-guard"),
            (item["eventName"].S, item["entityType"].S, item["entityId"].S, item["actor"].S));
        Assert.Equal(("ENABLED", "7"), (item["before"].M["pointInTimeRecovery"].S, item["before"].M["recoveryPeriodInDays"].N));
        Assert.Equal(("ENABLED", "35"), (item["after"].M["pointInTimeRecovery"].S, item["after"].M["recoveryPeriodInDays"].N));
        Assert.False(new PitrState(false, null).ToAudit().ContainsKey("recoveryPeriodInDays"));
    }

    [Theory]
    [InlineData(null, null, null, PitrMode.Enforce, 35)]
    [InlineData("report", "7", "sessions, carts", PitrMode.Report, 7)]
    [InlineData(" ENFORCE ", "1", "", PitrMode.Enforce, 1)]
    public void Settings_come_from_the_environment(string? mode, string? days, string? ephemeral, object expectedModeValue, int expectedDays)
    {
        var expectedMode = (PitrMode)expectedModeValue;
        var settings = PitrSettings.From(n => n switch { "PITR_MODE" => mode, "PITR_RECOVERY_DAYS" => days, "EPHEMERAL_TABLES" => ephemeral, _ => null });
        Assert.Equal((expectedMode, expectedDays), (settings.Mode, settings.RecoveryDays));
        if (ephemeral == "sessions, carts") Assert.Equal(["carts", "sessions"], settings.EphemeralSuffixes.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("PITR_MODE", "fix")]
    [InlineData("PITR_RECOVERY_DAYS", "0")]
    [InlineData("PITR_RECOVERY_DAYS", "36")]
    public void A_setting_outside_its_range_is_refused_at_start(string name, string value)
        => Assert.Contains(name, Assert.Throws<InvalidOperationException>(() => PitrSettings.From(n => n == name ? value : null)).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData(PitrOutcome.Compliant, "compliant")]
    [InlineData(PitrOutcome.Remediated, "remediated")]
    [InlineData(PitrOutcome.NonCompliant, "non-compliant")]
    [InlineData(PitrOutcome.Exempt, "exempt")]
    [InlineData(PitrOutcome.InUse, "in-use")]
    [InlineData(PitrOutcome.NotFound, "not-found")]
    [InlineData(PitrOutcome.Failed, "failed")]
    [InlineData(PitrOutcome.NotReached, "not-reached")]
    public void Each_outcome_is_written_as_the_string_the_report_always_gave(object outcomeValue, string written)
    {
        var outcome = (PitrOutcome)outcomeValue;
        var json = JsonSerializer.Serialize(new TablePitrResult { Table = "t", Outcome = outcome }, PitrJsonContext.Wire.TablePitrResult);

        Assert.Equal($$"""{"table":"t","outcome":"{{written}}","findings":[]}""", json);
        Assert.Equal(written, outcome.WireName());
        Assert.Equal(8, Enum.GetValues<PitrOutcome>().Length); // a new outcome gets its line above
    }

    [Fact]
    public void The_counts_are_the_tables_by_outcome_and_their_findings()
    {
        TablePitrResult Result(PitrOutcome outcome, int findings = 0)
            => new() { Table = "t", Outcome = outcome, Findings = Enumerable.Repeat(new Finding(Finding.NoStream, "-"), findings).ToList() };

        var counts = PitrCounts.Of([
            Result(PitrOutcome.Compliant, findings: 2), Result(PitrOutcome.Remediated), Result(PitrOutcome.NonCompliant, findings: 1),
            Result(PitrOutcome.Exempt), Result(PitrOutcome.InUse), Result(PitrOutcome.NotFound), Result(PitrOutcome.Failed), Result(PitrOutcome.NotReached),
        ]);

        Assert.Equal(new PitrCounts(
            Tables: 8, Checked: 4, Compliant: 1, Remediated: 1, NonCompliant: 1, Exempt: 1, Skipped: 2, Failed: 1, NotReached: 1, Findings: 3), counts);
    }

    [Fact]
    public void The_report_reads_in_order_what_the_run_was_the_counts_each_table_and_the_calls()
    {
        var report = new PitrReport
        {
            Mode = "enforce", CheckedAt = AsOf, Source = "aws.events", RecoveryDays = 35,
            Tables =
            [
                new TablePitrResult
                {
                    Table = "maip-dev-orders", Outcome = PitrOutcome.Remediated,
                    Change = new PitrChange { EventName = "PITR_ENABLED", Before = "off", After = "on (35 days)", Audited = true },
                    Findings = [new Finding(Finding.NoTtl, "no TTL")],
                },
                new TablePitrResult { Table = "maip-dev-quotes", Outcome = PitrOutcome.NotReached, Reason = "no time" },
            ],
            Calls = new(StringComparer.Ordinal) { ["DescribeContinuousBackups"] = 2 },
        };

        Assert.Equal(
            """
            {"mode":"enforce","checkedAt":"2026-11-23T14:00:00+00:00","source":"aws.events","recoveryDays":35,
            "counts":{"tables":2,"checked":1,"compliant":0,"remediated":1,"nonCompliant":0,"exempt":0,"skipped":0,"failed":0,"notReached":1,"findings":1},
            "tables":[{"table":"maip-dev-orders","outcome":"remediated","change":{"eventName":"PITR_ENABLED","before":"off","after":"on (35 days)","audited":true},
            "findings":[{"code":"NO_TTL","detail":"no TTL"}]},{"table":"maip-dev-quotes","outcome":"not-reached","reason":"no time","findings":[]}],
            "calls":{"DescribeContinuousBackups":2}}
            """.ReplaceLineEndings(""),
            JsonSerializer.Serialize(report, PitrJsonContext.Wire.PitrReport));
    }
}
