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
          Tables:
            Orders: {Name: orders, Key: orderId}
            PricingRules: {Name: pricing-rules, Key: ruleId}
          Access: {Read: {Name: read}, Write: {Name: write}}
        Resources:
          Fn::ForEach::Tables:
            - Table
            - [Orders, PricingRules]
            - ${Table}Table:
                Type: AWS::DynamoDB::Table
                Condition: Always
                Properties:
                  TableName: !Sub ["${AppName}-${Suffix}", {Suffix: !FindInMap [Tables, !Ref Table, Name]}]
                  Plain: !Sub "${Table}-x"
                  NothingLeft: !Sub ["${Table}.${Extra}", {Extra: !FindInMap [Tables, !Ref Table, Name]}]
                  Literal: "${Table} stays outside a Sub"
                  KeySchema: [{AttributeName: !FindInMap [Tables, !Ref Table, Key], KeyType: HASH}]
              ${Table}Alarm:
                Type: AWS::CloudWatch::Alarm
                Properties:
                  Table: !Ref {Fn::Sub: "${Table}Table"}
                  LongRef: {Ref: Table}
                  Stream: !GetAtt [!Sub "${Table}Table", StreamArn]
                  Choice: !If [Always, !Ref Table, !Ref AppName]
              Fn::ForEach::Access:
                - Access
                - [Read, Write]
                - ${Table}${Access}Alarm:
                    Type: AWS::CloudWatch::Alarm
                    Properties:
                      AlarmName: !Sub
                        - "${AppName}-${Suffix}-${AccessName}"
                        - {Suffix: !FindInMap [Tables, !Ref Table, Name], AccessName: !FindInMap [Access, !Ref Access, Name]}
                      Metric: !Sub ["${Access}Throttles of ${Suffix}", {Suffix: {"Fn::FindInMap": [Tables, {Ref: Table}, Name]}}]
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

        Assert.Equal(["OrdersTable", "OrdersAlarm", "OrdersReadAlarm", "OrdersWriteAlarm",
                      "PricingRulesTable", "PricingRulesAlarm", "PricingRulesReadAlarm", "PricingRulesWriteAlarm", "Fixed"], template.Resources().Keys);
        Assert.Equal("maip-pricing-rules", context.ResolveString(template.ResourceProperty("PricingRulesTable", "TableName"), "t"));
        Assert.Equal("PricingRules-x", SamTemplate.Scalar(template.ResourceProperty("PricingRulesTable", "Plain")));
        Assert.True(template.ResourceProperty("PricingRulesTable", "Plain")!.Tag.IsEmpty); // a Sub with nothing left is the string
        Assert.Equal("PricingRules.pricing-rules", context.ResolveString(template.ResourceProperty("PricingRulesTable", "NothingLeft"), "t"));
        Assert.Equal("${Table} stays outside a Sub", SamTemplate.Scalar(template.ResourceProperty("OrdersTable", "Literal")));
        Assert.Equal("ruleId", context.ResolveString(Key(template, "PricingRulesTable"), "t"));
        Assert.Equal(new ResourceReference("OrdersTable"), context.Resolve(template.ResourceProperty("OrdersAlarm", "Table"), "t"));
        Assert.Equal("Orders", context.Resolve(template.ResourceProperty("OrdersAlarm", "LongRef"), "t"));
        Assert.Equal(new ResourceReference("PricingRulesTable", "StreamArn"), context.Resolve(template.ResourceProperty("PricingRulesAlarm", "Stream"), "t"));
        Assert.Equal("PricingRules", context.Resolve(template.ResourceProperty("PricingRulesAlarm", "Choice"), "t"));
        Assert.Equal("Always", SamTemplate.Scalar(SamTemplate.Child(template.Resources()["OrdersTable"], "Condition")));
    }

    [Fact]
    public void A_value_looked_up_by_the_loops_item_inside_a_sub_is_the_mapping_value_in_every_loop_it_is_in()
    {
        var template = Parse(Tables);
        var context = template.Context();

        // the outer loop's item (Table) and the inner one's (Access), each in its own FindInMap
        Assert.Equal("maip-pricing-rules-write", context.ResolveString(template.ResourceProperty("PricingRulesWriteAlarm", "AlarmName"), "t"));
        Assert.Equal("maip-orders-read", context.ResolveString(template.ResourceProperty("OrdersReadAlarm", "AlarmName"), "t"));
        // long forms, as cfn-lint writes them out; the identifier put into the text as well
        Assert.Equal("ReadThrottles of orders", context.ResolveString(template.ResourceProperty("OrdersReadAlarm", "Metric"), "t"));
        // a Sub keeps its variables (AppName stays for deploy time), each a plain value now, as cfn-lint's expansion has it
        var name = (YamlDotNet.RepresentationModel.YamlSequenceNode)template.ResourceProperty("PricingRulesTable", "TableName")!;
        Assert.Equal("!Sub", name.Tag.Value);
        Assert.Equal("pricing-rules", SamTemplate.Scalar(SamTemplate.Child(name.Children[1], "Suffix")));
        Assert.True(SamTemplate.Child(name.Children[1], "Suffix")!.Tag.IsEmpty);
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
    [InlineData("[Table, ['A&B', 'A-B'], {'X&{Table}': {Type: X}}]", "makes XAB twice")]
    [InlineData("[Table, [A]]", "Fn::ForEach takes [Identifier, Collection")]
    [InlineData("[Table, [A], {'${Table}': {Type: X, Properties: {P: !FindInMap [Groups, Nope, All]}}}]", "Fn::FindInMap [Groups, Nope, All] is not in Mappings")]
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

    // What cfn-lint and SAM CLI expand but AWS's reference of Fn::ForEach rules out
    // (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-foreach.html):
    // "Collection: ... an array in this parameter, or it can be a Ref to a CommaDelimitedList", and
    // "${Identifier} or &{Identifier} must be included within the OutputKey".
    [Theory]
    [InlineData("[Table, !FindInMap [Groups, Tables, All], {'${Table}': {Type: X}}]", "collection must be a literal list")]
    [InlineData("[Table, !Ref Names, {'${Table}': {Type: X}}]", "collection must be a literal list")]
    [InlineData("[Table, [A, !Ref Other], {'${Table}': {Type: X}}]", "collection must be a literal list")]
    [InlineData("[Table, [A], {Fixed: {Type: X}}]", "the key Fixed lacks ${Table}")]
    [InlineData("[Table, [A], {'Fn::ForEach::Names': [Suffix, !FindInMap [Names, !Ref Table, Name], {'${Table}': {Type: X}}]}]", "collection must be a literal list")]
    [InlineData("[Table, [A], {'Fn::ForEach::Names': [Suffix, [a], {'${Table}': {Type: X}}]}]", "the key ${Table} lacks ${Suffix}")]
    [InlineData("[Table, [A], {'Fn::ForEach::Access': [Access, [Read], {'${Access}Alarm': {Type: X}}]}]", "the key ${Access}Alarm lacks ${Table}")]
    public void A_loop_outside_the_documented_form_is_refused_citing_the_reference(string loop, string message)
    {
        var yaml = $$$"""
            Parameters:
              Names: {Type: CommaDelimitedList, Default: "A,B"}
            Mappings:
              Groups: {Tables: {All: [A]}}
              Names: {A: {Name: [a]}}
            Resources:
              Fn::ForEach::Broken: {{{loop}}}
            """;
        var error = Assert.Throws<TemplateException>(() => Parse(yaml));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Contains("Fn::ForEach::Broken", error.Message, StringComparison.Ordinal);
        Assert.Contains(ForEachExpansion.ReferenceUrl, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Outputs:\n  Fn::ForEach::Topics: [Name, [a], {'O${Name}': {Value: x}}]", "Resources.Fn::ForEach::Topics's too")]
    [InlineData("  Topics: {Type: AWS::SNS::Topic}", "the loop's name Topics is a resource's logical id too")]
    public void A_loop_name_used_twice_or_by_a_resource_is_refused(string more, string message)
    {
        var yaml = $"""
            Resources:
              Fn::ForEach::Topics: [Name, [a, b], {"{"}'T${"{"}Name{"}"}': {"{"}Type: AWS::SNS::Topic{"}"}{"}"}]
            {more}
            """;
        var error = Assert.Throws<TemplateException>(() => Parse(yaml));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Contains(ForEachExpansion.ReferenceUrl, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Keys_may_hold_an_identifier_as_and_form_and_properties_loops_need_only_their_own()
    {
        var yaml = """
            Resources:
              Fn::ForEach::Topics:
                - Name
                - [a-b, c]
                - Topic&{Name}:
                    Type: AWS::SNS::Topic
                    Properties:
                      Fn::ForEach::Tags:
                        - Tag
                        - [One]
                        - ${Tag}: !Ref Name
            """;
        var template = Parse(yaml);
        Assert.Equal(["Topicab", "Topicc"], template.Resources().Keys);
        Assert.Equal("a-b", SamTemplate.Scalar(template.ResourceProperty("Topicab", "One")));
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
