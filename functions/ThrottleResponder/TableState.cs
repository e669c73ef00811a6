using System.Globalization;

namespace Functions.ThrottleResponder;

/// <summary>A table as the responder needs to know it: status, billing mode, capacity of the table and each GSI.</summary>
internal sealed record TableState(
    string Name, string Status, string BillingMode, long Read, long Write, IReadOnlyList<IndexCapacity> Indexes,
    DateTimeOffset? LastSwitchToOnDemand, string Arn = "")
{
    public const string Provisioned = "PROVISIONED";
    public const string OnDemand = "PAY_PER_REQUEST";

    public static TableState From(TableDescription table) => new(
        table.TableName,
        table.TableStatus?.Value ?? "",
        // A table created provisioned before billing modes existed has no summary.
        table.BillingModeSummary?.BillingMode?.Value ?? Provisioned,
        table.ProvisionedThroughput?.ReadCapacityUnits ?? 0,
        table.ProvisionedThroughput?.WriteCapacityUnits ?? 0,
        (table.GlobalSecondaryIndexes ?? [])
            .Select(i => new IndexCapacity(i.IndexName, i.ProvisionedThroughput?.ReadCapacityUnits ?? 0, i.ProvisionedThroughput?.WriteCapacityUnits ?? 0))
            .ToList(),
        table.BillingModeSummary?.LastUpdateToPayPerRequestDateTime is { } last
            ? new DateTimeOffset(DateTime.SpecifyKind(last.ToUniversalTime(), DateTimeKind.Utc))
            : null,
        table.TableArn ?? "");

    /// <summary>The provisioned capacity, as the audit record keeps it for a restore.</summary>
    public Dictionary<string, AttributeValue> CapacityForAudit() => new(StringComparer.Ordinal)
    {
        ["billingMode"] = new() { S = Provisioned },
        ["readCapacityUnits"] = Number(Read),
        ["writeCapacityUnits"] = Number(Write),
        ["globalSecondaryIndexes"] = new()
        {
            M = Indexes.ToDictionary(i => i.IndexName, i => new AttributeValue
            {
                M = new Dictionary<string, AttributeValue> { ["readCapacityUnits"] = Number(i.Read), ["writeCapacityUnits"] = Number(i.Write) },
            }, StringComparer.Ordinal),
        },
    };

    /// <summary>The capacity an audit record kept; null when the record holds none.</summary>
    public static (long Read, long Write, IReadOnlyList<IndexCapacity> Indexes)? CapacityFromAudit(IReadOnlyDictionary<string, AttributeValue>? before)
    {
        if (before is null || !TryNumber(before, "readCapacityUnits", out var read) || !TryNumber(before, "writeCapacityUnits", out var write))
            return null;
        var indexes = new List<IndexCapacity>();
        if (before.TryGetValue("globalSecondaryIndexes", out var gsis) && gsis.M is { } map)
            foreach (var (name, value) in map)
                if (value.M is { } capacity && TryNumber(capacity, "readCapacityUnits", out var r) && TryNumber(capacity, "writeCapacityUnits", out var w))
                    indexes.Add(new IndexCapacity(name, r, w));
        return (read, write, indexes);
    }

    internal static AttributeValue Number(long value) => new() { N = value.ToString(CultureInfo.InvariantCulture) };

    private static bool TryNumber(IReadOnlyDictionary<string, AttributeValue> map, string name, out long value)
    {
        value = 0;
        return map.TryGetValue(name, out var attribute) && attribute.N is { } n
               && long.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value > 0;
    }
}
