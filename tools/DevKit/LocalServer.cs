using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Functions.DevKit;

/// <summary>
/// A local AWS engine (moto_server, DynamoDB Local) running as a child process on a free
/// loopback port; its output is kept for the error message when it fails to start.
/// </summary>
public sealed class LocalServer : IDisposable
{
    private readonly Process _process;
    private readonly System.Text.StringBuilder _output = new();

    private LocalServer(string name, Process process, Uri endpoint)
    {
        Name = name;
        _process = process;
        Endpoint = endpoint;
    }

    public string Name { get; }
    public Uri Endpoint { get; }

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>Starts <paramref name="info"/> and waits until <paramref name="isReady"/> answers true.</summary>
    public static async Task<LocalServer> StartAsync(string name, ProcessStartInfo info, int port,
        Func<HttpClient, Uri, Task<bool>> isReady, TimeSpan timeout)
    {
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        var process = Process.Start(info) ?? throw new InvalidOperationException($"{name} did not start.");
        var server = new LocalServer(name, process, new Uri($"http://127.0.0.1:{port}"));
        process.OutputDataReceived += (_, e) => server.Capture(e.Data);
        process.ErrorDataReceived += (_, e) => server.Capture(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitUntilReadyAsync(isReady, timeout).ConfigureAwait(false);
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

    private async Task WaitUntilReadyAsync(Func<HttpClient, Uri, Task<bool>> isReady, TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"{Name} exited with code {_process.ExitCode}:\n{Output}");
            try
            {
                if (await isReady(http, Endpoint).ConfigureAwait(false)) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(100).ConfigureAwait(false);
        }
        throw new TimeoutException($"{Name} did not answer on {Endpoint} within {timeout.TotalSeconds} s:\n{Output}");
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

    public static int FreePort()
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
