using System.Text.Json;
using System.Text.Json.Nodes;
using Functions.DevKit;

// `sam local invoke` without Docker: the function's package runs as its own process, started as
// the dotnet10 runtime's bootstrap starts it, and gets the event through a local Runtime API.
// Exit codes: 0 the function answered, 1 it failed (Lambda-style error on stdout: its own error,
// an init error, a timeout or the runtime's exit), 2 the invocation could not be set up (stderr).
try
{
    var options = InvokeOptions.Parse(args);
    var repo = options.TemplatePath is null ? RepoLayout.Find() : new RepoLayout(Path.GetDirectoryName(Path.GetFullPath(options.TemplatePath))!);
    var template = SamTemplate.Load(options.TemplatePath ?? repo.TemplatePath);
    var region = LocalLambda.Region();
    using var envVars = options.EnvVarsPath is null ? null : JsonDocument.Parse(File.ReadAllText(options.EnvVarsPath));
    var function = FunctionDefinition.Read(template.Context(options.ParameterOverrides, region), options.FunctionId, envVars);
    foreach (var warning in function.Warnings) Console.Error.WriteLine($"warning: {warning}");

    var payload = options.EventPath switch
    {
        null => "{}"u8.ToArray(),
        "-" => ReadStandardInput(),
        var path => File.ReadAllBytes(path),
    };
    var package = options.PackagePath is null ? FunctionPackage.BuildOutput(repo, function) : FunctionPackage.At(options.PackagePath, function.Handler);

    // The function's own lines (logs, EMF) to stderr; stdout carries the response alone.
    await using var lambda = new LocalLambda(package, function, region, echo: Console.Error.WriteLine, bootstrap: options.BootstrapPath);
    var result = await lambda.InvokeAsync(payload);
    if (result.Error is { } error)
    {
        var body = new JsonObject
        {
            ["errorType"] = error.ErrorType,
            ["errorMessage"] = error.ErrorMessage,
            ["stackTrace"] = new JsonArray(error.StackTrace.Select(line => (JsonNode?)JsonValue.Create(line)).ToArray()),
        };
        Console.Out.WriteLine(body.ToJsonString());
        return 1;
    }
    using var stdout = Console.OpenStandardOutput();
    stdout.Write(result.Payload);
    stdout.Write("\n"u8);
    return 0;
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
