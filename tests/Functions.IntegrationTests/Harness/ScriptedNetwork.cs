using System.Collections.Concurrent;
using System.Net;
using Amazon.Runtime;

namespace Functions.IntegrationTests;

/// <summary>
/// The suite's real SDK client against moto or DynamoDB Local, with an HTTP layer a test scripts:
/// per request it may answer with an AWS error, delay, or forward to the backend and then lose the
/// answer. Neither backend throttles nor enforces control-plane limits, so those paths are tested here.
/// </summary>
internal sealed class ScriptedNetwork : DelegatingHandler
{
    /// <summary>What to do with one request: null forwards it to the backend untouched.</summary>
    public delegate Task<HttpResponseMessage>? Script(ScriptedRequest request, Func<Task<HttpResponseMessage>> forward);

    private readonly Script _script;
    private readonly ConcurrentDictionary<string, int> _calls = new(StringComparer.Ordinal);

    public ScriptedNetwork(Script script) : base(new HttpClientHandler()) => _script = script;

    /// <summary>Requests that reached the network, per operation (retries included).</summary>
    public IReadOnlyDictionary<string, int> Calls => _calls;

    public int CallsOf(string operation) => _calls.GetValueOrDefault(operation);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var target = request.Headers.TryGetValues("X-Amz-Target", out var values) ? values.First() : "";
        var operation = target[(target.IndexOf('.', StringComparison.Ordinal) + 1)..];
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        _calls.AddOrUpdate(operation, 1, (_, n) => n + 1);
        var scripted = _script(new ScriptedRequest(operation, body), () => base.SendAsync(request, cancellationToken));
        return await (scripted ?? base.SendAsync(request, cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>An AWS JSON-protocol error answer, as DynamoDB sends it (with DynamoDB's own message when it matters).</summary>
    public static Task<HttpResponseMessage> Error(string code, HttpStatusCode status = HttpStatusCode.BadRequest, string? message = null)
    {
        var response = new HttpResponseMessage(status)
        {
            Content = new StringContent(JsonSerializer.Serialize(new Dictionary<string, string>
                {
                    ["__type"] = $"com.amazonaws.dynamodb.v20120810#{code}",
                    ["message"] = message ?? $"scripted {code}",
                }),
                Encoding.UTF8, "application/x-amz-json-1.0"),
        };
        response.Headers.Add("x-amzn-RequestId", "scripted");
        return Task.FromResult(response);
    }

    /// <summary>
    /// moto's answer with its body edited (a state moto never reports, such as a table still
    /// UPDATING). Its CRC32 header no longer fits the body, so it is left out.
    /// </summary>
    public static async Task<HttpResponseMessage> Edited(Func<Task<HttpResponseMessage>> forward, Func<string, string> edit)
    {
        using var original = await forward().ConfigureAwait(false);
        var body = edit(await original.Content.ReadAsStringAsync().ConfigureAwait(false));
        var response = new HttpResponseMessage(original.StatusCode) { Content = new StringContent(body, Encoding.UTF8, "application/x-amz-json-1.0") };
        foreach (var (name, values) in original.Headers)
            if (!name.Equals("x-amz-crc32", StringComparison.OrdinalIgnoreCase))
                response.Headers.TryAddWithoutValidation(name, values);
        return response;
    }

    /// <summary>A cancelled transaction, one reason per action, as DynamoDB answers TransactWriteItems.</summary>
    public static Task<HttpResponseMessage> Cancelled(IReadOnlyList<string> codes)
    {
        var reasons = string.Join(",", codes.Select(c => c == "None" ? """{"Code":"None"}""" : $$"""{"Code":"{{c}}","Message":"scripted"}"""));
        var response = new HttpResponseMessage(HttpStatusCode.BadRequest)
        {
            Content = new StringContent(
                $$"""{"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException","Message":"Transaction cancelled [{{string.Join(", ", codes)}}]","CancellationReasons":[{{reasons}}]}""",
                Encoding.UTF8, "application/x-amz-json-1.0"),
        };
        response.Headers.Add("x-amzn-RequestId", "scripted");
        return Task.FromResult(response);
    }

    /// <summary>The request reaches the backend and is carried out, but the answer is lost on the way back.</summary>
    public static async Task<HttpResponseMessage> AnswerLost(Func<Task<HttpResponseMessage>> forward)
    {
        (await forward().ConfigureAwait(false)).Dispose();
        throw new HttpRequestException("Connection reset by peer", new IOException("Connection reset by peer"));
    }

    /// <summary>
    /// The request reaches the backend and is carried out, then the connection ends before the
    /// answer, reported as .NET's HTTP handler reports it (ResponseEnded). AWSSDK.Core resends such
    /// a request by itself, whatever MaxErrorRetry says, unless MaxStaleConnectionRetries is 0.
    /// </summary>
    public static async Task<HttpResponseMessage> ConnectionEnded(Func<Task<HttpResponseMessage>> forward)
    {
        (await forward().ConfigureAwait(false)).Dispose();
        throw new HttpRequestException(HttpRequestError.ResponseEnded, "An error occurred while sending the request.",
            new HttpIOException(HttpRequestError.ResponseEnded, "The response ended prematurely."));
    }

    /// <summary>Passes the backend's answer on untouched after showing it to <paramref name="seen"/> (status and body).</summary>
    public static async Task<HttpResponseMessage> Observe(Task<HttpResponseMessage> answer, Action<HttpStatusCode, string> seen)
    {
        var response = await answer.ConfigureAwait(false);
        await response.Content.LoadIntoBufferAsync().ConfigureAwait(false); // read here, and again by the SDK
        seen(response.StatusCode, await response.Content.ReadAsStringAsync().ConfigureAwait(false));
        return response;
    }

    public AmazonDynamoDBClient Client(ILocalEngine engine)
    {
        var config = DynamoDbClients.Config();
        config.ServiceURL = engine.Endpoint.ToString();
        config.AuthenticationRegion = MotoFixture.Region;
        config.HttpClientFactory = new Factory(this);
        return new AmazonDynamoDBClient(new BasicAWSCredentials("test", "test"), config);
    }

    private sealed class Factory(HttpMessageHandler handler) : HttpClientFactory
    {
        public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(handler, disposeHandler: false);
    }
}

/// <summary>One request as the script sees it: the operation and its JSON body.</summary>
internal sealed record ScriptedRequest(string Operation, string Body)
{
    /// <summary>True when the request names the table, or an ARN of it or of its backups.</summary>
    public bool Names(string tableName)
        => Body.Contains($"\"{tableName}\"", StringComparison.Ordinal) || Body.Contains($":table/{tableName}/", StringComparison.Ordinal);
}

/// <summary>For scripts such as "fail the first attempt of each table": true the first time a key is seen.</summary>
internal sealed class FirstTimes
{
    private readonly ConcurrentDictionary<string, bool> _seen = new(StringComparer.Ordinal);

    public bool First(string key) => _seen.TryAdd(key, true);
}
