"""IAM rules (documents parsed whatever their layout) and monitoring/hygiene rules."""

import json
from typing import Any

import pytest
from securecart_rules import identity as i
from securecart_rules import monitoring as m
from securecart_rules.types import (
    CLOUDWATCH_COMPOSITE_ALARM,
    CLOUDWATCH_LOG_GROUP,
    CLOUDWATCH_METRIC_ALARM,
    IAM_POLICY,
    IAM_ROLE,
    IAM_ROLE_POLICY,
    IAM_ROLE_POLICY_ATTACHMENT,
    LB_LOAD_BALANCER,
)

from automation.gate import evaluate
from automation.synth import StackResult
from tests.policies.harness import STACK_URN, Case, cases, check, provider, res, violations


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


LEAST = doc({"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::images/*"})
TASK_TRUST = doc({"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                  "Action": "sts:AssumeRole"})
ALB = res(LB_LOAD_BALANCER, "alb", {"internal": False})
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # the engine's unknown-value sentinel (a preview's computed value)
ACCOUNT = "111122223333"
TOPIC_ARN = f"arn:aws:sns:us-east-1:{ACCOUNT}:oncall"
TOPIC = [TOPIC_ARN]
LATENCY = res(CLOUDWATCH_METRIC_ALARM, "latency", {"metricName": "TargetResponseTime", "alarmActions": TOPIC,
                                                   "okActions": TOPIC})
ANOMALY = res(CLOUDWATCH_METRIC_ALARM, "anomaly", {"alarmActions": TOPIC, "okActions": TOPIC,
                                                   "thresholdMetricId": "band", "metricQueries": [
    {"id": "m1", "metric": {"metricName": "RequestCount"}},
    {"id": "band", "expression": "ANOMALY_DETECTION_BAND(m1, 2)"}]})

def alarm(name: str, props: dict[str, Any], composite: bool = False) -> Any:
    return res(CLOUDWATCH_COMPOSITE_ALARM if composite else CLOUDWATCH_METRIC_ALARM, name, props)


CASES = cases(
    Case(i.iam_no_wildcard_admin, label="layouts",
         good=[res(IAM_POLICY, "p", {"policy": LEAST}),
               res(IAM_ROLE, "r", {"assumeRolePolicy": TASK_TRUST, "inlinePolicies": [{"name": "ok",
                                                                                       "policy": LEAST}]})],
         bad=[res(IAM_POLICY, "star", {"policy": {"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}}),
              res(IAM_ROLE_POLICY, "case", {"policy": doc({"Effect": "Allow", "Action": ["S3:*"],
                                                        "Resource": ["*"]})}),
              res(IAM_ROLE, "inline", {"assumeRolePolicy": TASK_TRUST, "inlinePolicies": [
                  {"name": "not", "policy": doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})}]}),
              res(IAM_ROLE_POLICY_ATTACHMENT, "admin", {"policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"})],
         flagged={"star", "case", "inline", "admin"}, says="s3:* on every resource"),
    Case(i.iam_trust_not_public,
         good=[res(IAM_ROLE, "task", {"assumeRolePolicy": TASK_TRUST}),
               res(IAM_ROLE, "partner", {"assumeRolePolicy": doc({
                   "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
                   "Condition": {"StringEquals": {"sts:ExternalId": "securecart-partner-7"}}})})],
         bad=[res(IAM_ROLE, "open", {"assumeRolePolicy": doc({"Effect": "Allow", "Principal": "*",
                                                             "Action": "sts:AssumeRole"})})],
         flagged={"open"}),
    Case(i.iam_no_decrypt_on_all_keys,
         good=[res(IAM_POLICY, "p", {"policy": doc({"Effect": "Allow", "Action": "kms:Decrypt",
                                                  "Resource": "arn:aws:kms:us-east-1:1:key/a"})})],
         bad=[res(IAM_POLICY, "p", {"policy": doc({"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"})})],
         flagged={"p"}),
    Case(m.checkout_alarms,
         good=[ALB, LATENCY, ANOMALY, res(LB_LOAD_BALANCER, "quiet", {"internal": True})],
         bad=[ALB, LATENCY, res(CLOUDWATCH_METRIC_ALARM, "silent", {"metricName": "RequestCount"})],
         flagged={"alb"}, says="abnormal traffic"),
    Case(m.alarm_has_actions,
         good=[LATENCY, ANOMALY,
               alarm("checkout-degraded", {"alarmRule": "ALARM(latency) OR ALARM(anomaly)", "alarmActions": TOPIC,
                                           "okActions": TOPIC, "actionsEnabled": True}, composite=True),
               alarm("preview", {"metricName": "x", "alarmActions": [UNKNOWN], "okActions": [UNKNOWN]}),
               alarm("preview-composite", {"alarmRule": "ALARM(x)", "alarmActions": UNKNOWN, "okActions": [UNKNOWN]},
                     composite=True)],
         bad=[alarm("a", {"metricName": "x"}),
              alarm("b", {"alarmActions": TOPIC, "okActions": TOPIC, "actionsEnabled": False}),
              alarm("no-ok", {"metricName": "x", "alarmActions": TOPIC}),
              alarm("ok-only", {"metricName": "x", "okActions": TOPIC, "alarmActions": []}),
              alarm("composite-no-ok", {"alarmRule": "ALARM(a)", "alarmActions": TOPIC}, composite=True),
              alarm("composite-off", {"alarmRule": "ALARM(a)", "alarmActions": TOPIC, "okActions": TOPIC,
                                      "actionsEnabled": False}, composite=True)],
         flagged={"a", "b", "no-ok", "ok-only", "composite-no-ok", "composite-off"}, says="sets no ok_actions"),
    Case(m.log_group_encrypted_and_retained,
         good=[res(CLOUDWATCH_LOG_GROUP, "lg", {"kmsKeyId": "arn:aws:kms:x", "retentionInDays": 365})],
         bad=[res(CLOUDWATCH_LOG_GROUP, "lg", {}), res(CLOUDWATCH_LOG_GROUP, "forever", {"kmsKeyId": "k",
                                                                                         "retentionInDays": 0}),
              res(CLOUDWATCH_LOG_GROUP, "quarter", {"kmsKeyId": "k", "retentionInDays": 90})],
         flagged={"lg", "forever", "quarter"}),
    Case(m.log_group_encrypted_and_retained, label="floor-from-config", config={"minRetentionDays": 731},
         good=[res(CLOUDWATCH_LOG_GROUP, "lg", {"kmsKeyId": "k", "retentionInDays": 731})],
         bad=[res(CLOUDWATCH_LOG_GROUP, "year", {"kmsKeyId": "k", "retentionInDays": 365})],
         flagged={"year"}, says="at least 731"),
    Case(m.required_tags,
         good=[res("aws:ec2/vpc:Vpc", "vpc", {"tags": {"Project": "p", "Stack": "s", "Environment": "prod",
                                                       "ManagedBy": "pulumi"}})],
         bad=[res("aws:ec2/vpc:Vpc", "vpc", {"tags": {"Project": "p"}})], flagged={"vpc"},
         says="Missing tag(s) Stack, Environment, ManagedBy"),
)


@pytest.mark.parametrize("c", CASES)
def test_rule(c: Case) -> None:
    check(c)


def test_checkout_alarms_not_applicable_without_customer_traffic() -> None:
    assert violations(m.checkout_alarms, [res(LB_LOAD_BALANCER, "internal", {"internal": True})]) == []


def test_required_tags_count_the_providers_default_tags() -> None:
    tags = {"Project": "p", "Stack": "s", "Environment": "prod", "ManagedBy": "pulumi"}
    vpc = res("aws:ec2/vpc:Vpc", "vpc", {"tags": {"Name": "x"}})
    assert [v.resource_name for v in violations(m.required_tags, [vpc])] == ["vpc"]
    # The harness's provider has empty default tags; a stack whose provider sets them is compliant.
    stack = StackResult(stack="t", project="securecart-network", region="us-east-1", role="primary",
                        stack_urn=STACK_URN, resources=[provider(tags), vpc], outputs={})
    assert evaluate(stack, [m.required_tags]) == []
    missing = {k: v for k, v in tags.items() if k != "ManagedBy"}
    stack.resources = [provider(missing), vpc]
    found = evaluate(stack, [m.required_tags])
    assert [(v.resource_name, v.message) for v in found] == [
        ("vpc", "Missing tag(s) ManagedBy: set them as provider default tags.")
    ]


FOOLING = [
    ("negated condition", {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
                           "Condition": {"StringNotEquals": {"aws:PrincipalAccount": "123456789012"}}}),
    ("world source ip", {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole",
                         "Condition": {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}}),
    ("null check", {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole",
                    "Condition": {"Null": {"aws:PrincipalAccount": "false"}}}),
    ("wildcard account", {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole",
                          "Condition": {"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*"}}}),
    ("if exists", {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole",
                   "Condition": {"StringEqualsIfExists": {"aws:PrincipalAccount": "123456789012"}}}),
]


@pytest.mark.parametrize(("label", "statement"), FOOLING, ids=[f[0] for f in FOOLING])
def test_conditions_that_narrow_nothing_do_not_fool_the_trust_rule(label: str, statement: dict[str, Any]) -> None:
    role = res(IAM_ROLE, "r", {"assumeRolePolicy": doc(statement)})
    assert [v.resource_name for v in violations(i.iam_trust_not_public, [role])] == ["r"], label


@pytest.mark.parametrize("resource", ["arn:*", "arn:aws:*:*:*:*", ["arn:aws:iam::*:*"], "arn:aws:s3:::*"])
def test_wildcard_arns_count_as_every_resource(resource: Any) -> None:
    stmts = [{"Effect": "Allow", "Action": "*", "Resource": resource},
             {"Effect": "Allow", "Action": ["iam:*"], "Resource": resource}]
    for n, statement in enumerate(stmts):
        policy = res(IAM_POLICY, f"p{n}", {"policy": doc(statement)})
        assert [v.resource_name for v in violations(i.iam_no_wildcard_admin, [policy])] == [f"p{n}"]


def test_a_pinned_wildcard_still_narrows() -> None:
    role = res(IAM_ROLE, "r", {"assumeRolePolicy": doc({
        "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
        "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/ci-*"}}})})
    assert violations(i.iam_trust_not_public, [role]) == []


def test_alarm_has_actions_says_what_each_alarm_lacks() -> None:
    found = violations(m.alarm_has_actions, [
        alarm("silent", {"metricName": "x"}),
        alarm("no-ok", {"alarmRule": "ALARM(a)", "alarmActions": TOPIC}, composite=True),
        alarm("off", {"metricName": "x", "alarmActions": TOPIC, "okActions": TOPIC, "actionsEnabled": False}),
    ])
    assert sorted((v.resource_name, v.resource_type, v.level, v.message.split(":")[0]) for v in found) == [
        ("no-ok", CLOUDWATCH_COMPOSITE_ALARM, "mandatory", "The alarm sets no ok_actions"),
        ("off", CLOUDWATCH_METRIC_ALARM, "mandatory", "The alarm's actions are disabled (actions_enabled=False)"),
        ("silent", CLOUDWATCH_METRIC_ALARM, "mandatory", "The alarm sets no alarm_actions and no ok_actions"),
    ]


def test_log_group_key_still_unknown_in_a_preview_counts_and_retention_is_still_checked() -> None:
    """The log group's key is a key's ARN, unknown in a first preview: it counts as a key, and the retention check
    still runs instead of the whole rule giving up."""
    found = violations(m.log_group_encrypted_and_retained, [
        res(CLOUDWATCH_LOG_GROUP, "year", {"kmsKeyId": UNKNOWN, "retentionInDays": 365}),
        res(CLOUDWATCH_LOG_GROUP, "quarter", {"kmsKeyId": UNKNOWN, "retentionInDays": 90})])
    assert [(v.resource_name, v.level, v.message.split(":")[0]) for v in found] == [
        ("quarter", "advisory", "The log group keeps logs 90 days")]


def test_checkout_alarms_count_actions_still_unknown_in_a_preview() -> None:
    """The alarms' actions are the topic's ARN, unknown until the topic exists: they still count as actions."""
    preview = {"alarmActions": [UNKNOWN], "okActions": [UNKNOWN]}
    latency = res(CLOUDWATCH_METRIC_ALARM, "latency", {"metricName": "TargetResponseTime", **preview})
    anomaly = res(CLOUDWATCH_METRIC_ALARM, "anomaly", {"metricName": "RequestCount", "thresholdMetricId": "band",
                                                       **preview})
    assert violations(m.checkout_alarms, [ALB, latency, anomaly]) == []

