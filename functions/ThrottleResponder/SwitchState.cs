namespace Functions.ThrottleResponder;

/// <summary>
/// Where one throttled table's switch stands. Each state but <see cref="Done"/> is one call to
/// DynamoDB (TableSwitcher makes it); <see cref="SwitchProgress.Next"/> takes its answer to the
/// next state. The records are keyed by the alarm's state change, so its SNS and EventBridge
/// deliveries and Lambda's retries make one of each, and only the invocation that wrote a record
/// counts what it records.
/// </summary>
internal enum SwitchState
{
    /// <summary>DescribeTable until the table settles (or the time budget says stop), and its opt-out tag.</summary>
    LookingAtTable,
    /// <summary>
    /// The SWITCHED_TO_ON_DEMAND record with the capacity, before the switch: afterwards DynamoDB
    /// no longer tells it. Written by a dry run too (as a dry run's record).
    /// </summary>
    RecordingIntent,
    /// <summary>UpdateTable to on-demand, waiting out another update of the table and too many operations at once.</summary>
    Switching,
    /// <summary>A failed switch recorded for this alarm is followed by a switch record, so that the trail's last word is true.</summary>
    AmendingFailure,
    /// <summary>The switch went without the indexes' ceilings and no amendment said so: a record of the switch as it happened.</summary>
    RecordingAsSwitched,
    /// <summary>THROTTLE_NOT_SWITCHED for a table tagged to be left alone.</summary>
    RecordingRefusal,
    /// <summary>SWITCH_TO_ON_DEMAND_FAILED after DynamoDB refused the UpdateTable (its daily quota, or an error).</summary>
    RecordingRefusedSwitch,
    /// <summary>SWITCH_TO_ON_DEMAND_FAILED for a switch that failed before DynamoDB answered an UpdateTable.</summary>
    RecordingFailure,
    /// <summary>The response is final.</summary>
    Done,
}
