using BenchmarkDotNet.Attributes;
using Functions.AuditTrail;
using Functions.Common.DynamoDb;
using Functions.Events.Serialization;

namespace Functions.Bench;

/// <summary>
/// `-- micro`: BenchmarkDotNet on the CPU side of a stream batch of realistic orders: parsing the
/// event and deciding every audit item (mapped to the SDK's types). No DynamoDB here.
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
        _event = BenchEnvironment.PaidOrders("maip", Records);
        _entries = StreamBatch.ReadAsync(new MemoryStream(_event)).GetAwaiter().GetResult();
    }

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
