using StreamValue = Functions.Events.DynamoDBEvent.AttributeValue;
using SdkValue = Amazon.DynamoDBv2.Model.AttributeValue;

namespace Functions.Common.DynamoDb;

/// <summary>Converts the event model's attribute values to the AWS SDK's, type for type.</summary>
public static class AttributeValueMapper
{
    public static Dictionary<string, SdkValue> ToSdk(IReadOnlyDictionary<string, StreamValue> item)
    {
        var result = new Dictionary<string, SdkValue>(item.Count, StringComparer.Ordinal);
        foreach (var (name, value) in item) result[name] = ToSdk(value);
        return result;
    }

    public static SdkValue ToSdk(StreamValue value)
    {
        if (value.S is not null) return new SdkValue { S = value.S };
        if (value.N is not null) return new SdkValue { N = value.N };
        if (value.B is not null) return new SdkValue { B = new MemoryStream(value.B, writable: false) };
        if (value.SS is not null) return new SdkValue { SS = [.. value.SS] };
        if (value.NS is not null) return new SdkValue { NS = [.. value.NS] };
        if (value.BS is not null) return new SdkValue { BS = value.BS.Select(b => new MemoryStream(b, writable: false)).ToList() };
        if (value.M is not null) return new SdkValue { M = ToSdk(value.M) };
        if (value.L is not null) return new SdkValue { L = value.L.Select(ToSdk).ToList() };
        if (value.BOOL is not null) return new SdkValue { BOOL = value.BOOL };
        return new SdkValue { NULL = true };
    }

    public static StreamValue FromSdk(SdkValue value)
    {
        if (value.S is not null) return new StreamValue { S = value.S };
        if (value.N is not null) return new StreamValue { N = value.N };
        if (value.B is not null) return new StreamValue { B = value.B.ToArray() };
        if (value.SS is not null) return new StreamValue { SS = [.. value.SS] };
        if (value.NS is not null) return new StreamValue { NS = [.. value.NS] };
        if (value.BS is not null) return new StreamValue { BS = value.BS.Select(b => b.ToArray()).ToList() };
        if (value.M is not null) return new StreamValue { M = FromSdk(value.M) };
        if (value.L is not null) return new StreamValue { L = value.L.Select(FromSdk).ToList() };
        if (value.BOOL is not null) return new StreamValue { BOOL = value.BOOL };
        return new StreamValue { NULL = true };
    }

    public static Dictionary<string, StreamValue> FromSdk(IReadOnlyDictionary<string, SdkValue> item)
    {
        var result = new Dictionary<string, StreamValue>(item.Count, StringComparer.Ordinal);
        foreach (var (name, value) in item) result[name] = FromSdk(value);
        return result;
    }
}
