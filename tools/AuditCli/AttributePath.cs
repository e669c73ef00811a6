using System.Globalization;

namespace Functions.AuditCli;

/// <summary>Document paths as DynamoDB writes them: <c>a.b</c>, <c>a[0]</c>.</summary>
public static class AttributePath
{
    public static string Of(string name) => name;
    public static string Member(string parent, string name) => $"{parent}.{name}";
    public static string Element(string parent, int index) => $"{parent}[{index.ToString(CultureInfo.InvariantCulture)}]";
}
