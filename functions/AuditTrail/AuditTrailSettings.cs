using System.Globalization;

namespace Functions.AuditTrail;

/// <summary>The function's configuration, from the environment the template sets.</summary>
internal sealed record AuditTrailSettings
{
    public const string DefaultActorAttribute = AuditItem.DefaultActorAttribute;
    public const string TtlAttribute = AuditItem.ExpiresAt;

    /// <summary>AUDIT_TABLE_NAME: <c>{app}-{env}-audit</c>.</summary>
    public required string AuditTableName { get; init; }
    /// <summary>TABLE_PREFIX: <c>{app}-{env}-</c>; only this environment's business tables are audited.</summary>
    public required TablePrefix TablePrefix { get; init; }
    /// <summary>ACTOR_ATTRIBUTE: the new image's attribute naming who made the change.</summary>
    public string ActorAttribute { get; init; } = DefaultActorAttribute;
    /// <summary>REDACT_ATTRIBUTES: attribute names whose values never reach the audit table.</summary>
    public IReadOnlySet<string> RedactAttributes { get; init; } = new HashSet<string>();
    /// <summary>AUDIT_RETENTION_DAYS: when set, items carry a TTL this many days after the change.</summary>
    public int? RetentionDays { get; init; }

    public static AuditTrailSettings FromEnvironment() => From(Environment.GetEnvironmentVariable);

    public static AuditTrailSettings From(Func<string, string?> variable)
    {
        var table = variable("AUDIT_TABLE_NAME");
        if (string.IsNullOrWhiteSpace(table))
            throw new InvalidOperationException("AUDIT_TABLE_NAME is not set: the audit table's name, e.g. maip-dev-audit.");

        return new AuditTrailSettings
        {
            AuditTableName = table.Trim(),
            TablePrefix = FunctionEnvironment.From(variable, "audit-trail").TablePrefix,
            ActorAttribute = NullIfBlank(variable("ACTOR_ATTRIBUTE")) ?? DefaultActorAttribute,
            RedactAttributes = (variable("REDACT_ATTRIBUTES") ?? "")
                .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .ToHashSet(StringComparer.Ordinal),
            RetentionDays = ParseRetention(variable("AUDIT_RETENTION_DAYS")),
        };
    }

    /// <summary>A hundred years: the template's MaxValue of AuditRetentionDays (DynamoDB bounds no TTL; a change time plus more days than DateTime holds would fail each record).</summary>
    public const int MaxRetentionDays = 36_500;

    private static int? ParseRetention(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var days) || days > MaxRetentionDays)
            throw new InvalidOperationException($"AUDIT_RETENTION_DAYS must be a whole number of days up to {MaxRetentionDays} (0 or empty: keep forever).");
        return days > 0 ? days : null;
    }

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
