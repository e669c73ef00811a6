using Amazon.DynamoDBv2;

namespace Functions.Common.DynamoDb;

/// <summary>The suite's DynamoDB client: one attempt per call and short timeouts, so RetryPolicy alone decides.</summary>
public static class DynamoDbClients
{
    public static AmazonDynamoDBConfig Config() => new()
    {
        MaxErrorRetry = 0,
        // AWSSDK.Core also resends, on its own and whatever MaxErrorRetry says, a request whose
        // pooled connection ended before the answer (up to 10 times by default): DynamoDB may have
        // carried it out, so a CreateBackup sent that way made one backup per resend, unseen.
        // Off, the error reaches RetryPolicy, which resends only what is idempotent.
        MaxStaleConnectionRetries = 0,
        Timeout = TimeSpan.FromSeconds(10),
        ConnectTimeout = TimeSpan.FromSeconds(3),
    };

    /// <summary>Honours AWS_ENDPOINT_URL_DYNAMODB (moto locally), as the SDK does by default.</summary>
    public static IAmazonDynamoDB Create() => new AmazonDynamoDBClient(Config());
}
