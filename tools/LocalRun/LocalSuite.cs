using Amazon.DynamoDBv2;
using Functions.DevKit;

namespace Functions.LocalRun;

/// <summary>
/// What the story's first step sets up and every later step works in: the local DynamoDB, the
/// template as the environment deploys it (its table prefix), the client and the table operations.
/// </summary>
internal sealed record LocalSuite(string Endpoint, string Region, RepoLayout Repo, TemplateContext Context, string Prefix, AmazonDynamoDBClient Dynamo)
{
    public LocalTables Tables { get; } = new(Dynamo);

    /// <summary>A client of its own, as the audit tool makes when run as a command.</summary>
    public AmazonDynamoDBClient NewClient() => NewClient(Endpoint, Region);

    public static AmazonDynamoDBClient NewClient(string endpoint, string region)
        => new(new AmazonDynamoDBConfig { ServiceURL = endpoint, AuthenticationRegion = region });
}

/// <summary>The environment's tables as the second step created them, and each one's stream (table name to stream ARN), in creation order.</summary>
internal sealed record SuiteTables(IReadOnlyList<TableDefinition> Definitions, IReadOnlyDictionary<string, string> Streams);

/// <summary>The audit function, kept warm, its table, and the stream batch of each table it was given (the later steps replay them).</summary>
internal sealed record AuditedStreams(LocalFunction Audit, string AuditTable, IReadOnlyDictionary<string, byte[]> Batches);
