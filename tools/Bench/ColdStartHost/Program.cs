using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Functions.Common.Hosting;
using Functions.Events;

// dotnet exec --depsfile F.deps.json --runtimeconfig F.runtimeconfig.json ColdStartHost.dll
//   <Assembly::Namespace.Type> <service> <event file>...
// The in-process reference of the cold start bench: the function made and hosted as its
// Program.cs does (its services from the environment, then FunctionHost's handler), but called
// directly, with no Runtime API; prints "handled <index> <processor ms> <peak working set bytes>"
// per event. What the program's own Runtime API client adds to it is what the bench compares.
var parts = args[0].Split("::");
var type = Assembly.Load(new AssemblyName(parts[0])).GetType(parts[1], throwOnError: true)!;
var services = FunctionServices.FromEnvironment(args[1]);
// As Program.cs makes it: the services, then each other argument from its type's FromEnvironment().
const BindingFlags Any = BindingFlags.Public | BindingFlags.NonPublic;
var constructor = type.GetConstructors(Any | BindingFlags.Instance).Single();
var arguments = constructor.GetParameters()
    .Select(p => p.ParameterType == typeof(FunctionServices) ? services
        : p.ParameterType.GetMethod("FromEnvironment", Any | BindingFlags.Static, Type.EmptyTypes)?.Invoke(null, null)
          ?? throw new InvalidOperationException($"{type}'s constructor takes a {p.ParameterType.Name}, which has no FromEnvironment()."))
    .ToArray();
var handler = FunctionHost.For((IFunction<StreamsEventResponse>)constructor.Invoke(arguments), services).HandleAsync;

for (var i = 2; i < args.Length; i++)
{
    using var input = new MemoryStream(File.ReadAllBytes(args[i]));
    var invocation = new Functions.Common.Runtime.LambdaInvocation(Guid.NewGuid().ToString(), DateTimeOffset.UtcNow.AddMinutes(1));
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    await using (await handler(input, invocation).ConfigureAwait(false)) { }
    var process = Process.GetCurrentProcess();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"handled {i - 2} {(process.TotalProcessorTime - cpu).TotalMilliseconds:0.0} {process.PeakWorkingSet64}"));
}
