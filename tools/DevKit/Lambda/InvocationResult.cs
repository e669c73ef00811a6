namespace Functions.DevKit;

/// <summary>
/// What the invoker of one event learns, and what the function wrote meanwhile: a payload, or
/// an error (the function's, an init error, a timeout, the runtime's exit).
/// </summary>
/// <param name="InitDuration">A cold start's time from process start to taking the event (Lambda's Init Duration).</param>
/// <param name="Duration">From taking the event to answering it (Lambda's Duration).</param>
public sealed record InvocationResult(string RequestId, string? TraceId, byte[]? Payload, FunctionError? Error, bool ColdStart,
    TimeSpan InitDuration, TimeSpan Duration, IReadOnlyList<string> Output, int? ExitCode)
{
    public bool Succeeded => Error is null;

    /// <summary>The response as JSON (for a response; throws with the error otherwise).</summary>
    public System.Text.Json.JsonElement Json()
        => Payload is not null
            ? System.Text.Json.JsonDocument.Parse(Payload).RootElement.Clone()
            : throw new InvalidOperationException($"The function answered {Error!.ErrorType}: {Error.ErrorMessage}");
}
