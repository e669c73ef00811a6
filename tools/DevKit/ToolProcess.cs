using System.Diagnostics;

namespace Functions.DevKit;

/// <summary>Runs one of the repository's built tools (LocalInvoke, LocalRun) as a user would: a separate process.</summary>
public static class ToolProcess
{
    public static string Dll(RepoLayout repo, string tool, string configuration)
        => Path.Combine(repo.Root, "tools", tool, "bin", configuration, "net10.0", tool + ".dll");

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(
        RepoLayout repo, string tool, string configuration, IDictionary<string, string?> environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = repo.Root };
        info.ArgumentList.Add(Dll(repo, tool, configuration));
        foreach (var arg in args) info.ArgumentList.Add(arg);
        foreach (var (name, value) in environment) info.Environment[name] = value;
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{tool} did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        return (process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    /// <summary>Variables that point the AWS SDK of a child process at a moto_server.</summary>
    public static Dictionary<string, string?> MotoEnvironment(Uri endpoint, string region) => new()
    {
        ["AWS_ACCESS_KEY_ID"] = "test",
        ["AWS_SECRET_ACCESS_KEY"] = "test",
        ["AWS_REGION"] = region,
        ["AWS_ENDPOINT_URL_DYNAMODB"] = endpoint.ToString().TrimEnd('/'),
        ["AWS_PROFILE"] = null,
    };
}
