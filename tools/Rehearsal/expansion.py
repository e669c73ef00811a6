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
samcli/lib/cfn_language_extensions/processors/foreach.py) is refused by misplaced_loops.
"""
import argparse, hashlib, json, os, sys

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


def expand(path):
    """The template with every Fn::ForEach expanded, as plain JSON values."""
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


def digest(entry):
    return hashlib.sha256(json.dumps(entry, sort_keys=True, separators=(",", ":")).encode()).hexdigest()[:16]


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
            elif a[key] != b[key]:
                found.append(f"{section}.{key}: {first_difference(a[key], b[key])}")
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
