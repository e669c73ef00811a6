using Amazon.Runtime;
using Functions.DevKit;
using Spectre.Console;

namespace Functions.LocalRun;

/// <summary>A step whose outcome is not what the suite promises (a replay that changed something, say).</summary>
public sealed class StoryCheckException(string message) : Exception(message);

/// <summary>A function answered its event with an error (its own, an init error, a timeout).</summary>
public sealed class FunctionErrorException(string errorType, string message) : Exception(message)
{
    public string ErrorType { get; } = errorType;
}

/// <summary>
/// The run told step by step: a heading, then one line or table. A step that fails says what
/// failed and why in one line, and the story stops there (later steps build on earlier ones).
/// </summary>
public sealed class Story(IAnsiConsole console)
{
    private const string UnknownOperation = "UnknownOperationException";
    private int _step;

    public IAnsiConsole Console => console;

    /// <returns>False when the step failed; its reason is printed.</returns>
    public async Task<bool> StepAsync(string title, Func<Task> body)
    {
        _step++;
        console.WriteLine();
        console.Write(new Markup($"[bold]{_step}. {Markup.Escape(title)}[/]\n"));
        try
        {
            await body().ConfigureAwait(false);
            return true;
        }
#pragma warning disable CA1031 // The story's last word on a step: one line, never a stack trace.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            console.Write(new Markup($"[red]✗ {Markup.Escape(title)} failed: {Markup.Escape(Why(ex))}[/]\n"));
            return false;
        }
    }

    public void Line(string text) => console.Write(new Text(text + "\n"));

    public void Done(string text) => console.Write(new Markup($"[green]✓[/] {Markup.Escape(text)}\n"));

    public void Check(bool holds, string promise, string broken)
    {
        if (!holds) throw new StoryCheckException(broken);
        Done(promise);
    }

    public static Table Table(params string[] columns)
    {
        var table = new Table { Border = TableBorder.Rounded };
        foreach (var column in columns) table.AddColumn(new TableColumn(new Text(column, new Style(decoration: Decoration.Bold))));
        return table;
    }

    /// <summary>What went wrong, in one line: the function's error, AWS's error code, or the check that did not hold.</summary>
    public static string Why(Exception exception) => OneLine(exception switch
    {
        _ when exception.Message.Contains(UnknownOperation, StringComparison.Ordinal) || exception is AmazonServiceException { ErrorCode: UnknownOperation } =>
            $"the endpoint does not offer an operation the step needs ({UnknownOperation}; DynamoDB Local has no backups, PITR or tags: this step needs moto_server). " +
            (exception is FunctionErrorException f ? $"The function raised {f.ErrorType}: {f.Message}" : exception.Message),
        FunctionErrorException function => $"the function raised {function.ErrorType}: {function.Message}",
        AmazonServiceException service => $"{service.ErrorCode ?? service.GetType().Name}: {service.Message}",
        HttpRequestException http => $"the endpoint did not answer: {http.Message}",
        StoryCheckException check => check.Message,
        _ => $"{exception.GetType().Name}: {exception.Message}",
    });

    private static string OneLine(string text)
    {
        var line = string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return line.Length <= 400 ? line : line[..397] + "...";
    }
}
