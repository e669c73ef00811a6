namespace Functions.MerchantAnalytics;

/// <summary>A stream record that cannot become a merchant event; the message never holds item values.</summary>
internal sealed class AnalyticsRecordException(string message) : RecordRejectedException(message);

/// <summary>
/// What a change of an order, quote or application means for its merchant: INSERT is
/// <c>&lt;entity&gt;.created</c>, a MODIFY of <c>status</c> is <c>&lt;entity&gt;.&lt;new status&gt;</c>,
/// REMOVE is <c>&lt;entity&gt;.deleted</c> (<c>.expired</c> for a TTL expiry). Anything else, or a
/// change with no merchant, is not a merchant event (null).
/// </summary>
internal sealed class MerchantEventBuilder(TablePrefix prefix)
{
    public const string MerchantAttribute = "merchantId";
    public const string StatusAttribute = "status";
    public const string TotalAttribute = "total";
    public const string CurrencyAttribute = "currency";
    public static readonly IReadOnlySet<string> SourceSuffixes = new HashSet<string>(StringComparer.Ordinal) { "orders", "quotes", "applications" };
    private const string BothImages = "NEW_AND_OLD_IMAGES";

    /// <summary>DynamoDB's key limits (bytes of UTF-8): a longer key fails the whole transaction it is in.</summary>
    public const int MaxPartitionKeyBytes = 2048, MaxSortKeyBytes = 1024;

    public MerchantEvent? Build(DynamoDBEvent.DynamodbStreamRecord record)
    {
        var stream = record.Dynamodb ?? throw new AnalyticsRecordException("The record has no dynamodb section.");
        var sourceTable = StreamArn.TableName(record.EventSourceArn)
            ?? throw new AnalyticsRecordException("eventSourceARN is missing or is not a DynamoDB stream ARN.");
        var table = TableCatalog.FindBusiness(sourceTable, prefix) is { } t && SourceSuffixes.Contains(t.Suffix) ? t
            : throw new AnalyticsRecordException($"Table '{sourceTable}' is not one of this environment's orders, quotes or applications ({prefix}*).");
        // Without the old image every MODIFY would look like a status change, and a removal has no
        // merchant: the stream must carry both (ManageTables=false leaves it to whoever made the table).
        if (stream.StreamViewType is { } viewType && viewType != BothImages)
            throw new AnalyticsRecordException($"The stream's view type is {viewType}: merchant analytics needs {BothImages} to tell a status change and to count a removal.");
        if (stream.StreamViewType is null && record.EventName == "MODIFY" && stream.OldImage is null)
            throw new AnalyticsRecordException($"A MODIFY without its old image: merchant analytics needs {BothImages} to tell a status change.");

        var image = stream.NewImage ?? stream.OldImage;
        var merchant = Text(stream.NewImage, MerchantAttribute) ?? Text(stream.OldImage, MerchantAttribute);
        if (merchant is null) return null;
        if (System.Text.Encoding.UTF8.GetByteCount(merchant) > MaxPartitionKeyBytes)
            throw new AnalyticsRecordException($"Attribute '{MerchantAttribute}' is longer than DynamoDB's 2,048 bytes of a partition key.");

        var oldStatus = Status(stream.OldImage);
        var newStatus = Status(stream.NewImage);
        var action = record.EventName switch
        {
            "INSERT" => "created",
            "MODIFY" when newStatus is not null && newStatus != oldStatus => StatusAction(newStatus),
            "MODIFY" => null,
            "REMOVE" when record.UserIdentity is { Type: "Service", PrincipalId: "dynamodb.amazonaws.com" } => "expired",
            "REMOVE" => "deleted",
            _ => throw new AnalyticsRecordException($"eventName '{record.EventName}' is not INSERT, MODIFY or REMOVE."),
        };
        if (action is null) return null;

        // The event's key orders changes as the audit trail's does: time, then the padded sequence number.
        var sequence = AuditKey.IsSequenceNumber(stream.SequenceNumber) ? stream.SequenceNumber!
            : throw new AnalyticsRecordException($"SequenceNumber must be a decimal string of at most {AuditKey.SequenceWidth} digits.");
        var keys = stream.Keys ?? throw new AnalyticsRecordException("The record has no Keys.");
        var entityId = keys.TryGetValue(table.PartitionKey, out var id) && (id.S ?? id.N) is { } idText ? idText
            : throw new AnalyticsRecordException($"Keys lack the partition key '{table.PartitionKey}' as a string or number.");
        // The amount is the one the change is about: the new image's, the old one's for a removal.
        var amountImage = record.EventName == "REMOVE" ? stream.OldImage : stream.NewImage ?? image;
        var amount = Amount(amountImage);
        var currency = Currency(amountImage);

        var eventType = $"{table.EntityType}.{action}";
        var changeTime = stream.ApproximateCreationDateTime.ToUniversalTime();
        var time = AuditKey.FormatTime(changeTime);
        var sortKey = $"{eventType}#{time}#{sequence.PadLeft(AuditKey.SequenceWidth, '0')}";
        if (System.Text.Encoding.UTF8.GetByteCount(sortKey) > MaxSortKeyBytes)
            throw new AnalyticsRecordException(
                $"Attribute '{StatusAttribute}' is too long: the event's sort key would pass DynamoDB's 1,024 bytes of a sort key.");
        var item = new Dictionary<string, AttributeValue>(StringComparer.Ordinal)
        {
            [MerchantAttribute] = new() { S = merchant },
            [TableCatalog.MerchantAnalytics.SortKey] = new() { S = sortKey },
            ["eventType"] = new() { S = eventType },
            ["entityType"] = new() { S = table.EntityType! },
            ["entityId"] = new() { S = entityId },
            ["sourceTable"] = new() { S = sourceTable },
            ["changeTime"] = new() { S = time },
            ["sequenceNumber"] = new() { S = sequence },
        };
        if (newStatus is not null) item["status"] = new() { S = newStatus };
        if (oldStatus is not null) item["previousStatus"] = new() { S = oldStatus };
        if (amount is { } a) item["amount"] = new() { N = a.ToString() };
        if (currency is not null) item["currency"] = new() { S = currency };
        return new MerchantEvent(merchant, sortKey, eventType, item, amount, currency, DateOnly.FromDateTime(changeTime));
    }

    // order.paid, quote.accepted: the status in lower case, kept to characters a key can carry.
    private static string StatusAction(string status)
    {
        var action = status.Trim().ToLowerInvariant().Replace(' ', '_');
        return action.Length > 0 && action.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-')
            ? action
            : throw new AnalyticsRecordException($"Attribute '{StatusAttribute}' must be letters, digits, '_' or '-' to name an event.");
    }

    private static DecimalAmount? Amount(Dictionary<string, DynamoDBEvent.AttributeValue>? image)
    {
        if (image is null || !image.TryGetValue(TotalAttribute, out var total)) return null;
        if (total.N is null || !DecimalAmount.TryParse(total.N, out var amount))
            throw new AnalyticsRecordException($"Attribute '{TotalAttribute}' is not a number.");
        return amount;
    }

    private static string? Currency(Dictionary<string, DynamoDBEvent.AttributeValue>? image)
    {
        if (image is null || !image.TryGetValue(CurrencyAttribute, out var value)) return null;
        var code = value.S?.Trim().ToUpperInvariant();
        return code is { Length: 3 } && code.All(char.IsAsciiLetterUpper)
            ? code
            : throw new AnalyticsRecordException($"Attribute '{CurrencyAttribute}' must be a three-letter currency code.");
    }

    // A status names events: one that is there but is no text (a number, a blank) is an error, not "no status".
    private static string? Status(Dictionary<string, DynamoDBEvent.AttributeValue>? image)
    {
        if (image is null || !image.TryGetValue(StatusAttribute, out _)) return null;
        return Text(image, StatusAttribute)
            ?? throw new AnalyticsRecordException($"Attribute '{StatusAttribute}' must be a non-blank string to name an event.");
    }

    private static string? Text(Dictionary<string, DynamoDBEvent.AttributeValue>? image, string attribute)
        => image is not null && image.TryGetValue(attribute, out var value) && !string.IsNullOrWhiteSpace(value.S) ? value.S : null;
}
