namespace Functions.AuditTrail;

/// <summary>A stream record that cannot become an audit item; the message never holds item values.</summary>
internal sealed class AuditRecordException(string message) : RecordRejectedException(message);
