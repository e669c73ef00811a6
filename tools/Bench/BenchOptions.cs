namespace Functions.Bench;

/// <summary>The bench's command line.</summary>
public sealed record BenchOptions(bool Quick, TimeSpan RoundTrip, int Rounds, string? Only)
{
    public static readonly string[] Scenarios = ["parse", "audit", "analytics", "cold-start"];

    public static BenchOptions Parse(string[] args)
    {
        var quick = args.Contains("--quick");
        var latency = Value(args, "--latency-ms") ?? 8;
        var rounds = Value(args, "--rounds") ?? (quick ? 1 : 3);
        var only = Array.IndexOf(args, "--only") is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        if (only is not null && !Scenarios.Contains(only))
            throw new ArgumentException($"--only takes one of {string.Join(", ", Scenarios)}.");
        return new BenchOptions(quick, TimeSpan.FromMilliseconds(latency), rounds, only);
    }

    public bool Runs(string scenario) => Only is null || Only == scenario;

    private static int? Value(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture, out var value) && value >= 0
            ? value
            : i >= 0 ? throw new ArgumentException($"{name} takes a whole number.") : null;
    }
}
