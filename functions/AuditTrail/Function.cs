using Amazon.DynamoDBv2;
using Functions.Common.DynamoDb;
using Functions.Common.Lambda;
using Functions.Common.Logging;

namespace Functions.AuditTrail;

/// <summary>
/// Turns every change on the business tables' streams into one item of the audit table.
/// Handler: <c>AuditTrail::Functions.AuditTrail.Function::FunctionHandler</c>.
/// </summary>
public sealed class Function
{
    private readonly AuditRecordBuilder _builder;
    private readonly BatchWriter _writer;
    private readonly AuditTrailSettings _settings;
    private readonly StructuredLogger _logger;
    private readonly TimeProvider _clock;

    /// <summary>Called once by the Lambda runtime at init.</summary>
    public Function()
        : this(AuditTrailSettings.FromEnvironment(), new AmazonDynamoDBClient(), StructuredLogger.ForLambda("audit-trail"))
    {
    }

    public Function(AuditTrailSettings settings, IAmazonDynamoDB dynamoDb, StructuredLogger logger, TimeProvider? clock = null)
    {
        _settings = settings;
        _builder = new AuditRecordBuilder(settings);
        _writer = new BatchWriter(dynamoDb);
        _logger = logger;
        _clock = clock ?? TimeProvider.System;
    }

    /// <summary>The managed runtime's raw signature: the stream event in, the partial batch response out.</summary>
    public async Task<Stream> FunctionHandler(Stream input)
    {
        var response = await ProcessAsync(input, CancellationToken.None).ConfigureAwait(false);
        return LambdaPayload.Serialize(response, LambdaJsonContext.Default.StreamsEventResponse);
    }

    public async Task<StreamsEventResponse> ProcessAsync(Stream input, CancellationToken cancellationToken)
    {
        var started = _clock.GetTimestamp();
        _logger.StartInvocation();
        var entries = await StreamBatch.ReadAsync(input, cancellationToken).ConfigureAwait(false);

        var failures = new List<PutFailure>();
        var puts = new List<PendingPut>(entries.Count);
        var keys = new HashSet<AuditKey>();
        var reduced = 0;
        foreach (var entry in entries)
        {
            if (entry.Record is null)
            {
                failures.Add(new PutFailure(entry.SequenceNumber, entry.Error!));
                continue;
            }
            try
            {
                var audit = _builder.Build(entry.Record);
                if (audit.Reduction is not null) reduced++;
                // A record delivered twice in one batch maps to the same key; BatchWriteItem refuses duplicates.
                if (keys.Add(audit.Key))
                    puts.Add(new PendingPut(entry.SequenceNumber, AttributeValueMapper.ToSdk(audit.Item)));
            }
            catch (AuditRecordException ex)
            {
                failures.Add(new PutFailure(entry.SequenceNumber, ex.Message));
            }
        }

        var report = await _writer.PutAllAsync(_settings.AuditTableName, AuditKey.Attributes, puts, cancellationToken).ConfigureAwait(false);
        failures.AddRange(report.Failures);

        foreach (var failure in failures)
            _logger.Warn("record not audited", ("sequence_number", failure.Id), ("reason", failure.Reason));
        _logger.Info("audit batch processed",
            ("records", entries.Count),
            ("written", report.Written),
            ("failed", failures.Select(f => f.Id).Distinct().Count()),
            ("images_reduced", reduced),
            ("write_requests", report.Requests),
            ("audit_table", _settings.AuditTableName),
            ("duration_ms", _clock.GetElapsedTime(started).TotalMilliseconds));

        return new StreamsEventResponse
        {
            BatchItemFailures = failures
                .Select(f => f.Id).Distinct()
                .Select(id => new StreamsEventResponse.BatchItemFailure { ItemIdentifier = id })
                .ToList(),
        };
    }
}
