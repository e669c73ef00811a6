using BenchmarkDotNet.Running;
using Functions.Bench;

// `dotnet run -c Release --project tools/Bench [-- --quick] [--latency-ms 8] [--rounds 3] [--only parse|audit|analytics|cold-start]`:
// the table (README, Performance). `-- micro [BenchmarkDotNet options]`: the CPU-side micro benchmarks.
if (args is ["micro", .. var rest])
{
    BenchmarkRunner.Run<AuditBatchBenchmarks>(args: rest);
    return 0;
}
var options = BenchOptions.Parse(args);
Console.Error.WriteLine($"bench{(options.Quick ? " --quick" : "")}: {options.RoundTrip.TotalMilliseconds:0} ms round trip, {options.Rounds} round(s)");
Console.WriteLine(await TableBench.RunAsync(options));
return 0;
