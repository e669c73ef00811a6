using System.Text.Json.Serialization.Metadata;
using Functions.Common.Runtime;

namespace Functions.Common.Hosting;

/// <summary>
/// A function as <see cref="FunctionHost{TResponse}"/> runs it: only what is its own (reading its
/// event, its decisions, its calls, its report). The host does the rest: the invocation's ids on
/// the logs, its deadline, the payload, the response.
/// </summary>
public interface IFunction<TResponse>
{
    /// <summary>How the response is written: a source-generated context's type, no reflection.</summary>
    JsonTypeInfo<TResponse> ResponseType { get; }

    /// <summary>
    /// One event, within the invocation's time. Throws to fail the invocation, after reporting
    /// what it did (Lambda retries it, and the Errors alarm sees it).
    /// </summary>
    Task<TResponse> RunAsync(ReadOnlyMemory<byte> payload, InvocationDeadline deadline);
}
