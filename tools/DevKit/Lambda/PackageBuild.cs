using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace Functions.DevKit;

/// <summary>
/// A function's package as `sam build` makes it: `make build-&lt;LogicalId&gt;` (the Makefile's
/// publish) into a folder, for a runtime this machine can run (linux-x64; the template deploys
/// linux-arm64, which an x64 machine cannot start).
/// </summary>
public static class PackageBuild
{
    public const string LocalRuntime = "linux-x64";
    private static readonly string[] SharedBuildFiles = ["Makefile", "Directory.Build.props", "Directory.Packages.props"];

    /// <summary>Runs the Makefile's target; its output is in the exception when it fails.</summary>
    public static async Task<string> MakeAsync(RepoLayout repo, string logicalId, string folder, string runtime = LocalRuntime, bool readyToRun = true)
    {
        var make = LocalServer.FindOnPath("make")
                   ?? throw new InvalidOperationException("make is missing (Debian: apt-get install make): the functions' packages are built by the Makefile, as `sam build` runs it.");
        var info = new ProcessStartInfo(make) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = repo.Root };
        foreach (var arg in new[] { "-s", $"build-{logicalId}", $"ARTIFACTS_DIR={folder}", $"RUNTIME={runtime}", $"READY_TO_RUN={(readyToRun ? "true" : "false")}" })
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("make did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"make build-{logicalId} failed ({process.ExitCode}):\n{await stdout.ConfigureAwait(false)}\n{await stderr.ConfigureAwait(false)}");
        return folder;
    }

    /// <summary>
    /// A digest of what goes into the packages (the functions' sources and project files, the
    /// Makefile, the shared build settings): packages built from the same digest are the same.
    /// </summary>
    public static string SourceDigest(RepoLayout repo)
    {
        var files = Directory.EnumerateFiles(Path.Combine(repo.Root, "functions"), "*", SearchOption.AllDirectories)
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .Concat(SharedBuildFiles.Select(f => Path.Combine(repo.Root, f)))
            .Order(StringComparer.Ordinal);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in files)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(Path.GetRelativePath(repo.Root, file) + "\n"));
            hash.AppendData(File.ReadAllBytes(file));
        }
        return Convert.ToHexString(hash.GetHashAndReset())[..16].ToLowerInvariant();
    }
}
