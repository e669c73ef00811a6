using System.Text.Encodings.Web;
using System.Text.Json;
using Functions.Events.Serialization;
using Spectre.Console;
using Spectre.Console.Rendering;
using AttributeValue = Functions.Events.DynamoDBEvent.AttributeValue;

namespace Functions.AuditCli;

/// <summary>What each verb prints: tables for people (Spectre.Console), JSON for scripts (--json).</summary>
public static class AuditViews
{
    private static readonly JsonWriterOptions JsonOptions = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly AttributeValueJsonConverter Typed = new();

    public static void History(IAnsiConsole console, EntityHistory history)
    {
        var items = history.ItemKeys;
        var sortKey = history.Entity.Table.SortKey;
        console.Write(new Text($"{history.Entity.AuditKey} in {history.Entity.AuditTableName}: {Count(history.Changes.Count, "change")}"
                               + (items.Count > 1 ? $" of {items.Count} items (--sort-key names one)" : "") + "\n"));
        var table = NewTable("timestamp (names the change for --to)", "event", "actor", "changed");
        if (items.Count > 1) table.AddColumn(sortKey);
        foreach (var change in history.Changes)
        {
            var cells = new List<IRenderable>
            {
                new Text(change.ShortTimestamp),
                new Text(change.EventName, EventStyle(change.EventName)),
                new Text(change.Actor ?? "-"),
                new Text(string.Join(", ", change.TouchedAttributes) + (change.ImagesReduced ? " (images reduced)" : "")),
            };
            if (items.Count > 1) cells.Add(new Text(change.Keys.TryGetValue(sortKey, out var v) ? KeyValues.Text(v) : "-"));
            table.AddRow(cells);
        }
        console.Write(table);
    }

    public static void HistoryJson(TextWriter output, EntityHistory history) => WriteJson(output, json =>
    {
        json.WriteStartArray();
        foreach (var change in history.Changes)
        {
            json.WriteStartObject();
            json.WriteString("timestamp", change.Timestamp);
            json.WriteString("changeTime", change.ChangeTime);
            json.WriteString("eventName", change.EventName);
            if (change.Actor is null) json.WriteNull("actor");
            else json.WriteString("actor", change.Actor);
            json.WriteStartArray("changedAttributes");
            foreach (var name in change.TouchedAttributes) json.WriteStringValue(name);
            json.WriteEndArray();
            json.WritePropertyName("keys");
            WriteMap(json, change.Keys);
            if (change.SequenceNumber is not null) json.WriteString("sequenceNumber", change.SequenceNumber);
            json.WriteBoolean("imagesReduced", change.ImagesReduced);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    });

    public static void Show(IAnsiConsole console, EntityRef entity, AuditPoint at, ItemState state, AuditChange? basis)
    {
        if (!state.Exists)
        {
            console.Write(new Text($"{entity.AuditKey} did not exist at {at}: {state.AbsentBecause}.\n"));
            return;
        }
        var change = $"the {basis!.EventName} at {basis.ShortTimestamp} by {basis.Actor ?? "an unknown actor"}";
        console.Write(new Text(at.Timestamp is not null ? $"{entity.AuditKey} right after {change}:\n" : $"{entity.AuditKey} at {at}, as {change} left it:\n"));
        var table = NewTable("attribute", "value");
        foreach (var (name, value) in state.Attributes!.OrderBy(e => e.Key, StringComparer.Ordinal))
            table.AddRow(new Text(name), new Text(ValueText.Format(value)));
        console.Write(table);
        Redacted(console, state);
    }

    public static void ShowJson(TextWriter output, EntityRef entity, AuditPoint at, ItemState state, AuditChange? basis) => WriteJson(output, json =>
    {
        json.WriteStartObject();
        json.WriteString("entity", entity.AuditKey);
        json.WriteString("table", entity.TableName);
        json.WriteString("at", at.ToString());
        if (basis is null) json.WriteNull("timestamp");
        else json.WriteString("timestamp", basis.Timestamp);
        json.WriteBoolean("exists", state.Exists);
        json.WritePropertyName("item");
        if (state.Attributes is null) json.WriteNullValue();
        else WriteMap(json, state.Attributes);
        json.WriteStartArray("redacted");
        foreach (var path in state.RedactedPaths) json.WriteStringValue(path);
        json.WriteEndArray();
        json.WriteEndObject();
    });

    public static void Diff(IAnsiConsole console, string heading, IReadOnlyList<AttributeChange> changes)
    {
        console.Write(new Text(heading + (changes.Count == 0 ? ": no difference.\n" : $": {Count(changes.Count, "difference")}\n")));
        if (changes.Count == 0) return;
        var table = NewTable("attribute", "change", "before", "after");
        foreach (var change in changes)
            table.AddRow(new Text(change.Path), new Text(change.Kind.ToString().ToLowerInvariant(), KindStyle(change.Kind)),
                new Text(ValueText.Format(change.Before)), new Text(ValueText.Format(change.After)));
        console.Write(table);
    }

    public static void DiffJson(TextWriter output, EntityRef entity, (AuditPoint Point, AuditChange? Basis) from, (AuditPoint Point, AuditChange? Basis) to,
        IReadOnlyList<AttributeChange> changes) => WriteJson(output, json =>
    {
        json.WriteStartObject();
        json.WriteString("entity", entity.AuditKey);
        foreach (var (name, side) in new[] { ("from", from), ("to", to) })
        {
            json.WriteStartObject(name);
            json.WriteString("at", side.Point.ToString());
            if (side.Basis is null) json.WriteNull("timestamp");
            else json.WriteString("timestamp", side.Basis.Timestamp);
            json.WriteEndObject();
        }
        json.WriteStartArray("changes");
        foreach (var change in changes)
        {
            json.WriteStartObject();
            json.WriteString("path", change.Path);
            json.WriteString("change", change.Kind.ToString().ToLowerInvariant());
            WriteValue(json, "before", change.Before);
            WriteValue(json, "after", change.After);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    });

    public static void Redacted(IAnsiConsole console, ItemState state)
    {
        if (state.RedactedPaths.Count > 0)
            console.Write(new Text($"Redacted by the audit trail (not kept): {string.Join(", ", state.RedactedPaths)}\n", new Style(Color.Yellow)));
    }

    private static Table NewTable(params string[] columns)
    {
        var table = new Table { Border = TableBorder.Rounded };
        foreach (var column in columns) table.AddColumn(new TableColumn(new Text(column, new Style(decoration: Decoration.Bold))));
        return table;
    }

    private static Style EventStyle(string eventName) => eventName switch
    {
        "INSERT" => new Style(Color.Green),
        "REMOVE" => new Style(Color.Red),
        _ => new Style(Color.Yellow),
    };

    private static Style KindStyle(ChangeKind kind) => kind switch
    {
        ChangeKind.Added => new Style(Color.Green),
        ChangeKind.Removed => new Style(Color.Red),
        _ => new Style(Color.Yellow),
    };

    private static string Count(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";

    private static void WriteJson(TextWriter output, Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, JsonOptions)) write(json);
        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private static void WriteMap(Utf8JsonWriter json, IReadOnlyDictionary<string, AttributeValue> map)
    {
        json.WriteStartObject();
        foreach (var (name, value) in map.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            json.WritePropertyName(name);
            Typed.Write(json, value, JsonSerializerOptions.Default);
        }
        json.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter json, string name, AttributeValue? value)
    {
        json.WritePropertyName(name);
        if (value is null) json.WriteNullValue();
        else Typed.Write(json, value, JsonSerializerOptions.Default);
    }
}
