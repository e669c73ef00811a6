using Functions.PitrGuard;

namespace Functions.IntegrationTests;

/// <summary>
/// The template's eight tables on moto under a unique app name, with a mix of PITR settings:
/// orders off, quotes on with 7 days, customers on with 35, the rest off; and a ninth table,
/// legacy, off but tagged pitr=off. Beside them another environment's table, a look-alike and a
/// hyphenated app's table under the prefix, all off.
/// </summary>
internal sealed class PitrEnvironment
{
    private readonly MotoFixture _moto;
    private readonly LogCapture _logs = new();

    private PitrEnvironment(MotoFixture moto, string app, IReadOnlyList<string> tables)
    {
        _moto = moto;
        App = app;
        Tables = tables;
    }

    public string App { get; }
    public IReadOnlyList<string> Tables { get; }
    /// <summary>Another environment's, a look-alike, and a hyphenated app's under this prefix (app {App}-dev, env prod).</summary>
    public IReadOnlyList<string> Foreign => [$"{App}-prod-orders", $"{App}x-dev-orders", $"{App}-dev-prod-orders"];
    public string Table(string suffix) => $"{App}-dev-{suffix}";

    public static async Task<PitrEnvironment> CreateAsync(MotoFixture moto)
    {
        var app = "pg" + Guid.NewGuid().ToString("N")[..8];
        var context = TestTemplate.Context(app);
        var (tables, _) = await TestTemplate.CreateTablesAsync(context, moto.Client);
        // Tagged at creation: moto's answer to TagResource fails the SDK's CRC32 check.
        tables.Add($"{app}-dev-legacy");
        await BackupEnvironment.CreateTableAsync(moto, tables[^1], [new Tag { Key = "pitr", Value = "off" }]);
        var env = new PitrEnvironment(moto, app, tables.Order(StringComparer.Ordinal).ToList());
        await env.SetPitrAsync("quotes", 7);
        await env.SetPitrAsync("customers", 35);
        foreach (var name in env.Foreign) await BackupEnvironment.CreateTableAsync(moto, name, null);
        return env;
    }

    public Task SetPitrAsync(string suffix, int days)
        => _moto.Client.UpdateContinuousBackupsAsync(new UpdateContinuousBackupsRequest
        {
            TableName = Table(suffix),
            PointInTimeRecoverySpecification = new PointInTimeRecoverySpecification { PointInTimeRecoveryEnabled = true, RecoveryPeriodInDays = days },
        });

    /// <summary>PITR of any table, as DescribeContinuousBackups tells it.</summary>
    public async Task<(bool Enabled, int? Days)> PitrOfAsync(string table)
    {
        var pitr = (await _moto.Client.DescribeContinuousBackupsAsync(new DescribeContinuousBackupsRequest { TableName = table }))
            .ContinuousBackupsDescription.PointInTimeRecoveryDescription;
        return (pitr.PointInTimeRecoveryStatus == "ENABLED", pitr.RecoveryPeriodInDays);
    }

    public TestFunction<PitrReport> Function(IAmazonDynamoDB? client = null, IReadOnlyDictionary<string, string>? variables = null)
    {
        var environment = TestFunctions.Variables(App, "PitrGuardFunction",
            new Dictionary<string, string>(variables ?? new Dictionary<string, string>()) { ["AWS_LAMBDA_FUNCTION_NAME"] = $"{App}-dev-pitr-guard" });
        var settings = PitrSettings.From(environment.GetValueOrDefault) with { Rates = OperationPacer.DynamoDbRates.ToDictionary(r => r.Key, r => r.Value * 100) };
        var services = TestFunctions.Services(environment, Functions.PitrGuard.Function.Service, client ?? _moto.Client, _logs,
            retry: new RetryPolicy(Functions.PitrGuard.Function.ControlPlaneRetry with { BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(50) }));
        return TestFunctions.Hosted(new Function(services, settings), services, _logs, App, "PitrGuardFunction");
    }

    public LogCapture Logs => _logs;

    /// <summary>Every <c>table#…</c> record of the environment's audit table.</summary>
    public async Task<List<Dictionary<string, AttributeValue>>> TableAuditRecordsAsync()
        => ((await _moto.Client.ScanAsync(new ScanRequest { TableName = Table("audit") })).Items ?? [])
            .Where(i => i["entityType#entityId"].S.StartsWith("table#", StringComparison.Ordinal)).ToList();
}
