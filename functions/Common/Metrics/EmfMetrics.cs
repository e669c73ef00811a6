using Functions.Common.Logging;

namespace Functions.Common.Metrics;

/// <summary>One metric value of an invocation.</summary>
public readonly record struct Metric(string Name, double Value, string Unit = "Count");

/// <summary>
/// CloudWatch Embedded Metric Format: one JSON line on the log sink per invocation, which
/// CloudWatch Logs turns into metrics with no API call (the registry here has no CloudWatch SDK,
/// and a PutMetricData per invocation would cost time anyway). One namespace for the suite,
/// dimensions <c>service</c> and <c>environment</c>, as Powertools writes them.
/// </summary>
public sealed class EmfMetrics(StructuredLogger logger, string metricsNamespace, string environment)
{
    public string Namespace { get; } = metricsNamespace;

    public void Publish(IReadOnlyList<Metric> metrics)
    {
        if (metrics.Count == 0) return;
        logger.WriteRaw(json =>
        {
            json.WriteStartObject();
            json.WriteStartObject("_aws");
            json.WriteNumber("Timestamp", logger.Clock.GetUtcNow().ToUnixTimeMilliseconds());
            json.WriteStartArray("CloudWatchMetrics");
            json.WriteStartObject();
            json.WriteString(nameof(Namespace), Namespace);
            json.WriteStartArray("Dimensions");
            json.WriteStartArray();
            json.WriteStringValue("service");
            json.WriteStringValue("environment");
            json.WriteEndArray();
            json.WriteEndArray();
            json.WriteStartArray("Metrics");
            foreach (var metric in metrics)
            {
                json.WriteStartObject();
                json.WriteString("Name", metric.Name);
                json.WriteString("Unit", metric.Unit);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteString("service", logger.Service);
            json.WriteString("environment", environment);
            StructuredLogger.WriteInvocation(json, logger.Invocation); // searchable, not dimensions
            foreach (var metric in metrics) json.WriteNumber(metric.Name, metric.Value);
            json.WriteEndObject();
        });
    }
}
