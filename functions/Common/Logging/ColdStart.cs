namespace Functions.Common.Logging;

/// <summary>Counts invocations so that only the first one of a process is the cold start.</summary>
public sealed class ColdStart
{
    private int _invocations;

    public static ColdStart Process { get; } = new();

    /// <summary>Marks an invocation; true for the first.</summary>
    public bool Next() => Interlocked.Increment(ref _invocations) == 1;
}
