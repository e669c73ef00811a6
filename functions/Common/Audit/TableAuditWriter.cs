using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Functions.Common.DynamoDb;
using Functions.Common.Runtime;
using Functions.Common.Tables;

namespace Functions.Common.Audit;

/// <summary>
/// Writes table changes to the audit table once: the put is conditional on the key being new, so
/// a replay of the same change (the same run's retry, another delivery of an alarm) finds its
/// record and writes nothing. Each put carries its own id, so a put that landed but whose answer
/// was lost, sent again, finds its own record and still knows it wrote it: a caller may count the
/// change when, and only when, this returns true.
/// </summary>
public sealed class TableAuditWriter(IAmazonDynamoDB dynamoDb, string auditTable, RetryPolicy retry)
{
    public string AuditTable => auditTable;

    /// <summary>True when written by this call; false when this very change was already audited.</summary>
    public async Task<bool> PutOnceAsync(TableChange change, InvocationDeadline deadline)
    {
        var item = TableAuditRecord.Item(change);
        var writeId = Guid.NewGuid().ToString("N");
        item[TableAuditRecord.WriteId] = new AttributeValue { S = writeId };
        try
        {
            await retry.ExecuteAsync(token => dynamoDb.PutItemAsync(new PutItemRequest
            {
                TableName = auditTable,
                Item = item,
                ConditionExpression = "attribute_not_exists(#pk)",
                ExpressionAttributeNames = new() { ["#pk"] = TableCatalog.Audit.PartitionKey },
                ReturnValuesOnConditionCheckFailure = ReturnValuesOnConditionCheckFailure.ALL_OLD,
            }, token), deadline, "PutItem (audit)").ConfigureAwait(false);
            return true;
        }
        catch (ConditionalCheckFailedException ex)
        {
            return ex.Item is { } stored && stored.TryGetValue(TableAuditRecord.WriteId, out var id) && id.S == writeId;
        }
    }
}
