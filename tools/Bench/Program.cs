using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using Functions.AuditTrail;
using Functions.Common.DynamoDb;
using Functions.Common.Lambda;

// `-- analytics`: the merchant analytics write path against DynamoDB Local, as a table; otherwise BenchmarkDotNet.
if (args is ["analytics", ..]) await Functions.Bench.AnalyticsBench.RunAsync();
else BenchmarkRunner.Run<Functions.Bench.AuditBatchBenchmarks>(args: args);

namespace Functions.Bench
{

/// <summary>
/// The CPU side of one 1,000-record stream batch: parsing the event, deciding every audit item,
/// and mapping it to the SDK's types. The DynamoDB writes (40 requests) are not measured here.
/// </summary>
[MemoryDiagnoser]
public class AuditBatchBenchmarks
{
    private byte[] _event = [];
    private IReadOnlyList<StreamBatchEntry> _entries = [];
    private readonly AuditRecordBuilder _builder = new(new AuditTrailSettings
    {
        AuditTableName = "maip-dev-audit",
        TablePrefix = new Functions.Common.Tables.TablePrefix("maip-dev-"),
        RedactAttributes = new HashSet<string> { "email" },
    });

    [Params(100, 1000)]
    public int Records { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var records = Enumerable.Range(0, Records).Select(i => $$$"""
            {"eventID":"{{{i}}}","eventName":"MODIFY","eventVersion":"1.1","eventSource":"aws:dynamodb","awsRegion":"us-east-1",
             "eventSourceARN":"arn:aws:dynamodb:us-east-1:123456789012:table/maip-dev-orders/stream/2026-01-16T00:00:00.000",
             "dynamodb":{"ApproximateCreationDateTime":1768564800,
               "Keys":{"orderId":{"S":"order-{{{i}}}"},"customerId#timestamp":{"S":"cust-1#2026-01-16T12:00:00Z"}},
               "NewImage":{{{Image(i, "PAID")}}},"OldImage":{{{Image(i, "PENDING")}}},
               "SequenceNumber":"44215845000000000174{{{50439091 + i}}}","SizeBytes":900,"StreamViewType":"NEW_AND_OLD_IMAGES"}}
            """);
        _event = Encoding.UTF8.GetBytes($$$"""{"Records":[{{{string.Join(",", records)}}}]}""");
        _entries = StreamBatch.ReadAsync(new MemoryStream(_event)).GetAwaiter().GetResult();
    }

    private const string ImageTemplate = """
        {"orderId":{"S":"order-ID"},"customerId#timestamp":{"S":"cust-1#2026-01-16T12:00:00Z"},"status":{"S":"STATUS"},
         "total":{"N":"149.99"},"email":{"S":"ana@example.com"},"tags":{"SS":["web","priority"]},
         "lines":{"L":[{"M":{"sku":{"S":"SKU-1"},"qty":{"N":"2"}}},{"M":{"sku":{"S":"SKU-7"},"qty":{"N":"1"}}}]},
         "updatedBy":{"S":"checkout-service"}}
        """;

    private static string Image(int i, string status)
        => ImageTemplate.Replace("ID", i.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("STATUS", status, StringComparison.Ordinal);

    [Benchmark]
    public Task<IReadOnlyList<StreamBatchEntry>> ParseBatch() => StreamBatch.ReadAsync(new MemoryStream(_event));

    [Benchmark]
    public int BuildAuditItems()
    {
        var attributes = 0;
        foreach (var entry in _entries)
            attributes += AttributeValueMapper.ToSdk(_builder.Build(entry.Record!).Item).Count;
        return attributes;
    }
}
}
