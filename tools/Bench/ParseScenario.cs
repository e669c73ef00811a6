using System.Diagnostics;
using System.Text.Json;
using Functions.Events.Serialization;

namespace Functions.Bench;

/// <summary>
/// Parsing a stream event of realistic orders (1 to 3 KB items, both images) as the runtime hands
/// it over (a MemoryStream that does not expose its buffer), against the floor: a bare
/// Utf8JsonReader pass over the same bytes, which builds nothing and checks nothing. Parses run
/// back to back and the time is their mean, so each pays its share of collecting the garbage of
/// those before it, as a warm function's invocations do.
/// </summary>
public static class ParseScenario
{
    public static void Run(ResultTable table, BenchOptions options)
    {
        foreach (var records in new[] { 100, 1000 })
        {
            var json = BenchEnvironment.PaidOrders("maip", records);
            var iterations = options.Quick ? 3 : records == 100 ? 60 : 25;
            // Warm up: tiered compilation rejits hot methods after 30 calls, in the background,
            // once no new method has run for a while; a warm function's invocations run that code.
            for (var i = 0; i < (options.Quick ? 3 : 200); i++)
            {
                Ours(json);
                Floor(json);
            }
            if (!options.Quick) Thread.Sleep(500);
            GC.Collect(); // from here on, memory the collector has had back: a warm process's

            var ours = new List<double>();
            var floor = new List<double>();
            long allocated = 0;
            for (var i = 0; i < iterations; i++)
            {
                var before = GC.GetAllocatedBytesForCurrentThread();
                var clock = Stopwatch.StartNew();
                var entries = Ours(json);
                ours.Add(clock.Elapsed.TotalMilliseconds);
                allocated += GC.GetAllocatedBytesForCurrentThread() - before;
                if (entries.Count != records || entries.Any(e => !e.IsValid)) throw new InvalidOperationException("The parse bench's event did not parse whole.");

                clock.Restart();
                Floor(json);
                floor.Add(clock.Elapsed.TotalMilliseconds);
            }
            var oursMs = ours.Average();
            var floorMs = floor.Average();
            table.Row($"parse {records:N0} records ({json.Length / 1024:N0} KB)",
                ResultTable.F("{0} · {1:N1} KB/record", ResultTable.Ms(oursMs), allocated / (double)iterations / records / 1024),
                ratio: ResultTable.F("{0:0.0}x floor", oursMs / floorMs),
                floor: ResultTable.Ms(floorMs));
        }
    }

    private static IReadOnlyList<StreamBatchEntry> Ours(byte[] json)
        => StreamBatch.ReadAsync(new MemoryStream(json)).GetAwaiter().GetResult();

    private static int Floor(byte[] json)
    {
        var reader = new Utf8JsonReader(json);
        var tokens = 0;
        while (reader.Read()) tokens++;
        return tokens;
    }
}
