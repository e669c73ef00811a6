#!/usr/bin/env python3
"""template.yaml with its Fn::ForEach loops expanded, as the deploy sees it; and comparisons.

usage: python3 tools/Rehearsal/expansion.py TEMPLATE --same-as OTHER   (resource by resource; exit 1 on a difference)
       python3 tools/Rehearsal/expansion.py TEMPLATE --json             (the expansion, for a look)
       python3 tools/Rehearsal/expansion.py TEMPLATE --write-reference "WHAT IT IS"   (REFERENCE from TEMPLATE)

The expansion is cfn-lint's of AWS::LanguageExtensions (cfnlint.template.transforms): every
Fn::ForEach written out, its identifiers put into keys, Sub, Ref and GetAtt, and each Fn::FindInMap
it can look up resolved. CloudFormation does the same server side before the SAM transform. What
cfn-lint expands and SAM CLI would not (sam build --language-extensions expands a loop only at the
top of Resources, Outputs, Conditions or of a resource's Properties:
samcli/lib/cfn_language_extensions/processors/foreach.py) is refused by misplaced_loops; what
cfn-lint and SAM CLI expand and AWS's reference of Fn::ForEach rules out, by undocumented_loops.
Comparisons (--same-as, the reference) are of resolved values: a Sub's variable that the expansion
made a plain string (a FindInMap of the loop's item) is put into the Sub's text, as CloudFormation
will, so ["${App}-${Suffix}", {Suffix: orders}] and "${App}-orders" are the same value.
"""
import argparse, copy, hashlib, json, os, re, sys

from cfnlint.decode import decode
from cfnlint.template import Template
from cfnlint.template.transforms._language_extensions import language_extension

FOR_EACH = "Fn::ForEach::"
SECTIONS = ("Conditions", "Resources", "Outputs")
# Each condition, resource and output of the template as it was written out per table (before
# Fn::ForEach), by digest: the expansion must keep every one as it was.
REFERENCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "expansion-reference.json")


def plain(node):
    """cfn-lint's decoded nodes as plain dicts and lists."""
    return json.loads(json.dumps(node))


def raw(path):
    template, matches = decode(path)
    if matches:
        sys.exit(f"{path}: {matches[0]}")
    return template


_expanded = {}


def expand(path):
    """The template with every Fn::ForEach expanded, as plain JSON values: a copy of its own, as
    callers change it. Expanded once per run (the rehearsal asks for it a dozen times, and
    cfn-lint's expansion takes a good part of a second)."""
    path = os.path.abspath(path)
    if path not in _expanded:
        _expanded[path] = _expand(path)
    return copy.deepcopy(_expanded[path])


def _expand(path):
    template = raw(path)
    matches, expanded = language_extension(Template(path, template, ["us-east-1"]))
    if matches:
        sys.exit(f"{path}: {matches[0].message}")
    expanded = plain(expanded)
    left = [f"{section}.{key}" for section in SECTIONS for key in expanded.get(section, {}) if key.startswith(FOR_EACH)]
    if left:
        sys.exit(f"{path}: Fn::ForEach left unexpanded: {', '.join(left)}")
    return expanded


def misplaced_loops(template):
    """Every Fn::ForEach SAM CLI's local expansion would not reach: (path, loop)."""
    found = []

    def walk(node, path, allowed):
        if isinstance(node, list):
            for i, x in enumerate(node):
                walk(x, path + [str(i)], False)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key.startswith(FOR_EACH):
                    if not allowed:
                        found.append((".".join(path), key))
                    # a loop's body is a place like the one the loop stands in
                    if isinstance(value, list) and len(value) == 3:
                        walk(value[2], path + [key], allowed)
                else:
                    walk(value, path + [key], False)

    for section in SECTIONS:
        for key, value in plain(template).get(section, {}).items():
            if key.startswith(FOR_EACH):
                walk({key: value}, [section], True)
                continue
            if section == "Resources" and isinstance(value, dict):
                for attribute, node in value.items():
                    walk(node, [section, key, attribute], attribute == "Properties")
            else:
                walk(value, [section, key], False)
    return found


# Fn::ForEach as AWS's template reference allows it: "Collection: The collection of values to
# iterate over. This can be an array in this parameter, or it can be a Ref to a
# CommaDelimitedList"; "OutputKey: ... ${Identifier} or &{Identifier} must be included within the
# OutputKey parameter"; and a loop's logical name "must be unique within the template and can't
# conflict with any logical ID value in the Resources section"
# (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-foreach.html).
# cfn-lint and SAM CLI also take a Fn::FindInMap as the collection and a key without the
# identifier; CloudFormation's own transform, which deploys the template, is held to the reference.
FOREACH_DOC = "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-foreach.html"


def undocumented_loops(template, logical_ids=()):
    """Every Fn::ForEach outside AWS's reference: its collection neither a list of strings nor a Ref
    to a CommaDelimitedList parameter, a key it makes without the identifier of each loop it is in,
    or its name taken by another loop or by a resource (logical_ids: the expansion's)."""
    template = plain(template)
    names = {}
    lists = {name for name, p in template.get("Parameters", {}).items() if isinstance(p, dict) and p.get("Type") == "CommaDelimitedList"}
    found = []

    def documented(collection):
        if isinstance(collection, list):
            return all(isinstance(item, str) for item in collection)
        return isinstance(collection, dict) and list(collection) == ["Ref"] and collection["Ref"] in lists

    def visit(node, where, identifiers):
        """identifiers: of the loops whose fragment holds node's keys directly (each key must name them all)."""
        if isinstance(node, list):
            for i, item in enumerate(node):
                visit(item, f"{where}[{i}]", [])
            return
        if not isinstance(node, dict):
            return
        for key, value in node.items():
            if not key.startswith(FOR_EACH):
                missing = [i for i in identifiers if "${" + i + "}" not in key and "&{" + i + "}" not in key]
                if missing:
                    found.append(f"{where}: the key {key} lacks {' and '.join('${' + i + '}' for i in missing)}")
                visit(value, f"{where}.{key}", [])
            elif not (isinstance(value, list) and len(value) == 3 and isinstance(value[0], str) and isinstance(value[2], dict)):
                found.append(f"{where}.{key}: not [Identifier, Collection, {{OutputKey: OutputValue}}]")
            else:
                names.setdefault(key[len(FOR_EACH):], []).append(f"{where}.{key}")
                identifier, collection, fragment = value
                if not documented(collection):
                    found.append(f"{where}.{key}: its collection {json.dumps(collection)} is neither a list of strings nor a Ref to a CommaDelimitedList parameter")
                visit(fragment, f"{where}.{key}", identifiers + [identifier])

    for section in SECTIONS:
        visit(template.get(section, {}), section, [])
    for name, places in names.items():
        if len(places) > 1 or name in logical_ids:
            found.append(f"the loop name {name} is {'used twice' if len(places) > 1 else 'a resource logical id too'}: {', '.join(places)}")
    return found


def resolved(node):
    """node with each Fn::Sub variable that is a plain string put into the Sub's text (and a Sub
    left with no ${...} written as its string, as cfn-lint's expansion writes one): the value
    CloudFormation resolves, whichever way the template spells it."""
    if isinstance(node, list):
        return [resolved(x) for x in node]
    if not isinstance(node, dict):
        return node
    node = {k: resolved(v) for k, v in node.items()}
    sub = node.get("Fn::Sub")
    if len(node) == 1 and isinstance(sub, list) and len(sub) == 2 and isinstance(sub[0], str) and isinstance(sub[1], dict):
        text, variables = sub
        # (a value holding ${...} stays a variable: Sub does not substitute into what it puts in)
        plain_values = {k: v for k, v in variables.items() if isinstance(v, str) and "${" not in v}
        text = re.sub(r"\$\{([^}!][^}]*)\}", lambda m: plain_values.get(m.group(1), m.group(0)), text)
        rest = {k: v for k, v in variables.items() if k not in plain_values}
        if rest:
            return {"Fn::Sub": [text, rest]}
        return {"Fn::Sub": text} if "${" in text else text
    return node


def digest(entry):
    return hashlib.sha256(json.dumps(resolved(entry), sort_keys=True, separators=(",", ":")).encode()).hexdigest()[:16]


def write_reference(expanded, source, path=REFERENCE):
    reference = {"source": source, **{s: {k: digest(v) for k, v in sorted(expanded.get(s, {}).items())} for s in SECTIONS}}
    with open(path, "w", encoding="utf-8") as f:
        json.dump(reference, f, indent=1)
        f.write("\n")


def against_reference(expanded, path=REFERENCE):
    """(changed, added, source): each entry of the reference missing or different in the expansion, and the new ones."""
    with open(path, encoding="utf-8") as f:
        reference = json.load(f)
    changed = [f"{s}.{k}" for s in SECTIONS for k, d in reference[s].items() if digest(expanded.get(s, {}).get(k)) != d]
    added = [f"{s}.{k}" for s in SECTIONS for k in expanded.get(s, {}) if k not in reference[s]]
    return changed, added, reference["source"]


def differences(mine, other, sections=SECTIONS):
    """Each logical id whose entry differs between two expanded templates, and how."""
    found = []
    for section in sections:
        a, b = mine.get(section, {}), other.get(section, {})
        for key in sorted(set(a) | set(b)):
            if key not in a:
                found.append(f"{section}.{key}: missing")
            elif key not in b:
                found.append(f"{section}.{key}: not in the other template")
            elif resolved(a[key]) != resolved(b[key]):
                found.append(f"{section}.{key}: {first_difference(resolved(a[key]), resolved(b[key]))}")
    return found


def first_difference(a, b, path=""):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in list(a) + [k for k in b if k not in a]:
            if a.get(k) != b.get(k):
                return first_difference(a.get(k), b.get(k), f"{path}.{k}")
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            if x != y:
                return first_difference(x, y, f"{path}[{i}]")
    return f"{path or '(itself)'} is {json.dumps(a)}, there {json.dumps(b)}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("template")
    ap.add_argument("--same-as", help="another template: its expansion must have the same resources, conditions and outputs")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--write-reference", metavar="SOURCE", help=f"write {os.path.relpath(REFERENCE)} from this template, saying where it comes from")
    args = ap.parse_args()
    mine = expand(args.template)
    if args.json:
        json.dump(mine, sys.stdout, indent=1)
        return 0
    if args.write_reference:
        write_reference(mine, args.write_reference)
        print(f"{REFERENCE}: {', '.join(f'{len(mine.get(s, {}))} {s.lower()}' for s in SECTIONS)} of {args.write_reference}")
        return 0
    status = 0
    for where, loop in misplaced_loops(raw(args.template)):
        print(f"{where}: {loop} is out of SAM CLI's reach")
        status = 1
    for problem in undocumented_loops(raw(args.template), mine.get("Resources", {})):
        print(f"{problem} ({FOREACH_DOC})")
        status = 1
    if args.same_as:
        other = expand(args.same_as)
        found = differences(mine, other)
        for line in found:
            print(line)
        counts = ", ".join(f"{len(mine.get(s, {}))} {s.lower()}" for s in SECTIONS)
        print(f"{args.template} and {args.same_as}: {'the same ' + counts if not found else f'{len(found)} differ'}")
        status = status or (1 if found else 0)
    return status


if __name__ == "__main__":
    sys.exit(main())
