using System.Text;
using Functions.Common.DynamoDb;
using Functions.Events.Serialization;
using Functions.Common.Runtime;
using Functions.Common.Scheduled;
using Functions.Common.Tables;
using Functions.NightlyBackup;

namespace Functions.Tests;

/// <summary>What every scheduled function shares: its event, its tables, its pace and its time budget.</summary>
public class ScheduledRunTests
{
    private static readonly string EventsDirectory = Functions.DevKit.RepoLayout.Find(AppContext.BaseDirectory).EventsDirectory;

    private static ScheduledInvocation<BackupRunOptions> Parse(string json, TimeProvider? clock = null)
        => ScheduledInvocations.Parse(Encoding.UTF8.GetBytes(json), BackupJsonContext.Wire.BackupRunOptions, clock ?? new ManualClock());

    private static ScheduledInvocation<BackupRunOptions> ParseFile(string file, TimeProvider? clock = null)
        => ScheduledInvocations.Parse(File.ReadAllBytes(Path.Combine(EventsDirectory, file)), BackupJsonContext.Wire.BackupRunOptions, clock ?? new ManualClock());

    [Fact]
    public void A_rule_event_names_the_night_of_its_time_even_when_retried_after_midnight()
    {
        var dayLater = new ManualClock(new DateTimeOffset(2026, 11, 24, 0, 30, 0, TimeSpan.Zero));

        var run = ParseFile("backup-nightly.json", dayLater);

        Assert.Equal(new DateOnly(2026, 11, 23), run.Night);
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 3, 0, 0, TimeSpan.Zero), run.ScheduledTime);
        Assert.Equal("aws.events", run.Source);
        Assert.False(run.Options.DryRun);
        Assert.Null(run.Options.Tables);
    }

    [Fact]
    public void The_scheduler_shape_with_its_string_detail_reads_like_the_rule_shape()
    {
        var run = ParseFile("backup-scheduler.json");
        Assert.Equal(("aws.scheduler", new DateOnly(2026, 11, 23), false), (run.Source, run.Night, run.Options.DryRun));

        var dry = Parse("""{"detail-type":"Scheduled Event","source":"aws.scheduler","time":"2026-11-20T03:00:00Z","detail":"{\"dryRun\": true, \"tables\": [\"orders\"]}"}""");
        Assert.True(dry.Options.DryRun);
        Assert.Equal(["orders"], dry.Options.Tables!);
        Assert.Equal(new DateOnly(2026, 11, 20), dry.Night);
    }

    [Fact]
    public void The_sample_events_carry_their_options()
    {
        Assert.True(ParseFile("backup-dry-run.json").Options.DryRun);
        Assert.Equal(["orders", "quotes"], ParseFile("backup-two-tables.json").Options.Tables!);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("")]
    [InlineData("  \n")]
    [InlineData("{\"detail\": {}}")]
    public void A_direct_invocation_runs_as_of_now(string json)
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 12, 1, 14, 5, 0, TimeSpan.Zero));

        var run = Parse(json, clock);

        Assert.Equal((ScheduledInvocations.ManualSource, new DateOnly(2026, 12, 1), false), (run.Source, run.Night, run.Options.DryRun));
    }

    [Fact]
    public void The_epoch_placeholder_of_generated_sample_events_reads_as_now()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 12, 1, 14, 5, 0, TimeSpan.Zero));
        var run = Parse("""{"detail-type":"Scheduled Event","source":"aws.events","time":"1970-01-01T00:00:00Z","detail":{}}""", clock);
        Assert.Equal(("aws.events", new DateOnly(2026, 12, 1)), (run.Source, run.Night));
    }

    [Fact]
    public void A_manual_run_may_name_its_night_and_options()
    {
        var run = Parse("""{"time": "2026-10-14T03:00:00Z", "detail": {"dryRun": true}}""");
        Assert.Equal((new DateOnly(2026, 10, 14), true), (run.Night, run.Options.DryRun));
    }

    [Theory]
    [InlineData("""{"dryRun": true}""", "\"dryRun\"")] // options outside detail would silently be a real run
    [InlineData("""{"detail": {"dryRn": true}}""", "dryRn")] // a misspelt option likewise
    [InlineData("""{"detail": {"tables": "orders"}}""", "detail")]
    [InlineData("""{"detail": 42}""", "detail")]
    [InlineData("""{"time": "tonight"}""", "time")]
    [InlineData("""[1, 2]""", "JSON object")]
    [InlineData("""{"detail-type": "CloudWatch Alarm State Change", "source": "aws.cloudwatch", "detail": {}}""", "not one of its triggers")]
    [InlineData("""{"detail-type": "Scheduled Event", "source": "aws.events", "detail": {}}""", "time")]
    [InlineData("""{"Records": []}""", "Records")]
    public void Anything_else_is_refused_with_a_reason(string json, string named)
    {
        var error = Assert.Throws<InvalidEventException>(() => Parse(json));
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Asked_for_tables_are_suffixes_or_full_names_of_this_environment_only()
    {
        var prefix = new TablePrefix("maip-dev-");
        string[] tables = ["maip-dev-orders", "maip-dev-quotes", "maip-dev-pricing-rules"];

        var selection = EnvironmentTables.Select(tables,
            ["orders", "maip-dev-quotes", "orders", "maip-prod-orders", "maipx-dev-orders", "invoices", " pricing-rules "], prefix);

        Assert.Equal(["maip-dev-orders", "maip-dev-pricing-rules", "maip-dev-quotes"], selection.Tables);
        Assert.Equal(["maip-prod-orders", "maipx-dev-orders", "invoices"], selection.Refused.Select(r => r.Name));
        Assert.All(selection.Refused, r => Assert.Contains("not a table of this environment (maip-dev-*)", r.Reason, StringComparison.Ordinal));
        Assert.Equal(tables, EnvironmentTables.Select(tables, null, prefix).Tables);
    }

    [Fact]
    public void The_pacer_spaces_each_operation_at_its_own_rate()
    {
        var clock = new ManualClock();
        var pacer = new OperationPacer(OperationPacer.DynamoDbRates, clock);

        var listBackups = Enumerable.Range(0, 6).Select(_ => pacer.Reserve("ListBackups").TotalSeconds).ToList();
        var deletes = Enumerable.Range(0, 3).Select(_ => pacer.Reserve("DeleteBackup").TotalSeconds).ToList();

        Assert.Equal([0, 0.2, 0.4, 0.6, 0.8, 1.0], listBackups.Select(s => Math.Round(s, 6)));
        Assert.Equal([0, 0.1, 0.2], deletes.Select(s => Math.Round(s, 6)));
        Assert.Equal(TimeSpan.Zero, pacer.Reserve("DescribeTable")); // no published rate: not paced

        clock.Advance(TimeSpan.FromSeconds(5)); // idle time does not bank a burst
        Assert.Equal([0, 0.2], new[] { pacer.Reserve("ListBackups"), pacer.Reserve("ListBackups") }.Select(w => Math.Round(w.TotalSeconds, 6)));
    }

    [Fact]
    public void Twenty_list_backups_at_five_a_second_take_four_seconds_of_slots()
    {
        var pacer = new OperationPacer(OperationPacer.DynamoDbRates, new ManualClock());
        var last = Enumerable.Range(0, 20).Select(_ => pacer.Reserve("ListBackups")).ToList()[^1]; // ToList: Last() alone would call Reserve once
        Assert.Equal(3.8, Math.Round(last.TotalSeconds, 6));
    }

    [Fact]
    public void The_time_budget_starts_no_table_it_cannot_expect_to_finish()
    {
        var clock = new ManualClock();
        using var deadline = InvocationDeadline.Start(TimeSpan.FromSeconds(10), clock); // 1 s margin: 9 s of work
        var budget = new TimeBudget(deadline, TimeSpan.FromSeconds(2));

        Assert.True(budget.CanStartAnother());
        clock.Advance(TimeSpan.FromSeconds(6.9));
        Assert.True(budget.CanStartAnother()); // 2.1 s left
        budget.Finished(TimeSpan.FromSeconds(1)); // shorter than the minimum: the reserve stays 2 s
        Assert.True(budget.CanStartAnother());
        budget.Finished(TimeSpan.FromSeconds(2.5)); // a slow table: expect the next to be as slow
        Assert.False(budget.CanStartAnother());
        Assert.Equal(TimeSpan.FromSeconds(2.5), budget.Reserve);
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.False(budget.CanStartAnother());
    }
}
