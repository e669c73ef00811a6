using System.Globalization;

namespace Functions.PitrGuard;

/// <summary>The function's configuration, from the environment the template sets.</summary>
internal sealed record PitrSettings
{
    public const int MaxRecoveryDays = 35;

    /// <summary>PITR_MODE: enforce (default) or report.</summary>
    public PitrMode Mode { get; init; } = PitrMode.Enforce;
    /// <summary>PITR_RECOVERY_DAYS: the least recovery period a table may have, 1-35 (default 35).</summary>
    public int RecoveryDays { get; init; } = MaxRecoveryDays;
    /// <summary>EPHEMERAL_TABLES: table suffixes whose data should expire, so TTL should be on.</summary>
    public IReadOnlySet<string> EphemeralSuffixes { get; init; } = new HashSet<string>(StringComparer.Ordinal);
    /// <summary>Tables checked at once; the pacer keeps the calls within DynamoDB's rates anyway.</summary>
    public int Concurrency { get; init; } = 4;
    public IReadOnlyDictionary<string, double> Rates { get; init; } = OperationPacer.DynamoDbRates;

    public static PitrSettings FromEnvironment() => From(Environment.GetEnvironmentVariable);

    public static PitrSettings From(Func<string, string?> variable)
    {
        var days = variable("PITR_RECOVERY_DAYS");
        return new PitrSettings
        {
            Mode = ParseMode(variable("PITR_MODE"), "PITR_MODE") ?? PitrMode.Enforce,
            RecoveryDays = string.IsNullOrWhiteSpace(days) ? MaxRecoveryDays
                : int.TryParse(days.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var d) && d is >= 1 and <= MaxRecoveryDays ? d
                : throw new InvalidOperationException($"PITR_RECOVERY_DAYS must be a whole number of days from 1 to 35 (DynamoDB's range), not '{days}'."),
            EphemeralSuffixes = (variable("EPHEMERAL_TABLES") ?? "")
                .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .ToHashSet(StringComparer.Ordinal),
        };
    }

    /// <summary>enforce or report (any case); null when not given.</summary>
    public static PitrMode? ParseMode(string? value, string source) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" => null,
        "enforce" => PitrMode.Enforce,
        "report" => PitrMode.Report,
        _ => throw new InvalidOperationException($"{source} must be enforce or report, not '{value}'."),
    };
}
