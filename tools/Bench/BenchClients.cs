using System.Collections.Concurrent;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Functions.Common.DynamoDb;

namespace Functions.Bench;

/// <summary>The suite's own client configuration (one attempt per call), pointed at an endpoint, counting requests by operation.</summary>
public sealed class BenchClients : IDisposable
{
    public const string Region = "us-east-1";
    private readonly CountingHandler _counter = new();

    public BenchClients(Uri endpoint)
    {
        var config = DynamoDbClients.Config();
        config.ServiceURL = endpoint.ToString();
        config.AuthenticationRegion = Region;
        config.HttpClientFactory = new Factory(_counter);
        Client = new AmazonDynamoDBClient(new BasicAWSCredentials("test", "test"), config);
    }

    public AmazonDynamoDBClient Client { get; }

    /// <summary>Requests sent so far of one operation (BatchWriteItem, PutItem, TransactWriteItems, ...).</summary>
    public int Requests(string operation) => _counter.Counts.GetValueOrDefault(operation);

    public void Dispose()
    {
        Client.Dispose();
        _counter.Dispose();
    }

    private sealed class CountingHandler() : DelegatingHandler(new SocketsHttpHandler { MaxConnectionsPerServer = 64 })
    {
        public ConcurrentDictionary<string, int> Counts { get; } = new(StringComparer.Ordinal);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Headers.TryGetValues("X-Amz-Target", out var target))
                Counts.AddOrUpdate(target.First().Split('.')[^1], 1, (_, n) => n + 1);
            return base.SendAsync(request, cancellationToken);
        }
    }

    private sealed class Factory(HttpMessageHandler handler) : HttpClientFactory
    {
        public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(handler, disposeHandler: false);
    }
}
