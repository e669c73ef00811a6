using System.CommandLine;
using Functions.LocalRun;
using Spectre.Console;

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
    var interactive = !Console.IsOutputRedirected;
    var console = AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(Console.Out),
        Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
        ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
    });
    // Written to a file or a pipe: no line wrapped (tables are as wide as their content).
    if (!interactive) console.Profile.Width = Functions.AuditCli.CliContext.UnwrappedWidth;
    return await new SuiteStory(console, interactive, parsed.GetValue(verbose)).RunAsync();
});
return await root.Parse(args).InvokeAsync();
