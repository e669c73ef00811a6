using StreamValue = Functions.Events.DynamoDBEvent.AttributeValue;

namespace Functions.AuditCli;

/// <summary>What DynamoDB answered the call of an <see cref="UndoState"/>.</summary>
internal abstract record UndoAnswer
{
    /// <summary>The write went through. <c>Item</c>: what it returned (ALL_OLD of the put-back and the delete, ALL_NEW of the mark); empty for none.</summary>
    internal sealed record Written(IReadOnlyDictionary<string, StreamValue> Item) : UndoAnswer;

    /// <summary>The write's condition failed, so it wrote nothing. <c>Found</c>: the item DynamoDB returned with the failure, empty when there is none, null when it returned nothing.</summary>
    internal sealed record ConditionFailed(IReadOnlyDictionary<string, StreamValue>? Found) : UndoAnswer;

    /// <summary>The answer was lost (a timeout, a reset): whether the write landed is unknown.</summary>
    internal sealed record AnswerLost(string Error) : UndoAnswer;

    /// <summary>The item as a strongly consistent read finds it, null when there is none.</summary>
    internal sealed record ReadBack(IReadOnlyDictionary<string, StreamValue>? Item) : UndoAnswer;
}
