using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Sockets;

namespace Functions.IntegrationTests;

/// <summary>
/// A TCP proxy in front of a backend, below every HTTP layer of the client: it passes HTTP/1.1
/// requests on and can break the client's connection after the backend acted on a request, so
/// the answer never arrives. What the client's own HTTP stack then does (resend, or report an
/// error) is what a real network fault makes it do.
/// </summary>
internal sealed class BreakingProxy : LoopbackRelay
{
    /// <summary>Whether to break the connection after the backend answered this request (operation, its body).</summary>
    public delegate bool BreakRule(string operation, string body);

    private readonly BreakRule _breakAfterActing;
    private readonly ConcurrentDictionary<string, int> _calls = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(string Operation, string Body)> _answers = new();

    public BreakingProxy(Uri backend, BreakRule breakAfterActing) : base(backend) => _breakAfterActing = breakAfterActing;

    /// <summary>Requests that reached the backend, per operation.</summary>
    public int CallsOf(string operation) => _calls.GetValueOrDefault(operation);

    /// <summary>Every answer the backend gave, delivered or not, with its operation.</summary>
    public IReadOnlyCollection<(string Operation, string Body)> Answers => _answers;

    protected override async Task RelayAsync(TcpClient client, TcpClient backend, CancellationToken stopping)
    {
        var (down, up) = (client.GetStream(), backend.GetStream());
        while (await ReadMessageAsync(down).ConfigureAwait(false) is { } request)
        {
            var operation = Operation(request.Head);
            var body = Encoding.UTF8.GetString(request.Body);
            await up.WriteAsync(request.Bytes, stopping).ConfigureAwait(false);
            var answer = await ReadMessageAsync(up).ConfigureAwait(false) ?? throw new IOException("The backend closed the connection.");
            _calls.AddOrUpdate(operation, 1, (_, n) => n + 1);
            _answers.Enqueue((operation, Encoding.UTF8.GetString(answer.Body)));
            if (_breakAfterActing(operation, body))
            {
                client.Client.LingerState = new LingerOption(true, 0); // a reset, as a dropped connection gives
                return;
            }
            await down.WriteAsync(answer.Bytes, stopping).ConfigureAwait(false);
        }
    }

    private static string Operation(string head)
    {
        var target = head.Split("\r\n").FirstOrDefault(l => l.StartsWith("X-Amz-Target:", StringComparison.OrdinalIgnoreCase)) ?? "";
        return target[(target.LastIndexOf('.') + 1)..].Trim();
    }

    private sealed record Message(string Head, byte[] Body, byte[] Bytes);

    /// <summary>One HTTP/1.1 message framed by Content-Length (what the SDK and moto send); null at the end of the stream.</summary>
    private static async Task<Message?> ReadMessageAsync(NetworkStream stream)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < 4 || !(head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
        {
            if (await stream.ReadAsync(one).ConfigureAwait(false) == 0) return null;
            head.Add(one[0]);
        }
        var text = Encoding.ASCII.GetString(head.ToArray());
        var lines = text.Split("\r\n");
        if (lines.Any(l => l.StartsWith("Transfer-Encoding:", StringComparison.OrdinalIgnoreCase)))
            throw new NotSupportedException("BreakingProxy only relays messages framed by Content-Length.");
        var length = lines.Where(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            .Select(l => int.Parse(l["Content-Length:".Length..].Trim(), CultureInfo.InvariantCulture)).FirstOrDefault();
        var body = new byte[length];
        await stream.ReadExactlyAsync(body).ConfigureAwait(false);
        return new Message(text, body, [.. head, .. body]);
    }
}
