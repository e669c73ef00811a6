using System.Globalization;

namespace Functions.DevKit;

/// <summary>Runs one template function in this process the way `sam local invoke` runs it in a container.</summary>
public static class LocalFunctionHost
{
    /// <summary>
    /// The function's environment as Lambda sets it: the template's variables plus the runtime's
    /// own. LOG_SINK=stderr keeps the function's log lines off standard output, which carries the
    /// response payload alone (<paramref name="logSink"/> none drops them). AWS credentials and
    /// endpoints stay the caller's, as with SAM.
    /// </summary>
    public static void ApplyEnvironment(FunctionDefinition function, string region, string logSink = "stderr")
    {
        foreach (var (name, value) in function.Environment)
            Environment.SetEnvironmentVariable(name, value);
        Environment.SetEnvironmentVariable("AWS_REGION", region);
        Environment.SetEnvironmentVariable("AWS_DEFAULT_REGION", Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION") ?? region);
        Environment.SetEnvironmentVariable("AWS_LAMBDA_FUNCTION_NAME", function.LogicalId);
        Environment.SetEnvironmentVariable("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
        Environment.SetEnvironmentVariable("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", function.MemorySize.ToString(CultureInfo.InvariantCulture));
        Environment.SetEnvironmentVariable("AWS_LAMBDA_FUNCTION_TIMEOUT", function.TimeoutSeconds.ToString(CultureInfo.InvariantCulture));
        Environment.SetEnvironmentVariable("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand");
        Environment.SetEnvironmentVariable("AWS_EXECUTION_ENV", "AWS_Lambda_" + function.Runtime);
        Environment.SetEnvironmentVariable("LOG_SINK", logSink);
    }

    public static string Region()
        => Environment.GetEnvironmentVariable("AWS_REGION") is { Length: > 0 } r ? r
           : Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION") is { Length: > 0 } d ? d
           : "us-east-1";

    /// <summary>Loads and initialises the function (the constructor runs here, as at a cold start).</summary>
    public static LambdaHandler Load(RepoLayout repo, FunctionDefinition function, string? configuration = null)
        => LambdaHandler.Load(repo.FunctionAssembly(function.AssemblyName, configuration), function.Handler);
}
