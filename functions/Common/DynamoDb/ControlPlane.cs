using System.Collections.Concurrent;
using Functions.Common.Runtime;

namespace Functions.Common.DynamoDb;

/// <summary>
/// How the scheduled and alarm functions call DynamoDB's control plane (ListTables, backups,
/// PITR, UpdateTable): each attempt waits for its operation's rate, and the retry policy decides
/// what is tried again. Counts every attempt per operation, so a run can say what it cost.
/// </summary>
public sealed class ControlPlane(RetryPolicy retry, OperationPacer pacer)
{
    /// <summary>Backoff for control-plane calls: longer than for data-plane writes, as AWS advises.</summary>
    public static RetryOptions DefaultRetryOptions(params string[] alsoRetry) => new()
    {
        MaxAttempts = 8,
        BaseDelay = TimeSpan.FromMilliseconds(200),
        MaxDelay = TimeSpan.FromSeconds(5),
        AlsoRetry = new HashSet<string>(alsoRetry, StringComparer.Ordinal),
    };

    private readonly ConcurrentDictionary<string, int> _calls = new(StringComparer.Ordinal);

    public RetryPolicy Retry => retry;

    /// <summary>Attempts made per operation, retries included.</summary>
    public IReadOnlyDictionary<string, int> Calls => _calls;

    /// <summary>The attempts per operation, in the order of their names: what a run's report says it cost.</summary>
    public SortedDictionary<string, int> CallCounts() => new(_calls.ToDictionary(), StringComparer.Ordinal);

    /// <summary>
    /// One call, paced and retried. A call that is not idempotent (CreateBackup makes a second
    /// backup if sent twice) is not resent when its outcome is unknown (a lost connection, a
    /// server error): <see cref="OutcomeUnknownException"/> lets the caller look before retrying.
    /// The paced operations' rates are the account's, shared with every other caller (another
    /// environment's run, a person): their throttling is waited out within the time budget, and
    /// slows this invocation's pace of that operation.
    /// </summary>
    public Task<T> CallAsync<T>(string operation, Func<CancellationToken, Task<T>> call, InvocationDeadline deadline, bool idempotent = true)
        => retry.ExecuteAsync(async token =>
        {
            await pacer.WaitTurnAsync(operation, token).ConfigureAwait(false);
            _calls.AddOrUpdate(operation, 1, (_, n) => n + 1);
            try
            {
                var answer = await call(token).ConfigureAwait(false);
                pacer.Answered(operation);
                return answer;
            }
            catch (Exception ex) when (pacer.Paces(operation) && RetryPolicy.IsThrottling(ex))
            {
                pacer.Throttled(operation);
                throw;
            }
            catch (Exception ex) when (!idempotent && !token.IsCancellationRequested && RetryPolicy.IsOutcomeUnknown(ex))
            {
                throw new OutcomeUnknownException($"{operation} may or may not have taken effect: {DynamoDbErrors.Describe(ex)}");
            }
        }, deadline, operation, waitOut: ex => pacer.Paces(operation) && RetryPolicy.IsThrottling(ex));
}

/// <summary>A call that is not idempotent failed in a way that does not say whether it took effect.</summary>
public sealed class OutcomeUnknownException(string message) : Exception(message);
