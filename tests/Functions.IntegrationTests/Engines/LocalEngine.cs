using Amazon.Runtime;

namespace Functions.IntegrationTests;

/// <summary>A local AWS engine of the test run (moto_server or DynamoDB Local): what data-plane tests need of either.</summary>
public interface ILocalEngine
{
    string Name { get; }
    Uri Endpoint { get; }
    AmazonDynamoDBClient Client { get; }
    StreamsApi Streams { get; }
}

/// <summary>
/// One engine for the whole test run, on a free loopback port, stopped at the end, with an SDK
/// client and a Streams reader on it. A missing engine fails every test of its collection
/// loudly (never a skip).
/// </summary>
public abstract class LocalEngineFixture : IAsyncLifetime, ILocalEngine
{
    public const string Region = "us-east-1";
    private LocalServer? _server;

    public abstract string Name { get; }
    public Uri Endpoint => _server?.Endpoint ?? throw new InvalidOperationException($"{Name} is not running.");
    public AmazonDynamoDBClient Client { get; private set; } = null!;
    public StreamsApi Streams { get; private set; } = null!;

    protected abstract Task<LocalServer> StartAsync();

    public async Task InitializeAsync()
    {
        _server = await StartAsync();
        Client = new AmazonDynamoDBClient(new BasicAWSCredentials("test", "test"),
            new AmazonDynamoDBConfig { ServiceURL = Endpoint.ToString(), AuthenticationRegion = Region });
        Streams = new StreamsApi(Endpoint, Region);
    }

    public Task DisposeAsync()
    {
        Client?.Dispose();
        Streams?.Dispose();
        _server?.Dispose();
        return Task.CompletedTask;
    }
}
