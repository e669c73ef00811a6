namespace Functions.NightlyBackup;

/// <summary>
/// Takes the night's on-demand backup of every table of the environment and prunes the suite's
/// old ones. Handler: <c>NightlyBackup</c> (Program.cs hosts it).
/// </summary>
internal sealed class Function(FunctionServices services, BackupSettings settings) : IFunction<BackupRunSummary>
{
    public const string Service = "nightly-backup";

    /// <summary>How far a run's time may be ahead of the function's clock: clock skew, not a night still to come.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>
    /// CreateBackup answers LimitExceededException when too many control-plane operations run at
    /// once, DeleteBackup BackupInUseException while a backup is busy: both pass, so they are retried.
    /// </summary>
    public static RetryOptions ControlPlaneRetry => ControlPlane.DefaultRetryOptions("LimitExceededException", "BackupInUseException");

    public JsonTypeInfo<BackupRunSummary> ResponseType => BackupJsonContext.Wire.BackupRunSummary;

    /// <summary>
    /// The whole run. Throws <see cref="BackupRunFailedException"/> after every other table is
    /// done when a table has no backup for the night (failed, not reached, still in use) or a
    /// prune failed, so Lambda's retry and the Errors alarm see it.
    /// </summary>
    public async Task<BackupRunSummary> RunAsync(ReadOnlyMemory<byte> payload, InvocationDeadline deadline)
    {
        var run = ScheduledInvocations.Parse(payload.Span, BackupJsonContext.Wire.BackupRunOptions, services.Clock);
        if (run.Options.Tables is { Count: 0 })
            throw new InvalidEventException("\"tables\" is empty: leave it out to back up every table of the environment.");
        RefuseFutureNight(run.ScheduledTime);

        var controlPlane = services.ControlPlane(ControlPlaneRetry, settings.Rates);
        var selection = EnvironmentTables.Select(
            await EnvironmentTables.ListOwnAsync(services, controlPlane, deadline).ConfigureAwait(false), run.Options.Tables, services.Environment.TablePrefix);

        var results = selection.Refused
            .Select(r => new TableBackupResult { Table = r.Name, Outcome = BackupOutcome.Failed, Reason = r.Reason })
            .Concat(await BackUpAsync(selection.Tables, run, controlPlane, deadline).ConfigureAwait(false))
            .ToList();

        var summary = Summarise(run, results, controlPlane);
        Report(summary);
        if (summary.Counts.Failed + summary.Counts.NotReached + summary.Counts.InUse + summary.Counts.PruneFailed > 0)
            throw new BackupRunFailedException(summary);
        return summary;
    }

    // A typo in a manual run's time would name the backup for a night still to come, prune as of
    // it, and make that night's real run find "exists" and back up nothing.
    private void RefuseFutureNight(DateTimeOffset scheduled)
    {
        var now = services.Clock.GetUtcNow();
        if (scheduled <= now + MaxClockSkew) return;
        static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        throw new InvalidEventException(
            $"\"time\" {Iso(scheduled)} is in the future (now {Iso(now)}, {MaxClockSkew.TotalMinutes:0} minutes of clock skew allowed): " +
            "a run for a night still to come would take that night's backup too early and its real run would back up nothing. " +
            "Leave \"time\" out to run as of now.");
    }

    private async Task<TableBackupResult[]> BackUpAsync(IReadOnlyList<string> tables, ScheduledInvocation<BackupRunOptions> run, ControlPlane controlPlane, InvocationDeadline deadline)
    {
        if (tables.Count == 0) return [];
        var arnPrefix = await TableArnPrefixAsync(tables, controlPlane, deadline).ConfigureAwait(false);
        var worker = new TableBackup(services.DynamoDb, controlPlane, settings.Retention, deadline);
        Task<TableBackupResult[]> SweepAsync(IReadOnlyList<string> some) => TableSweep.RunAsync(some, settings.Concurrency, deadline,
            table => worker.RunAsync(table, arnPrefix + table, run.Night, run.ScheduledTime, run.Options.DryRun),
            table => new TableBackupResult { Table = table, Outcome = BackupOutcome.NotReached, Reason = TableSweep.NotReachedReason });

        var results = await SweepAsync(tables).ConfigureAwait(false);
        // A table being created or updated may be free in a while: tried again after the others,
        // waiting longer each time, while the time budget allows. Still in use, it misses the night.
        var inUseRetry = new RetryPolicy(settings.InUseRetry);
        for (var pass = 1; ; pass++)
        {
            var inUse = Enumerable.Range(0, results.Length).Where(i => results[i].Outcome == BackupOutcome.InUse).ToList();
            if (inUse.Count == 0) break;
            if (!await inUseRetry.WaitBeforeRetryAsync(pass, deadline).ConfigureAwait(false))
            {
                foreach (var i in inUse)
                    results[i] = results[i] with { Reason = $"{results[i].Reason}; still so after {pass} tries within the time budget: the night has no backup of it" };
                break;
            }
            var again = await SweepAsync(inUse.Select(i => tables[i]).ToList()).ConfigureAwait(false);
            for (var j = 0; j < inUse.Count; j++) results[inUse[j]] = again[j];
        }
        return results;
    }

    // ListTagsOfResource takes the table's ARN and ListTables gives names: one DescribeTable tells
    // the ARN's partition, region and account for all of them.
    private async Task<string> TableArnPrefixAsync(IReadOnlyList<string> tables, ControlPlane controlPlane, InvocationDeadline deadline)
    {
        ResourceNotFoundException? last = null;
        foreach (var table in tables)
        {
            try
            {
                var described = await controlPlane.CallAsync("DescribeTable",
                    t => services.DynamoDb.DescribeTableAsync(new DescribeTableRequest { TableName = table }, t), deadline).ConfigureAwait(false);
                var arn = described.Table.TableArn;
                return arn[..^table.Length];
            }
            catch (ResourceNotFoundException ex)
            {
                last = ex; // deleted since ListTables: try the next one
            }
        }
        throw new InvalidOperationException($"None of the environment's {tables.Count} tables could be described: {DynamoDbErrors.Describe(last!)}.");
    }

    private BackupRunSummary Summarise(ScheduledInvocation<BackupRunOptions> run, List<TableBackupResult> results, ControlPlane controlPlane) => new()
    {
        Night = run.Night.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        ScheduledTime = run.ScheduledTime,
        Source = run.Source,
        DryRun = run.Options.DryRun,
        RetentionDays = settings.RetentionDays,
        MinKeep = settings.MinKeep,
        Tables = results,
        Calls = controlPlane.CallCounts(),
    };

    private void Report(BackupRunSummary summary)
    {
        foreach (var missed in summary.Tables.Where(t => t.Outcome is BackupOutcome.Failed or BackupOutcome.InUse))
            services.Logger.Error("table not backed up", ("table", missed.Table), ("outcome", missed.Outcome.WireName()), ("reason", missed.Reason));
        foreach (var prune in summary.Tables.Where(t => t.Prune == PruneOutcome.Failed))
            services.Logger.Error("backups not pruned", ("table", prune.Table), ("backup", prune.Backup), ("reason", prune.PruneReason));
        var c = summary.Counts;
        services.Logger.Info("nightly backup run",
            ("night", summary.Night), ("source", summary.Source), ("dry_run", summary.DryRun),
            ("tables", c.Tables), ("created", c.Created), ("kept", c.Kept), ("skipped", c.Skipped), ("failed", c.Failed),
            ("not_reached", c.NotReached), ("in_use", c.InUse), ("duplicates_deleted", c.DuplicatesDeleted),
            ("pruned", c.Pruned), ("prune_failed", c.PruneFailed),
            ("would_create", summary.Tables.Count(t => t.Outcome == BackupOutcome.WouldCreate)),
            ("would_prune", summary.Tables.Sum(t => t.WouldPrune?.Count ?? 0)),
            ("skipped_tables", Describe(summary.Tables.Where(t => t.Outcome.IsSkipped()))),
            ("failed_tables", Describe(summary.Tables.Where(t => t.Outcome is BackupOutcome.Failed or BackupOutcome.InUse))),
            ("not_reached_tables", summary.Tables.Where(t => t.Outcome == BackupOutcome.NotReached).Select(t => t.Table).ToArray()),
            ("prune_tables", summary.Tables.Where(t => t.Prune is PruneOutcome.Failed or PruneOutcome.InUse)
                .Select(t => $"{t.Table}: {t.Prune?.WireName()} ({t.PruneReason})").ToArray()),
            ("control_plane_calls", summary.Calls.Select(kv => $"{kv.Key}={kv.Value}").ToArray()));
        services.Metrics.Publish([
            new Metric(BackupMetrics.BackupsCreated, c.Created),
            new Metric(BackupMetrics.BackupsKept, c.Kept),
            new Metric(BackupMetrics.DuplicateBackupsDeleted, c.DuplicatesDeleted),
            new Metric(BackupMetrics.BackupsSkipped, c.Skipped),
            new Metric(BackupMetrics.BackupsFailed, c.Failed + c.NotReached + c.InUse),
            new Metric(BackupMetrics.BackupsPruned, c.Pruned),
            new Metric(BackupMetrics.PrunesFailed, c.PruneFailed),
        ]);
    }

    private static string[] Describe(IEnumerable<TableBackupResult> results)
        => results.Select(r => $"{r.Table}: {r.Outcome.WireName()}{(r.Reason is null ? "" : $" ({r.Reason})")}").ToArray();
}
