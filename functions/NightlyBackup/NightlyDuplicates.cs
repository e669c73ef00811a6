namespace Functions.NightlyBackup;

/// <summary>
/// One backup a night: DynamoDB lets two backups share a name, and a request resent below the
/// function (or two runs at once) makes a second. The oldest usable backup of the name is the
/// night's; the others are extra, and every run decides the same way, so runs at once agree.
/// </summary>
internal static class NightlyDuplicates
{
    public static (BackupInfo? Kept, IReadOnlyList<BackupInfo> Extra) Of(string name, IEnumerable<BackupInfo> backups)
    {
        var ofTheNight = backups
            .DistinctBy(b => b.Arn, StringComparer.Ordinal)
            .Where(b => b.Name == name && b.Type == "USER" && b.IsUsable)
            .OrderBy(b => b.Created)
            .ThenBy(b => b.Arn, StringComparer.Ordinal)
            .ToList();
        return (ofTheNight.FirstOrDefault(), ofTheNight.Skip(1).ToList());
    }

    /// <summary>
    /// <see cref="Of"/> over every night of the table's suite-named backups: the backup kept for
    /// each night, and every night's extra copies (a copy a night's run did not see yet, or could
    /// not delete while it was in use, is found by any later run).
    /// </summary>
    public static (IReadOnlyList<BackupInfo> Kept, IReadOnlyList<BackupInfo> Extra) OfEveryNight(string table, IEnumerable<BackupInfo> backups)
    {
        var nights = backups
            .Where(b => BackupNaming.NightOf(b.Name, table) is not null)
            .GroupBy(b => b.Name, StringComparer.Ordinal)
            .Select(night => Of(night.Key, night))
            .ToList();
        return (nights.Where(n => n.Kept is not null).Select(n => n.Kept!).ToList(), nights.SelectMany(n => n.Extra).ToList());
    }
}
