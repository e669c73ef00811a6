#!/usr/bin/env python3
"""Deploy rehearsal on moto: package, SAM-transform, create/update/delete the stack, check it.

usage: python3 tools/Rehearsal/rehearse.py --packages DIR   (DIR/<LogicalId>/ as `make build-<LogicalId>` makes them)
       python3 tools/Rehearsal/rehearse.py --template-only [--template PATH]   (the real-account checks alone)

Runs both paths of README's deploy section against a moto_server of its own: a new environment
(ManageTables=true) and one whose tables exist already (ManageTables=false, stream ARNs given).
The template is transformed with aws-sam-translator (what `sam deploy` asks CloudFormation to
do) after AWS::LanguageExtensions' part, as that transform would do it first: its Fn::ForEach
loops expanded (cfn-lint's expansion, expansion.py; each loop where SAM CLI expands it too, and
every resource as the reference of the template written out per table says) and the condition in
DeletionPolicy resolved. What moto does not model is listed as checked in the template only; what
a real account enforces and moto does not (alarm delivery through KMS, the responder's EventBridge
rule, throttle alarms by cause, the template's Rules) is checked first on the transformed
template by realaccount.py, for each way the stack can be deployed.
Exit 0 when every check holds.
"""
import argparse, copy, io, json, os, re, socket, subprocess, sys, time, zipfile

import boto3
from samtranslator.translator.transform import transform

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dashboard  # noqa: E402
import expansion  # noqa: E402
import realaccount  # noqa: E402
from realaccount import holds as condition, present  # noqa: E402

REGION = "us-east-1"
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TEMPLATE = os.path.join(ROOT, "template.yaml")
problems = []


def check(ok, what):
    print(f"  {'ok  ' if ok else 'FAIL'} {what}")
    if not ok:
        problems.append(what)
    return ok


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_moto():
    port = free_port()
    proc = subprocess.Popen(["moto_server", "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, endpoint
        except OSError:
            time.sleep(0.1)
    proc.kill()
    sys.exit("moto_server did not start")


def clients(endpoint):
    kw = dict(endpoint_url=endpoint, region_name=REGION, aws_access_key_id="test", aws_secret_access_key="test")
    return {n: boto3.client(n, **kw) for n in ["s3", "cloudformation", "dynamodb", "lambda", "iam", "sqs", "sns", "logs", "events", "kms", "cloudwatch"]}


def package_and_transform(packages, bucket, s3, params):
    """The template as `sam deploy` hands it to CloudFormation; packages None: code locations only named."""
    tpl = expansion.expand(TEMPLATE)
    # AWS::LanguageExtensions: Fn::If in DeletionPolicy / UpdateReplacePolicy.
    for res in tpl["Resources"].values():
        for key in ("DeletionPolicy", "UpdateReplacePolicy"):
            if isinstance(res.get(key), dict):
                cond, yes, no = res[key]["Fn::If"]
                res[key] = yes if condition(tpl, cond, params) else no
    tpl["Transform"] = "AWS::Serverless-2016-10-31"
    for logical, res in tpl["Resources"].items():
        if res["Type"] != "AWS::Serverless::Function":
            continue
        if packages is not None:
            folder = os.path.join(packages, logical)
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
                for name in sorted(os.listdir(folder)):
                    z.write(os.path.join(folder, name), name)
            s3.put_object(Bucket=bucket, Key=f"{logical}.zip", Body=buf.getvalue())
        res["Properties"]["CodeUri"] = f"s3://{bucket}/{logical}.zip"
        res.pop("Metadata", None)

    class NoManagedPolicies:
        def load(self):
            return {}
    os.environ["AWS_DEFAULT_REGION"] = REGION  # the translator takes the region of a default session
    return tpl, transform(copy.deepcopy(tpl), dict(params), NoManagedPolicies())


def wait(cf, stack):
    for _ in range(600):
        status = cf.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"]
        if not status.endswith("IN_PROGRESS"):
            return status
        time.sleep(0.2)
    return status


class Resolver:
    """Template values as deployed: parameters, pseudo parameters, conditions, Sub, If, GetAtt."""

    def __init__(self, cfn, params, c):
        self.cfn, self.params, self.c = cfn, params, c
        self.pseudo = {"AWS::Region": REGION, "AWS::AccountId": "123456789012", "AWS::Partition": "aws", "AWS::NoValue": None}

    def param(self, name):
        if name in self.pseudo:
            return self.pseudo[name]
        return self.params.get(name, self.cfn["Parameters"].get(name, {}).get("Default"))

    def table_name(self, logical):
        return self.value(self.cfn["Resources"][logical]["Properties"]["TableName"])

    def value(self, v):
        if isinstance(v, dict) and len(v) == 1 and next(iter(v)) in ("Ref", "Condition") or isinstance(v, dict) and len(v) == 1 and next(iter(v)).startswith("Fn::"):
            (fn, a), = v.items()
            if fn == "Ref":
                return self.param(a) if a in self.cfn["Parameters"] or a in self.pseudo else f"<{a}>"
            if fn == "Fn::Sub":
                text, extra = (a, {}) if isinstance(a, str) else (a[0], {k: self.value(x) for k, x in a[1].items()})
                import re
                return re.sub(r"\$\{([^}]+)\}", lambda m: str(extra[m.group(1)]) if m.group(1) in extra else
                              str(self.param(m.group(1)) if "." not in m.group(1) else f"<{m.group(1)}>"), text)
            if fn == "Fn::If":
                return self.value(a[1] if condition(self.cfn, a[0], self.params) else a[2])
            if fn == "Fn::GetAtt" and a[1] == "StreamArn":
                return self.c["dynamodb"].describe_table(TableName=self.table_name(a[0]))["Table"]["LatestStreamArn"]
            return f"<{fn}>"
        if isinstance(v, list):
            return [self.value(x) for x in v]
        if isinstance(v, dict):
            return {k: self.value(x) for k, x in v.items()}
        return v


def policy_document(doc):
    """IAM answers a JSON string; moto sometimes a Python literal of it."""
    if not isinstance(doc, str):
        return doc
    try:
        return json.loads(doc)
    except json.JSONDecodeError:
        import ast
        return ast.literal_eval(doc)


def check_stack(c, stack, cfn, params):
    """The created resources against the transformed template."""
    r = Resolver(cfn, params, c)
    resources = {x["LogicalResourceId"]: x for x in c["cloudformation"].list_stack_resources(StackName=stack)["StackResourceSummaries"]}
    template_only = {}
    for logical, res in cfn["Resources"].items():
        if not present(cfn, logical, params):
            check(logical not in resources, f"{logical} not created (condition {res['Condition']} is false)")
            continue
        t, props = res["Type"], res.get("Properties", {})
        if t == "AWS::DynamoDB::Table":
            d = c["dynamodb"].describe_table(TableName=r.value(props["TableName"]))["Table"]
            check(d["KeySchema"] == props["KeySchema"], f"{logical}: keys {[k['AttributeName'] for k in props['KeySchema']]}")
            check(sorted(map(json.dumps, d["AttributeDefinitions"])) == sorted(map(json.dumps, props["AttributeDefinitions"])), f"{logical}: attribute definitions")
            view = props.get("StreamSpecification", {}).get("StreamViewType")
            check(d.get("StreamSpecification", {}).get("StreamViewType") == view, f"{logical}: stream {view or 'none'}")
            tags = {x["Key"]: x["Value"] for x in c["dynamodb"].list_tags_of_resource(ResourceArn=d["TableArn"]).get("Tags", [])}
            check(tags.get("app") == params["AppName"] and tags.get("environment") == params["Environment"], f"{logical}: tags app, environment")
            template_only.setdefault("AWS::DynamoDB::Table PITR, SSE, deletion protection", 0)
            template_only["AWS::DynamoDB::Table PITR, SSE, deletion protection"] += 1
        elif t == "AWS::Lambda::Function":
            name = r.value(props["FunctionName"])
            f = c["lambda"].get_function_configuration(FunctionName=name)
            check((f["Runtime"], f["Handler"]) == (props["Runtime"], props["Handler"]), f"{logical}: {props['Runtime']} {props['Handler']}")
            want = {k: str(r.value(v)) for k, v in props.get("Environment", {}).get("Variables", {}).items()}
            # Lambda keeps variables as strings; moto keeps a number of the template as a number.
            got = {k: str(v) for k, v in f.get("Environment", {}).get("Variables", {}).items()}
            if not check(got == want, f"{logical}: environment ({len(want)} variables)"):
                print(f"       differ: { {k: (want.get(k), got.get(k)) for k in set(want) | set(got) if want.get(k) != got.get(k)} }")
            tagged = {t["Key"]: r.value(t["Value"]) for t in props.get("Tags", [])}
            check(tagged.get("app") == params["AppName"] and tagged.get("environment") == params["Environment"], f"{logical}: tags app, environment (in the template: moto keeps none from a stack)")
            template_only["AWS::Lambda::Function Architectures, LoggingConfig, Tags"] = template_only.get("AWS::Lambda::Function Architectures, LoggingConfig, Tags", 0) + 1
        elif t == "AWS::Lambda::EventSourceMapping":
            function = r.value(cfn["Resources"][props["FunctionName"]["Ref"]]["Properties"]["FunctionName"])
            source = r.value(props["EventSourceArn"])
            found = [m for m in c["lambda"].list_event_source_mappings(FunctionName=function)["EventSourceMappings"] if m["EventSourceArn"] == source]
            if check(len(found) == 1, f"{logical}: {function} <- {source.split('/')[1]}"):
                m = found[0]
                for key in ("BatchSize", "MaximumBatchingWindowInSeconds", "BisectBatchOnFunctionError", "MaximumRetryAttempts",
                            "MaximumRecordAgeInSeconds", "FunctionResponseTypes", "StartingPosition", "FilterCriteria"):
                    if key not in props:
                        continue
                    if key in m:
                        check(m[key] == props[key], f"{logical}: {key} {props[key] if key != 'FilterCriteria' else '(merchantId filters)'}")
                    else:
                        template_only[f"AWS::Lambda::EventSourceMapping {key}"] = template_only.get(f"AWS::Lambda::EventSourceMapping {key}", 0) + 1
                if "DestinationConfig" in props:
                    template_only["AWS::Lambda::EventSourceMapping DestinationConfig"] = template_only.get("AWS::Lambda::EventSourceMapping DestinationConfig", 0) + 1
        elif t == "AWS::SQS::Queue":
            url = c["sqs"].get_queue_url(QueueName=r.value(props["QueueName"]))["QueueUrl"]
            tags = c["sqs"].list_queue_tags(QueueUrl=url).get("Tags", {})
            check(tags.get("app") == params["AppName"], f"{logical}: exists, tagged")
        elif t == "AWS::IAM::Role":
            role = resources[logical]["PhysicalResourceId"]
            for policy in props.get("Policies", []):
                doc = c["iam"].get_role_policy(RoleName=role, PolicyName=policy["PolicyName"])["PolicyDocument"]
                doc = policy_document(doc)
                want = {(st.get("Sid"), tuple(sorted(st["Action"] if isinstance(st["Action"], list) else [st["Action"]])), len(st["Resource"]) if isinstance(st["Resource"], list) else 1)
                        for st in policy["PolicyDocument"]["Statement"]}
                got = {(st.get("Sid"), tuple(sorted(st["Action"] if isinstance(st["Action"], list) else [st["Action"]])), len(st["Resource"]) if isinstance(st["Resource"], list) else 1)
                       for st in doc["Statement"]}
                check(got == want, f"{logical}: {len(want)} statements (actions and resources) of {policy['PolicyName']}")
        elif t == "AWS::KMS::Key":
            key = c["kms"].describe_key(KeyId=resources[logical]["PhysicalResourceId"])["KeyMetadata"]
            rotated = c["kms"].get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"]
            policy = json.loads(c["kms"].get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"])
            check(rotated and realaccount.key_lets_cloudwatch_publish(policy),
                  f"{logical}: a customer managed key, rotated, its policy letting {realaccount.CLOUDWATCH} use kms:Decrypt and kms:GenerateDataKey*")
        elif t == "AWS::SNS::Topic":
            attributes = c["sns"].get_topic_attributes(TopicArn=resources[logical]["PhysicalResourceId"])["Attributes"]
            key = realaccount.value(cfn, props.get("KmsMasterKeyId"), params)
            want = c["kms"].describe_key(KeyId=resources[key.logical]["PhysicalResourceId"])["KeyMetadata"]["Arn"] if isinstance(key, realaccount.Ref) else key
            check(attributes.get("KmsMasterKeyId") == want, f"{logical}: encrypted with {key}")
        elif t == "AWS::CloudWatch::Dashboard":
            deployed = c["cloudwatch"].get_dashboard(DashboardName=r.value(props["DashboardName"]))
            check(json.loads(deployed["DashboardBody"]) == json.loads(r.value(props["DashboardBody"])), f"{logical}: {deployed['DashboardName']}, its body as the template says")
        elif t == "AWS::Events::Rule" and "EventPattern" in props:
            rule = c["events"].describe_rule(Name=resources[logical]["PhysicalResourceId"].split("|")[-1])
            check(json.loads(rule["EventPattern"]) == realaccount.value(cfn, props["EventPattern"], params), f"{logical}: event pattern as the template says")
        elif logical in resources and resources[logical]["ResourceType"] == t:
            check(resources[logical]["ResourceStatus"].endswith("COMPLETE"), f"{logical}: {t}")
        else:
            template_only[t] = template_only.get(t, 0) + 1
    # Event source mappings take tags too, but SAM's DynamoDB event has no Tags and PropagateTags
    # does not reach them (aws-sam-translator 1.110): the one known gap, said here.
    tag_types = {"AWS::DynamoDB::Table", "AWS::Lambda::Function", "AWS::IAM::Role", "AWS::KMS::Key",
                 "AWS::SQS::Queue", "AWS::SNS::Topic", "AWS::Logs::LogGroup", "AWS::CloudWatch::Alarm"}
    untagged = [logical for logical, res in cfn["Resources"].items() if res["Type"] in tag_types and present(cfn, logical, params)
                and not {"app", "environment"} <= {t["Key"] for t in res.get("Properties", {}).get("Tags", [])}]
    check(not untagged, f"tags app and environment on every resource that takes them, event source mappings aside{': missing on ' + ', '.join(untagged) if untagged else ''}")
    outputs = {o["OutputKey"] for o in c["cloudformation"].describe_stacks(StackName=stack)["Stacks"][0].get("Outputs", [])}
    check(outputs == set(cfn["Outputs"]), f"outputs: {len(cfn['Outputs'])} (tables, streams, queues, topic, functions)")
    print("  checked in the template only (moto does not model them): " +
          ", ".join(f"{k} x{v}" for k, v in sorted(template_only.items())))


def template_checks():
    """The template's loops: where SAM CLI expands them, and every resource as the reference has it."""
    print("\n== the template: its Fn::ForEach loops, expanded (cfn-lint) as CloudFormation does")
    misplaced = expansion.misplaced_loops(expansion.raw(TEMPLATE))
    check(not misplaced, "every Fn::ForEach sits where SAM CLI (sam build --language-extensions) expands it too: at the top of "
          "Resources, Outputs, Conditions or of a resource's Properties" + "".join(f"; not {loop} in {where}" for where, loop in misplaced))
    # cfn-lint and SAM CLI expand more than CloudFormation's transform is documented to take, and
    # no real change set can be run here: hold every loop to AWS's reference (expansion.FOREACH_DOC).
    undocumented = expansion.undocumented_loops(expansion.raw(TEMPLATE), expansion.expand(TEMPLATE)["Resources"])
    check(not undocumented, "every Fn::ForEach in the form AWS documents: its collection a list (or a Ref to a CommaDelimitedList), "
          "each key it makes holding the identifier of every loop it is in, its name unique and no resource's (" + expansion.FOREACH_DOC + ")"
          + "".join(f"; {problem}" for problem in undocumented))
    changed, added, source = expansion.against_reference(expansion.expand(TEMPLATE))
    check(not changed, f"every condition, resource and output of the reference ({source}) is in the expansion as it was"
          + (f": changed or missing {', '.join(changed)} (compare: expansion.py template.yaml --same-as OLD; "
             "refresh on purpose: --write-reference)" if changed else ""))
    print(f"  note new since then: {', '.join(added) or 'nothing'}")


# What an ELF header's e_machine says, for each of Lambda's architectures.
ELF_MACHINES = {"arm64": 0xB7, "x86_64": 0x3E}
# Amazon Linux 2023, the OS of the dotnet10 runtime, has glibc 2.34: a binary needing a newer
# symbol version would not load there.
MAX_GLIBC = (2, 34)


def starts_with(path, magic):
    with open(path, "rb") as f:
        return f.read(len(magic)) == magic


def package_checks(packages):
    """Each package as Lambda runs it: the Handler's Native AOT executable for the function's
    architecture, loadable on AL2023, executable in the zip, and no IL assembly beside it."""
    print("\n== the packages: one Native AOT executable each, as the template's Handler names it")
    tpl = expansion.expand(TEMPLATE)
    defaults = tpl.get("Globals", {}).get("Function", {})
    for logical, res in tpl["Resources"].items():
        if res["Type"] != "AWS::Serverless::Function":
            continue
        props = res["Properties"]
        handler, arch = props.get("Handler", defaults.get("Handler")), (props.get("Architectures") or defaults.get("Architectures") or ["x86_64"])[0]
        folder = os.path.join(packages, logical)
        binary = os.path.join(folder, handler)
        if not check(os.path.isfile(binary), f"{logical}: the package holds {handler}"):
            continue
        with open(binary, "rb") as f:
            data = f.read()
        machine = int.from_bytes(data[18:20], "little") if data[:4] == b"\x7fELF" else None
        check(machine == ELF_MACHINES[arch], f"{logical}: {handler} is an ELF executable for {arch} (e_machine {machine and hex(machine)})")
        needed = sorted({tuple(map(int, v.split(b"."))) for v in re.findall(rb"GLIBC_(2\.[0-9]+)", data)})
        check(bool(needed) and needed[-1] <= MAX_GLIBC,
              f"{logical}: needs glibc {'.'.join(map(str, needed[-1])) if needed else '?'} at most, AL2023 has {'.'.join(map(str, MAX_GLIBC))}")
        others = sorted(n for n in os.listdir(folder) if n != handler)
        assemblies = [n for n in others if n.endswith((".dll", ".deps.json", ".runtimeconfig.json")) or starts_with(os.path.join(folder, n), b"MZ")]
        check(not assemblies, f"{logical}: no IL assembly in the package (Native AOT; beside {handler}: {', '.join(others) or 'nothing'})")
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            z.write(binary, handler)
        mode = zipfile.ZipFile(buf).getinfo(handler).external_attr >> 16
        check(mode & 0o111 == 0o111, f"{logical}: {handler} stays executable in the zip ({oct(mode & 0o777)})")


def real_account_checks(c):
    """What a real account enforces and moto does not, for every way the stack can be deployed."""
    print("\n== real account, on the transformed template (moto models no alarm, no key policy, no Rules)")
    base = {"AppName": "rh", "Environment": "dev"}
    deployments = [("PAY_PER_REQUEST", ""), ("PROVISIONED", ""), ("PROVISIONED", "arn:aws:sns:us-east-1:123456789012:team-alarms")]
    for billing, topic in deployments:
        params = dict(base, BillingMode=billing, AlarmTopicArn=topic)
        _, cfn = package_and_transform(None, "rehearsal-artifacts", None, params)
        bad, checked = realaccount.undeliverable(cfn, params)
        check(checked > 0 and not bad, f"BillingMode={billing}{' AlarmTopicArn=<the user' + chr(39) + 's>' if topic else ''}: every alarm action on a topic of "
              f"the stack can deliver ({checked} checked: unencrypted, or a rotated key letting {realaccount.CLOUDWATCH} use it)")
        for line in bad[:8]:
            print(f"       {line}")
        if len(bad) > 8:
            print(f"       ... and {len(bad) - 8} more")

    params = dict(base, BillingMode="PROVISIONED")
    _, cfn = package_and_transform(None, "rehearsal-artifacts", None, params)
    handled = realaccount.responder_metrics(ROOT)
    alarms = {logical: realaccount.value(cfn, res["Properties"], params) for logical, res in cfn["Resources"].items()
              if res["Type"] == "AWS::CloudWatch::Alarm" and present(cfn, logical, params)}
    watched = {logical: realaccount.metrics_of(p) for logical, p in alarms.items()}
    dynamo = {logical: metrics for logical, metrics in watched.items() if any(m.get("Namespace") == "AWS/DynamoDB" for m in metrics)}
    generic = sorted(f"{logical} ({m['MetricName']})" for logical, metrics in dynamo.items() for m in metrics if handled.get(m["MetricName"]) in (None, "Unattributed"))
    check(dynamo and not generic, f"the DynamoDB throttle alarms watch metrics by cause, never the generic ones{': ' + ', '.join(generic[:4]) if generic else ''}")
    for cause, what in (("ProvisionedCapacity", "provisioned-capacity"), ("KeyRange", "hot-partition")):
        for access in ("Read", "Write"):
            tables = {dim["Value"] for metrics in dynamo.values() for m in metrics if handled.get(m["MetricName"]) == cause
                      and m["MetricName"].startswith(access) for dim in m.get("Dimensions", []) if dim["Name"] == "TableName"}
            check(len(tables) == 6, f"a {access.lower()} {what} alarm on each of the 6 business tables ({len(tables)})")
    not_covering = sorted(logical for logical, p in alarms.items() if logical in dynamo and
                          (p.get("MetricName") or len(p.get("Metrics", [])) != 1 or not all(m.get("Query") for m in dynamo[logical])))
    check(not not_covering, "each DynamoDB throttle alarm is one Metrics Insights query FROM \"AWS/DynamoDB\" WHERE TableName = the table (no SCHEMA, "
          "no GROUP BY): it takes in the table's indexes, present and future, which throttle under TableName plus GlobalSecondaryIndexName only"
          + (f": not {', '.join(not_covering[:4])}" if not_covering else ""))
    per_stack = sum(1 for p in alarms.values() if realaccount.queries_of(p))
    check(0 < per_stack * realaccount.ENVIRONMENTS <= realaccount.QUERY_ALARMS_PER_ACCOUNT,
          f"{realaccount.ENVIRONMENTS} environments' Metrics Insights alarms ({per_stack} a stack, provisioned) fit the account's "
          f"{realaccount.QUERY_ALARMS_PER_ACCOUNT} a region")
    to_responder = [logical for logical, p in alarms.items() if any(isinstance(a, realaccount.Ref) and a.logical == "ThrottleAlarmTopic" for a in p.get("AlarmActions", []))]
    check(to_responder and set(to_responder) <= set(dynamo), f"only DynamoDB throttle alarms publish to the responder's topic ({len(to_responder)})")

    reached = realaccount.foreign_reach(cfn, params, base["AppName"], base["Environment"])
    check(not reached, "no role reaches a table of another stack under the prefix (rh-dev-prod-orders: app rh-dev, made while AppName could "
          "hold a hyphen) or its backups, as IAM evaluates the roles (a Deny wins)" + "".join(f"; {r} {a} {arn}" for r, a, arn in reached[:4]))
    rules = realaccount.responder_rules(cfn)
    pattern = realaccount.value(cfn, next(iter(rules.values()))["Properties"]["EventPattern"], params) if len(rules) == 1 else {}
    names = realaccount.at(pattern, ["detail", "$or", "configuration", "metrics", "metricStat", "metric", "name"])
    check(handled and sorted(names) == sorted(handled), f"the responder's EventBridge rule names exactly the {len(handled)} throttling metrics it handles (ThrottleCauses.cs)")
    queries = [q for p in alarms.values() for q in realaccount.queries_of(p)]
    wildcards = realaccount.at(pattern, ["detail", "$or", "configuration", "metrics", "expression"])
    unmatched = [q for q in queries if not any(realaccount.wildcard(w["wildcard"], q) for w in wildcards)]
    check(queries and not unmatched, f"the rule's wildcards take the query of each of the {len(queries)} throttle alarms" + (f": not {unmatched[0]}" if unmatched else ""))
    samples = {}
    for name in sorted(os.listdir(os.path.join(ROOT, "events"))):
        if name.startswith("alarm-eventbridge-"):
            samples[name] = json.loads(open(os.path.join(ROOT, "events", name), encoding="utf-8").read().replace("maip-dev-", "rh-dev-"))
    for name, event in samples.items():
        check(realaccount.matches(pattern, event), f"the rule takes events/{name}")
    sample = samples.get("alarm-eventbridge-write-throttle.json")
    query_sample = samples.get("alarm-eventbridge-index-write-throttle.json")
    for namespace, metric, what in (("AWS/Lambda", "Errors", "a Lambda errors alarm"), ("AWS/SQS", "ApproximateNumberOfMessagesVisible", "a failure queue alarm"),
                                    ("AWS/Lambda", "IteratorAge", "an iterator age alarm"), ("AWS/DynamoDB", "ConsumedWriteCapacityUnits", "a DynamoDB alarm on no throttling")):
        check(sample is not None and not realaccount.matches(pattern, realaccount.alarm_event(sample, namespace, metric)), f"the rule leaves {what} of the environment alone")
        on_query = realaccount.query_alarm_event(query_sample, f"SELECT SUM({metric}) FROM \"{namespace}\" WHERE TableName = 'rh-dev-orders'") if query_sample else None
        check(on_query is not None and not realaccount.matches(pattern, on_query), f"the rule leaves {what} on a Metrics Insights query alone")

    problems_of_dashboard, _, counts = dashboard.check(cfn, params, ROOT)
    unshown = [p for p in problems_of_dashboard if p.startswith("not shown")]
    unknown = [p for p in problems_of_dashboard if not p.startswith("not shown")]
    check(counts and not unknown, f"the dashboard: its body is JSON once Fn::Sub is applied, and each of its {counts.get('metrics')} metrics is one the suite "
          f"emits ({counts.get('suite')}: its namespace, the dimensions service and environment, a name the service's *Metrics.cs declares) or AWS "
          f"publishes for a function, queue or table of the stack" + "".join(f"; {p}" for p in unknown[:6]))
    check(counts and not unshown, f"the dashboard shows the stream consumers (records audited, counted and failed, events written, iterator age), "
          f"the errors of the {counts.get('functions')} functions, the {counts.get('queues')} failure queues, backups created, failed and pruned, "
          f"PITR's non-compliant tables and findings, throttle events by cause of the {counts.get('tables')} business tables, switches made and "
          f"refused" + "".join(f"; {p}" for p in unshown))

    streams = ["ProductsStreamArn", "CustomersStreamArn", "ApplicationsStreamArn", "PricingRulesStreamArn", "QuotesStreamArn", "OrdersStreamArn"]
    existing = dict(base, ManageTables="false", **{p: f"arn:aws:dynamodb:us-east-1:123456789012:table/x/stream/{p}" for p in streams})
    for label, given in (("ManageTables=true", params), ("ManageTables=false", existing)):
        _, transformed = package_and_transform(None, "rehearsal-artifacts", None, given)
        readers = realaccount.stream_readers(transformed, given)
        crowded = realaccount.crowded_streams(transformed, given)
        check(len(readers) == 6 and not crowded, f"{label}: no stream has more than {realaccount.STREAM_READERS} readers (event source mappings; "
              f"DynamoDB Streams throttles a third reader of a shard): {max(map(len, readers.values()), default=0)} at most, on {len(readers)} streams"
              + "".join(f"; {stream} has {len(l)}: {', '.join(l)}" for stream, l in crowded.items()))
    third = copy.deepcopy(cfn)  # the check itself: a third consumer of the orders stream is refused
    orders = next(logical for logical, res in third["Resources"].items() if res["Type"] == "AWS::Lambda::EventSourceMapping"
                  and "OrdersTable" in json.dumps(res["Properties"].get("EventSourceArn")))
    third["Resources"]["ThirdReaderOfOrders"] = copy.deepcopy(third["Resources"][orders])
    check(list(realaccount.crowded_streams(third, params)) == ["<OrdersTable.StreamArn>"], "a template giving the orders stream a third reader is refused by the check above")
    for missing in streams:
        failed = realaccount.failed_assertions(cfn, dict(existing, **{missing: ""}))
        check(len(failed) == 1 and missing in failed[0], f"Rules: ManageTables=false with an empty {missing} is refused, naming it")
    check(not realaccount.failed_assertions(cfn, existing) and not realaccount.failed_assertions(cfn, base),
          "Rules: ManageTables=false with every stream ARN, or ManageTables=true, deploys")
    if c is not None:
        probe = {"Rules": {"Never": {"Assertions": [{"Assert": {"Fn::Equals": ["a", "b"]}, "AssertDescription": "never"}]}},
                 "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}}
        c["cloudformation"].create_stack(StackName="rules-probe", TemplateBody=json.dumps(probe))
        ignored = wait(c["cloudformation"], "rules-probe") == "CREATE_COMPLETE"
        c["cloudformation"].delete_stack(StackName="rules-probe")
        print(f"  note moto's CloudFormation {'ignores Rules (a stack whose rule fails was created)' if ignored else 'refused a failing rule'}: the Rules are evaluated here")


def for_moto(cfn, params):
    """Two gaps of moto 5.2.1 around AWS::KMS::Key, bridged here while the template stays right: it
    reads Tags as the KMS API names them (TagKey, TagValue; CloudFormation's are Key, Value) and
    fails the stack otherwise, and it keeps a KeyPolicy object as is where its KMS expects the JSON
    text (every later call on the key fails)."""
    cfn = copy.deepcopy(cfn)
    for res in cfn["Resources"].values():
        if res["Type"] == "AWS::KMS::Key":
            res["Properties"]["Tags"] = [{"TagKey": t["Key"], "TagValue": t["Value"]} for t in res["Properties"].get("Tags", [])]
            res["Properties"]["KeyPolicy"] = json.dumps(realaccount.value(cfn, res["Properties"]["KeyPolicy"], params))
    return cfn


def deploy(c, stack, cfn, params, action="create"):
    call = c["cloudformation"].create_stack if action == "create" else c["cloudformation"].update_stack
    call(StackName=stack, TemplateBody=json.dumps(for_moto(cfn, params)), Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in params.items()],
         Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"])
    status = wait(c["cloudformation"], stack)
    check(status == ("CREATE_COMPLETE" if action == "create" else "UPDATE_COMPLETE"), f"{stack}: {action} -> {status}")


def tables_of(c, prefix):
    return sorted(n for n in c["dynamodb"].list_tables()["TableNames"] if n.startswith(prefix))


def rehearse(c, packages, params, path):
    stack = f"{params['AppName']}-{params['Environment']}"
    print(f"\n== {path}: {stack} ({' '.join(f'{k}={v}' for k, v in params.items() if not k.endswith('StreamArn'))})")
    _, cfn = package_and_transform(packages, "rehearsal-artifacts", c["s3"], params)
    deploy(c, stack, cfn, params)
    check_stack(c, stack, cfn, params)

    updated = dict(params, AuditRetentionDays="30")
    _, cfn = package_and_transform(packages, "rehearsal-artifacts", c["s3"], updated)
    deploy(c, stack, cfn, updated, "update")
    env = c["lambda"].get_function_configuration(FunctionName=f"{stack}-audit-trail")["Environment"]["Variables"]
    check(str(env.get("AUDIT_RETENTION_DAYS")) == "30", "update: AuditRetentionDays=30 reached the audit function")

    before = tables_of(c, stack + "-")
    c["cloudformation"].delete_stack(StackName=stack)
    status = wait(c["cloudformation"], stack) if any(s["StackName"] == stack and s["StackStatus"] != "DELETE_COMPLETE"
                                                      for s in c["cloudformation"].list_stacks()["StackSummaries"]) else "DELETE_COMPLETE"
    check(status == "DELETE_COMPLETE", f"{stack}: delete -> {status}")
    functions = [f["FunctionName"] for f in c["lambda"].list_functions()["Functions"] if f["FunctionName"].startswith(stack + "-")]
    check(not functions, "delete: the functions are gone")
    return before, tables_of(c, stack + "-")


def main():
    global TEMPLATE
    ap = argparse.ArgumentParser()
    ap.add_argument("--packages", help="DIR/<LogicalId>/ as `make build-<LogicalId> ARTIFACTS_DIR=DIR/<LogicalId>` makes them")
    ap.add_argument("--template", default=TEMPLATE, help="the template to rehearse (default: the repository's)")
    ap.add_argument("--template-only", action="store_true", help="only the real-account checks of the template: no packages, no moto")
    args = ap.parse_args()
    TEMPLATE = os.path.abspath(args.template)
    if args.template_only:
        template_checks()
        real_account_checks(None)
        print(f"\nrehearsal (template only): {'every check holds' if not problems else f'{len(problems)} check(s) failed'}")
        return 1 if problems else 0
    if not args.packages:
        ap.error("--packages is required (or --template-only)")
    proc, endpoint = start_moto()
    try:
        c = clients(endpoint)
        c["s3"].create_bucket(Bucket="rehearsal-artifacts")
        template_checks()
        package_checks(args.packages)
        real_account_checks(c)

        before, after = rehearse(c, args.packages, {"AppName": "rh", "Environment": "dev"}, "new environment, dev")
        check(len(before) == 8 and after == [], f"dev: the stack made the 8 tables and took them with it ({len(before)} made, {len(after)} left)")

        # prod provisioned: the throttle alarms, their topic and key, the responder's rule deployed
        before, after = rehearse(c, args.packages, {"AppName": "rh", "Environment": "prod", "BillingMode": "PROVISIONED"}, "new environment, prod")
        check(len(before) == 8 and after == before, f"prod: the 8 tables outlive the stack (DeletionPolicy Retain; {len(after)} left)")
        tpl = expansion.expand(TEMPLATE)
        policies = {json.dumps(res.get("DeletionPolicy")) for res in tpl["Resources"].values() if res["Type"] == "AWS::DynamoDB::Table"}
        check(policies == {json.dumps({"Fn::If": ["IsDev", "Delete", "Retain"]})}, "every table: DeletionPolicy Retain outside dev")

        # Existing tables: made as the runbook made them, then the suite attaches to them.
        existing = {"AppName": "ex", "Environment": "staging", "ManageTables": "false"}
        for logical, res in tpl["Resources"].items():
            if res["Type"] != "AWS::DynamoDB::Table":
                continue
            props = Resolver(tpl, existing, c).value(res["Properties"])
            spec = {"StreamEnabled": True, "StreamViewType": props["StreamSpecification"]["StreamViewType"]} if "StreamSpecification" in props else {"StreamEnabled": False}
            d = c["dynamodb"].create_table(TableName=props["TableName"], KeySchema=props["KeySchema"], AttributeDefinitions=props["AttributeDefinitions"],
                                           BillingMode="PAY_PER_REQUEST", StreamSpecification=spec)["TableDescription"]
            if "LatestStreamArn" in d:
                existing[logical.replace("Table", "StreamArn")] = d["LatestStreamArn"]
        before, after = rehearse(c, args.packages, existing, "existing tables")
        check(len(before) == 8 and after == before, "existing tables: none created by the stack, none removed with it")
    finally:
        proc.kill()
    print(f"\nrehearsal: {'every check holds' if not problems else f'{len(problems)} check(s) failed'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
