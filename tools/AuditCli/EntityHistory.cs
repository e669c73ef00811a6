using AttributeValue = Functions.Events.DynamoDBEvent.AttributeValue;

namespace Functions.AuditCli;

/// <summary>The audit records of one entity, oldest first, and what they say of it at a point.</summary>
public sealed class EntityHistory
{
    public EntityHistory(EntityRef entity, IEnumerable<AuditChange> changes)
    {
        Entity = entity;
        Changes = changes.OrderBy(c => c.Timestamp, StringComparer.Ordinal).ToList();
    }

    public EntityRef Entity { get; }
    public IReadOnlyList<AuditChange> Changes { get; }

    /// <summary>The distinct full keys of the items under this id (several when the table's sort key tells them apart).</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, AttributeValue>> ItemKeys
        => Changes.Select(c => c.Keys).Aggregate(new List<IReadOnlyDictionary<string, AttributeValue>>(), (keys, key) =>
        {
            if (!keys.Any(k => Functions.Common.DynamoDb.AttributeValueEquality.MapEquals(k, key))) keys.Add(key);
            return keys;
        });

    /// <summary>
    /// The one item this history is about: the only one under the id, or the one whose sort key is
    /// <paramref name="sortKey"/>. Several items and no sort key given is a usage error that lists them.
    /// </summary>
    public EntityHistory ForOneItem(string? sortKey)
    {
        var keys = ItemKeys;
        if (sortKey is not null)
        {
            var matching = keys.Where(k => k.TryGetValue(Entity.Table.SortKey, out var v) && KeyValues.Matches(v, sortKey)).ToList();
            if (matching.Count == 0)
                throw new CliException(ExitCodes.NotFound,
                    $"{Entity.AuditKey} has no audited item with {Entity.Table.SortKey} = {sortKey} (its items: {Describe(keys)}).");
            return new EntityHistory(Entity, Changes.Where(c => c.IsOfKey(matching[0])));
        }
        if (keys.Count > 1)
            throw new CliException(ExitCodes.Usage,
                $"{Entity.AuditKey} covers {keys.Count} items of {Entity.TableName} (its sort key {Entity.Table.SortKey} tells them apart): " +
                $"{Describe(keys)}. Name one with --sort-key.");
        return this;
    }

    private string Describe(IReadOnlyList<IReadOnlyDictionary<string, AttributeValue>> keys)
        => string.Join(", ", keys.Select(k => k.TryGetValue(Entity.Table.SortKey, out var v) ? KeyValues.Text(v) : "(no sort key)"));

    public AuditChange Newest => Changes[^1];

    /// <summary>
    /// The item at a point: after the newest change at or before it; absent before a history that
    /// starts with its creation; unknown before a history that starts later (older records expired,
    /// or auditing began after the item was made).
    /// </summary>
    public (ItemState State, AuditChange? Basis) StateAt(AuditPoint point)
    {
        var basis = Changes.LastOrDefault(c => point.Includes(c.Timestamp));
        if (basis is not null) return (basis.StateAfter(), basis);
        var first = Changes[0];
        return first.EventName == "INSERT"
            ? (ItemState.Absent($"not yet created: it was inserted at {first.ChangeTime}"), null)
            : (ItemState.Unknown($"the audit trail has no record of it at or before {point}; its first, at {first.ShortTimestamp}, is a {first.EventName}, so what it was before is unknown"), null);
    }
}
