using AttributeValue = Functions.Events.DynamoDBEvent.AttributeValue;

namespace Functions.AuditCli;

/// <summary>
/// What an undo will do. <see cref="Expected"/> is the item as the newest audit record has it
/// (null: absent), which the write is conditional on; <see cref="Write"/> what it puts (null for a delete).
/// </summary>
public sealed record UndoPlan(
    UndoAction Action, string Summary, IReadOnlyDictionary<string, AttributeValue> Key,
    IReadOnlyDictionary<string, AttributeValue>? Expected, IReadOnlyDictionary<string, AttributeValue>? Write,
    IReadOnlyList<AttributeChange> Diff, AuditChange? Basis);
