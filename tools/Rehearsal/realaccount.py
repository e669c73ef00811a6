"""What a real account enforces and moto does not, checked on the (transformed) template.

moto's CloudFormation models no AWS::CloudWatch::Alarm, evaluates no template Rules and no KMS
key policy, and its EventBridge matcher does not descend into arrays of objects; so these are
read off the template, each rule from AWS's documentation:
- alarm actions can deliver: CloudWatch cannot publish to a topic under alias/aws/sns, only to an
  unencrypted one or one whose customer managed key lets cloudwatch.amazonaws.com use
  kms:Decrypt and kms:GenerateDataKey* (SNS developer guide, "Key management":
  https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services);
- the responder's EventBridge rule, matched as EventBridge matches (a value inside an array matches
  when any element has it: EventBridge user guide, "Arrays in event patterns"; $or, wildcard),
  takes the DynamoDB throttling alarms and nothing else;
- throttle alarms watch DynamoDB's metrics by cause, not the generic ones (DynamoDB developer
  guide, "CloudWatch throttling metrics"), each a Metrics Insights query that takes in the table's
  indexes (an index throttles under TableName plus GlobalSecondaryIndexName only: "DynamoDB Metrics
  and dimensions"), and three environments' query alarms fit the account's quota (CloudWatch, "Limits");
- the template's Rules refuse what cannot deploy (CloudFormation user guide, "Rules");
- no stream has more than two readers (event source mappings), as DynamoDB Streams serves a shard.
"""
import json, os, re

CLOUDWATCH = "cloudwatch.amazonaws.com"
ALARM_ACTIONS = ("AlarmActions", "OKActions", "InsufficientDataActions")


class Ref:
    """A Ref or GetAtt of a resource of the template: known only once deployed."""

    def __init__(self, logical, attribute=None):
        self.logical, self.attribute = logical, attribute

    def __repr__(self):
        return f"<{self.logical}{'.' + self.attribute if self.attribute else ''}>"


def evaluate(tpl, expr, params):
    """A condition or rule function: Equals, Not, And, Or, Contains, Condition, over Ref values."""
    (fn, args), = expr.items()
    if fn == "Fn::Equals":
        return value(tpl, args[0], params) == value(tpl, args[1], params)
    if fn == "Fn::Not":
        return not evaluate(tpl, args[0], params)
    if fn == "Fn::And":
        return all(evaluate(tpl, a, params) for a in args)
    if fn == "Fn::Or":
        return any(evaluate(tpl, a, params) for a in args)
    if fn == "Fn::Contains":
        return value(tpl, args[1], params) in value(tpl, args[0], params)
    if fn == "Condition":
        return holds(tpl, args, params)
    raise ValueError(f"cannot evaluate {fn} here")


def holds(tpl, name, params):
    return evaluate(tpl, tpl["Conditions"][name], params)


def present(tpl, logical, params):
    cond = tpl["Resources"][logical].get("Condition")
    return cond is None or holds(tpl, cond, params)


PSEUDO = {"AWS::Region": "us-east-1", "AWS::AccountId": "123456789012", "AWS::Partition": "aws", "AWS::NoValue": None}


def value(tpl, v, params):
    """Parameters, pseudo parameters, If, Sub and Join resolved; resources kept as Ref."""
    def param(name):
        if name in PSEUDO:
            return PSEUDO[name]
        if name in tpl.get("Parameters", {}):
            return params.get(name, tpl["Parameters"][name].get("Default"))
        return Ref(name)
    if isinstance(v, dict) and len(v) == 1:
        (fn, a), = v.items()
        if fn == "Ref":
            return param(a)
        if fn == "Fn::GetAtt":
            logical, attribute = a if isinstance(a, list) else a.split(".", 1)
            return Ref(logical, attribute)
        if fn == "Fn::If":
            return value(tpl, a[1] if holds(tpl, a[0], params) else a[2], params)
        if fn == "Fn::Sub":
            text, extra = (a, {}) if isinstance(a, str) else (a[0], {k: value(tpl, x, params) for k, x in a[1].items()})
            return re.sub(r"\$\{([^}!]+)\}", lambda m: str(extra[m.group(1)] if m.group(1) in extra else param(m.group(1))), text)
        if fn == "Fn::Join":
            return a[0].join(str(value(tpl, x, params)) for x in a[1])
    if isinstance(v, list):
        return [x for x in (value(tpl, x, params) for x in v) if x is not None]
    if isinstance(v, dict):
        return {k: value(tpl, x, params) for k, x in v.items()}
    return v


def as_list(v):
    return v if isinstance(v, list) else [] if v is None else [v]


def grants(statement, service, action):
    """An Allow of the action to the service principal, without conditions it might not meet."""
    if statement.get("Effect") != "Allow" or "Condition" in statement:
        return False
    principal = statement.get("Principal", {})
    if service not in as_list(principal.get("Service") if isinstance(principal, dict) else None):
        return False
    return any(p == action or (p.endswith("*") and action.startswith(p[:-1])) for p in as_list(statement.get("Action")))


def key_lets_cloudwatch_publish(policy):
    statements = as_list(policy.get("Statement"))
    return all(any(grants(s, CLOUDWATCH, a) for s in statements) for a in ("kms:Decrypt", "kms:GenerateDataKey*"))


def undeliverable(tpl, params):
    """(problems, checked): every alarm action on a topic of the template, and why it cannot deliver."""
    problems, checked = [], 0
    for logical, res in tpl["Resources"].items():
        if res["Type"] != "AWS::CloudWatch::Alarm" or not present(tpl, logical, params):
            continue
        for field in ALARM_ACTIONS:
            for target in as_list(value(tpl, res["Properties"].get(field), params)):
                if not isinstance(target, Ref) or tpl["Resources"].get(target.logical, {}).get("Type") != "AWS::SNS::Topic":
                    continue  # a topic given in AlarmTopicArn is the user's: README says what its key must allow
                checked += 1
                why = topic_problem(tpl, target.logical, params)
                if why:
                    problems.append(f"{logical}.{field} -> {target.logical}: {why}")
    return problems, checked


def topic_problem(tpl, topic, params):
    key = value(tpl, tpl["Resources"][topic]["Properties"].get("KmsMasterKeyId"), params)
    if key is None:
        return None
    if not isinstance(key, Ref) or tpl["Resources"].get(key.logical, {}).get("Type") != "AWS::KMS::Key":
        return f"encrypted with {key}, whose policy cannot let {CLOUDWATCH} use it"
    props = value(tpl, tpl["Resources"][key.logical]["Properties"], params)
    if str(props.get("EnableKeyRotation")).lower() != "true":
        return f"key {key.logical} is not rotated"
    if not key_lets_cloudwatch_publish(props.get("KeyPolicy", {})):
        return f"the policy of key {key.logical} does not let {CLOUDWATCH} use kms:Decrypt and kms:GenerateDataKey*"
    return None


# The template's throttle alarms' Metrics Insights query: one metric, FROM the namespace (no SCHEMA,
# so an index's series, TableName plus GlobalSecondaryIndexName, count too), pinning TableName alone
# (CloudWatch user guide, "Metrics Insights query components and syntax").
QUERY = re.compile(r"""^SELECT (SUM)\((\w+)\) FROM "([^"]+)" WHERE TableName = '([^'\\]+)'$""")

# CloudWatch allows 200 alarms on a Metrics Insights query per account and region by default
# ("Limits": https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-limits.html):
# three environments of the suite must fit in one account.
QUERY_ALARMS_PER_ACCOUNT, ENVIRONMENTS = 200, 3


def query_of(expression):
    """A Metrics Insights query in the template's form as the metric it sums, or None."""
    m = QUERY.match(expression or "")
    return m and {"Namespace": m.group(3), "MetricName": m.group(2), "Dimensions": [{"Name": "TableName", "Value": m.group(4)}], "Query": True}


def queries_of(alarm):
    """The Metrics Insights queries (SELECT ...) an alarm's properties hold, in any form."""
    return [q["Expression"] for q in alarm.get("Metrics", []) if str(q.get("Expression", "")).lstrip().upper().startswith("SELECT")]


def metrics_of(alarm):
    """The metrics an alarm's properties watch: its MetricName, each MetricStat of its metric math,
    or each Metrics Insights query in the template's form."""
    if alarm.get("MetricName"):
        return [alarm]
    return [q["MetricStat"]["Metric"] for q in alarm.get("Metrics", []) if "MetricStat" in q] + \
        [m for m in map(query_of, queries_of(alarm)) if m]


def responder_metrics(root):
    """The throttling metrics ThrottleResponderFunction handles, with their cause (its ThrottleCauses.OfMetric)."""
    path = os.path.join(root, "functions", "ThrottleResponder", "ThrottleCauses.cs")
    if not os.path.exists(path):
        return {}
    return dict(re.findall(r'\["(\w+)"\] = (\w+),', open(path, encoding="utf-8").read()))


def at(node, keys):
    """Every value at a path, descending into arrays as EventBridge does."""
    if isinstance(node, list):
        return [x for n in node for x in at(n, keys)]
    if not keys:
        return [node]
    return at(node[keys[0]], keys[1:]) if isinstance(node, dict) and keys[0] in node else []


def wildcard(pattern, value):
    """EventBridge's wildcard filter: * stands for any characters, the rest as written."""
    return isinstance(value, str) and re.fullmatch(".*".join(map(re.escape, pattern.split("*"))), value, re.S) is not None


def matches(pattern, event, path=()):
    """EventBridge's matching of an event pattern: exact values, prefix and wildcard filters, fields
    ANDed, values ORed, $or ORing sub-patterns ("Comparison operators for use in event patterns":
    https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html)."""
    for key, want in pattern.items():
        if key == "$or":
            if not any(matches(sub, event, path) for sub in want):
                return False
            continue
        if isinstance(want, dict):
            if not matches(want, event, path + (key,)):
                return False
            continue
        found = at(event, list(path + (key,)))
        def ok(f, x):
            if isinstance(f, dict):
                (op, arg), = f.items()
                if op == "prefix":
                    return isinstance(x, str) and x.startswith(arg)
                if op == "wildcard":
                    return wildcard(arg, x)
                raise ValueError(f"filter {op} not evaluated here")
            return f == x
        if not any(ok(f, x) for f in want for x in found):
            return False
    return True


def responder_rules(tpl):
    return {logical: res for logical, res in tpl["Resources"].items() if res["Type"] == "AWS::Events::Rule"
            and any(isinstance(t.get("Arn"), dict) and t["Arn"].get("Fn::GetAtt", [None])[0] == "ThrottleResponderFunction"
                    for t in res["Properties"].get("Targets", []))}


def query_alarm_event(sample, expression):
    """A sample EventBridge alarm event on a Metrics Insights query, its query changed."""
    event = json.loads(json.dumps(sample))
    next(m for m in event["detail"]["configuration"]["metrics"] if "expression" in m)["expression"] = expression
    return event


def alarm_event(sample, namespace=None, name=None):
    """A sample EventBridge alarm event, its (first) metric changed."""
    event = json.loads(json.dumps(sample))
    metric = next(m for m in event["detail"]["configuration"]["metrics"] if "metricStat" in m)["metricStat"]["metric"]
    if namespace:
        metric["namespace"] = namespace
    if name:
        metric["name"] = name
    return event


# DynamoDB Streams: more than 2 processes reading from one shard at once may be throttled
# (DynamoDB API reference, LimitExceededException of DynamoDB Streams:
# https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_LimitExceededException.html;
# developer guide, "Quotas in Amazon DynamoDB", DynamoDB Streams:
# https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html);
# each event source mapping on a stream is one reader of every shard.
STREAM_READERS = 2


def stream_readers(tpl, params):
    """Each stream's event source mappings in the (transformed) template: {stream: [logical, ...]}."""
    readers = {}
    for logical, res in tpl["Resources"].items():
        if res["Type"] != "AWS::Lambda::EventSourceMapping" or not present(tpl, logical, params):
            continue
        arn = value(tpl, res["Properties"].get("EventSourceArn"), params)
        if isinstance(arn, Ref) and arn.attribute == "StreamArn" or isinstance(arn, str) and "/stream/" in arn:
            readers.setdefault(repr(arn) if isinstance(arn, Ref) else arn, []).append(logical)
    return readers


def crowded_streams(tpl, params):
    """The streams with more readers than DynamoDB Streams serves without throttling."""
    return {stream: logicals for stream, logicals in stream_readers(tpl, params).items() if len(logicals) > STREAM_READERS}


def reaches(statements, action, arn):
    """IAM's answer for one action on one resource: an explicit Deny wins, then any Allow (IAM user
    guide, "Policy evaluation logic": https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html)."""
    def matching(st):
        return any(wildcard(a, action) for a in as_list(st.get("Action"))) and \
            any(isinstance(r, str) and wildcard(r, arn) for r in as_list(st.get("Resource")))
    return not any(st.get("Effect") == "Deny" and matching(st) for st in statements) and \
        any(st.get("Effect") == "Allow" and matching(st) for st in statements)


def foreign_reach(tpl, params, app, env):
    """(role, action, ARN) of every table action a role of the stack may take on a table under its
    prefix that is another stack's ({app}-{env}-prod-orders: app {app}-{env}, env prod), or its backups."""
    tables = [f"{app}-{env}-prod-orders", f"{app}-{env}-dev-orders", f"{app}-{env}-x-staging-quotes"]
    arns = [f"arn:aws:dynamodb:us-east-1:123456789012:table/{t}{rest}" for t in tables for rest in ("", "/backup/01693526400000-a1b2c3d4")]
    found = []
    for logical, res in tpl["Resources"].items():
        if res["Type"] != "AWS::IAM::Role" or not present(tpl, logical, params):
            continue
        statements = [st for p in value(tpl, res["Properties"], params).get("Policies", []) for st in as_list(p["PolicyDocument"].get("Statement"))]
        actions = {a for st in statements if "*" not in as_list(st.get("Resource")) for a in as_list(st.get("Action"))
                   if a.startswith("dynamodb:") and a != "dynamodb:*"}
        found += [(logical, a, arn) for a in sorted(actions) for arn in arns if reaches(statements, a, arn)]
    return found


def failed_assertions(tpl, params):
    """The AssertDescription of each Rules assertion that fails with these parameters."""
    failed = []
    for name, rule in tpl.get("Rules", {}).items():
        if "RuleCondition" in rule and not evaluate(tpl, rule["RuleCondition"], params):
            continue
        failed += [a.get("AssertDescription", f"{name}: an assertion") for a in rule["Assertions"] if not evaluate(tpl, a["Assert"], params)]
    return failed
