using System.Diagnostics;

namespace Functions.IntegrationTests;

/// <summary>
/// The tests, LocalInvoke and LocalRun read template.yaml through DevKit's expansion of its
/// Fn::ForEach loops; the deploy rehearsal through cfn-lint's (tools/Rehearsal/expansion.py). Both
/// must see the same template, resource by resource.
/// </summary>
public class TemplateExpansionTests
{
    private static readonly RepoLayout Repo = RepoLayout.Find(AppContext.BaseDirectory);

    [Fact]
    public async Task DevKit_expands_the_template_as_cfn_lint_does_for_the_rehearsal()
    {
        var template = SamTemplate.Load(Repo.TemplatePath);
        var expanded = Path.Combine(Path.GetTempPath(), $"expanded-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(expanded, template.ExpandedYaml());
        try
        {
            var info = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Repo.Root };
            foreach (var arg in new[] { "tools/Rehearsal/expansion.py", "template.yaml", "--same-as", expanded }) info.ArgumentList.Add(arg);
            using var process = Process.Start(info) ?? throw new InvalidOperationException("python3 did not start (the rehearsal needs it, with cfn-lint).");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromMinutes(2)).Token);

            Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}\n{await stdout}\n{await stderr}");
            Assert.Contains($"the same {template.Conditions().Count} conditions, {template.Resources().Count} resources, {template.Outputs().Count} outputs",
                await stdout, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(expanded);
        }
    }
}
