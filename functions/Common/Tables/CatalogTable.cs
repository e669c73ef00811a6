namespace Functions.Common.Tables;

/// <summary>One table of an environment: its name suffix, role, key and (business tables) entity.</summary>
public sealed record CatalogTable(string Suffix, TableRole Role, string PartitionKey, string SortKey, string? EntityType = null)
{
    public string NameIn(TablePrefix prefix) => prefix.Value + Suffix;
}
