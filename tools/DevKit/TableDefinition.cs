using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using YamlDotNet.RepresentationModel;

namespace Functions.DevKit;

/// <summary>An AWS::DynamoDB::Table of the template, resolved for one environment.</summary>
public sealed record TableDefinition(
    string LogicalId, string TableName,
    IReadOnlyList<(string Name, string Type)> Attributes,
    IReadOnlyList<(string Name, string KeyType)> KeySchema,
    string? StreamViewType, string? TtlAttribute, (long Read, long Write)? ProvisionedCapacity = null)
{
    public string PartitionKey => KeySchema.First(k => k.KeyType == "HASH").Name;
    public string? SortKey => KeySchema.FirstOrDefault(k => k.KeyType == "RANGE").Name;

    public static IReadOnlyList<TableDefinition> ReadAll(TemplateContext context)
        => context.Template.ResourcesOfType("AWS::DynamoDB::Table").Select(id => Read(context, id)).ToList();

    private static TableDefinition Read(TemplateContext context, string id)
    {
        var template = context.Template;
        List<(string, string)> Pairs(string property, string second)
            => (template.ResourceProperty(id, property) as YamlSequenceNode)?.Children
               .Select(c => (context.ResolveString(SamTemplate.Child(c, "AttributeName"), id),
                             context.ResolveString(SamTemplate.Child(c, second), id)))
               .ToList() ?? [];

        var ttlEnabled = context.Resolve(template.ResourceProperty(id, "TimeToLiveSpecification", "Enabled"), id) as string;
        var billing = context.Resolve(template.ResourceProperty(id, "BillingMode"), id) as string;
        var throughput = context.Resolve(template.ResourceProperty(id, "ProvisionedThroughput"), id) as Dictionary<string, object?>;
        long Capacity(string name) => long.Parse(throughput?[name] as string ?? throw new TemplateException($"{id}: PROVISIONED needs ProvisionedThroughput.{name}."), System.Globalization.CultureInfo.InvariantCulture);
        return new TableDefinition(
            id,
            context.ResolveString(template.ResourceProperty(id, "TableName"), $"{id}.TableName"),
            Pairs("AttributeDefinitions", "AttributeType"),
            Pairs("KeySchema", "KeyType"),
            context.Resolve(template.ResourceProperty(id, "StreamSpecification", "StreamViewType"), id) as string,
            string.Equals(ttlEnabled, "true", StringComparison.OrdinalIgnoreCase)
                ? context.Resolve(template.ResourceProperty(id, "TimeToLiveSpecification", "AttributeName"), id) as string
                : null,
            billing == "PROVISIONED" ? (Capacity("ReadCapacityUnits"), Capacity("WriteCapacityUnits")) : null);
    }

    /// <summary>Creates the table as the template defines it (billing mode included); returns its stream ARN.</summary>
    public async Task<string?> CreateAsync(IAmazonDynamoDB client, CancellationToken cancellationToken = default)
    {
        var request = new CreateTableRequest
        {
            TableName = TableName,
            BillingMode = ProvisionedCapacity is null ? BillingMode.PAY_PER_REQUEST : BillingMode.PROVISIONED,
            ProvisionedThroughput = ProvisionedCapacity is { } capacity ? new ProvisionedThroughput(capacity.Read, capacity.Write) : null,
            AttributeDefinitions = Attributes.Select(a => new AttributeDefinition(a.Name, a.Type)).ToList(),
            KeySchema = KeySchema.Select(k => new KeySchemaElement(k.Name, k.KeyType)).ToList(),
            StreamSpecification = StreamViewType is null ? null : new StreamSpecification { StreamEnabled = true, StreamViewType = StreamViewType },
        };
        string? streamArn;
        try
        {
            streamArn = (await client.CreateTableAsync(request, cancellationToken).ConfigureAwait(false)).TableDescription.LatestStreamArn;
        }
        catch (ResourceInUseException)
        {
            // Already there (an earlier run): keep it, and its TTL setting, as it is.
            return (await client.DescribeTableAsync(TableName, cancellationToken).ConfigureAwait(false)).Table.LatestStreamArn;
        }
        if (TtlAttribute is not null)
            await client.UpdateTimeToLiveAsync(new UpdateTimeToLiveRequest
            {
                TableName = TableName,
                TimeToLiveSpecification = new TimeToLiveSpecification { AttributeName = TtlAttribute, Enabled = true },
            }, cancellationToken).ConfigureAwait(false);
        return streamArn;
    }
}
