namespace Functions.Common.Tables;

public static class StreamArn
{
    /// <summary>
    /// The table name of <c>arn:aws:dynamodb:REGION:ACCOUNT:table/NAME/stream/LABEL</c>, or null
    /// when the value is not a DynamoDB stream ARN.
    /// </summary>
    public static string? TableName(string? arn)
    {
        if (string.IsNullOrEmpty(arn) || !arn.StartsWith("arn:", StringComparison.Ordinal)) return null;
        var resource = arn.Split(':', 6) is { Length: 6 } parts ? parts[5] : null;
        var segments = resource?.Split('/');
        return segments is { Length: >= 2 } && segments[0] == "table" && segments[1].Length > 0 ? segments[1] : null;
    }
}
