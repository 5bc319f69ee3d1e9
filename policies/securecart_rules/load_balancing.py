"""Load balancer, listener and target group rules (both the ``aws:lb`` and ``aws:alb`` tokens)."""

import re
from collections.abc import Mapping
from dataclasses import replace
from fnmatch import fnmatchcase
from typing import Any

from pulumi_policy import ResourceValidationArgs, Severity, StackValidationArgs

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
    LISTENER_RULES,
    LISTENERS,
    LOAD_BALANCERS,
    S3_BUCKET_POLICY,
    S3_BUCKETS,
    TARGET_GROUPS,
    WAFV2_WEB_ACL_ASSOCIATION,
)

# TLS 1.2+ policies with forward secrecy a listener may use (the program's own list must stay within it: a test
# holds components' MODERN_TLS_POLICIES to it).
MODERN_TLS_POLICIES = (
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
)


def lb_type(props: Mapping[str, Any]) -> str:
    return str(props.get("loadBalancerType") or "application")


def _actions_redirect_to_https(actions: list[Any]) -> bool:
    return bool(actions) and all(
        str(get(a, "type")) == "redirect" and str(get(a, "redirect", "protocol") or "").upper() == "HTTPS"
        for a in actions
    )


def listener_protocol(props: Mapping[str, Any]) -> str:
    """The listener's protocol; an ALB listener that names none speaks HTTP (a GWLB listener has no port)."""
    protocol = str(props.get("protocol") or "").upper()
    if not protocol and props.get("port") is not None:
        return "HTTP"
    return protocol


@resource_rule(
    name="alb-http-redirects-to-https",
    description="HTTP listeners only redirect to HTTPS.",
    source="FSBP ELB.1; cdk-nag ALBHttpToHttpsRedirection; AWSGuard alb-http-to-https-redirection",
    types=LISTENERS, level=MANDATORY, severity=Severity.HIGH,
)
def alb_http_redirects_to_https(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    if listener_protocol(args.props) != "HTTP":
        return
    if not _actions_redirect_to_https(as_list(args.props.get("defaultActions"))):
        report("The HTTP listener serves content: its default action must only redirect to HTTPS.")


@stack_rule(
    name="alb-http-listener-rules-redirect",
    description="Rules on HTTP listeners only redirect to HTTPS.",
    source="FSBP ELB.1",
    level=MANDATORY, severity=Severity.HIGH,
)
def alb_http_listener_rules_redirect(args: StackValidationArgs, report: StackReport, _: Mapping[str, Any]) -> None:
    http_listeners = {r.urn for r in of_type(args.resources, *LISTENERS) if listener_protocol(r.props) == "HTTP"}
    for rule in of_type(args.resources, *LISTENER_RULES):
        if any(d.urn in http_listeners for d in refs(rule, "listenerArn")) and \
                not _actions_redirect_to_https(as_list(rule.props.get("actions"))):
            report("A rule on an HTTP listener does something other than redirect to HTTPS.", rule.urn)


TLS = {"allowedSslPolicies": {"type": "array", "items": {"type": "string"}, "default": list(MODERN_TLS_POLICIES),
                              "description": "TLS security policies listeners may use (TLS 1.2+ with forward "
                                             "secrecy)."}}


@resource_rule(
    name="lb-listener-modern-tls",
    description="ALB and NLB listeners terminate HTTPS/TLS with a certificate and an explicit modern TLS policy.",
    source="FSBP ELB.17/ELB.18 (third-party mapping); cdk-nag AwsSolutions-ELB5 (CLB analogue)",
    types=LISTENERS, level=MANDATORY, severity=Severity.HIGH, config=TLS,
)
def lb_listener_modern_tls(args: ResourceValidationArgs, report: Report, settings: Mapping[str, Any]) -> None:
    protocol = listener_protocol(args.props)
    if protocol in ("HTTP", ""):
        return  # redirect-only (previous rule) or a GWLB listener, which has no protocol
    if protocol not in ("HTTPS", "TLS"):
        report(f"The listener speaks {protocol}: use HTTPS (ALB) or TLS (NLB) so traffic is encrypted in transit.")
        return
    policy = args.props.get("sslPolicy")
    if not policy:
        report("The listener sets no ssl_policy, so AWS applies a 2016 policy that allows TLS 1.0: set a TLS 1.3 "
               "policy explicitly.")
    elif policy not in settings["allowedSslPolicies"]:
        report(f"ssl_policy {policy} is not one of the allowed modern policies.")
    if not args.props.get("certificateArn"):
        report("The listener has no certificate.")


@resource_rule(
    name="lb-access-logs",
    description="Application and network load balancers write access logs.",
    source="FSBP ELB.5; cdk-nag AwsSolutions-ELB2; AWSGuard elb-logging-enabled",
    types=LOAD_BALANCERS, level=ADVISORY, severity=Severity.MEDIUM,
)
def lb_access_logs(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    if lb_type(args.props) == "gateway":
        return  # Gateway Load Balancers have no access logs
    logs = args.props.get("accessLogs")
    if not truthy(get(logs, "enabled")) or not get(logs, "bucket"):
        report("Access logs are off: set access_logs with enabled=True and a log bucket.")


@resource_rule(
    name="lb-deletion-protection",
    description="Load balancers have deletion protection.",
    source="FSBP ELB.6; cdk-nag ELBDeletionProtectionEnabled",
    types=LOAD_BALANCERS, level=ADVISORY, severity=Severity.MEDIUM,
)
def lb_deletion_protection(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    if not truthy(args.props.get("enableDeletionProtection")):
        report("Deletion protection is off: set enable_deletion_protection=True.")


@resource_rule(
    name="alb-request-hardening",
    description="ALBs drop invalid header fields and mitigate HTTP desync defensively or strictly.",
    source="FSBP ELB.4, ELB.12; cdk-nag ALBHttpDropInvalidHeaderEnabled",
    types=LOAD_BALANCERS, level=MANDATORY, severity=Severity.MEDIUM,
)
def alb_request_hardening(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    if lb_type(args.props) != "application":
        return
    if not truthy(args.props.get("dropInvalidHeaderFields")):
        report("The ALB forwards invalid header fields: set drop_invalid_header_fields=True.")
    mode = str(args.props.get("desyncMitigationMode") or "defensive")
    if mode not in ("defensive", "strictest"):
        report(f"desync_mitigation_mode is {mode}: use 'defensive' or 'strictest' against request smuggling.")


MIN_AZS = {"minAzs": {"type": "integer", "minimum": 2, "default": 2,
                      "description": "Fewest subnets (one per AZ) a load balancer must span."}}


@resource_rule(
    name="lb-multi-az",
    description="Every load balancer spans at least two Availability Zones.",
    source="seed: every tier over ≥ 2 AZs; FSBP ELB.13",
    types=LOAD_BALANCERS, level=MANDATORY, severity=Severity.HIGH, config=MIN_AZS,
)
def lb_multi_az(args: ResourceValidationArgs, report: Report, settings: Mapping[str, Any]) -> None:
    subnets = as_list(args.props.get("subnets")) or as_list(args.props.get("subnetMappings"))
    if len(subnets) < int(settings["minAzs"]):
        report(f"The load balancer spans {len(subnets)} subnet(s): give it one in each of at least "
               f"{settings['minAzs']} AZs.")


@stack_rule(
    name="alb-waf-associated",
    description="Every internet-facing ALB is associated with a WAFv2 web ACL.",
    source="seed: WAF against SQL injection and XSS; cdk-nag ALBWAFEnabled; FSBP ELB.16 (third-party mapping)",
    level=MANDATORY, severity=Severity.HIGH,
)
def alb_waf_associated(args: StackValidationArgs, report: StackReport, _: Mapping[str, Any]) -> None:
    protected = attached(args.resources, [WAFV2_WEB_ACL_ASSOCIATION], "resourceArn")
    for lb in of_type(args.resources, *LOAD_BALANCERS):
        if lb_type(lb.props) == "application" and not truthy(lb.props.get("internal")) and \
                lb.urn not in protected:
            report("The internet-facing ALB has no WAF web ACL: associate one (SQL injection and XSS rules).", lb.urn)


PURPOSES = {"purposeTypes": {
    "type": "object", "additionalProperties": {"type": "string", "enum": ["application", "network", "gateway"]},
    "default": {"payment": "network", "storefront": "application", "checkout": "application",
                "web": "application", "inspection": "gateway"},
    "description": "Which load balancer type serves each Purpose tag value."}}
LISTENER_PROTOCOLS = {"application": {"HTTP", "HTTPS"}, "network": {"TCP", "TLS", "UDP", "TCP_UDP"},
                      "gateway": {""}}


@stack_rule(
    name="lb-by-purpose",
    description="Load balancers match their purpose: HTTP(S) on ALBs, the payment gateway's TCP/TLS on an NLB, "
                "appliances on a Gateway Load Balancer.",
    source="seed: ALB for microservices, NLB for the payment gateway, GWLB for appliances",
    level=MANDATORY, severity=Severity.MEDIUM, config=PURPOSES,
)
def lb_by_purpose(args: StackValidationArgs, report: StackReport, settings: Mapping[str, Any]) -> None:
    purposes: Mapping[str, str] = settings["purposeTypes"]
    for lb in of_type(args.resources, *LOAD_BALANCERS):
        purpose = tags_of(lb.props).get("Purpose", "").lower()
        wanted = purposes.get(purpose)
        if wanted and lb_type(lb.props) != wanted:
            report(f"A '{purpose}' load balancer must be a {wanted} load balancer, not {lb_type(lb.props)}.", lb.urn)
    for listener in of_type(args.resources, *LISTENERS):
        for lb in refs(listener, "loadBalancerArn"):
            protocol = listener_protocol(listener.props)
            if protocol not in LISTENER_PROTOCOLS[lb_type(lb.props)]:
                report(f"A {protocol} listener on a {lb_type(lb.props)} load balancer: HTTP(S) belongs on an ALB, "
                       f"TCP/TLS (payments) on an NLB.", listener.urn)
            if tags_of(lb.props).get("Purpose", "").lower() == "payment" and protocol != "TLS":
                report("The payment load balancer must terminate TLS.", listener.urn)


@resource_rule(
    name="target-group-health-checks",
    description="Target groups health-check their targets often enough for fast failover.",
    source="catalogue gap: target group health checks",
    types=TARGET_GROUPS, level=ADVISORY, severity=Severity.MEDIUM,
)
def target_group_health_checks(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    if str(args.props.get("targetType") or "") == "lambda":
        return
    check = args.props.get("healthCheck")
    if check is not None and get(check, "enabled") is False:
        report("Health checks are off: targets that fail would keep receiving traffic.")
        return
    interval = num(get(check, "interval"))
    if interval is not None and interval > 30:
        report(f"Health checks every {interval:.0f}s: check at most every 30s for fast failover.")


@resource_rule(
    name="target-group-encrypted",
    description="Target groups reach their targets over HTTPS/TLS where the backend supports it.",
    source="catalogue gap: target groups use HTTPS/TLS",
    types=TARGET_GROUPS, level=ADVISORY, severity=Severity.LOW,
)
def target_group_encrypted(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    protocol = str(args.props.get("protocol") or "").upper()
    if protocol in ("HTTP", "TCP", "UDP", "TCP_UDP"):
        report(f"Traffic to the targets is {protocol}: use HTTPS or TLS where the backend supports it.")


# Who delivers load-balancer access logs: ELB's regional accounts (any account principal), its log-delivery
# service (regions opened since August 2022) and, for NLB, CloudWatch Logs' delivery service.
LOG_DELIVERY_SERVICES = ("logdelivery.elasticloadbalancing.amazonaws.com", "delivery.logs.amazonaws.com")


def _grants_log_key(stmt: Statement, bucket: str, key: str) -> bool:
    if not stmt.allows or not any(a in ("s3:putobject", "s3:*", "*") for a in stmt.actions):
        return False
    if not any(p in LOG_DELIVERY_SERVICES or p.startswith("arn:") or p.isdigit() for p in stmt.principals):
        return False
    for resource in stmt.resources:
        head, sep, path = resource.partition(":::")
        name, slash, pattern = path.partition("/")
        if sep and slash and head.startswith("arn:") and fnmatchcase(bucket, name) and fnmatchcase(key, pattern):
            return True
    return False


def _any_account(stmt: Statement) -> Statement:
    return replace(stmt, resources=tuple(re.sub(r"/AWSLogs/\d{12}/", "/AWSLogs/000000000000/", r)
                                         for r in stmt.resources))


@stack_rule(
    name="lb-log-prefix-writable",
    description="A load balancer's access-log prefix is writable under its log bucket's policy.",
    source="catalogue gap (deploy readiness): ELB User Guide, access-log bucket policy; DESIGN §7",
    level=MANDATORY, severity=Severity.HIGH,
)
def lb_log_prefix_writable(args: StackValidationArgs, report: StackReport, _: Mapping[str, Any]) -> None:
    """ELB writes to <bucket>/<prefix>/AWSLogs/<account>/… and tests that it may when logging is switched on."""
    resources = list(args.resources)
    policies_of = attached(resources, [S3_BUCKET_POLICY], "bucket")
    for lb in of_type(resources, *LOAD_BALANCERS):
        logs = lb.props.get("accessLogs")
        if not truthy(get(logs, "enabled")) or not get(logs, "bucket"):
            continue
        buckets = [b for b in refs(lb, "accessLogs") if b.resource_type in S3_BUCKETS]
        if not buckets:
            continue  # a bucket of another stack: its policy is not here to read
        bucket, prefix = str(get(logs, "bucket")), str(get(logs, "prefix") or "").strip("/")
        key = f"{prefix}/AWSLogs/000000000000/elasticloadbalancing/log.gz" if prefix else \
            "AWSLogs/000000000000/elasticloadbalancing/log.gz"
        docs = [statements(p.props.get("policy")) or [] for b in buckets for p in policies_of.get(b.urn, [])]
        # The account in a grant is the stack's own: read it as any account when matching the key.
        granted = any(_grants_log_key(_any_account(stmt), bucket, key) for doc in docs for stmt in doc)
        if not granted:
            where = f"{prefix}/AWSLogs/<account>/*" if prefix else "AWSLogs/<account>/*"
            report(f"The load balancer logs under '{prefix or '(no prefix)'}' in {bucket}, but the bucket policy "
                   f"grants log delivery no s3:PutObject on {bucket}/{where}: creating or updating it would fail "
                   f"with Access Denied.", lb.urn)
