namespace Functions.ThrottleResponder;

/// <summary>The provisioned capacity of one global secondary index.</summary>
internal sealed record IndexCapacity(string IndexName, long Read, long Write);
