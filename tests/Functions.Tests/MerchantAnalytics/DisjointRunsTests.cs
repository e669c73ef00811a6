using Functions.MerchantAnalytics;

namespace Functions.Tests;

/// <summary>Transactions at once on different rollups, one at a time on the same: the order units start in, without a clock.</summary>
public class DisjointRunsTests
{
    private sealed class Units(params (string Name, string[] Keys)[] units)
    {
        private readonly Dictionary<string, TaskCompletionSource> _gates = units.ToDictionary(u => u.Name, _ => new TaskCompletionSource());
        private readonly List<string> _started = [];

        public IReadOnlyList<(string Name, string[] Keys)> All => units;

        public List<string> Started
        {
            get { lock (_started) return [.. _started]; }
        }

        public Task Work((string Name, string[] Keys) unit)
        {
            lock (_started) _started.Add(unit.Name);
            return _gates[unit.Name].Task;
        }

        public void Finish(string name) => _gates[name].SetResult();

        public void Fail(string name) => _gates[name].SetException(new InvalidOperationException(name + " failed"));

        /// <summary>Waits (bounded) until the runner has started this many units: what it starts is asserted, never how fast.</summary>
        public async Task StartedAsync(int count)
        {
            for (var i = 0; i < 5000 && Started.Count < count; i++) await Task.Delay(1);
        }
    }

    [Fact]
    public async Task Units_sharing_a_key_run_one_after_the_other_and_the_rest_go_at_once()
    {
        var units = new Units(("A", ["k1"]), ("B", ["k1", "k2"]), ("C", ["k3"]), ("D", ["k2"]), ("E", ["k4"]));
        var run = DisjointRuns.RunAsync(units.All, u => u.Keys, concurrency: 4, units.Work);

        await units.StartedAsync(4);
        Assert.Equal(["A", "C", "D", "E"], units.Started); // B waits for A (k1)
        units.Finish("A");
        units.Finish("C");
        Assert.Equal(4, units.Started.Count); // and for D (k2)
        units.Finish("D");
        await units.StartedAsync(5);
        Assert.Equal("B", units.Started[^1]);
        units.Finish("B");
        units.Finish("E");
        await run;
    }

    [Fact]
    public async Task No_more_than_the_limit_run_at_once()
    {
        var units = new Units(Enumerable.Range(1, 5).Select(i => ($"U{i}", new[] { $"k{i}" })).ToArray());
        var run = DisjointRuns.RunAsync(units.All, u => u.Keys, concurrency: 2, units.Work);

        await units.StartedAsync(2);
        Assert.Equal(["U1", "U2"], units.Started);
        units.Finish("U2");
        await units.StartedAsync(3);
        Assert.Equal(["U1", "U2", "U3"], units.Started);
        foreach (var name in new[] { "U1", "U3" }) units.Finish(name);
        await units.StartedAsync(5);
        foreach (var name in new[] { "U4", "U5" }) units.Finish(name);
        await run;
    }

    [Fact]
    public async Task After_a_failure_nothing_more_starts_the_running_units_finish_and_the_failure_is_thrown()
    {
        var units = new Units(("A", ["k1"]), ("B", ["k2"]), ("C", ["k1"]));
        var run = DisjointRuns.RunAsync(units.All, u => u.Keys, concurrency: 4, units.Work);

        await units.StartedAsync(2);
        units.Fail("A");
        Assert.False(run.IsCompleted); // B is still running
        units.Finish("B");

        Assert.Equal("A failed", (await Assert.ThrowsAsync<InvalidOperationException>(() => run)).Message);
        Assert.Equal(["A", "B"], units.Started);
    }
}
