using Amazon.Runtime;
using Spectre.Console;

namespace Functions.LocalRun;

/// <summary>A step whose outcome is not what the suite promises (a replay that changed something, say).</summary>
public sealed class StoryCheckException(string message) : Exception(message);

/// <summary>A step failed (its reason is printed): the steps after it, which build on it, are not run.</summary>
public sealed class StoryStoppedException(string step, Exception reason) : Exception($"{step} failed", reason);

/// <summary>
/// The run told step by step: a heading, then one line or table. A step that fails says what
/// failed and why in one line, and the story stops there (later steps build on earlier ones).
/// </summary>
public sealed class Story(IAnsiConsole console)
{
    private const string UnknownOperation = "UnknownOperationException";
    private int _step;

    public IAnsiConsole Console => console;

    /// <summary>One step: its heading, then its body, whose result the steps after it are given.</summary>
    /// <exception cref="StoryStoppedException">The step failed: its reason is printed, and the story stops (later steps build on it).</exception>
    public async Task<T> StepAsync<T>(string title, Func<Task<T>> body)
    {
        _step++;
        console.WriteLine();
        console.Write(new Markup($"[bold]{_step}. {Markup.Escape(title)}[/]\n"));
        try
        {
            return await body().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The story's last word on a step: one line, never a stack trace.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            console.Write(new Markup($"[red]✗ {Markup.Escape(title)} failed: {Markup.Escape(Why(ex))}[/]\n"));
            throw new StoryStoppedException(title, ex);
        }
    }

    /// <summary>A step that only tells (and checks): nothing for the steps after it.</summary>
    public Task StepAsync(string title, Func<Task> body) => StepAsync(title, async () =>
    {
        await body().ConfigureAwait(false);
        return true;
    });

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
