using Functions.NightlyBackup;

namespace Functions.IntegrationTests;

/// <summary>
/// An environment of 35 tables on moto under a unique app name (the template's eight, 25 more,
/// one tagged backup=skip, one with a 255-character name), beside another environment's table,
/// two look-alikes and two tables of hyphenated apps under its prefix, none ever to be touched; and NightlyBackupFunction configured from the
/// template's own variables.
/// </summary>
internal sealed class BackupEnvironment
{
    public const int ExtraTables = 25;
    private readonly MotoFixture _moto;
    private readonly LogCapture _logs = new();

    private BackupEnvironment(MotoFixture moto, string app, List<string> tables, List<string> foreign, DateOnly night)
    {
        _moto = moto;
        App = app;
        Tables = tables;
        Foreign = foreign;
        Night = night;
    }

    /// <summary>
    /// The latest 03:00 UTC night by the backend's own clock (read off a table it just created):
    /// backups it makes or the tests seed are stamped by that clock, and retention is judged
    /// against it, so the tests hold on any date and under a shifted clock.
    /// </summary>
    public DateOnly Night { get; }

    public string App { get; }
    public string Prefix => $"{App}-dev-";
    /// <summary>Every table of the environment, the tagged one included.</summary>
    public IReadOnlyList<string> Tables { get; }
    /// <summary>Tables of another environment or with a look-alike prefix.</summary>
    public IReadOnlyList<string> Foreign { get; }
    public string SkippedTable => Prefix + "archive";
    public string LongTable => Tables.Single(t => t.Length == 255);
    public IEnumerable<string> BackedUpTables => Tables.Where(t => t != SkippedTable);
    public string Table(string suffix) => Prefix + suffix;

    /// <param name="extraTables">Tables beside the template's eight, the tagged one and the long one.</param>
    public static async Task<BackupEnvironment> CreateAsync(MotoFixture moto, int extraTables = ExtraTables)
    {
        var app = "bk" + Guid.NewGuid().ToString("N")[..8];
        var context = TestTemplate.Context(app);
        var (tables, _) = await TestTemplate.CreateTablesAsync(context, moto.Client);
        var prefix = $"{app}-dev-";
        var extra = Enumerable.Range(1, extraTables).Select(i => $"{prefix}extra-{i:D2}")
            .Append(prefix + "archive")
            .Append(prefix + new string('l', 255 - prefix.Length))
            .ToList();
        foreach (var name in extra) await CreateTableAsync(moto, name, name == prefix + "archive" ? [new Tag { Key = "backup", Value = "skip" }] : null);
        tables.AddRange(extra);

        // Another environment's, look-alikes, and the tables of stacks made while AppName could hold a
        // hyphen: app {app}-dev env prod, app {app}-dev-x env staging (both under {app}-dev-).
        var foreign = new List<string> { $"{app}-prod-orders", $"{app}x-dev-orders", $"{app}-devx-orders", $"{app}-dev-prod-orders", $"{app}-dev-x-staging-quotes" };
        foreach (var name in foreign) await CreateTableAsync(moto, name, null);
        var backendNow = (await moto.Client.DescribeTableAsync(tables[0])).Table.CreationDateTime!.Value.ToUniversalTime();
        var night = DateOnly.FromDateTime(backendNow.AddHours(-3));
        return new BackupEnvironment(moto, app, tables.Order(StringComparer.Ordinal).ToList(), foreign, night);
    }

    public static Task CreateTableAsync(MotoFixture moto, string name, List<Tag>? tags)
        => moto.Client.CreateTableAsync(new CreateTableRequest
        {
            TableName = name,
            BillingMode = BillingMode.PAY_PER_REQUEST,
            AttributeDefinitions = [new AttributeDefinition("id", ScalarAttributeType.S)],
            KeySchema = [new KeySchemaElement("id", KeyType.HASH)],
            Tags = tags,
        });

    /// <summary>The function as the template configures it; rates raised so a test run is not paced at DynamoDB's.</summary>
    /// <param name="daysAhead">How far ahead of the backend the function's clock is: a run "forty nights later" is run with the clock then.</param>
    /// <param name="timeout">Each invocation's time, as Lambda's deadline gives it; the template's Timeout by default.</param>
    public TestFunction<BackupRunSummary> Function(IAmazonDynamoDB? client = null, IReadOnlyDictionary<string, string>? variables = null,
        BackupSettings? settings = null, RetryPolicy? retry = null, int daysAhead = 0, TimeSpan? timeout = null)
    {
        _logs.Clear();
        var environment = TestFunctions.Variables(App, "NightlyBackupFunction", variables);
        settings ??= BackupSettings.From(environment.GetValueOrDefault) with
        {
            Rates = OperationPacer.DynamoDbRates.ToDictionary(r => r.Key, r => r.Value * 100),
            InUseRetry = new RetryOptions { MaxAttempts = 4, BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(50) },
        };
        var services = TestFunctions.Services(environment, Functions.NightlyBackup.Function.Service, client ?? _moto.Client, _logs,
            OffsetClock.DaysAhead(daysAhead), retry ?? new RetryPolicy(Functions.NightlyBackup.Function.ControlPlaneRetry with { BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(50) }));
        return TestFunctions.Hosted(new Function(services, settings), services, _logs, App, "NightlyBackupFunction", timeout);
    }

    /// <summary>A rule's scheduled event for this night (03:00 UTC), with the given detail.</summary>
    public static string ScheduledEvent(DateOnly night, string detail = "{}", string source = "aws.events")
        => ScheduledEvents.At(new DateTimeOffset(night, new TimeOnly(3, 0), TimeSpan.Zero), detail, source);

    /// <summary>The backups of one night of the table, by name, as DynamoDB lists them.</summary>
    public async Task<List<BackupSummary>> BackupsOfNightAsync(string table, DateOnly night)
        => (await BackupsOfAsync(table)).Where(b => b.BackupName == BackupNaming.NameFor(table, night)).ToList();

    /// <summary>The table's USER backups as DynamoDB lists them.</summary>
    public async Task<List<BackupSummary>> BackupsOfAsync(string table)
        => (await _moto.Client.ListBackupsAsync(new ListBackupsRequest { TableName = table })).BackupSummaries ?? [];

    public async Task<string> SeedBackupAsync(string table, string name)
        => (await _moto.Client.CreateBackupAsync(new CreateBackupRequest { TableName = table, BackupName = name })).BackupDetails.BackupArn;

    public List<JsonElement> LogLines() => _logs.LogLines();

    public JsonElement SummaryLine() => _logs.Line("nightly backup run");

    public JsonElement MetricRecord() => _logs.MetricRecord();
}
