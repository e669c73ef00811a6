namespace Functions.Common.DynamoDb;

public sealed record RetryOptions
{
    /// <summary>Attempts of one call in all (the SDK client itself makes one: see DynamoDbClients).</summary>
    public int MaxAttempts { get; init; } = 6;
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(50);
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>Error codes retried on top of the throttling and server errors, e.g. LimitExceededException for CreateBackup.</summary>
    public IReadOnlySet<string> AlsoRetry { get; init; } = new HashSet<string>(StringComparer.Ordinal);
}
