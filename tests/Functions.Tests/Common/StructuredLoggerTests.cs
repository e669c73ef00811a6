using System.Text;
using System.Text.Json;
using Functions.Common.Logging;
using Functions.Common.Runtime;

namespace Functions.Tests;

public class StructuredLoggerTests
{
    [Fact]
    public void Each_entry_is_one_json_line_with_the_stable_keys_and_the_callers_fields()
    {
        using var sink = new MemoryStream();
        var logger = new StructuredLogger("audit-trail", sink);
        logger.StartInvocation(new LambdaInvocation("req-1", DateTimeOffset.UnixEpoch, TraceId: "Root=1-5759e988-bd862e3fe1be46a994272793"));
        logger.Warn("record not audited", ("sequence_number", "101"), ("reason", "Unknown attribute type 'Q'"));
        logger.StartInvocation(new LambdaInvocation("req-2", DateTimeOffset.UnixEpoch));
        logger.Info("audit batch processed", ("records", 3), ("duration_ms", 12.34567), ("ok", true));

        var lines = Encoding.UTF8.GetString(sink.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        var first = JsonDocument.Parse(lines[0]).RootElement;
        var second = JsonDocument.Parse(lines[1]).RootElement;
        foreach (var key in new[] { "timestamp", "level", "service", "message", "cold_start" })
            Assert.True(second.TryGetProperty(key, out _), key);
        Assert.Equal("WARN", first.GetProperty("level").GetString());
        Assert.Equal("101", first.GetProperty("sequence_number").GetString());
        Assert.Contains("'Q'", lines[0], StringComparison.Ordinal); // readable, not \u0027
        Assert.Equal("audit-trail", second.GetProperty("service").GetString());
        Assert.Equal(3, second.GetProperty("records").GetInt32());
        Assert.Equal(12.346, second.GetProperty("duration_ms").GetDouble());
        Assert.False(second.GetProperty("cold_start").GetBoolean()); // not the process's first invocation
        // Each line carries its invocation's ids (Powertools' keys); no trace id, no key.
        Assert.Equal("req-1", first.GetProperty("function_request_id").GetString());
        Assert.Equal("Root=1-5759e988-bd862e3fe1be46a994272793", first.GetProperty("xray_trace_id").GetString());
        Assert.Equal("req-2", second.GetProperty("function_request_id").GetString());
        Assert.False(second.TryGetProperty("xray_trace_id", out _));
    }
}
