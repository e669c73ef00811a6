namespace Functions.Common.Tables;

public enum TableRole
{
    /// <summary>Holds the platform's entities; its stream feeds the audit trail.</summary>
    Business,
    Audit,
    Analytics,
}

/// <summary>One table of an environment: its name suffix, role, key and (business tables) entity.</summary>
public sealed record CatalogTable(string Suffix, TableRole Role, string PartitionKey, string SortKey, string? EntityType = null)
{
    public string NameIn(TablePrefix prefix) => prefix.Value + Suffix;
}

/// <summary>
/// Every table of an environment, named <c>{app}-{env}-{suffix}</c>. Mirrors the key schemas in
/// template.yaml (a test keeps the two in step).
/// </summary>
public static class TableCatalog
{
    public static CatalogTable Audit { get; } = new("audit", TableRole.Audit, "entityType#entityId", "timestamp");
    public static CatalogTable MerchantAnalytics { get; } = new("merchant-analytics", TableRole.Analytics, "merchantId", "eventType#timestamp");

    public static IReadOnlyList<CatalogTable> Business { get; } =
    [
        new("products", TableRole.Business, "productId", "version", "product"),
        new("customers", TableRole.Business, "customerId", "timestamp", "customer"),
        new("applications", TableRole.Business, "applicationId", "status#timestamp", "application"),
        new("pricing-rules", TableRole.Business, "ruleId", "effectiveDate", "pricing-rule"),
        new("quotes", TableRole.Business, "quoteId", "customerId#timestamp", "quote"),
        new("orders", TableRole.Business, "orderId", "customerId#timestamp", "order"),
    ];

    public static IReadOnlyList<CatalogTable> All { get; } = [.. Business, Audit, MerchantAnalytics];

    /// <summary>
    /// The table of this environment a full name refers to: the name must be the prefix followed
    /// by a known suffix, exactly. Another environment's table (<c>maip-prod-orders</c> under
    /// <c>maip-dev-</c>) or a look-alike (<c>maipx-dev-orders</c>) is not one of ours.
    /// </summary>
    public static CatalogTable? Find(string tableName, TablePrefix prefix)
        => prefix.SuffixOf(tableName) is { } suffix ? All.FirstOrDefault(t => t.Suffix == suffix) : null;

    public static CatalogTable? FindBusiness(string tableName, TablePrefix prefix)
        => Find(tableName, prefix) is { Role: TableRole.Business } table ? table : null;
}

/// <summary><c>{app}-{env}-</c>: what every table name of one environment starts with.</summary>
public sealed record TablePrefix
{
    public TablePrefix(string value)
    {
        if (string.IsNullOrWhiteSpace(value) || !value.EndsWith('-'))
            throw new ArgumentException("A table prefix is {app}-{env}- and ends with '-', e.g. maip-dev-.", nameof(value));
        Value = value;
    }

    public string Value { get; }

    public static TablePrefix For(string app, string environment) => new($"{app}-{environment}-");

    /// <summary>True for a table of this environment, whatever its suffix.</summary>
    public bool Owns(string tableName) => SuffixOf(tableName) is not null;

    /// <summary>The rest of the name after the prefix, or null when the name is not under it.</summary>
    public string? SuffixOf(string tableName)
        => tableName.Length > Value.Length && tableName.StartsWith(Value, StringComparison.Ordinal) ? tableName[Value.Length..] : null;

    public override string ToString() => Value;
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
