namespace Functions.Common.Streams;

/// <summary>
/// What became of each record of one batch. Every record starts failed and stays so until the
/// handler says it succeeded (Powertools' rule), so nothing is reported done by omission.
/// </summary>
public sealed class BatchOutcome
{
    public const string NotProcessed = "Not processed.";

    private readonly State[] _states;
    private readonly string?[] _reasons;
    private readonly List<(string Field, long Value, string? Metric)> _counters = [];

    private enum State { Pending, Succeeded, Ignored, Failed }

    public BatchOutcome(IReadOnlyList<string> sequenceNumbers)
    {
        SequenceNumbers = sequenceNumbers;
        _states = new State[sequenceNumbers.Count];
        _reasons = new string?[sequenceNumbers.Count];
    }

    public IReadOnlyList<string> SequenceNumbers { get; }
    public int RecordCount => _states.Length;

    public void Succeeded(int index) => Set(index, State.Succeeded, null);
    public void Ignored(int index) => Set(index, State.Ignored, null);
    public void Failed(int index, string reason) => Set(index, State.Failed, reason);

    /// <summary>A counter of the summary line; with a metric name, also an EMF metric.</summary>
    public void Count(string field, long value, string? metric = null)
    {
        var existing = _counters.FindIndex(c => c.Field == field);
        if (existing >= 0) _counters[existing] = (field, _counters[existing].Value + value, metric);
        else _counters.Add((field, value, metric));
    }

    public IReadOnlyList<(string Field, long Value, string? Metric)> Counters => _counters;

    public int SucceededCount => _states.Count(s => s == State.Succeeded);
    public int IgnoredCount => _states.Count(s => s == State.Ignored);
    public bool IsDone(int index) => _states[index] is State.Succeeded or State.Ignored;

    /// <summary>Every record not done, with why: its own reason, or the one the pipeline gives for all left.</summary>
    public IReadOnlyList<(int Index, string SequenceNumber, string Reason)> Failures(string reasonForPending)
        => Enumerable.Range(0, _states.Length)
            .Where(i => !IsDone(i))
            .Select(i => (i, SequenceNumbers[i], _states[i] == State.Failed ? _reasons[i]! : reasonForPending))
            .ToList();

    /// <summary>Marks every record still pending as failed for one reason (a broken write path, the deadline).</summary>
    public void FailPending(string reason)
    {
        for (var i = 0; i < _states.Length; i++)
            if (_states[i] == State.Pending) Set(i, State.Failed, reason);
    }

    private void Set(int index, State state, string? reason)
    {
        // A failure is final: a later "succeeded" for the same record cannot hide it.
        if (_states[index] == State.Failed) return;
        _states[index] = state;
        _reasons[index] = reason;
    }
}
