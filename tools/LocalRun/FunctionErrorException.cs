namespace Functions.LocalRun;

/// <summary>A function answered its event with an error (its own, an init error, a timeout).</summary>
public sealed class FunctionErrorException(string errorType, string message) : Exception(message)
{
    public string ErrorType { get; } = errorType;
}
