namespace Functions.Events.Serialization;

/// <summary>The invocation's input cannot be processed at all.</summary>
public sealed class InvalidEventException(string message) : Exception(message);
