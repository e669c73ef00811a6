using Amazon.DynamoDBv2;
using Functions.Common.DynamoDb;
using Functions.Events;
using Functions.Events.Serialization;
using Functions.Common.Logging;
using Functions.Common.Metrics;
using Functions.Common.Runtime;
using Functions.Common.Streams;
using Functions.Common.Tables;

namespace Functions.AuditTrail;

/// <summary>
/// Turns every change on the business tables' streams into one item of the audit table.
/// Handler: <c>AuditTrail</c> (Program.cs serves <see cref="HandleAsync"/>).
/// </summary>
public sealed class Function
{
    public static readonly StreamBatchNames Names = new(
        Summary: "audit batch processed", FailedRecord: "record not audited",
        SucceededMetric: AuditMetrics.RecordsAudited, FailedMetric: AuditMetrics.RecordsFailed);

    private readonly AuditBatchHandler _handler;
    private readonly StreamBatchProcessor _processor;
    private readonly FunctionEnvironment _environment;
    private readonly AuditTrailSettings _settings;
    private readonly StructuredLogger _logger;

    /// <summary>The function's init, from the environment the template sets (Program.cs).</summary>
    public Function()
        : this(FunctionEnvironment.FromEnvironment("audit-trail"), AuditTrailSettings.FromEnvironment(), DynamoDbClients.Create(), null)
    {
    }

    public Function(FunctionEnvironment environment, AuditTrailSettings settings, IAmazonDynamoDB dynamoDb, StructuredLogger? logger, RetryPolicy? retry = null)
    {
        _environment = environment;
        _settings = settings;
        _logger = logger ?? StructuredLogger.ForLambda(environment.ServiceName);
        _handler = new AuditBatchHandler(settings, new BatchWriter(dynamoDb, retry));
        _processor = new StreamBatchProcessor(_logger, new EmfMetrics(_logger, environment.MetricsNamespace, environment.EnvironmentName), Names);
        WarnAboutUnredactableKeys();
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
        return await _processor.ProcessAsync(input, _handler, deadline, ("audit_table", _settings.AuditTableName)).ConfigureAwait(false);
    }

    private void WarnAboutUnredactableKeys()
    {
        var keys = TableCatalog.Business
            .SelectMany(t => new[] { (Attribute: t.PartitionKey, Table: t.Suffix), (Attribute: t.SortKey, Table: t.Suffix) })
            .Where(k => _settings.RedactAttributes.Contains(k.Attribute))
            .Select(k => $"{k.Attribute} ({k.Table})")
            .ToArray();
        if (keys.Length > 0)
            _logger.Warn("REDACT_ATTRIBUTES names key attributes: they identify the entity and stay readable at the top level of that table's images",
                ("key_attributes", keys));
    }
}
