using Functions.Common.Hosting;

namespace Functions.IntegrationTests;

/// <summary>
/// A function of the template in a test, hosted as its Program.cs hosts it: its services made of
/// the test's parts (the template's variables for the test's app, the engine's client or a
/// scripted one, a log capture, a clock, short retries), each invocation given the deadline
/// Lambda would give (the function's Timeout from the moment it is invoked, on its own clock).
/// </summary>
internal sealed class TestFunction<TResponse>(FunctionHost<TResponse> host, FunctionServices services, TimeSpan timeout, LogCapture logs)
{
    public FunctionServices Services { get; } = services;
    public LogCapture Logs { get; } = logs;

    /// <summary>One invocation; the log lines read afterwards are its own unless <paramref name="keepLogs"/> (concurrent ones).</summary>
    public Task<TResponse> RunAsync(string json, bool keepLogs = false)
    {
        if (!keepLogs) Logs.Clear();
        return host.InvokeAsync(Encoding.UTF8.GetBytes(json), NextInvocation());
    }

    /// <summary>An invocation that must end in <typeparamref name="TException"/>, after its report.</summary>
    public Task<TException> FailsWithAsync<TException>(string json) where TException : Exception
        => Assert.ThrowsAsync<TException>(() => RunAsync(json));

    /// <summary>One invocation through the handler the runtime loop calls: the response as JSON.</summary>
    public async Task<JsonElement> HandleAsync(string json, bool keepLogs = false)
    {
        if (!keepLogs) Logs.Clear();
        await using var output = await host.HandleAsync(new MemoryStream(Encoding.UTF8.GetBytes(json)), NextInvocation());
        return JsonDocument.Parse(output).RootElement.Clone();
    }

    private LambdaInvocation NextInvocation() => LambdaInvocation.Local(timeout, Services.Clock);
}

/// <summary>How the environments make their <see cref="TestFunction{TResponse}"/>.</summary>
internal static class TestFunctions
{
    /// <summary>The function's variables as the template sets them for the app, the test's on top.</summary>
    public static Dictionary<string, string> Variables(string app, string logicalId, IReadOnlyDictionary<string, string>? overrides = null)
    {
        var variables = TestTemplate.Variables(app, logicalId);
        foreach (var (name, value) in overrides ?? new Dictionary<string, string>()) variables[name] = value;
        return variables;
    }

    /// <summary>The services of a function read from those variables, writing its lines to the capture.</summary>
    public static FunctionServices Services(IReadOnlyDictionary<string, string> variables, string service, IAmazonDynamoDB client, LogCapture logs,
        TimeProvider? clock = null, RetryPolicy? retry = null)
        => new(FunctionEnvironment.From(variables.GetValueOrDefault, service), client, new StructuredLogger(service, logs.Sink, clock), clock, retry);

    /// <param name="timeout">Each invocation's time; the template's Timeout of the function when not given.</param>
    public static TestFunction<TResponse> Hosted<TResponse>(IFunction<TResponse> function, FunctionServices services, LogCapture logs,
        string app, string logicalId, TimeSpan? timeout = null)
        => new(FunctionHost.For(function, services), services,
            timeout ?? TimeSpan.FromSeconds(FunctionDefinition.Read(TestTemplate.Context(app), logicalId).TimeoutSeconds), logs);
}
