using Functions.AuditCli;

namespace Functions.IntegrationTests;

/// <summary>
/// --profile as an operator uses it, against moto, whose tables live in one region: the tool as a
/// process with temporary AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE and no AWS_REGION.
/// </summary>
[Collection(MotoCollection.Name)]
public sealed class AuditToolProfileTests(MotoFixture moto) : IDisposable
{
    private readonly DirectoryInfo _aws = Directory.CreateTempSubdirectory("auditcli-aws-");

    public void Dispose() => _aws.Delete(recursive: true);

    private Dictionary<string, string?> Environment()
    {
        var config = Path.Combine(_aws.FullName, "aws-config");
        var credentials = Path.Combine(_aws.FullName, "aws-credentials");
        // The default profile names another region: the same table name may exist there too.
        File.WriteAllText(config, $"[default]\nregion = eu-west-3\n\n[profile ops]\nregion = {MotoFixture.Region}\n\n[profile bare]\noutput = json\n");
        File.WriteAllText(credentials, "[default]\naws_access_key_id = test\naws_secret_access_key = test\n\n" +
                                       "[ops]\naws_access_key_id = test\naws_secret_access_key = test\n\n[bare]\naws_access_key_id = test\naws_secret_access_key = test\n");
        return new()
        {
            ["AWS_CONFIG_FILE"] = config,
            ["AWS_SHARED_CREDENTIALS_FILE"] = credentials,
            ["AWS_REGION"] = null,
            ["AWS_DEFAULT_REGION"] = null,
            ["AWS_ACCESS_KEY_ID"] = null,
            ["AWS_SECRET_ACCESS_KEY"] = null,
        };
    }

    [Fact]
    public async Task A_profile_brings_its_region_and_one_without_a_region_is_refused_in_one_line()
    {
        var env = await AuditEnvironment.CreateAsync(moto);
        await moto.Client.PutItemAsync(env.Table("orders"), new()
        {
            ["orderId"] = new() { S = "o-1" }, ["customerId#timestamp"] = new() { S = "c-1#2026-01-16T12:00:00Z" }, ["updatedBy"] = new() { S = "checkout" },
        });
        var (response, _) = await env.AuditAsync("orders");
        Assert.Empty(AuditEnvironment.FailedSequenceNumbers(response));

        var ops = await AuditTool.RunProcessAsync(moto, Environment(), "history", "order", "o-1", "--app", env.App, "--profile", "ops", "--json");
        Assert.True(ops.ExitCode == 0, ops.ToString());
        Assert.Single(JsonDocument.Parse(ops.Stdout).RootElement.EnumerateArray());

        var bare = await AuditTool.RunProcessAsync(moto, Environment(), "history", "order", "o-1", "--app", env.App, "--profile", "bare");
        Assert.Equal(ExitCodes.Aws, bare.ExitCode);
        Assert.Equal("error: No region for the profile 'bare': it sets none, and neither --region nor AWS_REGION is given. " +
                     "Pass --region, or add `region = ...` to the profile in the AWS config file.", bare.Stderr.Trim());

        // --region still wins, and the error names the region it looked in.
        var elsewhere = await AuditTool.RunProcessAsync(moto, Environment(), "history", "order", "o-1", "--app", env.App, "--profile", "ops", "--region", "eu-west-3");
        Assert.Equal(ExitCodes.Aws, elsewhere.ExitCode);
        Assert.Contains($"Table {env.Table("audit")} does not exist in the endpoint", elsewhere.Stderr, StringComparison.Ordinal);
        Assert.Contains("region eu-west-3", elsewhere.Stderr, StringComparison.Ordinal);
    }
}
