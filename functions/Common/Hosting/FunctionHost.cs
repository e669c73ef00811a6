using Functions.Common.Runtime;
using Functions.Events.Serialization;

namespace Functions.Common.Hosting;

/// <summary>
/// Runs a function as Lambda invokes it: marks the invocation on the logger (its request and
/// trace ids, the cold start), starts its deadline from Lambda's, hands over the payload and
/// writes the response. Written once, so a function is its decisions, its calls and one line of
/// entry point.
/// </summary>
public sealed class FunctionHost<TResponse>(IFunction<TResponse> function, FunctionServices services)
{
    /// <summary>One invocation, its response as an object (the tests' and the bench's way in).</summary>
    public async Task<TResponse> InvokeAsync(ReadOnlyMemory<byte> payload, LambdaInvocation invocation)
    {
        services.Logger.StartInvocation(invocation);
        using var deadline = InvocationDeadline.Until(invocation.Deadline, services.Clock);
        return await function.RunAsync(payload, deadline).ConfigureAwait(false);
    }

    /// <summary>The handler the runtime loop calls: the event's bytes in, the response's out.</summary>
    public async Task<Stream> HandleAsync(Stream input, LambdaInvocation invocation)
    {
        using var payload = await LambdaPayload.RentAsync(input).ConfigureAwait(false);
        return LambdaPayload.Serialize(await InvokeAsync(payload.Bytes, invocation).ConfigureAwait(false), function.ResponseType);
    }
}

/// <summary>What each function's Program.cs calls.</summary>
public static class FunctionHost
{
    /// <summary>
    /// The function's init (its services from the environment, then <paramref name="create"/>;
    /// a failure there goes to init/error), then the Runtime API loop.
    /// </summary>
    public static Task<int> RunAsync<TResponse>(string service, Func<FunctionServices, IFunction<TResponse>> create)
        => LambdaRuntime.RunAsync(() =>
        {
            var services = FunctionServices.FromEnvironment(service);
            return new FunctionHost<TResponse>(create(services), services).HandleAsync;
        });

    /// <summary>A function with its services, hosted: for tests and the bench, as Program.cs hosts it.</summary>
    public static FunctionHost<TResponse> For<TResponse>(IFunction<TResponse> function, FunctionServices services) => new(function, services);
}
