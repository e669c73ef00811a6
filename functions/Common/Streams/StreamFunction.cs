using System.Text.Json.Serialization.Metadata;
using Functions.Common.Hosting;
using Functions.Common.Logging;
using Functions.Common.Runtime;
using Functions.Events;
using Functions.Events.Serialization;

namespace Functions.Common.Streams;

/// <summary>
/// A stream function: its record handler and its names, nothing more. Reading the batch,
/// isolating each record's failure, the summary line, the metrics and the partial batch response
/// are <see cref="StreamBatchProcessor"/>'s; the invocation is the host's.
/// </summary>
/// <param name="context">Fields of every summary line (the table written to).</param>
public abstract class StreamFunction<TWork>(FunctionServices services, IStreamRecordHandler<TWork> handler, StreamBatchNames names,
    params LogField[] context) : IFunction<StreamsEventResponse>
    where TWork : class
{
    private readonly StreamBatchProcessor _processor = new(services.Logger, services.Metrics, names);

    public JsonTypeInfo<StreamsEventResponse> ResponseType => LambdaJsonContext.Default.StreamsEventResponse;

    public Task<StreamsEventResponse> RunAsync(ReadOnlyMemory<byte> payload, InvocationDeadline deadline)
        => _processor.ProcessAsync(payload, handler, deadline, context);
}
