namespace Functions.ThrottleResponder;

/// <summary>
/// A manual invocation: <c>{"action": "restore", "table": "orders"}</c> (a suffix or the full
/// name), with <c>"dryRun": true</c> to only log and audit. Unknown keys are refused.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class ManualCommand
{
    public string? Action { get; init; }
    public string? Table { get; init; }
    public bool DryRun { get; init; }
}
