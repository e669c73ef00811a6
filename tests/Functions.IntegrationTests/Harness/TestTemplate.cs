namespace Functions.IntegrationTests;

/// <summary>template.yaml as one test environment (a unique app name) deploys it.</summary>
internal static class TestTemplate
{
    public static TemplateContext Context(string app, IReadOnlyDictionary<string, string>? parameters = null)
    {
        var values = new Dictionary<string, string>(parameters ?? new Dictionary<string, string>()) { ["AppName"] = app };
        return SamTemplate.Load(RepoLayout.Find(AppContext.BaseDirectory).TemplatePath).Context(values, MotoFixture.Region);
    }

    /// <summary>Creates the template's tables as that app's environment: their names, and each stream's ARN by table name.</summary>
    public static async Task<(List<string> Names, Dictionary<string, string> Streams)> CreateTablesAsync(TemplateContext context, IAmazonDynamoDB client)
    {
        var (names, streams) = (new List<string>(), new Dictionary<string, string>());
        foreach (var table in TableDefinition.ReadAll(context))
        {
            if (await table.CreateAsync(client) is { } arn) streams[table.TableName] = arn;
            names.Add(table.TableName);
        }
        return (names, streams);
    }

    /// <summary>A function's environment variables as the template sets them for that app.</summary>
    public static Dictionary<string, string> Variables(string app, string logicalId)
        => FunctionDefinition.Read(Context(app), logicalId).Environment.ToDictionary();
}
