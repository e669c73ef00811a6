using Functions.Common.DynamoDb;
using AttributeValue = Functions.Events.DynamoDBEvent.AttributeValue;

namespace Functions.AuditCli;

/// <summary>
/// Decides an undo from the audit records of one item and the item as it is now. Pure: every
/// refusal is a <see cref="CliException"/> with its reason and exit code, and nothing is written
/// unless the plan says so.
/// </summary>
public static class UndoPlanner
{
    public static UndoPlan Plan(EntityHistory history, AuditPoint to, IReadOnlyDictionary<string, AttributeValue>? current,
        string actorAttribute, string actor)
    {
        var entity = history.Entity.AuditKey;
        var newest = history.Newest;
        var audited = newest.StateAfter();

        // It never overwrites what it has not seen: the item must be what the newest record says.
        if (!audited.IsKnown)
            throw CannotTell($"{entity} cannot be checked against its newest audit record: {audited.UnknownBecause}. Nothing written.");
        if (audited.RedactedPaths.Count > 0)
            throw CannotTell($"{entity} cannot be checked against its newest audit record ({newest.ShortTimestamp}): it holds redacted values ({Paths(audited.RedactedPaths)}). Nothing written.");
        if (!SameItem(audited.Attributes, current))
        {
            var differs = ItemDiff.Between(audited.Attributes, current).Select(c => c.Path).ToList();
            throw CannotTell(
                $"{entity} changed after its newest audit record ({newest.ShortTimestamp}): " +
                (current is null ? "it no longer exists" : audited.Exists ? $"it differs in {Paths(differs)}" : "it exists again") +
                ". The audit trail has not seen that change yet (it follows the stream by seconds) or never saw it; look at `history` again. Nothing written.");
        }

        var (target, basis) = history.StateAt(to);
        if (!target.IsKnown)
            throw CannotTell($"What {entity} was at {to} is not known: {target.UnknownBecause}. Nothing written.");
        if (target.RedactedPaths.Count > 0)
            throw CannotTell($"{entity} at {to} ({basis!.ShortTimestamp}) holds redacted values the audit trail never kept ({Paths(target.RedactedPaths)}). Nothing written.");

        var key = newest.Keys;
        if (!target.Exists)
        {
            return current is null
                ? new UndoPlan(UndoAction.Nothing, $"{entity} did not exist at {to}, and does not exist now: nothing to do.", key, null, null, [], basis)
                : new UndoPlan(UndoAction.Delete, $"{entity} did not exist at {to} ({target.AbsentBecause}): delete it.", key, current, null,
                    ItemDiff.Between(current, null), basis);
        }

        var write = new Dictionary<string, AttributeValue>(target.Attributes!, StringComparer.Ordinal)
        {
            [actorAttribute] = AttributeValue.FromS(actor),
        };
        if (current is not null && AttributeValueEquality.MapEquals(Without(current, actorAttribute), Without(target.Attributes!, actorAttribute)))
            return new UndoPlan(UndoAction.Nothing, $"{entity} already is as it was at {to} ({actorAttribute} aside): nothing to do.", key, current, null, [], basis);
        var by = basis!.Actor is { } who ? $" by {who}" : "";
        var when = to.Timestamp is not null
            ? $"right after the {basis.EventName} at {basis.ShortTimestamp}{by}"
            : $"at {to} (after the {basis.EventName} at {basis.ShortTimestamp}{by})";
        return new UndoPlan(UndoAction.PutBack,
            $"{entity} is put back as it was {when}" + (current is null ? " (it does not exist now)." : "."),
            key, current, write, ItemDiff.Between(current, write), basis);
    }

    private static bool SameItem(IReadOnlyDictionary<string, AttributeValue>? audited, IReadOnlyDictionary<string, AttributeValue>? current)
        => audited is null || current is null ? audited is null && current is null : AttributeValueEquality.MapEquals(audited, current);

    private static Dictionary<string, AttributeValue> Without(IReadOnlyDictionary<string, AttributeValue> image, string attribute)
        => image.Where(e => e.Key != attribute).ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);

    private static string Paths(IReadOnlyList<string> paths)
        => paths.Count <= 5 ? string.Join(", ", paths) : string.Join(", ", paths.Take(5)) + $" and {paths.Count - 5} more";

    private static CliException CannotTell(string message) => new(ExitCodes.CannotTell, message);
}
