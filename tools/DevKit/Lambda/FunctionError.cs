using System.Text.Json;

namespace Functions.DevKit;

/// <summary>An error as posted to <c>/error</c> or <c>init/error</c>: Lambda's error body and the header's type.</summary>
public sealed record FunctionError(string ErrorType, string ErrorMessage, IReadOnlyList<string> StackTrace, string? HeaderType)
{
    /// <summary>"invoke", or "init" for an error posted to init/error.</summary>
    public string Phase { get; init; } = "invoke";

    public static FunctionError Read(byte[] body, string? headerType)
    {
        try
        {
            var root = JsonDocument.Parse(body).RootElement;
            string Text(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
            var stack = root.TryGetProperty("stackTrace", out var s) && s.ValueKind == JsonValueKind.Array
                ? s.EnumerateArray().Select(line => line.GetString() ?? "").ToList()
                : [];
            return new FunctionError(Text("errorType"), Text("errorMessage"), stack, headerType);
        }
        catch (JsonException)
        {
            // Lambda builds the error from the header when the body cannot be read.
            return new FunctionError(headerType ?? "", System.Text.Encoding.UTF8.GetString(body), [], headerType);
        }
    }
}
