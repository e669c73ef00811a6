using System.Text.Json;
using Functions.Common.Runtime;
using Functions.Common.Tables;
using Functions.DevKit;

namespace Functions.Tests;

/// <summary>template.yaml, read the way the local tools and SAM read it.</summary>
public class TemplateTests
{
    private static readonly RepoLayout Repo = RepoLayout.Find(AppContext.BaseDirectory);
    private static readonly SamTemplate Template = SamTemplate.Load(Repo.TemplatePath);
    private static readonly string Configuration = RepoLayout.BuildConfiguration(typeof(TemplateTests).Assembly);

    public static TheoryData<string> Functions() => new(FunctionDefinition.LogicalIds(Template));

    [Theory]
    [MemberData(nameof(Functions))]
    public void Every_function_handler_resolves_to_a_method_the_runtime_can_call(string logicalId)
    {
        var function = FunctionDefinition.Read(Template.Context(), logicalId);
        var method = LambdaHandler.Resolve(Repo.FunctionAssembly(function.AssemblyName, Configuration), function.Handler);

        Assert.Equal(typeof(Stream), method.GetParameters().Single().ParameterType);
        Assert.Equal("dotnet10", function.Runtime);
    }

    [Theory]
    [MemberData(nameof(Functions))]
    public void Every_function_knows_its_own_timeout_and_metrics_namespace(string logicalId)
    {
        var function = FunctionDefinition.Read(Template.Context(), logicalId);

        Assert.Equal(function.TimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), function.Environment["FUNCTION_TIMEOUT_SECONDS"]);
        var environment = FunctionEnvironment.From(function.Environment.GetValueOrDefault, "unused");
        Assert.Equal(TimeSpan.FromSeconds(function.TimeoutSeconds), environment.Timeout);
        Assert.Equal("maip/dynamodb-ops", environment.MetricsNamespace);
        Assert.Equal("maip-dev-", environment.TablePrefix.Value);
    }

    // CloudFormation's own transform expands the loops at deploy; cfn-lint and SAM CLI take more than
    // AWS documents for it (ForEachExpansion.ReferenceUrl), and DevKit refuses that more: a FindInMap
    // as a collection, a key without the identifier of each loop around it.
    [Fact]
    public void The_templates_loops_are_in_the_form_AWS_documents_and_write_out_every_table_and_function()
    {
        Assert.Contains(ForEachExpansion.LoopPrefix, File.ReadAllText(Repo.TemplatePath), StringComparison.Ordinal);
        var template = SamTemplate.Load(Repo.TemplatePath);

        Assert.Equal(8, template.ResourcesOfType("AWS::DynamoDB::Table").Count());
        Assert.Equal(FunctionDefinition.LogicalIds(template).Count, template.ResourcesOfType("AWS::Logs::LogGroup").Count());
    }

    [Fact]
    public void Handler_resolution_rejects_what_the_runtime_would_reject()
    {
        var self = typeof(TemplateTests).Assembly.Location;
        Assert.Contains("overloaded", Assert.Throws<HandlerException>(() => LambdaHandler.Resolve(self, $"Functions.Tests::{typeof(SampleHandlers).FullName}::Overloaded")).Message, StringComparison.Ordinal);
        Assert.Contains("must take one Stream", Assert.Throws<HandlerException>(() => LambdaHandler.Resolve(self, $"Functions.Tests::{typeof(SampleHandlers).FullName}::TakesString")).Message, StringComparison.Ordinal);
        Assert.Contains("no public method", Assert.Throws<HandlerException>(() => LambdaHandler.Resolve(self, $"Functions.Tests::{typeof(SampleHandlers).FullName}::Missing")).Message, StringComparison.Ordinal);
        Assert.Contains("Assembly::Namespace.Type::Method", Assert.Throws<HandlerException>(() => LambdaHandler.Resolve(self, "Functions.Tests::Handle")).Message, StringComparison.Ordinal);
        Assert.NotNull(LambdaHandler.Resolve(self, $"Functions.Tests::{typeof(SampleHandlers).FullName}::Supported"));
    }

    [Fact]
    public void The_table_catalog_is_exactly_the_template_tables_with_their_key_schemas()
    {
        var tables = TableDefinition.ReadAll(Template.Context()).ToDictionary(t => t.TableName);
        Assert.Equal(TableCatalog.All.Select(t => $"maip-dev-{t.Suffix}").Order(), tables.Keys.Order());
        Assert.Equal(8, TableCatalog.All.Count);
        foreach (var entry in TableCatalog.All)
        {
            var table = tables[$"maip-dev-{entry.Suffix}"];
            Assert.Equal(entry.PartitionKey, table.PartitionKey);
            Assert.Equal(entry.SortKey, table.SortKey);
            Assert.Equal(entry.Role == TableRole.Business ? "NEW_AND_OLD_IMAGES" : null, table.StreamViewType);
        }
        var audit = tables["maip-dev-audit"];
        Assert.Equal("entityType#entityId", audit.PartitionKey);
        Assert.Equal("timestamp", audit.SortKey);
        Assert.Equal("expiresAt", audit.TtlAttribute);
        Assert.Equal(("merchantId", "eventType#timestamp"), (tables["maip-dev-merchant-analytics"].PartitionKey, tables["maip-dev-merchant-analytics"].SortKey));
    }

    [Fact]
    public void Every_business_table_stream_feeds_the_audit_trail_with_partial_batch_responses()
    {
        var events = (YamlDotNet.RepresentationModel.YamlMappingNode)Template.ResourceProperty("AuditTrailFunction", "Events")!;
        var streams = events.Children.Values
            .Select(e => SamTemplate.Child(e, "Properties"))
            .Where(p => SamTemplate.Scalar(SamTemplate.Child(p, "FunctionResponseTypes") is YamlDotNet.RepresentationModel.YamlSequenceNode s ? s.Children[0] : null) == "ReportBatchItemFailures")
            // !If [CreatesTables, !GetAtt XTable.StreamArn, !Ref XStreamArn]: the stack's table, or the existing one's stream
            .Select(p => (YamlDotNet.RepresentationModel.YamlSequenceNode)SamTemplate.Child(p, "Stream")!)
            .Select(choice => $"{SamTemplate.Scalar(choice.Children[0])} ? {SamTemplate.Scalar(choice.Children[1])} : {SamTemplate.Scalar(choice.Children[2])}")
            .ToHashSet();
        var expected = TableCatalog.Business
            .Select(t => string.Concat(t.Suffix.Split('-').Select(w => char.ToUpperInvariant(w[0]) + w[1..])))
            .Select(name => $"CreatesTables ? {name}Table.StreamArn : {name}StreamArn");
        Assert.Equal(expected.ToHashSet(), streams);
    }

    [Fact]
    public void The_function_environment_is_globals_plus_its_own_with_parameters_resolved()
    {
        var env = FunctionDefinition.Read(Template.Context(), "AuditTrailFunction").Environment;
        Assert.Equal("maip-dev-audit", env["AUDIT_TABLE_NAME"]);
        Assert.Equal("maip-dev-", env["TABLE_PREFIX"]);
        Assert.Equal("updatedBy", env["ACTOR_ATTRIBUTE"]);

        var prod = FunctionDefinition.Read(Template.Context(new Dictionary<string, string> { ["Environment"] = "prod", ["AppName"] = "shop" }), "AuditTrailFunction");
        Assert.Equal("shop-prod-audit", prod.Environment["AUDIT_TABLE_NAME"]);
        Assert.Equal("shop-prod-", prod.Environment["TABLE_PREFIX"]);
    }

    [Fact]
    public void Env_vars_files_override_declared_variables_as_sam_does()
    {
        using var file = JsonDocument.Parse("""
            {"Parameters":{"ACTOR_ATTRIBUTE":"modifiedBy","NOT_DECLARED":"x"},
             "AuditTrailFunction":{"REDACT_ATTRIBUTES":"ssn,email","AUDIT_RETENTION_DAYS":30}}
            """);
        var function = FunctionDefinition.Read(Template.Context(), "AuditTrailFunction", file);

        Assert.Equal("modifiedBy", function.Environment["ACTOR_ATTRIBUTE"]);
        Assert.Equal("ssn,email", function.Environment["REDACT_ATTRIBUTES"]);
        Assert.Equal("30", function.Environment["AUDIT_RETENTION_DAYS"]);
        Assert.False(function.Environment.ContainsKey("NOT_DECLARED"));
        Assert.Contains(function.Warnings, w => w.Contains("NOT_DECLARED", StringComparison.Ordinal));
    }

    [Fact]
    public void An_unknown_function_or_parameter_is_named_in_the_error()
    {
        Assert.Contains("AuditTrailFunction", Assert.Throws<TemplateException>(() => FunctionDefinition.Read(Template.Context(), "Nope")).Message, StringComparison.Ordinal);
        Assert.Contains("Colour", Assert.Throws<TemplateException>(() => Template.Context(new Dictionary<string, string> { ["Colour"] = "red" })).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_command_line_takes_sam_local_invoke_arguments()
    {
        var options = InvokeOptions.Parse(["AuditTrailFunction", "-e", "events/orders-insert.json", "--env-vars", "env.json",
            "--parameter-overrides", "Environment=prod", "AppName=shop", "ParameterKey=AuditRetentionDays,ParameterValue=7"]);

        Assert.Equal("AuditTrailFunction", options.FunctionId);
        Assert.Equal("events/orders-insert.json", options.EventPath);
        Assert.Equal("env.json", options.EnvVarsPath);
        Assert.Equal(new Dictionary<string, string> { ["Environment"] = "prod", ["AppName"] = "shop", ["AuditRetentionDays"] = "7" }, options.ParameterOverrides);
        Assert.Equal(new Dictionary<string, string> { ["Environment"] = "staging", ["AppName"] = "x" },
            InvokeOptions.Parse(["F", "--parameter-overrides", "Environment=staging AppName=x"]).ParameterOverrides);
        Assert.Throws<UsageException>(() => InvokeOptions.Parse(["-e", "x.json"]));
        Assert.Throws<UsageException>(() => InvokeOptions.Parse(["F", "--bogus"]));
    }
}

/// <summary>Handler shapes for the resolution test.</summary>
public static class SampleHandlers
{
    public static Task<Stream> Supported(Stream input) => Task.FromResult(input);
    public static void Overloaded(Stream input) { }
    public static void Overloaded(Stream input, int extra) { }
    public static string TakesString(string input) => input;
}
