using System.Diagnostics;
using System.Globalization;
using Functions.DevKit;

namespace Functions.Bench;

/// <summary>
/// Cold start of the audit trail, from process start to its first handled event (one INSERT,
/// written to DynamoDB Local), as the Makefile packages it but for linux-x64 (this machine
/// cannot run arm64 code): published plain and with ReadyToRun, each run by ColdStartHost, a
/// stand-in for Lambda's managed runtime, with the package's own deps.json and runtimeconfig.json.
/// The full run also hands the ReadyToRun package a 100- and a 1,000-record batch and reports its
/// processor time and peak memory, what the template's MemorySize is chosen from.
/// </summary>
public static class ColdStartScenario
{
    public sealed record Result(double PlainMs, double? ReadyToRunMs, Warm? Warm);

    /// <summary>A warm invocation's processor time and the process's peak working set after it, for 100 and 1,000 records.</summary>
    public sealed record Warm(double Cpu100Ms, long Peak100Bytes, double Cpu1000Ms, long Peak1000Bytes);

    private const string Handler = "AuditTrail::Functions.AuditTrail.Function::FunctionHandler";

    public static async Task<Result> RunAsync(BenchEnvironment env, ResultTable table)
    {
        var repo = RepoLayout.Find(AppContext.BaseDirectory);
        var work = Directory.CreateTempSubdirectory("bench-cold-start-").FullName;
        try
        {
            // --quick: a copy of the build output (a plain package), no publish: CI keeps the path working in seconds.
            var plain = env.Options.Quick
                ? CopyOf(Path.GetDirectoryName(repo.FunctionAssembly("AuditTrail"))!, Path.Combine(work, "plain"))
                : await PublishAsync(repo, Path.Combine(work, "plain"), readyToRun: false).ConfigureAwait(false);
            var readyToRun = env.Options.Quick ? null : await PublishAsync(repo, Path.Combine(work, "r2r"), readyToRun: true).ConfigureAwait(false);

            var app = BenchEnvironment.NewApp("cold");
            await env.CreateTablesAsync(app, "AuditTable").ConfigureAwait(false);
            var variables = new Dictionary<string, string?>(env.Function(app, "AuditTrailFunction").Environment.ToDictionary(v => v.Key, v => (string?)v.Value))
            {
                ["AWS_ACCESS_KEY_ID"] = "test",
                ["AWS_SECRET_ACCESS_KEY"] = "test",
                ["AWS_REGION"] = BenchClients.Region,
                ["AWS_ENDPOINT_URL_DYNAMODB"] = env.DirectEndpoint.ToString().TrimEnd('/'),
                ["AWS_LAMBDA_FUNCTION_NAME"] = $"{app}-dev-audit-trail",
                ["AWS_PROFILE"] = null,
            };
            var insert = Path.Combine(work, "insert.json");
            await File.WriteAllTextAsync(insert, (await File.ReadAllTextAsync(Path.Combine(repo.EventsDirectory, "orders-insert.json")).ConfigureAwait(false))
                .Replace("maip-dev-", $"{app}-dev-", StringComparison.Ordinal)).ConfigureAwait(false);

            var plainRuns = new List<double>();
            var readyToRunRuns = new List<double>();
            var runs = env.Options.Quick ? 1 : 7;
            for (var i = 0; i < runs; i++)
            {
                plainRuns.Add((await RunHostAsync(plain, variables, insert).ConfigureAwait(false)).FirstMs);
                if (readyToRun is not null) readyToRunRuns.Add((await RunHostAsync(readyToRun, variables, insert).ConfigureAwait(false)).FirstMs);
            }

            Warm? warm = null;
            if (readyToRun is not null)
            {
                var batch100 = Path.Combine(work, "batch100.json");
                var batch1000 = Path.Combine(work, "batch1000.json");
                await File.WriteAllBytesAsync(batch100, BenchEnvironment.PaidOrders(app, 100)).ConfigureAwait(false);
                await File.WriteAllBytesAsync(batch1000, BenchEnvironment.PaidOrders(app, 1000)).ConfigureAwait(false);
                // The 100-record batch twice: the second is a warm invocation's processor time.
                // Each size several times: the first ones still compile hot methods at tier 1.
                string[] events = [insert, .. Enumerable.Repeat(batch100, 8), .. Enumerable.Repeat(batch1000, 4)];
                var lines = (await RunHostAsync(readyToRun, variables, events).ConfigureAwait(false)).Lines;
                warm = new Warm(Stats.Median(lines.Skip(4).Take(5).Select(l => l.CpuMs)), lines[8].PeakBytes,
                    Stats.Median(lines.Skip(10).Take(3).Select(l => l.CpuMs)), lines[12].PeakBytes);
            }

            var result = new Result(Stats.Median(plainRuns), readyToRunRuns.Count > 0 ? Stats.Median(readyToRunRuns) : null, warm);
            table.Row("cold start to first handled event (audit trail, linux-x64)",
                result.ReadyToRunMs is { } r2r ? ResultTable.F("{0} · ReadyToRun", ResultTable.Ms(r2r)) : "not run (--quick)",
                ResultTable.F("{0} · plain", ResultTable.Ms(result.PlainMs)),
                result.ReadyToRunMs is { } r ? ResultTable.Ratio(r, result.PlainMs) : "-");
            return result;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task<string> PublishAsync(RepoLayout repo, string output, bool readyToRun)
    {
        Console.Error.WriteLine($"  publishing the audit trail for linux-x64{(readyToRun ? " with ReadyToRun" : "")}...");
        var info = new ProcessStartInfo(Dotnet()) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = repo.Root };
        foreach (var arg in new[]
                 {
                     "publish", Path.Combine("functions", "AuditTrail", "AuditTrail.csproj"), "-c", "Release", "-r", "linux-x64",
                     "--self-contained", "false", $"-p:PublishReadyToRun={readyToRun.ToString().ToLowerInvariant()}", "-o", output, "-nologo",
                 })
            info.ArgumentList.Add(arg);
        var (exitCode, stdout, stderr) = await RunAsync(info, TimeSpan.FromMinutes(10)).ConfigureAwait(false);
        if (exitCode != 0) throw new InvalidOperationException($"dotnet publish failed ({exitCode}):\n{stdout}\n{stderr}");
        // Else the comparison would be of two plain packages.
        var notPrecompiled = Directory.GetFiles(output, "*.dll").Where(dll => IsReadyToRun(dll) != readyToRun).ToList();
        if (notPrecompiled.Count > 0)
            throw new InvalidOperationException($"Published {(readyToRun ? "with" : "without")} ReadyToRun, yet {string.Join(", ", notPrecompiled.Select(Path.GetFileName))} {(readyToRun ? "lack" : "carry")} its native code.");
        return output;
    }

    /// <summary>Whether an assembly carries ReadyToRun code: a managed native header in its CLI header.</summary>
    public static bool IsReadyToRun(string assembly)
    {
        using var pe = new System.Reflection.PortableExecutable.PEReader(File.OpenRead(assembly));
        return pe.PEHeaders.CorHeader?.ManagedNativeHeaderDirectory.Size > 0;
    }

    private static string CopyOf(string folder, string copy)
    {
        Directory.CreateDirectory(copy);
        foreach (var file in Directory.GetFiles(folder)) File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        return copy;
    }

    private sealed record HandledLine(double AtMs, double CpuMs, long PeakBytes);

    /// <summary>Runs the host on a package; the time of its first "handled" line counts from just before the process starts.</summary>
    private static async Task<(double FirstMs, List<HandledLine> Lines)> RunHostAsync(string package, Dictionary<string, string?> variables, params string[] events)
    {
        File.Copy(Path.Combine(AppContext.BaseDirectory, "ColdStartHost.dll"), Path.Combine(package, "ColdStartHost.dll"), overwrite: true);
        var info = new ProcessStartInfo(Dotnet()) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = package };
        foreach (var arg in new[] { "exec", "--depsfile", "AuditTrail.deps.json", "--runtimeconfig", "AuditTrail.runtimeconfig.json", "ColdStartHost.dll", Handler })
            info.ArgumentList.Add(arg);
        foreach (var file in events) info.ArgumentList.Add(file);
        foreach (var (name, value) in variables) info.Environment[name] = value;

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info) ?? throw new InvalidOperationException("ColdStartHost did not start.");
        var stderr = process.StandardError.ReadToEndAsync();
        var lines = new List<HandledLine>();
        while (await process.StandardOutput.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            var at = clock.Elapsed.TotalMilliseconds;
            if (!line.StartsWith("handled ", StringComparison.Ordinal)) continue;
            var fields = line.Split(' ');
            lines.Add(new HandledLine(at, double.Parse(fields[2], CultureInfo.InvariantCulture), long.Parse(fields[3], CultureInfo.InvariantCulture)));
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        if (process.ExitCode != 0 || lines.Count != events.Length)
            throw new InvalidOperationException($"ColdStartHost failed ({process.ExitCode}) after {lines.Count} of {events.Length} events:\n{await stderr.ConfigureAwait(false)}");
        return (lines[0].AtMs, lines);
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(ProcessStartInfo info, TimeSpan timeout)
    {
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{info.FileName} did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cancel.Token).ConfigureAwait(false);
        return (process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    private static string Dotnet() => LocalServer.FindOnPath("dotnet") ?? "dotnet";
}
