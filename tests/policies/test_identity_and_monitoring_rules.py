"""IAM rules (documents parsed whatever their layout) and monitoring/hygiene rules."""

import json
from typing import Any

import pytest
from securecart_rules import identity as i
from securecart_rules import monitoring as m
from securecart_rules.types import (
    CLOUDWATCH_COMPOSITE_ALARM,
    CLOUDWATCH_LOG_GROUP,
    CLOUDWATCH_LOG_METRIC_FILTER,
    CLOUDWATCH_METRIC_ALARM,
    IAM_POLICY,
    IAM_ROLE,
    IAM_ROLE_POLICY,
    IAM_ROLE_POLICY_ATTACHMENT,
    KMS_KEY,
    LB_LOAD_BALANCER,
    SNS_TOPIC,
    SNS_TOPIC_POLICY,
    SNS_TOPIC_SUBSCRIPTION,
    XRAY_ENCRYPTION_CONFIG,
    XRAY_GROUP,
    XRAY_SAMPLING_RULE,
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
KEY_ARN = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
LATENCY = res(CLOUDWATCH_METRIC_ALARM, "latency", {"metricName": "TargetResponseTime", "alarmActions": TOPIC,
                                                   "okActions": TOPIC})
ANOMALY = res(CLOUDWATCH_METRIC_ALARM, "anomaly", {"alarmActions": TOPIC, "okActions": TOPIC,
                                                   "thresholdMetricId": "band", "metricQueries": [
    {"id": "m1", "metric": {"metricName": "RequestCount"}},
    {"id": "band", "expression": "ANOMALY_DETECTION_BAND(m1, 2)"}]})

# The alarm topic's policy as issue 15 asks for it: CloudWatch alarms and EventBridge rules of this account only,
# and no publishing without TLS.
CLOUDWATCH_PUBLISH = {"Sid": "CloudWatchAlarms", "Effect": "Allow",
                      "Principal": {"Service": "cloudwatch.amazonaws.com"}, "Action": "sns:Publish",
                      "Resource": TOPIC_ARN,
                      "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT},
                                    "ArnLike": {"aws:SourceArn": f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:*"}}}
EVENTS_PUBLISH = {"Sid": "EventBridgeRules", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
                  "Action": "sns:Publish", "Resource": TOPIC_ARN,
                  "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT},
                                "ArnLike": {"aws:SourceArn": f"arn:aws:events:us-east-1:{ACCOUNT}:rule/*"}}}
TLS_DENY = {"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "sns:*", "Resource": TOPIC_ARN,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
OWNER_ONLY = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["SNS:GetTopicAttributes", "SNS:Subscribe"],
              "Resource": TOPIC_ARN, "Condition": {"StringEquals": {"AWS:SourceOwner": ACCOUNT}}}
ALARM_TOPIC_POLICY = doc(CLOUDWATCH_PUBLISH, EVENTS_PUBLISH, TLS_DENY)


def topic_with_policy(name: str, *statements: dict[str, Any]) -> list[Any]:
    """A topic and a topic policy joined to it through ``arn`` (as ``TopicPolicy(arn=topic.arn)``)."""
    topic = res(SNS_TOPIC, name, {"kmsMasterKeyId": KEY_ARN})
    return [topic, res(SNS_TOPIC_POLICY, f"{name}-policy", {"policy": doc(*statements)}, arn=topic)]


def open_to(principal: Any, condition: dict[str, Any] | None = None) -> dict[str, Any]:
    statement = {"Effect": "Allow", "Principal": principal, "Action": "sns:Publish", "Resource": TOPIC_ARN}
    return {**statement, "Condition": condition} if condition else statement


def alarm(name: str, props: dict[str, Any], composite: bool = False) -> Any:
    return res(CLOUDWATCH_COMPOSITE_ALARM if composite else CLOUDWATCH_METRIC_ALARM, name, props)


def metric_filter(name: str, metric: str, namespace: str = "SecureCart/Security") -> Any:
    return res(CLOUDWATCH_LOG_METRIC_FILTER, name, {
        "logGroupName": "/securecart/cloudtrail", "pattern": '{ $.userIdentity.type = "Root" }',
        "metricTransformation": {"name": metric, "namespace": namespace, "value": "1"}})


ALARM_KEY = res(KMS_KEY, "alarms-key", {"enableKeyRotation": True})
SAMPLING = res(XRAY_SAMPLING_RULE, "checkout-sampling", {"fixedRate": 0.05, "priority": 1000, "reservoirSize": 1,
                                                          "serviceName": "checkout"})

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
    Case(m.sns_topic_encrypted_cmk,
         good=[res(SNS_TOPIC, "alarms", {"kmsMasterKeyId": KEY_ARN}),
               res(SNS_TOPIC, "joined", kmsMasterKeyId=ALARM_KEY),
               res(SNS_TOPIC, "preview", {"kmsMasterKeyId": UNKNOWN}),
               res(SNS_TOPIC, "own-alias", {"kmsMasterKeyId": "alias/securecart-alarms"})],
         bad=[res(SNS_TOPIC, "plain", {"name": "plain"}),
              res(SNS_TOPIC, "empty", {"kmsMasterKeyId": ""}),
              res(SNS_TOPIC, "managed", {"kmsMasterKeyId": "alias/aws/sns"}),
              res(SNS_TOPIC, "managed-arn", {"kmsMasterKeyId": f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/aws/sns"})],
         flagged={"plain", "empty", "managed", "managed-arn"}, says="AWS-managed key alias/aws/sns"),
    Case(m.sns_topic_policy_restricted, label="tls-deny",
         good=[*topic_with_policy("alarms", CLOUDWATCH_PUBLISH, EVENTS_PUBLISH, TLS_DENY),
               *topic_with_policy("publish-deny", OWNER_ONLY, {**TLS_DENY, "Action": "sns:Publish"}),
               res(SNS_TOPIC, "inline", {"kmsMasterKeyId": KEY_ARN, "policy": ALARM_TOPIC_POLICY})],
         bad=[res(SNS_TOPIC, "bare", {"kmsMasterKeyId": KEY_ARN}),
              *topic_with_policy("no-tls", CLOUDWATCH_PUBLISH),
              *topic_with_policy("tls-true", CLOUDWATCH_PUBLISH, {**TLS_DENY, "Condition": {
                  "Bool": {"aws:SecureTransport": "true"}}}),
              *topic_with_policy("not-bool", CLOUDWATCH_PUBLISH, {**TLS_DENY, "Condition": {
                  "StringNotEquals": {"aws:SecureTransport": "false"}}}),
              *topic_with_policy("subscribe-only", CLOUDWATCH_PUBLISH, {**TLS_DENY, "Action": "sns:Subscribe"}),
              *topic_with_policy("one-principal", CLOUDWATCH_PUBLISH, {**TLS_DENY, "Principal": {
                  "AWS": f"arn:aws:iam::{ACCOUNT}:root"}}),
              res(SNS_TOPIC, "unjoined", {"kmsMasterKeyId": KEY_ARN}),
              res(SNS_TOPIC_POLICY, "unjoined-policy", {"arn": "arn:aws:sns:us-east-1:1:elsewhere",
                                                        "policy": ALARM_TOPIC_POLICY})],
         flagged={"bare", "no-tls", "tls-true", "not-bool", "subscribe-only", "one-principal", "unjoined"},
         says="denies publishing without TLS"),
    Case(m.sns_topic_policy_restricted, label="allows",
         good=[*topic_with_policy("alarms", CLOUDWATCH_PUBLISH, EVENTS_PUBLISH, TLS_DENY),
               *topic_with_policy("owner", OWNER_ONLY, TLS_DENY),
               *topic_with_policy("account", open_to("*", {"StringEquals": {"aws:PrincipalAccount": ACCOUNT}}),
                                  open_to({"AWS": f"arn:aws:iam::{ACCOUNT}:role/ops"}), TLS_DENY)],
         bad=[*topic_with_policy("open", open_to("*"), TLS_DENY),
              *topic_with_policy("open-aws", open_to({"AWS": ["*"]}), TLS_DENY),
              *topic_with_policy("negated", open_to({"AWS": "*"}, {
                  "StringNotEquals": {"aws:SourceAccount": ACCOUNT}}), TLS_DENY),
              *topic_with_policy("service", open_to({"Service": "events.amazonaws.com"}), TLS_DENY),
              *topic_with_policy("wildcard", open_to({"Service": "cloudwatch.amazonaws.com"}, {
                  "StringLike": {"aws:SourceAccount": "*"}}), TLS_DENY),
              *topic_with_policy("arn-only", open_to({"Service": "cloudwatch.amazonaws.com"}, {
                  "ArnLike": {"aws:SourceArn": f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:*"}}), TLS_DENY),
              *topic_with_policy("owner-service", open_to({"Service": "s3.amazonaws.com"}, {
                  "StringEquals": {"aws:SourceOwner": ACCOUNT}}), TLS_DENY),
              res(SNS_TOPIC, "inline-open", {"kmsMasterKeyId": KEY_ARN, "policy": doc(open_to("*"), TLS_DENY)})],
         flagged={"open-policy", "open-aws-policy", "negated-policy", "service-policy", "wildcard-policy",
                  "arn-only-policy", "owner-service-policy", "inline-open"},
         says="without an aws:SourceAccount condition"),
    Case(m.sns_subscription_secure,
         good=[res(SNS_TOPIC_SUBSCRIPTION, "email", {"protocol": "email", "endpoint": "oncall@example.com"}),
               res(SNS_TOPIC_SUBSCRIPTION, "hook", {"protocol": "https", "endpoint": "https://hooks.example.com/a"}),
               res(SNS_TOPIC_SUBSCRIPTION, "hook-preview", {"protocol": "https", "endpoint": UNKNOWN}),
               res(SNS_TOPIC_SUBSCRIPTION, "queue", {"protocol": "sqs", "endpoint": UNKNOWN}),
               res(SNS_TOPIC_SUBSCRIPTION, "fn", {"protocol": "lambda", "endpoint": "arn:aws:lambda:us-east-1:1:f"}),
               res(SNS_TOPIC_SUBSCRIPTION, "json", {"protocol": "email-json", "endpoint": "a@example.com"}),
               res(SNS_TOPIC_SUBSCRIPTION, "stream", {"protocol": "firehose", "endpoint": "arn:aws:firehose:x"})],
         bad=[res(SNS_TOPIC_SUBSCRIPTION, "plain", {"protocol": "http", "endpoint": "http://hooks.example.com/a"}),
              res(SNS_TOPIC_SUBSCRIPTION, "upper", {"protocol": "HTTP", "endpoint": "http://hooks.example.com/a"}),
              res(SNS_TOPIC_SUBSCRIPTION, "sms", {"protocol": "sms", "endpoint": "+15555550100"}),
              res(SNS_TOPIC_SUBSCRIPTION, "app", {"protocol": "application", "endpoint": "arn:aws:sns:x:1:app/y"}),
              res(SNS_TOPIC_SUBSCRIPTION, "mislabelled", {"protocol": "https",
                                                          "endpoint": "http://hooks.example.com/a"})],
         flagged={"plain", "upper", "sms", "app", "mislabelled"}, says="http sends alarms in plain text"),
    Case(m.xray_encrypted_cmk,
         good=[SAMPLING, res(XRAY_GROUP, "checkout", {"groupName": "checkout", "filterExpression": "service(\"c\")"}),
               res(XRAY_ENCRYPTION_CONFIG, "xray-encryption", {"type": "KMS", "keyId": KEY_ARN})],
         bad=[SAMPLING, res(XRAY_ENCRYPTION_CONFIG, "none", {"type": "NONE"}),
              res(XRAY_ENCRYPTION_CONFIG, "managed", {"type": "KMS", "keyId": "alias/aws/xray"}),
              res(XRAY_ENCRYPTION_CONFIG, "no-key", {"type": "KMS"})],
         flagged={"none", "managed", "no-key"}, says="type 'NONE'"),
    Case(m.xray_encrypted_cmk, label="missing",
         good=[SAMPLING, res(XRAY_ENCRYPTION_CONFIG, "preview", {"type": "KMS", "keyId": UNKNOWN}),
               res(XRAY_ENCRYPTION_CONFIG, "joined", {"type": "KMS"}, keyId=ALARM_KEY)],
         bad=[res(XRAY_GROUP, "traces", {"groupName": "traces"}), SAMPLING],
         flagged={"traces"}, says="sets no X-Ray encryption config"),
    Case(m.xray_sampling_rule_sane,
         good=[SAMPLING,
               res(XRAY_SAMPLING_RULE, "low-edges", {"fixedRate": 0, "priority": 1, "reservoirSize": 0}),
               res(XRAY_SAMPLING_RULE, "high-edges", {"fixedRate": 1, "priority": 9999, "reservoirSize": 100})],
         bad=[res(XRAY_SAMPLING_RULE, "percent", {"fixedRate": 5, "priority": 1000, "reservoirSize": 1}),
              res(XRAY_SAMPLING_RULE, "negative-rate", {"fixedRate": -0.1, "priority": 1000, "reservoirSize": 1}),
              res(XRAY_SAMPLING_RULE, "priority-zero", {"fixedRate": 0.1, "priority": 0, "reservoirSize": 1}),
              res(XRAY_SAMPLING_RULE, "priority-high", {"fixedRate": 0.1, "priority": 10000, "reservoirSize": 1}),
              res(XRAY_SAMPLING_RULE, "reservoir", {"fixedRate": 0.1, "priority": 1000, "reservoirSize": -1})],
         flagged={"percent", "negative-rate", "priority-zero", "priority-high", "reservoir"},
         says="fixed_rate 5 is not a fraction between 0 and 1"),
    Case(m.metric_filter_has_alarm,
         good=[metric_filter("root-login", "RootLogin"),
               alarm("root-login-alarm", {"namespace": "SecureCart/Security", "metricName": "RootLogin",
                                          "alarmActions": TOPIC}),
               metric_filter("denied", "UnauthorizedApiCalls"),
               alarm("denied-alarm", {"metricQueries": [
                   {"id": "m1", "metric": {"namespace": "SecureCart/Security", "metricName": "UnauthorizedApiCalls",
                                           "period": 300, "stat": "Sum"}},
                   {"id": "e1", "expression": "m1 > 5", "returnData": True}]})],
         bad=[metric_filter("lonely", "ConsoleLoginFailures"),
              metric_filter("elsewhere", "RootLogin", namespace="SecureCart/Other"),
              alarm("root-login-alarm", {"namespace": "SecureCart/Security", "metricName": "RootLogin"}),
              alarm("query-alarm", {"metricQueries": [
                  {"id": "m1", "metric": {"namespace": "SecureCart/Security", "metricName": "Other"}}]})],
         flagged={"lonely", "elsewhere"}, says="SecureCart/Security/ConsoleLoginFailures"),
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


def test_sns_topic_policy_judges_what_it_can_and_cannot_tell_an_unknown_document() -> None:
    """A topic policy built from the topic's ARN is unknown in a first preview: that topic cannot be told yet, but
    every other topic still is."""
    pending = res(SNS_TOPIC, "pending", {"kmsMasterKeyId": UNKNOWN})
    found = violations(m.sns_topic_policy_restricted, [
        pending, res(SNS_TOPIC_POLICY, "pending-policy", {"policy": UNKNOWN}, arn=pending),
        res(SNS_TOPIC, "bare", {"kmsMasterKeyId": KEY_ARN}),
        *topic_with_policy("open", open_to("*"), TLS_DENY),
    ])
    assert [(v.resource_name, v.level) for v in found] == [
        ("bare", "mandatory"), ("open-policy", "mandatory"), ("(stack)", "advisory")]
    assert found[2].message.startswith("cannot tell yet") and ".policy" in found[2].message


def test_sns_topic_policy_reports_a_document_that_is_not_one() -> None:
    topic = res(SNS_TOPIC, "t", {"kmsMasterKeyId": KEY_ARN})
    found = violations(m.sns_topic_policy_restricted, [topic, res(SNS_TOPIC_POLICY, "p", {"policy": "{not json"},
                                                                  arn=topic)])
    assert sorted((v.resource_name, v.message.split(":")[0]) for v in found) == [
        ("p", "The topic policy is not a policy document."),
        ("t", "No policy of the topic denies publishing without TLS")]


def test_sns_topic_policy_says_why_each_topic_fails() -> None:
    found = violations(m.sns_topic_policy_restricted, [
        res(SNS_TOPIC, "bare", {"kmsMasterKeyId": KEY_ARN}),
        *topic_with_policy("no-tls", CLOUDWATCH_PUBLISH),
        *topic_with_policy("service", open_to({"Service": "events.amazonaws.com"}), TLS_DENY),
        *topic_with_policy("open", open_to({"AWS": "*"}), TLS_DENY),
    ])
    assert sorted((v.resource_name, v.message.split(":")[0]) for v in found) == [
        ("bare", "The topic has no topic policy"),
        ("no-tls", "No policy of the topic denies publishing without TLS"),
        ("open-policy", "The topic policy allows sns"),
        ("service-policy", "The topic policy allows sns"),
    ]
    by_name = {v.resource_name: v.message for v in found}
    assert "to any principal without an aws:SourceAccount, aws:SourceOwner or aws:PrincipalAccount condition" in \
        by_name["open-policy"]
    assert "to events.amazonaws.com without an aws:SourceAccount condition" in by_name["service-policy"]


def test_sns_subscription_says_why_each_subscription_fails() -> None:
    found = violations(m.sns_subscription_secure, [
        res(SNS_TOPIC_SUBSCRIPTION, "upper", {"protocol": "HTTP", "endpoint": "http://hooks.example.com/a"}),
        res(SNS_TOPIC_SUBSCRIPTION, "sms", {"protocol": "sms", "endpoint": "+15555550100"}),
        res(SNS_TOPIC_SUBSCRIPTION, "mislabelled", {"protocol": "https", "endpoint": "http://hooks.example.com/a"}),
        res(SNS_TOPIC_SUBSCRIPTION, "shouting", {"protocol": "HTTPS", "endpoint": "HTTPS://hooks.example.com/a"}),
    ])
    assert sorted((v.resource_name, v.message) for v in found) == [
        ("mislabelled", "The https subscription's endpoint 'http://hooks.example.com/a' is not an https:// URL."),
        ("sms", "The subscription's protocol 'sms' is not one of email, email-json, https, sqs, lambda, firehose."),
        ("upper", "The subscription's protocol 'http' is not one of email, email-json, https, sqs, lambda, "
                  "firehose: http sends alarms in plain text, use https."),
    ]

def test_metric_filter_has_alarm_follows_an_unknown_metric_to_its_filter() -> None:
    """An alarm whose metric name is computed from the filter (unknown in a preview) watches that filter; an
    unknown metric joined to nothing could be any filter's: no filter is reported, and the rule cannot tell yet."""
    root = metric_filter("root-login", "RootLogin")
    joined = res(CLOUDWATCH_METRIC_ALARM, "joined", {"namespace": "SecureCart/Security", "metricName": UNKNOWN},
                 metricName=root)
    assert violations(m.metric_filter_has_alarm, [root, joined]) == []
    loose = res(CLOUDWATCH_METRIC_ALARM, "loose", {"namespace": "SecureCart/Security", "metricName": UNKNOWN})
    found = violations(m.metric_filter_has_alarm, [root, metric_filter("lonely", "Other"), joined, loose])
    assert [(v.resource_name, v.level) for v in found] == [("(stack)", "advisory")]
    assert found[0].message.startswith("cannot tell yet")


def test_xray_encryption_not_required_of_a_stack_that_does_not_trace() -> None:
    assert violations(m.xray_encrypted_cmk, [res(SNS_TOPIC, "t", {"kmsMasterKeyId": KEY_ARN})]) == []


def test_a_region_monitoring_tier_as_issue_15_describes_passes_every_monitoring_rule() -> None:
    """Per region: a customer-managed key, the alarm topic under it, its restricted policy, an email subscription,
    metric and composite alarms notifying on ALARM and OK, a metric filter watched by an alarm, X-Ray sampling under
    a KMS encryption config. Every value computed from another resource is unknown, as in a first preview."""
    key = res(KMS_KEY, "alarms-key", {"enableKeyRotation": True, "deletionWindowInDays": 30})
    topic = res(SNS_TOPIC, "alarms", {"kmsMasterKeyId": UNKNOWN}, kmsMasterKeyId=key)
    actions = {"alarmActions": [UNKNOWN], "okActions": [UNKNOWN]}
    root = metric_filter("root-login", "RootLogin")
    tier = [
        key, topic,
        res(SNS_TOPIC_POLICY, "alarms-policy", {"arn": UNKNOWN, "policy": ALARM_TOPIC_POLICY}, arn=topic),
        res(SNS_TOPIC_SUBSCRIPTION, "alarms-email", {"protocol": "email", "endpoint": "oncall@example.com",
                                                     "topic": UNKNOWN}, topic=topic),
        root, res(CLOUDWATCH_METRIC_ALARM, "root-login-alarm", {"namespace": "SecureCart/Security",
                                                                "metricName": "RootLogin", **actions}),
        res(CLOUDWATCH_METRIC_ALARM, "latency", {"metricName": "TargetResponseTime", **actions}),
        res(CLOUDWATCH_COMPOSITE_ALARM, "degraded", {"alarmRule": "ALARM(latency) OR ALARM(root-login-alarm)",
                                                     **actions}),
        SAMPLING, res(XRAY_ENCRYPTION_CONFIG, "xray", {"type": "KMS", "keyId": UNKNOWN}, keyId=key),
    ]
    rules = [m.alarm_has_actions, m.sns_topic_encrypted_cmk, m.sns_topic_policy_restricted, m.sns_subscription_secure,
             m.xray_encrypted_cmk, m.xray_sampling_rule_sane, m.metric_filter_has_alarm]
    for rule in rules:
        assert violations(rule, tier) == [], rule.name

