using Functions.DevKit;

namespace Functions.Bench;

/// <summary>Every scenario in turn, then the cost per million changes they imply, as one Markdown table.</summary>
public static class TableBench
{
    public static async Task<string> RunAsync(BenchOptions options)
    {
        var table = new ResultTable();
        if (options.Runs("parse")) ParseScenario.Run(table, options);
        if (options.Only == "parse") return table.ToMarkdown();

        using var env = await BenchEnvironment.StartAsync(options).ConfigureAwait(false);
        var roundTrip = await env.MeasuredRoundTripMsAsync().ConfigureAwait(false);
        AuditScenario.Result? audit = null;
        if (options.Runs("audit"))
        {
            audit = await AuditScenario.RunAsync(env, table, 100).ConfigureAwait(false);
            if (!options.Quick) await AuditScenario.RunAsync(env, table, 1000).ConfigureAwait(false);
        }
        var analytics = options.Runs("analytics") ? await AnalyticsScenario.RunAsync(env, table, options.Quick ? 100 : 1000).ConfigureAwait(false) : null;
        var coldStart = options.Runs("cold-start") ? await ColdStartScenario.RunAsync(env, table).ConfigureAwait(false) : null;

        // Lambda bills each invocation's duration (rounded up to the millisecond) times its memory.
        if (audit is not null)
        {
            var memory = env.Function("maip", "AuditTrailFunction").MemorySize;
            table.Row($"Lambda GB-s per million changes, audit (batches of {audit.Records}, {memory} MB)",
                GbSeconds(memory, audit.OursMs, audit.Records), GbSeconds(memory, audit.PeerMs, audit.Records),
                ResultTable.Ratio(Math.Ceiling(audit.OursMs), Math.Ceiling(audit.PeerMs)));
        }
        if (analytics is not null)
        {
            var memory = env.Function("maip", "MerchantAnalyticsFunction").MemorySize;
            table.Row($"Lambda GB-s per million changes, analytics (batches of {analytics.Changes:N0}, {memory} MB)",
                GbSeconds(memory, analytics.OursMs, analytics.Changes), GbSeconds(memory, analytics.PeerMs, analytics.Changes),
                ResultTable.Ratio(Math.Ceiling(analytics.OursMs), Math.Ceiling(analytics.PeerMs)));
        }

        table.Note($"Measured {ResultTable.Machine()}.");
        table.Note(ResultTable.F("DynamoDB Local 3.3.1 behind a loopback proxy adding {0:0} ms per round trip (measured {1:0.0} ms); median of {2} interleaved round(s).",
            options.RoundTrip.TotalMilliseconds, roundTrip, options.Rounds));
        table.Note("parse: a stream event of paid orders (both images, items of 1 to 3 KB) from a MemoryStream, as the runtime hands it over; "
                   + "floor: a bare Utf8JsonReader pass over the same bytes (builds nothing, checks nothing).");
        table.Note("audit peer: the same parsing and audit items, one PutItem per record, one after another; "
                   + "analytics peer: one TransactWriteItems per change (its event put if absent and its rollup's ADD).");
        if (coldStart?.Of(PackageFlavor.NativeAot)?.Warm is { } aot && coldStart.Of(PackageFlavor.ReadyToRun)?.Warm is { } jit)
        {
            // The builds side by side in Lambda's bill: each warm batch's wall time through the
            // Runtime API (DynamoDB Local behind it, no added round trip), and one cold start.
            var memory = env.Function("maip", "AuditTrailFunction").MemorySize;
            table.Row($"Lambda GB-s per million changes by build, audit (warm batches of 100, {memory} MB)",
                ResultTable.F("{0} · Native AOT", GbSeconds(memory, aot.Wall100Ms, 100)), ResultTable.F("{0} · ReadyToRun", GbSeconds(memory, jit.Wall100Ms, 100)),
                ResultTable.Ratio(Math.Ceiling(aot.Wall100Ms), Math.Ceiling(jit.Wall100Ms)));
            table.Row($"Lambda GB-s per million changes by build, audit (warm batches of 1,000, {memory} MB)",
                ResultTable.F("{0} · Native AOT", GbSeconds(memory, aot.Wall1000Ms, 1000)), ResultTable.F("{0} · ReadyToRun", GbSeconds(memory, jit.Wall1000Ms, 1000)),
                ResultTable.Ratio(Math.Ceiling(aot.Wall1000Ms), Math.Ceiling(jit.Wall1000Ms)));
            var (aotCold, jitCold) = (coldStart.Of(PackageFlavor.NativeAot)!.ColdMs, coldStart.Of(PackageFlavor.ReadyToRun)!.ColdMs);
            table.Row($"Lambda GB-s per thousand cold starts, audit ({memory} MB, first answer)",
                ResultTable.F("{0:N2} · Native AOT", memory / 1024.0 * Math.Ceiling(aotCold) / 1000 * 1000), ResultTable.F("{0:N2} · ReadyToRun", memory / 1024.0 * Math.Ceiling(jitCold) / 1000 * 1000),
                ResultTable.Ratio(Math.Ceiling(aotCold), Math.Ceiling(jitCold)));
            table.Note("warm audit batches: medians of 5 (100 records) and 3 (1,000 records) after warm-up, the process's processor time and its peak working set (VmHWM) after them.");
        }
        table.Note("GB-s: the template's MemorySize times the wall time above, billed per started millisecond, at this machine's full CPU "
                   + "(Lambda gives a function of 512 MB about 0.3 of a vCPU, which stretches the processor-bound part).");
        return table.ToMarkdown();
    }

    private static string GbSeconds(int memoryMb, double batchMs, int records)
        => ResultTable.F("{0:N1}", memoryMb / 1024.0 * Math.Ceiling(batchMs) / 1000 * (1_000_000.0 / records));
}
