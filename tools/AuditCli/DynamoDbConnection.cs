using Amazon;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Functions.Common.DynamoDb;

namespace Functions.AuditCli;

/// <summary>
/// The DynamoDB client the way the aws CLI finds its settings: --profile or AWS_PROFILE,
/// --region or AWS_REGION or the named profile's region, and AWS_ENDPOINT_URL_DYNAMODB for moto
/// or DynamoDB Local (honoured by the SDK itself).
/// </summary>
public static class DynamoDbConnection
{
    public const string EndpointVariable = "AWS_ENDPOINT_URL_DYNAMODB";

    public static IAmazonDynamoDB Create(ConnectionOptions options)
    {
        var profiles = new CredentialProfileStoreChain();
        var config = DynamoDbClients.Config();
        if (RegionOf(options, Environment.GetEnvironmentVariable, profiles) is { } region)
        {
            config.RegionEndpoint = region;
            // With AWS_ENDPOINT_URL_DYNAMODB the SDK signs for the region of its own chain (the
            // default profile's), not RegionEndpoint's: moto would look in that region (seen here).
            config.AuthenticationRegion = region.SystemName;
        }
        try
        {
            if (options.Profile is not { Length: > 0 } profile) return new AmazonDynamoDBClient(config);
            if (!profiles.TryGetAWSCredentials(profile, out var credentials)) throw NoProfile(profile);
            return new AmazonDynamoDBClient(credentials, config);
        }
        catch (AmazonClientException ex)
        {
            throw new CliException(ExitCodes.Aws, $"No DynamoDB client could be made ({ex.Message.TrimEnd('.')}): set AWS_REGION or --region, and credentials (AWS_PROFILE or --profile).");
        }
    }

    /// <summary>
    /// The region, in the aws CLI's order: --region, AWS_REGION (or AWS_DEFAULT_REGION), then the
    /// region of the profile named by --profile or AWS_PROFILE. The SDK's own chain would take the
    /// default profile's region for a profile named only to the client, so the same-named table of
    /// another region could be read and written: a named profile without a region is refused.
    /// Null when no profile is named: the SDK's chain then (the default profile's, or the instance's).
    /// </summary>
    public static RegionEndpoint? RegionOf(ConnectionOptions options, Func<string, string?> environment, ICredentialProfileSource profiles)
    {
        if (options.Region is { Length: > 0 } region) return RegionEndpoint.GetBySystemName(region);
        if (new[] { environment("AWS_REGION"), environment("AWS_DEFAULT_REGION") }.FirstOrDefault(r => r is { Length: > 0 }) is { } fromEnvironment)
            return RegionEndpoint.GetBySystemName(fromEnvironment);
        var profile = options.Profile is { Length: > 0 } named ? named : environment("AWS_PROFILE");
        if (profile is not { Length: > 0 }) return null;
        if (!profiles.TryGetProfile(profile, out var found)) throw NoProfile(profile);
        return found.Region ?? throw new CliException(ExitCodes.Aws,
            $"No region for the profile '{profile}': it sets none, and neither --region nor AWS_REGION is given. Pass --region, or add `region = ...` to the profile in the AWS config file.");
    }

    private static CliException NoProfile(string profile)
        => new(ExitCodes.Aws, $"No AWS profile '{profile}' in the AWS config or credentials file (~/.aws/config, ~/.aws/credentials, or AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE).");

    /// <summary>What the tool talks to, for its messages: the endpoint if one is set, and the region.</summary>
    public static string Describe(ConnectionOptions options)
    {
        string region;
        try
        {
            region = RegionOf(options, Environment.GetEnvironmentVariable, new CredentialProfileStoreChain())?.SystemName ?? "the SDK's default region";
        }
        catch (CliException)
        {
            region = "no region";
        }
        return Environment.GetEnvironmentVariable(EndpointVariable) is { Length: > 0 } endpoint
            ? $"the endpoint {endpoint} ({EndpointVariable}), region {region}"
            : $"DynamoDB in {region}";
    }

    /// <summary>The SDK's client-side errors in one line; a missing credential says how to give one.</summary>
    public static string Explain(AmazonClientException exception)
        => exception.Message.StartsWith("Failed to resolve AWS credentials", StringComparison.Ordinal)
            ? "No AWS credentials: set AWS_PROFILE (or --profile), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (any values do for moto or DynamoDB Local)."
            : exception.Message.Split('\n', 2)[0].Trim();
}
