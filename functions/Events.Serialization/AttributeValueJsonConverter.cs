using System.Text.Json;
using System.Text.Json.Serialization;
using AttributeValue = Functions.Events.DynamoDBEvent.AttributeValue;

namespace Functions.Events.Serialization;

/// <summary>
/// Reads and writes DynamoDB's typed JSON (<c>{"S":"x"}</c>, <c>{"N":"1"}</c>, ...) for
/// System.Text.Json. Reading is <see cref="AttributeValueReader"/>'s, strict so a malformed record
/// fails on its own instead of landing half-understood. Error messages name the problem, never
/// the value (values may be personal data).
/// </summary>
public sealed class AttributeValueJsonConverter : JsonConverter<AttributeValue>
{
    /// <summary>DynamoDB's own nesting limit for documents (maps and lists).</summary>
    public const int MaxDepth = AttributeValueReader.MaxDepth;

    // A JSON null where a value belongs must fail the record here, with its path, instead of
    // reaching the logic as a null entry of a map.
    public override bool HandleNull => true;

    public override AttributeValue Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var values = AttributeValueReader.ForThisThread();
        values.Reset();
        try
        {
            return values.ReadValue(ref reader, 0);
        }
        catch (MalformedValueException ex)
        {
            throw new JsonException(ex.Message); // the serializer adds where
        }
    }

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
