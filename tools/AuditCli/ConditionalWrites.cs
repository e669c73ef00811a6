using System.Globalization;
using Amazon.DynamoDBv2.Model;
using Functions.Common.DynamoDb;
using StreamValue = Functions.Events.DynamoDBEvent.AttributeValue;

namespace Functions.AuditCli;

/// <summary>
/// The undo's writes, each conditional on the item being exactly what the undo read, so a change
/// that comes in between fails the write and changes nothing. The condition names every
/// attribute of that image with <c>=</c>, which DynamoDB supports on every type, lists and maps
/// included, comparing numbers by value and sets in any order (API reference, Condition:
/// "EQ is supported for all data types, including lists and maps"; checked on DynamoDB Local and
/// moto). No expression can say "and no other attribute": every function of the expression
/// language takes one attribute's path (Developer Guide, "Condition and filter expressions,
/// operators, and functions"), and a transaction's ConditionCheck uses the same language. The
/// put-back is therefore an UpdateItem that sets and removes only what differs, so an attribute a
/// concurrent write adds (and the condition cannot see) is kept, never overwritten, and reported
/// from ALL_OLD; a delete, which cannot keep one, is checked by its ALL_OLD and undone by
/// <see cref="WriteBack"/> (AuditStore).
/// </summary>
public static class ConditionalWrites
{
    /// <summary>DynamoDB's limits on one expression: 300 operators or functions, 4 KB of text (Developer Guide, "Constraints").</summary>
    public const int MaxOperators = 300;
    public const int MaxExpressionLength = 4096;

    public static UpdateItemRequest PutBack(string table, IReadOnlyDictionary<string, StreamValue> key,
        IReadOnlyDictionary<string, StreamValue>? expected, IReadOnlyDictionary<string, StreamValue> write)
    {
        var expression = new Expression(key);
        var condition = expression.Matches(expected);
        var sets = write.Where(e => !key.ContainsKey(e.Key) && !(expected?.TryGetValue(e.Key, out var was) == true && AttributeValueEquality.DeepEquals(was, e.Value)))
            .OrderBy(e => e.Key, StringComparer.Ordinal)
            .Select(e => $"{expression.Name(e.Key)} = {expression.Value(e.Value)}").ToList();
        var removes = (expected?.Keys ?? []).Where(name => !key.ContainsKey(name) && !write.ContainsKey(name))
            .Order(StringComparer.Ordinal).Select(expression.Name).ToList();
        var update = string.Join(" ", new[] { sets.Count > 0 ? "SET " + string.Join(", ", sets) : null, removes.Count > 0 ? "REMOVE " + string.Join(", ", removes) : null }
            .Where(part => part is not null));
        Expression.CheckLimits("update", update, sets.Count + removes.Count);
        // ALL_OLD: what was there, so an attribute a racing write added can be named.
        return Update(table, key, expression, condition, update, Amazon.DynamoDBv2.ReturnValue.ALL_OLD);
    }

    /// <summary>
    /// The first step of a delete: the actor written into the item, so the audit trail records who
    /// removed it (a REMOVE record has no new image to take an actor from).
    /// </summary>
    public static UpdateItemRequest MarkActor(string table, IReadOnlyDictionary<string, StreamValue> key,
        IReadOnlyDictionary<string, StreamValue> expected, string actorAttribute, string actor)
    {
        // The delete after it is conditional on the marked item, one attribute more: an item too
        // large for that condition is refused here, before the mark is written.
        Delete(table, key, new Dictionary<string, StreamValue>(expected, StringComparer.Ordinal) { [actorAttribute] = StreamValue.FromS(actor) });
        var expression = new Expression(key);
        var condition = expression.Matches(expected);
        var update = $"SET {expression.Name(actorAttribute)} = {expression.Value(StreamValue.FromS(actor))}";
        // ALL_NEW: the image the delete is then conditional on.
        return Update(table, key, expression, condition, update, Amazon.DynamoDBv2.ReturnValue.ALL_NEW);
    }

    private static UpdateItemRequest Update(string table, IReadOnlyDictionary<string, StreamValue> key, Expression expression,
        string condition, string update, Amazon.DynamoDBv2.ReturnValue returnValues) => new()
    {
        TableName = table,
        Key = AttributeValueMapper.ToSdk(key),
        ConditionExpression = condition,
        UpdateExpression = update,
        ExpressionAttributeNames = expression.Names,
        ExpressionAttributeValues = expression.Values,
        ReturnValues = returnValues,
        // What the item was when the condition failed: the conflict is reported by what changed.
        ReturnValuesOnConditionCheckFailure = Amazon.DynamoDBv2.ReturnValuesOnConditionCheckFailure.ALL_OLD,
    };

    public static DeleteItemRequest Delete(string table, IReadOnlyDictionary<string, StreamValue> key, IReadOnlyDictionary<string, StreamValue> expected)
    {
        var expression = new Expression(key);
        return new DeleteItemRequest
        {
            TableName = table,
            Key = AttributeValueMapper.ToSdk(key),
            ConditionExpression = expression.Matches(expected),
            ExpressionAttributeNames = expression.Names,
            ExpressionAttributeValues = expression.Values,
            ReturnValues = Amazon.DynamoDBv2.ReturnValue.ALL_OLD,
            ReturnValuesOnConditionCheckFailure = Amazon.DynamoDBv2.ReturnValuesOnConditionCheckFailure.ALL_OLD,
        };
    }

    /// <summary>
    /// Puts a deleted item back exactly as the delete's ALL_OLD had it, only where no item has been
    /// made since: a write that came after the delete is never overwritten.
    /// </summary>
    public static PutItemRequest WriteBack(string table, IReadOnlyDictionary<string, StreamValue> key, IReadOnlyDictionary<string, StreamValue> deleted)
    {
        var expression = new Expression(key);
        return new PutItemRequest
        {
            TableName = table,
            Item = AttributeValueMapper.ToSdk(deleted),
            ConditionExpression = expression.Matches(null),
            ExpressionAttributeNames = expression.Names,
            ReturnValuesOnConditionCheckFailure = Amazon.DynamoDBv2.ReturnValuesOnConditionCheckFailure.ALL_OLD,
        };
    }

    /// <summary>Placeholders for names and values (any attribute name works, reserved words included).</summary>
    private sealed class Expression(IReadOnlyDictionary<string, StreamValue> key)
    {
        private readonly Dictionary<string, string> _placeholders = new(StringComparer.Ordinal);

        public Dictionary<string, string> Names { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, Amazon.DynamoDBv2.Model.AttributeValue> Values { get; } = new(StringComparer.Ordinal);

        public string Name(string attribute)
        {
            if (_placeholders.TryGetValue(attribute, out var placeholder)) return placeholder;
            placeholder = "#n" + _placeholders.Count.ToString(CultureInfo.InvariantCulture);
            _placeholders[attribute] = placeholder;
            Names[placeholder] = attribute;
            return placeholder;
        }

        public string Value(StreamValue value)
        {
            var placeholder = ":v" + Values.Count.ToString(CultureInfo.InvariantCulture);
            Values[placeholder] = AttributeValueMapper.ToSdk(value);
            return placeholder;
        }

        /// <summary>The item is exactly <paramref name="image"/> (null: there is no item), as far as a condition can say.</summary>
        public string Matches(IReadOnlyDictionary<string, StreamValue>? image)
        {
            // Every item has all its key attributes: whether one exists says whether the item does.
            var keyAttribute = Name(key.Keys.Order(StringComparer.Ordinal).First());
            if (image is null) return $"attribute_not_exists({keyAttribute})";
            var equalities = image.Where(e => !key.ContainsKey(e.Key)).OrderBy(e => e.Key, StringComparer.Ordinal)
                .Select(e => $"{Name(e.Key)} = {Value(e.Value)}").ToList();
            var condition = string.Join(" AND ", [$"attribute_exists({keyAttribute})", .. equalities]);
            CheckLimits("condition", condition, 1 + 2 * equalities.Count);
            return condition;
        }

        public static void CheckLimits(string what, string expression, int operators)
        {
            if (operators > MaxOperators || expression.Length > MaxExpressionLength)
                throw new CliException(ExitCodes.CannotTell,
                    $"The item has too many attributes for one conditional write: its {what} expression would need {operators} operators " +
                    $"and {expression.Length} characters (DynamoDB allows {MaxOperators} operators and {MaxExpressionLength} characters). Nothing written; " +
                    "`show --json` prints the image to put back by hand.");
        }
    }
}
