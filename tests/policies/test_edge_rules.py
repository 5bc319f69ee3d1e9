"""CloudFront, Route 53, Global Accelerator, Shield, API Gateway and WAF rules."""

import json
from typing import Any

import pytest
from securecart_rules import edge as e

from tests.policies.harness import Case, cases, check, res

BEHAVIOR = {"viewerProtocolPolicy": "redirect-to-https", "targetOriginId": "images"}
DIST: dict[str, Any] = {
    "webAclId": "arn:aws:wafv2:us-east-1:1:global/webacl/edge/x",
    "viewerCertificate": {"acmCertificateArn": "arn:aws:acm:us-east-1:1:certificate/c", "sslSupportMethod": "sni-only",
                          "minimumProtocolVersion": "TLSv1.2_2021"},
    "defaultCacheBehavior": BEHAVIOR,
    "orderedCacheBehaviors": [{**BEHAVIOR, "pathPattern": "/js/*"}],
    "origins": [{"originId": "images", "domainName": "images.s3.us-east-1.amazonaws.com",
                 "originAccessControlId": "oac-1"},
                {"originId": "checkout", "domainName": "checkout.example.com",
                 "customOriginConfig": {"originProtocolPolicy": "https-only", "originSslProtocols": ["TLSv1.2"],
                                        "httpPort": 80, "httpsPort": 443}}],
    "originGroups": [{"originId": "images-failover"}],
    "loggingConfig": {"bucket": "logs.s3.amazonaws.com"},
}


def dist(name: str = "cdn", **props: Any) -> Any:
    return res(e.DISTRIBUTION, name, {**DIST, **props})


def record(name: str, **props: Any) -> Any:
    return res(e.RECORD, name, {"type": "A", "setIdentifier": name, **props})


ALB = res(e.LB[0], "alb", {"internal": False, "loadBalancerType": "application"})
ZONE = res(e.ZONE, "shop", {"name": "shop.example.com"})
GA = res(e.ACCELERATOR, "ga", {"attributes": {"flowLogsEnabled": True, "flowLogsS3Bucket": "logs"}})
API = res(e.REST_API, "api", {"endpointConfiguration": {"types": "REGIONAL"}})
STAGE = res(e.REST_STAGE, "prod", {"stageName": "prod", "xrayTracingEnabled": True,
                                   "accessLogSettings": {"destinationArn": "arn:aws:logs:x", "format": "{}"}},
            restApi=API)
MANAGED = [{"name": n, "priority": i, "statement": {"managedRuleGroupStatement": {"name": n, "vendorName": "AWS"}},
            "visibilityConfig": {"cloudwatchMetricsEnabled": True, "metricName": n, "sampledRequestsEnabled": True}}
           for i, n in enumerate(("AWSManagedRulesCommonRuleSet", "AWSManagedRulesSQLiRuleSet"))]
ACL_VISIBILITY = {"cloudwatchMetricsEnabled": True, "metricName": "acl", "sampledRequestsEnabled": True}
ACL = res(e.WEB_ACL, "acl", {"rules": MANAGED, "visibilityConfig": ACL_VISIBILITY})


def protections(*targets: Any) -> list[Any]:
    return [res(e.PROTECTION, f"shield-{t.name}", resourceArn=t) for t in targets]


CASES = cases(
    Case(e.cloudfront_waf, good=[dist()], bad=[dist(webAclId=None)], flagged={"cdn"}),
    Case(e.cloudfront_viewer_tls,
         good=[dist()],
         bad=[dist(viewerCertificate={"cloudfrontDefaultCertificate": True}),
              dist("old", viewerCertificate={**DIST["viewerCertificate"], "minimumProtocolVersion": "TLSv1.1_2016"}),
              dist("vip", viewerCertificate={**DIST["viewerCertificate"], "sslSupportMethod": "vip"})],
         flagged={"cdn", "old", "vip"}),
    Case(e.cloudfront_viewer_https_only,
         good=[dist()], bad=[dist(orderedCacheBehaviors=[{**BEHAVIOR, "viewerProtocolPolicy": "allow-all",
                                                          "pathPattern": "/img/*"}])],
         flagged={"cdn"}, says="'/img/*'"),
    Case(e.cloudfront_origins_secure,
         good=[dist()],
         bad=[dist(origins=[{"originId": "o", "domainName": "x.example.com", "customOriginConfig": {
             "originProtocolPolicy": "match-viewer", "originSslProtocols": ["TLSv1", "TLSv1.2"]}}]),
              dist("no-oac", origins=[{"originId": "s3", "domainName": "b.s3.us-east-1.amazonaws.com"}])],
         flagged={"cdn", "no-oac"}),
    Case(e.cloudfront_access_logging, good=[dist()], bad=[dist(loggingConfig=None)], flagged={"cdn"}),
    Case(e.cloudfront_origin_failover, good=[dist()], bad=[dist(originGroups=[])], flagged={"cdn"}),
    Case(e.route53_routing_health_checked,
         good=[record("us", latencyRoutingPolicies=[{"region": "us-east-1"}], healthCheckId="hc-1"),
               record("eu", geolocationRoutingPolicies=[{"continent": "EU"}],
                      aliases=[{"name": "alb", "zoneId": "Z", "evaluateTargetHealth": True}]),
               record("simple")],
         bad=[record("us", latencyRoutingPolicies=[{"region": "us-east-1"}]),
              record("primary", failoverRoutingPolicies=[{"type": "PRIMARY"}],
                     aliases=[{"name": "alb", "zoneId": "Z", "evaluateTargetHealth": False}])],
         flagged={"us", "primary"}, says="This latency record has no health check"),
    Case(e.shield_advanced_on_entry_points,
         good=[dist(), ALB, ZONE, GA, res(e.LB[0], "internal", {"internal": True}),
               res(e.ZONE, "private-zone", {"vpcs": [{"vpcId": "v"}]}), *protections(dist(), ALB, ZONE, GA)],
         bad=[dist(), ALB, ZONE, GA, *protections(dist(), ZONE)], flagged={"alb", "ga"}),
    Case(e.global_accelerator_flow_logs,
         good=[GA], bad=[res(e.ACCELERATOR, "ga", {"attributes": {"flowLogsEnabled": False}})], flagged={"ga"}),
    Case(e.apigateway_execution_logging,
         good=[API, STAGE, res(e.METHOD_SETTINGS, "all", {"methodPath": "*/*", "settings": {"loggingLevel": "INFO"}},
                               restApi=API, stageName=STAGE)],
         bad=[API, STAGE, res(e.METHOD_SETTINGS, "all", {"methodPath": "*/*", "settings": {"loggingLevel": "OFF"}},
                              restApi=API, stageName=STAGE)],
         flagged={"prod"}),
    Case(e.apigateway_access_logging,
         good=[STAGE, res(e.HTTP_STAGE, "v2", {"accessLogSettings": {"destinationArn": "arn:aws:logs:y"}})],
         bad=[res(e.REST_STAGE, "prod", {}), res(e.HTTP_STAGE, "v2", {})], flagged={"prod", "v2"}),
    Case(e.apigateway_waf,
         good=[STAGE, res(e.WAF_ASSOCIATION, "waf", resourceArn=STAGE)], bad=[STAGE], flagged={"prod"}),
    Case(e.apigateway_xray,
         good=[STAGE], bad=[res(e.REST_STAGE, "prod", {"xrayTracingEnabled": False})], flagged={"prod"}),
    Case(e.apigateway_authorization,
         good=[res(e.METHOD, "get", {"httpMethod": "GET", "authorization": "AWS_IAM"}),
               res(e.METHOD, "cors", {"httpMethod": "OPTIONS", "authorization": "NONE"}),
               res(e.ROUTE_V2, "r", {"authorizationType": "JWT"})],
         bad=[res(e.METHOD, "get", {"httpMethod": "GET", "authorization": "NONE"}),
              res(e.ROUTE_V2, "r", {})],
         flagged={"get", "r"}),
    Case(e.apigateway_regional_or_private,
         good=[API], bad=[res(e.REST_API, "api", {"endpointConfiguration": {"types": "EDGE"}})], flagged={"api"}),
    Case(e.waf_blocks_sqli_and_xss, label="rules",
         good=[ACL, res(e.WEB_ACL, "custom", {"rules": [
             {"name": "sqli", "statement": {"sqliMatchStatement": {"fieldToMatch": {"body": {}}}}},
             {"name": "xss", "statement": {"xssMatchStatement": {"fieldToMatch": {"body": {}}}}}]})],
         bad=[res(e.WEB_ACL, "empty", {"rules": []}),
              res(e.WEB_ACL, "no-sqli", {"rules": MANAGED[:1]})],
         flagged={"empty", "no-sqli"}, says="SQL injection"),
    Case(e.waf_blocks_sqli_and_xss, label="rule-json",
         good=[res(e.WEB_ACL, "json", {"ruleJson": json.dumps([
             {"Name": "m", "Statement": {"ManagedRuleGroupStatement": {"Name": "AWSManagedRulesSQLiRuleSet"}}},
             {"Name": "x", "Statement": {"XssMatchStatement": {}}}])})],
         bad=[res(e.WEB_ACL, "json", {"ruleJson": json.dumps([
             {"Name": "x", "Statement": {"XssMatchStatement": {}}}])})],
         flagged={"json"}),
    Case(e.waf_metrics,
         good=[ACL], bad=[res(e.WEB_ACL, "acl", {"rules": MANAGED, "visibilityConfig": {
             **ACL_VISIBILITY, "cloudwatchMetricsEnabled": False}})], flagged={"acl"}),
    Case(e.waf_logging,
         good=[ACL, res(e.WAF_LOGGING, "log", resourceArn=ACL)], bad=[ACL], flagged={"acl"}),
)


@pytest.mark.parametrize("c", CASES)
def test_rule(c: Case) -> None:
    check(c)
