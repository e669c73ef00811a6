using System.Text.Json;
using Functions.Common.Runtime;

namespace Functions.Common.Logging;

/// <summary>
/// One JSON object per line with Powertools' stable keys (timestamp, level, service, message,
/// cold_start, function_name, function_version, function_request_id, xray_trace_id) plus the
/// caller's fields.
/// In Lambda it writes to the raw standard output (the runtime's Console wrapper would prefix or
/// re-wrap each line); LOG_SINK=stderr sends it to standard error instead, which LocalInvoke uses
/// to keep standard output for the response payload; LOG_SINK=none drops it (LocalRun's quiet mode).
/// </summary>
public sealed class StructuredLogger
{
    // Log lines are read by people and CloudWatch, never embedded in HTML: keep quotes readable.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private bool _coldStart = true;
    private LambdaInvocation? _invocation;
    private readonly Stream _sink;
    private readonly TimeProvider _clock;
    private readonly ColdStart _process;
    private readonly object _gate = new();

    /// <param name="process">Whose first invocation is the cold start: the process's by default.</param>
    public StructuredLogger(string service, Stream sink, TimeProvider? clock = null, ColdStart? process = null)
    {
        Service = service;
        _sink = sink;
        _clock = clock ?? TimeProvider.System;
        _process = process ?? ColdStart.Process;
    }

    public TimeProvider Clock => _clock;

    public string Service { get; }

    /// <summary>The logger a function uses in Lambda (or under LocalInvoke).</summary>
    public static StructuredLogger ForLambda(string defaultService)
    {
        var service = Environment.GetEnvironmentVariable("SERVICE_NAME") is { Length: > 0 } name ? name : defaultService;
        var sink = Environment.GetEnvironmentVariable("LOG_SINK")?.ToLowerInvariant() switch
        {
            "stderr" => Console.OpenStandardError(),
            "none" => Stream.Null, // LocalRun without --verbose: its story, not the functions' lines
            _ => Console.OpenStandardOutput(),
        };
        return new StructuredLogger(service, sink);
    }

    /// <summary>
    /// Marks the start of an invocation: its lines carry its request and trace ids; every line of
    /// the process's first invocation carries cold_start true, as Powertools does; later ones false.
    /// </summary>
    public void StartInvocation(LambdaInvocation invocation)
    {
        _coldStart = _process.Next();
        _invocation = invocation;
    }

    /// <summary>The invocation under way, whose ids the lines carry.</summary>
    public LambdaInvocation? Invocation => _invocation;

    public bool IsColdStart => _coldStart;

    public void Info(string message, params LogField[] fields) => Write("INFO", message, fields);
    public void Warn(string message, params LogField[] fields) => Write("WARN", message, fields);
    public void Error(string message, params LogField[] fields) => Write("ERROR", message, fields);

    private void Write(string level, string message, LogField[] fields)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("timestamp", _clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteString("level", level);
            json.WriteString("service", Service);
            json.WriteString("message", message);
            json.WriteBoolean("cold_start", _coldStart);
            WriteEnvironment(json, "function_name", "AWS_LAMBDA_FUNCTION_NAME");
            WriteEnvironment(json, "function_version", "AWS_LAMBDA_FUNCTION_VERSION");
            WriteInvocation(json, _invocation);
            foreach (var field in fields) field.WriteTo(json);
            json.WriteEndObject();
        }
        WriteLine(buffer);
    }

    /// <summary>Writes one JSON object the caller built (an EMF record) as a line of the same sink.</summary>
    public void WriteRaw(Action<Utf8JsonWriter> writeObject)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions)) writeObject(json);
        WriteLine(buffer);
    }

    private void WriteLine(MemoryStream buffer)
    {
        buffer.WriteByte((byte)'\n');
        lock (_gate)
        {
            buffer.Position = 0;
            buffer.CopyTo(_sink);
            _sink.Flush(); // writes after the handler returns may be frozen with the sandbox
        }
    }

    /// <summary>The invocation's ids, as Powertools names them (EMF records carry them too).</summary>
    internal static void WriteInvocation(Utf8JsonWriter json, LambdaInvocation? invocation)
    {
        if (invocation is null) return;
        json.WriteString("function_request_id", invocation.RequestId);
        if (invocation.TraceId is { Length: > 0 } trace) json.WriteString("xray_trace_id", trace);
    }

    private static void WriteEnvironment(Utf8JsonWriter json, string key, string variable)
    {
        if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value)
            json.WriteString(key, value);
    }
}
