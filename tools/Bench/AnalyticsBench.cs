using System.Diagnostics;
using System.Text;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Functions.Common.DynamoDb;
using Functions.Common.Logging;
using Functions.Common.Runtime;
using Functions.DevKit;

namespace Functions.Bench;

/// <summary>
/// `dotnet run -c Release --project tools/Bench -- analytics`: the merchant analytics write path
/// against a DynamoDB Local of its own (AWS's engine): transactions and wall time of a batch on
/// first delivery and on replay, printed as a table. The transaction counts are the function's
/// cost; the times are the local engine's, never AWS's. Not moto: it does not isolate
/// transactions, and the function sends several at once (on different rollups).
/// </summary>
public static class AnalyticsBench
{
    private const string Region = "us-east-1";

    public static async Task RunAsync()
    {
        using var server = await DynamoDbLocal.StartAsync();
        var endpoint = server.Endpoint;
        Console.WriteLine("| records | merchants | delivery | transactions | wall ms |");
        Console.WriteLine("|--------:|----------:|----------|-------------:|--------:|");
        foreach (var records in new[] { 100, 1000 })
        {
            var app = $"bench{records}";
            var counter = new CountingHandler();
            var config = DynamoDbClients.Config();
            config.ServiceURL = endpoint.ToString();
            config.AuthenticationRegion = Region;
            config.HttpClientFactory = new Factory(counter);
            using var client = new AmazonDynamoDBClient(new BasicAWSCredentials("test", "test"), config);
            var context = SamTemplate.Load(RepoLayout.Find().TemplatePath).Context(new Dictionary<string, string> { ["AppName"] = app }, Region);
            await TableDefinition.ReadAll(context).Single(t => t.LogicalId == "MerchantAnalyticsTable").CreateAsync(client);

            var environment = new Dictionary<string, string> { ["TABLE_PREFIX"] = $"{app}-dev-", ["FUNCTION_TIMEOUT_SECONDS"] = "900" };
            var function = new Functions.MerchantAnalytics.Function(FunctionEnvironment.From(environment.GetValueOrDefault, "bench"), client,
                new StructuredLogger("bench", Stream.Null));
            var batch = Encoding.UTF8.GetBytes(SyntheticStreamBatch.Orders(
                $"arn:aws:dynamodb:{Region}:123456789012:table/{app}-dev-orders/stream/2026-01-16T00:00:00.000", records, merchants: 10));
            foreach (var delivery in new[] { "first", "replay" })
            {
                var before = counter.Transactions;
                var clock = Stopwatch.StartNew();
                var response = await function.ProcessAsync(new MemoryStream(batch));
                clock.Stop();
                if (response.BatchItemFailures.Count > 0) throw new InvalidOperationException($"{response.BatchItemFailures.Count} records failed");
                Console.WriteLine($"| {records,7} | {10,9} | {delivery,-8} | {counter.Transactions - before,12} | {clock.ElapsedMilliseconds,7} |");
            }
        }
    }

    private sealed class CountingHandler() : DelegatingHandler(new HttpClientHandler())
    {
        private int _transactions;
        public int Transactions => _transactions;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Headers.TryGetValues("X-Amz-Target", out var target) && target.First().EndsWith(".TransactWriteItems", StringComparison.Ordinal))
                Interlocked.Increment(ref _transactions);
            return base.SendAsync(request, cancellationToken);
        }
    }

    private sealed class Factory(HttpMessageHandler handler) : HttpClientFactory
    {
        public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(handler, disposeHandler: false);
    }
}
