namespace Functions.IntegrationTests;

/// <summary>
/// Every function's package as `make build-&lt;LogicalId&gt;` makes it: the folder
/// LOCAL_FUNCTION_PACKAGES names (&lt;LogicalId&gt;/ each, as CI's package step leaves them: the
/// deployed Native AOT arm64 binaries, which run here under qemu-aarch64, or the JIT build), else
/// the JIT build for linux-x64 (ReadyToRun, the quickest to make), built once for these sources
/// and kept beside the tests.
/// </summary>
public sealed class FunctionPackagesFixture : IAsyncLifetime
{
    public const string Variable = "LOCAL_FUNCTION_PACKAGES";
    private string _root = "";

    /// <summary>
    /// LOCAL_LAMBDA_BOOTSTRAP: a bootstrap program to start the packages with instead of doing
    /// what it does (the dotnet10 runtime's own bootstrap.sh, for the check by hand the README
    /// describes); none by default.
    /// </summary>
    public string? Bootstrap { get; } = Environment.GetEnvironmentVariable("LOCAL_LAMBDA_BOOTSTRAP") is { Length: > 0 } b ? b : null;

    public FunctionPackage For(FunctionDefinition function) => FunctionPackage.At(Path.Combine(_root, function.LogicalId), function.Handler);

    public async Task InitializeAsync()
    {
        var repo = RepoLayout.Find(AppContext.BaseDirectory);
        var logicalIds = FunctionDefinition.LogicalIds(SamTemplate.Load(repo.TemplatePath));
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } given)
        {
            var missing = logicalIds.Where(id => !Directory.Exists(Path.Combine(given, id))).ToList();
            if (missing.Count > 0) throw new InvalidOperationException($"{Variable}={given} lacks the packages of {string.Join(", ", missing)}.");
            _root = given;
            return;
        }
        var cache = Path.Combine(AppContext.BaseDirectory, "function-packages", PackageBuild.SourceDigest(repo));
        if (!File.Exists(Path.Combine(cache, ".complete")))
        {
            var building = $"{cache}.{Guid.NewGuid():N}";
            foreach (var id in logicalIds) await PackageBuild.MakeAsync(repo, id, Path.Combine(building, id));
            await File.WriteAllTextAsync(Path.Combine(building, ".complete"), string.Join('\n', logicalIds));
            if (Directory.Exists(cache)) Directory.Delete(cache, recursive: true);
            Directory.Move(building, cache);
        }
        _root = cache;
    }

    public Task DisposeAsync() => Task.CompletedTask;
}
