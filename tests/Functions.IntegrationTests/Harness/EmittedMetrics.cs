namespace Functions.IntegrationTests;

/// <summary>What a function's EMF record must be for the environment's dashboard to show it.</summary>
internal static class EmittedMetrics
{
    /// <summary>
    /// The record carries exactly the names its function declares (its *Metrics.All, which the
    /// deploy rehearsal checks the dashboard against) under the template's namespace, with the
    /// dimensions service and environment set to the function's values; and every suite metric the
    /// dashboard graphs for that service is one of them, with those dimensions.
    /// </summary>
    public static void AssertTheDashboardReadsThem(JsonElement record, string app, string logicalId, IReadOnlyList<string> declared)
    {
        var context = TestTemplate.Context(app);
        var variables = FunctionDefinition.Read(context, logicalId).Environment;
        var (metricsNamespace, service, environment) = (variables["METRICS_NAMESPACE"], variables["SERVICE_NAME"], variables["ENVIRONMENT"]);

        var directive = record.GetProperty("_aws").GetProperty("CloudWatchMetrics").EnumerateArray().Single();
        Assert.Equal(metricsNamespace, directive.GetProperty("Namespace").GetString());
        Assert.Equal(["service", "environment"], directive.GetProperty("Dimensions").EnumerateArray().Single().EnumerateArray().Select(d => d.GetString()));
        Assert.Equal((service, environment), (record.GetProperty("service").GetString(), record.GetProperty("environment").GetString()));
        var emitted = directive.GetProperty("Metrics").EnumerateArray().Select(m => m.GetProperty("Name").GetString()!).ToList();
        Assert.Equal(declared.Order(StringComparer.Ordinal), emitted.Order(StringComparer.Ordinal));

        var shown = DashboardDefinition.Metrics(context).Where(m => m.Namespace == metricsNamespace && m.Dimensions.GetValueOrDefault("service") == service).ToList();
        Assert.NotEmpty(shown);
        Assert.All(shown, m =>
        {
            Assert.Contains(m.Name, emitted);
            Assert.Equal(new Dictionary<string, string> { ["service"] = service, ["environment"] = environment }, m.Dimensions);
        });
    }
}
