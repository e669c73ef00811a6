using System.Net;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Functions.Common.Runtime;

/// <summary>
/// The Lambda Runtime API loop (version 2018-06-01) that a function's executable runs: the
/// dotnet10 runtime's bootstrap starts <c>dotnet exec &lt;Handler&gt;.dll</c> when the Handler names
/// an assembly, and the program fetches its events itself. This is what
/// Amazon.Lambda.RuntimeSupport's LambdaBootstrap does, which the registry here does not serve;
/// when it does, this file is what it replaces. The contract is RuntimeSupport's
/// <c>Client/runtime-api.yaml</c> (aws/aws-lambda-dotnet).
/// </summary>
internal static class LambdaRuntime
{
    /// <summary>Lambda's synchronous response limit, 6 MB (Lambda quotas); a larger one is an error, never cut short.</summary>
    public const int MaxResponseBytes = 6 * 1024 * 1024;

    /// <summary>
    /// Serves events until SIGTERM or a broken Runtime API. <paramref name="init"/> is the
    /// function's init: a failure there goes to <c>init/error</c> and the process exits non-zero.
    /// </summary>
    public static async Task<int> RunAsync(Func<LambdaHandler> init)
    {
        var address = Environment.GetEnvironmentVariable("AWS_LAMBDA_RUNTIME_API");
        if (string.IsNullOrWhiteSpace(address))
            return Exit("AWS_LAMBDA_RUNTIME_API is not set: this program is a Lambda function. Run it with `dotnet run --project tools/LocalInvoke -- <LogicalId> -e <event.json>`.");
        using var shutdown = new CancellationTokenSource();
        // SIGTERM: the event in hand is finished and answered, then the loop ends.
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal =>
        {
            signal.Cancel = true;
            shutdown.Cancel();
        });
        await using var log = Console.OpenStandardOutput();
        return await ServeAsync(init, address, log, shutdown.Token).ConfigureAwait(false);
    }

    /// <summary>The loop itself: <paramref name="shutdown"/> is SIGTERM; <paramref name="log"/> takes its failure lines.</summary>
    internal static async Task<int> ServeAsync(Func<LambdaHandler> init, string address, Stream log, CancellationToken shutdown)
    {
        // /next blocks until an event comes, and Lambda freezes the process meanwhile: no timeout.
        using var api = new HttpClient { BaseAddress = new Uri($"http://{address}/2018-06-01/runtime/"), Timeout = Timeout.InfiniteTimeSpan };
        try
        {
            LambdaHandler handler;
            try
            {
                handler = init();
            }
            catch (Exception ex)
            {
                await PostErrorAsync(api, "init/error", ex).ConfigureAwait(false);
                return Exit($"init failed and was reported on init/error: {ex.GetType().Name}: {ex.Message}");
            }

            while (!shutdown.IsCancellationRequested)
            {
                var (invocation, payload) = await NextAsync(api, shutdown).ConfigureAwait(false);
                Environment.SetEnvironmentVariable("_X_AMZN_TRACE_ID", invocation.TraceId);
                await InvokeAsync(api, handler, invocation, payload, log).ConfigureAwait(false);
            }
            return 0;
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
        {
            return 0; // SIGTERM while waiting for an event
        }
        catch (HttpRequestException ex)
        {
            return Exit($"the Runtime API at {address} is unreachable ({ex.Message}); Lambda restarts the runtime.");
        }
        catch (RuntimeApiException ex)
        {
            return Exit(ex.Message);
        }
    }

    private static async Task<(LambdaInvocation, byte[])> NextAsync(HttpClient api, CancellationToken cancellationToken)
    {
        using var response = await api.GetAsync("invocation/next", cancellationToken).ConfigureAwait(false);
        Expect(response, HttpStatusCode.OK, "GET invocation/next");
        string? Header(string name) => response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
        var requestId = Header("Lambda-Runtime-Aws-Request-Id");
        if (string.IsNullOrEmpty(requestId) || !long.TryParse(Header("Lambda-Runtime-Deadline-Ms"), out var deadlineMs))
            throw new RuntimeApiException("invocation/next answered without Lambda-Runtime-Aws-Request-Id or Lambda-Runtime-Deadline-Ms: not the Runtime API.");
        var invocation = new LambdaInvocation(requestId, DateTimeOffset.FromUnixTimeMilliseconds(deadlineMs),
            Header("Lambda-Runtime-Invoked-Function-Arn") ?? "", Header("Lambda-Runtime-Trace-Id"));
        return (invocation, await response.Content.ReadAsByteArrayAsync(CancellationToken.None).ConfigureAwait(false));
    }

    private static async Task InvokeAsync(HttpClient api, LambdaHandler handler, LambdaInvocation invocation, byte[] payload, Stream log)
    {
        var path = $"invocation/{Uri.EscapeDataString(invocation.RequestId)}/";
        MemoryStream body;
        try
        {
            // A visible buffer: the payload reader takes the bytes without copying them.
            await using var output = await handler(new MemoryStream(payload, 0, payload.Length, writable: false, publiclyVisible: true), invocation).ConfigureAwait(false);
            body = new MemoryStream();
            if (output is not null) await output.CopyToAsync(body).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogFailure(log, invocation, ex);
            await PostErrorAsync(api, path + "error", ex).ConfigureAwait(false);
            return;
        }
        if (body.Length > MaxResponseBytes)
        {
            var tooLarge = new ResponseSizeTooLargeException(body.Length);
            LogFailure(log, invocation, tooLarge);
            await PostErrorAsync(api, path + "error", tooLarge).ConfigureAwait(false);
            return;
        }
        body.Position = 0;
        using var content = new StreamContent(body);
        using var response = await api.PostAsync(path + "response", content).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.RequestEntityTooLarge) // Lambda's limit, if lower than ours
            await PostErrorAsync(api, path + "error", new ResponseSizeTooLargeException(body.Length)).ConfigureAwait(false);
        else
            Expect(response, HttpStatusCode.Accepted, "POST " + path + "response");
    }

    /// <summary>The error body Lambda documents: errorMessage, errorType, stackTrace; the type in a header too.</summary>
    private static async Task PostErrorAsync(HttpClient api, string path, Exception error)
    {
        var (type, message) = Describe(error);
        using var json = new MemoryStream();
        await using (var writer = new Utf8JsonWriter(json, Readable))
        {
            writer.WriteStartObject();
            writer.WriteString("errorMessage", message);
            writer.WriteString("errorType", type);
            writer.WriteStartArray("stackTrace");
            foreach (var line in (error.StackTrace ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                writer.WriteStringValue(line);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        using var content = new ByteArrayContent(json.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.aws.lambda.error+json");
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.Add("Lambda-Runtime-Function-Error-Type", type);
        using var response = await api.SendAsync(request).ConfigureAwait(false);
        Expect(response, HttpStatusCode.Accepted, "POST " + path);
    }

    /// <summary>The type and message; an AWS service's own message is left out, as it can quote item values.</summary>
    private static (string Type, string Message) Describe(Exception error)
        => error is Amazon.Runtime.AmazonServiceException aws
            ? (error.GetType().Name, $"{aws.ErrorCode} ({(int)aws.StatusCode}) from AWS; its message is not passed on (it can quote item values).")
            : (error.GetType().Name, error.Message);

    /// <summary>One log line for a failed invocation, with its ids, as RuntimeSupport logs an unhandled exception.</summary>
    private static void LogFailure(Stream log, LambdaInvocation invocation, Exception error)
    {
        var (type, message) = Describe(error);
        using var line = new MemoryStream();
        using (var writer = new Utf8JsonWriter(line, Readable))
        {
            writer.WriteStartObject();
            writer.WriteString("level", "ERROR");
            writer.WriteString("message", "invocation failed");
            writer.WriteString("function_request_id", invocation.RequestId);
            if (invocation.TraceId is { } trace) writer.WriteString("xray_trace_id", trace);
            writer.WriteString("error_type", type);
            writer.WriteString("error_message", message);
            writer.WriteEndObject();
        }
        line.WriteByte((byte)'\n');
        log.Write(line.GetBuffer(), 0, (int)line.Length);
        log.Flush();
    }

    // Read by people and CloudWatch, never embedded in HTML: quotes stay readable, as in the logs.
    private static readonly JsonWriterOptions Readable = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static void Expect(HttpResponseMessage response, HttpStatusCode expected, string call)
    {
        if (response.StatusCode != expected)
            throw new RuntimeApiException($"the Runtime API answered {(int)response.StatusCode} to {call}" +
                                          (response.StatusCode == HttpStatusCode.InternalServerError ? ": a container error; exiting, Lambda restarts the runtime." : "; exiting."));
    }

    private static int Exit(string reason)
    {
        Console.Error.WriteLine($"lambda runtime: {reason}");
        return 1;
    }

    private sealed class RuntimeApiException(string message) : Exception(message);
}

/// <summary>The response is over Lambda's 6 MB: answered as an error rather than cut short.</summary>
internal sealed class ResponseSizeTooLargeException(long bytes)
    : Exception($"The response is {bytes:N0} bytes, over Lambda's limit of {LambdaRuntime.MaxResponseBytes:N0}.");
