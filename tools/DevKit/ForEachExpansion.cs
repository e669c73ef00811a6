using System.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Functions.DevKit;

/// <summary>
/// The Fn::ForEach loops of AWS::LanguageExtensions written out, as CloudFormation does before the
/// SAM transform (and cfn-lint, whose expansion the deploy rehearsal uses: a test checks both give
/// the same template). Each loop's body is repeated for every item of its collection, with the
/// identifier put into keys (<c>${Id}</c>, and <c>&amp;{Id}</c> without what is not a letter or
/// digit), into Fn::Sub strings (a Sub left with nothing to substitute becomes the plain string),
/// Ref and GetAtt; a Fn::FindInMap whose arguments are then plain values is looked up, so a value
/// may come from Mappings by the loop's item (<c>!Sub ["${App}-${Suffix}", {Suffix: !FindInMap
/// [Tables, !Ref Table, Name]}]</c>). Every reader of the template sees the expansion.
/// Only the forms AWS's reference allows are taken (<see cref="ReferenceUrl"/>); cfn-lint and SAM CLI
/// take more, CloudFormation's transform, which deploys, need not. A collection is a literal list
/// ("an array in this parameter, or a Ref to a CommaDelimitedList": the latter's items are known only
/// at deploy, so DevKit refuses it too); each key a loop makes holds the identifier of every loop
/// around it ("${Identifier} or &amp;{Identifier} must be included within the OutputKey"); a loop's
/// name is unique and no resource's ("must be unique within the template and can't conflict with any
/// logical ID").
/// </summary>
public static class ForEachExpansion
{
    public const string LoopPrefix = "Fn::ForEach::";

    public const string ReferenceUrl = "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-foreach.html";

    /// <summary>The template with every loop written out; Parameters and Mappings as they are.</summary>
    public static YamlMappingNode Expand(YamlMappingNode template)
    {
        var walker = new Walker(SamTemplate.Child(template, "Mappings") as YamlMappingNode);
        var expanded = new YamlMappingNode();
        foreach (var (key, value) in template.Children)
        {
            var section = SamTemplate.Scalar(key) ?? "";
            expanded.Add(Copy(key), section is "Parameters" or "Mappings" ? Copy(value) : walker.Walk(value, Identifiers.None, section));
        }
        if (SamTemplate.Child(expanded, "Resources") is YamlMappingNode resources
            && walker.LoopNames.FirstOrDefault(l => resources.Children.ContainsKey(new YamlScalarNode(l.Key))) is { Key: not null } clash)
            throw new TemplateException($"{clash.Value.Where}: the loop's name {clash.Key} is a resource's logical id too ({ReferenceUrl}).");
        return expanded;
    }

    private sealed class Identifiers(Dictionary<string, string> values)
    {
        public static readonly Identifiers None = new([]);

        public Identifiers With(string identifier, string value) => new(new Dictionary<string, string>(values) { [identifier] = value });

        public bool TryGet(string name, out string value) => values.TryGetValue(name, out value!);

        public string Substitute(string text)
        {
            foreach (var (identifier, value) in values)
                text = text.Replace("${" + identifier + "}", value, StringComparison.Ordinal)
                           .Replace("&{" + identifier + "}", new string(value.Where(char.IsAsciiLetterOrDigit).ToArray()), StringComparison.Ordinal);
            return text;
        }
    }

    private sealed class Walker(YamlMappingNode? mappings)
    {
        // Each loop's name, its node and where it was first met (a loop inside another is walked once per item there).
        public Dictionary<string, (YamlNode Node, string Where)> LoopNames { get; } = new(StringComparer.Ordinal);

        public YamlNode Walk(YamlNode node, Identifiers ids, string where) => node switch
        {
            YamlScalarNode scalar => Scalar(scalar, ids),
            YamlSequenceNode sequence => Sequence(sequence, ids, where),
            YamlMappingNode mapping when LongFormIntrinsic(mapping) is { } shortForm => Walk(shortForm, ids, where),
            YamlMappingNode { Tag.IsEmpty: false } tagged => Tagged(tagged, ids, where),
            YamlMappingNode mapping => Mapping(mapping, ids, where),
            _ => throw new TemplateException($"{where}: unsupported YAML node."),
        };

        private static YamlNode Scalar(YamlScalarNode scalar, Identifiers ids) => TagOf(scalar) switch
        {
            "!Sub" => SubResult(ids.Substitute(scalar.Value ?? ""), null),
            "!Ref" when ids.TryGet(scalar.Value ?? "", out var value) => Text(value),
            _ => Copy(scalar),
        };

        private YamlNode Sequence(YamlSequenceNode sequence, Identifiers ids, string where)
        {
            var tag = TagOf(sequence);
            if (tag == "!Sub" && sequence.Children is [YamlScalarNode text, var variables])
                return SubResult(ids.Substitute(text.Value ?? ""), () => Walk(variables, ids, where));
            var children = sequence.Children.Select(c => Walk(c, ids, where)).ToList();
            if (tag == "!FindInMap" && LookUp(children, ids, where) is { } found) return found;
            var result = new YamlSequenceNode(children) { Style = sequence.Style };
            if (!sequence.Tag.IsEmpty) result.Tag = sequence.Tag;
            return result;
        }

        // !Ref {Fn::Sub: "${Table}Table"}: the reference, once its name is known.
        private YamlNode Tagged(YamlMappingNode tagged, Identifiers ids, string where)
        {
            var argument = Walk(new YamlMappingNode(tagged.Children) { Style = tagged.Style }, ids, where);
            if (TagOf(tagged) == "!Ref" && argument is YamlScalarNode { Tag.IsEmpty: true } name)
                return ids.TryGet(name.Value ?? "", out var value) ? Text(value) : new YamlScalarNode(name.Value) { Tag = tagged.Tag };
            argument.Tag = tagged.Tag;
            return argument;
        }

        // loops: the identifiers of the loops whose fragment this mapping is (each key must hold them all).
        private YamlMappingNode Mapping(YamlMappingNode mapping, Identifiers ids, string where, IReadOnlyList<string>? loops = null)
        {
            var result = new YamlMappingNode { Style = mapping.Style };
            foreach (var (keyNode, value) in mapping.Children)
            {
                var key = SamTemplate.Scalar(keyNode) ?? throw new TemplateException($"{where}: a key that is not a string.");
                if (!key.StartsWith(LoopPrefix, StringComparison.Ordinal)
                    && loops?.Where(i => !key.Contains("${" + i + "}", StringComparison.Ordinal) && !key.Contains("&{" + i + "}", StringComparison.Ordinal)).ToList() is [_, ..] missing)
                    throw new TemplateException($"{where}: the key {key} lacks {string.Join(" and ", missing.Select(i => "${" + i + "}"))}; "
                        + $"each key a loop makes must hold its identifier ({ReferenceUrl}).");
                var entries = key.StartsWith(LoopPrefix, StringComparison.Ordinal)
                    ? Loop(key, value, ids, where, loops ?? [])
                    : [(ids.Substitute(key), Walk(value, ids, $"{where}.{ids.Substitute(key)}"))];
                foreach (var (name, item) in entries)
                {
                    if (result.Children.ContainsKey(new YamlScalarNode(name)))
                        throw new TemplateException($"{where}.{key}: makes {name} twice.");
                    result.Add(name, item);
                }
            }
            return result;
        }

        // [Identifier, Collection, Body]: the body once per item, its entries merged where the loop stood.
        // enclosing: the identifiers of the loops this one stands in the fragment of.
        private IEnumerable<(string Key, YamlNode Value)> Loop(string loop, YamlNode value, Identifiers ids, string where, IReadOnlyList<string> enclosing)
        {
            if (value is not YamlSequenceNode { Children: [YamlScalarNode { Value: { Length: > 0 } identifier }, var collection, YamlMappingNode body] })
                throw new TemplateException($"{where}.{loop}: Fn::ForEach takes [Identifier, Collection, {{OutputKey: OutputValue}}].");
            if (LoopNames.TryGetValue(loop[LoopPrefix.Length..], out var other) && !ReferenceEquals(other.Node, value))
                throw new TemplateException($"{where}.{loop}: the loop's name is {other.Where}'s too; it must be unique in the template ({ReferenceUrl}).");
            LoopNames.TryAdd(loop[LoopPrefix.Length..], (value, $"{where}.{loop}"));
            if (collection is not YamlSequenceNode { Tag.IsEmpty: true } items || items.Children.Any(i => i is not YamlScalarNode { Tag.IsEmpty: true }))
                throw new TemplateException($"{where}.{loop}: its collection must be a literal list of strings (AWS documents that, or a Ref to a "
                    + $"CommaDelimitedList parameter, which DevKit cannot expand before deploy; not a Fn::FindInMap: {ReferenceUrl}).");
            List<string> identifiers = [.. enclosing, identifier];
            foreach (var item in items.Children.Cast<YamlScalarNode>())
                foreach (var (key, output) in Mapping(body, ids.With(identifier, item.Value ?? ""), $"{where}.{loop}", identifiers).Children)
                    yield return (SamTemplate.Scalar(key)!, output);
        }

        // Fn::FindInMap [Map, TopKey, SecondKey (, {DefaultValue: x})] once its three names are plain values.
        private YamlNode? LookUp(List<YamlNode> arguments, Identifiers ids, string where)
        {
            if (arguments.Count is not (3 or 4) || arguments.Take(3).Any(a => a is not YamlScalarNode { Tag.IsEmpty: true }))
                return null;
            var names = arguments.Take(3).Select(a => SamTemplate.Scalar(a)!).ToArray();
            if (SamTemplate.Child(SamTemplate.Child(SamTemplate.Child(mappings, names[0]), names[1]), names[2]) is { } found)
                return Walk(found, ids, where);
            if (arguments.Count == 4 && SamTemplate.Child(arguments[3], "DefaultValue") is { } fallback)
                return fallback; // already walked with the other arguments
            throw new TemplateException($"{where}: Fn::FindInMap [{string.Join(", ", names)}] is not in Mappings.");
        }

        // A Sub with nothing left to substitute is its string.
        private static YamlNode SubResult(string text, Func<YamlNode>? variables)
        {
            if (!text.Contains("${", StringComparison.Ordinal)) return Text(text);
            var tag = new TagName("!Sub");
            return variables is null
                ? new YamlScalarNode(text) { Tag = tag, Style = ScalarStyle.DoubleQuoted }
                : new YamlSequenceNode(new YamlScalarNode(text) { Style = ScalarStyle.DoubleQuoted }, variables()) { Tag = tag };
        }

        // {"Ref": x} or {"Fn::Sub": x}: the same as !Ref x and !Sub x.
        private static YamlNode? LongFormIntrinsic(YamlMappingNode mapping)
        {
            if (!mapping.Tag.IsEmpty || mapping.Children.Count != 1) return null;
            var (key, value) = mapping.Children.First();
            var name = SamTemplate.Scalar(key);
            if (!value.Tag.IsEmpty || name is null || name.StartsWith(LoopPrefix, StringComparison.Ordinal)
                || !(name == "Ref" || name.StartsWith("Fn::", StringComparison.Ordinal)))
                return null;
            var tagged = Copy(value);
            tagged.Tag = new TagName(name == "Ref" ? "!Ref" : "!" + name["Fn::".Length..]);
            return tagged;
        }
    }

    private static string TagOf(YamlNode node) => node.Tag.IsEmpty ? "" : node.Tag.Value;

    private static YamlScalarNode Text(string value) => new(value) { Style = ScalarStyle.DoubleQuoted };

    private static YamlNode Copy(YamlNode node)
    {
        YamlNode copy = node switch
        {
            YamlScalarNode s => new YamlScalarNode(s.Value) { Style = s.Style },
            YamlSequenceNode s => new YamlSequenceNode(s.Children.Select(Copy)) { Style = s.Style },
            YamlMappingNode m => new YamlMappingNode(m.Children.Select(e => new KeyValuePair<YamlNode, YamlNode>(Copy(e.Key), Copy(e.Value)))) { Style = m.Style },
            _ => throw new TemplateException("unsupported YAML node."),
        };
        if (!node.Tag.IsEmpty) copy.Tag = node.Tag;
        return copy;
    }

    /// <summary>The template as YAML text (the expansion, for a look or for another tool to read).</summary>
    public static string ToYaml(YamlMappingNode template)
    {
        var text = new StringBuilder();
        using (var writer = new StringWriter(text, System.Globalization.CultureInfo.InvariantCulture))
            new YamlStream(new YamlDocument(template)).Save(writer, assignAnchors: false);
        return text.ToString();
    }
}
