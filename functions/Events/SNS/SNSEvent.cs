using System.Text.Json.Serialization;

namespace Functions.Events;

/// <summary>An SNS delivery to Lambda. Shaped like Amazon.Lambda.SNSEvents.SNSEvent.</summary>
public sealed class SNSEvent
{
    public List<SNSRecord>? Records { get; set; }

    public sealed class SNSRecord
    {
        public string? EventSource { get; set; }
        public string? EventSubscriptionArn { get; set; }
        public string? EventVersion { get; set; }
        public SNSMessage? Sns { get; set; }
    }

    public sealed class SNSMessage
    {
        public string? Type { get; set; }
        public string? MessageId { get; set; }
        public string? TopicArn { get; set; }
        public string? Subject { get; set; }
        /// <summary>For a CloudWatch alarm: the alarm notification as a JSON string.</summary>
        public string? Message { get; set; }
        public DateTime Timestamp { get; set; }
        public string? SignatureVersion { get; set; }
        public string? Signature { get; set; }
        [JsonPropertyName("SigningCertUrl")] public string? SigningCertUrl { get; set; }
        [JsonPropertyName("UnsubscribeUrl")] public string? UnsubscribeUrl { get; set; }
    }
}
