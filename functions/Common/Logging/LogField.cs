using System.Text.Json;

namespace Functions.Common.Logging;

/// <summary>A typed log field: keeps logging reflection-free.</summary>
public readonly struct LogField
{
    private readonly string _name;
    private readonly object? _value;

    private LogField(string name, object? value)
    {
        _name = name;
        _value = value;
    }

    public static implicit operator LogField((string Name, string? Value) field) => new(field.Name, field.Value);
    public static implicit operator LogField((string Name, long Value) field) => new(field.Name, field.Value);
    public static implicit operator LogField((string Name, int Value) field) => new(field.Name, (long)field.Value);
    public static implicit operator LogField((string Name, double Value) field) => new(field.Name, field.Value);
    public static implicit operator LogField((string Name, bool Value) field) => new(field.Name, field.Value);
    public static implicit operator LogField((string Name, string[] Value) field) => new(field.Name, field.Value);

    internal void WriteTo(Utf8JsonWriter json)
    {
        switch (_value)
        {
            case null: json.WriteNull(_name); break;
            case string s: json.WriteString(_name, s); break;
            case long l: json.WriteNumber(_name, l); break;
            case double d: json.WriteNumber(_name, Math.Round(d, 3)); break;
            case bool b: json.WriteBoolean(_name, b); break;
            case string[] items:
                json.WriteStartArray(_name);
                foreach (var item in items) json.WriteStringValue(item);
                json.WriteEndArray();
                break;
        }
    }
}
