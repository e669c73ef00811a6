using System.Diagnostics;
using System.Globalization;
using Functions.DevKit;

namespace Functions.Bench;

/// <summary>
/// Cold start of the audit trail as Lambda starts it: its package (the Makefile's, for linux-x64:
/// this machine cannot run arm64 code) as a process behind the local Runtime API, from process
/// start to its first answer (one INSERT written to DynamoDB Local). Published with ReadyToRun
/// (as deployed) and plain; and the same ReadyToRun package run by ColdStartHost, which calls the
/// handler in-process with no Runtime API (the class-library model of before): what the
/// program's own Runtime API client costs. The full run also hands the ReadyToRun process 100-
/// and 1,000-record batches, warm, for their processor time and peak memory (MemorySize).
/// </summary>
public static class ColdStartScenario
{
    public sealed record Result(double PlainMs, double? ReadyToRunMs, double? InProcessMs, Warm? Warm);

    /// <summary>A warm invocation's processor time and the process's peak working set after it, for 100 and 1,000 records.</summary>
    public sealed record Warm(double Cpu100Ms, long Peak100Bytes, double Cpu1000Ms, long Peak1000Bytes);

    private const string LogicalId = "AuditTrailFunction";
    private const string InProcessFunction = "AuditTrail::Functions.AuditTrail.Function";

    public static async Task<Result> RunAsync(BenchEnvironment env, ResultTable table)
    {
        var repo = RepoLayout.Find(AppContext.BaseDirectory);
        var work = Directory.CreateTempSubdirectory("bench-cold-start-").FullName;
        try
        {
            var app = BenchEnvironment.NewApp("cold");
            await env.CreateTablesAsync(app, "AuditTable").ConfigureAwait(false);
            var function = env.Function(app, LogicalId);
            // --quick: the build output (a plain package), no publish: CI keeps the path working in seconds.
            var plain = env.Options.Quick
                ? FunctionPackage.BuildOutput(repo, function)
                : await PublishAsync(repo, function, Path.Combine(work, "plain"), readyToRun: false).ConfigureAwait(false);
            var readyToRun = env.Options.Quick ? null : await PublishAsync(repo, function, Path.Combine(work, "r2r"), readyToRun: true).ConfigureAwait(false);

            var variables = new Dictionary<string, string?>
            {
                ["AWS_ACCESS_KEY_ID"] = "test",
                ["AWS_SECRET_ACCESS_KEY"] = "test",
                ["AWS_ENDPOINT_URL_DYNAMODB"] = env.DirectEndpoint.ToString().TrimEnd('/'),
                ["AWS_PROFILE"] = null,
            };
            var insert = Path.Combine(work, "insert.json");
            await File.WriteAllTextAsync(insert, (await File.ReadAllTextAsync(Path.Combine(repo.EventsDirectory, "orders-insert.json")).ConfigureAwait(false))
                .Replace("maip-dev-", $"{app}-dev-", StringComparison.Ordinal)).ConfigureAwait(false);

            var (plainRuns, readyToRunRuns, inProcessRuns) = (new List<double>(), new List<double>(), new List<double>());
            for (var i = 0; i < (env.Options.Quick ? 1 : 7); i++)
            {
                plainRuns.Add(await ColdAsync(plain, function, variables, insert).ConfigureAwait(false));
                if (readyToRun is null) continue;
                readyToRunRuns.Add(await ColdAsync(readyToRun, function, variables, insert).ConfigureAwait(false));
                inProcessRuns.Add((await RunHostAsync(readyToRun, function, variables, insert).ConfigureAwait(false)).FirstMs);
            }
            var warm = readyToRun is null ? null : await WarmAsync(readyToRun, function, variables, app, work, insert).ConfigureAwait(false);

            var result = new Result(Stats.Median(plainRuns), Median(readyToRunRuns), Median(inProcessRuns), warm);
            table.Row("cold start to first answer over the Runtime API (audit trail, linux-x64)",
                result.ReadyToRunMs is { } r2r ? ResultTable.F("{0} · ReadyToRun", ResultTable.Ms(r2r)) : "not run (--quick)",
                ResultTable.F("{0} · plain", ResultTable.Ms(result.PlainMs)),
                result.ReadyToRunMs is { } r ? ResultTable.Ratio(r, result.PlainMs) : "-");
            if (result.ReadyToRunMs is { } ours && result.InProcessMs is { } inProcess)
                table.Row("cold start, its own Runtime API client against the handler called in-process (ReadyToRun)",
                    ResultTable.F("{0} · Runtime API", ResultTable.Ms(ours)), ResultTable.F("{0} · in-process", ResultTable.Ms(inProcess)),
                    ResultTable.Ratio(ours, inProcess));
            return result;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static double? Median(List<double> runs) => runs.Count > 0 ? Stats.Median(runs) : null;

    private static async Task<FunctionPackage> PublishAsync(RepoLayout repo, FunctionDefinition function, string folder, bool readyToRun)
    {
        Console.Error.WriteLine($"  publishing the audit trail for linux-x64{(readyToRun ? " with ReadyToRun" : "")}...");
        await PackageBuild.MakeAsync(repo, LogicalId, folder, PackageBuild.LocalRuntime, readyToRun ? PackageFlavor.ReadyToRun : PackageFlavor.Plain).ConfigureAwait(false);
        // Else the comparison would be of two plain packages.
        var notPrecompiled = Directory.GetFiles(folder, "*.dll").Where(dll => IsReadyToRun(dll) != readyToRun).ToList();
        if (notPrecompiled.Count > 0)
            throw new InvalidOperationException($"Published {(readyToRun ? "with" : "without")} ReadyToRun, yet {string.Join(", ", notPrecompiled.Select(Path.GetFileName))} {(readyToRun ? "lack" : "carry")} its native code.");
        return FunctionPackage.At(folder, function.Handler);
    }

    /// <summary>Whether an assembly carries ReadyToRun code: a managed native header in its CLI header.</summary>
    public static bool IsReadyToRun(string assembly)
    {
        using var pe = new System.Reflection.PortableExecutable.PEReader(File.OpenRead(assembly));
        return pe.PEHeaders.CorHeader?.ManagedNativeHeaderDirectory.Size > 0;
    }

    /// <summary>A new process of the package, from its start to its first answer over the Runtime API.</summary>
    private static async Task<double> ColdAsync(FunctionPackage package, FunctionDefinition function, Dictionary<string, string?> variables, string insert)
    {
        await using var lambda = new LocalLambda(package, function, BenchClients.Region, variables);
        var result = await lambda.InvokeAsync(await File.ReadAllBytesAsync(insert).ConfigureAwait(false)).ConfigureAwait(false);
        if (result.Error is { } error || result.Json().GetProperty("batchItemFailures").GetArrayLength() > 0)
            throw new InvalidOperationException($"The cold start's event was not written: {result.Error?.ErrorMessage}\n{string.Join('\n', result.Output)}");
        return (result.InitDuration + result.Duration).TotalMilliseconds;
    }

    /// <summary>
    /// The warm process: the 100-record batch 8 times, then the 1,000-record one 4 times (the first
    /// ones still compile hot methods at tier 1): each one's processor time and the peak working
    /// set after it, read from /proc as Lambda's own report reads them.
    /// </summary>
    private static async Task<Warm> WarmAsync(FunctionPackage package, FunctionDefinition function, Dictionary<string, string?> variables,
        string app, string work, string insert)
    {
        var batch100 = Path.Combine(work, "batch100.json");
        var batch1000 = Path.Combine(work, "batch1000.json");
        await File.WriteAllBytesAsync(batch100, BenchEnvironment.PaidOrders(app, 100)).ConfigureAwait(false);
        await File.WriteAllBytesAsync(batch1000, BenchEnvironment.PaidOrders(app, 1000)).ConfigureAwait(false);
        await using var lambda = new LocalLambda(package, function, BenchClients.Region, variables);
        var lines = new List<(double CpuMs, long PeakBytes)>();
        foreach (var file in new[] { insert }.Concat(Enumerable.Repeat(batch100, 8)).Concat(Enumerable.Repeat(batch1000, 4)))
        {
            var payload = await File.ReadAllBytesAsync(file).ConfigureAwait(false);
            var before = ProcessorTime(lambda.ProcessId);
            var result = await lambda.InvokeAsync(payload).ConfigureAwait(false);
            if (result.Error is { } error) throw new InvalidOperationException($"A warm batch failed: {error.ErrorType}: {error.ErrorMessage}");
            using var process = Process.GetProcessById(lambda.ProcessId!.Value);
            lines.Add(((process.TotalProcessorTime - before).TotalMilliseconds, process.PeakWorkingSet64));
        }
        return new Warm(Stats.Median(lines.Skip(4).Take(5).Select(l => l.CpuMs)), lines[8].PeakBytes,
            Stats.Median(lines.Skip(10).Take(3).Select(l => l.CpuMs)), lines[12].PeakBytes);
    }

    private static TimeSpan ProcessorTime(int? pid)
    {
        if (pid is null) return TimeSpan.Zero;
        using var process = Process.GetProcessById(pid.Value);
        return process.TotalProcessorTime;
    }

    private sealed record HandledLine(double AtMs, double CpuMs, long PeakBytes);

    /// <summary>ColdStartHost on the package: the time of its first "handled" line counts from just before the process starts.</summary>
    private static async Task<(double FirstMs, List<HandledLine> Lines)> RunHostAsync(FunctionPackage package, FunctionDefinition function,
        Dictionary<string, string?> variables, params string[] events)
    {
        File.Copy(Path.Combine(AppContext.BaseDirectory, "ColdStartHost.dll"), Path.Combine(package.TaskRoot, "ColdStartHost.dll"), overwrite: true);
        var info = new ProcessStartInfo(FunctionPackage.Dotnet()) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = package.TaskRoot };
        foreach (var arg in new[] { "exec", "--depsfile", $"{function.Handler}.deps.json", "--runtimeconfig", $"{function.Handler}.runtimeconfig.json", "ColdStartHost.dll", InProcessFunction, "audit-trail" })
            info.ArgumentList.Add(arg);
        foreach (var file in events) info.ArgumentList.Add(file);
        foreach (var (name, value) in function.Environment) info.Environment[name] = value;
        foreach (var (name, value) in variables) info.Environment[name] = value;
        info.Environment["AWS_REGION"] = BenchClients.Region;
        info.Environment["AWS_LAMBDA_FUNCTION_NAME"] = function.FunctionName;
        info.Environment["LOG_SINK"] = null;

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
}
