using Amazon.Runtime;
using Functions.AuditCli;

namespace Functions.IntegrationTests;

/// <summary>One run of the audit tool: its exit code and what it printed.</summary>
internal sealed record ToolRun(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}

/// <summary>The audit tool against a local engine: in-process (a client of the test's choosing) or as a command.</summary>
internal static class AuditTool
{
    private static readonly RepoLayout Repo = RepoLayout.Find(AppContext.BaseDirectory);
    private static readonly string Configuration = RepoLayout.BuildConfiguration(typeof(AuditTool).Assembly);

    /// <param name="connect">A new client per run (the tool disposes it); the engine's plain one by default.</param>
    public static async Task<ToolRun> RunAsync(ILocalEngine engine, string app, Func<IAmazonDynamoDB>? connect, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var context = new CliContext
        {
            Out = output,
            Error = error,
            ClientFactory = _ => connect?.Invoke() ?? NewClient(engine),
        };
        var exitCode = await AuditCommandLine.RunAsync([.. args, "--app", app], context);
        return new ToolRun(exitCode, output.ToString(), error.ToString());
    }

    public static Task<ToolRun> RunAsync(ILocalEngine engine, string app, params string[] args) => RunAsync(engine, app, null, args);

    /// <summary>`dotnet AuditCli.dll ...` with AWS_ENDPOINT_URL_DYNAMODB pointing at the engine, as an operator runs it.</summary>
    public static async Task<ToolRun> RunProcessAsync(ILocalEngine engine, IDictionary<string, string?>? environment, params string[] args)
    {
        var variables = ToolProcess.MotoEnvironment(engine.Endpoint, MotoFixture.Region);
        variables["AWS_EC2_METADATA_DISABLED"] = "true";
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>()) variables[name] = value;
        var (exitCode, stdout, stderr) = await ToolProcess.RunAsync(Repo, "AuditCli", Configuration, variables, args);
        return new ToolRun(exitCode, stdout, stderr);
    }

    public static AmazonDynamoDBClient NewClient(ILocalEngine engine)
    {
        var config = DynamoDbClients.Config();
        config.ServiceURL = engine.Endpoint.ToString();
        config.AuthenticationRegion = MotoFixture.Region;
        return new AmazonDynamoDBClient(new BasicAWSCredentials("test", "test"), config);
    }
}
