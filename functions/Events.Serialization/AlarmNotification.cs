namespace Functions.Events.Serialization;

/// <summary>
/// A CloudWatch alarm's state change, whichever of the three ways it was delivered: what the
/// throttle responder acts on.
/// </summary>
public sealed record AlarmNotification(
    AlarmDelivery Delivery,
    string AlarmName,
    string? AlarmArn,
    string? Region,
    string? AccountId,
    string State,
    string? PreviousState,
    string? Reason,
    DateTimeOffset? Time,
    IReadOnlyList<AlarmMetric> Metrics,
    bool IsComposite)
{
    public const string Alarm = "ALARM";

    public bool IsInAlarm => State == Alarm;
}
