using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Functions.Common.Lambda;

/// <summary>
/// Payloads of the managed runtime's raw <c>Stream</c> handler signature, both ways.
/// </summary>
public static class LambdaPayload
{
    /// <summary>
    /// Deep enough that no payload Lambda can deliver (6 MB) fails as a whole for its nesting:
    /// a record that nests too deep fails alone, by the converter's own limit.
    /// </summary>
    public const int ScanMaxDepth = 10_000_000;

    public static readonly JsonReaderOptions ReaderOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        MaxDepth = ScanMaxDepth,
    };

    /// <summary>The event's bytes: the runtime hands over a MemoryStream, read in place.</summary>
    public static async Task<ReadOnlyMemory<byte>> ReadAsync(Stream input, CancellationToken cancellationToken = default)
    {
        if (input is MemoryStream memory && memory.TryGetBuffer(out var buffer))
            return WithoutByteOrderMark(buffer.AsMemory((int)memory.Position));
        using var copy = new MemoryStream();
        await input.CopyToAsync(copy, cancellationToken).ConfigureAwait(false);
        return WithoutByteOrderMark(copy.ToArray().AsMemory());
    }

    /// <summary>
    /// Editors and some of AWS's own sample files start JSON with a UTF-8 byte order mark, which
    /// Utf8JsonReader rejects; `sam local invoke` users expect such a file to work.
    /// </summary>
    public static ReadOnlyMemory<byte> WithoutByteOrderMark(ReadOnlyMemory<byte> json)
        => json.Span.StartsWith(ByteOrderMark) ? json[3..] : json;

    /// <inheritdoc cref="WithoutByteOrderMark(ReadOnlyMemory{byte})"/>
    public static ReadOnlySpan<byte> WithoutByteOrderMark(ReadOnlySpan<byte> json)
        => json.StartsWith(ByteOrderMark) ? json[3..] : json;

    private static ReadOnlySpan<byte> ByteOrderMark => "\uFEFF"u8;

    public static Stream Serialize<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        var output = new MemoryStream();
        JsonSerializer.Serialize(output, value, typeInfo);
        output.Position = 0; // the runtime copies a returned stream from its current position
        return output;
    }
}
