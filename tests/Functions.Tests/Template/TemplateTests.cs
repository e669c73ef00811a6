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

    // The dotnet10 runtime's bootstrap (RuntimeSupport's bootstrap.sh) runs a Handler without
    // "::" as `dotnet exec <task>/<Handler>.dll` when that assembly is there, else execs the
    // binary <task>/<Handler>. The template deploys the Native AOT binary (checked by the
    // rehearsal and CI's package step); the build output the local tools and tests run is the
    // JIT build: an executable assembly with its .deps.json and .runtimeconfig.json beside it.
    [Theory]
    [MemberData(nameof(Functions))]
    public void Every_handler_names_an_executable_assembly_whose_package_holds_what_dotnet_exec_needs(string logicalId)
    {
        var function = FunctionDefinition.Read(Template.Context(), logicalId);
        var package = FunctionPackage.BuildOutput(Repo, function, Configuration); // refuses a folder lacking any of the three

        Assert.DoesNotContain("::", function.Handler, StringComparison.Ordinal);
        Assert.Equal("dotnet10", function.Runtime);
        foreach (var file in new[] { ".dll", ".deps.json", ".runtimeconfig.json" })
            Assert.True(File.Exists(Path.Combine(package.TaskRoot, function.Handler + file)), function.Handler + file);
        using var pe = new System.Reflection.PortableExecutable.PEReader(File.OpenRead(package.AssemblyPath));
        Assert.NotEqual(0, pe.PEHeaders.CorHeader!.EntryPointTokenOrRelativeVirtualAddress); // an executable, not a library
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(package.TaskRoot, function.Handler + ".runtimeconfig.json")));
        Assert.Equal("Microsoft.NETCore.App", config.RootElement.GetProperty("runtimeOptions").GetProperty("framework").GetProperty("name").GetString());
    }

    [Theory]
    [MemberData(nameof(Functions))]
    public void Every_function_takes_its_time_from_lambda_and_knows_its_metrics_namespace(string logicalId)
    {
        var function = FunctionDefinition.Read(Template.Context(), logicalId);

        // The deadline comes with each invocation (Lambda-Runtime-Deadline-Ms); no variable can drift from Timeout.
        Assert.DoesNotContain(function.Environment.Keys, k => k.Contains("TIMEOUT", StringComparison.Ordinal));
        var environment = FunctionEnvironment.From(function.Environment.GetValueOrDefault, "unused");
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
    public void A_package_the_bootstrap_could_not_start_is_refused_with_the_reason()
    {
        var folder = Directory.CreateTempSubdirectory("package-").FullName;
        try
        {
            Assert.Contains("class-library method", Assert.Throws<HandlerException>(() => FunctionPackage.At(folder, "AuditTrail::Functions.AuditTrail.Function::FunctionHandler")).Message, StringComparison.Ordinal);
            Assert.Contains("exits 104", Assert.Throws<HandlerException>(() => FunctionPackage.At(folder, "AuditTrail")).Message, StringComparison.Ordinal);
            File.WriteAllText(Path.Combine(folder, "AuditTrail.dll"), "");
            Assert.Contains("AuditTrail.deps.json", Assert.Throws<HandlerException>(() => FunctionPackage.At(folder, "AuditTrail")).Message, StringComparison.Ordinal);
            File.WriteAllText(Path.Combine(folder, "AuditTrail.deps.json"), "{}");
            Assert.Contains("AuditTrail.runtimeconfig.json", Assert.Throws<HandlerException>(() => FunctionPackage.At(folder, "AuditTrail")).Message, StringComparison.Ordinal);
            File.WriteAllText(Path.Combine(folder, "AuditTrail.runtimeconfig.json"), "{}");
            Assert.False(FunctionPackage.At(folder, "AuditTrail").IsNative);
            File.Delete(Path.Combine(folder, "AuditTrail.dll"));
            File.WriteAllText(Path.Combine(folder, "AuditTrail"), ""); // a native binary named by the Handler
            Assert.True(FunctionPackage.At(folder, "AuditTrail").IsNative);
            Assert.Equal(NativeMachine.Other, FunctionPackage.At(folder, "AuditTrail").Machine); // no ELF header
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// The deployed packages are arm64 binaries: on this x64 machine they run under qemu-aarch64,
    /// with the arm64 libraries of Debian's multiarch (-L /), and a binary for this machine runs
    /// as it is. Which one a binary is comes from its ELF header.
    /// </summary>
    [Fact]
    public void A_native_binary_for_another_machine_runs_under_its_emulator_and_one_for_this_machine_as_it_is()
    {
        var folder = Directory.CreateTempSubdirectory("package-").FullName;
        try
        {
            static byte[] Elf(ushort machine)
            {
                var header = new byte[64];
                "\u007fELF"u8.CopyTo(header);
                System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(18), machine);
                return header;
            }
            var host = NativeMachines.Host;
            Assert.NotEqual(NativeMachine.Other, host);
            var (own, other, otherCode, qemu) = host == NativeMachine.X64
                ? (NativeMachine.X64, NativeMachine.Arm64, (ushort)0xB7, "qemu-aarch64")
                : (NativeMachine.Arm64, NativeMachine.X64, (ushort)0x3E, "qemu-x86_64");
            var binary = Path.Combine(folder, "AuditTrail");

            File.WriteAllBytes(binary, Elf(host == NativeMachine.X64 ? (ushort)0x3E : (ushort)0xB7));
            var native = FunctionPackage.At(folder, "AuditTrail");
            Assert.Equal((own, null), (native.Machine, native.Emulator()));
            Assert.Equal(binary, native.StartInfo().FileName);

            File.WriteAllBytes(binary, Elf(otherCode));
            var foreign = FunctionPackage.At(folder, "AuditTrail");
            Assert.Equal(other, foreign.Machine);
            if (LocalServer.FindOnPath(qemu) is null)
                Assert.Contains("apt-get install qemu-user", Assert.Throws<HandlerException>(() => foreign.StartInfo()).Message, StringComparison.Ordinal);
            else
            {
                var info = foreign.StartInfo();
                Assert.Equal(qemu, Path.GetFileName(info.FileName));
                Assert.Equal(["-L", "/", binary], info.ArgumentList);
                Assert.Equal("40000000", info.Environment["DOTNET_GCRegionRange"]);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
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
