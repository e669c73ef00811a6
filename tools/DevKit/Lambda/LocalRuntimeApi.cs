using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Threading.Channels;

namespace Functions.DevKit;

/// <summary>
/// The Lambda Runtime API (2018-06-01, RuntimeSupport's <c>Client/runtime-api.yaml</c>) on a
/// loopback port, serving one function process as Lambda serves it: <c>invocation/next</c> blocks
/// until an event is queued, <c>/response</c> and <c>/error</c> answer it (202), <c>init/error</c>
/// records a failed init. A response over 6 MB gets 413, as from Lambda. One instance per process
/// start, so a dead process's waiting request can never take a later event.
/// </summary>
public sealed class LocalRuntimeApi : IDisposable
{
    public const int MaxResponseBytes = 6 * 1024 * 1024;

    private readonly HttpListener _listener = new();
    private readonly Channel<Pending> _events = Channel.CreateUnbounded<Pending>();
    private readonly ConcurrentDictionary<string, Pending> _inFlight = new();
    private readonly TaskCompletionSource<FunctionError> _initError = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private int _nextRequests;
    private int _delivered;

    private LocalRuntimeApi(int port)
    {
        Address = $"127.0.0.1:{port}";
        _listener.Prefixes.Add($"http://{Address}/");
        _listener.Start();
        _ = ServeAsync();
    }

    /// <summary>For AWS_LAMBDA_RUNTIME_API: host and port.</summary>
    public string Address { get; }

    /// <summary>Completes when the process reports a failed init.</summary>
    public Task<FunctionError> InitError => _initError.Task;

    /// <summary>How many times the process asked for an event: it is waiting when this passes the events served.</summary>
    public int NextRequests => Volatile.Read(ref _nextRequests);

    /// <summary>How many events the process has taken.</summary>
    public int EventsDelivered => Volatile.Read(ref _delivered);

    /// <summary>Tests: the status to answer a route with instead (next, response, error, init/error).</summary>
    public ConcurrentDictionary<string, int> Faults { get; } = new(StringComparer.Ordinal);

    public static LocalRuntimeApi Start()
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new LocalRuntimeApi(LocalServer.FreePort());
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                // The free port was taken between finding and binding it: try another.
            }
        }
    }

    /// <summary>
    /// Queues an event. <see cref="QueuedInvocation.Delivered"/> completes when the process takes
    /// it, with its deadline: as in Lambda, the timeout runs from then (init is not counted).
    /// </summary>
    public QueuedInvocation Enqueue(InvocationRequest request)
    {
        var pending = new Pending(request);
        ObjectDisposedException.ThrowIf(!_events.Writer.TryWrite(pending), this);
        return new QueuedInvocation(pending.Delivered.Task, pending.Answer.Task);
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return; // stopped
            }
            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var response = context.Response;
        try
        {
            var path = context.Request.Url!.AbsolutePath;
            const string Base = "/2018-06-01/runtime/";
            if (!path.StartsWith(Base, StringComparison.Ordinal)) { await AnswerAsync(response, 404, "not the Runtime API").ConfigureAwait(false); return; }
            var route = path[Base.Length..];
            var method = context.Request.HttpMethod;

            if (route == "invocation/next" && method == "GET")
                await NextAsync(response).ConfigureAwait(false);
            else if (route == "init/error" && method == "POST")
                await InitErrorAsync(context).ConfigureAwait(false);
            else if (route.StartsWith("invocation/", StringComparison.Ordinal) && method == "POST"
                     && route.Split('/') is [_, var id, var kind and ("response" or "error")])
                await AnswerInvocationAsync(context, Uri.UnescapeDataString(id), kind).ConfigureAwait(false);
            else
                await AnswerAsync(response, 404, $"no route {method} {route}").ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The process went away mid-request.
        }
    }

    private async Task NextAsync(HttpListenerResponse response)
    {
        Interlocked.Increment(ref _nextRequests);
        if (Fault("next", response)) return;
        var pending = await _events.Reader.ReadAsync(_stop.Token).ConfigureAwait(false);
        var request = pending.Request;
        var deadline = DateTimeOffset.UtcNow + request.Timeout;
        _inFlight[request.RequestId] = pending;
        Interlocked.Increment(ref _delivered);
        pending.Delivered.TrySetResult(deadline);
        response.StatusCode = 200;
        response.ContentType = "application/json";
        response.Headers["Lambda-Runtime-Aws-Request-Id"] = request.RequestId;
        response.Headers["Lambda-Runtime-Deadline-Ms"] = deadline.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        response.Headers["Lambda-Runtime-Invoked-Function-Arn"] = request.InvokedFunctionArn;
        if (request.TraceId is not null) response.Headers["Lambda-Runtime-Trace-Id"] = request.TraceId;
        response.ContentLength64 = request.Payload.Length;
        await response.OutputStream.WriteAsync(request.Payload).ConfigureAwait(false);
        response.Close();
    }

    private async Task InitErrorAsync(HttpListenerContext context)
    {
        if (Fault("init/error", context.Response)) return;
        var error = FunctionError.Read(await ReadBodyAsync(context.Request).ConfigureAwait(false), context.Request.Headers["Lambda-Runtime-Function-Error-Type"]);
        _initError.TrySetResult(error);
        await AnswerAsync(context.Response, 202, "accepted").ConfigureAwait(false);
    }

    private async Task AnswerInvocationAsync(HttpListenerContext context, string requestId, string kind)
    {
        if (Fault(kind, context.Response)) return;
        if (!_inFlight.TryGetValue(requestId, out var pending))
        {
            await AnswerAsync(context.Response, 400, $"no invocation {requestId} in flight").ConfigureAwait(false);
            return;
        }
        var body = await ReadBodyAsync(context.Request).ConfigureAwait(false);
        if (kind == "response" && body.Length > MaxResponseBytes)
        {
            await AnswerAsync(context.Response, 413, "response payload too large").ConfigureAwait(false);
            return;
        }
        _inFlight.TryRemove(requestId, out _);
        pending.Answer.TrySetResult(kind == "response"
            ? new FunctionAnswer(body, null)
            : new FunctionAnswer(null, FunctionError.Read(body, context.Request.Headers["Lambda-Runtime-Function-Error-Type"])));
        await AnswerAsync(context.Response, 202, "accepted").ConfigureAwait(false);
    }

    private bool Fault(string route, HttpListenerResponse response)
    {
        if (!Faults.TryGetValue(route, out var status)) return false;
        response.StatusCode = status;
        response.Close();
        return true;
    }

    private static async Task<byte[]> ReadBodyAsync(HttpListenerRequest request)
    {
        using var body = new MemoryStream();
        await request.InputStream.CopyToAsync(body).ConfigureAwait(false);
        return body.ToArray();
    }

    private static async Task AnswerAsync(HttpListenerResponse response, int status, string message)
    {
        response.StatusCode = status;
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { [status < 300 ? "status" : "errorMessage"] = message });
        response.ContentType = "application/json";
        response.ContentLength64 = body.Length;
        await response.OutputStream.WriteAsync(body).ConfigureAwait(false);
        response.Close();
    }

    public void Dispose()
    {
        _stop.Cancel();
        _events.Writer.TryComplete();
        foreach (var pending in _inFlight.Values) pending.Answer.TrySetCanceled();
        while (_events.Reader.TryRead(out var queued)) queued.Delivered.TrySetCanceled();
        try
        {
            _listener.Close();
        }
        catch (ObjectDisposedException) { }
        _stop.Dispose();
    }

    private sealed class Pending(InvocationRequest request)
    {
        public InvocationRequest Request { get; } = request;
        public TaskCompletionSource<DateTimeOffset> Delivered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource<FunctionAnswer> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>One event as the Runtime API hands it over, with the headers of <c>invocation/next</c> (the deadline: the timeout from then).</summary>
public sealed record InvocationRequest(byte[] Payload, string RequestId, TimeSpan Timeout, string InvokedFunctionArn, string? TraceId);

/// <summary>A queued event: when the process took it (and its deadline), and its answer.</summary>
public sealed record QueuedInvocation(Task<DateTimeOffset> Delivered, Task<FunctionAnswer> Answer);

/// <summary>The function's answer: a response payload, or an error.</summary>
public sealed record FunctionAnswer(byte[]? Payload, FunctionError? Error);
