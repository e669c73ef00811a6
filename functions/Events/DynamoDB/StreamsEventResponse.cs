using System.Text.Json.Serialization;

namespace Functions.Events;

/// <summary>
/// The partial batch response for stream sources (needs ReportBatchItemFailures on the event
/// source mapping). Shaped like Amazon.Lambda.DynamoDBEvents.StreamsEventResponse.
/// </summary>
public sealed class StreamsEventResponse
{
    [JsonPropertyName("batchItemFailures")]
    public List<BatchItemFailure> BatchItemFailures { get; set; } = [];

    public sealed class BatchItemFailure
    {
        /// <summary>The failed record's SequenceNumber. Lambda resumes from the lowest one.</summary>
        [JsonPropertyName("itemIdentifier")]
        public string ItemIdentifier { get; set; } = string.Empty;
    }
}
