namespace Functions.Events.Serialization;

public enum AlarmDelivery
{
    /// <summary>An alarm action publishing to SNS, the topic invoking the function.</summary>
    Sns,
    /// <summary>An EventBridge rule on "CloudWatch Alarm State Change".</summary>
    EventBridge,
    /// <summary>The alarm invoking the function directly as its action.</summary>
    AlarmAction,
}
