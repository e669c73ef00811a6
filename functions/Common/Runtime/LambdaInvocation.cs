namespace Functions.Common.Runtime;

/// <summary>
/// What the Lambda Runtime API says of one invocation (the headers of <c>invocation/next</c>):
/// the part of <c>ILambdaContext</c> the suite uses. The deadline is the only source of the
/// invocation's end: Lambda passes no timeout in the environment.
/// </summary>
/// <param name="RequestId">Lambda-Runtime-Aws-Request-Id.</param>
/// <param name="Deadline">Lambda-Runtime-Deadline-Ms: when Lambda ends the invocation.</param>
/// <param name="InvokedFunctionArn">Lambda-Runtime-Invoked-Function-Arn.</param>
/// <param name="TraceId">Lambda-Runtime-Trace-Id (X-Ray), when tracing sent one.</param>
public sealed record LambdaInvocation(string RequestId, DateTimeOffset Deadline, string InvokedFunctionArn = "", string? TraceId = null)
{
    /// <summary>An invocation made outside Lambda (tests, the bench): it ends <paramref name="timeout"/> from now.</summary>
    public static LambdaInvocation Local(TimeSpan timeout, TimeProvider? clock = null)
        => new(Guid.NewGuid().ToString(), (clock ?? TimeProvider.System).GetUtcNow() + timeout);
}
