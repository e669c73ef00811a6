using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Functions.Common.DynamoDb;
using Functions.Common.Lambda;
using Functions.Common.Logging;
using Functions.Common.Metrics;
using Functions.Common.Runtime;
using Functions.Common.Scheduled;

namespace Functions.NightlyBackup;

/// <summary>
/// Takes the night's on-demand backup of every table of the environment and prunes the suite's
/// old ones. Handler: <c>NightlyBackup::Functions.NightlyBackup.Function::FunctionHandler</c>.
/// </summary>
public sealed class Function
{
    private readonly FunctionEnvironment _environment;
    private readonly BackupSettings _settings;
    private readonly IAmazonDynamoDB _dynamoDb;
    private readonly StructuredLogger _logger;
    private readonly EmfMetrics _metrics;
    private readonly RetryPolicy _retry;

    /// <summary>Called once by the Lambda runtime at init.</summary>
    public Function()
        : this(FunctionEnvironment.FromEnvironment("nightly-backup"), BackupSettings.FromEnvironment(), DynamoDbClients.Create(), null)
    {
    }

    public Function(FunctionEnvironment environment, BackupSettings settings, IAmazonDynamoDB dynamoDb, StructuredLogger? logger, RetryPolicy? retry = null)
    {
        _environment = environment;
        _settings = settings;
        _dynamoDb = dynamoDb;
        _logger = logger ?? StructuredLogger.ForLambda(environment.ServiceName);
        _metrics = new EmfMetrics(_logger, environment.MetricsNamespace, environment.EnvironmentName);
        _retry = retry ?? new RetryPolicy(ControlPlaneRetry);
    }

    /// <summary>
    /// CreateBackup answers LimitExceededException when too many control-plane operations run at
    /// once, DeleteBackup BackupInUseException while a backup is busy: both pass, so they are retried.
    /// </summary>
    public static RetryOptions ControlPlaneRetry => ControlPlane.DefaultRetryOptions("LimitExceededException", "BackupInUseException");

    /// <summary>The managed runtime's raw signature: the scheduled event in, the run's summary out.</summary>
    public async Task<Stream> FunctionHandler(Stream input)
    {
        var summary = await RunAsync(await LambdaPayload.ReadAsync(input).ConfigureAwait(false)).ConfigureAwait(false);
        return LambdaPayload.Serialize(summary, BackupJsonContext.Default.BackupRunSummary);
    }

    /// <summary>
    /// The whole run. Throws <see cref="BackupRunFailedException"/> after every other table is
    /// done when a table failed or was not reached, so Lambda's retry and the Errors alarm see it.
    /// </summary>
    public async Task<BackupRunSummary> RunAsync(ReadOnlyMemory<byte> json)
    {
        _logger.StartInvocation();
        var run = ScheduledInvocations.Parse(json.Span, BackupJsonContext.Default.BackupRunOptions, _logger.Clock);
        if (run.Options.Tables is { Count: 0 })
            throw new InvalidEventException("\"tables\" is empty: leave it out to back up every table of the environment.");

        using var deadline = InvocationDeadline.Start(_environment.Timeout, _logger.Clock);
        var controlPlane = new ControlPlane(_retry, new OperationPacer(_settings.Rates, _logger.Clock));
        var prefix = _environment.TablePrefix;
        var selection = EnvironmentTables.Select(
            await EnvironmentTables.ListAsync(_dynamoDb, controlPlane, prefix, deadline).ConfigureAwait(false), run.Options.Tables, prefix);

        var results = selection.Refused
            .Select(r => new TableBackupResult { Table = r.Name, Outcome = BackupOutcome.Failed, Reason = r.Reason })
            .Concat(await BackUpAsync(selection.Tables, run, controlPlane, deadline).ConfigureAwait(false))
            .ToList();

        var summary = Summarise(run, results, controlPlane);
        Report(summary);
        if (summary.Counts.Failed + summary.Counts.NotReached > 0)
            throw new BackupRunFailedException(summary);
        return summary;
    }

    private async Task<TableBackupResult[]> BackUpAsync(IReadOnlyList<string> tables, ScheduledInvocation<BackupRunOptions> run, ControlPlane controlPlane, InvocationDeadline deadline)
    {
        if (tables.Count == 0) return [];
        var arnPrefix = await TableArnPrefixAsync(tables, controlPlane, deadline).ConfigureAwait(false);
        var worker = new TableBackup(_dynamoDb, controlPlane, _settings.Retention, deadline);
        return await TableSweep.RunAsync(tables, _settings.Concurrency, deadline,
            table => worker.RunAsync(table, arnPrefix + table, run.Night, run.ScheduledTime, run.Options.DryRun),
            table => new TableBackupResult { Table = table, Outcome = BackupOutcome.NotReached, Reason = TableSweep.NotReachedReason }).ConfigureAwait(false);
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
                    t => _dynamoDb.DescribeTableAsync(new DescribeTableRequest { TableName = table }, t), deadline).ConfigureAwait(false);
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
        RetentionDays = _settings.RetentionDays,
        MinKeep = _settings.MinKeep,
        Counts = new BackupCounts
        {
            Tables = results.Count,
            Created = results.Count(r => r.Created),
            Skipped = results.Count(r => BackupOutcome.IsSkipped(r.Outcome)),
            Failed = results.Count(r => r.Outcome == BackupOutcome.Failed),
            NotReached = results.Count(r => r.Outcome == BackupOutcome.NotReached),
            Pruned = results.Sum(r => r.Pruned?.Count ?? 0),
        },
        Tables = results,
        Calls = new SortedDictionary<string, int>(controlPlane.Calls.ToDictionary(), StringComparer.Ordinal),
    };

    private void Report(BackupRunSummary summary)
    {
        foreach (var failed in summary.Tables.Where(t => t.Outcome == BackupOutcome.Failed))
            _logger.Error("table not backed up", ("table", failed.Table), ("reason", failed.Reason));
        var c = summary.Counts;
        _logger.Info("nightly backup run",
            ("night", summary.Night), ("source", summary.Source), ("dry_run", summary.DryRun),
            ("tables", c.Tables), ("created", c.Created), ("skipped", c.Skipped), ("failed", c.Failed),
            ("not_reached", c.NotReached), ("pruned", c.Pruned),
            ("would_create", summary.Tables.Count(t => t.Outcome == BackupOutcome.WouldCreate)),
            ("would_prune", summary.Tables.Sum(t => t.WouldPrune?.Count ?? 0)),
            ("skipped_tables", Describe(summary.Tables.Where(t => BackupOutcome.IsSkipped(t.Outcome)))),
            ("failed_tables", Describe(summary.Tables.Where(t => t.Outcome == BackupOutcome.Failed))),
            ("not_reached_tables", summary.Tables.Where(t => t.Outcome == BackupOutcome.NotReached).Select(t => t.Table).ToArray()),
            ("control_plane_calls", summary.Calls.Select(kv => $"{kv.Key}={kv.Value}").ToArray()));
        _metrics.Publish([
            new Metric(BackupMetrics.BackupsCreated, c.Created),
            new Metric(BackupMetrics.BackupsSkipped, c.Skipped),
            new Metric(BackupMetrics.BackupsFailed, c.Failed + c.NotReached),
            new Metric(BackupMetrics.BackupsPruned, c.Pruned),
        ]);
    }

    private static string[] Describe(IEnumerable<TableBackupResult> results)
        => results.Select(r => $"{r.Table}: {r.Outcome}{(r.Reason is null ? "" : $" ({r.Reason})")}").ToArray();
}

/// <summary>Some tables have no backup for the night; the summary log line says which and why.</summary>
public sealed class BackupRunFailedException(BackupRunSummary summary) : Exception(MessageFor(summary))
{
    public BackupRunSummary Summary { get; } = summary;

    private static string MessageFor(BackupRunSummary s)
    {
        var failed = s.Tables.Where(t => t.Outcome is BackupOutcome.Failed or BackupOutcome.NotReached)
            .Select(t => $"{t.Table} ({t.Outcome}: {t.Reason})").ToList();
        var shown = TableSweep.FirstFew(failed);
        return $"Night {s.Night}: {s.Counts.Failed} of {s.Counts.Tables} tables failed and {s.Counts.NotReached} were not reached " +
               $"({s.Counts.Created} created, {s.Counts.Skipped} skipped, {s.Counts.Pruned} pruned). {shown}";
    }
}
