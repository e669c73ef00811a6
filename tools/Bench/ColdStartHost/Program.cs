using System.Diagnostics;
using System.Globalization;
using System.Reflection;

// dotnet exec --depsfile F.deps.json --runtimeconfig F.runtimeconfig.json ColdStartHost.dll
//   <Assembly::Namespace.Type::Method> <event file>...
// The in-process reference of the cold start bench: the handler loaded by name and called as the
// managed runtime's class-library model calls it (the type's parameterless constructor as init,
// no Runtime API), on each event in turn; prints "handled <index> <processor ms> <peak working set
// bytes>" per event. What the function's own program adds to it (its Runtime API client) is
// what the bench compares.
var parts = args[0].Split("::");
var type = Assembly.Load(new AssemblyName(parts[0])).GetType(parts[1], throwOnError: true)!;
var method = type.GetMethod(parts[2]) ?? throw new MissingMethodException(parts[1], parts[2]);
var invocationType = Type.GetType("Functions.Common.Runtime.LambdaInvocation, Functions.Common", throwOnError: true)!;
var handler = Activator.CreateInstance(type);

for (var i = 1; i < args.Length; i++)
{
    using var input = new MemoryStream(File.ReadAllBytes(args[i]));
    var invocation = Activator.CreateInstance(invocationType, Guid.NewGuid().ToString(), DateTimeOffset.UtcNow.AddMinutes(1), "", null);
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    if (method.Invoke(handler, [input, invocation]) is Task task) await task.ConfigureAwait(false);
    var process = Process.GetCurrentProcess();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"handled {i - 1} {(process.TotalProcessorTime - cpu).TotalMilliseconds:0.0} {process.PeakWorkingSet64}"));
}
