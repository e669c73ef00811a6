using System.Text.Json;
using static Functions.Events.DynamoDBEvent;

namespace Functions.Events.Serialization;

/// <summary>
/// Parses a DynamoDB stream event record by record, so one malformed record is reported by its
/// sequence number while the rest of the batch is processed. Only an event that is not JSON at
/// all, an event with no "Records" array or with two, or a record without a sequence number
/// (which Lambda could not checkpoint on) fails the whole invocation.
/// </summary>
public static class StreamBatch
{
    /// <summary>
    /// The record reader's nesting limit for what it skips (properties it does not know), as deep
    /// as a record's attribute values may go and more, so that only the record fails.
    /// </summary>
    private const int RecordMaxDepth = 128;

    public static async Task<IReadOnlyList<StreamBatchEntry>> ReadAsync(Stream input, CancellationToken cancellationToken = default)
    {
        using var payload = await LambdaPayload.RentAsync(input, cancellationToken).ConfigureAwait(false);
        return Parse(payload.Bytes.Span);
    }

    /// <summary>
    /// Reads the event in one pass, each record straight into its model. A record that breaks a
    /// rule is read to its end and reported under its sequence number; invalid JSON anywhere
    /// throws JsonException.
    /// </summary>
    public static IReadOnlyList<StreamBatchEntry> Parse(ReadOnlySpan<byte> json)
    {
        json = LambdaPayload.WithoutByteOrderMark(json);
        var reader = new Utf8JsonReader(json, LambdaPayload.ReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            throw NotABatch();
        var values = AttributeValueReader.ForThisThread();
        var strings = values.StartBatch();
        try
        {
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
                var records = new RecordReader(values, strings);
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    entries.Add(records.Read(ref reader, json, entries.Count));
            }
            return entries ?? throw NotABatch();
        }
        finally
        {
            // The parsed records hold what they need; the caches keep nothing between batches.
            values.Shared = null;
            strings.Clear();
        }
    }

    private static InvalidEventException NotABatch()
        => new("The event is not a DynamoDB stream batch: no \"Records\" array.");

    /// <summary>
    /// JSON allows a key twice and readers keep the last one, which would drop the first array's
    /// records without reporting them: which records the event carries is ambiguous, so none is read.
    /// </summary>
    private static InvalidEventException TwoBatches()
        => new("The event is malformed: it has more than one \"Records\" array, so which records it carries is ambiguous.");

    private static InvalidEventException NoSequenceNumber(int index)
        => new($"Record {index} has no dynamodb.SequenceNumber; it cannot be reported as a batch item failure.");

    /// <summary>
    /// One record at a time, by hand rather than through the serializer: field by field as the
    /// model is shaped (names case-sensitive, a field given twice keeps its last value, unknown
    /// fields skipped), with the strings every record repeats shared within the batch.
    /// </summary>
    private sealed class RecordReader(AttributeValueReader values, BatchStrings strings)
    {
        // Where the reader is in the record, for the path an error names ($.dynamodb.NewImage.total).
        private string? _field;
        private string? _streamField;

        public StreamBatchEntry Read(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, int index)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                throw NoSequenceNumber(index);
            }
            var start = (int)reader.TokenStartIndex;
            var depth = reader.CurrentDepth;
            DynamodbStreamRecord record;
            _field = _streamField = null;
            try
            {
                record = ReadRecord(ref reader, depth);
            }
            catch (Exception ex) when (ex is MalformedValueException or InvalidOperationException or FormatException)
            {
                // InvalidOperationException and FormatException: text the reader cannot turn into
                // a string (invalid UTF-8), as the serializer reported it. Read on to the record's
                // end; only this failure path looks at the record a second time, for the number to
                // report it under.
                var where = Path();
                values.Reset();
                while (reader.TokenType != JsonTokenType.EndObject || reader.CurrentDepth != depth)
                    reader.Read();
                var reported = SequenceNumberOf(json[start..]) ?? throw NoSequenceNumber(index);
                // The path names attributes, never values: safe to log, and it tells where to look.
                return new StreamBatchEntry(reported, null, $"Malformed record{(where is null ? "" : $" at {where}")}: {ex.Message}");
            }
            var sequenceNumber = record.Dynamodb?.SequenceNumber is { Length: > 0 } s ? s : throw NoSequenceNumber(index);
            var problem = Validate(record);
            return problem is null
                ? new StreamBatchEntry(sequenceNumber, record, null)
                : new StreamBatchEntry(sequenceNumber, null, problem);
        }

        private DynamodbStreamRecord ReadRecord(ref Utf8JsonReader reader, int depth)
        {
            var record = new DynamodbStreamRecord();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("dynamodb"u8)) record.Dynamodb = ReadStreamRecord(ref reader);
                else if (reader.ValueTextEquals("eventID"u8)) record.EventID = UniqueString(ref reader, "eventID", ref _field);
                else if (reader.ValueTextEquals("eventName"u8)) record.EventName = SharedString(ref reader, "eventName", ref _field);
                else if (reader.ValueTextEquals("eventVersion"u8)) record.EventVersion = SharedString(ref reader, "eventVersion", ref _field);
                else if (reader.ValueTextEquals("eventSource"u8)) record.EventSource = SharedString(ref reader, "eventSource", ref _field);
                else if (reader.ValueTextEquals("awsRegion"u8)) record.AwsRegion = SharedString(ref reader, "awsRegion", ref _field);
                else if (reader.ValueTextEquals("eventSourceARN"u8)) record.EventSourceArn = SharedString(ref reader, "eventSourceARN", ref _field);
                else if (reader.ValueTextEquals("userIdentity"u8)) record.UserIdentity = ReadIdentity(ref reader);
                else SkipUnknown(ref reader, depth, ref _field);
                _field = null;
            }
            return record;
        }

        private StreamRecord? ReadStreamRecord(ref Utf8JsonReader reader)
        {
            if (!StartObject(ref reader, "dynamodb", ref _field)) return null;
            var depth = reader.CurrentDepth - 1;
            var stream = new StreamRecord();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("NewImage"u8)) stream.NewImage = Item(ref reader, "NewImage");
                else if (reader.ValueTextEquals("OldImage"u8)) stream.OldImage = Item(ref reader, "OldImage");
                else if (reader.ValueTextEquals("Keys"u8)) stream.Keys = Item(ref reader, "Keys");
                else if (reader.ValueTextEquals("SequenceNumber"u8)) stream.SequenceNumber = UniqueString(ref reader, "SequenceNumber", ref _streamField);
                else if (reader.ValueTextEquals("ApproximateCreationDateTime"u8))
                {
                    Next(ref reader, "ApproximateCreationDateTime", ref _streamField);
                    stream.ApproximateCreationDateTime = LambdaDateTimeConverter.ReadEpoch(ref reader);
                }
                else if (reader.ValueTextEquals("SizeBytes"u8))
                {
                    Next(ref reader, "SizeBytes", ref _streamField);
                    stream.SizeBytes = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var size)
                        ? size
                        : throw new MalformedValueException("SizeBytes must be a whole number.");
                }
                else if (reader.ValueTextEquals("StreamViewType"u8)) stream.StreamViewType = SharedString(ref reader, "StreamViewType", ref _streamField);
                else SkipUnknown(ref reader, depth, ref _streamField);
                _streamField = null;
            }
            return stream;
        }

        private Identity? ReadIdentity(ref Utf8JsonReader reader)
        {
            if (!StartObject(ref reader, "userIdentity", ref _field)) return null;
            var depth = reader.CurrentDepth - 1;
            var identity = new Identity();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("type"u8)) identity.Type = SharedString(ref reader, "type", ref _streamField);
                else if (reader.ValueTextEquals("principalId"u8)) identity.PrincipalId = SharedString(ref reader, "principalId", ref _streamField);
                else SkipUnknown(ref reader, depth, ref _streamField);
                _streamField = null;
            }
            return identity;
        }

        private Dictionary<string, AttributeValue>? Item(ref Utf8JsonReader reader, string field)
            => StartObject(ref reader, field, ref _streamField) ? values.ReadItem(ref reader) : null;

        /// <summary>Onto the value of an object field: true on its start, false for a JSON null.</summary>
        private static bool StartObject(ref Utf8JsonReader reader, string field, ref string? at)
        {
            Next(ref reader, field, ref at);
            return reader.TokenType switch
            {
                JsonTokenType.StartObject => true,
                JsonTokenType.Null => false,
                _ => throw new MalformedValueException($"{field} must be an object."),
            };
        }

        /// <summary>A string each record has its own of (an id, a sequence number).</summary>
        private static string? UniqueString(ref Utf8JsonReader reader, string field, ref string? at)
        {
            Next(ref reader, field, ref at);
            return reader.TokenType switch
            {
                JsonTokenType.String => reader.GetString(),
                JsonTokenType.Null => null,
                _ => throw new MalformedValueException($"{field} must be a string."),
            };
        }

        /// <summary>A string records repeat (the event name, region, stream ARN): made once per batch.</summary>
        private string? SharedString(ref Utf8JsonReader reader, string field, ref string? at)
        {
            Next(ref reader, field, ref at);
            return reader.TokenType switch
            {
                JsonTokenType.String => strings.Names.Get(ref reader),
                JsonTokenType.Null => null,
                _ => throw new MalformedValueException($"{field} must be a string."),
            };
        }

        /// <summary>Moves from a property name onto its value, remembering the name for the error path.</summary>
        private static void Next(ref Utf8JsonReader reader, string? field, ref string? at)
        {
            at = field;
            reader.Read();
        }

        /// <summary>
        /// Skips a field the model does not have, refusing nesting beyond <see cref="RecordMaxDepth"/>
        /// within the record, as deserializing the record on its own did.
        /// </summary>
        private static void SkipUnknown(ref Utf8JsonReader reader, int recordDepth, ref string? at)
        {
            var name = reader.ValueSpan; // a slice of the event: still valid after the reader moves on
            Next(ref reader, null, ref at);
            if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray)) return;
            var depth = reader.CurrentDepth;
            do
            {
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray
                    && reader.CurrentDepth - recordDepth >= RecordMaxDepth)
                {
                    at = System.Text.Encoding.UTF8.GetString(name); // for the path; not in AWS's format
                    throw new MalformedValueException($"A field nests deeper than {RecordMaxDepth} levels.");
                }
                reader.Read();
            }
            while (reader.CurrentDepth > depth);
        }

        /// <summary>Where the error is: $.field, $.dynamodb.field or $.dynamodb.Image.attribute (the serializer's path format).</summary>
        private string? Path()
        {
            if (_field is null) return null;
            var path = "$" + JsonPathName(_field);
            if (_streamField is null) return path;
            path += JsonPathName(_streamField);
            return values.CurrentAttribute is { } attribute ? path + JsonPathName(attribute) : path;
        }
    }

    /// <summary>A name in a JSON path as System.Text.Json writes it: <c>.name</c>, or <c>['name']</c> when it holds a special character.</summary>
    internal static string JsonPathName(string name)
        => name.AsSpan().ContainsAny(PathSpecialCharacters) ? $"['{name}']" : "." + name;

    private static readonly System.Buffers.SearchValues<char> PathSpecialCharacters
        = System.Buffers.SearchValues.Create(". '/\"[]()\t\n\r\f\b\\\u0085\u2028\u2029");

    /// <summary>dynamodb.SequenceNumber of a record that did not read, found with a reader as deep
    /// as the scan's, so no nesting can turn one bad record into a failed batch.</summary>
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

    private static string? Validate(DynamodbStreamRecord record)
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
