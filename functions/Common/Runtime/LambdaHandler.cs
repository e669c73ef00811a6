namespace Functions.Common.Runtime;

/// <summary>
/// A function's handler as the runtime loop calls it: the event's bytes in, the response's out,
/// like RuntimeSupport's <c>Func&lt;Stream, ILambdaContext, Task&lt;Stream&gt;&gt;</c>.
/// </summary>
public delegate Task<Stream> LambdaHandler(Stream input, LambdaInvocation invocation);
