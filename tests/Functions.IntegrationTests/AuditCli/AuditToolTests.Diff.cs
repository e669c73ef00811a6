
namespace Functions.IntegrationTests;

// diff: two points of an item compared attribute by attribute
public abstract partial class AuditToolTests
{
    [Fact]
    public async Task Diff_compares_two_points_attribute_by_attribute_into_nested_values()
    {
        var (env, created, _, badEdit) = await BadEditAsync();

        var run = await ToolAsync(env, "diff", "order", Order, "--from", created, "--to", badEdit, "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        var changes = JsonDocument.Parse(run.Stdout).RootElement.GetProperty("changes").EnumerateArray()
            .ToDictionary(c => c.GetProperty("path").GetString()!, c => c.GetProperty("change").GetString());
        Assert.Equal(new Dictionary<string, string?>
        {
            ["shipping.address.city"] = "changed",
            ["status"] = "changed",
            ["tags"] = "removed",
            ["total"] = "changed",
            ["updatedBy"] = "changed",
        }, changes);
        var table = await ToolAsync(env, "diff", "order", Order, "--from", created, "--to", badEdit);
        Assert.Matches(@"shipping\.address\.city\s*│\s*changed\s*│\s*""Oslo""\s*│\s*""Nowhere""", table.Stdout);
    }
}
