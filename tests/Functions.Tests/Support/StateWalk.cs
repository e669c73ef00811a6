namespace Functions.Tests;

/// <summary>Drives a state machine (the switch, the undo) through a list of answers, as its caller would.</summary>
internal static class StateWalk
{
    /// <summary>The states the answers lead through, the start's included, and where they end.</summary>
    public static (List<TState> States, TProgress End) Walk<TProgress, TState, TAnswer>(
        TProgress start, Func<TProgress, TState> state, Func<TProgress, TAnswer, TProgress> next, IEnumerable<TAnswer> answers)
    {
        var states = new List<TState> { state(start) };
        var progress = start;
        foreach (var answer in answers)
        {
            progress = next(progress, answer);
            states.Add(state(progress));
        }
        return (states, progress);
    }
}
