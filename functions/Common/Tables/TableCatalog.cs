namespace Functions.Common.Tables;

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
