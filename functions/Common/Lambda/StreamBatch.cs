using System.Text.Json;

namespace Functions.Common.Lambda;

/// <summary>One record of a stream batch: parsed, or the reason it could not be.</summary>
public sealed record StreamBatchEntry(string SequenceNumber, DynamoDBEvent.DynamodbStreamRecord? Record, string? Error)
{
    public bool IsValid => Record is not null;
}

/// <summary>
/// Parses a DynamoDB stream event record by record, so one malformed record is reported by its
/// sequence number while the rest of the batch is processed. Only an event that is not JSON at
/// all, or a record without a sequence number (which Lambda could not checkpoint on), fails the
/// whole invocation.
/// </summary>
public static class StreamBatch
{
    public static async Task<IReadOnlyList<StreamBatchEntry>> ReadAsync(Stream input, CancellationToken cancellationToken = default)
        => Parse((await LambdaPayload.ReadAsync(input, cancellationToken).ConfigureAwait(false)).Span);

    /// <summary>
    /// Walks the Records array once with a reader and deserializes each record from its own
    /// bytes, so a bad record costs only itself. Invalid JSON anywhere throws JsonException.
    /// </summary>
    public static IReadOnlyList<StreamBatchEntry> Parse(ReadOnlySpan<byte> json)
    {
        json = LambdaPayload.WithoutByteOrderMark(json);
        var reader = new Utf8JsonReader(json, LambdaPayload.ReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            throw NotABatch();
        List<StreamBatchEntry>? entries = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isRecords = reader.ValueTextEquals("Records"u8);
            reader.Read();
            if (!isRecords)
            {
                reader.Skip();
                continue;
            }
            if (entries is not null) throw TwoBatches();
            if (reader.TokenType != JsonTokenType.StartArray) throw NotABatch();
            entries = [];
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                entries.Add(ParseRecord(json[start..(int)reader.BytesConsumed], entries.Count));
            }
        }
        return entries ?? throw NotABatch();
    }

    private static InvalidEventException NotABatch()
        => new("The event is not a DynamoDB stream batch: no \"Records\" array.");

    private static StreamBatchEntry ParseRecord(ReadOnlySpan<byte> json, int index)
    {
        try
        {
            var record = JsonSerializer.Deserialize(json, LambdaJsonContext.Default.DynamodbStreamRecord);
            var sequenceNumber = record?.Dynamodb?.SequenceNumber is { Length: > 0 } s ? s : throw NoSequenceNumber(index);
            var problem = Validate(record);
            return problem is null
                ? new StreamBatchEntry(sequenceNumber, record, null)
                : new StreamBatchEntry(sequenceNumber, null, problem);
        }
        catch (JsonException ex)
        {
            // Only the failure path looks at the record a second time, for the number to report it under.
            var sequenceNumber = SequenceNumberOf(json) ?? throw NoSequenceNumber(index);
            // The path names attributes, never values: safe to log, and it tells where to look.
            var where = string.IsNullOrEmpty(ex.Path) ? "" : $" at {ex.Path}";
            return new StreamBatchEntry(sequenceNumber, null, $"Malformed record{where}: {ex.Message}");
        }
    }

    /// <summary>
    /// JSON allows a key twice and readers keep the last one, which would drop the first array's
    /// records without reporting them: which records the event carries is ambiguous, so none is read.
    /// </summary>
    private static InvalidEventException TwoBatches()
        => new("The event is malformed: it has more than one \"Records\" array, so which records it carries is ambiguous.");

    private static InvalidEventException NoSequenceNumber(int index)
        => new($"Record {index} has no dynamodb.SequenceNumber; it cannot be reported as a batch item failure.");

    /// <summary>dynamodb.SequenceNumber of a record that did not deserialize, found with a reader
    /// as deep as the scan's, so no nesting can turn one bad record into a failed batch.</summary>
    private static string? SequenceNumberOf(ReadOnlySpan<byte> record)
    {
        var reader = new Utf8JsonReader(record, LambdaPayload.ReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isDynamodb = reader.ValueTextEquals("dynamodb"u8);
            reader.Read();
            if (!isDynamodb || reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isSequence = reader.ValueTextEquals("SequenceNumber"u8);
                reader.Read();
                if (isSequence && reader.TokenType == JsonTokenType.String)
                    return reader.GetString() is { Length: > 0 } s ? s : null;
                reader.Skip();
            }
            return null;
        }
        return null;
    }

    private static string? Validate(DynamoDBEvent.DynamodbStreamRecord record)
    {
        if (record.EventName is not ("INSERT" or "MODIFY" or "REMOVE"))
            return "Malformed record: eventName must be INSERT, MODIFY or REMOVE.";
        if (record.Dynamodb?.Keys is not { Count: > 0 })
            return "Malformed record: dynamodb.Keys is missing or empty.";
        if (record.Dynamodb.ApproximateCreationDateTime == default)
            return "Malformed record: dynamodb.ApproximateCreationDateTime is missing.";
        return null;
    }
}

/// <summary>The invocation's input cannot be processed at all.</summary>
public sealed class InvalidEventException(string message) : Exception(message);
