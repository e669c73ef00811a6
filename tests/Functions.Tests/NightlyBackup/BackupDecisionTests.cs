using Functions.Common.Logging;
using System.Text.Json;
using System.Text.RegularExpressions;
using Functions.NightlyBackup;

namespace Functions.Tests;

/// <summary>The nightly backup's decisions, without AWS: what a backup is named and which ones go.</summary>
// A function's types are internal and xUnit calls public methods: a theory takes them as object.
public partial class BackupDecisionTests
{
    private static readonly DateOnly Night = new(2026, 11, 23);
    private static readonly DateTimeOffset AsOf = new(2026, 11, 23, 3, 0, 0, TimeSpan.Zero);
    private const string Table = "maip-dev-orders";

    [GeneratedRegex("^[a-zA-Z0-9_.-]{3,255}$")]
    private static partial Regex ValidBackupName();

    [Fact]
    public void A_backup_is_named_after_its_table_and_the_scheduled_night()
    {
        Assert.Equal("maip-dev-orders-20261123", BackupNaming.NameFor(Table, Night));
        Assert.Equal(Night, BackupNaming.NightOf("maip-dev-orders-20261123", Table));
    }

    [Theory]
    [InlineData(246)] // the longest name that still takes the suffix as is
    [InlineData(247)]
    [InlineData(255)] // DynamoDB's longest table name
    public void A_table_name_too_long_for_the_suffix_still_gets_a_valid_name_the_suite_recognises(int length)
    {
        var table = "maip-dev-" + new string('t', length - "maip-dev-".Length);
        var name = BackupNaming.NameFor(table, Night);

        Assert.Matches(ValidBackupName(), name);
        Assert.True(name.Length <= BackupNaming.MaxLength);
        Assert.EndsWith("-20261123", name, StringComparison.Ordinal);
        Assert.Equal(Night, BackupNaming.NightOf(name, table));
        if (length <= 246) Assert.Equal(table + "-20261123", name);
    }

    [Fact]
    public void Two_long_tables_sharing_a_start_get_different_names_and_never_claim_each_others_backups()
    {
        var start = "maip-dev-" + new string('a', 240);
        var (first, second) = (start + "-one", start + "-two");

        var (firstName, secondName) = (BackupNaming.NameFor(first, Night), BackupNaming.NameFor(second, Night));

        Assert.NotEqual(firstName, secondName);
        Assert.Null(BackupNaming.NightOf(firstName, second));
        Assert.Null(BackupNaming.NightOf(secondName, first));
    }

    [Theory]
    [InlineData("maip-dev-orders-manual")]
    [InlineData("maip-dev-orders-before-migration")]
    [InlineData("maip-dev-orders-2026112")]
    [InlineData("maip-dev-orders-202611230")]
    [InlineData("maip-dev-orders-20261399")]
    [InlineData("maip-dev-orders_20261123")]
    [InlineData("maip-dev-orders-20261123-copy")]
    [InlineData("maip-dev-orders-archive-20261123")]
    [InlineData("maip-prod-orders-20261123")]
    [InlineData("MAIP-DEV-ORDERS-20261123")]
    public void A_name_the_suite_did_not_make_is_not_its_own(string name)
        => Assert.Null(BackupNaming.NightOf(name, Table));

    private static BackupInfo Suite(int nightsAgo, double ageDays, string status = BackupInfo.Available)
        => new(BackupNaming.NameFor(Table, Night.AddDays(-nightsAgo)), $"arn:backup/{nightsAgo:D3}", AsOf - TimeSpan.FromDays(ageDays), status);

    private static List<string> Pruned(RetentionPolicy policy, IEnumerable<BackupInfo> backups)
        => policy.ToPrune(Table, backups, AsOf).Select(b => b.Name).ToList();

    [Fact]
    public void A_backup_exactly_as_old_as_the_retention_is_kept_and_one_second_older_goes()
    {
        var newer = Enumerable.Range(0, 7).Select(n => Suite(n, n)).ToList();
        var edge = Suite(35, 35);
        var older = Suite(36, 35) with { Created = AsOf - TimeSpan.FromDays(35) - TimeSpan.FromSeconds(1) };

        Assert.Empty(Pruned(new RetentionPolicy(35, 7), [.. newer, edge]));
        Assert.Equal([older.Name], Pruned(new RetentionPolicy(35, 7), [.. newer, edge, older]));
    }

    [Fact]
    public void The_newest_min_keep_backups_stay_however_old_they_are()
    {
        var ancient = Enumerable.Range(100, 10).Select(n => Suite(n, n)).ToList();

        var pruned = Pruned(new RetentionPolicy(35, 7), ancient);

        Assert.Equal(ancient.OrderBy(b => b.Created).Take(3).Select(b => b.Name).Order(StringComparer.Ordinal), pruned.Order(StringComparer.Ordinal));
        Assert.Empty(Pruned(new RetentionPolicy(35, 7), ancient.Take(7)));
        Assert.Empty(Pruned(new RetentionPolicy(35, 20), ancient));
    }

    [Fact]
    public void Backups_the_suite_did_not_make_are_never_pruned_nor_counted_towards_min_keep()
    {
        var old = AsOf - TimeSpan.FromDays(400);
        var foreign = new List<BackupInfo>
        {
            new("maip-dev-orders-before-migration", "arn:hand", old, BackupInfo.Available),
            new(BackupNaming.NameFor(Table, Night.AddDays(-400)), "arn:aws-backup", old, BackupInfo.Available, "AWS_BACKUP"),
            new(BackupNaming.NameFor(Table, Night.AddDays(-401)), "arn:system", old, BackupInfo.Available, "SYSTEM"),
            new(BackupNaming.NameFor("maip-dev-quotes", Night.AddDays(-402)), "arn:other-table", old, BackupInfo.Available),
        };
        var own = Enumerable.Range(1, 8).Select(n => Suite(n + 40, n + 40)).ToList();

        var pruned = Pruned(new RetentionPolicy(35, 7), [.. foreign, .. own]);

        Assert.Equal([own.MinBy(b => b.Created)!.Name], pruned);
    }

    [Fact]
    public void A_backup_still_being_created_counts_as_kept_but_is_never_deleted()
    {
        var creating = Suite(50, 50, BackupInfo.Creating);
        var deleted = Suite(60, 60, "DELETED");

        Assert.Empty(Pruned(new RetentionPolicy(35, 1), [creating, deleted]));
        Assert.Equal([Suite(51, 51).Name], Pruned(new RetentionPolicy(35, 1), [creating, Suite(51, 51)]));
    }

    [Fact]
    public void A_backup_listed_twice_counts_once_towards_min_keep()
    {
        // Tonight's backup, listed and also added as just made (a rerun of the night): 7 then 6 stayed before.
        var tonight = Suite(0, 0);
        var past = Enumerable.Range(1, 8).Select(n => Suite(n, 40 + n)).ToList();

        Assert.Equal(2, Pruned(new RetentionPolicy(35, 7), [tonight, .. past, tonight]).Count);
        Assert.Equal(2, Pruned(new RetentionPolicy(35, 7), [tonight, .. past, tonight with { Status = BackupInfo.Creating }]).Count);
    }

    [Fact]
    public void A_second_copy_of_an_earlier_night_counts_as_that_night_and_is_left_to_the_duplicates_not_retention()
    {
        // Eight past nights, the third twice: a copy ListBackups did not show yet on its night, or
        // one that stayed in use, and that later runs must still delete.
        var past = Enumerable.Range(1, 8).Select(n => Suite(n, 40 + n)).ToList();
        var copy = past[2] with { Arn = "arn:backup/003-copy", Created = past[2].Created.AddMinutes(1) };
        var handMade = new BackupInfo("maip-dev-orders-before-migration", "arn:hand", AsOf - TimeSpan.FromDays(400), BackupInfo.Available);

        // Seven nights stay (one backup each): only the eighth night goes.
        Assert.Equal([past[7].Name], Pruned(new RetentionPolicy(35, 7), [.. past, copy, handMade]));
        var (kept, extra) = NightlyDuplicates.OfEveryNight(Table, [.. past, copy, handMade]);
        Assert.Equal(past.OrderBy(b => b.Created), kept.OrderBy(b => b.Created)); // the oldest copy of each night
        Assert.Equal([copy], extra);
    }

    [Fact]
    public void Of_the_backups_named_for_the_night_the_oldest_usable_one_is_kept_and_the_others_are_extra()
    {
        var name = BackupNaming.NameFor(Table, Night);
        BackupInfo Named(string arn, int secondsAfter, string status = BackupInfo.Available)
            => new(name, arn, AsOf.AddSeconds(secondsAfter), status);
        var (deleted, first, sameSecondB, sameSecondA, creating) =
            (Named("arn:0", 0, "DELETED"), Named("arn:1", 1), Named("arn:b", 2), Named("arn:a", 2), Named("arn:c", 3, BackupInfo.Creating));
        var others = new[] { Suite(1, 1), new BackupInfo(name, "arn:aws-backup", AsOf, BackupInfo.Available, "AWS_BACKUP") };

        var (kept, extra) = NightlyDuplicates.Of(name, [creating, sameSecondB, deleted, first, sameSecondA, first, .. others]);

        Assert.Equal(first, kept);
        Assert.Equal([sameSecondA, sameSecondB, creating], extra); // by creation time, then ARN: every run decides alike
        Assert.Null(NightlyDuplicates.Of(name, [deleted, .. others]).Kept); // a deleted one, or another type, is not the night's
        Assert.Empty(NightlyDuplicates.Of(name, [creating]).Extra);
    }

    [Fact]
    public void Age_is_measured_from_the_scheduled_time_so_a_catch_up_run_prunes_as_of_its_night()
    {
        var backups = Enumerable.Range(0, 12).Select(n => Suite(n, n)).ToList();
        var policy = new RetentionPolicy(5, 3);

        var asOfNight = policy.ToPrune(Table, backups, AsOf).Count;
        var asOfTenNightsEarlier = policy.ToPrune(Table, backups, AsOf - TimeSpan.FromDays(10)).Count;

        Assert.Equal(6, asOfNight); // ages 6..11 are past 5 days
        Assert.Equal(0, asOfTenNightsEarlier); // then, only backups made after that night were "older"
    }

    [Theory]
    [InlineData(null, null, 35, 7)]
    [InlineData("10", "3", 10, 3)]
    [InlineData(" 90 ", "", 90, 7)]
    public void Settings_come_from_the_environment_with_the_documented_defaults(string? days, string? keep, int expectedDays, int expectedKeep)
    {
        var settings = BackupSettings.From(n => n switch { "BACKUP_RETENTION_DAYS" => days, "BACKUP_MIN_KEEP" => keep, _ => null });
        Assert.Equal((expectedDays, expectedKeep), (settings.RetentionDays, settings.MinKeep));
    }

    [Theory]
    [InlineData("BACKUP_RETENTION_DAYS", "0")]
    [InlineData("BACKUP_RETENTION_DAYS", "-3")]
    [InlineData("BACKUP_RETENTION_DAYS", "a week")]
    [InlineData("BACKUP_MIN_KEEP", "0")]
    public void A_setting_that_would_prune_everything_or_makes_no_sense_is_refused_at_start(string name, string value)
    {
        var error = Assert.Throws<InvalidOperationException>(() => BackupSettings.From(n => n == name ? value : null));
        Assert.Contains(name, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(BackupOutcome.Created, "created")]
    [InlineData(BackupOutcome.WouldCreate, "would-create")]
    [InlineData(BackupOutcome.Exists, "exists")]
    [InlineData(BackupOutcome.SkippedTag, "skipped-tag")]
    [InlineData(BackupOutcome.InUse, "in-use")]
    [InlineData(BackupOutcome.NotFound, "not-found")]
    [InlineData(BackupOutcome.Failed, "failed")]
    [InlineData(BackupOutcome.NotReached, "not-reached")]
    public void Each_outcome_is_written_as_the_string_the_summary_and_its_log_line_always_gave(object outcomeValue, string written)
    {
        var outcome = (BackupOutcome)outcomeValue;
        var json = JsonSerializer.Serialize(new TableBackupResult { Table = "t", Outcome = outcome, Created = true }, BackupJsonContext.Wire.TableBackupResult);

        Assert.Equal($$"""{"table":"t","outcome":"{{written}}"}""", json);
        Assert.Equal(written, outcome.WireName());
        Assert.Equal(8, Enum.GetValues<BackupOutcome>().Length); // a new outcome gets its line above
    }

    [Theory]
    [InlineData(PruneOutcome.Done, "done")]
    [InlineData(PruneOutcome.InUse, "in-use")]
    [InlineData(PruneOutcome.Failed, "failed")]
    public void Each_prune_outcome_is_written_as_the_string_the_summary_always_gave(object pruneValue, string written)
    {
        var prune = (PruneOutcome)pruneValue;
        var json = JsonSerializer.Serialize(new TableBackupResult { Table = "t", Outcome = BackupOutcome.Created, Prune = prune }, BackupJsonContext.Wire.TableBackupResult);

        Assert.Equal($$"""{"table":"t","outcome":"created","prune":"{{written}}"}""", json);
        Assert.Equal(written, prune.WireName());
        Assert.Equal(3, Enum.GetValues<PruneOutcome>().Length);
    }

    [Fact]
    public void A_failed_delete_is_the_prunes_last_word_and_a_backup_in_use_says_the_latest_one()
    {
        var prune = PruneProgress.Done
            .After(PruneOutcome.InUse, "first in use")
            .After(PruneOutcome.InUse, "second in use");
        Assert.Equal(new PruneProgress(PruneOutcome.InUse, "second in use"), prune);

        var failed = prune.After(PruneOutcome.Failed, "denied").After(PruneOutcome.InUse, "third in use").After(PruneOutcome.Failed, "throttled");
        Assert.Equal(new PruneProgress(PruneOutcome.Failed, "denied"), failed);
    }

    [Fact]
    public void The_counts_are_the_tables_by_outcome_and_their_deletes()
    {
        TableBackupResult Result(BackupOutcome outcome, bool created = false, PruneOutcome? prune = null, int pruned = 0, int duplicates = 0) => new()
        {
            Table = "t", Outcome = outcome, Created = created, Prune = prune,
            Pruned = Enumerable.Repeat("b", pruned).ToList(), DuplicatesDeleted = duplicates == 0 ? null : Enumerable.Repeat("arn", duplicates).ToList(),
        };

        var counts = BackupCounts.Of([
            Result(BackupOutcome.Created, created: true, PruneOutcome.Done, pruned: 2, duplicates: 1),
            Result(BackupOutcome.Exists, prune: PruneOutcome.Failed, pruned: 1),
            Result(BackupOutcome.SkippedTag), Result(BackupOutcome.NotFound), Result(BackupOutcome.WouldCreate),
            Result(BackupOutcome.Failed), Result(BackupOutcome.NotReached), Result(BackupOutcome.InUse),
        ]);

        Assert.Equal(new BackupCounts(
            Tables: 8, Created: 1, Kept: 2, Skipped: 3, Failed: 1, NotReached: 1, InUse: 1, DuplicatesDeleted: 1, Pruned: 3, PruneFailed: 1), counts);
    }

    [Fact]
    public void The_summary_reads_in_order_what_the_run_was_the_counts_each_table_and_the_calls()
    {
        var summary = new BackupRunSummary
        {
            Night = "2026-11-23", ScheduledTime = AsOf, Source = "aws.events", RetentionDays = 35, MinKeep = 7,
            Tables =
            [
                new TableBackupResult { Table = Table, Outcome = BackupOutcome.Created, Created = true, Backup = "b", BackupArn = "arn", Prune = PruneOutcome.Done, Pruned = ["old"] },
                new TableBackupResult { Table = "maip-dev-quotes", Outcome = BackupOutcome.Failed, Reason = "denied" },
            ],
            Calls = new(StringComparer.Ordinal) { ["CreateBackup"] = 1 },
        };

        Assert.Equal(
            """
            {"night":"2026-11-23","scheduledTime":"2026-11-23T03:00:00+00:00","source":"aws.events","dryRun":false,"retentionDays":35,"minKeep":7,
            "counts":{"tables":2,"created":1,"kept":1,"skipped":0,"failed":1,"notReached":0,"inUse":0,"duplicatesDeleted":0,"pruned":1,"pruneFailed":0},
            "tables":[{"table":"maip-dev-orders","outcome":"created","backup":"b","backupArn":"arn","pruned":["old"],"prune":"done"},
            {"table":"maip-dev-quotes","outcome":"failed","reason":"denied"}],"calls":{"CreateBackup":1}}
            """.ReplaceLineEndings(""),
            JsonSerializer.Serialize(summary, BackupJsonContext.Wire.BackupRunSummary));
    }
}
