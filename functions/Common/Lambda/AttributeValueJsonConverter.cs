using System.Text.Json;
using System.Text.Json.Serialization;
using AttributeValue = Functions.Common.Lambda.DynamoDBEvent.AttributeValue;

namespace Functions.Common.Lambda;

/// <summary>
/// Reads and writes DynamoDB's typed JSON (<c>{"S":"x"}</c>, <c>{"N":"1"}</c>, ...). Reading is
/// strict so a malformed record fails on its own instead of landing half-understood. Error
/// messages name the problem, never the value (values may be personal data).
/// </summary>
public sealed class AttributeValueJsonConverter : JsonConverter<AttributeValue>
{
    /// <summary>DynamoDB's own nesting limit for documents (maps and lists).</summary>
    public const int MaxDepth = 32;

    // A JSON null where a value belongs must fail the record here, with its path, instead of
    // reaching the logic as a null entry of a map.
    public override bool HandleNull => true;

    public override AttributeValue Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        => ReadValue(ref reader, 0);

    /// <param name="depth">How many maps and lists enclose this value.</param>
    private static AttributeValue ReadValue(ref Utf8JsonReader reader, int depth)
    {
        if (reader.TokenType == JsonTokenType.Null)
            throw new JsonException("An attribute value is null; it must be an object with one type key, such as {\"S\": ...}.");
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new JsonException("An attribute value must be an object with one type key, such as {\"S\": ...}.");

        AttributeValue? result = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var type = reader.GetString()!;
            if (result is not null)
                throw new JsonException($"An attribute value has more than one type key ('{type}').");
            reader.Read();
            result = ReadTyped(ref reader, type, depth);
        }
        return result ?? throw new JsonException("An attribute value has no type key.");
    }

    private static AttributeValue ReadTyped(ref Utf8JsonReader reader, string type, int depth) => type switch
    {
        "S" => new AttributeValue { S = ReadString(ref reader, type) },
        "N" => new AttributeValue { N = ReadNumber(ref reader, type) },
        "B" => new AttributeValue { B = ReadBinary(ref reader, type) },
        "SS" => new AttributeValue { SS = ReadSet(ref reader, type, ReadString, s => s) },
        "NS" => new AttributeValue { NS = ReadSet(ref reader, type, ReadNumber, DynamoNumber.CanonicalOrSelf) },
        "BS" => new AttributeValue { BS = ReadSet(ref reader, type, ReadBinary, Convert.ToBase64String) },
        "M" => new AttributeValue { M = ReadMap(ref reader, Nested(depth)) },
        "L" => new AttributeValue { L = ReadList(ref reader, Nested(depth)) },
        "NULL" => reader.TokenType == JsonTokenType.True
            ? new AttributeValue { NULL = true }
            : throw new JsonException("'NULL' must be true."),
        "BOOL" => reader.TokenType is JsonTokenType.True or JsonTokenType.False
            ? new AttributeValue { BOOL = reader.GetBoolean() }
            : throw new JsonException("'BOOL' must be true or false."),
        _ => throw new JsonException($"Unknown attribute type '{Truncate(type)}'."),
    };

    private static int Nested(int depth)
        => depth < MaxDepth
            ? depth + 1
            : throw new JsonException($"Maps and lists nest deeper than DynamoDB's limit of {MaxDepth} levels.");

    private delegate T ElementReader<out T>(ref Utf8JsonReader reader, string type);

    private static string ReadString(ref Utf8JsonReader reader, string type)
        => reader.TokenType == JsonTokenType.String
            ? reader.GetString()!
            : throw new JsonException($"'{type}' must hold a string.");

    private static string ReadNumber(ref Utf8JsonReader reader, string type)
    {
        var text = ReadString(ref reader, type);
        return DynamoNumber.IsValid(text)
            ? text
            : throw new JsonException(
                $"'{type}' must hold a decimal number string DynamoDB accepts: at most 38 significant digits, magnitude 1E-130 to 9.99E+125, no spaces.");
    }

    private static byte[] ReadBinary(ref Utf8JsonReader reader, string type)
    {
        if (reader.TokenType != JsonTokenType.String || !reader.TryGetBytesFromBase64(out var bytes))
            throw new JsonException($"'{type}' must hold base64.");
        return bytes;
    }

    /// <summary>A set as DynamoDB accepts it: not empty, no member twice (numbers compared by value).</summary>
    private static List<T> ReadSet<T>(ref Utf8JsonReader reader, string type, ElementReader<T> readElement, Func<T, string> identity)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
            throw new JsonException($"'{type}' must hold an array.");
        var items = new List<T>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var item = readElement(ref reader, type);
            if (!seen.Add(identity(item)))
                throw new JsonException($"'{type}' holds the same member twice; DynamoDB sets have distinct members.");
            items.Add(item);
        }
        return items.Count > 0 ? items : throw new JsonException($"'{type}' must not be empty.");
    }

    private static Dictionary<string, AttributeValue> ReadMap(ref Utf8JsonReader reader, int depth)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new JsonException("'M' must hold an object.");
        var map = new Dictionary<string, AttributeValue>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString()!;
            reader.Read();
            map[name] = ReadValue(ref reader, depth);
        }
        return map;
    }

    private static List<AttributeValue> ReadList(ref Utf8JsonReader reader, int depth)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
            throw new JsonException("'L' must hold an array.");
        var list = new List<AttributeValue>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            list.Add(ReadValue(ref reader, depth));
        return list;
    }

    private static string Truncate(string type) => type.Length <= 16 ? type : type[..16] + "...";

    public override void Write(Utf8JsonWriter writer, AttributeValue value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        if (value.S is not null) writer.WriteString("S", value.S);
        else if (value.N is not null) writer.WriteString("N", value.N);
        else if (value.B is not null) writer.WriteBase64String("B", value.B);
        else if (value.SS is not null) WriteArray(writer, "SS", value.SS, (w, s) => w.WriteStringValue(s));
        else if (value.NS is not null) WriteArray(writer, "NS", value.NS, (w, s) => w.WriteStringValue(s));
        else if (value.BS is not null) WriteArray(writer, "BS", value.BS, (w, b) => w.WriteBase64StringValue(b));
        else if (value.M is not null)
        {
            writer.WriteStartObject("M");
            foreach (var (name, item) in value.M)
            {
                writer.WritePropertyName(name);
                Write(writer, item, options);
            }
            writer.WriteEndObject();
        }
        else if (value.L is not null) WriteArray(writer, "L", value.L, (w, item) => Write(w, item, options));
        else if (value.BOOL is not null) writer.WriteBoolean("BOOL", value.BOOL.Value);
        else writer.WriteBoolean("NULL", true);
        writer.WriteEndObject();
    }

    private static void WriteArray<T>(Utf8JsonWriter writer, string name, List<T> items, Action<Utf8JsonWriter, T> writeItem)
    {
        writer.WriteStartArray(name);
        foreach (var item in items) writeItem(writer, item);
        writer.WriteEndArray();
    }
}
