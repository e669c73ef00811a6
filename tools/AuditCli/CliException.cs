namespace Functions.AuditCli;

/// <summary>A failure the tool reports in one line, with the exit code a script can act on.</summary>
public sealed class CliException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
