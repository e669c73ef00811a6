using System.Globalization;
using Functions.Common.Tables;

namespace Functions.Common.Audit;

/// <summary>
/// The audit table's key for one change of a business item: written by the audit trail function,
/// read by the audit tool (tools/AuditCli), so both take it from here.
/// </summary>
public readonly record struct AuditKey(string EntityKey, string Timestamp)
{
    /// <summary>Partition key attribute of the audit table (fixed by the existing table): the catalog's, which a test keeps in step with the template.</summary>
    public static string PartitionAttribute => TableCatalog.Audit.PartitionKey;
    /// <summary>Sort key attribute of the audit table.</summary>
    public static string SortAttribute => TableCatalog.Audit.SortKey;

    public static IReadOnlyList<string> Attributes { get; } = [PartitionAttribute, SortAttribute];

    // Sequence numbers are decimal strings that can exceed 64 bits; left-padding them to a fixed
    // width makes text order equal numeric order, so items of the same second sort by change order.
    public const int SequenceWidth = 40;

    /// <summary>The form of <see cref="FormatTime"/>: ISO 8601, UTC, milliseconds.</summary>
    public const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    /// <summary>
    /// <c>order#order-123</c> and <c>2026-01-16T12:00:00.000Z#0000…00042</c>: the change time first
    /// (so BETWEEN on ISO bounds works), the sequence number after it (so two changes within the same
    /// second never overwrite each other, and a replay maps to the same key).
    /// </summary>
    public static AuditKey For(string entityType, string entityId, DateTime changeTime, string sequenceNumber)
    {
        if (!IsSequenceNumber(sequenceNumber))
            throw new ArgumentException("SequenceNumber must be a decimal string.", nameof(sequenceNumber));
        return new AuditKey(EntityKeyOf(entityType, entityId), $"{FormatTime(changeTime)}#{sequenceNumber.PadLeft(SequenceWidth, '0')}");
    }

    /// <summary><c>order#order-123</c>: the entity type, then the source item's partition key value as text.</summary>
    public static string EntityKeyOf(string entityType, string entityId) => $"{entityType}#{entityId}";

    public static bool IsSequenceNumber(string? sequenceNumber)
        => !string.IsNullOrEmpty(sequenceNumber) && sequenceNumber.Length <= SequenceWidth && sequenceNumber.All(char.IsAsciiDigit);

    public static string FormatTime(DateTime time)
        => time.ToUniversalTime().ToString(TimeFormat, CultureInfo.InvariantCulture);
}
