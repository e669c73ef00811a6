using System.Net.Sockets;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Functions.Common.Runtime;

namespace Functions.Common.DynamoDb;

/// <summary>
/// The one place that decides whether a DynamoDB call is tried again and when: throttling,
/// server errors and broken connections are retried with exponential backoff and full jitter,
/// as long as the wait still fits before the invocation's cutoff. Everything else is final.
/// </summary>
public sealed class RetryPolicy
{
    private static readonly HashSet<string> ThrottlingCodes = new(StringComparer.Ordinal)
    {
        "ThrottlingException", "ProvisionedThroughputExceededException", "RequestLimitExceeded",
        "ServiceUnavailable", "InternalServerError", "InternalFailure", "TransactionInProgressException",
    };

    private readonly Func<double> _random;
    private readonly Func<TimeSpan, CancellationToken, Task> _delay;

    public RetryPolicy(RetryOptions? options = null, Func<double>? random = null, Func<TimeSpan, CancellationToken, Task>? delay = null)
    {
        Options = options ?? new RetryOptions();
        _random = random ?? Random.Shared.NextDouble;
        _delay = delay ?? Task.Delay;
    }

    public RetryOptions Options { get; }

    /// <summary>
    /// Full jitter: a uniform wait between zero and min(MaxDelay, BaseDelay × 2^(attempt-1)), so
    /// concurrent invocations spread their retries instead of retrying in step.
    /// </summary>
    public TimeSpan Backoff(int attempt)
    {
        var ceiling = Math.Min(Options.MaxDelay.TotalMilliseconds, Options.BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 30)));
        return TimeSpan.FromMilliseconds(_random() * ceiling);
    }

    /// <summary>
    /// DynamoDB saying a rate is spent: ThrottlingException ("Rate of requests exceeds the allowed
    /// throughput", the control plane's), ProvisionedThroughputExceeded and RequestLimitExceeded
    /// (developer guide, "Error handling": https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html).
    /// </summary>
    public static bool IsThrottling(Exception exception) => exception is AmazonServiceException service
        && (service.ErrorCode is "ThrottlingException" or "ProvisionedThroughputExceededException" or "RequestLimitExceeded"
            || service is ProvisionedThroughputExceededException or RequestLimitExceededException);

    public bool IsRetryable(Exception exception, CancellationToken deadline = default)
    {
        switch (exception)
        {
            case OperationCanceledException when deadline.IsCancellationRequested:
                return false; // our own cutoff, not the network
            case AmazonServiceException service:
                return ThrottlingCodes.Contains(service.ErrorCode ?? "")
                       || Options.AlsoRetry.Contains(service.ErrorCode ?? "")
                       || service is ProvisionedThroughputExceededException or RequestLimitExceededException or InternalServerErrorException
                       || (int)service.StatusCode >= 500
                       || IsTransport(service.InnerException);
            default:
                return IsTransport(exception);
        }
    }

    /// <summary>
    /// A lost connection or a server error: the request may have been carried out. Throttling and
    /// validation errors are answers, so their outcome is known (nothing happened).
    /// </summary>
    public static bool IsOutcomeUnknown(Exception exception) => exception switch
    {
        AmazonServiceException service => (int)service.StatusCode >= 500 || IsTransport(service.InnerException),
        _ => IsTransport(exception),
    };

    // Connection resets, refused connections and request timeouts: the request may not have
    // reached DynamoDB, and every write of the suite is idempotent, so it is sent again.
    private static bool IsTransport(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
            if (e is HttpRequestException or IOException or SocketException or TimeoutException or OperationCanceledException)
                return true;
        return false;
    }

    /// <summary>
    /// Waits before attempt + 1. False when no attempt is left or the wait would not leave time
    /// for the next attempt before the cutoff: the caller then reports what is not done.
    /// </summary>
    public Task<bool> WaitBeforeRetryAsync(int attempt, InvocationDeadline deadline) => WaitAsync(attempt, attempt, deadline);

    // Waits the backoff of this attempt unless the attempts that count are spent or the cutoff is near.
    private async Task<bool> WaitAsync(int attempt, int counted, InvocationDeadline deadline)
    {
        if (counted >= Options.MaxAttempts) return false;
        var wait = Backoff(attempt);
        if (!deadline.Allows(wait)) return false;
        try
        {
            await _delay(wait, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.Token.IsCancellationRequested)
        {
            return false;
        }
        return !deadline.IsExpired;
    }

    /// <summary>
    /// One call, retried while retryable and while time allows. Throws the last error when it
    /// gives up, or <see cref="DeadlineReachedException"/> when the cutoff came first. An error
    /// <paramref name="waitOut"/> names (a rate the whole account shares, spent by other callers)
    /// does not use up the attempts: it is waited out, with the same backoff, while time allows.
    /// </summary>
    public async Task<T> ExecuteAsync<T>(Func<CancellationToken, Task<T>> call, InvocationDeadline deadline, string operation,
        Func<Exception, bool>? waitOut = null)
    {
        var counted = 0;
        for (var attempt = 1; ; attempt++)
        {
            if (deadline.IsExpired) throw new DeadlineReachedException($"{operation} was not attempted: the invocation's time budget ran out.");
            try
            {
                return await call(deadline.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsRetryable(ex, deadline.Token))
            {
                if (waitOut?.Invoke(ex) != true) counted++;
                if (!await WaitAsync(attempt, counted, deadline).ConfigureAwait(false))
                {
                    // Attempts left, no time for the next: the budget stopped it, not the error.
                    if (deadline.IsExpired || counted < Options.MaxAttempts)
                        throw new DeadlineReachedException($"{operation} gave up after {attempt} attempts: the invocation's time budget ran out ({DynamoDbErrors.Describe(ex)}).");
                    throw;
                }
            }
            catch (OperationCanceledException) when (deadline.Token.IsCancellationRequested)
            {
                throw new DeadlineReachedException($"{operation} was cut off: the invocation's time budget ran out.");
            }
        }
    }
}
