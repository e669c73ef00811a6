using Amazon.DynamoDBv2;
using Functions.DevKit;

namespace Functions.IntegrationTests;

/// <summary>
/// A DynamoDB endpoint a test fixture started: moto (the control plane: backups, PITR, tags,
/// UpdateTable) or DynamoDB Local (the data plane: exact numbers, isolated transactions).
/// </summary>
public interface ILocalDynamoDb
{
    Uri Endpoint { get; }
    AmazonDynamoDBClient Client { get; }
    StreamsApi Streams { get; }
}
