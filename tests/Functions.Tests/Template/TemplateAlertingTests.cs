using Functions.Events.Serialization;
using Functions.Common.Tables;
using Functions.DevKit;
using Functions.ThrottleResponder;

namespace Functions.Tests;

/// <summary>
/// template.yaml against what a real account enforces and neither moto nor cfn-lint checks: alarm
/// actions that can deliver, the responder's triggers, the throttle alarms' metrics, least
/// privilege and the deploy-time rules. tools/Rehearsal/rehearse.py checks the same on the
/// transformed template.
/// </summary>
public class TemplateAlertingTests
{
    private static readonly SamTemplate Template = SamTemplate.Load(RepoLayout.Find(AppContext.BaseDirectory).TemplatePath);

    private static TemplateContext Context(params (string Name, string Value)[] parameters)
        => Template.Context(parameters.ToDictionary(p => p.Name, p => p.Value)).WithResourceReferences();

    // Each way the alarms and their topics can be deployed.
    public static TheoryData<string, string> Deployments() => new()
    {
        { "PAY_PER_REQUEST", "" },
        { "PROVISIONED", "" },
        { "PROVISIONED", "arn:aws:sns:us-east-1:123456789012:team-alarms" },
    };

    [Theory]
    [MemberData(nameof(Deployments))]
    public void Every_alarm_action_on_a_topic_of_the_stack_can_deliver(string billingMode, string alarmTopicArn)
    {
        var context = Context(("BillingMode", billingMode), ("AlarmTopicArn", alarmTopicArn));
        var problems = new List<string>();
        var delivered = 0;
        foreach (var (alarm, properties) in Resources(context, "AWS::CloudWatch::Alarm"))
            foreach (var actions in new[] { "AlarmActions", "OKActions", "InsufficientDataActions" })
                foreach (var topic in List(properties.GetValueOrDefault(actions)).OfType<ResourceReference>())
                {
                    delivered++;
                    if (CannotDeliver(context, topic.LogicalId) is { } why) problems.Add($"{alarm} {actions} -> {topic.LogicalId}: {why}");
                }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        Assert.True(delivered >= 10, $"only {delivered} alarm actions on the stack's topics");
    }

    /// <summary>
    /// Why CloudWatch cannot publish to a topic, or null: it must be unencrypted, or encrypted with
    /// a key of the template (rotated) whose policy lets cloudwatch.amazonaws.com use
    /// kms:Decrypt and kms:GenerateDataKey* (SNS developer guide, "Key management",
    /// compatibility with AWS services). alias/aws/sns cannot grant that.
    /// </summary>
    private static string? CannotDeliver(TemplateContext context, string topic)
    {
        var properties = Properties(context, topic);
        switch (properties.GetValueOrDefault("KmsMasterKeyId"))
        {
            case null:
                return null;
            case ResourceReference key when Template.Resources().ContainsKey(key.LogicalId) && Type(key.LogicalId) == "AWS::KMS::Key":
                var keyProperties = Properties(context, key.LogicalId);
                if (keyProperties.GetValueOrDefault("EnableKeyRotation") as string != "true") return $"key {key.LogicalId} is not rotated";
                var statements = List(Map(keyProperties["KeyPolicy"])["Statement"]).Select(Map).ToList();
                return new[] { "kms:Decrypt", "kms:GenerateDataKey*" }.All(action => statements.Any(s => Grants(s, "cloudwatch.amazonaws.com", action)))
                    ? null
                    : $"the policy of key {key.LogicalId} does not let cloudwatch.amazonaws.com use kms:Decrypt and kms:GenerateDataKey*";
            case var other:
                return $"encrypted with {other}, a key whose policy cannot let cloudwatch.amazonaws.com use it";
        }
    }

    private static bool Grants(Dictionary<string, object?> statement, string service, string action)
        => statement.GetValueOrDefault("Effect") as string == "Allow" && !statement.ContainsKey("Condition")
           && Map(statement["Principal"]).GetValueOrDefault("Service") is var principal && List(principal).Contains(service)
           && List(statement["Action"]).OfType<string>().Any(pattern => pattern == action || (pattern.EndsWith('*') && action.StartsWith(pattern[..^1], StringComparison.Ordinal)));

    [Fact]
    public void The_responders_eventbridge_rule_matches_only_the_environments_dynamodb_throttling_alarms()
    {
        var events = Map(Context().Resolve(Template.ResourceProperty("ThrottleResponderFunction", "Events"), "Events"));
        var pattern = Map(Map(Map(events["ThrottleAlarmStateChange"])["Properties"])["Pattern"]);
        var detail = Map(pattern["detail"]);
        // Either a metric of the alarm is one, or a Metrics Insights query selects one.
        var branches = List(detail["$or"]).Select(b => Map(Map(Map(b)["configuration"])["metrics"])).ToList();
        Assert.True(branches.Count == 2, "the rule matches every alarm of the environment, whatever metric it watches");
        var metric = Map(Map(branches.Single(b => b.ContainsKey("metricStat"))["metricStat"])["metric"]);
        var wildcards = List(branches.Single(b => b.ContainsKey("expression"))["expression"]).Select(w => (string)Map(w)["wildcard"]!).ToList();

        Assert.Equal(["aws.cloudwatch"], List(pattern["source"]));
        Assert.Equal("maip-dev-", Map(List(detail["alarmName"]).Single())["prefix"]);
        Assert.Equal(["ALARM"], List(Map(detail["state"])["value"]));
        Assert.Equal(["AWS/DynamoDB"], List(metric["namespace"]));
        // The names the responder handles, no more (a Lambda errors alarm would count a refusal), no less.
        var handled = ThrottleCauses.OfMetric.Keys.Order(StringComparer.Ordinal).ToList();
        Assert.Equal(handled, List(metric["name"]).OfType<string>().Order(StringComparer.Ordinal));
        Assert.Equal(handled.Select(n => $"*({n})*AWS/DynamoDB*"), wildcards.Order(StringComparer.Ordinal));
        // As EventBridge matches a wildcard (* any characters): each throttle alarm's query of the
        // template matches one, a query on another namespace or metric none.
        static bool Matches(string wildcard, string value)
            => System.Text.RegularExpressions.Regex.IsMatch(value, "^" + string.Join(".*", wildcard.Split('*').Select(System.Text.RegularExpressions.Regex.Escape)) + "$",
                System.Text.RegularExpressions.RegexOptions.Singleline);
        var queries = Resources(Context(("BillingMode", "PROVISIONED")), "AWS::CloudWatch::Alarm").SelectMany(a => QueriesOf(a.Properties)).ToList();
        Assert.Equal(24, queries.Count);
        Assert.All(queries, q => Assert.Single(wildcards, w => Matches(w, q)));
        Assert.DoesNotContain(wildcards, w => Matches(w, """SELECT SUM(Errors) FROM "AWS/Lambda" WHERE FunctionName = 'maip-dev-throttle-responder'"""));
        Assert.DoesNotContain(wildcards, w => Matches(w, """SELECT SUM(ConsumedWriteCapacityUnits) FROM "AWS/DynamoDB" WHERE TableName = 'maip-dev-orders'"""));
    }

    [Theory]
    [InlineData("PROVISIONED")]
    [InlineData("PAY_PER_REQUEST")]
    public void The_throttle_alarms_watch_the_causes_the_provisioned_capacity_alarms_switch_and_a_hot_partition_is_reported(string billingMode)
    {
        var context = Context(("BillingMode", billingMode));
        var alarms = Resources(context, "AWS::CloudWatch::Alarm")
            .Select(a => (a.Id, a.Properties, Metrics: MetricsOf(a.Properties).Where(m => m.Namespace == "AWS/DynamoDB").ToList()))
            .Where(a => a.Metrics.Count > 0)
            .ToList();

        foreach (var (id, properties, metrics) in alarms)
        {
            // By cause only: the generic ReadThrottleEvents/WriteThrottleEvents flip on any cause.
            Assert.All(metrics, m => Assert.True(ThrottleCauses.OfMetric.TryGetValue(m.Name, out var cause) && cause != ThrottleCauses.Unattributed,
                $"{id} watches {m.Name}, not a throttling metric by cause"));
            Assert.Contains(new ResourceReference("ThrottleAlarmTopic"), List(properties["AlarmActions"]));
            Assert.Contains(new ResourceReference("SuiteAlarmTopic"), List(properties["AlarmActions"])); // people are told of each
        }
        foreach (var table in TableCatalog.Business.Select(t => $"maip-dev-{t.Suffix}"))
        {
            var causes = alarms.SelectMany(a => a.Metrics).Where(m => m.Dimensions.GetValueOrDefault("TableName") == table).Select(m => m.Name).ToHashSet();
            Assert.Contains("ReadKeyRangeThroughputThrottleEvents", causes);
            Assert.Contains("WriteKeyRangeThroughputThrottleEvents", causes);
            Assert.Equal(billingMode == "PROVISIONED", causes.Contains("ReadProvisionedThroughputThrottleEvents") && causes.Contains("WriteProvisionedThroughputThrottleEvents"));
        }
    }

    /// <summary>
    /// An adopted table's indexes (the template names none) throttle under TableName plus
    /// GlobalSecondaryIndexName only: every throttle alarm is one Metrics Insights query FROM the
    /// namespace (no SCHEMA, which would keep only series of exactly its dimensions), pinning the
    /// table alone and grouping nothing, so it sums the table's series and every index's, present
    /// or future, and no resource of the template is per index.
    /// </summary>
    [Theory]
    [InlineData("PROVISIONED")]
    [InlineData("PAY_PER_REQUEST")]
    public void Each_throttle_alarm_covers_its_tables_indexes_present_and_future_without_a_resource_per_index(string billingMode)
    {
        var context = Context(("BillingMode", billingMode));
        var throttleAlarms = Resources(context, "AWS::CloudWatch::Alarm")
            .Where(a => MetricsOf(a.Properties).Any(m => m.Namespace == "AWS/DynamoDB")).ToList();

        Assert.Equal(billingMode == "PROVISIONED" ? 24 : 12, throttleAlarms.Count);
        foreach (var (id, properties) in throttleAlarms)
        {
            Assert.False(properties.ContainsKey("MetricName"), $"{id} watches a metric by its dimensions, not a query");
            var query = MetricsInsightsQuery.TryParse(Assert.Single(QueriesOf(properties)))!;
            Assert.True(query is { SchemaKeys: null, GroupBy.Count: 0, OtherConditions.Count: 0 }, $"{id}: {Assert.Single(QueriesOf(properties))}");
            Assert.Equal(["TableName"], query.Equal.Keys);
            Assert.Equal(("SUM", 60), (query.Function, Convert.ToInt32(Map(List(properties["Metrics"]).Single())["Period"], System.Globalization.CultureInfo.InvariantCulture)));
        }
        Assert.DoesNotContain(Template.Resources().Keys, id => id.Contains("Index", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("alarm-sns-index-write-throttle.json", "QuotesWriteThrottleAlarm")]
    [InlineData("alarm-eventbridge-index-write-throttle.json", "QuotesWriteThrottleAlarm")]
    [InlineData("alarm-action-index-write-throttle.json", "QuotesWriteThrottleAlarm")]
    [InlineData("alarm-sns-index-hot-partition.json", "QuotesReadHotPartitionAlarm")]
    [InlineData("alarm-eventbridge-index-hot-partition.json", "QuotesReadHotPartitionAlarm")]
    [InlineData("alarm-action-index-hot-partition.json", "QuotesReadHotPartitionAlarm")]
    public void The_query_alarm_samples_carry_the_templates_own_alarm(string file, string alarmId)
    {
        var properties = Properties(Context(("BillingMode", "PROVISIONED")), alarmId);
        var alarm = Assert.Single(Functions.Events.Serialization.AlarmEvents.Parse(File.ReadAllBytes(Path.Combine(RepoLayout.Find(AppContext.BaseDirectory).EventsDirectory, file))));

        Assert.Equal(properties["AlarmName"], alarm.AlarmName);
        Assert.Equal(Assert.Single(QueriesOf(properties)), Assert.Single(alarm.Metrics).Expression);
    }

    [Theory]
    [InlineData("ProductsStreamArn")]
    [InlineData("CustomersStreamArn")]
    [InlineData("ApplicationsStreamArn")]
    [InlineData("PricingRulesStreamArn")]
    [InlineData("QuotesStreamArn")]
    [InlineData("OrdersStreamArn")]
    public void Existing_tables_without_a_stream_arn_are_refused_at_deploy_time_naming_the_parameter(string missing)
    {
        var streams = new[] { "ProductsStreamArn", "CustomersStreamArn", "ApplicationsStreamArn", "PricingRulesStreamArn", "QuotesStreamArn", "OrdersStreamArn" };
        (string, string)[] Given(string? empty) => [("ManageTables", "false"), .. streams.Select(s => (s, s == empty ? "" : $"arn:aws:dynamodb:us-east-1:123456789012:table/x/stream/{s}"))];

        Assert.Equal([$"ManageTables=false attaches the suite to existing tables: give {missing}"], FailedAssertions(Context(Given(missing))).Select(d => d[..d.IndexOf(',', StringComparison.Ordinal)]));
        Assert.Empty(FailedAssertions(Context(Given(null))));
        Assert.Empty(FailedAssertions(Context())); // ManageTables=true: the stack makes the tables and their streams
    }

    // The AssertDescription of every rule assertion that fails, for rules whose condition holds.
    private static List<string> FailedAssertions(TemplateContext context)
    {
        var failed = new List<string>();
        foreach (var (name, rule) in Template.Rules())
        {
            if (SamTemplate.Child(rule, "RuleCondition") is { } condition && !context.Holds(condition, name)) continue;
            foreach (var assertion in ((YamlDotNet.RepresentationModel.YamlSequenceNode)SamTemplate.Child(rule, "Assertions")!).Children)
                if (!context.Holds(SamTemplate.Child(assertion, "Assert")!, name))
                    failed.Add(SamTemplate.Scalar(SamTemplate.Child(assertion, "AssertDescription")) ?? $"{name}: an assertion without a description");
        }
        return failed;
    }

    [Fact]
    public void Roles_grant_no_index_arns_for_table_actions_and_list_streams_on_star()
    {
        var tableOnly = new[] { "dynamodb:DescribeTable", "dynamodb:UpdateTable", "dynamodb:ListTagsOfResource", "dynamodb:CreateBackup", "dynamodb:DescribeContinuousBackups" };
        foreach (var (role, properties) in Resources(Context(), "AWS::IAM::Role"))
            foreach (var statement in List(properties.GetValueOrDefault("Policies")).SelectMany(p => List(Map(Map(p)["PolicyDocument"])["Statement"])).Select(Map))
            {
                var actions = List(statement["Action"]).OfType<string>().ToList();
                var resources = List(statement["Resource"]);
                if (actions.Contains("dynamodb:ListStreams")) Assert.Equal(["*"], resources);
                if (actions.Intersect(tableOnly).Any())
                    Assert.DoesNotContain(resources.OfType<string>(), r => r.Contains("/index/", StringComparison.Ordinal));
                Assert.DoesNotContain("dynamodb:ConditionCheckItem", actions); // no code of the suite checks a condition alone
            }
    }

    private sealed record MetricRef(string? Namespace, string Name, IReadOnlyDictionary<string, string> Dimensions);

    private static IEnumerable<string> QueriesOf(Dictionary<string, object?> alarm)
        => List(alarm.GetValueOrDefault("Metrics")).Select(Map).Select(q => q.GetValueOrDefault("Expression") as string)
            .OfType<string>().Where(e => MetricsInsightsQuery.TryParse(e) is not null);

    // MetricName, each MetricStat of a metric-math alarm, or each Metrics Insights query (the dimensions its WHERE pins).
    private static IEnumerable<MetricRef> MetricsOf(Dictionary<string, object?> alarm)
    {
        foreach (var query in QueriesOf(alarm).Select(q => MetricsInsightsQuery.TryParse(q)!))
            yield return new MetricRef(query.Namespace, query.MetricName, query.Equal);
        static Dictionary<string, string> Dimensions(object? list) => List(list).Select(Map).ToDictionary(d => (string)d["Name"]!, d => d["Value"]?.ToString() ?? "");
        if (alarm.GetValueOrDefault("MetricName") is string name)
            yield return new MetricRef(alarm.GetValueOrDefault("Namespace") as string, name, Dimensions(alarm.GetValueOrDefault("Dimensions")));
        foreach (var query in List(alarm.GetValueOrDefault("Metrics")).Select(Map))
            if (query.GetValueOrDefault("MetricStat") is { } stat && Map(Map(stat)["Metric"]) is var metric)
                yield return new MetricRef(metric.GetValueOrDefault("Namespace") as string, (string)metric["MetricName"]!, Dimensions(metric.GetValueOrDefault("Dimensions")));
    }

    private static IEnumerable<(string Id, Dictionary<string, object?> Properties)> Resources(TemplateContext context, string type)
        => Template.ResourcesOfType(type)
            .Where(id => SamTemplate.Scalar(SamTemplate.Child(Template.Resources()[id], "Condition")) is not { } condition || context.Holds(condition))
            .Select(id => (id, Properties(context, id)));

    private static Dictionary<string, object?> Properties(TemplateContext context, string id) => Map(context.Resolve(Template.ResourceProperty(id), id));

    private static string? Type(string id) => SamTemplate.Scalar(SamTemplate.Child(Template.Resources()[id], "Type"));

    private static Dictionary<string, object?> Map(object? value) => value as Dictionary<string, object?> ?? [];

    // A value that may be one item or a list of them (Action, Resource, Principal.Service).
    private static List<object?> List(object? value) => value switch { null => [], List<object?> list => list, var one => [one] };
}
