namespace Functions.ThrottleResponder;

/// <summary>A table's provisioned capacity as the response shows it.</summary>
internal sealed record TableCapacityView
{
    public long ReadCapacityUnits { get; init; }
    public long WriteCapacityUnits { get; init; }
    public IReadOnlyDictionary<string, IndexCapacityView> GlobalSecondaryIndexes { get; init; } = new Dictionary<string, IndexCapacityView>();

    public static TableCapacityView From(long read, long write, IEnumerable<IndexCapacity> indexes) => new()
    {
        ReadCapacityUnits = read,
        WriteCapacityUnits = write,
        GlobalSecondaryIndexes = indexes.ToDictionary(i => i.IndexName, i => new IndexCapacityView(i.Read, i.Write), StringComparer.Ordinal),
    };
}

internal sealed record IndexCapacityView(long ReadCapacityUnits, long WriteCapacityUnits);
