using Amazon.DynamoDBv2;
using Functions.DevKit;

namespace Functions.IntegrationTests;

/// <summary>A local AWS engine of the test run (moto_server or DynamoDB Local): what data-plane tests need of either.</summary>
public interface ILocalEngine
{
    string Name { get; }
    Uri Endpoint { get; }
    AmazonDynamoDBClient Client { get; }
    StreamsApi Streams { get; }
}
