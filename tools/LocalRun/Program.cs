using System.CommandLine;
using Functions.LocalRun;

// dotnet run --project tools/LocalRun [-- --verbose]
var verbose = new Option<bool>("--verbose") { Description = "Also print the functions' own JSON log lines and EMF metrics (on standard error)" };
var root = new RootCommand(
    "Every function of the suite end to end, told step by step: on a moto_server it starts, or on the endpoint in " +
    "AWS_ENDPOINT_URL_DYNAMODB. Exits 1 at the first step that fails, saying what failed and why.")
{
    verbose,
};
root.SetAction(async (parsed, _) =>
{
    // The audit tool's console: colours on a terminal, no line wrapped in a file or a pipe.
    var context = Functions.AuditCli.CliContext.ForProcess();
    var console = context.CreateConsole();
    return await new SuiteStory(console, context.Interactive, parsed.GetValue(verbose)).RunAsync();
});
return await root.Parse(args).InvokeAsync();
