"""CloudFront, Route 53, ACM, Global Accelerator, Shield, API Gateway and WAF rules."""

import json
from typing import Any

import pytest
from securecart_rules import edge as e
from securecart_rules.types import (
    ACM_CERTIFICATE,
    ACM_CERTIFICATE_VALIDATION,
    APIGATEWAY_DOMAIN_NAME,
    APIGATEWAY_INTEGRATION,
    APIGATEWAY_METHOD,
    APIGATEWAY_METHOD_SETTINGS,
    APIGATEWAY_REST_API,
    APIGATEWAY_STAGE,
    APIGATEWAYV2_ROUTE,
    APIGATEWAYV2_STAGE,
    CLOUDFRONT_DISTRIBUTION,
    CLOUDWATCH_LOG_DELIVERY,
    CLOUDWATCH_LOG_DELIVERY_SOURCE,
    EC2_EIP,
    GLOBALACCELERATOR_ACCELERATOR,
    LB_LISTENER,
    LB_LOAD_BALANCER,
    ROUTE53_HEALTH_CHECK,
    ROUTE53_QUERY_LOG,
    ROUTE53_RECORD,
    ROUTE53_ZONE,
    SHIELD_PROTECTION,
    SHIELD_PROTECTION_HEALTH_CHECK_ASSOCIATION,
    WAFV2_WEB_ACL,
    WAFV2_WEB_ACL_ASSOCIATION,
    WAFV2_WEB_ACL_LOGGING_CONFIGURATION,
)

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
    return res(CLOUDFRONT_DISTRIBUTION, name, {**DIST, **props})


def record(name: str, **props: Any) -> Any:
    return res(ROUTE53_RECORD, name, {"type": "A", "setIdentifier": name, **props})


ALB = res(LB_LOAD_BALANCER, "alb", {"internal": False, "loadBalancerType": "application"})
ZONE = res(ROUTE53_ZONE, "shop", {"name": "shop.example.com"})
GA = res(GLOBALACCELERATOR_ACCELERATOR, "ga", {"attributes": {"flowLogsEnabled": True, "flowLogsS3Bucket": "logs"}})
API = res(APIGATEWAY_REST_API, "api", {"endpointConfiguration": {"types": "REGIONAL"}})
STAGE = res(APIGATEWAY_STAGE, "prod", {"stageName": "prod", "xrayTracingEnabled": True,
                                   "accessLogSettings": {"destinationArn": "arn:aws:logs:x", "format": "{}"}},
            restApi=API)
MANAGED = [{"name": n, "priority": i, "statement": {"managedRuleGroupStatement": {"name": n, "vendorName": "AWS"}},
            "visibilityConfig": {"cloudwatchMetricsEnabled": True, "metricName": n, "sampledRequestsEnabled": True}}
           for i, n in enumerate(("AWSManagedRulesCommonRuleSet", "AWSManagedRulesSQLiRuleSet"))]
ACL_VISIBILITY = {"cloudwatchMetricsEnabled": True, "metricName": "acl", "sampledRequestsEnabled": True}
ACL = res(WAFV2_WEB_ACL, "acl", {"rules": MANAGED, "visibilityConfig": ACL_VISIBILITY})


def protections(*targets: Any) -> list[Any]:
    return [res(SHIELD_PROTECTION, f"shield-{t.name}", resourceArn=t) for t in targets]


# --- standard logging v2: CloudWatch vended logs from the distribution to a bucket ---------------------------------
LOG_DESTINATION = res("aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination", "cdn-logs-bucket",
                      {"deliveryDestinationConfiguration": {"destinationResourceArn": "arn:aws:s3:::logs"}})


def log_source(distribution: Any, log_type: str = "ACCESS_LOGS") -> Any:
    return res(CLOUDWATCH_LOG_DELIVERY_SOURCE, f"{distribution.name}-logs", {"logType": log_type},
               resourceArn=distribution)


def logged_v2(name: str, log_type: str = "ACCESS_LOGS") -> list[Any]:
    """A distribution without legacy logging, its delivery source and a delivery to LOG_DESTINATION."""
    distribution = dist(name, loggingConfig=None)
    source = log_source(distribution, log_type)
    return [distribution, source,
            res(CLOUDWATCH_LOG_DELIVERY, f"{name}-delivery", deliverySourceName=source,
                deliveryDestinationArn=LOG_DESTINATION)]


def central_logs(name: str) -> list[Any]:
    """Delivered to a destination named by ARN (another account's), not built in this stack."""
    distribution = dist(name, loggingConfig=None)
    source = log_source(distribution)
    return [distribution, source, res(CLOUDWATCH_LOG_DELIVERY, f"{name}-delivery", {
        "deliveryDestinationArn": "arn:aws:logs:us-east-1:2:delivery-destination:central"}, deliverySourceName=source)]


def half_logged_v2() -> list[Any]:
    """Access-log sources that lead nowhere: one without a delivery, one whose delivery names the source by a
    plain string (no dependency on it), one whose delivery has no destination. With LOG_DESTINATION."""
    undelivered, by_name, nowhere = (dist(n, loggingConfig=None) for n in ("undelivered", "by-name", "nowhere"))
    nowhere_source = log_source(nowhere)
    return [undelivered, log_source(undelivered),
            by_name, log_source(by_name),
            res(CLOUDWATCH_LOG_DELIVERY, "by-name-delivery", {"deliverySourceName": "by-name-logs"},
                deliveryDestinationArn=LOG_DESTINATION),
            nowhere, nowhere_source,
            res(CLOUDWATCH_LOG_DELIVERY, "nowhere-delivery", deliverySourceName=nowhere_source)]


# --- Route 53 health checks ----------------------------------------------------------------------------------------
def health_check(name: str, **props: Any) -> Any:
    return res(ROUTE53_HEALTH_CHECK, name, {"type": "HTTPS", "fqdn": "us.shop.example.com", "port": 443,
                                            "resourcePath": "/health", **props})


FAST = {"requestInterval": 10, "failureThreshold": 3}


# --- ACM certificates ----------------------------------------------------------------------------------------------
CERT = res(ACM_CERTIFICATE, "edge-cert", {"domainName": "shop.example.com", "validationMethod": "DNS"})
VALIDATION = res(ACM_CERTIFICATE_VALIDATION, "edge-cert-validation", certificateArn=CERT)
IMPORTED = res(ACM_CERTIFICATE, "imported", {"certificateBody": "-----BEGIN CERTIFICATE-----",
                                             "privateKey": "-----BEGIN PRIVATE KEY-----"})
PRIVATE_CA = res(ACM_CERTIFICATE, "internal-cert", {"domainName": "shop.internal",
                                                    "certificateAuthorityArn": "arn:aws:acm-pca:us-east-1:1:ca/x"})


def listener(name: str, certificate: Any) -> Any:
    return res(LB_LISTENER, name, {"protocol": "HTTPS", "port": 443}, certificateArn=certificate)


def listener_depending_on(name: str, certificate: Any, validation: Any) -> Any:
    """A listener given the certificate's own ARN, with depends_on=[validation]."""
    reg = listener(name, certificate)
    reg.dependencies = sorted({*reg.dependencies, validation.urn})
    return reg


def served_by(name: str, certificate: Any) -> Any:
    return res(CLOUDFRONT_DISTRIBUTION, name, DIST, viewerCertificate=certificate)


# --- Shield: Elastic IPs, NLBs and health-based detection ----------------------------------------------------------
NAT_EIP = res(EC2_EIP, "nat-a-eip", {"domain": "vpc"})
NLB_EIPS = [res(EC2_EIP, f"nlb-{z}-eip", {"domain": "vpc"}) for z in ("a", "b")]
PUBLIC_NLB = res(LB_LOAD_BALANCER, "public-nlb", {
    "internal": False, "loadBalancerType": "network",
    "subnetMappings": [{"subnetId": f"subnet-{z}", "allocationId": f"nlb-{z}-eip-id"} for z in ("a", "b")]},
    subnetMappings=NLB_EIPS)
INTERNAL_NLB = res(LB_LOAD_BALANCER, "payment-nlb", {"internal": True, "loadBalancerType": "network",
                                                     "subnets": ["subnet-a", "subnet-b"]})
HEALTH = res(ROUTE53_HEALTH_CHECK, "region-health", {"type": "HTTPS", "fqdn": "us.shop.example.com"})


def health_detected(*protected: Any) -> list[Any]:
    return [res(SHIELD_PROTECTION_HEALTH_CHECK_ASSOCIATION, f"{p.name}-health", shieldProtectionId=p,
                healthCheckArn=HEALTH) for p in protected]


# --- API Gateway: methods, their integrations, stages' method settings, domains ------------------------------------
RESOURCE = res("aws:apigateway/resource:Resource", "payments", {"pathPart": "payments"}, restApi=API)


def method(name: str, http: str, authorization: str | None, **props: Any) -> Any:
    return res(APIGATEWAY_METHOD, name, {"httpMethod": http, "authorization": authorization, **props},
               restApi=API, resourceId=RESOURCE)


def integration(name: str, kind: str, of: Any = None, **props: Any) -> Any:
    """An integration joined to its method through http_method (``of``), or by equal API, resource and verb."""
    joins: dict[str, Any] = {"restApi": API, "resourceId": RESOURCE}
    if of is not None:
        joins["httpMethod"] = of
        props = {"httpMethod": of.inputs["httpMethod"], **props}
    return res(APIGATEWAY_INTEGRATION, name, {"type": kind, **props}, **joins)


CORS = method("cors", "OPTIONS", "NONE")
ROOT_CORS = res(APIGATEWAY_METHOD, "root-cors", {"httpMethod": "OPTIONS", "authorization": "NONE"}, restApi=API,
                resourceId=API)  # a pre-flight on the API's root resource (resource_id=api.root_resource_id)
PRIVATE = {"connectionType": "VPC_LINK", "connectionId": "vpclink-1", "uri": "http://payment.internal/{proxy}"}


def method_settings(name: str, **settings: Any) -> Any:
    return res(APIGATEWAY_METHOD_SETTINGS, name, {"methodPath": "*/*",
                                                  "settings": {"loggingLevel": "INFO", **settings}},
               restApi=API, stageName=STAGE)


def domain(name: str, **props: Any) -> Any:
    return res(APIGATEWAY_DOMAIN_NAME, name, {"domainName": f"{name}.partners.example.com",
                                              "regionalCertificateArn": "arn:aws:acm:us-east-1:1:certificate/p",
                                              "endpointConfiguration": {"types": "REGIONAL"},
                                              "securityPolicy": "TLS_1_2", **props})


# --- WAF: count mode, rate limits, log redaction --------------------------------------------------------------------
def managed(name: str, override: str = "none") -> dict[str, Any]:
    return {"name": name, "priority": 1, "overrideAction": {override: {}},
            "statement": {"managedRuleGroupStatement": {"name": name, "vendorName": "AWS"}},
            "visibilityConfig": {"cloudwatchMetricsEnabled": True, "metricName": name, "sampledRequestsEnabled": True}}


def rate(action: str = "block", priority: int = 5, **statement: Any) -> dict[str, Any]:
    return {"name": "rate-limit-per-ip", "priority": priority, "action": {action: {}},
            "statement": {"rateBasedStatement": {"limit": 2000, "aggregateKeyType": "IP", **statement}}}


def origin_verify(priority: int = 0) -> dict[str, Any]:
    return {"name": "origin-verify", "priority": priority, "action": {"block": {}}, "statement": {"notStatement": {
        "statement": {"byteMatchStatement": {"fieldToMatch": {"singleHeader": {"name": "x-origin-verify"}},
                                             "positionalConstraint": "EXACTLY", "searchString": "s"}}}}}


def acl(name: str, *rules: dict[str, Any], scope: str = "REGIONAL") -> Any:
    return res(WAFV2_WEB_ACL, name, {"scope": scope, "rules": list(rules), "visibilityConfig": ACL_VISIBILITY})


def waf_log(name: str, *headers: str) -> Any:
    return res(WAFV2_WEB_ACL_LOGGING_CONFIGURATION, name,
               {"redactedFields": [{"singleHeader": {"name": h}} for h in headers]}, resourceArn=ACL)


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
    Case(e.cloudfront_access_logging, label="legacy",
         good=[dist()], bad=[dist(loggingConfig=None)], flagged={"cdn"}, says="LogDeliverySource"),
    Case(e.cloudfront_access_logging, label="v2",
         good=[LOG_DESTINATION, *logged_v2("cdn"), *central_logs("central")],
         bad=[LOG_DESTINATION, *logged_v2("wrong-type", log_type="CONNECTION_LOGS"), *half_logged_v2()],
         flagged={"wrong-type", "undelivered", "by-name", "nowhere"}, says="has no LogDelivery whose"),
    Case(e.cloudfront_origin_failover, good=[dist()], bad=[dist(originGroups=[])], flagged={"cdn"}),
    Case(e.route53_routing_health_checked,
         good=[record("us", latencyRoutingPolicies=[{"region": "us-east-1"}], healthCheckId="hc-1"),
               record("eu", geolocationRoutingPolicies=[{"continent": "EU"}],
                      aliases=[{"name": "alb", "zoneId": "Z", "evaluateTargetHealth": True}]),
               # the geolocation default: everyone else goes to the latency records, if they are healthy
               record("default", geolocationRoutingPolicies=[{"country": "*"}],
                      aliases=[{"name": "latency.shop.example.com", "zoneId": "Z", "evaluateTargetHealth": True}]),
               record("simple")],
         bad=[record("us", latencyRoutingPolicies=[{"region": "us-east-1"}]),
              record("primary", failoverRoutingPolicies=[{"type": "PRIMARY"}],
                     aliases=[{"name": "alb", "zoneId": "Z", "evaluateTargetHealth": False}]),
              record("default", geolocationRoutingPolicies=[{"country": "*"}],
                     aliases=[{"name": "latency.shop.example.com", "zoneId": "Z", "evaluateTargetHealth": False}])],
         flagged={"us", "primary", "default"}, says="This latency record has no health check"),
    Case(e.route53_health_check_fast, label="default-bound",
         good=[health_check("fast", **FAST, regions=["us-east-1", "eu-west-1", "ap-southeast-1"]),
               health_check("one-standard-miss", type="HTTP", requestInterval=30, failureThreshold=1),
               health_check("both-regions", type="CALCULATED", childHealthchecks=["hc-us", "hc-eu"]),
               health_check("alarm", type="CLOUDWATCH_METRIC")],
         bad=[health_check("defaults"),
              health_check("slow", type="HTTPS_STR_MATCH", requestInterval=10, failureThreshold=5),
              health_check("tcp", type="TCP", requestInterval=30, failureThreshold=3),
              health_check("odd-interval", type="HTTP_STR_MATCH", requestInterval=20, failureThreshold=1),
              health_check("two-regions", **FAST, regions=["us-east-1", "eu-west-1"])],
         flagged={"defaults", "slow", "tcp", "odd-interval", "two-regions"}, says="noticed after 90 s"),
    Case(e.route53_health_check_fast, label="configured-bound",
         good=[health_check("defaults")], bad=[health_check("slow", requestInterval=10, failureThreshold=10)],
         flagged={"slow"}, says="within 90 s", config={"maxDetectionSeconds": 90}),
    Case(e.route53_zone_query_logging,
         good=[ZONE, res(ROUTE53_QUERY_LOG, "shop-queries", {"cloudwatchLogGroupArn": "arn:aws:logs:x"}, zoneId=ZONE),
               res(ROUTE53_ZONE, "private-zone", {"vpcs": [{"vpcId": "v"}]})],
         bad=[ZONE, res(ROUTE53_ZONE, "private-zone", {"vpcs": [{"vpcId": "v"}]})],
         flagged={"shop"}),
    Case(e.shield_advanced_on_entry_points,
         good=[dist(), ALB, ZONE, GA, res(LB_LOAD_BALANCER, "internal", {"internal": True}),
               res(ROUTE53_ZONE, "private-zone", {"vpcs": [{"vpcId": "v"}]}), NAT_EIP, *NLB_EIPS, PUBLIC_NLB,
               INTERNAL_NLB, *protections(dist(), ALB, ZONE, GA, NAT_EIP, *NLB_EIPS)],
         bad=[dist(), ALB, ZONE, GA, NAT_EIP, *NLB_EIPS, *protections(dist(), ZONE, *NLB_EIPS),
              res(LB_LOAD_BALANCER, "subnets-nlb", {"internal": False, "loadBalancerType": "network",
                                                    "subnets": ["subnet-a", "subnet-b"]}),
              res(LB_LOAD_BALANCER, "half-nlb", {"internal": False, "loadBalancerType": "network", "subnetMappings": [
                  {"subnetId": "subnet-a", "allocationId": "nlb-a-eip-id"}, {"subnetId": "subnet-b"}]})],
         flagged={"alb", "ga", "nat-a-eip", "subnets-nlb", "half-nlb"}, says="eip-allocation/<allocation id>"),
    Case(e.shield_health_based_detection,
         good=[dist(), ALB, GA, ZONE, NAT_EIP, HEALTH, *protections(dist(), ALB, GA, ZONE, NAT_EIP),
               *health_detected(*protections(dist(), ALB, GA))],
         bad=[dist(), ALB, GA, ZONE, HEALTH, *protections(dist(), ALB, GA, ZONE),
              *health_detected(*protections(dist())),
              res(SHIELD_PROTECTION_HEALTH_CHECK_ASSOCIATION, "no-check", {},
                  shieldProtectionId=protections(GA)[0])],
         flagged={"shield-alb", "shield-ga"}, says="The protection of 'alb' has no health-based detection"),
    Case(e.global_accelerator_flow_logs,
         good=[GA], bad=[res(GLOBALACCELERATOR_ACCELERATOR, "ga", {"attributes": {"flowLogsEnabled": False}}),
                         res(GLOBALACCELERATOR_ACCELERATOR, "no-bucket", {"attributes": {"flowLogsEnabled": True}}),
                         res(GLOBALACCELERATOR_ACCELERATOR, "defaults", {})],
         flagged={"ga", "no-bucket", "defaults"}),
    Case(e.acm_certificate_dns_validated,
         good=[CERT, IMPORTED, PRIVATE_CA],
         bad=[res(ACM_CERTIFICATE, "email", {"domainName": "shop.example.com", "validationMethod": "EMAIL"}),
              res(ACM_CERTIFICATE, "unset", {"domainName": "shop.example.com"})],
         flagged={"email", "unset"}, says="validated by EMAIL"),
    Case(e.acm_certificate_validation_awaited,
         good=[CERT, VALIDATION, IMPORTED, PRIVATE_CA, listener("https", VALIDATION),
               listener_depending_on("https-depends-on", CERT, VALIDATION), served_by("cdn", VALIDATION),
               listener("imported-https", IMPORTED)],
         bad=[CERT, VALIDATION, listener("https", CERT), served_by("cdn", CERT),
              res(ACM_CERTIFICATE, "pending", {"domainName": "eu.shop.example.com", "validationMethod": "DNS"})],
         flagged={"https", "cdn", "pending"}, says="uses certificate 'edge-cert' before it is issued"),
    Case(e.apigateway_execution_logging,
         good=[API, STAGE, res(APIGATEWAY_METHOD_SETTINGS, "all", {"methodPath": "*/*",
                                                                   "settings": {"loggingLevel": "INFO"}},
                               restApi=API, stageName=STAGE)],
         bad=[API, STAGE, res(APIGATEWAY_METHOD_SETTINGS, "all", {"methodPath": "*/*",
                                                                  "settings": {"loggingLevel": "OFF"}},
                              restApi=API, stageName=STAGE)],
         flagged={"prod"}),
    Case(e.apigateway_access_logging,
         good=[STAGE, res(APIGATEWAYV2_STAGE, "v2", {"accessLogSettings": {"destinationArn": "arn:aws:logs:y",
                                                                          "format": "$context.requestId"}})],
         bad=[res(APIGATEWAY_STAGE, "prod", {}), res(APIGATEWAYV2_STAGE, "v2", {}),
              res(APIGATEWAY_STAGE, "no-format", {"accessLogSettings": {"destinationArn": "arn:aws:logs:x"}}),
              res(APIGATEWAYV2_STAGE, "blank-format", {"accessLogSettings": {"destinationArn": "arn:aws:logs:y",
                                                                            "format": " "}})],
         flagged={"prod", "v2", "no-format", "blank-format"}, says="Access logs have no format"),
    Case(e.apigateway_no_data_trace,
         good=[method_settings("all", dataTraceEnabled=False), method_settings("defaults"),
               res(APIGATEWAYV2_STAGE, "ws", {"defaultRouteSettings": {"dataTraceEnabled": False,
                                                                       "loggingLevel": "ERROR"},
                                              "routeSettings": [{"routeKey": "$connect", "loggingLevel": "INFO"}]})],
         bad=[method_settings("all", dataTraceEnabled=True),
              res(APIGATEWAYV2_STAGE, "ws", {"defaultRouteSettings": {"dataTraceEnabled": True}}),
              res(APIGATEWAYV2_STAGE, "ws-route", {"routeSettings": [{"routeKey": "$default",
                                                                      "dataTraceEnabled": True}]})],
         flagged={"all", "ws", "ws-route"}, says="log full request and response bodies"),
    Case(e.apigateway_waf,
         good=[STAGE, res(WAFV2_WEB_ACL_ASSOCIATION, "waf", resourceArn=STAGE)], bad=[STAGE], flagged={"prod"}),
    Case(e.apigateway_xray,
         good=[STAGE], bad=[res(APIGATEWAY_STAGE, "prod", {"xrayTracingEnabled": False})], flagged={"prod"}),
    Case(e.apigateway_authorization,
         good=[API, RESOURCE, method("get", "GET", "AWS_IAM", apiKeyRequired=True),
               method("post", "POST", "COGNITO_USER_POOLS", authorizerId="auth-1"),
               method("put", "PUT", "CUSTOM", authorizerId="auth-2"),
               integration("put-backend", "HTTP_PROXY", **PRIVATE, httpMethod="PUT"),
               CORS, integration("cors-mock", "MOCK", of=CORS),
               # a pre-flight on the API's root resource, its MOCK integration joined by API, resource and verb
               ROOT_CORS,
               res(APIGATEWAY_INTEGRATION, "root-cors-mock", {"type": "MOCK", "httpMethod": "OPTIONS"}, restApi=API,
                   resourceId=API),
               res(APIGATEWAYV2_ROUTE, "r", {"authorizationType": "JWT"})],
         bad=[API, RESOURCE, method("get", "GET", "NONE"), method("key-only", "POST", "NONE", apiKeyRequired=True),
              method("unset", "DELETE", None), method("typo", "PATCH", "IAM"),
              CORS, integration("cors-backend", "HTTP_PROXY", of=CORS, **PRIVATE),
              # a MOCK on another resource is not this pre-flight's integration
              ROOT_CORS,
              integration("other-mock", "MOCK", httpMethod="OPTIONS"),
              res(APIGATEWAYV2_ROUTE, "r", {})],
         flagged={"get", "key-only", "unset", "typo", "cors", "root-cors", "r"}, says="an API key alone"),
    Case(e.apigateway_authorization, label="pre-flight-integration",
         good=[API, RESOURCE, ROOT_CORS, res(APIGATEWAY_INTEGRATION, "root-cors-mock", {"type": "MOCK",
                                                                                       "httpMethod": "OPTIONS"},
                                             restApi=API, resourceId=API)],
         # MOCK integrations of the same verb on another resource, and of another verb on the same resource
         bad=[API, RESOURCE, ROOT_CORS, integration("other-mock", "MOCK", httpMethod="OPTIONS"),
              res(APIGATEWAY_INTEGRATION, "get-mock", {"type": "MOCK", "httpMethod": "GET"}, restApi=API,
                  resourceId=API)],
         flagged={"root-cors"}, says="has no integration in the stack"),
    Case(e.apigateway_private_integration,
         good=[integration("vpc-link", "HTTP_PROXY", **PRIVATE), integration("http-vpc-link", "HTTP", **PRIVATE),
               integration("lambda", "AWS_PROXY", uri="arn:aws:apigateway:us-east-1:lambda:path/fn"),
               integration("mock", "MOCK")],
         bad=[integration("public", "HTTP_PROXY", uri="https://payments.example.com/{proxy}",
                          connectionType="INTERNET"),
              integration("default-internet", "HTTP", uri="https://fraud.example.com/"),
              integration("no-link", "HTTP_PROXY", connectionType="VPC_LINK", uri="http://nlb/")],
         flagged={"public", "default-internet", "no-link"}, says="over the internet"),
    Case(e.apigateway_private_integration, label="internet-by-default",
         good=[integration("vpc-link", "HTTP_PROXY", **PRIVATE)],
         bad=[integration("default-internet", "HTTP", uri="https://fraud.example.com/", connectionId="vpclink-1")],
         flagged={"default-internet"}, says="over the internet"),
    Case(e.apigateway_domain_tls, label="default-policies",
         good=[domain("us"), domain("eu", securityPolicy="SecurityPolicy_TLS13_1_3_2025_09"),
               domain("list", endpointConfiguration={"types": ["REGIONAL"]})],
         bad=[domain("tls10", securityPolicy="TLS_1_0"), domain("unset", securityPolicy=None),
              domain("edge", endpointConfiguration={"types": "EDGE"}),
              domain("edge-policy", securityPolicy="SecurityPolicy_TLS13_2025_EDGE"),
              domain("private", endpointConfiguration={"types": "PRIVATE"})],
         flagged={"tls10", "unset", "edge", "edge-policy", "private"}, says="accepts TLS_1_0"),
    Case(e.apigateway_domain_tls, label="configured-policies",
         good=[domain("us", securityPolicy="SecurityPolicy_TLS13_1_3_2025_09")], bad=[domain("us")],
         flagged={"us"}, says="accepts TLS_1_2", config={"securityPolicies": ["SecurityPolicy_TLS13_1_3_2025_09"]}),
    Case(e.apigateway_regional_or_private,
         good=[API], bad=[res(APIGATEWAY_REST_API, "api",
                              {"endpointConfiguration": {"types": "EDGE"}})], flagged={"api"}),
    Case(e.waf_blocks_sqli_and_xss, label="rules",
         good=[ACL, res(WAFV2_WEB_ACL, "custom", {"rules": [
             {"name": "sqli", "statement": {"sqliMatchStatement": {"fieldToMatch": {"body": {}}}}},
             {"name": "xss", "statement": {"xssMatchStatement": {"fieldToMatch": {"body": {}}}}}]})],
         bad=[res(WAFV2_WEB_ACL, "empty", {"rules": []}),
              res(WAFV2_WEB_ACL, "no-sqli", {"rules": MANAGED[:1]})],
         flagged={"empty", "no-sqli"}, says="SQL injection"),
    Case(e.waf_blocks_sqli_and_xss, label="rule-json",
         good=[res(WAFV2_WEB_ACL, "json", {"ruleJson": json.dumps([
             {"Name": "m", "Statement": {"ManagedRuleGroupStatement": {"Name": "AWSManagedRulesSQLiRuleSet"}}},
             {"Name": "x", "Statement": {"XssMatchStatement": {}}}])})],
         bad=[res(WAFV2_WEB_ACL, "json", {"ruleJson": json.dumps([
             {"Name": "x", "Statement": {"XssMatchStatement": {}}}])})],
         flagged={"json"}),
    Case(e.waf_metrics,
         good=[ACL], bad=[res(WAFV2_WEB_ACL, "acl", {"rules": MANAGED, "visibilityConfig": {
             **ACL_VISIBILITY, "cloudwatchMetricsEnabled": False}})], flagged={"acl"}),
    Case(e.waf_logging,
         good=[ACL, res(WAFV2_WEB_ACL_LOGGING_CONFIGURATION, "log", resourceArn=ACL)], bad=[ACL], flagged={"acl"}),
    Case(e.waf_managed_groups_enforced, label="default",
         good=[acl("blocking", managed("AWSManagedRulesCommonRuleSet"), managed("AWSManagedRulesSQLiRuleSet"),
                   rate("count")),
               res(WAFV2_WEB_ACL, "json", {"ruleJson": json.dumps([{
                   "Name": "c", "OverrideAction": {"None": {}},
                   "Statement": {"ManagedRuleGroupStatement": {"Name": "AWSManagedRulesCommonRuleSet"}}}])})],
         bad=[acl("counting", managed("AWSManagedRulesCommonRuleSet"), managed("AWSManagedRulesSQLiRuleSet", "count")),
              res(WAFV2_WEB_ACL, "json", {"ruleJson": json.dumps([{
                  "Name": "c", "OverrideAction": {"Count": {}},
                  "Statement": {"ManagedRuleGroupStatement": {"Name": "AWSManagedRulesCommonRuleSet"}}}])})],
         flagged={"counting", "json"},
         says="Managed rule group AWSManagedRulesSQLiRuleSet (rule 'AWSManagedRulesSQLiRuleSet') only counts"),
    Case(e.waf_managed_groups_enforced, label="count-allowed",
         good=[acl("tuning", managed("AWSManagedRulesAnonymousIpList", "count"))],
         bad=[acl("tuning", managed("AWSManagedRulesAnonymousIpList", "count"),
                  managed("AWSManagedRulesSQLiRuleSet", "count"))],
         flagged={"tuning"}, config={"countAllowed": ["AWSManagedRulesAnonymousIpList"]}),
    Case(e.waf_rate_limit,
         good=[acl("accelerator", managed("AWSManagedRulesCommonRuleSet"), rate()),
               acl("cloudfront", managed("AWSManagedRulesCommonRuleSet"), rate(aggregateKeyType="FORWARDED_IP"),
                   scope="CLOUDFRONT"),
               acl("custom-keys", rate(aggregateKeyType="CUSTOM_KEYS", customKeys=[{"ip": {}}, {"httpMethod": {}}])),
               # the customer ALB's: only CloudFront reaches it, so the first rule verifies the origin header
               acl("alb", origin_verify(), managed("AWSManagedRulesCommonRuleSet")),
               res(WAFV2_WEB_ACL, "json", {"scope": "REGIONAL", "ruleJson": json.dumps([{
                   "Name": "r", "Priority": 0, "Action": {"Block": {}},
                   "Statement": {"RateBasedStatement": {"Limit": 500, "AggregateKeyType": "IP"}}}])})],
         bad=[acl("none", managed("AWSManagedRulesCommonRuleSet")),
              acl("counting", managed("AWSManagedRulesCommonRuleSet"), rate("count")),
              acl("constant", rate(aggregateKeyType="CONSTANT")),
              acl("cloudfront", origin_verify(), managed("AWSManagedRulesCommonRuleSet"), scope="CLOUDFRONT"),
              acl("verify-later", managed("AWSManagedRulesCommonRuleSet"), origin_verify(priority=9)),
              acl("verify-counts", {**origin_verify(), "action": {"count": {}}})],
         flagged={"none", "counting", "constant", "cloudfront", "verify-later", "verify-counts"},
         says="no rate-based rule"),
    Case(e.waf_logging_redaction, label="default",
         good=[ACL, waf_log("log", "Authorization", "cookie", "x-origin-verify")],
         bad=[ACL, waf_log("cookie-only", "cookie"), waf_log("nothing"),
              res(WAFV2_WEB_ACL_LOGGING_CONFIGURATION, "query-only", {"redactedFields": [{"queryString": {}}]},
                  resourceArn=ACL)],
         flagged={"cookie-only", "nothing", "query-only"}, says="header(s) authorization:"),
    Case(e.waf_logging_redaction, label="configured",
         good=[ACL, waf_log("log", "x-origin-verify")], bad=[ACL, waf_log("log", "authorization", "cookie")],
         flagged={"log"}, config={"requiredRedactions": ["X-Origin-Verify"]}),
)


@pytest.mark.parametrize("c", CASES)
def test_rule(c: Case) -> None:
    check(c)
