"""Load balancer, listener and target group rules, on both the aws:lb and aws:alb tokens."""

import json
from typing import Any

import pytest
from securecart_rules import load_balancing as lb
from securecart_rules.types import (
    ALB_LISTENER_RULE,
    ALB_TARGET_GROUP,
    LB_LISTENER_RULE,
    LB_LOAD_BALANCER,
    LB_TARGET_GROUP,
    LISTENERS,
    LOAD_BALANCERS,
    S3_BUCKET_POLICY,
    WAFV2_WEB_ACL_ASSOCIATION,
)

from tests.policies.harness import Case, cases, check, res

LB_TYPE, ALB_TYPE = LOAD_BALANCERS
LISTENER, ALB_LISTENER = LISTENERS
TLS13 = "ELBSecurityPolicy-TLS13-1-2-2021-06"
REDIRECT = [{"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}}]
FORWARD = [{"type": "forward", "targetGroupArn": "arn:tg"}]


def alb(name: str = "alb", **props: Any) -> Any:
    base = {"loadBalancerType": "application", "internal": False, "subnets": ["s1", "s2", "s3"],
            "dropInvalidHeaderFields": True, "desyncMitigationMode": "strictest", "enableDeletionProtection": True,
            "accessLogs": {"enabled": True, "bucket": "logs"}, "tags": {"Purpose": "storefront"}}
    return res(LB_TYPE, name, {**base, **props})


def nlb(name: str = "nlb", **props: Any) -> Any:
    return res(LB_TYPE, name, {"loadBalancerType": "network", "internal": True, "subnets": ["s1", "s2"],
                               "tags": {"Purpose": "payment"}, **props})


ALB, NLB = alb(), nlb()
HTTPS = res(LISTENER, "https", {"protocol": "HTTPS", "port": 443, "sslPolicy": TLS13, "certificateArn": "arn:c",
                                "defaultActions": FORWARD}, loadBalancerArn=ALB)
HTTP = res(LISTENER, "http", {"protocol": "HTTP", "port": 80, "defaultActions": REDIRECT}, loadBalancerArn=ALB)
TLS = res(LISTENER, "tls", {"protocol": "TLS", "port": 443, "sslPolicy": TLS13, "certificateArn": "arn:c"},
          loadBalancerArn=NLB)

LOG_BUCKET = res("aws:s3/bucket:Bucket", "lb-logs", {"bucket": "lb-logs-1"})


def log_policy(*objects: str) -> Any:
    doc = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::127311923021:root"}, "Action": "s3:PutObject",
         "Resource": [f"arn:aws:s3:::lb-logs-1/{o}" for o in objects]},
        # a grant to someone else is no grant to log delivery
        {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject",
         "Resource": "arn:aws:s3:::lb-logs-1/*"}]}
    return res(S3_BUCKET_POLICY, "lb-logs-policy", {"policy": json.dumps(doc)}, bucket=LOG_BUCKET)


def logging_lb(name: str, prefix: str | None) -> Any:
    logs = {"enabled": True, "bucket": "lb-logs-1", **({"prefix": prefix} if prefix is not None else {})}
    return res(LB_LOAD_BALANCER, name, {"loadBalancerType": "application", "accessLogs": logs}, accessLogs=LOG_BUCKET)


CASES = cases(
    Case(lb.lb_log_prefix_writable,
         good=[LOG_BUCKET, log_policy("alb/AWSLogs/123456789012/*", "AWSLogs/123456789012/*"),
               logging_lb("alb", "alb"), logging_lb("plain", None), logging_lb("slashed", "alb/")],
         bad=[LOG_BUCKET, log_policy("AWSLogs/123456789012/*", "nlb/*"), logging_lb("alb", "alb"),
              logging_lb("plain", None), logging_lb("other", "payment-nlb")],
         flagged={"alb", "other"}, says="would fail with Access Denied"),
    Case(lb.alb_http_redirects_to_https,
         good=[HTTP, res(ALB_LISTENER, "alb-token", {"protocol": "HTTP", "defaultActions": REDIRECT})],
         bad=[res(ALB_LISTENER, "http", {"protocol": "HTTP", "defaultActions": FORWARD}),
              res(LISTENER, "to-http", {"protocol": "HTTP", "defaultActions": [
                  {"type": "redirect", "redirect": {"protocol": "HTTP", "port": "8080"}}]}),
              res(LISTENER, "implicit-http", {"port": 80, "defaultActions": FORWARD})],
         flagged={"http", "to-http", "implicit-http"}),
    Case(lb.alb_http_listener_rules_redirect,
         good=[HTTP, res(LB_LISTENER_RULE, "r", {"actions": REDIRECT}, listenerArn=HTTP),
               res(LB_LISTENER_RULE, "s", {"actions": FORWARD}, listenerArn=HTTPS), HTTPS],
         bad=[HTTP, res(ALB_LISTENER_RULE, "r", {"actions": FORWARD}, listenerArn=HTTP)], flagged={"r"}),
    Case(lb.lb_listener_modern_tls,
         good=[HTTPS, TLS, HTTP, res(LISTENER, "gwlb", {"defaultActions": FORWARD})],
         bad=[res(LISTENER, "old", {"protocol": "HTTPS", "sslPolicy": "ELBSecurityPolicy-2016-08",
                                    "certificateArn": "arn:c"}),
              res(ALB_LISTENER, "unset", {"protocol": "HTTPS", "certificateArn": "arn:c"}),
              res(LISTENER, "tcp", {"protocol": "TCP", "port": 443})],
         flagged={"old", "unset", "tcp"}, says="2016 policy"),
    Case(lb.lb_access_logs,
         good=[ALB, res(LB_TYPE, "gwlb", {"loadBalancerType": "gateway"})],
         bad=[alb(accessLogs={"enabled": False, "bucket": "logs"}), nlb()], flagged={"alb", "nlb"}),
    Case(lb.lb_deletion_protection,
         good=[ALB], bad=[res(ALB_TYPE, "x", {})], flagged={"x"}),
    Case(lb.alb_request_hardening,
         good=[ALB, alb("defaults", desyncMitigationMode=None), NLB],
         bad=[alb(dropInvalidHeaderFields=False), alb("monitor", desyncMitigationMode="monitor")],
         flagged={"alb", "monitor"}),
    Case(lb.lb_multi_az,
         good=[ALB, NLB, res(LB_TYPE, "mapped", {"subnetMappings": [{"subnetId": "a"}, {"subnetId": "b"}]})],
         bad=[alb(subnets=["s1"])], flagged={"alb"}, says="1 subnet(s)"),
    Case(lb.alb_waf_associated,
         good=[ALB, NLB, alb("internal", internal=True),
               res(WAFV2_WEB_ACL_ASSOCIATION, "waf", {"webAclArn": "arn:acl"}, resourceArn=ALB)],
         bad=[ALB, NLB], flagged={"alb"}),
    Case(lb.lb_by_purpose,
         good=[ALB, NLB, HTTPS, HTTP, TLS],
         bad=[alb("pay", tags={"Purpose": "payment"}), NLB,
              res(LISTENER, "tcp", {"protocol": "TCP", "port": 443}, loadBalancerArn=NLB),
              res(LISTENER, "http-on-nlb", {"protocol": "HTTP", "port": 80}, loadBalancerArn=NLB)],
         flagged={"pay", "tcp", "http-on-nlb"}, says="must be a network load balancer"),
    Case(lb.target_group_health_checks,
         good=[res(LB_TARGET_GROUP, "tg", {"healthCheck": {"enabled": True, "interval": 10}}),
               res(LB_TARGET_GROUP, "default", {})],
         bad=[res(ALB_TARGET_GROUP, "off", {"healthCheck": {"enabled": False}}),
              res(LB_TARGET_GROUP, "slow", {"healthCheck": {"interval": 60}})], flagged={"off", "slow"}),
    Case(lb.target_group_encrypted,
         good=[res(LB_TARGET_GROUP, "tg", {"protocol": "HTTPS"}),
               res(LB_TARGET_GROUP, "geneve", {"protocol": "GENEVE"})],
         bad=[res(LB_TARGET_GROUP, "tg", {"protocol": "HTTP"})], flagged={"tg"}),
)


@pytest.mark.parametrize("c", CASES)
def test_rule(c: Case) -> None:
    check(c)
