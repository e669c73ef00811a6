namespace Functions.Events.Serialization;

/// <summary>
/// A value DynamoDB would refuse, or a record field of the wrong shape; the message names the
/// problem, never the value. Its own type, so the stream batch reader tells it from the JSON
/// reader's syntax errors (which fail the whole batch); converters rethrow it as JsonException.
/// </summary>
internal sealed class MalformedValueException(string message) : Exception(message);
