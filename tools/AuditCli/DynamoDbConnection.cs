using Amazon;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Functions.Common.DynamoDb;

namespace Functions.AuditCli;

/// <summary>
/// The DynamoDB client the way the aws CLI finds its settings: --profile or AWS_PROFILE,
/// --region or AWS_REGION or the profile's region, and AWS_ENDPOINT_URL_DYNAMODB for moto or
/// DynamoDB Local (honoured by the SDK itself).
/// </summary>
public static class DynamoDbConnection
{
    public const string EndpointVariable = "AWS_ENDPOINT_URL_DYNAMODB";

    public static IAmazonDynamoDB Create(ConnectionOptions options)
    {
        var config = DynamoDbClients.Config();
        if (options.Region is { Length: > 0 } region) config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        try
        {
            if (options.Profile is not { Length: > 0 } profile) return new AmazonDynamoDBClient(config);
            if (!new CredentialProfileStoreChain().TryGetAWSCredentials(profile, out var credentials))
                throw new CliException(ExitCodes.Aws, $"No AWS profile '{profile}' in ~/.aws/config or ~/.aws/credentials.");
            return new AmazonDynamoDBClient(credentials, config);
        }
        catch (AmazonClientException ex)
        {
            throw new CliException(ExitCodes.Aws, $"No DynamoDB client could be made ({ex.Message.TrimEnd('.')}): set AWS_REGION or --region, and credentials (AWS_PROFILE or --profile).");
        }
    }

    /// <summary>What the tool talks to, for its messages.</summary>
    public static string Describe(ConnectionOptions options)
        => Environment.GetEnvironmentVariable(EndpointVariable) is { Length: > 0 } endpoint
            ? $"the endpoint {endpoint} ({EndpointVariable})"
            : $"DynamoDB in {options.Region ?? Environment.GetEnvironmentVariable("AWS_REGION") ?? Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION") ?? "the profile's region"}";

    /// <summary>The SDK's client-side errors in one line; a missing credential says how to give one.</summary>
    public static string Explain(AmazonClientException exception)
        => exception.Message.StartsWith("Failed to resolve AWS credentials", StringComparison.Ordinal)
            ? "No AWS credentials: set AWS_PROFILE (or --profile), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (any values do for moto or DynamoDB Local)."
            : exception.Message.Split('\n', 2)[0].Trim();
}
