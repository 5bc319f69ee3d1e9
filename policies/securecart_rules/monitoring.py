"""Monitoring and hygiene: checkout alarms, alarm actions, log groups, tags."""

from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_policy import PolicyResource, ResourceValidationArgs, Severity, StackValidationArgs
from pulumi_policy.proxy import UnknownValueError

from securecart_rules._common import (
    as_list,
    get,
    num,
    of_type,
    tags_of,
    truthy,
)
from securecart_rules.registry import ADVISORY, MANDATORY, Report, StackReport, resource_rule, stack_rule
from securecart_rules.types import (
    API_STAGES,
    AWS_PACKAGE,
    CLOUDWATCH_ALARMS,
    CLOUDWATCH_LOG_GROUP,
    CLOUDWATCH_METRIC_ALARM,
    LOAD_BALANCERS,
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
