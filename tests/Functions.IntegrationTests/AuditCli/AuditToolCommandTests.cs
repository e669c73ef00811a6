using Functions.AuditCli;

namespace Functions.IntegrationTests;

/// <summary>The tool as an operator's script meets it: exit codes and one-line errors, as a separate process.</summary>
[Collection(DynamoDbLocalCollection.Name)]
public sealed class AuditToolCommandTests(DynamoDbLocalFixture local)
{
    public static TheoryData<string[], int, string> Errors => new()
    {
        { ["history", "invoice", "i-1"], ExitCodes.Usage, "Unknown entity type 'invoice'" },
        { ["history", "maip-prod-orders", "o-1"], ExitCodes.Usage, "maip-prod-orders is a table of another environment than maip-dev-*: to work on it, pass --app maip --env prod" },
        { ["show", "order", "o-1", "--at", "2026-01-16 12:00"], ExitCodes.Usage, "Bad time '2026-01-16 12:00'" },
        { ["undo", "order", "o-1", "--to", "now"], ExitCodes.Usage, "Option '--actor' is required." },
        { ["history", "order", "o-1", "--env", "qa"], ExitCodes.Usage, "Argument 'qa' not recognized" },
        { ["history", "order", "o-1", "--app", "nosuchapp"], ExitCodes.Aws, "Table nosuchapp-dev-audit does not exist in the endpoint" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public async Task A_bad_request_is_one_line_on_stderr_and_an_exit_code_a_script_can_use(string[] args, int exitCode, string message)
    {
        var run = await AuditTool.RunProcessAsync(local, null, args);

        Assert.True(run.ExitCode == exitCode, run.ToString());
        Assert.Contains(message, run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal); // no stack trace
        Assert.Empty(run.Stdout);
    }

    [Fact]
    public async Task No_audit_record_is_exit_code_3()
    {
        var env = await AuditEnvironment.CreateAsync(local);

        var run = await AuditTool.RunProcessAsync(local, null, "history", "order", "never-made", "--app", env.App);

        Assert.Equal(ExitCodes.NotFound, run.ExitCode);
        Assert.Contains($"No audit record of order#never-made in {env.Table("audit")}.", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_credentials_is_said_plainly()
    {
        var run = await AuditTool.RunProcessAsync(local, new Dictionary<string, string?>
        {
            ["AWS_ACCESS_KEY_ID"] = null,
            ["AWS_SECRET_ACCESS_KEY"] = null,
            ["AWS_PROFILE"] = null,
            ["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent/credentials",
            ["AWS_CONFIG_FILE"] = "/nonexistent/config",
        }, "history", "order", "o-1");

        Assert.Equal(ExitCodes.Aws, run.ExitCode);
        Assert.Equal("error: No AWS credentials: set AWS_PROFILE (or --profile), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (any values do for moto or DynamoDB Local).",
            run.Stderr.Trim());
    }

    [Fact]
    public async Task Help_documents_the_verbs_and_the_exit_codes()
    {
        var run = await AuditTool.RunProcessAsync(local, null, "--help");

        Assert.Equal(0, run.ExitCode);
        foreach (var verb in new[] { "history <entity> <id>", "show <entity> <id>", "diff <entity> <id>", "undo <entity> <id>" })
            Assert.Contains(verb, run.Stdout, StringComparison.Ordinal);
        foreach (var (code, meaning) in ExitCodes.All)
            Assert.Contains($"{code}  {meaning}", run.Stdout, StringComparison.Ordinal);
    }
}
