using Functions.Common.Audit;
using AttributeValue = Functions.Events.DynamoDBEvent.AttributeValue;

namespace Functions.AuditCli;

/// <summary>Where the audit trail's redaction markers stand in an image, at any depth.</summary>
public static class Redactions
{
    public static IReadOnlyList<string> In(IReadOnlyDictionary<string, AttributeValue> image)
    {
        var paths = new List<string>();
        foreach (var (name, value) in image.OrderBy(e => e.Key, StringComparer.Ordinal)) Walk(AttributePath.Of(name), value, paths);
        return paths;
    }

    private static void Walk(string path, AttributeValue value, List<string> paths)
    {
        if (AuditItem.IsRedactionMarker(value.S)) paths.Add(path);
        else if (value.M is not null)
            foreach (var (name, inner) in value.M.OrderBy(e => e.Key, StringComparer.Ordinal)) Walk(AttributePath.Member(path, name), inner, paths);
        else if (value.L is not null)
            for (var i = 0; i < value.L.Count; i++) Walk(AttributePath.Element(path, i), value.L[i], paths);
    }
}
