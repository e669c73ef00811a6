namespace Functions.Common.Tables;

/// <summary>A business table of the platform: its name suffix, the entity it holds and its key.</summary>
public sealed record BusinessTable(string Suffix, string EntityType, string PartitionKey, string SortKey);

/// <summary>
/// The business tables of an environment, named <c>{app}-{env}-{suffix}</c>. Mirrors the key
/// schemas in template.yaml (a test keeps the two in step).
/// </summary>
public static class BusinessTables
{
    public static IReadOnlyList<BusinessTable> All { get; } =
    [
        new("products", "product", "productId", "version"),
        new("customers", "customer", "customerId", "timestamp"),
        new("applications", "application", "applicationId", "status#timestamp"),
        new("pricing-rules", "pricing-rule", "ruleId", "effectiveDate"),
        new("quotes", "quote", "quoteId", "customerId#timestamp"),
        new("orders", "order", "orderId", "customerId#timestamp"),
    ];

    /// <summary>
    /// The business table a full table name refers to. With a prefix (<c>{app}-{env}-</c>) the
    /// rest of the name must be a known suffix; without one the longest matching suffix wins.
    /// </summary>
    public static BusinessTable? Find(string tableName, string? prefix = null)
    {
        if (!string.IsNullOrEmpty(prefix) && tableName.StartsWith(prefix, StringComparison.Ordinal))
        {
            var suffix = tableName[prefix.Length..];
            return All.FirstOrDefault(t => t.Suffix == suffix);
        }
        return All
            .Where(t => tableName == t.Suffix || tableName.EndsWith("-" + t.Suffix, StringComparison.Ordinal))
            .MaxBy(t => t.Suffix.Length);
    }
}

public static class StreamArn
{
    /// <summary>
    /// The table name of <c>arn:aws:dynamodb:REGION:ACCOUNT:table/NAME/stream/LABEL</c>, or null
    /// when the value is not a DynamoDB stream ARN.
    /// </summary>
    public static string? TableName(string? arn)
    {
        if (string.IsNullOrEmpty(arn) || !arn.StartsWith("arn:", StringComparison.Ordinal)) return null;
        var resource = arn.Split(':', 6) is { Length: 6 } parts ? parts[5] : null;
        var segments = resource?.Split('/');
        return segments is { Length: >= 2 } && segments[0] == "table" && segments[1].Length > 0 ? segments[1] : null;
    }
}
