using System.Text;
using System.Text.Json;

namespace Functions.Events.Serialization;

/// <summary>
/// Strings a stream batch repeats, made once instead of once per occurrence: attribute names and
/// the stream's ARN recur in every record, and most values of a MODIFY's old image recur in its
/// new image. A 1,000-record batch otherwise allocates tens of thousands of copies of the same
/// strings, and collecting them is much of what parsing a large batch costs. Direct-mapped: a
/// string that collides replaces the one in its slot, so memory stays fixed and a batch of all
/// different strings costs one failed comparison each.
/// </summary>
internal sealed class Utf8StringCache(int maxLength)
{
    private const int Slots = 1024; // a power of two

    private readonly string?[] _strings = new string?[Slots];
    private readonly int[] _hashes = new int[Slots];

    public void Clear() => Array.Clear(_strings);

    /// <summary>The reader's current string or property name, as <see cref="Utf8JsonReader.GetString"/> would return it.</summary>
    public string Get(ref Utf8JsonReader reader) => Get(ref reader, validate: null);

    /// <summary>
    /// As <see cref="Get(ref Utf8JsonReader)"/>, the string checked by <paramref name="validate"/>
    /// (which throws) when it is made: a cached string was valid when it was cached.
    /// </summary>
    public string Get(ref Utf8JsonReader reader, Action<string>? validate)
    {
        if (reader.ValueIsEscaped || reader.HasValueSequence || reader.ValueSpan.Length > maxLength)
            return Made(reader.GetString()!, validate);
        var bytes = reader.ValueSpan;
        var hash = new HashCode();
        hash.AddBytes(bytes);
        var code = hash.ToHashCode();
        var slot = code & (Slots - 1);
        // Ascii.Equals compares bytes to chars and is false for anything not ASCII, which then
        // is made afresh every time: still correct.
        if (_strings[slot] is { } cached && _hashes[slot] == code && Ascii.Equals(bytes, cached)) return cached;
        var text = Made(reader.GetString()!, validate);
        _strings[slot] = text;
        _hashes[slot] = code;
        return text;
    }

    private static string Made(string text, Action<string>? validate)
    {
        validate?.Invoke(text);
        return text;
    }
}
