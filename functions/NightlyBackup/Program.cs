// The template's Handler names this assembly: Lambda's bootstrap runs it, and it serves the Runtime API.
return await Functions.Common.Runtime.LambdaRuntime.RunAsync(() => new Functions.NightlyBackup.Function().HandleAsync);
