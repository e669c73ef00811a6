// The template's Handler names this assembly: Lambda's bootstrap runs it, and it serves the Runtime API.
return await Functions.Common.Hosting.FunctionHost.RunAsync(Functions.PitrGuard.Function.Service, services => new Functions.PitrGuard.Function(services, Functions.PitrGuard.PitrSettings.FromEnvironment()));
