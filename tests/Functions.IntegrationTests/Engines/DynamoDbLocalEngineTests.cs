namespace Functions.IntegrationTests;

/// <summary>What the data-plane tests rely on DynamoDB Local for, and moto does not have.</summary>
[Collection(DynamoDbLocalCollection.Name)]
public class DynamoDbLocalEngineTests(DynamoDbLocalFixture local)
{
    [Fact]
    public async Task An_ADD_keeps_all_38_digits_and_a_39th_is_refused()
    {
        var table = "engine-" + Guid.NewGuid().ToString("N")[..8];
        await local.Client.CreateTableAsync(new CreateTableRequest
        {
            TableName = table,
            BillingMode = BillingMode.PAY_PER_REQUEST,
            AttributeDefinitions = [new AttributeDefinition("id", ScalarAttributeType.S)],
            KeySchema = [new KeySchemaElement("id", KeyType.HASH)],
        });
        var key = new Dictionary<string, AttributeValue> { ["id"] = new() { S = "sum" } };
        Task AddAsync(string n) => local.Client.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = table,
            Key = key,
            UpdateExpression = "ADD amount :n",
            ExpressionAttributeValues = new() { [":n"] = new AttributeValue { N = n } },
        });

        await AddAsync("12345678901234567890123456789.012345678");
        await AddAsync("12345678901234567890123456789.012345678");

        var item = (await local.Client.GetItemAsync(table, key)).Item;
        Assert.Equal("24691357802469135780246913578.024691356", item["amount"].N); // moto: 2.469135780246913578024691358E+28
        var tooLong = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => AddAsync("99999999999999999999999999999999999999"));
        Assert.Contains("38", tooLong.Message, StringComparison.Ordinal);
    }
}
