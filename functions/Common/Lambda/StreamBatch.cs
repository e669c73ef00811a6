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
    {
        using var document = await JsonDocument.ParseAsync(input, default, cancellationToken).ConfigureAwait(false);
        return Parse(document.RootElement);
    }

    public static IReadOnlyList<StreamBatchEntry> Parse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("Records", out var records)
            || records.ValueKind != JsonValueKind.Array)
            throw new InvalidEventException("The event is not a DynamoDB stream batch: no \"Records\" array.");

        var entries = new List<StreamBatchEntry>(records.GetArrayLength());
        var index = 0;
        foreach (var element in records.EnumerateArray())
        {
            entries.Add(ParseRecord(element, index));
            index++;
        }
        return entries;
    }

    private static StreamBatchEntry ParseRecord(JsonElement element, int index)
    {
        var sequenceNumber = SequenceNumberOf(element)
            ?? throw new InvalidEventException(
                $"Record {index} has no dynamodb.SequenceNumber; it cannot be reported as a batch item failure.");
        try
        {
            var record = element.Deserialize(LambdaJsonContext.Default.DynamodbStreamRecord)!;
            var problem = Validate(record);
            return problem is null
                ? new StreamBatchEntry(sequenceNumber, record, null)
                : new StreamBatchEntry(sequenceNumber, null, problem);
        }
        catch (JsonException ex)
        {
            return new StreamBatchEntry(sequenceNumber, null, $"Malformed record: {ex.Message}");
        }
    }

    private static string? SequenceNumberOf(JsonElement record)
        => record.ValueKind == JsonValueKind.Object
           && record.TryGetProperty("dynamodb", out var dynamodb)
           && dynamodb.ValueKind == JsonValueKind.Object
           && dynamodb.TryGetProperty("SequenceNumber", out var sequence)
           && sequence.ValueKind == JsonValueKind.String
           && !string.IsNullOrEmpty(sequence.GetString())
            ? sequence.GetString()
            : null;

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
