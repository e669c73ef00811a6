using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Functions.DevKit;

/// <summary>
/// Reads DynamoDB Streams records over HTTP (the registry here has no AWSSDK.DynamoDBStreams).
/// moto routes on the credential scope's service name (dynamodb) and does not check signatures.
/// Records come back exactly as the Streams API gives them; <see cref="ToLambdaEvent"/> adds
/// what Lambda's event source mapping adds.
/// </summary>
public sealed class StreamsApi(Uri endpoint, string region = "us-east-1") : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = endpoint, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Every record of the stream from its trim horizon, shard by shard, in order.</summary>
    public async Task<List<JsonObject>> ReadAllAsync(string streamArn, CancellationToken cancellationToken = default)
    {
        var description = await CallAsync("DescribeStream", new JsonObject { ["StreamArn"] = streamArn }, cancellationToken).ConfigureAwait(false);
        var records = new List<JsonObject>();
        foreach (var shard in description["StreamDescription"]!["Shards"]!.AsArray())
        {
            var iterator = (await CallAsync("GetShardIterator", new JsonObject
            {
                ["StreamArn"] = streamArn,
                ["ShardId"] = shard!["ShardId"]!.GetValue<string>(),
                ["ShardIteratorType"] = "TRIM_HORIZON",
            }, cancellationToken).ConfigureAwait(false))["ShardIterator"]?.GetValue<string>();

            while (iterator is not null)
            {
                var page = await CallAsync("GetRecords", new JsonObject { ["ShardIterator"] = iterator, ["Limit"] = 1000 }, cancellationToken).ConfigureAwait(false);
                var batch = page["Records"]!.AsArray();
                if (batch.Count == 0) break;
                // Detached copies: the caller may add them to another document.
                records.AddRange(batch.Select(r => (JsonObject)r!.DeepClone()));
                iterator = page["NextShardIterator"]?.GetValue<string>();
            }
        }
        return records;
    }

    /// <summary>The Lambda event for records of one stream: Lambda adds eventSourceARN to each record.</summary>
    public static JsonObject ToLambdaEvent(IEnumerable<JsonObject> records, string streamArn)
    {
        var array = new JsonArray();
        foreach (var record in records)
        {
            var copy = (JsonObject)record.DeepClone();
            copy["eventSourceARN"] = streamArn;
            array.Add(copy);
        }
        return new JsonObject { ["Records"] = array };
    }

    private async Task<JsonNode> CallAsync(string operation, JsonObject body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/")
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.0");
        request.Headers.TryAddWithoutValidation("X-Amz-Target", $"DynamoDBStreams_20120810.{operation}");
        request.Headers.TryAddWithoutValidation("Authorization",
            $"AWS4-HMAC-SHA256 Credential=test/20260101/{region}/dynamodb/aws4_request, SignedHeaders=host, Signature=0");
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"DynamoDB Streams {operation} failed ({(int)response.StatusCode}): {text}");
        return JsonNode.Parse(text) ?? throw new HttpRequestException($"DynamoDB Streams {operation} returned no body.");
    }

    public void Dispose() => _http.Dispose();
}
