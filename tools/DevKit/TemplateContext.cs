using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Functions.DevKit;

/// <summary>A template with its parameter values: resolves nodes to plain values.</summary>
public sealed partial class TemplateContext(SamTemplate template, IReadOnlyDictionary<string, string> parameters, string region)
{
    public SamTemplate Template { get; } = template;
    public IReadOnlyDictionary<string, string> Parameters { get; } = parameters;
    public string Region { get; } = region;

    /// <summary>Resolves a Ref or GetAtt of a resource to a <see cref="ResourceReference"/> instead of refusing it.</summary>
    public bool KeepsResourceReferences { get; private init; }

    /// <summary>The same parameters, reading resource references as what they point at (for checks of the template itself).</summary>
    public TemplateContext WithResourceReferences() => new(Template, Parameters, Region) { KeepsResourceReferences = true };

    /// <summary>A named condition of the template, or a condition-shaped node (a rule's condition or assertion).</summary>
    public bool Holds(string conditionName) => Condition(conditionName, conditionName);

    /// <inheritdoc cref="Holds(string)"/>
    public bool Holds(YamlNode condition, string what) => EvaluateCondition(condition, what);

    public string ResolveString(YamlNode? node, string what)
        => Resolve(node, what) as string ?? throw new TemplateException($"{what}: expected a string.");

    /// <summary>A scalar as string, a sequence as list, a mapping as dictionary; intrinsics resolved.</summary>
    public object? Resolve(YamlNode? node, string what)
    {
        switch (node)
        {
            case null:
                return null;
            case YamlScalarNode scalar when !scalar.Tag.IsEmpty && scalar.Tag.Value != "tag:yaml.org,2002:str":
                return Intrinsic(scalar.Tag.Value, scalar, what);
            case YamlScalarNode scalar:
                return scalar.Value ?? "";
            case YamlSequenceNode seq when !seq.Tag.IsEmpty:
                return Intrinsic(seq.Tag.Value, seq, what);
            case YamlSequenceNode seq:
                return seq.Children.Select(c => Resolve(c, what)).ToList();
            case YamlMappingNode map when !map.Tag.IsEmpty:
                return Intrinsic(map.Tag.Value, map, what);
            case YamlMappingNode map when map.Children.Count == 1 && IsLongFormIntrinsic(SamTemplate.Scalar(map.Children.First().Key)):
                var (key, value) = map.Children.First();
                var name = SamTemplate.Scalar(key)!;
                return Intrinsic(name == "Ref" ? "!Ref" : "!" + name["Fn::".Length..], value, what);
            case YamlMappingNode map:
                return map.Children.ToDictionary(e => SamTemplate.Scalar(e.Key)!, e => Resolve(e.Value, what), StringComparer.Ordinal);
            default:
                throw new TemplateException($"{what}: unsupported YAML node.");
        }
    }

    private static bool IsLongFormIntrinsic(string? key)
        => key == "Ref" || (key is not null && key.StartsWith("Fn::", StringComparison.Ordinal));

    private object? Intrinsic(string tag, YamlNode argument, string what)
    {
        switch (tag)
        {
            case "!Ref" when SamTemplate.Scalar(argument) == "AWS::NoValue":
                return null; // the property is left out
            case "!Ref" when KeepsResourceReferences && Template.Resources().ContainsKey(SamTemplate.Scalar(argument) ?? ""):
                return new ResourceReference(SamTemplate.Scalar(argument)!);
            case "!Ref":
                return Ref(SamTemplate.Scalar(argument) ?? throw new TemplateException($"{what}: !Ref takes a name."), what);
            case "!GetAtt" when KeepsResourceReferences:
                var target = argument is YamlSequenceNode { Children.Count: 2 } pair
                    ? $"{SamTemplate.Scalar(pair.Children[0])}.{SamTemplate.Scalar(pair.Children[1])}"
                    : SamTemplate.Scalar(argument) ?? "";
                var dot = target.IndexOf('.', StringComparison.Ordinal);
                return dot > 0 ? new ResourceReference(target[..dot], target[(dot + 1)..]) : throw new TemplateException($"{what}: !GetAtt takes Resource.Attribute.");
            case "!Sub":
                return Sub(argument, what);
            case "!Join" when argument is YamlSequenceNode { Children.Count: 2 } join:
                var separator = ResolveString(join.Children[0], what);
                var parts = Resolve(join.Children[1], what) as List<object?> ?? throw new TemplateException($"{what}: !Join takes a list.");
                return string.Join(separator, parts.Select(p => p as string ?? throw new TemplateException($"{what}: !Join parts must be strings.")));
            case "!If" when argument is YamlSequenceNode { Children.Count: 3 } branches:
                var chosen = Condition(SamTemplate.Scalar(branches.Children[0]) ?? "", what) ? branches.Children[1] : branches.Children[2];
                return Resolve(chosen, what);
            case "!FindInMap" when argument is YamlSequenceNode { Children.Count: 3 } keys:
                var (map, top, second) = (ResolveString(keys.Children[0], what), ResolveString(keys.Children[1], what), ResolveString(keys.Children[2], what));
                return Resolve(SamTemplate.Child(SamTemplate.Child(Template.Section("Mappings").GetValueOrDefault(map), top), second)
                               ?? throw new TemplateException($"{what}: !FindInMap [{map}, {top}, {second}] is not in Mappings."), what);
            default:
                throw new TemplateException($"{what}: {tag} cannot be resolved locally (only parameters, pseudo parameters and Mappings can).");
        }
    }

    private string Ref(string name, string what)
    {
        if (Parameters.TryGetValue(name, out var value)) return value;
        return name switch
        {
            "AWS::Region" => Region,
            "AWS::AccountId" => "123456789012",
            "AWS::Partition" => "aws",
            "AWS::StackName" => "local",
            "AWS::URLSuffix" => "amazonaws.com",
            _ => throw new TemplateException($"{what}: !Ref {name} is not a parameter; resources have no value locally."),
        };
    }

    private string Sub(YamlNode argument, string what)
    {
        var (text, variables) = argument switch
        {
            YamlScalarNode s => (s.Value ?? "", new Dictionary<string, object?>()),
            YamlSequenceNode { Children.Count: 2 } seq => (SamTemplate.Scalar(seq.Children[0]) ?? "",
                Resolve(seq.Children[1], what) as Dictionary<string, object?> ?? []),
            _ => throw new TemplateException($"{what}: !Sub takes a string or [string, map]."),
        };
        return SubPattern().Replace(text, m =>
        {
            var name = m.Groups[1].Value;
            if (name.StartsWith('!')) return "${" + name[1..] + "}"; // ${!Literal}
            if (KeepsResourceReferences && (name.Contains('.', StringComparison.Ordinal) || Template.Resources().ContainsKey(name)))
                return m.Value; // a resource's value, known only once deployed
            return variables.TryGetValue(name, out var v) && v is string s ? s : Ref(name, what);
        });
    }

    private bool Condition(string name, string what)
    {
        var node = Template.Section("Conditions").GetValueOrDefault(name)
                   ?? throw new TemplateException($"{what}: condition '{name}' is not declared.");
        return EvaluateCondition(node, what);
    }

    private bool EvaluateCondition(YamlNode node, string what)
    {
        var (tag, argument) = node switch
        {
            YamlSequenceNode s when !s.Tag.IsEmpty => (s.Tag.Value, (YamlNode)s),
            YamlMappingNode { Children.Count: 1 } m => ("!" + SamTemplate.Scalar(m.Children.First().Key)!.Replace("Fn::", "", StringComparison.Ordinal), m.Children.First().Value),
            YamlScalarNode s when s.Tag.Value == "!Condition" => ("!Condition", s),
            _ => throw new TemplateException($"{what}: unsupported condition."),
        };
        var args = (argument as YamlSequenceNode)?.Children ?? [];
        return tag switch
        {
            "!Equals" when args.Count == 2 => Resolve(args[0], what) as string == Resolve(args[1], what) as string,
            "!Not" when args.Count == 1 => !EvaluateCondition(args[0], what),
            "!And" => args.All(a => EvaluateCondition(a, what)),
            "!Or" => args.Any(a => EvaluateCondition(a, what)),
            "!Condition" => Condition(SamTemplate.Scalar(argument) ?? "", what),
            _ => throw new TemplateException($"{what}: unsupported condition {tag}."),
        };
    }

    [GeneratedRegex(@"\$\{([^}]+)\}")]
    private static partial Regex SubPattern();
}
