using Amazon.Runtime.CredentialManagement;
using Functions.AuditCli;

namespace Functions.Tests;

/// <summary>
/// Which region the audit tool works in: --region, then AWS_REGION, then the named profile's, read
/// by the SDK's own profile store from temporary shared config and credentials files (a config
/// file next to the credentials file is read as ~/.aws/config is).
/// </summary>
public sealed class AuditToolRegionTests : IDisposable
{
    private readonly DirectoryInfo _aws = Directory.CreateTempSubdirectory("auditcli-aws-");
    private readonly CredentialProfileStoreChain _profiles;

    public AuditToolRegionTests()
    {
        File.WriteAllText(Path.Combine(_aws.FullName, "config"), """
            [default]
            region = eu-west-3

            [profile ops]
            region = eu-north-1

            [profile bare]
            output = json
            """);
        File.WriteAllText(Path.Combine(_aws.FullName, "credentials"), """
            [default]
            aws_access_key_id = default-key
            aws_secret_access_key = default-secret

            [ops]
            aws_access_key_id = ops-key
            aws_secret_access_key = ops-secret

            [bare]
            aws_access_key_id = bare-key
            aws_secret_access_key = bare-secret
            """);
        _profiles = new CredentialProfileStoreChain(Path.Combine(_aws.FullName, "credentials"));
    }

    public void Dispose() => _aws.Delete(recursive: true);

    private string? Region(string? region, string? profile, params (string Name, string Value)[] environment)
        => DynamoDbConnection.RegionOf(new ConnectionOptions(region, profile),
            name => environment.FirstOrDefault(v => v.Name == name).Value, _profiles)?.SystemName;

    [Fact]
    public void A_named_profile_brings_its_own_region_not_the_default_profiles()
    {
        Assert.Equal("eu-north-1", Region(null, "ops"));
        Assert.Equal("eu-north-1", Region(null, null, ("AWS_PROFILE", "ops")));
    }

    [Fact]
    public void Region_and_AWS_REGION_come_before_the_profiles_as_with_the_aws_cli()
    {
        Assert.Equal("ap-south-1", Region("ap-south-1", "ops", ("AWS_REGION", "us-west-2")));
        Assert.Equal("us-west-2", Region(null, "ops", ("AWS_REGION", "us-west-2")));
        Assert.Equal("sa-east-1", Region(null, "ops", ("AWS_DEFAULT_REGION", "sa-east-1")));
    }

    [Fact]
    public void No_profile_named_leaves_the_region_to_the_sdks_chain()
        => Assert.Null(Region(null, null));

    [Fact]
    public void A_named_profile_without_a_region_is_a_configuration_error_in_one_line()
    {
        var error = Assert.Throws<CliException>(() => Region(null, "bare"));

        Assert.Equal(ExitCodes.Aws, error.ExitCode);
        Assert.Equal("No region for the profile 'bare': it sets none, and neither --region nor AWS_REGION is given. " +
                     "Pass --region, or add `region = ...` to the profile in the AWS config file.", error.Message);
    }

    [Fact]
    public void An_unknown_profile_is_a_configuration_error()
    {
        var error = Assert.Throws<CliException>(() => Region(null, "nosuch"));

        Assert.Equal(ExitCodes.Aws, error.ExitCode);
        Assert.StartsWith("No AWS profile 'nosuch'", error.Message, StringComparison.Ordinal);
    }
}
