using Functions.DevKit;

namespace Functions.Tests;

/// <summary>The intrinsic functions LocalInvoke resolves in environment variables, short and long form.</summary>
public sealed class TemplateIntrinsicsTests : IDisposable
{
    private const string Yaml = """
        Parameters:
          AppName: {Type: String, Default: maip}
          Environment: {Type: String, Default: dev}
        Conditions:
          IsProd: !Equals [!Ref Environment, prod]
          NotProd: !Not [!Condition IsProd]
          Long:
            Fn::Equals: [{Ref: AppName}, maip]
        Globals:
          Function:
            Timeout: 30
            Environment:
              Variables:
                GLOBAL: !Sub "${AppName}-${Environment}-"
        Resources:
          Table:
            Type: AWS::DynamoDB::Table
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: A::B.C::D
              Runtime: dotnet10
              Environment:
                Variables:
                  REF: !Ref AppName
                  REGION: !Sub "${AWS::Region}/${AWS::AccountId}/${!Literal}"
                  SUB_LIST: !Sub ["${Name}.${Environment}", {Name: !Ref AppName}]
                  LONG_SUB: {"Fn::Sub": "${AppName}-x"}
                  LONG_REF: {"Ref": "Environment"}
                  JOINED: !Join [",", [a, !Ref Environment]]
                  CHOSEN: !If [IsProd, big, small]
                  NOT_CHOSEN: !If [NotProd, yes, no]
                  LONG_IF: !If [Long, long, short]
                  PLAIN: 7
                  ARN: !GetAtt Table.Arn
        """;

    private readonly string _path = Path.Combine(Path.GetTempPath(), $"template-{Guid.NewGuid():N}.yaml");

    public TemplateIntrinsicsTests() => File.WriteAllText(_path, Yaml);

    public void Dispose() => File.Delete(_path);

    [Fact]
    public void Parameters_pseudo_parameters_and_conditions_resolve_like_sam_local()
    {
        var function = FunctionDefinition.Read(SamTemplate.Load(_path).Context(region: "eu-west-1"), "Fn");
        var env = function.Environment;

        Assert.Equal("maip-dev-", env["GLOBAL"]);
        Assert.Equal("maip", env["REF"]);
        Assert.Equal("eu-west-1/123456789012/${Literal}", env["REGION"]);
        Assert.Equal("maip.dev", env["SUB_LIST"]);
        Assert.Equal("maip-x", env["LONG_SUB"]);
        Assert.Equal("dev", env["LONG_REF"]);
        Assert.Equal("a,dev", env["JOINED"]);
        Assert.Equal("small", env["CHOSEN"]);
        Assert.Equal("yes", env["NOT_CHOSEN"]);
        Assert.Equal("long", env["LONG_IF"]);
        Assert.Equal("7", env["PLAIN"]);
        Assert.Equal(30, function.TimeoutSeconds);
    }

    [Fact]
    public void What_cannot_be_resolved_locally_is_left_empty_with_a_warning()
    {
        var function = FunctionDefinition.Read(SamTemplate.Load(_path).Context(), "Fn");
        Assert.Equal("", function.Environment["ARN"]);
        Assert.Contains(function.Warnings, w => w.Contains("!GetAtt", StringComparison.Ordinal) && w.Contains("ARN", StringComparison.Ordinal));
    }

    [Fact]
    public void Overrides_change_every_value_that_depends_on_them()
    {
        var env = FunctionDefinition.Read(SamTemplate.Load(_path).Context(new Dictionary<string, string> { ["Environment"] = "prod" }), "Fn").Environment;
        Assert.Equal("maip-prod-", env["GLOBAL"]);
        Assert.Equal("big", env["CHOSEN"]);
        Assert.Equal("no", env["NOT_CHOSEN"]);
    }
}
