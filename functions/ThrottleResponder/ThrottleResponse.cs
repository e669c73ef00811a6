namespace Functions.ThrottleResponder;

/// <summary>The function's response.</summary>
internal sealed record ThrottleResponse
{
    /// <summary>switch (an alarm) or restore (a manual command).</summary>
    public required string Action { get; init; }
    public bool DryRun { get; init; }
    public required IReadOnlyList<TableResponse> Results { get; init; }
}
