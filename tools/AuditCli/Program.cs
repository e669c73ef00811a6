using Functions.AuditCli;

// dotnet run --project tools/AuditCli -- <history|show|diff|undo> <entity> <id> ... (--help for all)
return await AuditCommandLine.RunAsync(args, CliContext.ForProcess());
