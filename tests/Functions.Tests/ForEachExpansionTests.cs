using Functions.DevKit;

namespace Functions.Tests;

/// <summary>
/// Fn::ForEach written out as CloudFormation and cfn-lint write it (the integration tests check
/// DevKit's expansion of template.yaml equals cfn-lint's, which the deploy rehearsal uses).
/// </summary>
public class ForEachExpansionTests
{
    private static SamTemplate Parse(string yaml) => SamTemplate.Parse(new StringReader(yaml), "test.yaml");

    private const string Tables = """
        Parameters:
          AppName: {Type: String, Default: maip}
        Conditions:
          Always: !Equals [a, a]
          Fn::ForEach::TableConditions:
            - Table
            - [Orders, PricingRules]
            - Has${Table}: !Equals [!Ref AppName, !Ref Table]
        Mappings:
          Groups:
            Tables: {All: [Orders, PricingRules]}
          Tables:
            Orders: {Name: [orders], Key: orderId}
            PricingRules: {Name: [pricing-rules], Key: ruleId}
        Resources:
          Fn::ForEach::Tables:
            - Table
            - !FindInMap [Groups, Tables, All]
            - Fn::ForEach::Names:
                - Suffix
                - !FindInMap [Tables, !Ref Table, Name]
                - ${Table}Table:
                    Type: AWS::DynamoDB::Table
                    Condition: Always
                    Properties:
                      TableName: !Sub "${AppName}-${Suffix}"
                      Plain: !Sub "${Table}-${Suffix}"
                      WithVariables: !Sub ["${Table}.${Extra}", {Extra: !Ref Suffix}]
                      Literal: "${Table} stays outside a Sub"
                      KeySchema: [{AttributeName: !FindInMap [Tables, !Ref Table, Key], KeyType: HASH}]
                  ${Table}Alarm:
                    Type: AWS::CloudWatch::Alarm
                    Properties:
                      Table: !Ref {Fn::Sub: "${Table}Table"}
                      LongRef: {Ref: Table}
                      Stream: !GetAtt [!Sub "${Table}Table", StreamArn]
                      Choice: !If [Always, !Ref Table, !Ref AppName]
          Fixed:
            Type: AWS::SNS::Topic
            Properties:
              Fn::ForEach::Properties:
                - Name
                - [DisplayName, TopicName]
                - ${Name}: !Sub "${Name}-${AppName}"
        Outputs:
          Fn::ForEach::Hosts:
            - Address
            - ["10.0.0.1"]
            - Host&{Address}:
                Value: !Sub "&{Address} is ${Address}"
        """;

    [Fact]
    public void Each_loop_writes_its_body_once_per_item_with_the_identifier_in_keys_subs_refs_and_getatts()
    {
        var template = Parse(Tables);
        var context = template.Context().WithResourceReferences();

        Assert.Equal(["OrdersTable", "OrdersAlarm", "PricingRulesTable", "PricingRulesAlarm", "Fixed"], template.Resources().Keys);
        Assert.Equal("maip-pricing-rules", context.ResolveString(template.ResourceProperty("PricingRulesTable", "TableName"), "t"));
        Assert.Equal("PricingRules-pricing-rules", SamTemplate.Scalar(template.ResourceProperty("PricingRulesTable", "Plain")));
        Assert.True(template.ResourceProperty("PricingRulesTable", "Plain")!.Tag.IsEmpty); // a Sub with nothing left is the string
        Assert.Equal("PricingRules.pricing-rules", context.ResolveString(template.ResourceProperty("PricingRulesTable", "WithVariables"), "t"));
        Assert.Equal("${Table} stays outside a Sub", SamTemplate.Scalar(template.ResourceProperty("OrdersTable", "Literal")));
        Assert.Equal("ruleId", context.ResolveString(Key(template, "PricingRulesTable"), "t"));
        Assert.Equal(new ResourceReference("OrdersTable"), context.Resolve(template.ResourceProperty("OrdersAlarm", "Table"), "t"));
        Assert.Equal("Orders", context.Resolve(template.ResourceProperty("OrdersAlarm", "LongRef"), "t"));
        Assert.Equal(new ResourceReference("PricingRulesTable", "StreamArn"), context.Resolve(template.ResourceProperty("PricingRulesAlarm", "Stream"), "t"));
        Assert.Equal("PricingRules", context.Resolve(template.ResourceProperty("PricingRulesAlarm", "Choice"), "t"));
        Assert.Equal("Always", SamTemplate.Scalar(SamTemplate.Child(template.Resources()["OrdersTable"], "Condition")));
    }

    private static YamlDotNet.RepresentationModel.YamlNode Key(SamTemplate template, string table)
        => SamTemplate.Child(((YamlDotNet.RepresentationModel.YamlSequenceNode)template.ResourceProperty(table, "KeySchema")!).Children[0], "AttributeName")!;

    [Fact]
    public void Loops_in_properties_conditions_and_outputs_are_written_out_too()
    {
        var template = Parse(Tables);
        var context = template.Context();

        Assert.Equal("DisplayName-maip", context.ResolveString(template.ResourceProperty("Fixed", "DisplayName"), "t"));
        Assert.Equal("TopicName-maip", context.ResolveString(template.ResourceProperty("Fixed", "TopicName"), "t"));
        Assert.False(context.Holds("HasOrders"));
        Assert.True(template.Context(new Dictionary<string, string> { ["AppName"] = "PricingRules" }).Holds("HasPricingRules"));
        var output = template.Outputs()["Host10001"];
        Assert.Equal("10001 is 10.0.0.1", SamTemplate.Scalar(SamTemplate.Child(output, "Value")));
    }

    [Theory]
    [InlineData("[Table, [A, B], {Same: {Type: X}}]", "makes Same twice")]
    [InlineData("[Table, !Ref Names, {'${Table}': {Type: X}}]", "collection must be a list of strings")]
    [InlineData("[Table, [A]]", "Fn::ForEach takes [Identifier, Collection")]
    [InlineData("[Table, !FindInMap [Groups, Nope, All], {'${Table}': {Type: X}}]", "Fn::FindInMap [Groups, Nope, All] is not in Mappings")]
    public void A_loop_that_cannot_be_written_out_is_refused_naming_it(string loop, string message)
    {
        var yaml = $$$"""
            Mappings:
              Groups: {Tables: {All: [A]}}
            Resources:
              Fn::ForEach::Broken: {{{loop}}}
            """;
        var error = Assert.Throws<TemplateException>(() => Parse(yaml));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Contains("Fn::ForEach::Broken", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_template_without_loops_reads_as_written()
    {
        var yaml = """
            Resources:
              Topic:
                Type: AWS::SNS::Topic
                Properties: {TopicName: !Sub "${AWS::StackName}-x", Literal: "${!Kept}"}
            """;
        var template = Parse(yaml);
        Assert.Equal(["Topic"], template.Resources().Keys);
        Assert.Equal("!Sub", template.ResourceProperty("Topic", "TopicName")!.Tag.Value);
        Assert.Equal("${!Kept}", SamTemplate.Scalar(template.ResourceProperty("Topic", "Literal")));
    }
}
