namespace Functions.AuditCli;

public enum ChangeKind
{
    Added,
    Removed,
    Changed,
}
