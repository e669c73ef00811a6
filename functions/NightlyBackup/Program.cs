// The template's Handler names this assembly: Lambda's bootstrap runs it, and it serves the Runtime API.
return await Functions.Common.Hosting.FunctionHost.RunAsync(Functions.NightlyBackup.Function.Service, services => new Functions.NightlyBackup.Function(services, Functions.NightlyBackup.BackupSettings.FromEnvironment()));
