namespace Functions.ThrottleResponder;

/// <summary>A switch or restore failed; the log lines say which table and why.</summary>
internal sealed class ThrottleResponseFailedException(ThrottleResponse response)
    : Exception(string.Join("; ", response.Results.Where(r => r.Outcome == ThrottleOutcome.Failed).Select(r => $"{r.Table}: {r.Reason}")))
{
    public ThrottleResponse Response { get; } = response;
}
