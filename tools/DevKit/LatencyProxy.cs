using System.Net.Sockets;
using System.Threading.Channels;

namespace Functions.DevKit;

/// <summary>
/// A loopback TCP proxy in front of a local engine that holds every chunk of bytes for half the
/// round trip in each direction, so each request costs about <c>roundTrip</c> more, as a call
/// inside an AWS region does (DynamoDB Local itself answers in about a millisecond): the bench's
/// network, and the tests' slow one for deadlines. Bandwidth is
/// not limited and connections are independent: requests in flight together overlap their waits,
/// as they would against DynamoDB.
/// </summary>
public sealed class LatencyProxy : LoopbackRelay
{
    private readonly TimeSpan _oneWay;

    public LatencyProxy(Uri upstream, TimeSpan roundTrip) : base(upstream) => _oneWay = roundTrip / 2;

    protected override async Task RelayAsync(TcpClient client, TcpClient backend, CancellationToken stopping)
    {
        client.NoDelay = true;
        backend.NoDelay = true;
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var up = PumpAsync(client.GetStream(), backend.GetStream(), connection.Token);
        var down = PumpAsync(backend.GetStream(), client.GetStream(), connection.Token);
        await Task.WhenAny(up, down).ConfigureAwait(false);
        await connection.CancelAsync().ConfigureAwait(false); // one side closed: close the other
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
}
