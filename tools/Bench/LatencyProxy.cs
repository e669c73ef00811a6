using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Functions.Bench;

/// <summary>
/// A loopback TCP proxy in front of DynamoDB Local that holds every chunk of bytes for half the
/// round trip in each direction, so each request costs about <c>roundTrip</c> more, as a call
/// inside an AWS region does (DynamoDB Local itself answers in about a millisecond). Bandwidth is
/// not limited and connections are independent: requests in flight together overlap their waits,
/// as they would against DynamoDB.
/// </summary>
public sealed class LatencyProxy : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Uri _upstream;
    private readonly TimeSpan _oneWay;
    private readonly CancellationTokenSource _stop = new();

    public LatencyProxy(Uri upstream, TimeSpan roundTrip)
    {
        _upstream = upstream;
        _oneWay = roundTrip / 2;
        _listener.Start();
        _ = AcceptAsync();
    }

    public Uri Endpoint => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        using (var server = new TcpClient { NoDelay = true })
        {
            client.NoDelay = true;
            try
            {
                await server.ConnectAsync(_upstream.Host, _upstream.Port, _stop.Token).ConfigureAwait(false);
                using var connection = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                var up = PumpAsync(client.GetStream(), server.GetStream(), connection.Token);
                var down = PumpAsync(server.GetStream(), client.GetStream(), connection.Token);
                await Task.WhenAny(up, down).ConfigureAwait(false);
                await connection.CancelAsync().ConfigureAwait(false); // one side closed: close the other
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
            {
                // A connection the client or DynamoDB Local dropped: the SDK sees it as its own.
            }
        }
    }

    /// <summary>Copies one direction, each chunk released a one-way delay after it arrived.</summary>
    private async Task PumpAsync(Stream from, Stream to, CancellationToken token)
    {
        var chunks = Channel.CreateUnbounded<(long Arrived, byte[] Bytes, int Count)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var writer = WriteAsync(chunks.Reader, to, token);
        try
        {
            while (true)
            {
                var buffer = new byte[64 * 1024];
                var read = await from.ReadAsync(buffer, token).ConfigureAwait(false);
                if (read == 0) break;
                chunks.Writer.TryWrite((TimeProvider.System.GetTimestamp(), buffer, read));
            }
        }
        finally
        {
            chunks.Writer.TryComplete();
        }
        await writer.ConfigureAwait(false);
    }

    private async Task WriteAsync(ChannelReader<(long Arrived, byte[] Bytes, int Count)> chunks, Stream to, CancellationToken token)
    {
        await foreach (var (arrived, bytes, count) in chunks.ReadAllAsync(token).ConfigureAwait(false))
        {
            var wait = _oneWay - TimeProvider.System.GetElapsedTime(arrived);
            if (wait > TimeSpan.Zero) await Task.Delay(wait, token).ConfigureAwait(false);
            await to.WriteAsync(bytes.AsMemory(0, count), token).ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
    }
}
