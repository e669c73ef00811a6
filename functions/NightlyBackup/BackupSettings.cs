using System.Globalization;

namespace Functions.NightlyBackup;

/// <summary>The function's configuration, from the environment the template sets.</summary>
internal sealed record BackupSettings
{
    public const int DefaultRetentionDays = 35;
    public const int DefaultMinKeep = 7;

    /// <summary>BACKUP_RETENTION_DAYS: the suite's backups older than this go (but see MinKeep).</summary>
    public int RetentionDays { get; init; } = DefaultRetentionDays;
    /// <summary>BACKUP_MIN_KEEP: the newest this many of each table are always kept.</summary>
    public int MinKeep { get; init; } = DefaultMinKeep;
    /// <summary>Tables worked on at once; the pacer keeps the calls within DynamoDB's rates anyway.</summary>
    public int Concurrency { get; init; } = 4;
    /// <summary>Control-plane rates, calls per second per operation (DynamoDB's published ones).</summary>
    public IReadOnlyDictionary<string, double> Rates { get; init; } = OperationPacer.DynamoDbRates;
    /// <summary>
    /// How tables that answered in use (being created, updated or deleted) are tried again after
    /// the others: this many passes in all, waiting with backoff between them, within the time budget.
    /// </summary>
    public RetryOptions InUseRetry { get; init; } = new() { MaxAttempts = 6, BaseDelay = TimeSpan.FromSeconds(5), MaxDelay = TimeSpan.FromSeconds(30) };

    public RetentionPolicy Retention => new(RetentionDays, MinKeep);

    public static BackupSettings FromEnvironment() => From(Environment.GetEnvironmentVariable);

    public static BackupSettings From(Func<string, string?> variable) => new()
    {
        RetentionDays = Whole(variable, "BACKUP_RETENTION_DAYS", DefaultRetentionDays, 1, 36_500, "days a backup of the suite is kept"),
        MinKeep = Whole(variable, "BACKUP_MIN_KEEP", DefaultMinKeep, 1, 1_000, "backups of each table always kept"),
    };

    private static int Whole(Func<string, string?> variable, string name, int fallback, int min, int max, string what)
    {
        var value = variable(name);
        if (string.IsNullOrWhiteSpace(value)) return fallback;
        return int.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed >= min && parsed <= max
            ? parsed
            : throw new InvalidOperationException($"{name} must be a whole number from {min} to {max} ({what}), not '{value}'.");
    }
}
