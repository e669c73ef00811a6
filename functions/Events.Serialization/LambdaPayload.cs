using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Functions.Events.Serialization;

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

    /// <summary>
    /// The event's bytes, copied at most once: the runtime hands over a MemoryStream whose buffer
    /// is not exposed (<c>new MemoryStream(bytes)</c>), so its length is known and read whole.
    /// </summary>
    public static async Task<ReadOnlyMemory<byte>> ReadAsync(Stream input, CancellationToken cancellationToken = default)
    {
        if (input is MemoryStream memory && memory.TryGetBuffer(out var buffer))
            return WithoutByteOrderMark(buffer.AsMemory((int)memory.Position));
        if (input.CanSeek)
        {
            var bytes = new byte[input.Length - input.Position];
            await input.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
            return WithoutByteOrderMark(bytes.AsMemory());
        }
        using var copy = new MemoryStream();
        await input.CopyToAsync(copy, cancellationToken).ConfigureAwait(false);
        return WithoutByteOrderMark(copy.GetBuffer().AsMemory(0, (int)copy.Length));
    }

    /// <summary>
    /// The event's bytes for a reader that is done with them before it returns (the stream batch
    /// parser): a copy, when one is needed, goes to a pooled buffer, so a warm function does not
    /// allocate a multi-megabyte array per invocation. Dispose returns it.
    /// </summary>
    public static async Task<RentedPayload> RentAsync(Stream input, CancellationToken cancellationToken = default)
    {
        if (input is MemoryStream memory && memory.TryGetBuffer(out var buffer))
            return new RentedPayload(buffer.AsMemory((int)memory.Position), null);
        var length = input.CanSeek ? (int)(input.Length - input.Position) : 64 * 1024;
        var rented = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        var filled = 0;
        try
        {
            while (true)
            {
                if (filled == rented.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(rented.Length * 2);
                    rented.AsSpan(0, filled).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(rented);
                    rented = larger;
                }
                var read = await input.ReadAsync(rented.AsMemory(filled), cancellationToken).ConfigureAwait(false);
                if (read == 0) break;
                filled += read;
            }
            return new RentedPayload(rented.AsMemory(0, filled), rented);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(rented);
            throw;
        }
    }

    /// <summary>Bytes that may live in a pooled buffer: use them before disposing.</summary>
    public readonly struct RentedPayload(ReadOnlyMemory<byte> bytes, byte[]? rented) : IDisposable
    {
        public ReadOnlyMemory<byte> Bytes { get; } = bytes;

        public void Dispose()
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
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
