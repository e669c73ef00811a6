using System.Text.Json;
using System.Text.Json.Nodes;
using Functions.DevKit;

// Exit codes: 0 the function returned, 1 the function failed (Lambda-style error on stdout),
// 2 the invocation could not be set up (message on stderr).
try
{
    var options = InvokeOptions.Parse(args);
    var repo = options.TemplatePath is null ? RepoLayout.Find() : new RepoLayout(Path.GetDirectoryName(Path.GetFullPath(options.TemplatePath))!);
    var template = SamTemplate.Load(options.TemplatePath ?? repo.TemplatePath);
    var region = LocalFunctionHost.Region();
    using var envVars = options.EnvVarsPath is null ? null : JsonDocument.Parse(File.ReadAllText(options.EnvVarsPath));
    var function = FunctionDefinition.Read(template.Context(options.ParameterOverrides, region), options.FunctionId, envVars);
    foreach (var warning in function.Warnings) Console.Error.WriteLine($"warning: {warning}");

    var payload = options.EventPath switch
    {
        null => "{}"u8.ToArray(),
        "-" => ReadStandardInput(),
        var path => File.ReadAllBytes(path),
    };

    LocalFunctionHost.ApplyEnvironment(function, region);
    try
    {
        var handler = LocalFunctionHost.Load(repo, function);
        var response = await handler.InvokeAsync(payload, TimeSpan.FromSeconds(function.TimeoutSeconds));
        using var stdout = Console.OpenStandardOutput();
        if (response is not null) stdout.Write(response);
        stdout.Write("\n"u8);
        return 0;
    }
    catch (FunctionErrorException ex)
    {
        return ReportError(ex.ErrorType, ex.Message, ex.InnerException!.StackTrace);
    }
    catch (TimeoutException ex)
    {
        return ReportError("Sandbox.Timedout", ex.Message, null);
    }
}
catch (Exception ex) when (ex is UsageException or TemplateException or HandlerException or IOException
                               or JsonException or UnauthorizedAccessException or YamlDotNet.Core.YamlException)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    if (ex is UsageException) Console.Error.WriteLine(InvokeOptions.Usage);
    return 2;
}

static byte[] ReadStandardInput()
{
    using var stdin = Console.OpenStandardInput();
    using var buffer = new MemoryStream();
    stdin.CopyTo(buffer);
    return buffer.ToArray();
}

static int ReportError(string type, string message, string? stackTrace)
{
    var error = new JsonObject
    {
        ["errorType"] = type,
        ["errorMessage"] = message,
        ["stackTrace"] = new JsonArray((stackTrace ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => (JsonNode?)JsonValue.Create(line)).ToArray()),
    };
    Console.Out.WriteLine(error.ToJsonString());
    return 1;
}
