using Functions.Common.Tables;
using Functions.DevKit;

namespace Functions.Tests;

/// <summary>
/// Which tables an environment owns: its prefix {app}-{env}- with an app without hyphens, and no
/// table of a stack made while AppName could hold one (app maip-dev, env prod: maip-dev-prod-orders).
/// </summary>
public class TableOwnershipTests
{
    private static readonly TablePrefix Dev = new("maip-dev-");

    [Theory]
    [InlineData("maip-dev-orders", true)]
    [InlineData("maip-dev-pricing-rules", true)]
    [InlineData("maip-dev-merchant-analytics", true)]
    [InlineData("maip-dev-orders-dev", true)] // an environment's name last cannot be another stack's: its table name would follow
    [InlineData("maip-dev-prod-orders", false)] // app maip-dev, env prod
    [InlineData("maip-dev-dev-orders", false)] // app maip-dev, env dev
    [InlineData("maip-dev-x-staging-orders", false)] // app maip-dev-x, env staging
    [InlineData("maip-prod-orders", false)]
    [InlineData("maipx-dev-orders", false)]
    [InlineData("maip-devx-orders", false)]
    [InlineData("maip-dev-", false)]
    public void A_table_is_the_environments_only_when_no_other_stack_can_have_made_it(string table, bool owned)
    {
        Assert.Equal(owned, Dev.Owns(table));
        Assert.Equal(owned, Dev.WhyNotOwned(table) is null);
        Assert.Equal(owned ? table["maip-dev-".Length..] : null, Dev.SuffixOf(table));
    }

    [Fact]
    public void Why_a_hyphenated_apps_table_is_not_ours_names_its_app_and_environment()
        => Assert.Equal("under maip-dev- but named like environment 'prod' of another app (maip-dev): another stack's table, never this one's",
            Dev.WhyNotOwned("maip-dev-prod-orders"));

    [Theory]
    [InlineData("maip-dev-x-")] // a hyphenated app
    [InlineData("maip-qa-")] // not an environment of the template
    [InlineData("Maip-dev-")]
    [InlineData("m-dev-")] // one letter: the pattern asks for two to 31
    [InlineData("maip-dev")]
    public void A_prefix_no_stack_of_the_template_can_have_is_refused(string prefix)
        => Assert.Contains("no hyphen", Assert.Throws<ArgumentException>(() => new TablePrefix(prefix)).Message, StringComparison.Ordinal);

    /// <summary>
    /// Every pair of stacks the template allows (AppName without hyphens) and every stack made
    /// before (hyphenated apps): no allowed prefix owns a table of any other stack.
    /// </summary>
    [Fact]
    public void No_stack_owns_another_stacks_table()
    {
        string[] apps = ["maip", "maipdev", "ma", "maipprod"];
        string[] legacy = ["maip-dev", "maip-dev-x", "maip-prod", "maip-staging-dev"];
        var suffixes = TableCatalog.All.Select(t => t.Suffix).Append("extra-01").ToList();
        var stacks = apps.Concat(legacy).SelectMany(a => TablePrefix.Environments.Select(e => (App: a, Env: e))).ToList();
        var wrong = new List<string>();
        foreach (var (app, env) in stacks.Where(s => !s.App.Contains('-', StringComparison.Ordinal)))
        {
            var prefix = TablePrefix.For(app, env);
            foreach (var other in stacks.Where(s => s != (app, env)))
                foreach (var suffix in suffixes)
                    if (prefix.Owns($"{other.App}-{other.Env}-{suffix}"))
                        wrong.Add($"{prefix} owns {other.App}-{other.Env}-{suffix}");
            Assert.All(suffixes, s => Assert.True(prefix.Owns(prefix.Value + s)));
        }
        Assert.True(wrong.Count == 0, string.Join(Environment.NewLine, wrong));
    }

    [Fact]
    public void The_template_allows_exactly_the_apps_and_environments_a_prefix_takes()
    {
        var template = SamTemplate.Load(RepoLayout.Find(AppContext.BaseDirectory).TemplatePath);
        var parameters = template.ParameterDeclarations();
        Assert.Equal(TablePrefix.AppNamePattern, SamTemplate.Scalar(SamTemplate.Child(parameters["AppName"], "AllowedPattern")));
        var environments = (YamlDotNet.RepresentationModel.YamlSequenceNode)SamTemplate.Child(parameters["Environment"], "AllowedValues")!;
        Assert.Equal(TablePrefix.Environments, environments.Children.Select(SamTemplate.Scalar));
    }

    /// <summary>
    /// IAM agrees with the functions' own check: no role of the stack may act on another stack's
    /// table under the prefix, or on its backups, while its own stay reachable. Evaluated as IAM
    /// does: an explicit Deny wins, * matches any characters, ? one (IAM user guide, "Policy
    /// evaluation logic" and "IAM JSON policy elements: Resource":
    /// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html,
    /// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html).
    /// </summary>
    [Fact]
    public void No_role_reaches_another_stacks_table_under_the_prefix_and_each_still_reaches_its_own()
    {
        var template = SamTemplate.Load(RepoLayout.Find(AppContext.BaseDirectory).TemplatePath);
        var context = template.Context().WithResourceReferences();
        const string Arn = "arn:aws:dynamodb:us-east-1:123456789012:table/";
        string[] foreign = ["maip-dev-prod-orders", "maip-dev-dev-orders", "maip-dev-x-staging-quotes", "maip-prod-orders"];
        var reached = new List<string>();
        var ownReached = 0;
        foreach (var role in template.ResourcesOfType("AWS::IAM::Role"))
        {
            var statements = List(context.Resolve(template.ResourceProperty(role, "Policies"), role))
                .SelectMany(p => List(Map(Map(p)["PolicyDocument"])["Statement"])).ToList();
            // ListTables, ListBackups and ListStreams name no table: IAM grants them on "*" only.
            var actions = statements.Select(Map).Where(st => !List(st["Resource"]).Contains("*"))
                .SelectMany(st => List(st["Action"]).OfType<string>()).Where(a => a.StartsWith("dynamodb:", StringComparison.Ordinal) && a != "dynamodb:*").Distinct().ToList();
            foreach (var action in actions)
            {
                foreach (var table in foreign)
                    foreach (var arn in new[] { Arn + table, $"{Arn}{table}/backup/01693526400000-a1b2c3d4" })
                        if (Allows(statements, action, arn)) reached.Add($"{role} {action} {arn}");
                if (Allows(statements, action, Arn + "maip-dev-pricing-rules") || Allows(statements, action, Arn + "maip-dev-audit")
                    || Allows(statements, action, Arn + "maip-dev-orders/backup/01693526400000-a1b2c3d4"))
                    ownReached++;
            }
        }
        Assert.True(reached.Count == 0, string.Join(Environment.NewLine, reached));
        Assert.True(ownReached >= 10, $"only {ownReached} table actions reach the environment's own tables");
    }

    private static bool Allows(List<object?> statements, string action, string arn)
    {
        bool Matches(Dictionary<string, object?> st) => List(st["Action"]).OfType<string>().Any(a => Wildcard(a, action))
                                                        && List(st["Resource"]).OfType<string>().Any(r => Wildcard(r, arn));
        var all = statements.Select(Map).ToList();
        return !all.Any(st => st["Effect"] as string == "Deny" && Matches(st)) && all.Any(st => st["Effect"] as string == "Allow" && Matches(st));
    }

    private static bool Wildcard(string pattern, string value)
        => System.Text.RegularExpressions.Regex.IsMatch(value,
            "^" + System.Text.RegularExpressions.Regex.Escape(pattern).Replace(@"\*", ".*", StringComparison.Ordinal).Replace(@"\?", ".", StringComparison.Ordinal) + "$");

    private static Dictionary<string, object?> Map(object? value) => value as Dictionary<string, object?> ?? [];

    private static List<object?> List(object? value) => value switch { null => [], List<object?> list => list, var one => [one] };
}
