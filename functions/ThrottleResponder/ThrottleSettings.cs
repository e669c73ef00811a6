using System.Globalization;

namespace Functions.ThrottleResponder;

/// <summary>The function's configuration, from the environment the template sets.</summary>
internal sealed record ThrottleSettings
{
    /// <summary>DRY_RUN: log and audit what would happen, never UpdateTable.</summary>
    public bool DryRun { get; init; }
    /// <summary>ON_DEMAND_MAX_READ_REQUEST_UNITS: the on-demand ceiling set by the switch; null for none.</summary>
    public long? MaxReadRequestUnits { get; init; }
    /// <summary>ON_DEMAND_MAX_WRITE_REQUEST_UNITS: likewise for writes.</summary>
    public long? MaxWriteRequestUnits { get; init; }
    /// <summary>How often a table that is UPDATING is looked at again.</summary>
    public TimeSpan UpdatingPollInterval { get; init; } = TimeSpan.FromSeconds(3);

    public static ThrottleSettings FromEnvironment() => From(Environment.GetEnvironmentVariable);

    public static ThrottleSettings From(Func<string, string?> variable) => new()
    {
        DryRun = (variable("DRY_RUN")?.Trim().ToLowerInvariant()) switch
        {
            null or "" or "false" => false,
            "true" => true,
            var other => throw new InvalidOperationException($"DRY_RUN must be true or false, not '{other}'."),
        },
        MaxReadRequestUnits = Ceiling(variable, "ON_DEMAND_MAX_READ_REQUEST_UNITS"),
        MaxWriteRequestUnits = Ceiling(variable, "ON_DEMAND_MAX_WRITE_REQUEST_UNITS"),
    };

    // Empty, 0 or -1 (the template's default): no ceiling.
    private static long? Ceiling(Func<string, string?> variable, string name)
    {
        var value = variable(name)?.Trim();
        if (string.IsNullOrEmpty(value)) return null;
        if (!long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var units) || units < -1)
            throw new InvalidOperationException($"{name} must be a whole number of request units per second, or -1 for no ceiling, not '{value}'.");
        return units > 0 ? units : null;
    }
}
