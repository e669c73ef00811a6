using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Functions.DevKit;

/// <summary>
/// A moto_server process on a free loopback port: the local AWS for DynamoDB and DynamoDB
/// Streams. Fails loudly when moto_server is not installed.
/// </summary>
public sealed class MotoServer : IDisposable
{
    private readonly Process _process;
    private readonly System.Text.StringBuilder _output = new();

    private MotoServer(Process process, Uri endpoint)
    {
        _process = process;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }

    public static async Task<MotoServer> StartAsync(TimeSpan? timeout = null)
    {
        var executable = FindOnPath("moto_server")
            ?? throw new InvalidOperationException(
                "moto_server is not on PATH. Install it with: pip install 'moto[server]==5.2.1'");
        var port = FreePort();
        var info = new ProcessStartInfo(executable)
        {
            ArgumentList = { "-H", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(info) ?? throw new InvalidOperationException("moto_server did not start.");
        var server = new MotoServer(process, new Uri($"http://127.0.0.1:{port}"));
        process.OutputDataReceived += (_, e) => server.Capture(e.Data);
        process.ErrorDataReceived += (_, e) => server.Capture(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitUntilReadyAsync(timeout ?? TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        }
        catch
        {
            server.Dispose();
            throw;
        }
        return server;
    }

    private void Capture(string? line)
    {
        if (line is null) return;
        lock (_output)
            if (_output.Length < 20_000) _output.AppendLine(line);
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"moto_server exited with code {_process.ExitCode}:\n{Output}");
            try
            {
                using var response = await http.GetAsync(new Uri(Endpoint, "/moto-api/data.json")).ConfigureAwait(false);
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(100).ConfigureAwait(false);
        }
        throw new TimeoutException($"moto_server did not answer on {Endpoint} within {timeout.TotalSeconds} s:\n{Output}");
    }

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException) { }
        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static string? FindOnPath(string name)
        => (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
}
