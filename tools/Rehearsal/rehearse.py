#!/usr/bin/env python3
"""Deploy rehearsal on moto: package, SAM-transform, create/update/delete the stack, check it.

usage: python3 tools/Rehearsal/rehearse.py --packages DIR   (DIR/<LogicalId>/ as `make build-<LogicalId>` makes them)

Runs both paths of README's deploy section against a moto_server of its own: a new environment
(ManageTables=true) and one whose tables exist already (ManageTables=false, stream ARNs given).
The template is transformed with aws-sam-translator (what `sam deploy` asks CloudFormation to
do); AWS::LanguageExtensions' part (a condition in DeletionPolicy) is resolved here first, as
that transform would. What moto does not model is listed as checked in the template only.
Exit 0 when every check holds.
"""
import argparse, copy, io, json, os, socket, subprocess, sys, time, zipfile

import boto3
from cfnlint.decode import decode
from samtranslator.translator.transform import transform

REGION = "us-east-1"
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
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
    return {n: boto3.client(n, **kw) for n in ["s3", "cloudformation", "dynamodb", "lambda", "iam", "sqs", "sns", "logs", "events"]}


def plain(node):
    """cfn-lint's decoded nodes as plain dicts and lists."""
    return json.loads(json.dumps(node))


def condition(tpl, name, params):
    def ev(expr):
        if isinstance(expr, dict):
            (fn, args), = expr.items()
            if fn == "Fn::Equals":
                return value(args[0]) == value(args[1])
            if fn == "Fn::Not":
                return not ev(args[0])
            if fn == "Fn::And":
                return all(ev(a) for a in args)
            if fn == "Fn::Or":
                return any(ev(a) for a in args)
            if fn == "Condition":
                return ev(tpl["Conditions"][args])
        raise ValueError(expr)

    def value(v):
        if isinstance(v, dict) and "Ref" in v:
            return params.get(v["Ref"], tpl["Parameters"][v["Ref"]].get("Default"))
        return v
    return ev(tpl["Conditions"][name])


def package_and_transform(packages, bucket, s3, params):
    tpl = plain(decode(os.path.join(ROOT, "template.yaml"))[0])
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


def present(cfn, params, logical):
    cond = cfn["Resources"][logical].get("Condition")
    return cond is None or condition(cfn, cond, params)


def check_stack(c, stack, cfn, params):
    """The created resources against the transformed template."""
    r = Resolver(cfn, params, c)
    resources = {x["LogicalResourceId"]: x for x in c["cloudformation"].list_stack_resources(StackName=stack)["StackResourceSummaries"]}
    template_only = {}
    for logical, res in cfn["Resources"].items():
        if not present(cfn, params, logical):
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
        elif logical in resources and resources[logical]["ResourceType"] == t:
            check(resources[logical]["ResourceStatus"].endswith("COMPLETE"), f"{logical}: {t}")
        else:
            template_only[t] = template_only.get(t, 0) + 1
    # Event source mappings take tags too, but SAM's DynamoDB event has no Tags and PropagateTags
    # does not reach them (aws-sam-translator 1.110): the one known gap, said here.
    tag_types = {"AWS::DynamoDB::Table", "AWS::Lambda::Function", "AWS::IAM::Role",
                 "AWS::SQS::Queue", "AWS::SNS::Topic", "AWS::Logs::LogGroup", "AWS::CloudWatch::Alarm"}
    untagged = [logical for logical, res in cfn["Resources"].items() if res["Type"] in tag_types and present(cfn, params, logical)
                and not {"app", "environment"} <= {t["Key"] for t in res.get("Properties", {}).get("Tags", [])}]
    check(not untagged, f"tags app and environment on every resource that takes them, event source mappings aside{': missing on ' + ', '.join(untagged) if untagged else ''}")
    outputs = {o["OutputKey"] for o in c["cloudformation"].describe_stacks(StackName=stack)["Stacks"][0].get("Outputs", [])}
    check(outputs == set(cfn["Outputs"]), f"outputs: {len(cfn['Outputs'])} (tables, streams, queues, topic, functions)")
    print("  checked in the template only (moto does not model them): " +
          ", ".join(f"{k} x{v}" for k, v in sorted(template_only.items())))


def deploy(c, stack, cfn, params, action="create"):
    call = c["cloudformation"].create_stack if action == "create" else c["cloudformation"].update_stack
    call(StackName=stack, TemplateBody=json.dumps(cfn), Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in params.items()],
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
    ap = argparse.ArgumentParser()
    ap.add_argument("--packages", required=True)
    args = ap.parse_args()
    proc, endpoint = start_moto()
    try:
        c = clients(endpoint)
        c["s3"].create_bucket(Bucket="rehearsal-artifacts")

        before, after = rehearse(c, args.packages, {"AppName": "rh", "Environment": "dev"}, "new environment, dev")
        check(len(before) == 8 and after == [], f"dev: the stack made the 8 tables and took them with it ({len(before)} made, {len(after)} left)")

        before, after = rehearse(c, args.packages, {"AppName": "rh", "Environment": "prod"}, "new environment, prod")
        check(len(before) == 8 and after == before, f"prod: the 8 tables outlive the stack (DeletionPolicy Retain; {len(after)} left)")
        tpl = plain(decode(os.path.join(ROOT, "template.yaml"))[0])
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
