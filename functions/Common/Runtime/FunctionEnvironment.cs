using Functions.Common.Tables;

namespace Functions.Common.Runtime;

/// <summary>
/// What every function of the suite reads from the environment the template sets: which tables
/// are its own and how its logs and metrics are labelled. (Its time comes with each invocation:
/// <see cref="LambdaInvocation.Deadline"/>.)
/// </summary>
public sealed record FunctionEnvironment
{
    public const string DefaultMetricsNamespace = "DynamoDbOps";

    public required TablePrefix TablePrefix { get; init; }
    /// <summary>ENVIRONMENT: dev, staging or prod (a dimension of every metric).</summary>
    public string EnvironmentName { get; init; } = "dev";
    /// <summary>SERVICE_NAME: the <c>service</c> key of logs and the metrics dimension.</summary>
    public required string ServiceName { get; init; }
    /// <summary>METRICS_NAMESPACE: one CloudWatch namespace for the whole suite.</summary>
    public string MetricsNamespace { get; init; } = DefaultMetricsNamespace;
    /// <summary>AWS_LAMBDA_FUNCTION_NAME (Lambda sets it): the actor of the changes a function makes.</summary>
    public string FunctionName { get; init; } = "";

    public static FunctionEnvironment FromEnvironment(string defaultService)
        => From(Environment.GetEnvironmentVariable, defaultService);

    public static FunctionEnvironment From(Func<string, string?> variable, string defaultService)
    {
        var app = Value(variable, "APP_NAME");
        var environment = Value(variable, "ENVIRONMENT");
        var prefix = Value(variable, "TABLE_PREFIX")
                     ?? (app is not null && environment is not null ? $"{app}-{environment}-" : null)
                     ?? throw new InvalidOperationException(
                         "TABLE_PREFIX (or APP_NAME and ENVIRONMENT) is not set: which tables are this environment's, e.g. maip-dev-.");
        return new FunctionEnvironment
        {
            TablePrefix = new TablePrefix(prefix),
            EnvironmentName = environment ?? "dev",
            ServiceName = Value(variable, "SERVICE_NAME") ?? defaultService,
            MetricsNamespace = Value(variable, "METRICS_NAMESPACE") ?? DefaultMetricsNamespace,
            FunctionName = Value(variable, "AWS_LAMBDA_FUNCTION_NAME") ?? Value(variable, "SERVICE_NAME") ?? defaultService,
        };
    }

    private static string? Value(Func<string, string?> variable, string name)
        => variable(name) is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
}
