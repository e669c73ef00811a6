using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Functions.Common.Audit;
using Functions.Common.DynamoDb;
using Functions.Common.Runtime;
using RetryPolicy = Functions.Common.DynamoDb.RetryPolicy;
using StreamValue = Functions.Events.DynamoDBEvent.AttributeValue;

namespace Functions.AuditCli;

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

    /// <summary>
    /// The undo's calls, one per state, until it ends (<see cref="UndoProgress.Next"/> decides
    /// what each answer leads to). Writes are sent once: a resent conditional write would fail on
    /// its own first success, so a lost answer is settled by reading the item back.
    /// </summary>
    internal async Task<UndoProgress> UndoAsync(EntityRef entity, UndoProgress undo)
    {
        while (!undo.IsFinished)
            undo = undo.Next(await AnswerAsync(entity, undo).ConfigureAwait(false));
        return undo;
    }

    private async Task<UndoAnswer> AnswerAsync(EntityRef entity, UndoProgress undo)
    {
        var (table, key, plan) = (entity.TableName, undo.Plan.Key, undo.Plan);
        if (undo.State is UndoState.ReadingBackPutBack or UndoState.ReadingBackWriteBack)
            return new UndoAnswer.ReadBack(await CurrentAsync(entity, key).ConfigureAwait(false));
        try
        {
            Dictionary<string, AttributeValue>? returned = undo.State switch
            {
                UndoState.PuttingBack => (await CallAsync(table, () => dynamo.UpdateItemAsync(
                    ConditionalWrites.PutBack(table, key, plan.Expected, plan.Write!)), transportIsFinal: false).ConfigureAwait(false)).Attributes,
                UndoState.MarkingActor => (await CallAsync(table, () => dynamo.UpdateItemAsync(
                    ConditionalWrites.MarkActor(table, key, plan.Expected!, undo.ActorAttribute, undo.Actor)), transportIsFinal: false).ConfigureAwait(false)).Attributes,
                UndoState.Deleting => (await CallAsync(table, () => dynamo.DeleteItemAsync(
                    ConditionalWrites.Delete(table, key, undo.Marked!)), transportIsFinal: false).ConfigureAwait(false)).Attributes,
                UndoState.WritingBack => await WriteBackAsync().ConfigureAwait(false),
                _ => throw new InvalidOperationException($"No call in state {undo.State}."),
            };
            return new UndoAnswer.Written(AttributeValueMapper.FromSdk(returned ?? []));
        }
        catch (ConditionalCheckFailedException ex)
        {
            // What the item was when the condition failed (ALL_OLD): the conflict is reported by what changed.
            return new UndoAnswer.ConditionFailed(ex.Item is null ? null : AttributeValueMapper.FromSdk(ex.Item));
        }
        catch (Exception ex) when (RetryPolicy.IsOutcomeUnknown(ex))
        {
            return new UndoAnswer.AnswerLost(DynamoDbErrors.Describe(ex));
        }

        async Task<Dictionary<string, AttributeValue>?> WriteBackAsync()
        {
            await CallAsync(table, () => dynamo.PutItemAsync(ConditionalWrites.WriteBack(table, key, undo.Deleted!)), transportIsFinal: false).ConfigureAwait(false);
            return null;
        }
    }

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
