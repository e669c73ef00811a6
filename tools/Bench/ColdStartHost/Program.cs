using System.Diagnostics;
using System.Globalization;
using System.Reflection;

// dotnet exec --depsfile F.deps.json --runtimeconfig F.runtimeconfig.json ColdStartHost.dll
//   <Assembly::Namespace.Type::Method> <event file>...
// Loads the handler as Lambda's managed runtime does (by name, the type's parameterless
// constructor as the function's init), invokes it on each event in turn and prints
// "handled <index> <processor ms of the event> <peak working set bytes>"; the bench times the lines.
var parts = args[0].Split("::");
var type = Assembly.Load(new AssemblyName(parts[0])).GetType(parts[1], throwOnError: true)!;
var method = type.GetMethod(parts[2]) ?? throw new MissingMethodException(parts[1], parts[2]);
var handler = Activator.CreateInstance(type);

for (var i = 1; i < args.Length; i++)
{
    using var input = new MemoryStream(File.ReadAllBytes(args[i]));
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    if (method.Invoke(handler, [input]) is Task task) await task.ConfigureAwait(false);
    var process = Process.GetCurrentProcess();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"handled {i - 1} {(process.TotalProcessorTime - cpu).TotalMilliseconds:0.0} {process.PeakWorkingSet64}"));
}
