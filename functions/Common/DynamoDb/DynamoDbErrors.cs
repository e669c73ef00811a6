using Amazon.Runtime;

namespace Functions.Common.DynamoDb;

/// <summary>
/// Error descriptions safe for logs: the error code and status only. DynamoDB's messages can
/// quote item values (a ValidationException names the offending value), so they are never kept.
/// </summary>
public static class DynamoDbErrors
{
    public static string Describe(Exception exception) => exception switch
    {
        AmazonServiceException service when !string.IsNullOrEmpty(service.ErrorCode)
            => $"{service.ErrorCode} (HTTP {(int)service.StatusCode})",
        AmazonServiceException service => $"{service.GetType().Name} (HTTP {(int)service.StatusCode})",
        _ => exception.GetType().Name,
    };
}
