namespace Functions.DevKit;

/// <summary>The command line of `sam local invoke`, the part LocalInvoke supports.</summary>
public sealed record InvokeOptions(
    string FunctionId, string? EventPath, string? EnvVarsPath, string? TemplatePath,
    IReadOnlyDictionary<string, string> ParameterOverrides, string? PackagePath = null, string? BootstrapPath = null)
{
    public const string Usage =
        "usage: LocalInvoke <FunctionLogicalId> [-e|--event <event.json|->] [-n|--env-vars <env.json>]\n" +
        "                   [--parameter-overrides Key=Value ...] [-t|--template <template.yaml>]\n" +
        "                   [--package <folder>]   (a `make build-<LogicalId>` output; default: the function's build output)\n" +
        "                   [--bootstrap <program>] (start this instead, e.g. the dotnet10 runtime's own bootstrap.sh)";

    public static InvokeOptions Parse(IReadOnlyList<string> args)
    {
        string? function = null, eventPath = null, envVars = null, template = null, package = null, bootstrap = null;
        var overrides = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new UsageException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "-e" or "--event": eventPath = Value(); break;
                case "-n" or "--env-vars": envVars = Value(); break;
                case "-t" or "--template" or "--template-file": template = Value(); break;
                case "--package": package = Value(); break;
                case "--bootstrap": bootstrap = Value(); break;
                case "--parameter-overrides":
                    // Key=Value pairs (also SAM's ParameterKey=K,ParameterValue=V), one or more arguments.
                    while (i + 1 < args.Count && !args[i + 1].StartsWith('-'))
                        foreach (var pair in args[++i].Split(' ', StringSplitOptions.RemoveEmptyEntries))
                            AddOverride(overrides, pair);
                    break;
                case var flag when flag.StartsWith('-'):
                    throw new UsageException($"Unknown option {flag}.");
                default:
                    if (function is not null) throw new UsageException($"Unexpected argument '{args[i]}'.");
                    function = args[i];
                    break;
            }
        }
        return new InvokeOptions(function ?? throw new UsageException("Name the function's logical id, e.g. AuditTrailFunction."),
            eventPath, envVars, template, overrides, package, bootstrap);
    }

    private static void AddOverride(Dictionary<string, string> overrides, string pair)
    {
        if (pair.StartsWith("ParameterKey=", StringComparison.Ordinal))
        {
            var parts = pair.Split(',', 2);
            if (parts.Length == 2 && parts[1].StartsWith("ParameterValue=", StringComparison.Ordinal))
            {
                overrides[parts[0]["ParameterKey=".Length..]] = parts[1]["ParameterValue=".Length..];
                return;
            }
        }
        var eq = pair.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0) throw new UsageException($"--parameter-overrides takes Key=Value, not '{pair}'.");
        overrides[pair[..eq]] = pair[(eq + 1)..];
    }
}

public sealed class UsageException(string message) : Exception(message);
