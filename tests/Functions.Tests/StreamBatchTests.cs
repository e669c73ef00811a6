using System.Text;
using System.Text.Json;
using Functions.Common.Lambda;

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
