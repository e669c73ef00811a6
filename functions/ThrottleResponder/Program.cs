// The template's Handler names this assembly: Lambda's bootstrap runs it, and it serves the Runtime API.
return await Functions.Common.Hosting.FunctionHost.RunAsync(Functions.ThrottleResponder.Function.Service, services => new Functions.ThrottleResponder.Function(services, Functions.ThrottleResponder.ThrottleSettings.FromEnvironment()));
