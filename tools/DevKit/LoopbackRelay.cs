using System.Net;
using System.Net.Sockets;

namespace Functions.DevKit;

/// <summary>
/// A loopback TCP listener that opens a connection to a backend for every client connection and
/// hands the pair to <see cref="RelayAsync"/>: the accept loop, the backend connection and the
/// shutdown shared by the proxies the tests and the bench put in front of a local engine.
/// </summary>
public abstract class LoopbackRelay : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Uri _backend;
    private readonly CancellationTokenSource _stop = new();

    protected LoopbackRelay(Uri backend)
    {
        _backend = backend;
        _listener.Start();
        Endpoint = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _ = AcceptAsync();
    }

    public Uri Endpoint { get; }

    /// <summary>Relays one connection; returning closes both sides.</summary>
    protected abstract Task RelayAsync(TcpClient client, TcpClient backend, CancellationToken stopping);

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
        using (var backend = new TcpClient())
        {
            try
            {
                await backend.ConnectAsync(_backend.Host, _backend.Port, _stop.Token).ConfigureAwait(false);
                await RelayAsync(client, backend, _stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The client or the backend went away: nothing left to relay.
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
        GC.SuppressFinalize(this);
    }
}
