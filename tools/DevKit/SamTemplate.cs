using YamlDotNet.RepresentationModel;

namespace Functions.DevKit;

/// <summary>
/// The parts of template.yaml the local tools need, read after its Fn::ForEach loops are written
/// out (<see cref="ForEachExpansion"/>), with the intrinsic functions `sam local` resolves: Ref and
/// Sub of parameters and pseudo parameters (short and long forms), Join, If with Equals/Not/And/Or
/// conditions. Anything else (GetAtt, a Ref to a resource) is reported as unresolvable.
/// </summary>
public sealed partial class SamTemplate
{
    private readonly YamlMappingNode _root;

    private SamTemplate(YamlMappingNode root, string path)
    {
        _root = root;
        Path = path;
    }

    public string Path { get; }

    public static SamTemplate Load(string path)
    {
        using var reader = new StreamReader(path);
        return Parse(reader, path);
    }

    /// <summary>A template from its text; <paramref name="path"/> names it in messages.</summary>
    public static SamTemplate Parse(TextReader reader, string path)
    {
        var yaml = new YamlStream();
        yaml.Load(reader);
        if (yaml.Documents.Count == 0 || yaml.Documents[0].RootNode is not YamlMappingNode root)
            throw new TemplateException($"{path} is not a CloudFormation template.");
        return new SamTemplate(ForEachExpansion.Expand(root), path);
    }

    /// <summary>The template as this class reads it (its loops written out), as YAML.</summary>
    public string ExpandedYaml() => ForEachExpansion.ToYaml(_root);

    /// <summary>Parameters with their defaults (null when the template gives none).</summary>
    public IReadOnlyDictionary<string, string?> ParameterDefaults()
        => Section("Parameters").ToDictionary(
            p => p.Key,
            p => Child(p.Value, "Default") is YamlScalarNode d ? d.Value ?? "" : null,
            StringComparer.Ordinal);

    /// <summary>The Parameters section, each declaration as written (Type, Default, MinValue, AllowedPattern, ...).</summary>
    public IReadOnlyDictionary<string, YamlNode> ParameterDeclarations() => Section("Parameters");

    public IReadOnlyDictionary<string, YamlNode> Resources() => Section("Resources");

    public IReadOnlyDictionary<string, YamlNode> Outputs() => Section("Outputs");

    public IReadOnlyDictionary<string, YamlNode> Conditions() => Section("Conditions");

    /// <summary>The Rules section: what CloudFormation checks of the parameters before it changes anything.</summary>
    public IReadOnlyDictionary<string, YamlNode> Rules() => Section("Rules");

    public IEnumerable<string> ResourcesOfType(string type)
        => Resources().Where(r => Scalar(Child(r.Value, "Type")) == type).Select(r => r.Key);

    public YamlNode? ResourceProperty(string logicalId, params string[] path)
    {
        if (!Resources().TryGetValue(logicalId, out var resource)) return null;
        var node = Child(resource, "Properties");
        foreach (var segment in path) node = Child(node, segment);
        return node;
    }

    public YamlNode? Global(params string[] path)
    {
        YamlNode? node = Child(_root, "Globals");
        foreach (var segment in path) node = Child(node, segment);
        return node;
    }

    /// <summary>The values of all parameters for one run: defaults, then overrides.</summary>
    public TemplateContext Context(IReadOnlyDictionary<string, string>? overrides = null, string? region = null)
    {
        var defaults = ParameterDefaults();
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in defaults)
            if (value is not null) values[name] = value;
        foreach (var (name, value) in overrides ?? new Dictionary<string, string>())
        {
            if (!defaults.ContainsKey(name))
                throw new TemplateException($"Parameter '{name}' is not declared in {Path}.");
            values[name] = value;
        }
        return new TemplateContext(this, values, region ?? "us-east-1");
    }

    internal IReadOnlyDictionary<string, YamlNode> Section(string name)
        => Child(_root, name) is YamlMappingNode map
            ? map.Children.ToDictionary(e => ((YamlScalarNode)e.Key).Value!, e => e.Value, StringComparer.Ordinal)
            : new Dictionary<string, YamlNode>();

    public static YamlNode? Child(YamlNode? node, string key)
        => node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;

    public static string? Scalar(YamlNode? node) => (node as YamlScalarNode)?.Value;
}

/// <summary>A Ref or GetAtt of one of the template's resources, as <see cref="TemplateContext.WithResourceReferences"/> keeps it.</summary>
public sealed record ResourceReference(string LogicalId, string? Attribute = null);

public sealed class TemplateException(string message) : Exception(message);
