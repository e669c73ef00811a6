using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Functions.Bench;

/// <summary>The bench's output: one Markdown table, then what it was measured on and how.</summary>
public sealed class ResultTable
{
    private readonly List<(string Scenario, string Ours, string Peer, string Ratio, string Floor)> _rows = [];
    private readonly List<string> _notes = [];

    public void Row(string scenario, string ours, string peer = "-", string ratio = "-", string floor = "-")
    {
        _rows.Add((scenario, ours, peer, ratio, floor));
        Console.Error.WriteLine($"  {scenario}: {ours} | {peer} | {ratio} | {floor}");
    }

    public void Note(string note) => _notes.Add(note);

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine("| scenario | ours | peer | ratio | floor |");
        text.AppendLine("|---|---:|---:|---:|---:|");
        foreach (var (scenario, ours, peer, ratio, floor) in _rows)
            text.AppendLine(CultureInfo.InvariantCulture, $"| {scenario} | {ours} | {peer} | {ratio} | {floor} |");
        text.AppendLine();
        foreach (var note in _notes) text.AppendLine(CultureInfo.InvariantCulture, $"- {note}");
        return text.ToString();
    }

    public static string Ms(double ms) => ms >= 100 ? F("{0:N0} ms", ms) : F("{0:0.0} ms", ms);

    /// <summary>A wall time and the requests it took: "738 ms · 40 BatchWriteItem".</summary>
    public static string Ms(double ms, int requests, string what) => F("{0} · {1:N0} {2}", Ms(ms), requests, what);

    public static string Ratio(double ours, double peer) => F("{0:0.00}x", ours / peer);

    public static string F(string format, params object?[] args) => string.Format(CultureInfo.InvariantCulture, format, args);

    /// <summary>Date, processor, cores and runtime: where a figure of the table comes from.</summary>
    public static string Machine()
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
        return F("{0:yyyy-MM-dd HH:mm} UTC, {1}, {2} cores ({3}), load average {4} at the end, {5}, {6}",
            DateTime.UtcNow, cpu ?? RuntimeInformation.ProcessArchitecture.ToString(), Environment.ProcessorCount,
            RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant(), load, RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription);
    }
}
