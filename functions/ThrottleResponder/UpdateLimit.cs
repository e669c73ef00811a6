namespace Functions.ThrottleResponder;

/// <summary>Which limit an UpdateTable's LimitExceededException is.</summary>
internal enum UpdateLimit
{
    /// <summary>The table's 4 switches to on-demand per rolling 24 hours are spent: final until one frees up.</summary>
    DailySwitches,
    /// <summary>Too many table operations in the account at once: one finishes soon, so the call is tried again.</summary>
    TooManyOperations,
    /// <summary>A message that names neither: tried again like too many operations, and failed (not refused) if it lasts.</summary>
    Unclear,
}
