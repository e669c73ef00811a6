using System.Text.Json;

namespace Functions.DevKit;

/// <summary>A metric a dashboard of the template graphs: its namespace, name and dimensions.</summary>
public sealed record DashboardMetric(string Dashboard, string Namespace, string Name, IReadOnlyDictionary<string, string> Dimensions);

/// <summary>The AWS::CloudWatch::Dashboard resources of the template, their bodies resolved for one environment.</summary>
public static class DashboardDefinition
{
    /// <summary>Every metric of every metric widget: <c>[Namespace, MetricName, Dimension, Value, ..., {options}]</c>.</summary>
    public static IReadOnlyList<DashboardMetric> Metrics(TemplateContext context)
    {
        var metrics = new List<DashboardMetric>();
        foreach (var id in context.Template.ResourcesOfType("AWS::CloudWatch::Dashboard"))
        {
            using var body = JsonDocument.Parse(context.ResolveString(context.Template.ResourceProperty(id, "DashboardBody"), $"{id}.DashboardBody"));
            foreach (var widget in body.RootElement.GetProperty("widgets").EnumerateArray().Where(w => w.GetProperty("type").GetString() == "metric"))
                foreach (var entry in widget.GetProperty("properties").GetProperty("metrics").EnumerateArray())
                {
                    var names = entry.EnumerateArray().TakeWhile(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList();
                    if (names.Count < 2 || names.Count % 2 != 0)
                        throw new TemplateException($"{id}: {entry} is not [Namespace, MetricName, Dimension, Value, ...].");
                    var dimensions = Enumerable.Range(1, names.Count / 2 - 1).ToDictionary(i => names[2 * i], i => names[2 * i + 1], StringComparer.Ordinal);
                    metrics.Add(new DashboardMetric(id, names[0], names[1], dimensions));
                }
        }
        return metrics;
    }
}
