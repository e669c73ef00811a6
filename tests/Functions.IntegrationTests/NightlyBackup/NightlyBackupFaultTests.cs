using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using Functions.NightlyBackup;

namespace Functions.IntegrationTests;

/// <summary>
/// NightlyBackupFunction against moto under faults: at the SDK's HTTP seam (errors, lost answers,
/// in-use answers, with Lambda's retries), and a TCP proxy that breaks connections after moto
/// acted, below every HTTP layer of the client.
/// </summary>
[Collection(MotoCollection.Name)]
public partial class NightlyBackupFaultTests(MotoFixture moto)
{
    /// <summary>What the seam does to a request chosen for a fault.</summary>
    private static readonly string[] FaultKinds =
    [
        "throttled", "server error", "reset before sending", "answer lost after acting", "connection ended after acting", "in use",
    ];

    [GeneratedRegex("\"TableName\":\"([^\"]+)\"|table/([^/\"]+)")]
    private static partial Regex TableNamed();

    /// <summary>
    /// A decision that depends only on the seed and which request it is (its operation, its
    /// table without the test's random app prefix, how many such requests came before), never on
    /// the order concurrent tables run in nor on the app name: the same seed makes the same faults.
    /// </summary>
    private sealed class SeededFaults(int seed, double rate, string tablePrefix)
    {
        private readonly Dictionary<string, int> _seen = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _made = new(StringComparer.Ordinal);

        public IReadOnlyDictionary<string, int> Made => _made;

        public string? Next(ScriptedRequest request)
        {
            var match = TableNamed().Match(request.Body);
            var table = match.Success ? match.Groups[1].Value + match.Groups[2].Value : "";
            var key = $"{request.Operation}|{(table.StartsWith(tablePrefix, StringComparison.Ordinal) ? table[tablePrefix.Length..] : table)}";
            int n;
            lock (_seen) n = _seen[key] = _seen.GetValueOrDefault(key) + 1;
            var draw = SHA256.HashData(Encoding.UTF8.GetBytes($"{seed}|{key}|{n}"));
            if (BitConverter.ToUInt32(draw, 0) / (double)uint.MaxValue >= rate) return null;
            // In-use answers are CreateBackup's (a table being updated); other calls get the rest.
            var kinds = request.Operation == "CreateBackup" ? FaultKinds : FaultKinds[..^1];
            var kind = kinds[BitConverter.ToUInt32(draw, 4) % kinds.Length];
            lock (_made) _made[kind] = _made.GetValueOrDefault(kind) + 1;
            return kind;
        }
    }

    private static Task<HttpResponseMessage>? Inject(string? kind, Func<Task<HttpResponseMessage>> forward) => kind switch
    {
        null => null,
        "throttled" => ScriptedNetwork.Error("ThrottlingException"),
        "server error" => ScriptedNetwork.Error("InternalServerError", System.Net.HttpStatusCode.InternalServerError),
        "reset before sending" => throw new HttpRequestException("Connection reset by peer", new IOException("Connection reset by peer")),
        "answer lost after acting" => ScriptedNetwork.AnswerLost(forward),
        "connection ended after acting" => ScriptedNetwork.ConnectionEnded(forward),
        "in use" => ScriptedNetwork.Error("TableInUseException"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    [Theory]
    [InlineData(17)]
    [InlineData(2026)]
    public async Task Under_thirty_percent_faults_with_lambdas_retries_every_table_has_exactly_one_backup_a_night(int seed)
    {
        var env = await BackupEnvironment.CreateAsync(moto, extraTables: 5); // 14 tables backed up, one tagged backup=skip
        Assert.Equal(14, env.BackedUpTables.Count());
        var faults = new SeededFaults(seed, 0.30, env.Prefix);
        using var network = new ScriptedNetwork((request, forward) => Inject(faults.Next(request), forward));
        using var client = network.Client(moto);
        var nights = new[] { env.Night.AddDays(-2), env.Night.AddDays(-1), env.Night };
        var attempts = new List<int>();

        foreach (var night in nights)
        {
            // EventBridge invokes asynchronously: Lambda retries a failed invocation twice with the same event.
            var scheduled = BackupEnvironment.ScheduledEvent(night);
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await env.Function(client).RunAsync(scheduled);
                    attempts.Add(attempt);
                    break;
                }
                catch (BackupRunFailedException) when (attempt < 3)
                {
                }
            }
        }

        var wrong = new List<string>();
        foreach (var night in nights)
            foreach (var table in env.BackedUpTables)
                if ((await env.BackupsOfNightAsync(table, night)).Count is var count && count != 1)
                    wrong.Add($"{table[env.Prefix.Length..]} has {count} of {night:yyyy-MM-dd}");
        Assert.True(wrong.Count == 0, $"not one backup per table and night: {string.Join("; ", wrong)}");
        Assert.Equal(3, attempts.Count); // every night's run ended in success, within Lambda's retries
        // The faults the test is about did happen.
        Assert.All(FaultKinds, kind => Assert.True(faults.Made.GetValueOrDefault(kind) > 0, $"no '{kind}' fault was made"));
    }

    /// <summary>The backups moto made, per table, oldest first (what each CreateBackup answered, delivered or not).</summary>
    private static Dictionary<string, List<string>> MadeByTable(BreakingProxy proxy)
        => proxy.Answers.Where(a => a.Operation == "CreateBackup")
            .Select(a => JsonDocument.Parse(a.Body).RootElement.GetProperty("BackupDetails"))
            .Select(d => (Arn: d.GetProperty("BackupArn").GetString()!, Created: d.GetProperty("BackupCreationDateTime").GetDouble()))
            .GroupBy(b => b.Arn[(b.Arn.IndexOf(":table/", StringComparison.Ordinal) + 7)..b.Arn.IndexOf("/backup/", StringComparison.Ordinal)])
            .ToDictionary(g => g.Key, g => g.OrderBy(b => b.Created).ThenBy(b => b.Arn, StringComparer.Ordinal).Select(b => b.Arn).ToList());

    [Fact]
    public async Task A_client_that_resends_below_the_function_leaves_one_backup_per_table_the_oldest_and_says_so()
    {
        var env = await BackupEnvironment.CreateAsync(moto, extraTables: 0);
        var broken = 0;
        // The connection breaks after moto acted, on the first three CreateBackup requests.
        using var proxy = new BreakingProxy(moto.Endpoint, (operation, _) => operation == "CreateBackup" && Interlocked.Increment(ref broken) <= 3);
        // The SDK's defaults: AWSSDK.Core resends a request whose connection ended before the
        // answer (MaxStaleConnectionRetries, 10), whatever MaxErrorRetry says.
        var config = new AmazonDynamoDBConfig { ServiceURL = proxy.Endpoint.ToString(), AuthenticationRegion = MotoFixture.Region, MaxErrorRetry = 0 };
        using var client = new AmazonDynamoDBClient(new BasicAWSCredentials("test", "test"), config);

        var summary = await env.Function(client).RunAsync(BackupEnvironment.ScheduledEvent(env.Night));

        var backedUp = env.BackedUpTables.ToList();
        Assert.Equal(backedUp.Count, summary.Calls["CreateBackup"]); // the function sent one per table and saw no error...
        Assert.Equal(backedUp.Count + 3, proxy.CallsOf("CreateBackup")); // ...and three more went out below it
        var made = MadeByTable(proxy);
        foreach (var table in backedUp)
        {
            var left = Assert.Single(await env.BackupsOfNightAsync(table, env.Night));
            Assert.Equal(made[table][0], left.BackupArn); // the oldest is kept
        }
        Assert.Equal(3, summary.Counts.DuplicatesDeleted);
        Assert.Equal(3, summary.Tables.Sum(t => t.DuplicatesDeleted?.Count ?? 0));
        Assert.All(summary.Tables.Where(t => t.DuplicatesDeleted is { Count: > 0 }), t => Assert.Equal(made[t.Table][0], t.BackupArn));
        Assert.Equal(3, env.SummaryLine().GetProperty("duplicates_deleted").GetInt32());
    }

    [Fact]
    public async Task The_suites_client_never_resends_below_the_function_which_looks_before_sending_again()
    {
        var env = await BackupEnvironment.CreateAsync(moto, extraTables: 0);
        var broken = 0;
        using var proxy = new BreakingProxy(moto.Endpoint, (operation, _) => operation == "CreateBackup" && Interlocked.Increment(ref broken) <= 3);
        var config = DynamoDbClients.Config();
        (config.ServiceURL, config.AuthenticationRegion) = (proxy.Endpoint.ToString(), MotoFixture.Region);
        using var client = new AmazonDynamoDBClient(new BasicAWSCredentials("test", "test"), config);

        var summary = await env.Function(client).RunAsync(BackupEnvironment.ScheduledEvent(env.Night));

        var backedUp = env.BackedUpTables.ToList();
        Assert.Equal(backedUp.Count, proxy.CallsOf("CreateBackup")); // what the function sent, no more
        Assert.Equal(proxy.CallsOf("CreateBackup"), summary.Calls["CreateBackup"]);
        Assert.Equal(0, summary.Counts.DuplicatesDeleted);
        foreach (var table in backedUp) Assert.Single(await env.BackupsOfNightAsync(table, env.Night));
        Assert.Equal(2 * backedUp.Count, proxy.CallsOf("ListBackups")); // before and after each: after a break, the look is the look after the fact
    }
}
