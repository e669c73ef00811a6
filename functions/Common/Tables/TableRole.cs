namespace Functions.Common.Tables;

public enum TableRole
{
    /// <summary>Holds the platform's entities; its stream feeds the audit trail.</summary>
    Business,
    Audit,
    Analytics,
}
