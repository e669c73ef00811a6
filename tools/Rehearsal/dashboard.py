"""The environment's dashboard, checked on the transformed template: every metric it graphs is one
the suite emits or AWS publishes for the stack's own functions, queues and tables, and it shows
what operators ask of it.

The suite's metrics are CloudWatch Embedded Metric Format records: namespace METRICS_NAMESPACE,
dimensions service (SERVICE_NAME) and environment (ENVIRONMENT), the names each function declares
in functions/<Function>/*Metrics.cs (an integration test checks its records carry exactly those).
AWS's, with the dimensions it publishes them under:
- AWS/Lambda by FunctionName (Lambda developer guide, "Types of metrics for Lambda functions");
- AWS/SQS by QueueName (SQS developer guide, "Available CloudWatch metrics for Amazon SQS");
- AWS/DynamoDB throttling by cause, by TableName and, for an index, GlobalSecondaryIndexName;
  ThrottledRequests by TableName and Operation (DynamoDB developer guide, "CloudWatch throttling
  metrics"): the names the throttle responder handles (ThrottleCauses.cs).
"""
import glob, json, os, re

import realaccount

AWS = {
    "AWS/Lambda": ({"Errors", "Throttles", "IteratorAge", "Invocations", "Duration"}, "FunctionName"),
    "AWS/SQS": ({"ApproximateNumberOfMessagesVisible", "ApproximateAgeOfOldestMessage"}, "QueueName"),
}

# What issue 15 asks the dashboard to answer, by service: the README's Dashboard section says which widget does.
ASKED = {
    "audit-trail": {"RecordsAudited", "RecordsFailed"},
    "merchant-analytics": {"RecordsCounted", "RecordsFailed", "EventsWritten"},
    "nightly-backup": {"BackupsKept", "DuplicateBackupsDeleted", "BackupsFailed", "BackupsPruned"},
    "pitr-guard": {"PitrNonCompliant", "ReadinessFindings"},
    "throttle-responder": {"TablesSwitched", "SwitchesRefused", "HotPartitionThrottles", "OnDemandMaximumThrottles", "AccountLimitThrottles"},
}


def declared_metrics(root):
    """Each function folder's declared EMF metric names: {folder: {name, ...}} from its *Metrics.cs constants."""
    found = {}
    for path in glob.glob(os.path.join(root, "functions", "*", "*Metrics.cs")):
        names = re.findall(r'public const string \w+ = "(\w+)";', open(path, encoding="utf-8").read())
        found.setdefault(os.path.basename(os.path.dirname(path)), set()).update(names)
    return found


def functions_of(cfn, params):
    """The transformed template's functions: {logical: (FunctionName, variables, code folder)}."""
    found = {}
    for logical, res in cfn["Resources"].items():
        if res["Type"] == "AWS::Lambda::Function":
            props = realaccount.value(cfn, res["Properties"], params)
            found[logical] = (props["FunctionName"], props.get("Environment", {}).get("Variables", {}), props["Handler"].split("::")[0])
    return found


def metrics_of(body):
    """Each metric of each metric widget: (title, namespace, name, {dimension: value}); a problem for what is not one."""
    metrics, problems = [], []
    for widget in body.get("widgets", []):
        props = widget.get("properties", {})
        if widget.get("type") != "metric":
            continue
        if not props.get("region"):
            problems.append(f"widget '{props.get('title')}' has no region")
        for entry in props.get("metrics", []):
            names = [x for x in entry if isinstance(x, str)]
            # "." (the previous metric's value) and metric math are not used: each metric says what it is.
            if len(names) < 2 or len(names) % 2 or "." in names or any(isinstance(x, dict) and "expression" in x for x in entry):
                problems.append(f"widget '{props.get('title')}': {entry} is not [Namespace, MetricName, Dimension, Value, ...]")
                continue
            metrics.append((props.get("title"), names[0], names[1], dict(zip(names[2::2], names[3::2]))))
    return metrics, problems


def check(cfn, params, root):
    """(problems, body, counts) for the template's one dashboard, its body resolved with these parameters."""
    dashboards = {logical: res for logical, res in cfn["Resources"].items() if res["Type"] == "AWS::CloudWatch::Dashboard"}
    if len(dashboards) != 1:
        return [f"{len(dashboards)} dashboards in the template, not one"], None, {}
    props = realaccount.value(cfn, next(iter(dashboards.values()))["Properties"], params)
    problems = []
    if props.get("DashboardName") != f"{params['AppName']}-{params['Environment']}-dynamodb-ops":
        problems.append(f"named {props.get('DashboardName')}, not {{AppName}}-{{Environment}}-dynamodb-ops")
    try:
        body = json.loads(props["DashboardBody"])
    except json.JSONDecodeError as e:
        return problems + [f"the body is not JSON once Fn::Sub is applied: {e}"], None, {}
    metrics, problems_of_entries = metrics_of(body)
    problems += problems_of_entries

    functions = functions_of(cfn, params)
    declared = declared_metrics(root)
    services = {v.get("SERVICE_NAME"): declared.get(folder, set()) for _, v, folder in functions.values()}
    suite = {v.get("METRICS_NAMESPACE") for _, v, _ in functions.values()}
    environment = {v.get("ENVIRONMENT") for _, v, _ in functions.values()}
    queues = {realaccount.value(cfn, r["Properties"]["QueueName"], params) for r in cfn["Resources"].values() if r["Type"] == "AWS::SQS::Queue"}
    tables = {realaccount.value(cfn, r["Properties"]["TableName"], params) for r in cfn["Resources"].values() if r["Type"] == "AWS::DynamoDB::Table"}
    throttling = realaccount.responder_metrics(root)
    if len(suite) != 1 or len(environment) != 1:
        return problems + [f"the functions disagree on METRICS_NAMESPACE {suite} or ENVIRONMENT {environment}"], body, {}
    suite, environment = suite.pop(), environment.pop()

    shown = {}
    for title, namespace, name, dims in metrics:
        where = f"'{title}': {namespace} {name} {dims}"
        if namespace == suite:
            service = dims.get("service")
            if set(dims) != {"service", "environment"} or dims["environment"] != environment:
                problems.append(f"{where}: the suite's metrics have the dimensions service and environment={environment}")
            elif service not in services:
                problems.append(f"{where}: no function of the template has SERVICE_NAME {service}")
            elif name not in services[service]:
                problems.append(f"{where}: {service} declares no such metric (its *Metrics.cs: {', '.join(sorted(services[service]))})")
        elif namespace in AWS:
            names, dimension = AWS[namespace]
            values = {f[0] for f in functions.values()} if dimension == "FunctionName" else queues
            if name not in names or set(dims) != {dimension} or dims[dimension] not in values:
                problems.append(f"{where}: not a metric AWS publishes for a {dimension} of the stack")
        elif namespace == "AWS/DynamoDB":
            allowed = [{"TableName", "Operation"}] if name == "ThrottledRequests" else [{"TableName"}, {"TableName", "GlobalSecondaryIndexName"}]
            if name not in throttling or set(dims) not in allowed or dims.get("TableName") not in tables:
                problems.append(f"{where}: not a DynamoDB throttling metric of a table of the stack")
        else:
            problems.append(f"{where}: a namespace neither the suite's ({suite}) nor AWS's for the stack")
        shown.setdefault(namespace, set()).add((name, tuple(sorted(dims.items()))))

    def missing(namespace, name, **dims):
        return (name, tuple(sorted(dims.items()))) not in shown.get(namespace, set())

    consumers = [f[0] for logical, f in functions.items() if any(r["Type"] == "AWS::Lambda::EventSourceMapping" and r["Properties"]["FunctionName"] == {"Ref": logical}
                                                                 for r in cfn["Resources"].values())]
    streamed = [t for logical, r in cfn["Resources"].items() if r["Type"] == "AWS::DynamoDB::Table" and "StreamSpecification" in r["Properties"]
                for t in [realaccount.value(cfn, r["Properties"]["TableName"], params)]]
    asked = [f"{service} {name}" for service, names in ASKED.items() for name in sorted(names) if missing(suite, name, service=service, environment=environment)]
    asked += [f"Errors of {f}" for f, _, _ in functions.values() if missing("AWS/Lambda", "Errors", FunctionName=f)]
    asked += [f"IteratorAge of {f}" for f in consumers if missing("AWS/Lambda", "IteratorAge", FunctionName=f)]
    asked += [f"the depth of {q}" for q in sorted(queues) if missing("AWS/SQS", "ApproximateNumberOfMessagesVisible", QueueName=q)]
    asked += [f"{name} of {t}" for t in streamed for name, cause in sorted(throttling.items()) if cause != "Unattributed" and missing("AWS/DynamoDB", name, TableName=t)]
    if asked:
        problems.append("not shown: " + ", ".join(asked))
    counts = {"widgets": len(body.get("widgets", [])), "metrics": len(metrics), "suite": sum(1 for m in metrics if m[1] == suite),
              "tables": len(streamed), "consumers": len(consumers), "functions": len(functions), "queues": len(queues)}
    return problems, body, counts
