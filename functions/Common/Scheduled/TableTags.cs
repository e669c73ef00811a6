using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Functions.Common.DynamoDb;
using Functions.Common.Runtime;

namespace Functions.Common.Scheduled;

/// <summary>The opt-out tags operators put on a table (<c>backup=skip</c>, <c>pitr=off</c>).</summary>
public static class TableTags
{
    /// <summary>True when the table carries the tag; the value compares without case or spaces.</summary>
    public static async Task<bool> HasAsync(IAmazonDynamoDB dynamoDb, ControlPlane controlPlane, string tableArn, string key, string value, InvocationDeadline deadline)
    {
        string? token = null;
        do
        {
            var page = await controlPlane.CallAsync("ListTagsOfResource",
                t => dynamoDb.ListTagsOfResourceAsync(new ListTagsOfResourceRequest { ResourceArn = tableArn, NextToken = token }, t),
                deadline).ConfigureAwait(false);
            if ((page.Tags ?? []).Any(tag => tag.Key == key && string.Equals(tag.Value?.Trim(), value, StringComparison.OrdinalIgnoreCase)))
                return true;
            token = string.IsNullOrEmpty(page.NextToken) ? null : page.NextToken;
        } while (token is not null);
        return false;
    }
}
