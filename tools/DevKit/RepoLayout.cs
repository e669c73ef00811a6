using System.Reflection;

namespace Functions.DevKit;

/// <summary>Where things are in this repository, found from any working directory inside it.</summary>
public sealed class RepoLayout(string root)
{
    public string Root { get; } = root;
    public string TemplatePath => Path.Combine(Root, "template.yaml");
    public string EventsDirectory => Path.Combine(Root, "events");

    public static RepoLayout Find(string? start = null)
    {
        for (var dir = new DirectoryInfo(start ?? Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "template.yaml")) && Directory.Exists(Path.Combine(dir.FullName, "functions")))
                return new RepoLayout(dir.FullName);
        // Tools and tests run from bin/; their own location is inside the repository too.
        if (start is null && Path.GetDirectoryName(typeof(RepoLayout).Assembly.Location) is { } here)
            return Find(here);
        throw new DirectoryNotFoundException("Not inside the repository: no template.yaml with a functions/ folder above here.");
    }

    /// <summary>
    /// The built assembly of a function: <c>functions/*/bin/{configuration}/net10.0/{assembly}.dll</c>,
    /// where configuration is the caller's own (LocalInvoke run in Release loads Release builds).
    /// </summary>
    public string FunctionAssembly(string assemblyName, string? configuration = null)
    {
        configuration ??= BuildConfiguration(Assembly.GetEntryAssembly() ?? typeof(RepoLayout).Assembly);
        var candidates = Directory.GetDirectories(Path.Combine(Root, "functions"))
            .Select(dir => Path.Combine(dir, "bin", configuration, "net10.0", assemblyName + ".dll"))
            .Where(File.Exists)
            .ToList();
        return candidates.Count switch
        {
            1 => candidates[0],
            0 => throw new HandlerException(
                $"{assemblyName}.dll is not built in {configuration}: run `dotnet build -c {configuration} Functions.sln` first."),
            _ => throw new HandlerException($"{assemblyName}.dll is built by more than one project: {string.Join(", ", candidates)}."),
        };
    }

    public static string BuildConfiguration(Assembly assembly)
        => assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration is { Length: > 0 } c ? c : "Debug";
}
