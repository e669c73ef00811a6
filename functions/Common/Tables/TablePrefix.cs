namespace Functions.Common.Tables;

/// <summary>
/// <c>{app}-{env}-</c>: what every table name of one environment starts with. The app holds no
/// hyphen (template.yaml's AppName pattern) and the environment is one of <see cref="Environments"/>,
/// so no environment's prefix starts another's. A stack made before that rule may still have a
/// hyphenated app (<c>maip-dev</c>, environment <c>prod</c>: <c>maip-dev-prod-orders</c>, under
/// <c>maip-dev-</c>): a name whose rest holds an environment name before its last part is never
/// taken for this environment's (<see cref="WhyNotOwned"/>).
/// </summary>
public sealed partial record TablePrefix
{
    /// <summary>template.yaml's Environment values (a test keeps them equal).</summary>
    public static IReadOnlyList<string> Environments { get; } = ["dev", "staging", "prod"];

    /// <summary>template.yaml's AppName AllowedPattern (a test keeps them equal).</summary>
    public const string AppNamePattern = "[a-z][a-z0-9]{1,30}";

    [System.Text.RegularExpressions.GeneratedRegex("^" + AppNamePattern + "-(dev|staging|prod)-$", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex Shape();

    public TablePrefix(string value)
    {
        if (string.IsNullOrWhiteSpace(value) || !Shape().IsMatch(value))
            throw new ArgumentException(
                $"A table prefix is {{app}}-{{env}}- with an app of {AppNamePattern} (no hyphen) and an env of {string.Join(", ", Environments)}, " +
                $"e.g. maip-dev-; not '{value}' (README, \"No environment takes another's tables\").", nameof(value));
        Value = value;
    }

    public string Value { get; }

    public static TablePrefix For(string app, string environment) => new($"{app}-{environment}-");

    /// <summary>True for a table of this environment, whatever its suffix (see <see cref="WhyNotOwned"/>).</summary>
    public bool Owns(string tableName) => SuffixOf(tableName) is not null;

    /// <summary>The rest of the name after the prefix, or null when the name is not this environment's.</summary>
    public string? SuffixOf(string tableName) => WhyNotOwned(tableName) is null ? tableName[Value.Length..] : null;

    /// <summary>
    /// Null for a table of this environment; else why not. Under the prefix, a rest such as
    /// <c>prod-orders</c> or <c>x-dev-orders</c> is another stack's (app <c>maip-dev</c> or
    /// <c>maip-dev-x</c>, made before AppName lost its hyphens): never this one's.
    /// </summary>
    public string? WhyNotOwned(string tableName)
    {
        if (tableName.Length <= Value.Length || !tableName.StartsWith(Value, StringComparison.Ordinal))
            return $"not a table of this environment ({Value}*)";
        var parts = tableName[Value.Length..].Split('-');
        return parts[..^1].FirstOrDefault(Environments.Contains) is { } other
            ? $"under {Value} but named like environment '{other}' of another app ({tableName[..tableName.IndexOf($"-{other}-", Value.Length - 1, StringComparison.Ordinal)]}): another stack's table, never this one's"
            : null;
    }

    /// <summary>
    /// The table a person means by a suffix (<c>orders</c>) or a full name: a full name of some
    /// stack (<c>{app}-{env}-...</c>, this one's or not) is taken as given; anything else is a
    /// suffix here (<c>prod-orders</c>: <c>maip-dev-prod-orders</c>, which <see cref="Owns"/> then refuses).
    /// </summary>
    public string FullNameOf(string nameOrSuffix)
        => nameOrSuffix.StartsWith(Value, StringComparison.Ordinal)
           || (nameOrSuffix.Split('-') is { Length: > 2 } parts && parts[1..^1].Any(Environments.Contains))
            ? nameOrSuffix
            : Value + nameOrSuffix;

    public override string ToString() => Value;
}
