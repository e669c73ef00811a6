namespace Functions.NightlyBackup;

[JsonSerializable(typeof(BackupRunOptions))]
[JsonSerializable(typeof(BackupRunSummary))]
public sealed partial class BackupJsonContext : JsonSerializerContext
{
    /// <summary>The context with the functions' one JSON convention (FunctionJson).</summary>
    public static BackupJsonContext Wire { get; } = new(FunctionJson.Options());
}
