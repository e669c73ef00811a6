namespace Functions.NightlyBackup;

/// <summary>A backup as ListBackups describes it.</summary>
internal sealed record BackupInfo(string Name, string Arn, DateTimeOffset Created, string Status, string Type = "USER")
{
    public const string Available = "AVAILABLE";
    public const string Creating = "CREATING";

    public bool IsUsable => Status is Available or Creating;
}
