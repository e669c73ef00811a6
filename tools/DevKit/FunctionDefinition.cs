using System.Globalization;
using System.Text.Json;

namespace Functions.DevKit;

/// <summary>A function of the template as `sam local invoke` sees it.</summary>
public sealed record FunctionDefinition(
    string LogicalId, string Handler, string Runtime, int TimeoutSeconds, int MemorySize,
    IReadOnlyDictionary<string, string> Environment, IReadOnlyList<string> Warnings)
{
    /// <summary>The assembly the Handler names: the whole of an executable's (<c>AuditTrail</c>).</summary>
    public string AssemblyName => Path.GetFileNameWithoutExtension(Handler.Split("::")[0]);

    /// <summary>The template's FunctionName (<c>maip-dev-audit-trail</c>), else the logical id, as `sam local` names it.</summary>
    public string FunctionName { get; init; } = LogicalId;

    public static IReadOnlyList<string> LogicalIds(SamTemplate template)
        => template.ResourcesOfType("AWS::Serverless::Function").ToList();

    /// <summary>
    /// Globals plus the function's own properties, intrinsics resolved; then the env-vars file
    /// (SAM's format: a section per logical id, and "Parameters" for every function) overrides
    /// variables the template declares, as SAM does.
    /// </summary>
    public static FunctionDefinition Read(TemplateContext context, string logicalId, JsonDocument? envVars = null)
    {
        var template = context.Template;
        if (!FunctionDefinition.LogicalIds(template).Contains(logicalId))
            throw new TemplateException(
                $"Function '{logicalId}' is not in {template.Path}. Functions: {string.Join(", ", LogicalIds(template))}.");

        string? Property(string name)
        {
            var node = template.ResourceProperty(logicalId, name) ?? template.Global("Function", name);
            return node is null ? null : context.Resolve(node, $"{logicalId}.{name}")?.ToString();
        }

        var warnings = new List<string>();
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var source in new[] { template.Global("Function", "Environment", "Variables"), template.ResourceProperty(logicalId, "Environment", "Variables") })
        {
            if (source is not YamlDotNet.RepresentationModel.YamlMappingNode variables) continue;
            foreach (var (key, value) in variables.Children)
            {
                var name = SamTemplate.Scalar(key)!;
                try
                {
                    environment[name] = context.Resolve(value, $"{logicalId} variable {name}")?.ToString() ?? "";
                }
                catch (TemplateException ex)
                {
                    // Declared but not resolvable here: empty, like sam local, and said so.
                    environment[name] = "";
                    warnings.Add(ex.Message + " Set it with --env-vars.");
                }
            }
        }

        if (envVars is not null)
        {
            ApplyOverrides(envVars.RootElement, "Parameters", environment, warnings);
            ApplyOverrides(envVars.RootElement, logicalId, environment, warnings);
        }

        return new FunctionDefinition(
            logicalId,
            Property("Handler") ?? throw new TemplateException($"{logicalId} has no Handler."),
            Property("Runtime") ?? "",
            int.Parse(Property("Timeout") ?? "3", CultureInfo.InvariantCulture),
            int.Parse(Property("MemorySize") ?? "128", CultureInfo.InvariantCulture),
            environment,
            warnings)
        {
            FunctionName = TryProperty("FunctionName") ?? logicalId,
        };

        // A name the tools cannot resolve (an unset parameter) falls back to the logical id.
        string? TryProperty(string name)
        {
            try
            {
                return Property(name);
            }
            catch (TemplateException)
            {
                return null;
            }
        }
    }

    private static void ApplyOverrides(JsonElement root, string section, Dictionary<string, string> environment, List<string> warnings)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty(section, out var values)) return;
        if (values.ValueKind != JsonValueKind.Object)
            throw new TemplateException($"--env-vars: \"{section}\" must be an object of variable names to values.");
        foreach (var variable in values.EnumerateObject())
        {
            if (!environment.ContainsKey(variable.Name))
            {
                // SAM only overrides variables the template declares; say so rather than drop it silently.
                warnings.Add($"--env-vars: {variable.Name} is not declared by the function in the template; ignored (as sam local does).");
                continue;
            }
            environment[variable.Name] = variable.Value.ValueKind == JsonValueKind.String
                ? variable.Value.GetString()!
                : variable.Value.GetRawText();
        }
    }
}
