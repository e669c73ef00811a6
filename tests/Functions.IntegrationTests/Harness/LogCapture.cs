namespace Functions.IntegrationTests;

/// <summary>A function's log sink in a test: its structured lines and its EMF metric records.</summary>
internal sealed class LogCapture
{
    public MemoryStream Sink { get; } = new();

    public void Clear() => Sink.SetLength(0);

    public List<JsonElement> LogLines() => AllLines().Where(l => !l.TryGetProperty("_aws", out _)).ToList();

    /// <summary>The one line with this message.</summary>
    public JsonElement Line(string message) => LogLines().Single(l => l.GetProperty("message").GetString() == message);

    public JsonElement MetricRecord() => MetricRecords().Single();

    /// <summary>The CloudWatch Embedded Metric Format records.</summary>
    public List<JsonElement> MetricRecords() => AllLines().Where(l => l.TryGetProperty("_aws", out _)).ToList();

    /// <summary>Every line as written.</summary>
    public string Text() => Encoding.UTF8.GetString(Sink.ToArray());

    private List<JsonElement> AllLines()
        => Text().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToList();
}
