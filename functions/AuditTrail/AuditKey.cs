using System.Globalization;
using Functions.Common.Streams;

namespace Functions.AuditTrail;

/// <summary>The audit table's key for one change.</summary>
public readonly record struct AuditKey(string EntityKey, string Timestamp)
{
    /// <summary>Partition key attribute of the audit table (fixed by the existing table).</summary>
    public const string PartitionAttribute = "entityType#entityId";
    /// <summary>Sort key attribute of the audit table.</summary>
    public const string SortAttribute = "timestamp";

    public static IReadOnlyList<string> Attributes { get; } = [PartitionAttribute, SortAttribute];

    // Sequence numbers are decimal strings that can exceed 64 bits; left-padding them to a fixed
    // width makes text order equal numeric order, so items of the same second sort by change order.
    private const int SequenceWidth = 40;

    /// <summary>
    /// <c>order#order-123</c> and <c>2026-01-16T12:00:00.000Z#0000…00042</c>: the change time first
    /// (so BETWEEN on ISO bounds works), the sequence number after it (so two changes within the same
    /// second never overwrite each other, and a replay maps to the same key).
    /// </summary>
    public static AuditKey For(string entityType, string entityId, DateTime changeTime, string sequenceNumber)
    {
        if (sequenceNumber.Length == 0 || !sequenceNumber.All(char.IsAsciiDigit))
            throw new AuditRecordException("SequenceNumber must be a decimal string.");
        return new AuditKey($"{entityType}#{entityId}", $"{FormatTime(changeTime)}#{sequenceNumber.PadLeft(SequenceWidth, '0')}");
    }

    public static string FormatTime(DateTime time)
        => time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}

/// <summary>A stream record that cannot become an audit item; the message never holds item values.</summary>
public sealed class AuditRecordException(string message) : RecordRejectedException(message);
