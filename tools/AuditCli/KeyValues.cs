using AttributeValue = Functions.Events.DynamoDBEvent.AttributeValue;

namespace Functions.AuditCli;

/// <summary>Key values as text, the way the audit key and --sort-key write them.</summary>
public static class KeyValues
{
    public static string Text(AttributeValue value)
        => value.S ?? value.N ?? (value.B is not null ? Convert.ToBase64String(value.B) : "?");

    /// <summary>A string by its text, a number by its value (1.50 is 1.5), binary by its base64.</summary>
    public static bool Matches(AttributeValue value, string text)
        => value.S is not null ? value.S == text
           : value.N is not null ? Functions.Events.Serialization.DynamoNumber.AreEqual(value.N, text)
           : value.B is not null && Convert.ToBase64String(value.B) == text;
}
