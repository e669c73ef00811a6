using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Functions.DevKit;

namespace Functions.IntegrationTests;

/// <summary>
/// One moto_server for the whole test run, on a free loopback port, stopped at the end.
/// Missing moto_server fails every test here loudly (never a skip).
/// </summary>
public sealed class MotoFixture : IAsyncLifetime, ILocalDynamoDb
{
    public const string Region = "us-east-1";
    private LocalServer? _server;

    public Uri Endpoint => _server?.Endpoint ?? throw new InvalidOperationException("moto_server is not running.");
    public AmazonDynamoDBClient Client { get; private set; } = null!;
    public StreamsApi Streams { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _server = await MotoServer.StartAsync();
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

[CollectionDefinition(Name)]
public sealed class MotoCollection : ICollectionFixture<MotoFixture>
{
    public const string Name = "moto_server";
}
