namespace Functions.Events.Serialization;

/// <summary>The string caches one stream batch shares, per thread, cleared for each batch.</summary>
internal sealed class BatchStrings
{
    /// <summary>Attribute and field names, and the record fields every record repeats (a stream ARN fits).</summary>
    public Utf8StringCache Names { get; } = new(maxLength: 512);

    /// <summary>String values: an unchanged attribute's old value is its new one.</summary>
    public Utf8StringCache Strings { get; } = new(maxLength: 64);

    /// <summary>Number values, checked once when first made.</summary>
    public Utf8StringCache Numbers { get; } = new(maxLength: 64);

    public void Clear()
    {
        Names.Clear();
        Strings.Clear();
        Numbers.Clear();
    }
}
