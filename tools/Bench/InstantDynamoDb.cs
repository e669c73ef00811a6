using System.Net;

namespace Functions.Bench;

/// <summary>
/// A stand-in for DynamoDB's side of a write that takes no time: every request is answered at
/// once with an empty success (<c>{}</c>: no unprocessed items). Behind the latency proxy it shows
/// what the writer's concurrency does when each request costs only its round trip, as against
/// DynamoDB, whose requests are served by many machines at once; DynamoDB Local does each one's
/// work itself, which no client can overlap.
/// </summary>
public sealed class InstantDynamoDb : IDisposable
{
    private readonly HttpListener _listener = new();

    public InstantDynamoDb()
    {
        var port = DevKit.LocalServer.FreePort();
        Endpoint = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(Endpoint.ToString());
        _listener.Start();
        _ = ServeAsync(); // ends when the listener stops
    }

    public Uri Endpoint { get; }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            try
            {
                _ = AnswerAsync(await _listener.GetContextAsync().ConfigureAwait(false)); // requests overlap, as DynamoDB serves them
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
        }
    }

    private static async Task AnswerAsync(HttpListenerContext context)
    {
        await context.Request.InputStream.CopyToAsync(Stream.Null).ConfigureAwait(false);
        context.Response.ContentType = "application/x-amz-json-1.0";
        context.Response.ContentLength64 = Empty.Length;
        await context.Response.OutputStream.WriteAsync(Empty).ConfigureAwait(false);
        context.Response.Close();
    }

    private static readonly byte[] Empty = "{}"u8.ToArray();

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
    }
}
