using System.Text;
using System.Text.Json;

namespace Functions.IntegrationTests;

/// <summary>A function's log sink in a test: its structured lines and its EMF metric records.</summary>
internal sealed class LogCapture
{
    public MemoryStream Sink { get; } = new();

    public void Clear() => Sink.SetLength(0);

    public List<JsonElement> LogLines() => AllLines().Where(l => !l.TryGetProperty("_aws", out _)).ToList();

    /// <summary>The one line with this message.</summary>
    public JsonElement Line(string message) => LogLines().Single(l => l.GetProperty("message").GetString() == message);

    public JsonElement MetricRecord() => AllLines().Single(l => l.TryGetProperty("_aws", out _));

    private List<JsonElement> AllLines()
        => Encoding.UTF8.GetString(Sink.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToList();
}
