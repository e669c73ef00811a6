using Functions.DevKit;

namespace Functions.LocalRun;

/// <summary>
/// A function of the template run as Lambda runs it: its built program as a process behind a
/// local Runtime API, kept warm between events. Its log lines reach standard error with --verbose.
/// </summary>
public sealed class LocalFunction(FunctionDefinition definition, RepoLayout repo, string region, bool verbose) : IAsyncDisposable
{
    private readonly LocalLambda _lambda = new(FunctionPackage.BuildOutput(repo, definition), definition, region,
        echo: verbose ? Console.Error.WriteLine : null);

    public FunctionDefinition Definition { get; } = definition;

    /// <summary>The response; an error, an init error or a timeout stops the story with it.</summary>
    public async Task<byte[]> InvokeAsync(byte[] payload)
    {
        var result = await _lambda.InvokeAsync(payload).ConfigureAwait(false);
        return result.Error is { } error
            ? throw new FunctionErrorException(error.ErrorType, $"{Definition.LogicalId}: {error.ErrorMessage}")
            : result.Payload!;
    }

    public ValueTask DisposeAsync() => _lambda.DisposeAsync();
}
