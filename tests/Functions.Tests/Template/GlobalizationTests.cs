using System.Globalization;
using System.Text.Json;
using Functions.DevKit;

namespace Functions.Tests;

/// <summary>
/// The functions run with InvariantGlobalization (Directory.Build.props; the Native AOT binary
/// carries no ICU, and Lambda's LANG is not the suite's business): every culture is the invariant
/// one, culture-aware comparison is ordinal, numbers and dates are written the same whatever the
/// machine's locale (README, How Lambda runs the functions). These tests run in the same mode
/// (the tests' own runtimeconfig carries the same switch, checked first) and hold what follows
/// from it.
/// </summary>
public class GlobalizationTests
{
    private static readonly RepoLayout Repo = RepoLayout.Find(AppContext.BaseDirectory);
    private static readonly string Configuration = RepoLayout.BuildConfiguration(typeof(GlobalizationTests).Assembly);

    public static TheoryData<string> Functions() => new(FunctionDefinition.LogicalIds(SamTemplate.Load(Repo.TemplatePath)));

    [Theory]
    [MemberData(nameof(Functions))]
    public void Every_function_is_built_with_invariant_globalization_and_these_tests_run_the_same_way(string logicalId)
    {
        var function = FunctionDefinition.Read(SamTemplate.Load(Repo.TemplatePath).Context(), logicalId);
        var package = FunctionPackage.BuildOutput(Repo, function, Configuration);
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(package.TaskRoot, function.Handler + ".runtimeconfig.json")));

        Assert.True(config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties").GetProperty("System.Globalization.Invariant").GetBoolean());
        Assert.True(AppContext.TryGetSwitch("System.Globalization.Invariant", out var invariant) && invariant);
    }

    [Fact]
    public void No_culture_but_the_invariant_one_exists_so_the_machines_locale_changes_nothing()
    {
        Assert.Throws<CultureNotFoundException>(() => CultureInfo.GetCultureInfo("de-DE"));
        Assert.Equal("", CultureInfo.CurrentCulture.Name);
        // What LANG=de_DE would have written as "1.234,50" and "07.12.2026".
        Assert.Equal("1,234.50", 1234.5m.ToString("N2", CultureInfo.CurrentCulture));
        Assert.Equal("12/07/2026", new DateTime(2026, 12, 7).ToString("d", CultureInfo.CurrentCulture));
    }

    [Fact]
    public void Culture_aware_comparison_is_ordinal_as_DynamoDB_orders_keys()
    {
        // ICU would put "a" before "B" and call composed and decomposed "é" equal; DynamoDB
        // compares sort keys by their UTF-8 bytes, as ordinal comparison does here.
        Assert.True(string.Compare("a", "B", StringComparison.CurrentCulture) > 0);
        Assert.True(string.Compare("a", "B", StringComparison.InvariantCulture) > 0);
        Assert.NotEqual(0, string.Compare("\u00e9", "e\u0301", StringComparison.CurrentCulture));
        Assert.Equal(["B", "a", "\u00e9"], new[] { "\u00e9", "a", "B" }.Order(StringComparer.CurrentCulture));
        // Ignoring case is ordinal too, with full Unicode casing and no Turkish dotless i.
        Assert.Equal("I", "i".ToUpper(CultureInfo.CurrentCulture));
        Assert.True(string.Equals("ÉCOLE", "école", StringComparison.CurrentCultureIgnoreCase));
    }
}
