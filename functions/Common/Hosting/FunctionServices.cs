using Amazon.DynamoDBv2;
using Functions.Common.Audit;
using Functions.Common.DynamoDb;
using Functions.Common.Logging;
using Functions.Common.Metrics;
using Functions.Common.Runtime;
using Functions.Common.Tables;

namespace Functions.Common.Hosting;

/// <summary>
/// What a function is given at init: which tables are its own, its logger and EMF metrics, its
/// DynamoDB client, its clock and its retries. The host builds them once from the environment
/// the template sets; a test builds them from its own parts (a scripted network, a shifted
/// clock, short retries).
/// </summary>
public sealed class FunctionServices
{
    private readonly RetryPolicy? _retry;

    /// <param name="clock">Now, for the function's decisions and deadline: the logger's when not given.</param>
    /// <param name="retry">One policy for every call (tests: short waits); each call's own options when not given.</param>
    public FunctionServices(FunctionEnvironment environment, IAmazonDynamoDB dynamoDb, StructuredLogger logger,
        TimeProvider? clock = null, RetryPolicy? retry = null)
    {
        Environment = environment;
        DynamoDb = dynamoDb;
        Logger = logger;
        Clock = clock ?? logger.Clock;
        Metrics = new EmfMetrics(logger, environment.MetricsNamespace, environment.EnvironmentName);
        _retry = retry;
    }

    /// <summary>In Lambda: the template's variables, the SDK's client, logs on standard output.</summary>
    public static FunctionServices FromEnvironment(string defaultService)
    {
        var environment = FunctionEnvironment.FromEnvironment(defaultService);
        return new FunctionServices(environment, DynamoDbClients.Create(), StructuredLogger.ForLambda(environment.ServiceName));
    }

    public FunctionEnvironment Environment { get; }
    public IAmazonDynamoDB DynamoDb { get; }
    public StructuredLogger Logger { get; }
    public EmfMetrics Metrics { get; }
    public TimeProvider Clock { get; }

    /// <summary>The retries of one kind of call: its own options, unless the services carry one policy for all.</summary>
    public RetryPolicy Retry(RetryOptions? options = null) => _retry ?? new RetryPolicy(options);

    /// <summary>The control plane of one invocation: each call paced at its rate and retried.</summary>
    public ControlPlane ControlPlane(RetryOptions retry, IReadOnlyDictionary<string, double>? rates = null)
        => new(Retry(retry), new OperationPacer(rates, Clock));

    /// <summary>Writes the <c>table#&lt;name&gt;</c> records of the changes a function makes to tables.</summary>
    public TableAuditWriter AuditWriter() => new(DynamoDb, TableCatalog.Audit.NameIn(Environment.TablePrefix), Retry());
}
