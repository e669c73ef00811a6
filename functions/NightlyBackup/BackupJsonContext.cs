namespace Functions.NightlyBackup;

[JsonSerializable(typeof(BackupRunOptions))]
[JsonSerializable(typeof(BackupRunSummary))]
internal sealed partial class BackupJsonContext : JsonSerializerContext
{
    /// <summary>The context with the functions' one JSON convention (FunctionJson).</summary>
    public static BackupJsonContext Wire { get; } = new(FunctionJson.Options());
}
