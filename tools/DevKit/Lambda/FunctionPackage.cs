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
    /// LAMBDA_TASK_ROOT as in Lambda. A native binary built for another machine (the arm64
    /// package on an x64 machine) runs under its emulator: <see cref="Emulator"/>.
    /// </summary>
    public System.Diagnostics.ProcessStartInfo StartInfo(string? bootstrap = null)
    {
        System.Diagnostics.ProcessStartInfo info;
        if (bootstrap is not null)
            info = new System.Diagnostics.ProcessStartInfo(Path.GetFullPath(bootstrap));
        else if (!IsNative)
            info = new System.Diagnostics.ProcessStartInfo(Dotnet()) { ArgumentList = { "exec", AssemblyPath } };
        else if (Emulator() is { } emulator)
        {
            info = new System.Diagnostics.ProcessStartInfo(emulator.Program);
            foreach (var argument in emulator.Arguments) info.ArgumentList.Add(argument);
            info.ArgumentList.Add(BinaryPath);
            foreach (var (name, value) in emulator.Environment) info.Environment[name] = value;
        }
        else
            info = new System.Diagnostics.ProcessStartInfo(BinaryPath);
        info.WorkingDirectory = TaskRoot;
        return info;
    }

    /// <summary>The machine a native binary is built for (its ELF header's); null for an assembly.</summary>
    public NativeMachine? Machine => IsNative ? NativeMachines.Of(BinaryPath) : null;

    /// <summary>
    /// How this machine runs the native binary when it is built for another: Debian's
    /// qemu-user (`qemu-aarch64 -L /`: the arm64 libraries of Debian's multiarch, in
    /// /lib/aarch64-linux-gnu, with their own loader /lib/ld-linux-aarch64.so.1; mixing in the
    /// cross toolchain's /usr/aarch64-linux-gnu, a second glibc, hangs the runtime at start).
    /// Null when the binary is this machine's own. A missing qemu fails with what to install.
    /// </summary>
    public Emulation? Emulator()
    {
        if (Machine is not { } machine || machine == NativeMachines.Host) return null;
        var qemu = machine switch
        {
            NativeMachine.Arm64 => "qemu-aarch64",
            NativeMachine.X64 => "qemu-x86_64",
            _ => throw new HandlerException($"{BinaryPath} is built for a machine this tool cannot run ({machine})."),
        };
        var program = LocalServer.FindOnPath(qemu)
                      ?? throw new HandlerException($"{BinaryPath} is a {machine} binary and this machine is {NativeMachines.Host}: it runs under {qemu}, which is missing (Debian: apt-get install qemu-user; its libraries: dpkg --add-architecture arm64 && apt-get install libc6:arm64 libssl3:arm64).");
        // The GC reserves its regions' address range up front (256 GB by default); under qemu
        // that reservation is slow, and a 1 GB range is plenty for a function of Lambda's size.
        return new Emulation(program, ["-L", "/"], new Dictionary<string, string?> { ["DOTNET_GCRegionRange"] = "40000000" });
    }

    /// <summary>The dotnet host running this tool (or the one on PATH): /var/lang/bin/dotnet in Lambda.</summary>
    public static string Dotnet()
        => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host
           : LocalServer.FindOnPath("dotnet") ?? "dotnet";
}

public sealed class HandlerException(string message) : Exception(message);

/// <summary>A program that runs another machine's binary: its arguments before the binary, and what it adds to the environment.</summary>
public sealed record Emulation(string Program, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string?> Environment);

public enum NativeMachine { Other, X64, Arm64 }

/// <summary>The machine an ELF binary is for (its header's e_machine), and this machine's.</summary>
public static class NativeMachines
{
    public static NativeMachine Host => System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => NativeMachine.X64,
        System.Runtime.InteropServices.Architecture.Arm64 => NativeMachine.Arm64,
        _ => NativeMachine.Other,
    };

    public static NativeMachine Of(string path)
    {
        Span<byte> header = stackalloc byte[20];
        using (var file = File.OpenRead(path))
            if (file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length || !header[..4].SequenceEqual("\u007fELF"u8))
                return NativeMachine.Other;
        // e_machine, little-endian (both machines here are): 0x3E x86-64, 0xB7 AArch64.
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(header[18..]) switch
        {
            0x3E => NativeMachine.X64,
            0xB7 => NativeMachine.Arm64,
            _ => NativeMachine.Other,
        };
    }
}
