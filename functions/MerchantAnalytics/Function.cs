using Amazon.DynamoDBv2;
using Functions.Common.DynamoDb;
using Functions.Events;
using Functions.Events.Serialization;
using Functions.Common.Logging;
using Functions.Common.Metrics;
using Functions.Common.Runtime;
using Functions.Common.Streams;

namespace Functions.MerchantAnalytics;

/// <summary>
/// Turns changes of orders, quotes and applications into per-merchant events and daily rollups,
/// each change counted exactly once. Handler: <c>MerchantAnalytics</c> (Program.cs serves <see cref="HandleAsync"/>).
/// </summary>
public sealed class Function
{
    public static readonly StreamBatchNames Names = new(
        Summary: "analytics batch processed", FailedRecord: "record not counted",
        SucceededMetric: AnalyticsMetrics.RecordsCounted, FailedMetric: AnalyticsMetrics.RecordsFailed,
        Counters: [("events_written", AnalyticsMetrics.EventsWritten), ("already_counted", AnalyticsMetrics.AlreadyCounted), ("rollups_updated", null), ("transactions", AnalyticsMetrics.Transactions)]);

    private readonly AnalyticsBatchHandler _handler;
    private readonly StreamBatchProcessor _processor;
    private readonly FunctionEnvironment _environment;
    private readonly StructuredLogger _logger;

    /// <summary>The function's init, from the environment the template sets (Program.cs).</summary>
    public Function()
        : this(FunctionEnvironment.FromEnvironment("merchant-analytics"), DynamoDbClients.Create(), null)
    {
    }

    public Function(FunctionEnvironment environment, IAmazonDynamoDB dynamoDb, StructuredLogger? logger, RetryPolicy? retry = null)
    {
        _environment = environment;
        _logger = logger ?? StructuredLogger.ForLambda(environment.ServiceName);
        _handler = new AnalyticsBatchHandler(environment.TablePrefix, dynamoDb, retry ?? new RetryPolicy());
        _processor = new StreamBatchProcessor(_logger, new EmfMetrics(_logger, environment.MetricsNamespace, environment.EnvironmentName), Names);
    }

    /// <summary>The handler the runtime loop calls: the stream event in, the partial batch response out.</summary>
    public async Task<Stream> HandleAsync(Stream input, LambdaInvocation invocation)
    {
        var response = await ProcessAsync(input, invocation).ConfigureAwait(false);
        return LambdaPayload.Serialize(response, LambdaJsonContext.Default.StreamsEventResponse);
    }

    public async Task<StreamsEventResponse> ProcessAsync(Stream input, LambdaInvocation invocation)
    {
        _logger.StartInvocation(invocation);
        using var deadline = InvocationDeadline.Until(invocation.Deadline, _logger.Clock);
        return await _processor.ProcessAsync(input, _handler, deadline, ("analytics_table", _handler.AnalyticsTable)).ConfigureAwait(false);
    }
}
