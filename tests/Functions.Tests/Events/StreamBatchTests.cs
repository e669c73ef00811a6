using System.Text;
using System.Text.Json;
using Functions.Events;
using Functions.Events.Serialization;

namespace Functions.Tests;

public class StreamBatchTests
{
    private static string RecordJson(string sequence, string newImage = """{"orderId":{"S":"o-1"}}""", string eventName = "INSERT")
        => $$$"""
           {"eventID":"1","eventName":"{{{eventName}}}","eventVersion":"1.1","eventSource":"aws:dynamodb","awsRegion":"us-east-1",
            "eventSourceARN":"{{{TestRecords.OrdersStreamArn}}}",
            "dynamodb":{"ApproximateCreationDateTime":1768564800,"Keys":{"orderId":{"S":"o-1"},"customerId#timestamp":{"S":"c"}},
                        "NewImage":{{{newImage}}},"SequenceNumber":"{{{sequence}}}","SizeBytes":26,"StreamViewType":"NEW_AND_OLD_IMAGES"}}
           """;

    private static Task<IReadOnlyList<StreamBatchEntry>> Read(string json)
        => StreamBatch.ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(json)));

    [Fact]
    public async Task A_malformed_record_is_isolated_under_its_sequence_number()
    {
        var entries = await Read($$"""{"Records":[{{RecordJson("100")}},{{RecordJson("101", """{"total":{"Q":"1"}}""")}},{{RecordJson("102")}}]}""");

        Assert.Equal(["100", "101", "102"], entries.Select(e => e.SequenceNumber));
        Assert.True(entries[0].IsValid);
        Assert.False(entries[1].IsValid);
        Assert.Equal("Malformed record at $.dynamodb.NewImage.total: Unknown attribute type 'Q'.", entries[1].Error);
        Assert.True(entries[2].IsValid);
    }

    [Fact]
    public async Task An_unknown_event_name_is_a_malformed_record()
    {
        var entries = await Read($$"""{"Records":[{{RecordJson("7", eventName: "UPSERT")}}]}""");
        Assert.Contains("eventName", entries.Single().Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_record_without_its_change_time_is_a_malformed_record()
    {
        var entries = await Read($$$"""{"Records":[{{{RecordJson("8").Replace("\"ApproximateCreationDateTime\":1768564800,", "", StringComparison.Ordinal)}}}]}""");
        Assert.Contains("ApproximateCreationDateTime is missing", entries.Single().Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_record_without_a_sequence_number_fails_the_whole_batch_because_it_cannot_be_reported()
    {
        var ex = await Assert.ThrowsAsync<InvalidEventException>(() => Read("""{"Records":[{"eventName":"INSERT","dynamodb":{}}]}"""));
        Assert.Contains("Record 0 has no dynamodb.SequenceNumber", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_event_that_is_not_a_stream_batch_is_rejected_clearly()
    {
        await Assert.ThrowsAsync<InvalidEventException>(() => Read("""{"detail-type":"Scheduled Event"}"""));
        await Assert.ThrowsAnyAsync<JsonException>(() => Read("""{"Records":[ """));
    }

    [Fact]
    public async Task An_event_with_two_records_arrays_is_refused_instead_of_dropping_the_first()
    {
        // Read as the last array, the first one's records would be neither processed nor reported.
        var ex = await Assert.ThrowsAsync<InvalidEventException>(() =>
            Read($$"""{"Records":[{{RecordJson("100")}}],"Records":[{{RecordJson("101")}}]}"""));
        Assert.Contains("more than one \"Records\"", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-1e28")]
    [InlineData("1e400")]
    [InlineData("-79228162514264337593543950335")]
    public async Task A_change_time_out_of_range_fails_that_record_alone(string time)
    {
        // These used to escape as an OverflowException and fail the whole invocation.
        var bad = RecordJson("201").Replace("1768564800", time, StringComparison.Ordinal);
        var entries = await Read($$"""{"Records":[{{RecordJson("200")}},{{bad}},{{RecordJson("202")}}]}""");

        Assert.Equal([true, false, true], entries.Select(e => e.IsValid));
        Assert.StartsWith("Malformed record at $.dynamodb.ApproximateCreationDateTime:", entries[1].Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Strings_shared_within_a_batch_read_back_exactly_even_past_the_cache_size()
    {
        // 3,000 distinct names and values, more than the batch's string caches hold, plus
        // repeats: every record must still read back exactly what it carries.
        var records = Enumerable.Range(0, 300).Select(i => RecordJson(
            (1000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture),
            "{" + string.Join(",", Enumerable.Range(0, 10).Select(a => $$"""
                "attr{{i * 10 + a}}":{"S":"value-{{i * 10 + a}}"},"n{{a}}":{"N":"{{i * 10 + a}}.50"},"same":{"S":"shared"}
                """)) + "}"));
        var entries = await Read($$"""{"Records":[{{string.Join(",", records)}}]}""");

        for (var i = 0; i < entries.Count; i++)
        {
            var image = entries[i].Record!.Dynamodb!.NewImage!;
            Assert.Equal(21, image.Count);
            for (var a = 0; a < 10; a++)
            {
                Assert.Equal($"value-{i * 10 + a}", image[$"attr{i * 10 + a}"].S);
                Assert.Equal($"{i * 10 + a}.50", image[$"n{a}"].N);
            }
            Assert.Equal("shared", image["same"].S);
        }
    }

    [Fact]
    public async Task An_event_is_read_whole_from_any_kind_of_stream()
    {
        var json = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes($$"""{"Records":[{{RecordJson("300")}},{{RecordJson("301")}}]}""")).ToArray();
        // The runtime's own (buffer not exposed), one that exposes its buffer, and one that cannot seek.
        Stream[] inputs = [new MemoryStream(json), new MemoryStream(json, 0, json.Length, writable: false, publiclyVisible: true), new OneByteAtATime(json)];

        foreach (var input in inputs)
            Assert.Equal(["300", "301"], (await StreamBatch.ReadAsync(input)).Select(e => e.SequenceNumber));
    }

    private sealed class OneByteAtATime(byte[] bytes) : Stream
    {
        private int _position;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_position == bytes.Length || count == 0) return 0;
            buffer[offset] = bytes[_position++];
            return 1;
        }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Fact]
    public void The_partial_batch_response_has_the_wire_shape_lambda_reads()
    {
        var response = new StreamsEventResponse { BatchItemFailures = [new() { ItemIdentifier = "4421584500000000017450439091" }] };
        using var payload = LambdaPayload.Serialize(response, LambdaJsonContext.Default.StreamsEventResponse);

        Assert.Equal(0, payload.Position); // the runtime copies from the current position
        Assert.Equal("""{"batchItemFailures":[{"itemIdentifier":"4421584500000000017450439091"}]}""",
            new StreamReader(payload).ReadToEnd());
        Assert.Equal("""{"batchItemFailures":[]}""",
            new StreamReader(LambdaPayload.Serialize(new StreamsEventResponse(), LambdaJsonContext.Default.StreamsEventResponse)).ReadToEnd());
    }
}
