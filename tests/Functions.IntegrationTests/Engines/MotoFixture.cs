namespace Functions.IntegrationTests;

/// <summary>moto_server: the control plane (backups, PITR, tags, UpdateTable) and CloudFormation.</summary>
public sealed class MotoFixture : LocalEngineFixture
{
    public override string Name => "moto_server";
    protected override Task<LocalServer> StartAsync() => MotoServer.StartAsync();
}

[CollectionDefinition(Name)]
public sealed class MotoCollection : ICollectionFixture<MotoFixture>
{
    public const string Name = "moto_server";
}
