namespace Functions.IntegrationTests;

/// <summary>
/// The local tools as a user runs them: LocalInvoke on every file in events/ (the same
/// arguments as `sam local invoke`), and the README's first command, LocalRun.
/// </summary>
[Collection(MotoCollection.Name)]
public class LocalToolsTests(MotoFixture moto)
{
    private static readonly RepoLayout Repo = RepoLayout.Find(AppContext.BaseDirectory);
    private static readonly string Configuration = RepoLayout.BuildConfiguration(typeof(LocalToolsTests).Assembly);

    public static TheoryData<string> EventFiles()
        => new(Directory.GetFiles(Repo.EventsDirectory, "orders-*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    private static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string tool, IDictionary<string, string?> environment, params string[] args)
        => ToolProcess.RunAsync(Repo, tool, Configuration, environment, args);

    private Dictionary<string, string?> MotoEnvironment() => ToolProcess.MotoEnvironment(moto.Endpoint, MotoFixture.Region);

    private async Task CreateDefaultEnvironmentTablesAsync()
    {
        var template = SamTemplate.Load(Repo.TemplatePath);
        foreach (var table in TableDefinition.ReadAll(template.Context(region: MotoFixture.Region)))
            await table.CreateAsync(moto.Client);
    }

    [Theory]
    [MemberData(nameof(EventFiles))]
    public async Task Every_sample_event_invokes_its_function_through_LocalInvoke(string file)
    {
        await CreateDefaultEnvironmentTablesAsync();
        var path = Path.Combine("events", file);
        var sent = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repo.Root, path))).RootElement;

        var (exitCode, stdout, stderr) = await RunAsync("LocalInvoke", MotoEnvironment(), "AuditTrailFunction", "-e", path);

        Assert.True(exitCode == 0, $"exit {exitCode}\nstdout: {stdout}\nstderr: {stderr}");
        // Standard output is the response payload and nothing else; the function's logs go to stderr.
        var response = JsonDocument.Parse(stdout).RootElement;
        var failed = response.GetProperty("batchItemFailures").EnumerateArray().Select(f => f.GetProperty("itemIdentifier").GetString()).ToList();
        var malformed = sent.GetProperty("Records").EnumerateArray()
            .Where(r => r.GetRawText().Contains("not-a-number", StringComparison.Ordinal))
            .Select(r => r.GetProperty("dynamodb").GetProperty("SequenceNumber").GetString())
            .ToList();
        Assert.Equal(malformed, failed);
        Assert.Contains("\"message\":\"audit batch processed\"", stderr, StringComparison.Ordinal);
        Assert.Contains($"\"records\":{sent.GetProperty("Records").GetArrayLength()}", stderr, StringComparison.Ordinal);
    }

    public static TheoryData<string> AnalyticsEventFiles()
        => new(Directory.GetFiles(Repo.EventsDirectory, "analytics-*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    [Theory]
    [MemberData(nameof(AnalyticsEventFiles))]
    public async Task Every_analytics_sample_event_is_counted_through_LocalInvoke(string file)
    {
        await CreateDefaultEnvironmentTablesAsync();

        var (exitCode, stdout, stderr) = await RunAsync("LocalInvoke", MotoEnvironment(), "MerchantAnalyticsFunction", "-e", Path.Combine("events", file));

        Assert.True(exitCode == 0, $"exit {exitCode}\nstdout: {stdout}\nstderr: {stderr}");
        Assert.Empty(JsonDocument.Parse(stdout).RootElement.GetProperty("batchItemFailures").EnumerateArray());
        var summary = stderr.Split('\n').Single(l => l.Contains("\"message\":\"analytics batch processed\"", StringComparison.Ordinal));
        Assert.Contains(file == "analytics-no-merchant.json" ? "\"ignored\":1" : "\"ignored\":0", summary, StringComparison.Ordinal);
    }

    public static TheoryData<string> BackupEventFiles()
        => new(Directory.GetFiles(Repo.EventsDirectory, "backup-*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    [Theory]
    [MemberData(nameof(BackupEventFiles))]
    public async Task Every_backup_sample_event_runs_the_nightly_backup_through_LocalInvoke(string file)
    {
        await CreateDefaultEnvironmentTablesAsync();
        var path = Path.Combine("events", file);
        var detail = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repo.Root, path))).RootElement.GetProperty("detail");

        var (exitCode, stdout, stderr) = await RunAsync("LocalInvoke", MotoEnvironment(), "NightlyBackupFunction", "-e", path);

        Assert.True(exitCode == 0, $"exit {exitCode}\nstdout: {stdout}\nstderr: {stderr}");
        var summary = JsonDocument.Parse(stdout).RootElement;
        var tables = summary.GetProperty("tables").EnumerateArray().Select(t => t.GetProperty("table").GetString()).ToList();
        Assert.Equal("2026-11-23", summary.GetProperty("night").GetString());
        Assert.All(tables, t => Assert.StartsWith("maip-dev-", t, StringComparison.Ordinal));
        if (detail.ValueKind == JsonValueKind.Object && detail.TryGetProperty("tables", out _))
            Assert.Equal(["maip-dev-orders", "maip-dev-quotes"], tables);
        else
            Assert.Superset(new HashSet<string?> { "maip-dev-orders", "maip-dev-audit", "maip-dev-merchant-analytics" }, tables.ToHashSet());
        Assert.Equal(file == "backup-dry-run.json", summary.GetProperty("dryRun").GetBoolean());
        Assert.Contains("\"message\":\"nightly backup run\"", stderr, StringComparison.Ordinal);
    }

    public static TheoryData<string> PitrEventFiles()
        => new(Directory.GetFiles(Repo.EventsDirectory, "pitr-*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    [Theory]
    [MemberData(nameof(PitrEventFiles))]
    public async Task Every_pitr_sample_event_runs_the_pitr_guard_through_LocalInvoke(string file)
    {
        await CreateDefaultEnvironmentTablesAsync();
        var path = Path.Combine("events", file);

        var (exitCode, stdout, stderr) = await RunAsync("LocalInvoke", MotoEnvironment(), "PitrGuardFunction", "-e", path);

        Assert.True(exitCode == 0, $"exit {exitCode}\nstdout: {stdout}\nstderr: {stderr}");
        var report = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(file.Contains("report-only", StringComparison.Ordinal) ? "report" : "enforce", report.GetProperty("mode").GetString());
        var tables = report.GetProperty("tables").EnumerateArray().ToList();
        Assert.Superset(new HashSet<string?> { "maip-dev-orders", "maip-dev-audit" }, tables.Select(t => t.GetProperty("table").GetString()).ToHashSet());
        Assert.All(tables, t => Assert.NotEqual("failed", t.GetProperty("outcome").GetString()));
        Assert.Contains("\"message\":\"pitr check\"", stderr, StringComparison.Ordinal);
    }

    public static TheoryData<string> ThrottleEventFiles()
        => new(Directory.GetFiles(Repo.EventsDirectory, "alarm-*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    [Theory]
    [MemberData(nameof(ThrottleEventFiles))]
    public async Task Every_alarm_sample_event_reaches_the_throttle_responder_through_LocalInvoke(string file)
    {
        await CreateDefaultEnvironmentTablesAsync(); // on-demand, as the template makes them by default

        var (exitCode, stdout, stderr) = await RunAsync("LocalInvoke", MotoEnvironment(), "ThrottleResponderFunction", "-e", Path.Combine("events", file));

        Assert.True(exitCode == 0, $"exit {exitCode}\nstdout: {stdout}\nstderr: {stderr}");
        var outcome = Assert.Single(JsonDocument.Parse(stdout).RootElement.GetProperty("results").EnumerateArray()).GetProperty("outcome").GetString();
        var expected = file switch
        {
            "alarm-sns-ok.json" => "ignored",
            "alarm-sns-foreign-table.json" => "refused",
            _ when file.Contains("key-range", StringComparison.Ordinal) || file.Contains("hot-partition", StringComparison.Ordinal) => "not-switched", // a hot partition, in either mode
            _ => "already-on-demand",
        };
        Assert.Equal(expected, outcome);
        Assert.Contains("\"message\":\"throttle response\"", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_restore_of_a_table_never_switched_is_a_clear_error()
    {
        await CreateDefaultEnvironmentTablesAsync();

        var (exitCode, stdout, _) = await RunAsync("LocalInvoke", MotoEnvironment(), "ThrottleResponderFunction", "-e", "events/throttle-restore.json");

        Assert.Equal(1, exitCode);
        var error = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal("ThrottleResponseFailedException", error.GetProperty("errorType").GetString());
        Assert.Contains("no SWITCHED_TO_ON_DEMAND record of maip-dev-orders", error.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_function_that_fails_gives_a_lambda_style_error_and_a_non_zero_exit()
    {
        var envVars = Path.Combine(Path.GetTempPath(), $"env-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(envVars, """{"AuditTrailFunction":{"AUDIT_TABLE_NAME":""}}""");
        try
        {
            var (exitCode, stdout, _) = await RunAsync("LocalInvoke", MotoEnvironment(),
                "AuditTrailFunction", "-e", "events/orders-insert.json", "--env-vars", envVars);

            Assert.Equal(1, exitCode);
            var error = JsonDocument.Parse(stdout).RootElement;
            Assert.Equal("InvalidOperationException", error.GetProperty("errorType").GetString());
            Assert.Contains("AUDIT_TABLE_NAME", error.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(envVars);
        }
    }

    [Fact]
    public async Task Parameter_overrides_reach_the_function_environment()
    {
        var template = SamTemplate.Load(Repo.TemplatePath);
        foreach (var table in TableDefinition.ReadAll(template.Context(new Dictionary<string, string> { ["Environment"] = "staging" }, MotoFixture.Region)))
            await table.CreateAsync(moto.Client);

        var stagingEvent = Path.Combine(Path.GetTempPath(), $"staging-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(stagingEvent, (await File.ReadAllTextAsync(Path.Combine(Repo.EventsDirectory, "orders-modify.json")))
            .Replace("table/maip-dev-orders/", "table/maip-staging-orders/", StringComparison.Ordinal));
        try
        {
            var (exitCode, stdout, stderr) = await RunAsync("LocalInvoke", MotoEnvironment(),
                "AuditTrailFunction", "-e", stagingEvent, "--parameter-overrides", "Environment=staging");

            Assert.True(exitCode == 0, stderr);
            Assert.Equal("""{"batchItemFailures":[]}""", stdout.Trim());
            Assert.Contains("\"audit_table\":\"maip-staging-audit\"", stderr, StringComparison.Ordinal);
            var items = await moto.Client.ScanAsync("maip-staging-audit", ["entityType#entityId"]);
            Assert.Contains(items.Items, i => i["entityType#entityId"].S == "order#order-123");

            // The dev table's record is not the staging function's business: reported, not audited.
            var (devExit, devStdout, devStderr) = await RunAsync("LocalInvoke", MotoEnvironment(),
                "AuditTrailFunction", "-e", "events/orders-modify.json", "--parameter-overrides", "Environment=staging");
            Assert.Equal(0, devExit);
            Assert.Contains("itemIdentifier", devStdout, StringComparison.Ordinal);
            Assert.Contains("'maip-dev-orders' is not a business table of this environment", devStderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(stagingEvent);
        }
    }

    [Fact]
    public async Task The_readme_first_command_runs_every_function_of_the_suite_on_its_own_moto()
    {
        var environment = new Dictionary<string, string?>
        {
            ["AWS_ENDPOINT_URL_DYNAMODB"] = null, // LocalRun starts and stops its own moto_server
            ["AWS_ACCESS_KEY_ID"] = null,
            ["AWS_SECRET_ACCESS_KEY"] = null,
            ["AWS_PROFILE"] = null,
        };

        var (exitCode, stdout, stderr) = await RunAsync("LocalRun", environment);

        Assert.True(exitCode == 0, $"stdout: {stdout}\nstderr: {stderr}");
        Assert.Matches(@"moto_server started for this run: http://127\.0\.0\.1:\d+", stdout);
        // The story alone: the functions' own JSON log and EMF lines only with --verbose.
        Assert.DoesNotContain("\"message\":", stdout + stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("\"_aws\":", stdout + stderr, StringComparison.Ordinal);

        // The audit trail, and a replay that changes nothing.
        Assert.Contains("Audit trail in maip-dev-audit (11 items)", stdout, StringComparison.Ordinal);
        Assert.Matches(@"order#order-\d+\s*│\s*\S+\s*│\s*MODIFY\s*│\s*payments-service\s*│\s*status, updatedBy", stdout);
        Assert.Contains("✓ Replayed all 5 batches: the audit trail is unchanged (11 items).", stdout, StringComparison.Ordinal);

        // Merchant analytics, counted once.
        Assert.Contains("Merchant analytics in maip-dev-merchant-analytics (17 items):", stdout, StringComparison.Ordinal);
        Assert.Contains("merchant-acme events: application.approved, application.created, order.created x2, order.deleted, order.paid, order.shipped, quote.accepted, quote.created", stdout, StringComparison.Ordinal);
        Assert.Matches(@"daily\.order\.created#\d{4}-\d\d-\d\d\s*│\s*2\s*│\s*total_USD 169\.99", stdout);
        Assert.Contains("✓ Replayed the three batches: the analytics are unchanged", stdout, StringComparison.Ordinal);

        // The audit tool: the bad edit in the history, the undo's diff, the undo audited as alice's.
        Assert.Matches(@"MODIFY\s*│\s*ops-console\s*│\s*status, total, updatedBy", stdout);
        Assert.Matches(@"\$ dotnet run --project tools/AuditCli -- undo order order-\d+ --to \d{4}-\d\d-\d\dT[\d:.]+Z#\d+ --actor alice", stdout);
        Assert.Matches(@"status\s*│\s*changed\s*│\s*""CANCELLED""\s*│\s*""SHIPPED""", stdout);
        Assert.Matches(@"MODIFY\s*│\s*alice\s*│\s*status, total, updatedBy", stdout);
        Assert.Matches(@"✓ order-\d+ is SHIPPED again with its total of 149\.99, put back by alice\.", stdout);

        // PITR guard, nightly backup, PITR enforced.
        Assert.Contains("report   0 compliant, 0 remediated, 8 nonCompliant, 0 exempt, 0 skipped, 0 failed, 0 notReached, 8 findings", stdout, StringComparison.Ordinal);
        Assert.Matches(@"maip-dev-orders\s*│\s*non-compliant\s*│\s*point-in-time recovery is off\s*│\s*NO_RECENT_BACKUP", stdout);
        Assert.Matches(@"dry run\s*│\s*events/backup-dry-run\.json\s*│\s*2026-11-23\s*│\s*8 would-create\s*│\s*0\s*│\s*0", stdout);
        Assert.Matches(@"retry\s*│\s*events/backup-nightly\.json\s*│\s*2026-11-23\s*│\s*8 exists\s*│\s*0\s*│\s*0", stdout);
        Assert.Contains("✓ One backup per table for the night, whatever the retries.", stdout, StringComparison.Ordinal);
        Assert.Contains("enforce  0 compliant, 8 remediated", stdout, StringComparison.Ordinal);
        Assert.Contains("enforce  8 compliant, 0 remediated", stdout, StringComparison.Ordinal);
        Assert.Contains("audit records of table changes: 8 (PITR_ENABLED)", stdout, StringComparison.Ordinal);

        // The throttle responder.
        Assert.Matches(@"alarm via SNS \(alarm-sns-write-throttle\.json\)\s*│\s*switched\s*│\s*PAY_PER_REQUEST", stdout);
        Assert.Matches(@"same alarm via EventBridge \(alarm-eventbridge-write-throttle\.json\)\s*│\s*already-on-demand", stdout);
        Assert.Matches(@"restore \(throttle-restore\.json\)\s*│\s*restored\s*│\s*PROVISIONED", stdout);
        Assert.Matches(@"SWITCHED_TO_ON_DEMAND\s*│\s*\{""billingMode"":""PROVISIONED"",""readCapacityUnits"":5,""writeCapacityUnits"":5", stdout);
        Assert.Contains("✓ Every function of the suite ran end to end.", stdout, StringComparison.Ordinal);
    }
}

/// <summary>The README's first command on an endpoint of the user's, here DynamoDB Local, which has no backups or PITR.</summary>
[Collection(DynamoDbLocalCollection.Name)]
public class LocalRunOnAnotherEndpointTests(DynamoDbLocalFixture local)
{
    private static readonly RepoLayout Repo = RepoLayout.Find(AppContext.BaseDirectory);

    [Fact]
    public async Task A_step_the_endpoint_cannot_do_fails_in_one_line_and_the_run_exits_non_zero()
    {
        var environment = ToolProcess.MotoEnvironment(local.Endpoint, DynamoDbLocalFixture.Region);

        var (exitCode, stdout, stderr) = await ToolProcess.RunAsync(Repo, "LocalRun", RepoLayout.BuildConfiguration(typeof(LocalToolsTests).Assembly),
            environment, "--verbose");

        Assert.True(exitCode == 1, $"exit {exitCode}\nstdout: {stdout}\nstderr: {stderr}");
        Assert.Contains($"Using the endpoint in AWS_ENDPOINT_URL_DYNAMODB: {local.Endpoint.ToString().TrimEnd('/')}", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("moto_server started", stdout, StringComparison.Ordinal);
        // The data-plane steps, the audit tool's included, work on DynamoDB Local.
        Assert.Matches(@"✓ order-\d+ is SHIPPED again with its total of 149\.99, put back by alice\.", stdout);
        // The PITR guard cannot: one line says what failed and why, then the run stops.
        var failure = Assert.Single(stdout.Split('\n'), l => l.StartsWith("✗ ", StringComparison.Ordinal));
        Assert.StartsWith("✗ PITR guard, report only (events/pitr-report-only.json) failed: the endpoint does not offer an operation the step needs " +
                          "(UnknownOperationException; DynamoDB Local has no backups, PITR or tags: this step needs moto_server).", failure, StringComparison.Ordinal);
        Assert.Contains("Stopped there", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", stdout + stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stdout + stderr, StringComparison.Ordinal);
        // --verbose: the functions' own JSON log and EMF lines, on standard error.
        Assert.Contains("\"message\":\"audit batch processed\"", stderr, StringComparison.Ordinal);
        Assert.Contains("\"_aws\":", stderr, StringComparison.Ordinal);
    }
}
