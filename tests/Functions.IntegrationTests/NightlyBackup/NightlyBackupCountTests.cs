using Functions.NightlyBackup;

namespace Functions.IntegrationTests;

/// <summary>
/// What a night's counts say when two runs make a backup of one table (a manual run during the
/// scheduled one): one backup a table is kept, the other copy is deleted, and neither the summary,
/// the EMF record nor the dashboard reads the night as two backups.
/// </summary>
[Collection(MotoCollection.Name)]
public class NightlyBackupCountTests(MotoFixture moto)
{
    [Fact]
    public async Task A_manual_run_during_the_scheduled_one_reads_as_one_backup_per_table_and_its_copies_as_duplicates_deleted()
    {
        var env = await BackupEnvironment.CreateAsync(moto, extraTables: 0);
        var backedUp = env.BackedUpTables.ToList();
        var night = BackupEnvironment.ScheduledEvent(env.Night);
        // The manual run looked before the scheduled run's backups showed in ListBackups (it lags
        // a backup made a moment ago), so it made its own copies; its look after them sees both.
        var firstLook = new FirstTimes();
        using var lagging = new ScriptedNetwork((request, forward) => request.Operation == "ListBackups" && firstLook.First(request.Body)
            ? ScriptedNetwork.Edited(forward, body => { var page = JsonNode.Parse(body)!; page["BackupSummaries"] = new JsonArray(); return page.ToJsonString(); })
            : null);
        using var client = lagging.Client(moto);

        var scheduled = await env.Function().RunAsync(night);
        var scheduledMetrics = env.MetricRecord();
        var manual = await env.Function(client).RunAsync(night);
        var manualMetrics = env.MetricRecord();

        Assert.Equal((backedUp.Count, backedUp.Count, 0), (scheduled.Counts.Created, scheduled.Counts.Kept, scheduled.Counts.DuplicatesDeleted));
        Assert.Equal(backedUp.Count, manual.Calls["CreateBackup"]); // it did make a copy of each...
        Assert.Equal((0, backedUp.Count, backedUp.Count), (manual.Counts.Created, manual.Counts.Kept, manual.Counts.DuplicatesDeleted)); // ...which reads as a duplicate deleted
        Assert.All(backedUp, t => Assert.Contains("made first", manual.Tables.Single(r => r.Table == t).Reason, StringComparison.Ordinal));
        foreach (var table in backedUp)
            Assert.Equal(scheduled.Tables.Single(r => r.Table == table).BackupArn, Assert.Single(await env.BackupsOfNightAsync(table, env.Night)).BackupArn);
        // As CloudWatch adds the night's records up: created summed, kept at its maximum (the dashboard's stat), duplicates summed.
        double Sum(string metric) => scheduledMetrics.GetProperty(metric).GetDouble() + manualMetrics.GetProperty(metric).GetDouble();
        Assert.Equal(backedUp.Count, Sum(BackupMetrics.BackupsCreated));
        Assert.Equal(backedUp.Count, Math.Max(scheduledMetrics.GetProperty(BackupMetrics.BackupsKept).GetDouble(), manualMetrics.GetProperty(BackupMetrics.BackupsKept).GetDouble()));
        Assert.Equal(backedUp.Count, Sum(BackupMetrics.DuplicateBackupsDeleted));
        Assert.Equal(backedUp.Count, env.SummaryLine().GetProperty("kept").GetInt32());
        EmittedMetrics.AssertTheDashboardReadsThem(manualMetrics, env.App, "NightlyBackupFunction", BackupMetrics.All);
    }
}
