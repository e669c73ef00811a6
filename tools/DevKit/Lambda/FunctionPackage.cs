namespace Functions.DevKit;

/// <summary>
/// A function's code as Lambda holds it in /var/task: a folder and the Handler naming what in it
/// runs. What the dotnet10 runtime's bootstrap (RuntimeSupport's bootstrap.sh) does with a
/// Handler without "::": <c>dotnet exec &lt;Handler&gt;.dll</c> when that assembly is there (its
/// .deps.json and .runtimeconfig.json beside it), else the native binary named by the Handler.
/// </summary>
public sealed record FunctionPackage(string TaskRoot, string Handler)
{
    public string AssemblyPath => Path.Combine(TaskRoot, Handler.EndsWith(".dll", StringComparison.Ordinal) ? Handler : Handler + ".dll");
    public string BinaryPath => Path.Combine(TaskRoot, Handler);
    public bool IsNative => !File.Exists(AssemblyPath) && File.Exists(BinaryPath);

    /// <summary>The function's build output (<c>functions/*/bin/{configuration}/net10.0</c>), which runs as its package does.</summary>
    public static FunctionPackage BuildOutput(RepoLayout repo, FunctionDefinition function, string? configuration = null)
        => At(Path.GetDirectoryName(repo.FunctionAssembly(function.AssemblyName, configuration))!, function.Handler);

    /// <summary>A package folder (a `make build-&lt;LogicalId&gt;` output); refuses one the bootstrap could not start.</summary>
    public static FunctionPackage At(string folder, string handler)
    {
        if (handler.Contains("::", StringComparison.Ordinal))
            throw new HandlerException($"Handler '{handler}' names a class-library method; the functions are executables: the Handler is the assembly's name.");
        var package = new FunctionPackage(Path.GetFullPath(folder), handler);
        if (package.IsNative) return package;
        if (!File.Exists(package.AssemblyPath))
            throw new HandlerException($"Neither the executable assembly {package.AssemblyPath} nor a binary {package.BinaryPath} is there (the bootstrap exits 104): build the function first.");
        var name = Path.GetFileNameWithoutExtension(package.AssemblyPath);
        foreach (var file in new[] { name + ".deps.json", name + ".runtimeconfig.json" })
            if (!File.Exists(Path.Combine(package.TaskRoot, file)))
                throw new HandlerException($"{file} is not beside {Path.GetFileName(package.AssemblyPath)} in {package.TaskRoot}: dotnet exec cannot start it as Lambda would.");
        return package;
    }

    /// <summary>
    /// The command the bootstrap execs; or, given one, a bootstrap program itself (the dotnet10
    /// runtime's own bootstrap.sh, for a check beside the project), which reads _HANDLER and
    /// LAMBDA_TASK_ROOT as in Lambda.
    /// </summary>
    public System.Diagnostics.ProcessStartInfo StartInfo(string? bootstrap = null)
    {
        var info = bootstrap is not null
            ? new System.Diagnostics.ProcessStartInfo(Path.GetFullPath(bootstrap))
            : IsNative
            ? new System.Diagnostics.ProcessStartInfo(BinaryPath)
            : new System.Diagnostics.ProcessStartInfo(Dotnet()) { ArgumentList = { "exec", AssemblyPath } };
        info.WorkingDirectory = TaskRoot;
        return info;
    }

    /// <summary>The dotnet host running this tool (or the one on PATH): /var/lang/bin/dotnet in Lambda.</summary>
    public static string Dotnet()
        => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host
           : LocalServer.FindOnPath("dotnet") ?? "dotnet";
}

public sealed class HandlerException(string message) : Exception(message);
