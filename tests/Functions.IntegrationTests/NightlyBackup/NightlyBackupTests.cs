using System.Diagnostics;
using System.Text.RegularExpressions;
using Functions.NightlyBackup;

namespace Functions.IntegrationTests;

/// <summary>NightlyBackupFunction against moto: 35 tables, another environment's and look-alikes beside them.</summary>
[Collection(MotoCollection.Name)]
public partial class NightlyBackupTests(MotoFixture moto)
{
    [GeneratedRegex("^[a-zA-Z0-9_.-]{3,255}$")]
    private static partial Regex ValidBackupName();

    private static TableBackupResult Result(BackupRunSummary summary, string table) => summary.Tables.Single(t => t.Table == table);

    [Fact]
    public async Task A_dry_run_reports_what_it_would_create_and_changes_nothing()
    {
        var env = await BackupEnvironment.CreateAsync(moto);
        var night = env.Night;

        var summary = await env.Function().RunAsync(BackupEnvironment.ScheduledEvent(night, """{"dryRun": true}"""));

        Assert.True(summary.DryRun);
        Assert.Equal(env.Tables, summary.Tables.Select(t => t.Table));
        Assert.All(env.BackedUpTables, t => Assert.Equal((BackupOutcome.WouldCreate, BackupNaming.NameFor(t, night)), (Result(summary, t).Outcome, Result(summary, t).Backup)));
        Assert.Equal(BackupOutcome.SkippedTag, Result(summary, env.SkippedTable).Outcome);
        Assert.Equal((0, 0, 0), (summary.Counts.Created, summary.Counts.Pruned, summary.Counts.Failed));
        foreach (var table in env.Tables.Concat(env.Foreign)) Assert.Empty(await env.BackupsOfAsync(table));
        Assert.Equal(0, summary.Calls.GetValueOrDefault("CreateBackup") + summary.Calls.GetValueOrDefault("DeleteBackup"));
        Assert.Equal(0, env.MetricRecord().GetProperty("BackupsCreated").GetDouble());
        Assert.Equal(env.Tables.Count - 1, env.SummaryLine().GetProperty("would_create").GetInt32());
    }

    [Fact]
    public async Task Two_runs_of_one_night_make_one_backup_per_table_and_never_touch_other_tables()
    {
        var env = await BackupEnvironment.CreateAsync(moto);
        var night = env.Night;
        var function = env.Function();

        var first = await function.RunAsync(BackupEnvironment.ScheduledEvent(night));
        // EventBridge's retry, or the Scheduler firing for the same night: nothing more is made.
        var second = await function.RunAsync(BackupEnvironment.ScheduledEvent(night, "\"{}\"", "aws.scheduler"));

        var backedUp = env.BackedUpTables.ToList();
        Assert.Equal((backedUp.Count, 1, 0), (first.Counts.Created, first.Counts.Skipped, first.Counts.Failed));
        Assert.Equal((0, env.Tables.Count, 0), (second.Counts.Created, second.Counts.Skipped, second.Counts.Failed));
        Assert.All(backedUp, t => Assert.Equal(BackupOutcome.Exists, Result(second, t).Outcome));
        foreach (var table in backedUp)
        {
            var backup = Assert.Single(await env.BackupsOfAsync(table));
            Assert.Equal(BackupNaming.NameFor(table, night), backup.BackupName);
            Assert.Matches(ValidBackupName(), backup.BackupName);
        }
        Assert.Equal(255, BackupNaming.NameFor(env.LongTable, night).Length);
        foreach (var table in env.Foreign.Append(env.SkippedTable)) Assert.Empty(await env.BackupsOfAsync(table));
        Assert.DoesNotContain(first.Tables, t => env.Foreign.Contains(t.Table));

        // The steady state's cost: per table one tag read, one ListBackups page before and one
        // after the CreateBackup (one backup of the name, not two).
        Assert.Equal(env.Tables.Count, first.Calls["ListTagsOfResource"]);
        Assert.Equal(2 * backedUp.Count, first.Calls["ListBackups"]);
        Assert.Equal(backedUp.Count, first.Calls["CreateBackup"]);
        Assert.False(first.Calls.ContainsKey("DeleteBackup"));
        Assert.Equal(1, first.Calls["DescribeTable"]);
        Assert.False(second.Calls.ContainsKey("CreateBackup"));

        var metrics = env.MetricRecord();
        Assert.Equal((0d, (double)env.Tables.Count), (metrics.GetProperty("BackupsCreated").GetDouble(), metrics.GetProperty("BackupsSkipped").GetDouble()));
        Assert.Equal("dev", metrics.GetProperty("environment").GetString());
        EmittedMetrics.AssertTheDashboardReadsThem(metrics, env.App, "NightlyBackupFunction", BackupMetrics.All);
    }

    [Fact]
    public async Task A_run_forty_days_later_prunes_down_to_min_keep_and_never_touches_a_hand_made_backup()
    {
        var env = await BackupEnvironment.CreateAsync(moto);
        var night = env.Night;
        var (orders, quotes) = (env.Table("orders"), env.Table("quotes"));
        foreach (var table in new[] { orders, quotes })
        {
            await env.SeedBackupAsync(table, $"{table}-before-migration");
            for (var n = 9; n >= 1; n--) await env.SeedBackupAsync(table, BackupNaming.NameFor(table, night.AddDays(-n)));
        }
        await env.Function().RunAsync(BackupEnvironment.ScheduledEvent(night));

        var later = await env.Function(daysAhead: 40).RunAsync(BackupEnvironment.ScheduledEvent(night.AddDays(40)));

        Assert.Equal(8, later.Counts.Pruned); // 9 + 1 + 1 suite backups each, 7 kept
        Assert.Equal(8d, env.MetricRecord().GetProperty("BackupsPruned").GetDouble());
        foreach (var table in new[] { orders, quotes })
        {
            var left = (await env.BackupsOfAsync(table)).Select(b => b.BackupName).ToList();
            Assert.Contains($"{table}-before-migration", left);
            Assert.Equal(
                new[] { 40, 0, -1, -2, -3, -4, -5 }.Select(n => BackupNaming.NameFor(table, night.AddDays(n))).Order(StringComparer.Ordinal),
                left.Where(n => BackupNaming.NightOf(n, table) is not null).Order(StringComparer.Ordinal));
            Assert.Equal(Enumerable.Range(6, 4).Select(n => BackupNaming.NameFor(table, night.AddDays(-n))).Order(StringComparer.Ordinal),
                Result(later, table).Pruned!.Order(StringComparer.Ordinal));
        }
        // Every other table has two suite backups, below min-keep: nothing of theirs goes.
        Assert.All(env.BackedUpTables.Except([orders, quotes]), t => Assert.Empty(Result(later, t).Pruned!));
    }

    [Fact]
    public async Task A_run_limited_to_two_tables_backs_up_those_only_and_a_foreign_name_is_refused()
    {
        var env = await BackupEnvironment.CreateAsync(moto);
        var night = env.Night;
        var function = env.Function();

        var two = await function.RunAsync(BackupEnvironment.ScheduledEvent(night, """{"tables": ["orders", "quotes"]}"""));
        Assert.Equal([env.Table("orders"), env.Table("quotes")], two.Tables.Select(t => t.Table));
        Assert.Equal(2, two.Counts.Created);
        Assert.Empty(await env.BackupsOfAsync(env.Table("customers")));

        var foreign = $"{env.App}-prod-orders";
        var refused = (await env.Function(daysAhead: 1).FailsWithAsync<BackupRunFailedException>(BackupEnvironment.ScheduledEvent(night.AddDays(1), $$"""{"tables": ["{{env.Table("customers")}}", "{{foreign}}"]}"""))).Summary;
        Assert.Equal(BackupOutcome.Created, Result(refused, env.Table("customers")).Outcome);
        Assert.Equal(BackupOutcome.Failed, Result(refused, foreign).Outcome);
        Assert.Empty(await env.BackupsOfAsync(foreign));
    }

    [Fact]
    public async Task Throttling_limits_busy_backups_and_a_lost_answer_are_retried_without_a_second_backup()
    {
        var env = await BackupEnvironment.CreateAsync(moto);
        var night = env.Night;
        var lostAnswer = env.Table("orders");
        var once = new FirstTimes();
        using var network = new ScriptedNetwork((request, forward) => request.Operation switch
        {
            "ListBackups" when once.First("list " + request.Body) => ScriptedNetwork.Error("ThrottlingException"),
            "CreateBackup" when request.Names(lostAnswer) && once.First("lost") => ScriptedNetwork.AnswerLost(forward),
            "CreateBackup" when once.First("create " + request.Body) => ScriptedNetwork.Error("LimitExceededException"),
            "DeleteBackup" when once.First("delete " + request.Body) => ScriptedNetwork.Error("BackupInUseException"),
            _ => null,
        });
        using var client = network.Client(moto);
        for (var n = 9; n >= 1; n--) await env.SeedBackupAsync(env.Table("quotes"), BackupNaming.NameFor(env.Table("quotes"), night.AddDays(-n)));

        // Forty nights on, the seeded backups are past the retention.
        var summary = await env.Function(client, daysAhead: 40).RunAsync(BackupEnvironment.ScheduledEvent(night.AddDays(40)));

        Assert.Equal((env.Tables.Count - 1, 0), (summary.Counts.Created, summary.Counts.Failed));
        Assert.Equal(3, summary.Counts.Pruned); // 9 seeded + tonight, 7 kept, each delete retried once
        Assert.Single(await env.BackupsOfAsync(lostAnswer)); // looked before sending again
        // Per table: throttled once, then listed, then listed after the backup; orders' look after the lost answer is its look after the fact.
        Assert.Equal(3 * (env.Tables.Count - 1), network.CallsOf("ListBackups"));
        Assert.Equal(2 * (env.Tables.Count - 1) - 1, network.CallsOf("CreateBackup")); // orders: one lost, then found
        Assert.Equal(6, network.CallsOf("DeleteBackup"));
    }

    [Fact]
    public async Task One_table_failing_never_stops_the_others_and_the_run_ends_in_an_error_after_all_of_them()
    {
        var env = await BackupEnvironment.CreateAsync(moto);
        var night = env.Night;
        var (gone, denied) = (env.Table("quotes"), env.Table("customers"));
        var deniedCalls = 0;
        using var network = new ScriptedNetwork((request, _) => request.Operation switch
        {
            "CreateBackup" when request.Names(gone) => ScriptedNetwork.Error("TableNotFoundException"),
            "CreateBackup" when request.Names(denied) && Interlocked.Increment(ref deniedCalls) > 0 => ScriptedNetwork.Error("AccessDeniedException"),
            _ => null,
        });
        using var client = network.Client(moto);

        var summary = (await env.Function(client).FailsWithAsync<BackupRunFailedException>(BackupEnvironment.ScheduledEvent(night))).Summary;

        Assert.Equal(BackupOutcome.NotFound, Result(summary, gone).Outcome);
        Assert.Equal((BackupOutcome.Failed, "AccessDeniedException (HTTP 400)"), (Result(summary, denied).Outcome, Result(summary, denied).Reason));
        Assert.Equal((env.Tables.Count - 3, 1, 1), (summary.Counts.Created, summary.Counts.Failed, summary.Counts.Skipped - 1));
        Assert.Equal(1, deniedCalls); // the denied call is final: not retried
        var error = env.LogLines().Single(l => l.GetProperty("level").GetString() == "ERROR");
        Assert.Equal(denied, error.GetProperty("table").GetString());
        Assert.Equal(1d, env.MetricRecord().GetProperty("BackupsFailed").GetDouble());
    }

    [Fact]
    public async Task Tables_not_started_before_the_cutoff_are_reported_and_the_retry_catches_up()
    {
        var env = await BackupEnvironment.CreateAsync(moto);
        var night = env.Night;
        using var slow = new ScriptedNetwork((request, forward) => request.Operation == "ListBackups"
            ? Task.Delay(400).ContinueWith(_ => forward(), TaskScheduler.Default).Unwrap()
            : null);
        using var client = slow.Client(moto);
        var evening = BackupEnvironment.ScheduledEvent(night);

        var clock = Stopwatch.StartNew();
        var cut = (await env.Function(client, timeout: TimeSpan.FromSeconds(3)).FailsWithAsync<BackupRunFailedException>(evening)).Summary;
        clock.Stop();

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"returned after {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.InRange(cut.Counts.NotReached, 1, env.Tables.Count - 1);
        Assert.Equal(0, cut.Counts.Failed);
        Assert.Equal(env.Tables.Count, cut.Counts.Created + cut.Counts.Skipped + cut.Counts.NotReached);
        Assert.Equal(cut.Counts.NotReached, env.SummaryLine().GetProperty("not_reached_tables").GetArrayLength());

        var retry = await env.Function().RunAsync(evening);
        Assert.Equal(
            cut.Tables.Where(t => t.Outcome == BackupOutcome.NotReached && t.Table != env.SkippedTable).Select(t => t.Table),
            retry.Tables.Where(t => t.Outcome == BackupOutcome.Created).Select(t => t.Table));
        foreach (var table in env.BackedUpTables) Assert.Single(await env.BackupsOfAsync(table));
    }
    [Fact]
    public async Task A_rerun_of_the_same_night_keeps_min_keep_backups()
    {
        var env = await BackupEnvironment.CreateAsync(moto, extraTables: 0);
        var orders = env.Table("orders");
        for (var n = 8; n >= 1; n--) await env.SeedBackupAsync(orders, BackupNaming.NameFor(orders, env.Night.AddDays(-n)));
        var later = env.Night.AddDays(40); // the eight seeded backups are past the retention then
        var function = env.Function(daysAhead: 40);

        var first = await function.RunAsync(BackupEnvironment.ScheduledEvent(later, """{"tables": ["orders"]}"""));
        Assert.Equal(7, (await env.BackupsOfAsync(orders)).Count); // tonight's and the six newest seeded
        var rerun = await function.RunAsync(BackupEnvironment.ScheduledEvent(later, """{"tables": ["orders"]}"""));

        Assert.Equal((2, 0), (first.Counts.Pruned, rerun.Counts.Pruned));
        Assert.Equal(7, (await env.BackupsOfAsync(orders)).Count);
        Assert.Equal(BackupOutcome.Exists, Result(rerun, orders).Outcome);
    }

    [Fact]
    public async Task An_earlier_nights_second_copy_is_deleted_by_a_later_run_and_retention_keeps_min_keep_nights()
    {
        var env = await BackupEnvironment.CreateAsync(moto, extraTables: 0);
        var orders = env.Table("orders");
        string? kept = null, copy = null;
        for (var n = 9; n >= 1; n--)
        {
            var arn = await env.SeedBackupAsync(orders, BackupNaming.NameFor(orders, env.Night.AddDays(-n)));
            // Three nights ago a second backup of the night was made (DynamoDB allows the name
            // twice) that its run did not see, or could not delete while it was in use.
            if (n == 3) (kept, copy) = (arn, await env.SeedBackupAsync(orders, BackupNaming.NameFor(orders, env.Night.AddDays(-n))));
        }
        var later = env.Night.AddDays(40); // every seeded backup is past the retention then

        var summary = await env.Function(daysAhead: 40).RunAsync(BackupEnvironment.ScheduledEvent(later, """{"tables": ["orders"]}"""));

        Assert.Equal([copy!], Result(summary, orders).DuplicatesDeleted);
        var left = await env.BackupsOfAsync(orders);
        Assert.Equal( // BackupMinKeep (7) nights, one backup each
            new[] { 40, -1, -2, -3, -4, -5, -6 }.Select(n => BackupNaming.NameFor(orders, env.Night.AddDays(n))).Order(StringComparer.Ordinal),
            left.Select(b => b.BackupName).Order(StringComparer.Ordinal));
        Assert.Contains(kept, left.Select(b => b.BackupArn)); // the night's oldest copy stays
        Assert.Equal((1, 3), (summary.Counts.DuplicatesDeleted, summary.Counts.Pruned));
        Assert.Equal(2, summary.Calls["ListBackups"]); // the list in hand: one look before the backup and one after, no more
    }

    [Fact]
    public async Task A_table_in_use_is_tried_again_and_one_still_in_use_fails_the_run_after_the_rest()
    {
        var env = await BackupEnvironment.CreateAsync(moto, extraTables: 0);
        var (busyAWhile, busyAllNight) = (env.Table("orders"), env.Table("quotes"));
        var tries = 0;
        using var network = new ScriptedNetwork((request, _) => request.Operation switch
        {
            "CreateBackup" when request.Names(busyAWhile) && Interlocked.Increment(ref tries) <= 2 => ScriptedNetwork.Error("TableInUseException"),
            "CreateBackup" when request.Names(busyAllNight) => ScriptedNetwork.Error("TableInUseException"),
            _ => null,
        });
        using var client = network.Client(moto);

        var summary = (await env.Function(client).FailsWithAsync<BackupRunFailedException>(BackupEnvironment.ScheduledEvent(env.Night))).Summary;

        Assert.Equal(BackupOutcome.Created, Result(summary, busyAWhile).Outcome);
        Assert.Single(await env.BackupsOfAsync(busyAWhile));
        Assert.Equal(BackupOutcome.InUse, Result(summary, busyAllNight).Outcome);
        Assert.Empty(await env.BackupsOfAsync(busyAllNight));
        Assert.Equal(env.BackedUpTables.Count() - 1, summary.Counts.Created);
        Assert.True(network.CallsOf("CreateBackup") > env.BackedUpTables.Count() + 2, "the table in use all night was not tried again");
        Assert.Equal(1d, env.MetricRecord().GetProperty("BackupsFailed").GetDouble()); // a missed night reaches a person
        Assert.Contains(busyAllNight, env.LogLines().Single(l => l.GetProperty("level").GetString() == "ERROR").GetProperty("table").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_prune_that_fails_is_reported_apart_from_the_backup_it_followed()
    {
        var env = await BackupEnvironment.CreateAsync(moto, extraTables: 0);
        var (denied, restoring) = (env.Table("orders"), env.Table("quotes"));
        foreach (var table in new[] { denied, restoring })
            for (var n = 9; n >= 1; n--) await env.SeedBackupAsync(table, BackupNaming.NameFor(table, env.Night.AddDays(-n)));
        using var network = new ScriptedNetwork((request, _) => request.Operation switch
        {
            "DeleteBackup" when request.Names(denied) => ScriptedNetwork.Error("AccessDeniedException"),
            "DeleteBackup" when request.Names(restoring) => ScriptedNetwork.Error("BackupInUseException"), // a restore from it is running
            _ => null,
        });
        using var client = network.Client(moto);
        var later = env.Night.AddDays(40);

        var summary = (await env.Function(client, daysAhead: 40).FailsWithAsync<BackupRunFailedException>(BackupEnvironment.ScheduledEvent(later))).Summary;

        foreach (var table in new[] { denied, restoring })
        {
            Assert.Equal(BackupOutcome.Created, Result(summary, table).Outcome);
            Assert.Single(await env.BackupsOfNightAsync(table, later));
        }
        Assert.Equal((PruneOutcome.Failed, "AccessDeniedException (HTTP 400)"), (Result(summary, denied).Prune, Result(summary, denied).PruneReason));
        Assert.Equal(PruneOutcome.InUse, Result(summary, restoring).Prune);
        Assert.Equal((0, 0, 1), (summary.Counts.Failed, summary.Counts.NotReached, summary.Counts.PruneFailed));
        Assert.Equal(env.BackedUpTables.Count(), summary.Counts.Created);
        var errors = env.LogLines().Where(l => l.GetProperty("level").GetString() == "ERROR").ToList();
        Assert.Equal([denied], errors.Select(e => e.GetProperty("table").GetString()));
        Assert.Equal(0d, env.MetricRecord().GetProperty("BackupsFailed").GetDouble());
        Assert.Equal(1d, env.MetricRecord().GetProperty("PrunesFailed").GetDouble());
    }

    [Fact]
    public async Task A_run_for_a_night_still_to_come_is_refused_before_anything_is_touched()
    {
        var env = await BackupEnvironment.CreateAsync(moto, extraTables: 0);
        var tomorrow = env.Night.AddDays(2); // the backend's night is the latest 03:00: two days on is always ahead

        var refused = await Assert.ThrowsAsync<Functions.Events.Serialization.InvalidEventException>(
            () => env.Function().RunAsync($$"""{"time": "{{tomorrow:yyyy-MM-dd}}T03:00:00Z"}"""));

        Assert.Contains("future", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"{tomorrow:yyyy-MM-dd}", refused.Message, StringComparison.Ordinal);
        foreach (var table in env.Tables) Assert.Empty(await env.BackupsOfAsync(table));
    }

    [Fact]
    public async Task A_time_a_few_minutes_ahead_is_clock_skew_and_runs_but_ten_minutes_ahead_is_refused()
    {
        var env = await BackupEnvironment.CreateAsync(moto, extraTables: 0);
        static string At(DateTimeOffset t) => $$$"""{"time": "{{{t.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}}}", "detail": {"dryRun": true}}""";

        // The function's clock is the system's here; the limit is Function.MaxClockSkew (5 minutes).
        var skewed = await env.Function().RunAsync(At(TimeProvider.System.GetUtcNow().AddMinutes(2)));
        var refused = await Assert.ThrowsAsync<Functions.Events.Serialization.InvalidEventException>(
            () => env.Function().RunAsync(At(TimeProvider.System.GetUtcNow().AddMinutes(10))));

        Assert.True(skewed.DryRun);
        Assert.NotEmpty(skewed.Tables);
        Assert.Contains("5 minutes of clock skew", refused.Message, StringComparison.Ordinal);
    }
}
