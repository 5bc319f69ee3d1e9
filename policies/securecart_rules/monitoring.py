"""Monitoring and hygiene: checkout alarms, alarm actions, the alarm topics (SNS), X-Ray, metric filters, log
groups, tags."""

from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_policy import PolicyResource, ResourceValidationArgs, Severity, StackValidationArgs
from pulumi_policy.proxy import UnknownValueError

from securecart_rules._common import (
    as_list,
    attached,
    get,
    num,
    of_type,
    refs,
    tags_of,
    truthy,
)
from securecart_rules._iam import Statement, statements
from securecart_rules.registry import ADVISORY, MANDATORY, Report, StackReport, resource_rule, stack_rule
from securecart_rules.types import (
    API_STAGES,
    AWS_PACKAGE,
    CLOUDWATCH_ALARMS,
    CLOUDWATCH_LOG_GROUP,
    CLOUDWATCH_LOG_METRIC_FILTER,
    CLOUDWATCH_METRIC_ALARM,
    LOAD_BALANCERS,
    SNS_TOPIC,
    SNS_TOPIC_POLICY,
    SNS_TOPIC_SUBSCRIPTION,
    XRAY_ENCRYPTION_CONFIG,
    XRAY_GROUP,
    XRAY_SAMPLING_RULE,
)

LATENCY_METRICS = ("TargetResponseTime", "Latency", "IntegrationLatency", "OriginLatency")
TRAFFIC_METRICS = ("RequestCount", "Count", "Requests", "HTTPCode_ELB_5XX_Count", "HTTPCode_Target_5XX_Count",
                   "5XXError", "5xx", "RequestCountPerTarget", "ProcessedBytes")


def _metric_names(alarm: PolicyResource) -> set[str]:
    names = {str(alarm.props.get("metricName") or "")}
    for q in as_list(alarm.props.get("metricQueries")):
        names.add(str(get(q, "metric", "metricName") or ""))
        names.add(str(get(q, "expression") or ""))
    return names - {""}


def _unknown(props: Mapping[str, Any], key: str) -> bool:
    """Whether a prop is unknown until deployment (a key's or a topic's ARN, in a first preview)."""
    try:
        props.get(key)
    except UnknownValueError:
        return True
    return False


def _count(props: Mapping[str, Any], key: str) -> int | None:
    """How many entries a list prop holds, counted without reading them (an alarm's actions are topic ARNs, unknown
    in a first preview); None while the list itself is unknown."""
    try:
        value = props.get(key)
    except UnknownValueError:
        return None
    if value is None or isinstance(value, str):
        return 1 if value else 0
    return len(value) if isinstance(value, Sequence) else 1


def _actions_enabled(props: Mapping[str, Any]) -> bool:
    return _unknown(props, "actionsEnabled") or props.get("actionsEnabled") is not False


def _has_actions(alarm: PolicyResource) -> bool:
    return _actions_enabled(alarm.props) and _count(alarm.props, "alarmActions") != 0


def _aws_managed(key_id: str) -> bool:
    """An AWS-managed key (alias/aws/sns, alias/aws/xray, or such an alias's ARN): its policy is AWS's, so no
    customer scopes it, and service principals (CloudWatch, EventBridge) cannot be granted its use."""
    return key_id.lower().startswith("alias/aws/") or ":alias/aws/" in key_id.lower()


def _anomaly(alarm: PolicyResource) -> bool:
    return any("ANOMALY_DETECTION_BAND" in name for name in _metric_names(alarm)) or \
        bool(alarm.props.get("thresholdMetricId"))


@stack_rule(
    name="checkout-alarms",
    description="Where customer traffic enters, CloudWatch alarms with actions watch checkout latency and abnormal "
                "traffic.",
    source="seed: CloudWatch alarms for checkout latency spikes and abnormal traffic",
    level=MANDATORY, severity=Severity.HIGH,
)
def checkout_alarms(args: StackValidationArgs, report: StackReport, _: Mapping[str, Any]) -> None:
    resources = list(args.resources)
    fronts = [lb for lb in of_type(resources, *LOAD_BALANCERS) if not truthy(lb.props.get("internal"))]
    fronts += of_type(resources, *API_STAGES)
    if not fronts:
        return  # no customer traffic enters this stack
    alarms = [a for a in of_type(resources, CLOUDWATCH_METRIC_ALARM) if _has_actions(a)]
    latency = [a for a in alarms if _metric_names(a) & set(LATENCY_METRICS) or
               any(m in " ".join(_metric_names(a)) for m in LATENCY_METRICS)]
    traffic = [a for a in alarms if _anomaly(a) or _metric_names(a) & set(TRAFFIC_METRICS)]
    if not latency:
        report("Customer traffic enters this stack but no alarm with actions watches checkout latency "
               "(TargetResponseTime or API Latency).", fronts[0].urn)
    if not traffic:
        report("Customer traffic enters this stack but no alarm with actions watches for abnormal traffic "
               "(an anomaly-detection band on requests, or 5XX counts).", fronts[0].urn)


@resource_rule(
    name="alarm-has-actions",
    description="CloudWatch metric and composite alarms keep their actions enabled and notify on ALARM and on OK "
                "(alarm actions and OK actions).",
    source="cdk-nag CloudWatchAlarmAction; catalogue #85; SecureCart observability (issue 15: every alarm has "
           "actions for ALARM and OK)",
    types=CLOUDWATCH_ALARMS, level=MANDATORY, severity=Severity.MEDIUM,
)
def alarm_has_actions(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    if not _actions_enabled(args.props):
        report("The alarm's actions are disabled (actions_enabled=False): it notifies nobody.")
    missing = [name for prop, name in (("alarmActions", "alarm_actions"), ("okActions", "ok_actions"))
               if _count(args.props, prop) == 0]  # an unknown list is being computed: it names something
    if missing:
        report(f"The alarm sets no {' and no '.join(missing)}: notify the alarm topic on ALARM and on OK, so "
               f"on-call hears of the all-clear too.")


@resource_rule(
    name="sns-topic-encrypted-cmk",
    description="SNS topics are encrypted with a customer-managed KMS key (not unencrypted, not the AWS-managed "
                "alias/aws/sns).",
    source="FSBP SNS.1; cdk-nag AwsSolutions-SNS2 (SNSEncryptedKMS); catalogue #82",
    types=[SNS_TOPIC], level=MANDATORY, severity=Severity.HIGH,
)
def sns_topic_encrypted_cmk(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    if _unknown(args.props, "kmsMasterKeyId"):
        return  # a key's ARN, known once the key exists
    key = str(args.props.get("kmsMasterKeyId") or "")
    if not key:
        report("The topic is not encrypted: set kms_master_key_id to a customer-managed key's ARN.")
    elif _aws_managed(key):
        report(f"The topic is encrypted with the AWS-managed key {key}: CloudWatch and EventBridge cannot publish "
               f"to it and no one can scope its use; set kms_master_key_id to a customer-managed key's ARN.")


ACCOUNT_KEYS = frozenset({"aws:sourceaccount", "aws:sourceowner", "aws:principalaccount"})
SERVICE_ACCOUNT_KEYS = frozenset({"aws:sourceaccount"})
PINNING_OPERATORS = frozenset({"stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike"})
PUBLISH_ACTIONS = frozenset({"sns:publish", "sns:*", "*"})


def _pinned(s: Statement, keys: frozenset[str]) -> bool:
    """A positive string condition (not Not*, IfExists or Null) holds one of the keys to concrete values."""
    for operator, values in s.conditions.items():
        if operator.lower() not in PINNING_OPERATORS:
            continue
        for key, vals in values.items():
            found = [str(v) for v in as_list(vals)]
            if str(key).lower() in keys and found and all(v and "*" not in v and "?" not in v for v in found):
                return True
    return False


def _insecure_transport(s: Statement) -> bool:
    """The statement's condition is Bool (or BoolIfExists) aws:SecureTransport = false."""
    return any(operator.lower() in ("bool", "boolifexists") and str(key).lower() == "aws:securetransport" and
               "false" in [str(v).lower() for v in as_list(vals)]
               for operator, values in s.conditions.items() for key, vals in values.items())


def _denies_insecure_publish(s: Statement) -> bool:
    return s.effect == "deny" and s.public_principal and bool(PUBLISH_ACTIONS & set(s.actions)) and \
        _insecure_transport(s)


def _loose_allows(stmts: list[Statement]) -> list[str]:
    """What each Allow grants too widely: any principal with no account condition, or a service principal with no
    aws:SourceAccount (a confused deputy: another account's alarms or rules could publish)."""
    found = []
    for s in stmts:
        if not s.allows:
            continue
        actions = ", ".join(s.actions) or "actions"
        if s.public_principal and not _pinned(s, ACCOUNT_KEYS):
            found.append(f"allows {actions} to any principal without an aws:SourceAccount, aws:SourceOwner or "
                         f"aws:PrincipalAccount condition")
        services = [p for p in s.principals if p.endswith((".amazonaws.com", ".amazonaws.com.cn"))]
        if services and not _pinned(s, SERVICE_ACCOUNT_KEYS):
            found.append(f"allows {actions} to {', '.join(services)} without an aws:SourceAccount condition (another "
                         f"account's resources could use the service to publish)")
    return found


def _inline_policy(topic: PolicyResource) -> bool:
    try:
        return bool(topic.props.get("policy"))
    except UnknownValueError:
        return True


@stack_rule(
    name="sns-topic-policy-restricted",
    description="Every SNS topic has a topic policy that denies publishing without TLS to everyone, and allows "
                "nothing to any principal without an account condition, nor to a service without "
                "aws:SourceAccount.",
    source="cdk-nag AwsSolutions-SNS3 (SNSTopicSSLPublishOnly); catalogue #82; AWS SNS security best practices "
           "(confused deputy: aws:SourceAccount)",
    level=MANDATORY, severity=Severity.HIGH,
)
def sns_topic_policy_restricted(args: StackValidationArgs, report: StackReport, _: Mapping[str, Any]) -> None:
    resources = list(args.resources)
    topics = of_type(resources, SNS_TOPIC)
    owners = of_type(resources, SNS_TOPIC_POLICY) + [t for t in topics if _inline_policy(t)]
    docs: dict[str, list[Statement] | None] = {}  # None: unknown until deployment
    pending: UnknownValueError | None = None
    for owner in owners:
        try:
            stmts = statements(owner.props.get("policy"))
        except UnknownValueError as exc:  # raised again below, once every known policy has been judged
            pending, docs[owner.urn] = pending or exc, None
            continue
        if stmts is None:
            report("The topic policy is not a policy document.", owner.urn)
        for problem in _loose_allows(stmts or []):
            report(f"The topic policy {problem}.", owner.urn)
        docs[owner.urn] = stmts or []
    policies_of = attached(resources, [SNS_TOPIC_POLICY], "arn")
    for topic in topics:
        mine = [docs[p.urn] for p in policies_of.get(topic.urn, [])] + ([docs[topic.urn]] if topic.urn in docs else [])
        if not mine:
            report("The topic has no topic policy: add an aws.sns.TopicPolicy (arn=topic.arn) that denies sns:* "
                   "without TLS and lets only this account's CloudWatch alarms and EventBridge rules publish.",
                   topic.urn)
        elif all(d is not None for d in mine) and \
                not any(_denies_insecure_publish(s) for d in mine for s in d or []):
            report("No policy of the topic denies publishing without TLS: deny sns:Publish (or sns:*) to "
                   "Principal * when aws:SecureTransport is false.", topic.urn)
    if pending is not None:
        raise pending


SECURE_PROTOCOLS = ("email", "email-json", "https", "sqs", "lambda", "firehose")


@resource_rule(
    name="sns-subscription-secure",
    description="SNS subscriptions deliver over a protocol that keeps the message protected in transit (email, "
                "email-json, https, sqs, lambda, firehose), https ones to an https:// endpoint.",
    source="catalogue gap: AWS SNS security best practices (encryption in transit: HTTPS, not HTTP, endpoints)",
    types=[SNS_TOPIC_SUBSCRIPTION], level=MANDATORY, severity=Severity.MEDIUM,
)
def sns_subscription_secure(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    protocol = str(args.props.get("protocol") or "").lower()
    if protocol not in SECURE_PROTOCOLS:
        hint = ": http sends alarms in plain text, use https" if protocol == "http" else ""
        report(f"The subscription's protocol '{protocol}' is not one of {', '.join(SECURE_PROTOCOLS)}{hint}.")
    elif protocol == "https" and not _unknown(args.props, "endpoint"):
        endpoint = str(args.props.get("endpoint") or "")
        if not endpoint.lower().startswith("https://"):
            report(f"The https subscription's endpoint '{endpoint}' is not an https:// URL.")


@stack_rule(
    name="xray-encrypted-cmk",
    description="A stack that traces with X-Ray (sampling rules or groups) encrypts its traces with a "
                "customer-managed KMS key (an X-Ray encryption config of type KMS); no encryption config is of "
                "type NONE.",
    source="catalogue gap: no FSBP or cdk-nag control; AWS X-Ray data protection (encryption with a "
           "customer-managed KMS key)",
    level=MANDATORY, severity=Severity.MEDIUM,
)
def xray_encrypted_cmk(args: StackValidationArgs, report: StackReport, _: Mapping[str, Any]) -> None:
    resources = list(args.resources)
    configs = of_type(resources, XRAY_ENCRYPTION_CONFIG)
    for config in configs:
        kind = str(config.props.get("type") or "NONE")
        if kind.upper() != "KMS":
            report(f"X-Ray encrypts traces with type '{kind}' (AWS's own encryption): set type='KMS' and key_id to "
                   f"a customer-managed key's ARN.", config.urn)
        elif not _unknown(config.props, "keyId"):
            key = str(config.props.get("keyId") or "")
            if not key or _aws_managed(key):
                report(f"X-Ray encrypts traces with the AWS-managed key {key or 'alias/aws/xray'}: set key_id to a "
                       f"customer-managed key's ARN.", config.urn)
    tracing = of_type(resources, XRAY_SAMPLING_RULE, XRAY_GROUP)
    if tracing and not configs:
        report("This stack traces with X-Ray but sets no X-Ray encryption config: add an aws.xray.EncryptionConfig "
               "with type='KMS' and a customer-managed key_id.", tracing[0].urn)


@resource_rule(
    name="xray-sampling-rule-sane",
    description="X-Ray sampling rules sample a fraction between 0 and 1, at a priority from 1 to 9999, with a "
                "reservoir of at least 0.",
    source="catalogue gap: SecureCart observability (issue 15); X-Ray SamplingRule limits (FixedRate 0-1, Priority "
           "1-9999, ReservoirSize >= 0)",
    types=[XRAY_SAMPLING_RULE], level=ADVISORY, severity=Severity.LOW,
)
def xray_sampling_rule_sane(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    rate = num(args.props.get("fixedRate"))
    priority = num(args.props.get("priority"))
    reservoir = num(args.props.get("reservoirSize"))
    if rate is not None and not 0 <= rate <= 1:
        report(f"fixed_rate {rate:g} is not a fraction between 0 and 1.")
    if priority is not None and not 1 <= priority <= 9999:
        report(f"priority {priority:g} is outside 1..9999.")
    if reservoir is not None and reservoir < 0:
        report(f"reservoir_size {reservoir:g} is negative.")


def _watched(alarm: PolicyResource) -> set[tuple[str, str]]:
    """The (namespace, metric name) pairs a metric alarm watches, directly or through its metric queries."""
    found = {(str(alarm.props.get("namespace") or ""), str(alarm.props.get("metricName") or ""))}
    for q in as_list(alarm.props.get("metricQueries")):
        found.add((str(get(q, "metric", "namespace") or ""), str(get(q, "metric", "metricName") or "")))
    return found


@stack_rule(
    name="metric-filter-has-alarm",
    description="Every log metric filter's metric (namespace and name) is watched by a CloudWatch metric alarm.",
    source="catalogue gap: CIS AWS Foundations Benchmark 4.x (a metric filter and an alarm for each monitored "
           "event)",
    level=ADVISORY, severity=Severity.MEDIUM,
)
def metric_filter_has_alarm(args: StackValidationArgs, report: StackReport, _: Mapping[str, Any]) -> None:
    resources = list(args.resources)
    filters = of_type(resources, CLOUDWATCH_LOG_METRIC_FILTER)
    filter_urns = {f.urn for f in filters}
    watched: set[tuple[str, str]] = set()
    joined: set[str] = set()  # filters an alarm's metric is computed from, while that metric is unknown
    pending: UnknownValueError | None = None
    for alarm in of_type(resources, CLOUDWATCH_METRIC_ALARM):
        try:
            watched |= _watched(alarm)
        except UnknownValueError as exc:  # unless joined to its filter, it may watch any: raised again below
            sources = {d.urn for prop in ("namespace", "metricName", "metricQueries") for d in refs(alarm, prop)}
            joined |= sources & filter_urns
            if not sources & filter_urns:
                pending = pending or exc
    unknown_alarm = pending is not None
    for metric_filter in filters:
        try:
            transformation = metric_filter.props.get("metricTransformation")
            if isinstance(transformation, Sequence):
                transformation = get(transformation, 0)
            metric = (str(get(transformation, "namespace") or ""), str(get(transformation, "name") or ""))
        except UnknownValueError as exc:
            pending = pending or exc
            continue
        if metric in watched or metric_filter.urn in joined or unknown_alarm:
            continue
        report(f"No alarm watches the metric filter's metric {metric[0]}/{metric[1]}: the events it counts alert "
               f"no one; add a MetricAlarm on it.", metric_filter.urn)
    if pending is not None:
        raise pending


MIN_RETENTION = {"minRetentionDays": {"type": "integer", "minimum": 1, "default": 365,
                                     "description": "Fewest days a log group keeps its logs (PCI DSS 10.5.1: a "
                                                    "year)."}}


@resource_rule(
    name="log-group-encrypted-and-retained",
    description="CloudWatch log groups are KMS-encrypted and keep logs at least a year.",
    source="cdk-nag CloudWatchLogGroupEncrypted, CloudWatchLogGroupRetentionPeriod; PCI DSS 10.5.1",
    types=[CLOUDWATCH_LOG_GROUP], level=ADVISORY, severity=Severity.MEDIUM, config=MIN_RETENTION,
)
def log_group_encrypted_and_retained(args: ResourceValidationArgs, report: Report, settings: Mapping[str, Any]) -> None:
    if not _unknown(args.props, "kmsKeyId") and not args.props.get("kmsKeyId"):  # unknown: a key's ARN
        report("The log group is not encrypted with a customer-managed key: set kms_key_id.")
    days = num(args.props.get("retentionInDays"))
    floor = int(settings["minRetentionDays"])
    if days is None or days <= 0:
        report("The log group keeps logs forever: set retention_in_days.")
    elif days < floor:
        report(f"The log group keeps logs {days:.0f} days: audit logs are kept at least {floor} "
               f"(PCI DSS 10.5.1: 12 months).")


REQUIRED_TAGS = {"requiredTags": {"type": "array", "items": {"type": "string"},
                                  "default": ["Project", "Stack", "Environment", "ManagedBy"],
                                  "description": "Tag keys every taggable resource carries (provider default tags "
                                                 "count)."}}


@resource_rule(
    name="required-tags",
    description="Taggable resources carry SecureCart's required tags.",
    source="SecureCart tagging standard",
    types=None, level=ADVISORY, severity=Severity.LOW, config=REQUIRED_TAGS,
)
def required_tags(args: ResourceValidationArgs, report: Report, settings: Mapping[str, Any]) -> None:
    if not args.resource_type.startswith(AWS_PACKAGE):
        return
    provider_props = args.provider.props if args.provider is not None else None
    has_defaults = bool(get(provider_props, "defaultTags"))
    if "tags" not in args.props and not has_defaults:
        return  # not taggable, or tags left entirely to the provider
    tags = tags_of(args.props, provider_props)
    missing = [k for k in settings["requiredTags"] if k not in tags]
    if missing:
        report(f"Missing tag(s) {', '.join(missing)}: set them as provider default tags.")
