using System.Diagnostics;
using System.Globalization;
using Functions.DevKit;

namespace Functions.Bench;

/// <summary>
/// The audit trail's package as Lambda starts it, built three ways for this machine (x64; the
/// deployed build is the same Native AOT for arm64): Native AOT (what the template deploys),
/// ReadyToRun and plain JIT builds. Each as a process behind the local Runtime API: from process
/// start to its first answer (one INSERT written to DynamoDB Local), interleaved; the ReadyToRun
/// package also run by ColdStartHost, which calls the handler in-process with no Runtime API (the
/// class-library model of before). Then a warm process of each build gets 100- and 1,000-record
/// batches, the builds in turn: their wall time, processor time and the peak working set after
/// them (MemorySize).
/// --quick: the build output (plain) alone, cold, once: CI keeps the path working in seconds.
/// </summary>
public static class ColdStartScenario
{
    public sealed record Build(PackageFlavor Flavor, double ColdMs, Warm? Warm);

    public sealed record Result(IReadOnlyDictionary<PackageFlavor, Build> Builds, double? InProcessMs)
    {
        public Build? Of(PackageFlavor flavor) => Builds.GetValueOrDefault(flavor);
    }

    /// <summary>A warm invocation's wall time (Lambda's Duration), processor time and the process's peak working set after it, at 100 and 1,000 records.</summary>
    public sealed record Warm(double Wall100Ms, double Cpu100Ms, long Peak100Bytes, double Wall1000Ms, double Cpu1000Ms, long Peak1000Bytes);

    private const string LogicalId = "AuditTrailFunction";
    private const string InProcessFunction = "AuditTrail::Functions.AuditTrail.Function";

    public static string Name(PackageFlavor flavor) => flavor switch
    {
        PackageFlavor.NativeAot => "Native AOT",
        PackageFlavor.ReadyToRun => "ReadyToRun",
        _ => "plain",
    };

    public static async Task<Result> RunAsync(BenchEnvironment env, ResultTable table)
    {
        var repo = RepoLayout.Find(AppContext.BaseDirectory);
        var work = Directory.CreateTempSubdirectory("bench-cold-start-").FullName;
        try
        {
            var app = BenchEnvironment.NewApp("cold");
            await env.CreateTablesAsync(app, "AuditTable").ConfigureAwait(false);
            var function = env.Function(app, LogicalId);
            var packages = new Dictionary<PackageFlavor, FunctionPackage>();
            if (env.Options.Quick)
                packages[PackageFlavor.Plain] = FunctionPackage.BuildOutput(repo, function);
            else
                foreach (var flavor in new[] { PackageFlavor.NativeAot, PackageFlavor.ReadyToRun, PackageFlavor.Plain })
                    packages[flavor] = await PublishAsync(repo, function, Path.Combine(work, flavor.ToString()), flavor).ConfigureAwait(false);

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

            var cold = packages.Keys.ToDictionary(f => f, _ => new List<double>());
            var inProcessRuns = new List<double>();
            for (var i = 0; i < (env.Options.Quick ? 1 : 7); i++)
            {
                foreach (var (flavor, package) in packages)
                    cold[flavor].Add(await ColdAsync(package, function, variables, insert).ConfigureAwait(false));
                if (packages.TryGetValue(PackageFlavor.ReadyToRun, out var r2r))
                    inProcessRuns.Add((await RunHostAsync(r2r, function, variables, insert).ConfigureAwait(false)).FirstMs);
            }
            var warm = env.Options.Quick ? null : await WarmAsync(packages, function, variables, app, work, insert).ConfigureAwait(false);
            var builds = packages.Keys.ToDictionary(f => f, f => new Build(f, Stats.Median(cold[f]), warm?[f]));
            var result = new Result(builds, Median(inProcessRuns));
            Report(result, table);
            return result;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static void Report(Result result, ResultTable table)
    {
        const string Cold = "cold start to first answer over the Runtime API (audit trail, linux-x64)";
        if (result.Of(PackageFlavor.NativeAot) is { } aot && result.Of(PackageFlavor.ReadyToRun) is { } r2r && result.Of(PackageFlavor.Plain) is { } plain)
        {
            table.Row(Cold, ResultTable.F("{0} · Native AOT", ResultTable.Ms(aot.ColdMs)), ResultTable.F("{0} · ReadyToRun", ResultTable.Ms(r2r.ColdMs)),
                ResultTable.Ratio(aot.ColdMs, r2r.ColdMs));
            table.Row(Cold, ResultTable.F("{0} · ReadyToRun", ResultTable.Ms(r2r.ColdMs)), ResultTable.F("{0} · plain", ResultTable.Ms(plain.ColdMs)),
                ResultTable.Ratio(r2r.ColdMs, plain.ColdMs));
            if (result.InProcessMs is { } inProcess)
                table.Row("cold start, its own Runtime API client against the handler called in-process (ReadyToRun)",
                    ResultTable.F("{0} · Runtime API", ResultTable.Ms(r2r.ColdMs)), ResultTable.F("{0} · in-process", ResultTable.Ms(inProcess)),
                    ResultTable.Ratio(r2r.ColdMs, inProcess));
            foreach (var (records, wall, cpu, peak) in new (int, Func<Warm, double>, Func<Warm, double>, Func<Warm, long>)[]
                     {
                         (100, w => w.Wall100Ms, w => w.Cpu100Ms, w => w.Peak100Bytes),
                         (1000, w => w.Wall1000Ms, w => w.Cpu1000Ms, w => w.Peak1000Bytes),
                     })
            {
                string Cell(Build b) => ResultTable.F("{0} · {1} processor · {2:0} MB peak", ResultTable.Ms(wall(b.Warm!)), ResultTable.Ms(cpu(b.Warm!)), peak(b.Warm!) / 1048576.0);
                table.Row(ResultTable.F("warm audit batch of {0:N0} records, Native AOT against the JIT (ReadyToRun)", records),
                    Cell(aot), Cell(r2r), ResultTable.F("{0} wall, {1} processor", ResultTable.Ratio(wall(aot.Warm!), wall(r2r.Warm!)), ResultTable.Ratio(cpu(aot.Warm!), cpu(r2r.Warm!))));
                table.Row(ResultTable.F("warm audit batch of {0:N0} records, plain against ReadyToRun", records),
                    Cell(plain), Cell(r2r), ResultTable.F("{0} wall, {1} processor", ResultTable.Ratio(wall(plain.Warm!), wall(r2r.Warm!)), ResultTable.Ratio(cpu(plain.Warm!), cpu(r2r.Warm!))));
            }
        }
        else
        {
            var only = result.Builds.Values.Single();
            table.Row(Cold, ResultTable.F("{0} · {1} (--quick: the build output alone)", ResultTable.Ms(only.ColdMs), Name(only.Flavor)));
        }
    }

    private static double? Median(List<double> runs) => runs.Count > 0 ? Stats.Median(runs) : null;

    private static async Task<FunctionPackage> PublishAsync(RepoLayout repo, FunctionDefinition function, string folder, PackageFlavor flavor)
    {
        Console.Error.WriteLine($"  publishing the audit trail for linux-x64, {Name(flavor)}...");
        await PackageBuild.MakeAsync(repo, LogicalId, folder, PackageBuild.LocalRuntime, flavor).ConfigureAwait(false);
        var package = FunctionPackage.At(folder, function.Handler);
        if (flavor == PackageFlavor.NativeAot)
        {
            if (!package.IsNative || Directory.GetFiles(folder, "*.dll").Length > 0)
                throw new InvalidOperationException($"Published Native AOT, yet {folder} holds no native {function.Handler} alone.");
            return package;
        }
        // Else the comparison would be of two plain packages.
        var readyToRun = flavor == PackageFlavor.ReadyToRun;
        var notPrecompiled = Directory.GetFiles(folder, "*.dll").Where(dll => IsReadyToRun(dll) != readyToRun).ToList();
        if (notPrecompiled.Count > 0)
            throw new InvalidOperationException($"Published {(readyToRun ? "with" : "without")} ReadyToRun, yet {string.Join(", ", notPrecompiled.Select(Path.GetFileName))} {(readyToRun ? "lack" : "carry")} its native code.");
        return package;
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
    /// A warm process of each build, fed in turn (so DynamoDB Local's own warming up and the
    /// machine's load fall on every build alike): the 100-record batch 8 times, then the
    /// 1,000-record one 4 times (the first ones still compile hot methods at tier 1 in the JIT
    /// builds): each one's wall time (from taking the event to answering it), processor time and
    /// the peak working set after it, read from /proc as Lambda's own report reads them.
    /// </summary>
    private static async Task<Dictionary<PackageFlavor, Warm>> WarmAsync(IReadOnlyDictionary<PackageFlavor, FunctionPackage> packages,
        FunctionDefinition function, Dictionary<string, string?> variables, string app, string work, string insert)
    {
        var batch100 = Path.Combine(work, "batch100.json");
        var batch1000 = Path.Combine(work, "batch1000.json");
        await File.WriteAllBytesAsync(batch100, BenchEnvironment.PaidOrders(app, 100)).ConfigureAwait(false);
        await File.WriteAllBytesAsync(batch1000, BenchEnvironment.PaidOrders(app, 1000)).ConfigureAwait(false);
        var lambdas = packages.ToDictionary(p => p.Key, p => new LocalLambda(p.Value, function, BenchClients.Region, variables));
        try
        {
            var lines = packages.Keys.ToDictionary(f => f, _ => new List<(double WallMs, double CpuMs, long PeakBytes)>());
            foreach (var file in new[] { insert }.Concat(Enumerable.Repeat(batch100, 8)).Concat(Enumerable.Repeat(batch1000, 4)))
            {
                var payload = await File.ReadAllBytesAsync(file).ConfigureAwait(false);
                foreach (var (flavor, lambda) in lambdas)
                {
                    var before = ProcessorTime(lambda.ProcessId);
                    var result = await lambda.InvokeAsync(payload).ConfigureAwait(false);
                    if (result.Error is { } error) throw new InvalidOperationException($"A warm batch failed: {error.ErrorType}: {error.ErrorMessage}");
                    using var process = Process.GetProcessById(lambda.ProcessId!.Value);
                    lines[flavor].Add((result.Duration.TotalMilliseconds, (process.TotalProcessorTime - before).TotalMilliseconds, process.PeakWorkingSet64));
                }
            }
            return lines.ToDictionary(l => l.Key, l => new Warm(
                Stats.Median(l.Value.Skip(4).Take(5).Select(x => x.WallMs)), Stats.Median(l.Value.Skip(4).Take(5).Select(x => x.CpuMs)), l.Value[8].PeakBytes,
                Stats.Median(l.Value.Skip(10).Take(3).Select(x => x.WallMs)), Stats.Median(l.Value.Skip(10).Take(3).Select(x => x.CpuMs)), l.Value[12].PeakBytes));
        }
        finally
        {
            foreach (var lambda in lambdas.Values) await lambda.DisposeAsync().ConfigureAwait(false);
        }
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
