using System.Globalization;
using AttributeValue = Functions.Events.DynamoDBEvent.AttributeValue;

namespace Functions.AuditTrail;

/// <summary>An audit item ready to write, and whether its images had to be reduced to fit.</summary>
internal sealed record AuditEntry(AuditKey Key, Dictionary<string, AttributeValue> Item, string? Reduction);

/// <summary>
/// Decides what the audit item of one stream record holds. Pure and deterministic: the same
/// record always gives the same item (no wall clock), which makes a replayed batch a no-op.
/// </summary>
internal sealed class AuditRecordBuilder(AuditTrailSettings settings)
{
    public const string TtlActor = AuditItem.TtlActor;
    private const string DynamoDbServicePrincipal = "dynamodb.amazonaws.com";

    private readonly Redactor _redactor = new(settings.RedactAttributes);

    public AuditEntry Build(DynamoDBEvent.DynamodbStreamRecord record)
    {
        var stream = record.Dynamodb ?? throw new AuditRecordException("The record has no dynamodb section.");
        var sourceTable = StreamArn.TableName(record.EventSourceArn)
            ?? throw new AuditRecordException("eventSourceARN is missing or is not a DynamoDB stream ARN.");
        var table = TableCatalog.FindBusiness(sourceTable, settings.TablePrefix)
            ?? throw new AuditRecordException(
                $"Table '{sourceTable}' is not a business table of this environment ({settings.TablePrefix}{{{string.Join(",", TableCatalog.Business.Select(t => t.Suffix))}}}).");
        var keys = stream.Keys ?? throw new AuditRecordException("The record has no Keys.");
        if (!keys.TryGetValue(table.PartitionKey, out var partitionValue))
            throw new AuditRecordException($"Keys lack the partition key '{table.PartitionKey}' of table '{sourceTable}'.");
        var entityId = KeyText(partitionValue, table.PartitionKey);
        if (!AuditKey.IsSequenceNumber(stream.SequenceNumber))
            throw new AuditRecordException("SequenceNumber must be a decimal string.");
        var key = AuditKey.For(table.EntityType!, entityId, stream.ApproximateCreationDateTime, stream.SequenceNumber ?? "");

        var item = new Dictionary<string, AttributeValue>(StringComparer.Ordinal)
        {
            [AuditKey.PartitionAttribute] = AttributeValue.FromS(key.EntityKey),
            [AuditKey.SortAttribute] = AttributeValue.FromS(key.Timestamp),
            [AuditItem.EventName] = AttributeValue.FromS(record.EventName!),
            [AuditItem.EntityType] = AttributeValue.FromS(table.EntityType!),
            [AuditItem.EntityId] = AttributeValue.FromS(entityId),
            [AuditItem.SourceTable] = AttributeValue.FromS(sourceTable),
            [AuditItem.SequenceNumber] = AttributeValue.FromS(stream.SequenceNumber!),
            [AuditItem.ChangeTime] = AttributeValue.FromS(AuditKey.FormatTime(stream.ApproximateCreationDateTime)),
            [AuditItem.Keys] = new AttributeValue { M = keys },
        };
        AddIfPresent(item, AuditItem.EventId, record.EventID);
        AddIfPresent(item, AuditItem.StreamViewType, stream.StreamViewType);

        if (record.EventName == "MODIFY" && stream.OldImage is not null && stream.NewImage is not null)
        {
            var changed = ChangedAttributes.Between(stream.OldImage, stream.NewImage);
            if (changed.Count > 0) item[AuditItem.ChangedAttributes] = new AttributeValue { SS = [.. changed] };
        }

        AddIfPresent(item, AuditItem.Actor, ActorOf(record));

        // The key attributes identify the entity (they are in `keys` and the audit key): never redacted.
        var (oldImage, newImage) = _redactor.Redact(stream.OldImage, stream.NewImage, [table.PartitionKey, table.SortKey]);
        if (oldImage is not null) item[AuditItem.OldImage] = new AttributeValue { M = oldImage };
        if (newImage is not null) item[AuditItem.NewImage] = new AttributeValue { M = newImage };

        if (settings.RetentionDays is { } days)
            item[AuditTrailSettings.TtlAttribute] = AttributeValue.FromN(ExpiresAt(stream.ApproximateCreationDateTime, days));

        var reduction = OversizeReducer.FitToLimit(item);
        return new AuditEntry(key, item, reduction);
    }

    private static string ExpiresAt(DateTime changeTime, int days)
    {
        var changed = new DateTimeOffset(DateTime.SpecifyKind(changeTime, DateTimeKind.Utc));
        if (changed > DateTimeOffset.MaxValue.AddDays(-days))
            throw new AuditRecordException(
                $"The change time {AuditKey.FormatTime(changeTime)} plus AUDIT_RETENTION_DAYS ({days}) is past the year 9999: no expiry date can be given.");
        return changed.AddDays(days).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
    }

    private string? ActorOf(DynamoDBEvent.DynamodbStreamRecord record)
    {
        if (record.EventName == "REMOVE"
            && record.UserIdentity is { Type: "Service", PrincipalId: DynamoDbServicePrincipal })
            return TtlActor;
        if (_redactor.IsRedacted(settings.ActorAttribute)) return null;
        var actor = record.Dynamodb?.NewImage?.GetValueOrDefault(settings.ActorAttribute);
        return actor?.S ?? actor?.N;
    }

    private static string KeyText(AttributeValue value, string attribute)
        => value.S ?? value.N ?? (value.B is not null ? Convert.ToBase64String(value.B) : null)
           ?? throw new AuditRecordException($"Key attribute '{attribute}' is not a string, number or binary.");

    private static void AddIfPresent(Dictionary<string, AttributeValue> item, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value)) item[name] = AttributeValue.FromS(value);
    }
}
