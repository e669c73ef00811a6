namespace Functions.Events.Serialization;

/// <summary>
/// One run of a scheduled function: when it was scheduled (the event's time, so an EventBridge
/// retry after midnight still belongs to its night), who sent it and the run's options.
/// </summary>
/// <param name="Source">The event's <c>source</c>: aws.events (a rule), aws.scheduler, or "manual".</param>
public sealed record ScheduledInvocation<TOptions>(DateTimeOffset ScheduledTime, string Source, TOptions Options)
{
    /// <summary>The scheduled day in UTC.</summary>
    public DateOnly Night => DateOnly.FromDateTime(ScheduledTime.UtcDateTime);
}
