using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Functions.Common.Audit;
using Functions.Common.DynamoDb;
using Functions.Events;
using Functions.Events.Serialization;
using Functions.Common.Runtime;
using RetryPolicy = Functions.Common.DynamoDb.RetryPolicy;
using StreamValue = Functions.Events.DynamoDBEvent.AttributeValue;

namespace Functions.AuditCli;

/// <summary>What an undo's write did: the exit code and one line for the operator.</summary>
public sealed record UndoOutcome(int ExitCode, string Message);

/// <summary>
/// The tool's few DynamoDB calls: the audit records of one entity, the item as it is, and the
/// undo's conditional writes. Reads are retried by the suite's RetryPolicy; writes are sent once
/// (a resent conditional write would fail on its own first success), and a lost answer is
/// settled by reading the item back.
/// </summary>
public sealed class AuditStore(IAmazonDynamoDB dynamo, TimeProvider clock, string endpoint)
{
    private static readonly TimeSpan CallBudget = TimeSpan.FromMinutes(2);
    private readonly RetryPolicy _retry = new();

    /// <summary>The entity's audit records, oldest first, within the inclusive sort-key bounds.</summary>
    public async Task<List<AuditChange>> ReadAsync(EntityRef entity, string? lowerBound = null, string? upperBound = null)
    {
        var names = new Dictionary<string, string> { ["#pk"] = AuditKey.PartitionAttribute };
        var values = new Dictionary<string, AttributeValue> { [":pk"] = new() { S = entity.AuditKey } };
        var condition = "#pk = :pk";
        if (lowerBound is not null || upperBound is not null)
        {
            names["#ts"] = AuditKey.SortAttribute;
            if (lowerBound is not null) values[":lo"] = new() { S = lowerBound };
            if (upperBound is not null) values[":hi"] = new() { S = upperBound };
            condition += lowerBound is not null && upperBound is not null ? " AND #ts BETWEEN :lo AND :hi"
                : lowerBound is not null ? " AND #ts >= :lo" : " AND #ts <= :hi";
        }

        var changes = new List<AuditChange>();
        Dictionary<string, AttributeValue>? start = null;
        using var deadline = InvocationDeadline.Start(CallBudget, clock);
        do
        {
            var request = new QueryRequest
            {
                TableName = entity.AuditTableName,
                KeyConditionExpression = condition,
                ExpressionAttributeNames = names,
                ExpressionAttributeValues = values,
                ConsistentRead = true,
                ExclusiveStartKey = start,
            };
            var page = await CallAsync(entity.AuditTableName, () => _retry.ExecuteAsync(t => dynamo.QueryAsync(request, t), deadline, "Query")).ConfigureAwait(false);
            changes.AddRange((page.Items ?? []).Select(AuditChange.FromItem));
            start = page.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        } while (start is not null);
        return changes;
    }

    /// <summary>The item as it is now (a strongly consistent read), or null when there is none.</summary>
    public async Task<Dictionary<string, StreamValue>?> CurrentAsync(EntityRef entity, IReadOnlyDictionary<string, StreamValue> key)
    {
        using var deadline = InvocationDeadline.Start(CallBudget, clock);
        var request = new GetItemRequest { TableName = entity.TableName, Key = AttributeValueMapper.ToSdk(key), ConsistentRead = true };
        var response = await CallAsync(entity.TableName, () => _retry.ExecuteAsync(t => dynamo.GetItemAsync(request, t), deadline, "GetItem")).ConfigureAwait(false);
        return response.Item is { Count: > 0 } item ? AttributeValueMapper.FromSdk(item) : null;
    }

    public async Task<UndoOutcome> ApplyAsync(EntityRef entity, UndoPlan plan, string actorAttribute, string actor)
        => plan.Action switch
        {
            UndoAction.PutBack => await PutBackAsync(entity, plan, $"{actorAttribute} = {actor}").ConfigureAwait(false),
            UndoAction.Delete => await DeleteAsync(entity, plan, actorAttribute, actor).ConfigureAwait(false),
            _ => new UndoOutcome(ExitCodes.Ok, plan.Summary),
        };

    private async Task<UndoOutcome> PutBackAsync(EntityRef entity, UndoPlan plan, string actorMark)
    {
        var request = ConditionalWrites.PutBack(entity.TableName, plan.Key, plan.Expected, plan.Write!);
        try
        {
            var response = await CallAsync(entity.TableName, () => dynamo.UpdateItemAsync(request), transportIsFinal: false).ConfigureAwait(false);
            var added = AddedNames(response.Attributes, plan.Expected);
            return added.Count == 0
                ? new UndoOutcome(ExitCodes.Ok, $"Put back: {entity.AuditKey} is as it was, with {actorMark}.")
                : new UndoOutcome(ExitCodes.PartlyDone,
                    $"Put back, but a change came in between and added {string.Join(", ", added)}, which the undo kept (it never overwrites what it has not seen).");
        }
        catch (ConditionalCheckFailedException ex)
        {
            return Raced(entity, plan.Expected, ex.Item, "nothing written", ExitCodes.Conflict);
        }
        catch (Exception ex) when (RetryPolicy.IsOutcomeUnknown(ex))
        {
            var now = await CurrentAsync(entity, plan.Key).ConfigureAwait(false);
            return now is not null && AttributeValueEquality.MapEquals(now, plan.Write!)
                ? new UndoOutcome(ExitCodes.Ok, $"Put back (the write's answer was lost; read back, {entity.AuditKey} is as the undo wrote it).")
                : new UndoOutcome(ExitCodes.Failed, $"The write's answer was lost ({DynamoDbErrors.Describe(ex)}) and {entity.AuditKey} is not as the undo would write it; look at `history`.");
        }
    }

    /// <summary>
    /// The actor mark, then the delete conditional on every attribute the mark's ALL_NEW returned.
    /// A condition cannot say "no other attribute" (<see cref="ConditionalWrites"/>), so an
    /// attribute a change adds between the two passes it unseen: the delete's ALL_OLD shows it,
    /// and the item is written back as that change left it, unless an item was made there since.
    /// </summary>
    private async Task<UndoOutcome> DeleteAsync(EntityRef entity, UndoPlan plan, string actorAttribute, string actor)
    {
        var actorMark = $"{actorAttribute} = {actor}";
        Dictionary<string, StreamValue> marked;
        try
        {
            var response = await CallAsync(entity.TableName, () => dynamo.UpdateItemAsync(
                ConditionalWrites.MarkActor(entity.TableName, plan.Key, plan.Expected!, actorAttribute, actor)), transportIsFinal: false).ConfigureAwait(false);
            marked = AttributeValueMapper.FromSdk(response.Attributes ?? []);
        }
        catch (ConditionalCheckFailedException ex)
        {
            return Raced(entity, plan.Expected, ex.Item, "nothing written", ExitCodes.Conflict);
        }
        catch (Exception ex) when (RetryPolicy.IsOutcomeUnknown(ex))
        {
            return Lost(entity, ex);
        }
        var added = AddedNames(AttributeValueMapper.ToSdk(marked), plan.Expected).Where(n => n != actorAttribute).ToList();
        if (added.Count > 0)
            return new UndoOutcome(ExitCodes.PartlyDone,
                $"Not deleted: a change came in between and added {string.Join(", ", added)}. {entity.AuditKey} keeps it, with {actorMark} written.");
        Dictionary<string, AttributeValue> deleted;
        try
        {
            var response = await CallAsync(entity.TableName, () => dynamo.DeleteItemAsync(ConditionalWrites.Delete(entity.TableName, plan.Key, marked)), transportIsFinal: false).ConfigureAwait(false);
            deleted = response.Attributes ?? [];
        }
        catch (ConditionalCheckFailedException ex)
        {
            return Raced(entity, marked, ex.Item, $"not deleted, and it keeps {actorMark}", ExitCodes.PartlyDone);
        }
        catch (Exception ex) when (RetryPolicy.IsOutcomeUnknown(ex))
        {
            return Lost(entity, ex);
        }
        var unseen = AddedNames(deleted, marked);
        return unseen.Count == 0
            ? new UndoOutcome(ExitCodes.Ok, $"Deleted: {entity.AuditKey} did not exist then; {actorMark} was written first, so the audit trail names who removed it.")
            : await WriteBackAsync(entity, plan.Key, deleted, unseen, actorMark).ConfigureAwait(false);
    }

    /// <summary>The item a delete removed with attributes it had not seen, put back as it was; if that cannot be done, what was lost, said whole.</summary>
    private async Task<UndoOutcome> WriteBackAsync(EntityRef entity, IReadOnlyDictionary<string, StreamValue> key,
        Dictionary<string, AttributeValue> deleted, List<string> unseen, string actorMark)
    {
        var image = AttributeValueMapper.FromSdk(deleted);
        var names = string.Join(", ", unseen);
        var writtenBack = new UndoOutcome(ExitCodes.PartlyDone,
            $"Not deleted: a change added {names} between the actor mark and the delete, which the delete's condition cannot see; " +
            $"{entity.AuditKey} was written back as that change left it (with {actorMark}), so the audit trail shows a REMOVE and an INSERT.");
        string Removed(string why) =>
            $"The delete removed {names}, which a change had added between the actor mark and the delete, and {why}. What it removed: " +
            string.Join(", ", unseen.Select(n => $"{n} = {ValueText.Format(image[n])}")) + "; the audit trail's REMOVE record holds the whole item.";
        try
        {
            await CallAsync(entity.TableName, () => dynamo.PutItemAsync(ConditionalWrites.WriteBack(entity.TableName, key, deleted)), transportIsFinal: false).ConfigureAwait(false);
            return writtenBack;
        }
        catch (ConditionalCheckFailedException)
        {
            return new UndoOutcome(ExitCodes.Failed, Removed($"{entity.AuditKey} could not be written back: an item was made there since, and it stands"));
        }
        catch (Exception ex) when (RetryPolicy.IsOutcomeUnknown(ex))
        {
            var now = await CurrentAsync(entity, key).ConfigureAwait(false);
            return now is not null && AttributeValueEquality.MapEquals(now, image)
                ? writtenBack
                : new UndoOutcome(ExitCodes.Failed, Removed($"the answer to writing it back was lost ({DynamoDbErrors.Describe(ex)}) and {entity.AuditKey} is not as it was"));
        }
    }

    private static UndoOutcome Raced(EntityRef entity, IReadOnlyDictionary<string, StreamValue>? expected, Dictionary<string, AttributeValue>? found, string result, int exitCode)
    {
        var now = found is { Count: > 0 } ? AttributeValueMapper.FromSdk(found) : null;
        var what = found is null ? "" : now is null ? " (it was deleted)" : $" (it changed in {string.Join(", ", ItemDiff.Between(expected, now).Select(c => c.Path))})";
        return new UndoOutcome(exitCode, $"{entity.AuditKey} changed between the undo's read and its write{what}: {result}.");
    }

    private static UndoOutcome Lost(EntityRef entity, Exception ex)
        => new(ExitCodes.Failed, $"The answer to a write of the undo was lost ({DynamoDbErrors.Describe(ex)}): look at `history` of {entity.AuditKey} before trying again.");

    private static List<string> AddedNames(Dictionary<string, AttributeValue>? old, IReadOnlyDictionary<string, StreamValue>? expected)
        => (old ?? []).Keys.Where(n => expected is null || !expected.ContainsKey(n)).Order(StringComparer.Ordinal).ToList();

    /// <summary>AWS errors as one line that says what to check.</summary>
    /// <param name="transportIsFinal">False for a write, whose lost answer the caller settles by reading back.</param>
    private async Task<T> CallAsync<T>(string table, Func<Task<T>> call, bool transportIsFinal = true)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (ResourceNotFoundException)
        {
            throw new CliException(ExitCodes.Aws, $"Table {table} does not exist in {endpoint}: check --app, --env and the region.");
        }
        catch (AmazonServiceException ex) when (ex.ErrorCode is "AccessDeniedException" or "UnrecognizedClientException" or "ExpiredTokenException"
                                                    or "InvalidSignatureException" or "MissingAuthenticationTokenException")
        {
            throw new CliException(ExitCodes.Aws, $"{ex.ErrorCode} on {table} in {endpoint}: {ex.Message}");
        }
        catch (Exception ex) when (!transportIsFinal && RetryPolicy.IsOutcomeUnknown(ex))
        {
            throw;
        }
        catch (AmazonClientException ex)
        {
            throw new CliException(ExitCodes.Aws, DynamoDbConnection.Explain(ex));
        }
        catch (HttpRequestException ex)
        {
            throw new CliException(ExitCodes.Aws, $"No answer from {endpoint}: {ex.Message}");
        }
    }
}
