using System.Text.RegularExpressions;
using Functions.Common.Tables;

namespace Functions.AuditCli;

/// <summary>One entity of one environment: its business table, its id and its audit partition.</summary>
public sealed partial record EntityRef(CatalogTable Table, TablePrefix Prefix, string Id)
{
    public string TableName => Table.NameIn(Prefix);
    public string AuditTableName => TableCatalog.Audit.NameIn(Prefix);
    public string AuditKey => Functions.Common.Audit.AuditKey.EntityKeyOf(Table.EntityType!, Id);

    private static string Known => string.Join(", ", TableCatalog.Business.Select(t => t.EntityType));

    [GeneratedRegex("^(?<app>.+)-(?<env>[^-]+)-$", RegexOptions.CultureInvariant)]
    private static partial Regex PrefixParts();

    /// <summary>
    /// The entity type (<c>order</c>), its table's suffix (<c>orders</c>) or the table's full name
    /// (<c>maip-dev-orders</c>); a full name of another environment is refused, naming it.
    /// </summary>
    public static EntityRef Resolve(string entity, string id, TablePrefix prefix)
    {
        if (string.IsNullOrWhiteSpace(id)) throw new CliException(ExitCodes.Usage, "The entity id is empty.");
        var table = TableCatalog.Business.FirstOrDefault(t => t.EntityType == entity || t.Suffix == entity)
                    ?? TableCatalog.FindBusiness(entity, prefix);
        if (table is not null) return new EntityRef(table, prefix, id);

        if (TableCatalog.Find(entity, prefix) is { } ours)
            throw new CliException(ExitCodes.Usage, $"{entity} is the {ours.Role.ToString().ToLowerInvariant()} table, not a business table: the audit trail covers {Known}.");
        // maip-prod-orders under --env dev: someone else's environment, said as such.
        if (TableCatalog.Business.FirstOrDefault(t => entity.EndsWith("-" + t.Suffix, StringComparison.Ordinal)) is { } other
            && PrefixParts().Match(entity[..^other.Suffix.Length]) is { Success: true } parts)
            throw new CliException(ExitCodes.Usage,
                $"{entity} is a table of another environment than {prefix.Value}*: to work on it, pass --app {parts.Groups["app"].Value} --env {parts.Groups["env"].Value}.");
        throw new CliException(ExitCodes.Usage, $"Unknown entity type '{entity}': one of {Known} (or its table's name).");
    }
}
