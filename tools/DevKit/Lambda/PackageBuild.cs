using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace Functions.DevKit;

/// <summary>How a package is built: what the template deploys, or the JIT builds it is compared with.</summary>
public enum PackageFlavor
{
    /// <summary>One Native AOT executable (the Makefile's default, what the template deploys).</summary>
    NativeAot,
    /// <summary>Framework-dependent, `dotnet exec &lt;Handler&gt;.dll`, its assemblies precompiled (ReadyToRun).</summary>
    ReadyToRun,
    /// <summary>Framework-dependent, IL only: everything compiled by the JIT as it runs.</summary>
    Plain,
}

/// <summary>
/// A function's package as `sam build` makes it: `make build-&lt;LogicalId&gt;` (the Makefile's
/// publish) into a folder. By default for this (x64) machine, as a ReadyToRun JIT build: the
/// quickest to build, for tests and tools; the template deploys the Native AOT build for
/// linux-arm64, which runs here under qemu (<see cref="FunctionPackage.Emulator"/>).
/// </summary>
public static class PackageBuild
{
    public const string LocalRuntime = "linux-x64";
    public const string DeployedRuntime = "linux-arm64";
    private static readonly string[] SharedBuildFiles = ["Makefile", "Directory.Build.props", "Directory.Packages.props"];

    /// <summary>Runs the Makefile's target; its output is in the exception when it fails.</summary>
    public static async Task<string> MakeAsync(RepoLayout repo, string logicalId, string folder, string runtime = LocalRuntime,
        PackageFlavor flavor = PackageFlavor.ReadyToRun)
    {
        var make = LocalServer.FindOnPath("make")
                   ?? throw new InvalidOperationException("make is missing (Debian: apt-get install make): the functions' packages are built by the Makefile, as `sam build` runs it.");
        var info = new ProcessStartInfo(make) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = repo.Root };
        foreach (var arg in new[]
                 {
                     "-s", $"build-{logicalId}", $"ARTIFACTS_DIR={folder}", $"RUNTIME={runtime}",
                     $"BUILD={(flavor == PackageFlavor.NativeAot ? "aot" : "jit")}", $"READY_TO_RUN={(flavor == PackageFlavor.ReadyToRun ? "true" : "false")}",
                 })
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
