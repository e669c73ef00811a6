using System.Globalization;

namespace Functions.IntegrationTests;

/// <summary>EventBridge scheduled events as a rule or Scheduler sends them.</summary>
internal static class ScheduledEvents
{
    /// <param name="detail">The detail as JSON: an object for a rule, a JSON string for Scheduler.</param>
    public static string At(DateTimeOffset time, string detail = "{}", string source = "aws.events")
        => $$"""
           {"version":"0","id":"{{Guid.NewGuid()}}","detail-type":"Scheduled Event","source":"{{source}}","account":"123456789012",
            "time":"{{time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}}","region":"us-east-1","resources":[],"detail":{{detail}}}
           """;
}
