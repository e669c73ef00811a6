// The template's Handler names this assembly: Lambda's bootstrap runs it, and it serves the Runtime API.
return await Functions.Common.Hosting.FunctionHost.RunAsync(Functions.AuditTrail.Function.Service, services => new Functions.AuditTrail.Function(services, Functions.AuditTrail.AuditTrailSettings.FromEnvironment()));
