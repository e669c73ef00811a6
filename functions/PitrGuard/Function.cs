namespace Functions.PitrGuard;

/// <summary>
/// Keeps point-in-time recovery on for every table of the environment and reports the rest of
/// each table's production readiness. Handler: <c>PitrGuard</c> (Program.cs hosts it).
/// </summary>
internal sealed class Function(FunctionServices services, PitrSettings settings) : IFunction<PitrReport>
{
    public const string Service = "pitr-guard";

    /// <summary>PITR cannot be turned on for a moment after a table is created: ContinuousBackupsUnavailableException passes.</summary>
    public static RetryOptions ControlPlaneRetry => ControlPlane.DefaultRetryOptions("ContinuousBackupsUnavailableException");

    public JsonTypeInfo<PitrReport> ResponseType => PitrJsonContext.Wire.PitrReport;

    /// <summary>
    /// The whole check. Throws <see cref="PitrCheckFailedException"/> after every other table is
    /// done when a table failed or was not reached, so Lambda's retry and the Errors alarm see it.
    /// </summary>
    public async Task<PitrReport> RunAsync(ReadOnlyMemory<byte> payload, InvocationDeadline deadline)
    {
        var run = ScheduledInvocations.Parse(payload.Span, PitrJsonContext.Wire.PitrRunOptions, services.Clock);
        PitrMode mode;
        try
        {
            mode = PitrSettings.ParseMode(run.Options.Mode, "The event's detail \"mode\"") ?? settings.Mode;
        }
        catch (InvalidOperationException ex)
        {
            throw new InvalidEventException(ex.Message);
        }

        var controlPlane = services.ControlPlane(ControlPlaneRetry, settings.Rates);
        var tables = await EnvironmentTables.ListOwnAsync(services, controlPlane, deadline).ConfigureAwait(false);
        var check = new TablePitrCheck(services.DynamoDb, controlPlane, services.AuditWriter(), settings, services.Environment, deadline);
        var results = await TableSweep.RunAsync(tables, settings.Concurrency, deadline,
            table => check.RunAsync(table, mode, run.ScheduledTime),
            table => new TablePitrResult { Table = table, Outcome = PitrOutcome.NotReached, Reason = TableSweep.NotReachedReason }).ConfigureAwait(false);

        var report = Summarise(run, mode, [.. results], controlPlane);
        Report(report);
        if (report.Counts.Failed + report.Counts.NotReached > 0)
            throw new PitrCheckFailedException(report);
        return report;
    }

    private PitrReport Summarise(ScheduledInvocation<PitrRunOptions> run, PitrMode mode, List<TablePitrResult> results, ControlPlane controlPlane)
    {
        return new PitrReport
        {
            Mode = mode == PitrMode.Enforce ? "enforce" : "report",
            CheckedAt = run.ScheduledTime,
            Source = run.Source,
            RecoveryDays = settings.RecoveryDays,
            Tables = results,
            Calls = controlPlane.CallCounts(),
        };
    }

    private void Report(PitrReport report)
    {
        foreach (var failed in report.Tables.Where(t => t.Outcome == PitrOutcome.Failed))
            services.Logger.Error("table not checked", ("table", failed.Table), ("reason", failed.Reason),
                ("change_before", failed.Change?.Before), ("change_after", failed.Change?.After));
        var c = report.Counts;
        string[] Tables(PitrOutcome outcome) => report.Tables.Where(t => t.Outcome == outcome).Select(t => $"{t.Table}: {t.Reason}").ToArray();
        services.Logger.Info("pitr check",
            ("mode", report.Mode), ("source", report.Source), ("recovery_days", report.RecoveryDays),
            ("tables", c.Tables), ("checked", c.Checked), ("compliant", c.Compliant), ("remediated", c.Remediated),
            ("non_compliant", c.NonCompliant), ("exempt", c.Exempt), ("skipped", c.Skipped), ("failed", c.Failed),
            ("not_reached", c.NotReached), ("readiness_findings", c.Findings),
            ("remediated_tables", Tables(PitrOutcome.Remediated)),
            ("non_compliant_tables", Tables(PitrOutcome.NonCompliant)),
            ("exempt_tables", Tables(PitrOutcome.Exempt)),
            ("failed_tables", Tables(PitrOutcome.Failed)),
            ("findings", report.Tables.SelectMany(t => t.Findings.Select(f => $"{t.Table}: {f.Code}")).ToArray()),
            ("control_plane_calls", report.Calls.Select(kv => $"{kv.Key}={kv.Value}").ToArray()));
        services.Metrics.Publish([
            new Metric(PitrMetrics.TablesChecked, c.Checked),
            new Metric(PitrMetrics.PitrRemediated, c.Remediated),
            new Metric(PitrMetrics.PitrNonCompliant, c.NonCompliant),
            new Metric(PitrMetrics.ReadinessFindings, c.Findings),
        ]);
    }
}
