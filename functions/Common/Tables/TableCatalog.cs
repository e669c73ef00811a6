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

/// <summary>
/// <c>{app}-{env}-</c>: what every table name of one environment starts with. The app holds no
/// hyphen (template.yaml's AppName pattern) and the environment is one of <see cref="Environments"/>,
/// so no environment's prefix starts another's. A stack made before that rule may still have a
/// hyphenated app (<c>maip-dev</c>, environment <c>prod</c>: <c>maip-dev-prod-orders</c>, under
/// <c>maip-dev-</c>): a name whose rest holds an environment name before its last part is never
/// taken for this environment's (<see cref="WhyNotOwned"/>).
/// </summary>
public sealed partial record TablePrefix
{
    /// <summary>template.yaml's Environment values (a test keeps them equal).</summary>
    public static IReadOnlyList<string> Environments { get; } = ["dev", "staging", "prod"];

    /// <summary>template.yaml's AppName AllowedPattern (a test keeps them equal).</summary>
    public const string AppNamePattern = "[a-z][a-z0-9]{1,30}";

    [System.Text.RegularExpressions.GeneratedRegex("^" + AppNamePattern + "-(dev|staging|prod)-$", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex Shape();

    public TablePrefix(string value)
    {
        if (string.IsNullOrWhiteSpace(value) || !Shape().IsMatch(value))
            throw new ArgumentException(
                $"A table prefix is {{app}}-{{env}}- with an app of {AppNamePattern} (no hyphen) and an env of {string.Join(", ", Environments)}, " +
                $"e.g. maip-dev-; not '{value}' (README, \"No environment takes another's tables\").", nameof(value));
        Value = value;
    }

    public string Value { get; }

    public static TablePrefix For(string app, string environment) => new($"{app}-{environment}-");

    /// <summary>True for a table of this environment, whatever its suffix (see <see cref="WhyNotOwned"/>).</summary>
    public bool Owns(string tableName) => SuffixOf(tableName) is not null;

    /// <summary>The rest of the name after the prefix, or null when the name is not this environment's.</summary>
    public string? SuffixOf(string tableName) => WhyNotOwned(tableName) is null ? tableName[Value.Length..] : null;

    /// <summary>
    /// Null for a table of this environment; else why not. Under the prefix, a rest such as
    /// <c>prod-orders</c> or <c>x-dev-orders</c> is another stack's (app <c>maip-dev</c> or
    /// <c>maip-dev-x</c>, made before AppName lost its hyphens): never this one's.
    /// </summary>
    public string? WhyNotOwned(string tableName)
    {
        if (tableName.Length <= Value.Length || !tableName.StartsWith(Value, StringComparison.Ordinal))
            return $"not a table of this environment ({Value}*)";
        var parts = tableName[Value.Length..].Split('-');
        return parts[..^1].FirstOrDefault(Environments.Contains) is { } other
            ? $"under {Value} but named like environment '{other}' of another app ({tableName[..tableName.IndexOf($"-{other}-", Value.Length - 1, StringComparison.Ordinal)]}): another stack's table, never this one's"
            : null;
    }

    /// <summary>
    /// The table a person means by a suffix (<c>orders</c>) or a full name: a full name of some
    /// stack (<c>{app}-{env}-...</c>, this one's or not) is taken as given; anything else is a
    /// suffix here (<c>prod-orders</c>: <c>maip-dev-prod-orders</c>, which <see cref="Owns"/> then refuses).
    /// </summary>
    public string FullNameOf(string nameOrSuffix)
        => nameOrSuffix.StartsWith(Value, StringComparison.Ordinal)
           || (nameOrSuffix.Split('-') is { Length: > 2 } parts && parts[1..^1].Any(Environments.Contains))
            ? nameOrSuffix
            : Value + nameOrSuffix;

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
