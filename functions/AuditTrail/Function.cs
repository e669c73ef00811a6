namespace Functions.AuditTrail;

/// <summary>
/// Turns every change on the business tables' streams into one item of the audit table.
/// Handler: <c>AuditTrail</c> (Program.cs hosts it).
/// </summary>
internal sealed class Function : StreamFunction<AuditEntry>
{
    public const string Service = "audit-trail";

    public static readonly StreamBatchNames Names = new(
        Summary: "audit batch processed", FailedRecord: "record not audited",
        SucceededMetric: AuditMetrics.RecordsAudited, FailedMetric: AuditMetrics.RecordsFailed);

    public Function(FunctionServices services, AuditTrailSettings settings)
        : base(services, new AuditBatchHandler(settings, new BatchWriter(services.DynamoDb, services.Retry())), Names,
            ("audit_table", settings.AuditTableName))
        => WarnAboutUnredactableKeys(settings, services.Logger);

    private static void WarnAboutUnredactableKeys(AuditTrailSettings settings, StructuredLogger logger)
    {
        var keys = TableCatalog.Business
            .SelectMany(t => new[] { (Attribute: t.PartitionKey, Table: t.Suffix), (Attribute: t.SortKey, Table: t.Suffix) })
            .Where(k => settings.RedactAttributes.Contains(k.Attribute))
            .Select(k => $"{k.Attribute} ({k.Table})")
            .ToArray();
        if (keys.Length > 0)
            logger.Warn("REDACT_ATTRIBUTES names key attributes: they identify the entity and stay readable at the top level of that table's images",
                ("key_attributes", keys));
    }
}
