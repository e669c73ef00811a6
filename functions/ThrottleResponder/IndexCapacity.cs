namespace Functions.ThrottleResponder;

/// <summary>The provisioned capacity of one global secondary index.</summary>
public sealed record IndexCapacity(string IndexName, long Read, long Write);
