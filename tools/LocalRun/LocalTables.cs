using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.DocumentModel;
using Amazon.DynamoDBv2.Model;

namespace Functions.LocalRun;

/// <summary>The few table operations the story makes, as an application would.</summary>
public sealed class LocalTables(IAmazonDynamoDB dynamo)
{
    public Task PutAsync(string table, Dictionary<string, AttributeValue> item)
        => dynamo.PutItemAsync(new PutItemRequest { TableName = table, Item = item });

    /// <summary>SET of the given attributes (names through placeholders: status and total are reserved words).</summary>
    public Task UpdateAsync(string table, Dictionary<string, AttributeValue> key, params (string Name, AttributeValue Value)[] set)
        => dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = table,
            Key = key,
            UpdateExpression = "SET " + string.Join(", ", set.Select((_, i) => $"#a{i} = :v{i}")),
            ExpressionAttributeNames = set.Select((a, i) => (a, i)).ToDictionary(p => $"#a{p.i}", p => p.a.Name),
            ExpressionAttributeValues = set.Select((a, i) => (a, i)).ToDictionary(p => $":v{p.i}", p => p.a.Value),
        });

    public Task DeleteAsync(string table, Dictionary<string, AttributeValue> key) => dynamo.DeleteItemAsync(table, key);

    public async Task<Dictionary<string, AttributeValue>?> GetAsync(string table, Dictionary<string, AttributeValue> key)
        => (await dynamo.GetItemAsync(new GetItemRequest { TableName = table, Key = key, ConsistentRead = true }).ConfigureAwait(false)).Item is { Count: > 0 } item
            ? item
            : null;

    public async Task<List<Dictionary<string, AttributeValue>>> ScanAllAsync(string table)
    {
        var items = new List<Dictionary<string, AttributeValue>>();
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var page = await dynamo.ScanAsync(new ScanRequest { TableName = table, ExclusiveStartKey = start }).ConfigureAwait(false);
            items.AddRange(page.Items ?? []);
            start = page.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        } while (start is not null);
        return items;
    }

    /// <summary>Canonical enough to compare two scans of the same table: one JSON line per item, sorted.</summary>
    public static string Fingerprint(List<Dictionary<string, AttributeValue>> items)
        => string.Join("\n", items.Select(i => Document.FromAttributeMap(i).ToJson()).Order(StringComparer.Ordinal));

    public static string Json(Dictionary<string, AttributeValue> map) => Document.FromAttributeMap(map).ToJson();

    public static AttributeValue S(string text) => new() { S = text };
    public static AttributeValue N(string number) => new() { N = number };

    public static Dictionary<string, AttributeValue> Key(params (string Name, string Value)[] parts)
        => parts.ToDictionary(p => p.Name, p => S(p.Value));

    public static Dictionary<string, AttributeValue> Item(params (string Name, object Value)[] parts) => With([], parts);

    public static Dictionary<string, AttributeValue> With(Dictionary<string, AttributeValue> key, params (string Name, object Value)[] parts)
    {
        var item = new Dictionary<string, AttributeValue>(key);
        foreach (var (name, value) in parts)
            item[name] = value as AttributeValue ?? S((string)value);
        return item;
    }
}
