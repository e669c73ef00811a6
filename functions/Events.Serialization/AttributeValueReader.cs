using System.Text.Json;
using AttributeValue = Functions.Events.DynamoDBEvent.AttributeValue;

namespace Functions.Events.Serialization;

/// <summary>
/// Reads DynamoDB's typed JSON (<c>{"S":"x"}</c>, <c>{"N":"1"}</c>, ...) strictly, in one pass,
/// so a malformed record fails on its own instead of landing half-understood: numbers as
/// DynamoDB accepts them, sets not empty and without a member twice, maps and lists at most
/// <see cref="MaxDepth"/> deep, no JSON null for a value. Built for the stream batch's hot path:
/// type keys are matched on their bytes, maps and lists are sized once from per-thread scratch
/// stacks, sets are checked without a hash set until they are large.
/// </summary>
internal sealed class AttributeValueReader
{
    /// <summary>DynamoDB's own nesting limit for documents (maps and lists).</summary>
    public const int MaxDepth = 32;

    // Below this many members a set is checked for repeats member by member, without allocating.
    private const int SmallSet = 16;

    [ThreadStatic] private static AttributeValueReader? s_forThread;

    private readonly ScratchStack<KeyValuePair<string, AttributeValue>> _entries = new();
    private readonly ScratchStack<AttributeValue> _items = new();
    private readonly ScratchStack<string> _strings = new();
    private readonly ScratchStack<byte[]> _binaries = new();

    /// <summary>Reading is synchronous and strictly nested, so one reader per thread serves every caller.</summary>
    public static AttributeValueReader ForThisThread() => s_forThread ??= new AttributeValueReader();

    /// <summary>This thread's string caches for a batch (empty: the last batch cleared them).</summary>
    public BatchStrings StartBatch()
    {
        Reset(); // an earlier batch that failed as a whole may have left state behind
        return Shared = _batchStrings ??= new BatchStrings();
    }

    private BatchStrings? _batchStrings;

    /// <summary>The strings one batch shares (names, string and number values); null makes each one afresh.</summary>
    public BatchStrings? Shared { get; set; }

    /// <summary>The top-level attribute being read: where an error is, for its path.</summary>
    public string? CurrentAttribute { get; private set; }

    /// <summary>Forgets what an earlier, failed read left on the scratch stacks.</summary>
    public void Reset()
    {
        _entries.Reset();
        _items.Reset();
        _strings.Reset();
        _binaries.Reset();
        CurrentAttribute = null;
    }

    /// <summary>An item (keys or an image): attribute names to values, the reader on its start.</summary>
    public Dictionary<string, AttributeValue> ReadItem(ref Utf8JsonReader reader)
    {
        var start = _entries.Count;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = Name(ref reader);
            CurrentAttribute = name;
            reader.Read();
            _entries.Push(new(name, ReadValue(ref reader, 0)));
        }
        CurrentAttribute = null;
        return ToMap(start);
    }

    /// <param name="depth">How many maps and lists enclose this value.</param>
    public AttributeValue ReadValue(ref Utf8JsonReader reader, int depth)
    {
        if (reader.TokenType == JsonTokenType.Null)
            throw new MalformedValueException("An attribute value is null; it must be an object with one type key, such as {\"S\": ...}.");
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new MalformedValueException("An attribute value must be an object with one type key, such as {\"S\": ...}.");

        AttributeValue? result = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var type = TypeOf(ref reader);
            if (result is not null)
                throw new MalformedValueException($"An attribute value has more than one type key ('{reader.GetString()}').");
            var unknown = type == TypeKey.Unknown ? reader.GetString()! : null;
            reader.Read();
            result = type switch
            {
                TypeKey.S => new AttributeValue { S = ReadString(ref reader, "S") },
                TypeKey.N => new AttributeValue { N = ReadNumber(ref reader, "N") },
                TypeKey.B => new AttributeValue { B = ReadBinary(ref reader, "B") },
                TypeKey.SS => new AttributeValue { SS = ReadStringSet(ref reader, "SS") },
                TypeKey.NS => new AttributeValue { NS = ReadStringSet(ref reader, "NS") },
                TypeKey.BS => new AttributeValue { BS = ReadBinarySet(ref reader) },
                TypeKey.M => new AttributeValue { M = ReadMap(ref reader, Nested(depth)) },
                TypeKey.L => new AttributeValue { L = ReadList(ref reader, Nested(depth)) },
                TypeKey.NULL => reader.TokenType == JsonTokenType.True
                    ? new AttributeValue { NULL = true }
                    : throw new MalformedValueException("'NULL' must be true."),
                TypeKey.BOOL => reader.TokenType is JsonTokenType.True or JsonTokenType.False
                    ? new AttributeValue { BOOL = reader.TokenType == JsonTokenType.True }
                    : throw new MalformedValueException("'BOOL' must be true or false."),
                _ => throw new MalformedValueException($"Unknown attribute type '{Truncate(unknown!)}'."),
            };
        }
        return result ?? throw new MalformedValueException("An attribute value has no type key.");
    }

    private enum TypeKey { Unknown, S, N, B, SS, NS, BS, M, L, NULL, BOOL }

    /// <summary>The type key under the reader, matched on its bytes: no string per value.</summary>
    private static TypeKey TypeOf(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped || reader.HasValueSequence) return TypeOf(reader.GetString()!);
        var key = reader.ValueSpan;
        return key.Length switch
        {
            1 => key[0] switch
            {
                (byte)'S' => TypeKey.S,
                (byte)'N' => TypeKey.N,
                (byte)'M' => TypeKey.M,
                (byte)'L' => TypeKey.L,
                (byte)'B' => TypeKey.B,
                _ => TypeKey.Unknown,
            },
            2 when key[1] == (byte)'S' => key[0] switch
            {
                (byte)'S' => TypeKey.SS,
                (byte)'N' => TypeKey.NS,
                (byte)'B' => TypeKey.BS,
                _ => TypeKey.Unknown,
            },
            4 when key.SequenceEqual("NULL"u8) => TypeKey.NULL,
            4 when key.SequenceEqual("BOOL"u8) => TypeKey.BOOL,
            _ => TypeKey.Unknown,
        };
    }

    private static TypeKey TypeOf(string key) => key switch
    {
        "S" => TypeKey.S,
        "N" => TypeKey.N,
        "B" => TypeKey.B,
        "SS" => TypeKey.SS,
        "NS" => TypeKey.NS,
        "BS" => TypeKey.BS,
        "M" => TypeKey.M,
        "L" => TypeKey.L,
        "NULL" => TypeKey.NULL,
        "BOOL" => TypeKey.BOOL,
        _ => TypeKey.Unknown,
    };

    private static int Nested(int depth)
        => depth < MaxDepth
            ? depth + 1
            : throw new MalformedValueException($"Maps and lists nest deeper than DynamoDB's limit of {MaxDepth} levels.");

    private string ReadString(ref Utf8JsonReader reader, string type)
        => reader.TokenType != JsonTokenType.String ? throw new MalformedValueException($"'{type}' must hold a string.")
            : Shared is { } shared ? shared.Strings.Get(ref reader)
            : reader.GetString()!;

    private string ReadNumber(ref Utf8JsonReader reader, string type)
        => reader.TokenType != JsonTokenType.String ? throw new MalformedValueException($"'{type}' must hold a string.")
            : Shared is { } shared ? shared.Numbers.Get(ref reader, type == "N" ? CheckN : CheckNS)
            : Checked(reader.GetString()!, type);

    private static readonly Action<string> CheckN = n => Checked(n, "N");
    private static readonly Action<string> CheckNS = n => Checked(n, "NS");

    private static string Checked(string number, string type)
        => DynamoNumber.IsValid(number)
            ? number
            : throw new MalformedValueException(
                $"'{type}' must hold a decimal number string DynamoDB accepts: at most 38 significant digits, magnitude 1E-130 to 9.99E+125, no spaces.");

    private static byte[] ReadBinary(ref Utf8JsonReader reader, string type)
    {
        if (reader.TokenType != JsonTokenType.String || !reader.TryGetBytesFromBase64(out var bytes))
            throw new MalformedValueException($"'{type}' must hold base64.");
        return bytes;
    }

    /// <summary>SS or NS: strings, or numbers compared by value ("1.5" and "1.50" are the same member).</summary>
    private List<string> ReadStringSet(ref Utf8JsonReader reader, string type)
    {
        var numbers = type == "NS";
        var start = StartSet(ref reader, type, _strings);
        var members = new SetMembers<string>(numbers ? DynamoNumber.AreEqual : string.Equals, numbers ? DynamoNumber.CanonicalOrSelf : s => s);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            members.Add(type, _strings, start, numbers ? ReadNumber(ref reader, type) : ReadString(ref reader, type));
        return EndSet(type, _strings, start);
    }

    private List<byte[]> ReadBinarySet(ref Utf8JsonReader reader)
    {
        var start = StartSet(ref reader, "BS", _binaries);
        var members = new SetMembers<byte[]>(static (a, b) => a.AsSpan().SequenceEqual(b), Convert.ToBase64String);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            members.Add("BS", _binaries, start, ReadBinary(ref reader, "BS"));
        return EndSet("BS", _binaries, start);
    }

    private static int StartSet<T>(ref Utf8JsonReader reader, string type, ScratchStack<T> scratch)
        => reader.TokenType == JsonTokenType.StartArray ? scratch.Count : throw new MalformedValueException($"'{type}' must hold an array.");

    private static List<T> EndSet<T>(string type, ScratchStack<T> scratch, int start)
        => scratch.Count > start ? scratch.PopList(start) : throw new MalformedValueException($"'{type}' must not be empty.");

    /// <summary>
    /// A set as DynamoDB accepts it: no member twice. Small sets are compared member by member,
    /// without allocating; a large one switches to a hash set of identities.
    /// </summary>
    private struct SetMembers<T>(Func<T, T, bool> same, Func<T, string> identity)
    {
        private HashSet<string>? _seen;

        public void Add(string type, ScratchStack<T> scratch, int start, T item)
        {
            var members = scratch.Since(start);
            bool repeated;
            if (_seen is not null) repeated = !_seen.Add(identity(item));
            else if (members.Length < SmallSet)
            {
                repeated = false;
                foreach (var member in members)
                    if (same(member, item))
                    {
                        repeated = true;
                        break;
                    }
            }
            else
            {
                _seen = new HashSet<string>(members.Length * 2, StringComparer.Ordinal);
                foreach (var member in members) _seen.Add(identity(member));
                repeated = !_seen.Add(identity(item));
            }
            if (repeated)
                throw new MalformedValueException($"'{type}' holds the same member twice; DynamoDB sets have distinct members.");
            scratch.Push(item);
        }
    }

    private Dictionary<string, AttributeValue> ReadMap(ref Utf8JsonReader reader, int depth)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new MalformedValueException("'M' must hold an object.");
        var start = _entries.Count;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = Name(ref reader);
            reader.Read();
            _entries.Push(new(name, ReadValue(ref reader, depth)));
        }
        return ToMap(start);
    }

    private List<AttributeValue> ReadList(ref Utf8JsonReader reader, int depth)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
            throw new MalformedValueException("'L' must hold an array.");
        var start = _items.Count;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            _items.Push(ReadValue(ref reader, depth));
        return _items.PopList(start);
    }

    private string Name(ref Utf8JsonReader reader) => Shared is { } shared ? shared.Names.Get(ref reader) : reader.GetString()!;

    /// <summary>The entries pushed since <paramref name="start"/> as a map of their exact size; a name given twice keeps its last value.</summary>
    private Dictionary<string, AttributeValue> ToMap(int start)
    {
        var entries = _entries.Since(start);
        var map = new Dictionary<string, AttributeValue>(entries.Length, StringComparer.Ordinal);
        foreach (var (name, value) in entries) map[name] = value;
        _entries.Pop(start);
        return map;
    }

    private static string Truncate(string type) => type.Length <= 16 ? type : type[..16] + "...";
}
