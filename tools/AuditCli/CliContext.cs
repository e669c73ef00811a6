using Amazon.DynamoDBv2;
using Spectre.Console;

namespace Functions.AuditCli;

/// <summary>How to reach DynamoDB, from --region and --profile (the SDK's usual chain otherwise).</summary>
public sealed record ConnectionOptions(string? Region, string? Profile);

/// <summary>
/// Where the tool writes and what it talks to: the process's console and the AWS SDK's own
/// configuration when run as a command; captured writers, a clock and a client when run inside
/// LocalRun or a test.
/// </summary>
public sealed class CliContext
{
    public required TextWriter Out { get; init; }
    public required TextWriter Error { get; init; }
    public TimeProvider Clock { get; init; } = TimeProvider.System;
    /// <summary>Makes the DynamoDB client; null: <see cref="DynamoDbConnection.Create"/>.</summary>
    public Func<ConnectionOptions, IAmazonDynamoDB>? ClientFactory { get; init; }
    /// <summary>Colours and the terminal's width; off when the output goes to a file or a pipe.</summary>
    public bool Interactive { get; init; }

    /// <summary>
    /// The width given to output that goes to a file or a pipe: lines are not wrapped there (a
    /// grep finds a row whole), and tables are only as wide as their content anyway.
    /// </summary>
    public const int UnwrappedWidth = 4096;

    public static CliContext ForProcess() => new()
    {
        Out = Console.Out,
        Error = Console.Error,
        Interactive = !Console.IsOutputRedirected,
    };

    public IAnsiConsole CreateConsole()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Out),
            Ansi = Interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = Interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        if (!Interactive) console.Profile.Width = UnwrappedWidth;
        return console;
    }
}
