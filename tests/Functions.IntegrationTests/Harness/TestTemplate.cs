using Functions.DevKit;

namespace Functions.IntegrationTests;

/// <summary>template.yaml as one test environment (a unique app name) deploys it.</summary>
internal static class TestTemplate
{
    public static TemplateContext Context(string app, IReadOnlyDictionary<string, string>? parameters = null)
    {
        var values = new Dictionary<string, string>(parameters ?? new Dictionary<string, string>()) { ["AppName"] = app };
        return SamTemplate.Load(RepoLayout.Find(AppContext.BaseDirectory).TemplatePath).Context(values, MotoFixture.Region);
    }

    /// <summary>A function's environment variables as the template sets them for that app.</summary>
    public static Dictionary<string, string> Variables(string app, string logicalId)
        => FunctionDefinition.Read(Context(app), logicalId).Environment.ToDictionary();
}
