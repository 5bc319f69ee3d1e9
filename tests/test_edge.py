"""The edge tier (issue 12) as synthesized from the real program and stack files after the plan's passes: the zone
and its query logs, the DNS-validated certificates and who serves them, CloudFront (origins, origin group,
behaviours, viewer certificate, web ACL, access logs), Route 53's records and health checks, Global Accelerator,
Shield; what a fresh pair builds first; the failover figures; and the settings the edge refuses."""

import fnmatch
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from securecart_rules import POLICIES

from automation import mocks, report
from automation.gate import evaluate
from automation.mocks import Registration
from automation.project import Project
from automation.synth import StackResult, SynthRun, synth_all, synth_stack
from components.settings.cross_region import check_stack_set
from components.settings.loader import parse_settings
from components.settings.types import ConfigError
from tests.conftest import Graph, assert_refused, is_secret, plain, policy_doc

ACCOUNT = "123456789012"
DOMAIN = "securecart.example"
STOREFRONT, API, CHECKOUT, PARTNERS = f"www.{DOMAIN}", f"api.{DOMAIN}", f"checkout.{DOMAIN}", f"partners.{DOMAIN}"
NEAREST = f"nearest.{API}"
REGIONS = ("us-east-1", "eu-west-1")

ZONE = "aws:route53/zone:Zone"
RECORD = "aws:route53/record:Record"
HEALTH = "aws:route53/healthCheck:HealthCheck"
CERT = "aws:acm/certificate:Certificate"
VALIDATION = "aws:acm/certificateValidation:CertificateValidation"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
WEB_ACL = "aws:wafv2/webAcl:WebAcl"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
LB = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
BUCKET = "aws:s3/bucket:Bucket"
POLICY = "aws:s3/bucketPolicy:BucketPolicy"
ENDPOINT_GROUP = "aws:globalaccelerator/endpointGroup:EndpointGroup"

CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # AWS's managed CachingDisabled policy
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"  # AWS's managed AllViewerExceptHostHeader policy
ALL_METHODS = {"GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"}
MANAGED_GROUPS = ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesSQLiRuleSet", "AWSManagedRulesKnownBadInputsRuleSet",
                  "AWSManagedRulesAmazonIpReputationList"]


@pytest.fixture
def us(synth_run: SynthRun) -> Graph:
    """The primary after the plan's passes: it owns the edge."""
    return Graph(synth_run.results["prod-us"])


def _eu(synth_run: SynthRun) -> StackResult:
    return synth_run.results["prod-eu"]


def _alb(synth_run: SynthRun, region: str) -> tuple[str, str]:
    """A region's ALB (DNS name, canonical zone): us-east-1's from its resource, eu-west-1's from prod-eu's outputs
    (what the primary read)."""
    if region == "us-east-1":
        alb = Graph(synth_run.results["prod-us"]).one(LB, "alb")
        return alb.outputs["dnsName"], alb.outputs["zoneId"]
    eu = Graph(_eu(synth_run)).one(LB, "alb")
    assert (_eu(synth_run).outputs["albDnsName"], _eu(synth_run).outputs["albZoneId"]) == \
        (eu.outputs["dnsName"], eu.outputs["zoneId"])
    return _eu(synth_run).outputs["albDnsName"], _eu(synth_run).outputs["albZoneId"]


def _region_of(arn: str) -> str:
    return arn.split(":")[3]


# --- the zone and its query logs ----------------------------------------------------------------------------------

def test_the_zone_is_the_domains_protected_and_the_primarys_alone(us: Graph, synth_run: SynthRun) -> None:
    zone = us.one(ZONE, "zone")
    assert zone.inputs["name"] == DOMAIN and zone.protect and zone.inputs["forceDestroy"] is False
    outputs = synth_run.results["prod-us"].outputs
    assert outputs["hostedZoneId"] == zone.outputs["zoneId"] and outputs["nameServers"] == zone.outputs["nameServers"]
    assert len(zone.outputs["nameServers"]) == 4
    shield = us.one("aws:shield/protection:Protection", "zone-shield")
    assert shield.inputs["resourceArn"] == zone.outputs["arn"] == f"arn:aws:route53:::hostedzone/{zone.id}"
    # The secondary builds no global resource.
    eu = _eu(synth_run)
    assert not [r.name for r in eu.resources if r.type.split(":")[1].split("/")[0] in
                ("route53", "acm", "cloudfront", "globalaccelerator")]


def test_query_logs_go_to_an_encrypted_group_only_route53_may_write(us: Graph) -> None:
    zone = us.one(ZONE, "zone")
    (query_log,) = us.of_type("aws:route53/queryLog:QueryLog")
    assert query_log.inputs["zoneId"] == zone.outputs["zoneId"]
    group = next(g for g in us.of_type(LOG_GROUP) if g.outputs["arn"] == query_log.inputs["cloudwatchLogGroupArn"])
    assert group.inputs["name"] == f"/aws/route53/{DOMAIN}" and group.inputs["name"].startswith("/aws/route53/")
    assert _region_of(group.outputs["arn"]) == "us-east-1"  # Route 53 writes query logs only there
    assert group.inputs["kmsKeyId"] == us.one("aws:kms/key:Key", "logs-key").outputs["arn"]
    assert group.inputs["retentionInDays"] >= 365
    policy = us.one("aws:cloudwatch/logResourcePolicy:LogResourcePolicy", "zone-query-logs-policy")
    assert policy.urn in query_log.dependencies  # Route 53 checks it may write when the config is created
    (statement,) = policy_doc(policy.inputs["policyDocument"])["Statement"]
    assert statement["Effect"] == "Allow" and statement["Principal"] == {"Service": "route53.amazonaws.com"}
    assert sorted(statement["Action"]) == ["logs:CreateLogStream", "logs:PutLogEvents"]
    resource = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/route53/*"
    assert statement["Resource"] == resource and fnmatch.fnmatch(group.outputs["arn"], resource)
    # Both conditions, and nothing looser: this account's hosted zones only.
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT},
                                      "ArnLike": {"aws:SourceArn": "arn:aws:route53:::hostedzone/*"}}
    assert fnmatch.fnmatch(zone.outputs["arn"], statement["Condition"]["ArnLike"]["aws:SourceArn"])


# --- certificates ---------------------------------------------------------------------------------------------------

CERTIFICATES = {  # name -> (domain names, region): a region's also covers the partners' API and its internal names
    "cert-cloudfront": ([STOREFRONT], "us-east-1"),
    "cert-us-east-1": ([API, CHECKOUT, PARTNERS, f"*.us-east-1.{DOMAIN}"], "us-east-1"),
    "cert-eu-west-1": ([API, CHECKOUT, PARTNERS, f"*.eu-west-1.{DOMAIN}"], "eu-west-1"),
}


def test_certificates_cover_their_names_in_their_regions_and_validate_by_dns(us: Graph) -> None:
    certs = {c.name: c for c in us.of_type(CERT)}
    assert sorted(certs) == sorted(CERTIFICATES)
    for name, (domains, region) in CERTIFICATES.items():
        i = certs[name].inputs
        assert [i["domainName"], *i.get("subjectAlternativeNames", [])] == domains, name
        assert i["validationMethod"] == "DNS"
        assert i.get("region") == (None if region == "us-east-1" else region), name  # the others: the stack's
        assert _region_of(certs[name].outputs["arn"]) == region


def test_one_validation_record_per_name_and_each_validation_waits_for_its_names(us: Graph) -> None:
    zone = us.one(ZONE, "zone")
    records = {r.name: r for r in us.of_type(RECORD) if r.name.startswith("validation-")}
    assert sorted(records) == ["validation-api-securecart-example", "validation-checkout-securecart-example",
                               "validation-partners-securecart-example",
                               "validation-wildcard-eu-west-1-securecart-example",
                               "validation-wildcard-us-east-1-securecart-example",
                               "validation-www-securecart-example"]
    by_domain: dict[str, Registration] = {}
    for record in records.values():
        assert record.inputs["zoneId"] == zone.outputs["zoneId"] and record.inputs["type"] == "CNAME"
        # ACM validates *.<region>.<domain> by a record under <region>.<domain>.
        name = record.outputs["fqdn"].split(".", 1)[1]
        by_domain[f"*.{name}" if record.name.startswith("validation-wildcard-") else name] = record
    assert sorted(by_domain) == sorted([API, CHECKOUT, PARTNERS, STOREFRONT, f"*.us-east-1.{DOMAIN}",
                                        f"*.eu-west-1.{DOMAIN}"])
    for cert in us.of_type(CERT):
        # Each certificate's challenge for a name is the one record of that name (ACM shares it across regions).
        for option in cert.outputs["domainValidationOptions"]:
            record = by_domain[option["domainName"]]
            assert (record.inputs["name"], record.inputs["records"]) == \
                (option["resourceRecordName"], [option["resourceRecordValue"]])
        (validation,) = [v for v in us.of_type(VALIDATION) if v.parent == cert.urn]
        names, region = CERTIFICATES[cert.name]
        assert validation.inputs["certificateArn"] == cert.outputs["arn"]
        assert validation.inputs["validationRecordFqdns"] == [by_domain[n].outputs["fqdn"] for n in names]
        assert validation.inputs.get("region") == (None if region == "us-east-1" else region)
        assert {by_domain[n].urn for n in names} <= set(validation.dependencies)


def _validation(us: Graph, key: str) -> Registration:
    return us.one(VALIDATION, f"cert-{key}-validation")


def test_every_listener_serves_its_regions_validated_certificate(us: Graph, synth_run: SynthRun) -> None:
    exported = synth_run.results["prod-us"].outputs["certificateArns"]
    assert exported == {r: _validation(us, r).outputs["certificateArn"] for r in REGIONS}
    assert exported["eu-west-1"] == us.one(CERT, "cert-eu-west-1").outputs["arn"]
    for name, region in (("prod-us", "us-east-1"), ("prod-eu", "eu-west-1")):
        graph = Graph(synth_run.results[name])
        tls = {listener.name: listener.inputs for listener in graph.of_type(LISTENER)
               if listener.inputs.get("protocol") in ("HTTPS", "TLS")}
        # The ALBs', each nlb service's on the NLB, and the endpoint service's NLB's (payment over PrivateLink).
        assert sorted(tls) == ["accelerator-https", "alb-https", "integrations-tls", "payment-pl-tls",
                               "payment-tls"], name
        # prod-eu: exactly the ARN the primary exported for its region (read after the plan's passes)
        assert {i["certificateArn"] for i in tls.values()} == {exported[region]}, name


# --- CloudFront -------------------------------------------------------------------------------------------------------

def _distribution(us: Graph) -> Registration:
    return us.one(DISTRIBUTION, "distribution")


def test_the_distribution_serves_the_storefront_with_its_validated_certificate(us: Graph,
                                                                                synth_run: SynthRun) -> None:
    d = _distribution(us)
    i = d.inputs
    assert i["enabled"] is True and i["aliases"] == [STOREFRONT]
    assert i["viewerCertificate"] == {"acmCertificateArn": _validation(us, "cloudfront").outputs["certificateArn"],
                                      "sslSupportMethod": "sni-only", "minimumProtocolVersion": "TLSv1.2_2021"}
    assert _region_of(i["viewerCertificate"]["acmCertificateArn"]) == "us-east-1"
    assert (i["httpVersion"], i["isIpv6Enabled"], i["priceClass"]) == ("http2and3", True, "PriceClass_100")
    acl = us.one(WEB_ACL, "cloudfront-waf")
    assert i["webAclId"] == acl.outputs["arn"] and acl.inputs["scope"] == "CLOUDFRONT"
    outputs = synth_run.results["prod-us"].outputs
    assert (outputs["distributionArn"], outputs["distributionDomainName"]) == (d.outputs["arn"],
                                                                               d.outputs["domainName"])
    assert outputs["cloudfrontCertificateArn"] == i["viewerCertificate"]["acmCertificateArn"]


def _origins(us: Graph) -> dict[str, dict[str, Any]]:
    return {o["originId"]: o for o in plain(_distribution(us).inputs["origins"])}


def test_the_dynamic_origin_is_the_api_name_over_tls_with_the_verification_header(us: Graph) -> None:
    origins = _origins(us)
    assert sorted(origins) == ["images-eu-west-1", "images-us-east-1", "regional-api"]
    api = origins["regional-api"]
    assert api["domainName"] == API
    config = api["customOriginConfig"]
    assert (config["originProtocolPolicy"], config["originSslProtocols"], config["httpsPort"]) == \
        ("https-only", ["TLSv1.2"], 443)
    # What the ALBs' web ACLs accept (the primary's current generated value), sent as a secret.
    value = us.one("random:index/randomPassword:RandomPassword", "origin-verify-initial").outputs["result"]
    assert api["customHeaders"] == [{"name": "x-origin-verify", "value": value}]
    assert is_secret(_distribution(us).inputs["origins"])


def test_the_images_come_from_both_buckets_through_origin_access_control(us: Graph, synth_run: SynthRun) -> None:
    origins, oac = _origins(us), us.one("aws:cloudfront/originAccessControl:OriginAccessControl", "images-oac")
    assert (oac.inputs["signingProtocol"], oac.inputs["signingBehavior"], oac.inputs["originAccessControlOriginType"]) \
        == ("sigv4", "always", "s3")
    assert origins["images-us-east-1"]["domainName"] == \
        "securecart-prod-product-images-us-east-1.s3.us-east-1.amazonaws.com" == \
        synth_run.results["prod-us"].outputs["imagesBucketRegionalDomainName"]
    assert origins["images-eu-west-1"]["domainName"] == _eu(synth_run).outputs["imagesBucketRegionalDomainName"]
    for region in REGIONS:
        origin = origins[f"images-{region}"]
        assert origin["originAccessControlId"] == oac.id and "customOriginConfig" not in origin
        assert "customHeaders" not in origin
    assert _distribution(us).inputs["originGroups"] == [{
        "originId": "images", "failoverCriteria": {"statusCodes": [500, 502, 503, 504]},
        "members": [{"originId": "images-us-east-1"}, {"originId": "images-eu-west-1"}]}]


def _dynamic(behaviour: dict[str, Any], headers_policy: str) -> None:
    assert behaviour["targetOriginId"] == "regional-api"
    assert set(behaviour["allowedMethods"]) == ALL_METHODS and len(behaviour["allowedMethods"]) == 7
    assert behaviour["cachePolicyId"] == CACHING_DISABLED
    assert behaviour["originRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST
    assert behaviour["viewerProtocolPolicy"] == "redirect-to-https"
    assert behaviour["responseHeadersPolicyId"] == headers_policy


def test_each_behaviour_has_its_origin_methods_and_caching(us: Graph) -> None:
    i = _distribution(us).inputs
    headers = us.one("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy", "security-headers")
    cache = us.one("aws:cloudfront/cachePolicy:CachePolicy", "static-cache")
    _dynamic(i["defaultCacheBehavior"], headers.id)
    ordered = {b["pathPattern"]: b for b in i["orderedCacheBehaviors"]}
    assert [b["pathPattern"] for b in i["orderedCacheBehaviors"]] == ["/images/*", "/static/*", "/api/*", "/checkout*"]
    for path in ("/api/*", "/checkout*"):
        _dynamic(ordered[path], headers.id)
    for path in ("/images/*", "/static/*"):
        b = ordered[path]
        assert b["targetOriginId"] == "images"  # the origin group, not one bucket
        assert b["allowedMethods"] == ["GET", "HEAD", "OPTIONS"] and b["cachedMethods"] == ["GET", "HEAD"]
        assert b["cachePolicyId"] == cache.id and "originRequestPolicyId" not in b
        assert (b["viewerProtocolPolicy"], b["responseHeadersPolicyId"], b["compress"]) == \
            ("redirect-to-https", headers.id, True)
    assert cache.inputs["maxTtl"] == 31536000 and cache.inputs["defaultTtl"] >= 86400
    assert cache.inputs["parametersInCacheKeyAndForwardedToOrigin"] == {
        "cookiesConfig": {"cookieBehavior": "none"}, "headersConfig": {"headerBehavior": "none"},
        "queryStringsConfig": {"queryStringBehavior": "none"},
        "enableAcceptEncodingGzip": True, "enableAcceptEncodingBrotli": True}
    security = headers.inputs["securityHeadersConfig"]
    assert security["strictTransportSecurity"] == {"accessControlMaxAgeSec": 63072000, "includeSubdomains": True,
                                                   "preload": True, "override": True}
    assert security["contentTypeOptions"] == {"override": True}
    assert security["frameOptions"] == {"frameOption": "DENY", "override": True}
    assert security["referrerPolicy"]["referrerPolicy"] == "strict-origin-when-cross-origin"


def _starts_with(prefix: str) -> dict[str, Any]:
    return {"byteMatchStatement": {"fieldToMatch": {"uriPath": {}}, "positionalConstraint": "STARTS_WITH",
                                   "searchString": prefix, "textTransformations": [{"priority": 0, "type": "NONE"}]}}


def test_the_cloudfront_web_acl_blocks_with_the_managed_groups_and_a_rate_limit_per_ip(us: Graph) -> None:
    acl = us.one(WEB_ACL, "cloudfront-waf")
    assert acl.inputs["scope"] == "CLOUDFRONT" and acl.inputs["defaultAction"] == {"allow": {}}
    rules = plain(acl.inputs["rules"])
    # securecart:waf's geo block (KP) first, then the managed groups, then the rate limit.
    assert [r["name"] for r in rules] == ["geo-block", *MANAGED_GROUPS, "rate-limit-per-ip"]
    assert [r["priority"] for r in rules] == list(range(len(rules)))
    assert rules[0]["action"] == {"block": {}} and "overrideAction" not in rules[0]
    assert rules[0]["statement"] == {"geoMatchStatement": {"countryCodes": ["KP"]}}
    for rule in rules[1:5]:  # as AWS set them (block): a group overridden to count fails here
        assert rule["overrideAction"] == {"none": {}} and "action" not in rule
        assert rule["statement"] == {"managedRuleGroupStatement": {"name": rule["name"], "vendorName": "AWS"}}
    rate = rules[5]
    assert rate["action"] == {"block": {}} and "overrideAction" not in rate
    # Per client IP, the configured limit; requests for assets (the cached paths) are not counted.
    assert rate["statement"] == {"rateBasedStatement": {
        "limit": 2000, "aggregateKeyType": "IP", "scopeDownStatement": {"notStatement": {"statement": {
            "orStatement": {"statements": [_starts_with("/images/"), _starts_with("/static/")]}}}}}}
    assert all(r["visibilityConfig"]["cloudwatchMetricsEnabled"] and r["visibilityConfig"]["sampledRequestsEnabled"]
               for r in rules)
    logging = us.one("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration", "cloudfront-waf-logging")
    assert logging.inputs["resourceArn"] == acl.outputs["arn"]
    assert logging.inputs["redactedFields"] == [{"singleHeader": {"name": "cookie"}},
                                                {"singleHeader": {"name": "authorization"}}]
    (group,) = [g for g in us.of_type(LOG_GROUP) if g.outputs["arn"] in logging.inputs["logDestinationConfigs"]]
    assert group.inputs["name"].startswith("aws-waf-logs-") and _region_of(group.outputs["arn"]) == "us-east-1"
    assert group.inputs["kmsKeyId"] and group.inputs["retentionInDays"] >= 365


def test_access_logs_are_delivered_v2_to_the_edge_log_bucket(us: Graph) -> None:
    d, bucket = _distribution(us), us.one(BUCKET, "edge-logs")
    source = us.one("aws:cloudwatch/logDeliverySource:LogDeliverySource", "cloudfront-access-logs")
    assert (source.inputs["logType"], source.inputs["resourceArn"]) == ("ACCESS_LOGS", d.outputs["arn"])
    destination = us.one("aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination",
                         "cloudfront-access-logs-bucket")
    assert destination.inputs["deliveryDestinationConfiguration"] == {"destinationResourceArn": bucket.outputs["arn"]}
    delivery = us.one("aws:cloudwatch/logDelivery:LogDelivery", "cloudfront-access-logs-delivery")
    assert delivery.inputs["deliverySourceName"] == source.outputs["name"]
    assert delivery.inputs["deliveryDestinationArn"] == destination.outputs["arn"]
    assert us.one(POLICY, "edge-logs-policy").urn in delivery.dependencies  # the bucket admits it first


def test_the_edge_log_bucket_admits_the_log_delivery_service_for_these_sources_only(us: Graph) -> None:
    bucket = us.one(BUCKET, "edge-logs")
    arn = bucket.outputs["arn"]
    policy = us.one(POLICY, "edge-logs-policy")
    assert policy.inputs["bucket"] == bucket.id and bucket.protect
    sids = {s["Sid"]: s for s in policy_doc(policy.inputs["policy"])["Statement"]}
    assert sids["DenyInsecureTransport"]["Effect"] == "Deny"
    assert sids["DenyInsecureTransport"]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    owner = {"aws:SourceAccount": ACCOUNT, "s3:x-amz-acl": "bucket-owner-full-control"}
    cloudfront = sids["CloudFrontAccessLogs"]
    assert (cloudfront["Principal"], cloudfront["Action"], cloudfront["Resource"]) == \
        ({"Service": "delivery.logs.amazonaws.com"}, "s3:PutObject", f"{arn}/AWSLogs/{ACCOUNT}/*")
    source = us.one("aws:cloudwatch/logDeliverySource:LogDeliverySource", "cloudfront-access-logs")
    assert cloudfront["Condition"] == {"StringEquals": owner, "ArnLike": {
        "aws:SourceArn": f"arn:aws:logs:us-east-1:{ACCOUNT}:delivery-source:{source.outputs['name']}"}}
    assert fnmatch.fnmatch(source.outputs["arn"], cloudfront["Condition"]["ArnLike"]["aws:SourceArn"])
    accelerator = us.one("aws:globalaccelerator/accelerator:Accelerator", "accelerator").inputs["attributes"]
    flow = sids["AcceleratorFlowLogs"]
    assert (flow["Principal"], flow["Action"]) == ({"Service": "delivery.logs.amazonaws.com"}, "s3:PutObject")
    # Global Accelerator writes <prefix>/AWSLogs/<account>/…: the grant names exactly its prefix.
    assert flow["Resource"] == f"{arn}/{accelerator['flowLogsS3Prefix']}/AWSLogs/{ACCOUNT}/*"
    assert flow["Condition"] == {"StringEquals": owner}
    assert sids["LogDeliveryAcl"]["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
    assert sorted(sids) == ["AcceleratorFlowLogs", "CloudFrontAccessLogs", "DenyInsecureTransport", "LogDeliveryAcl"]
    # Encrypted under a key the log delivery service may use for this account only.
    key = us.one("aws:kms/key:Key", "edge-logs-key")
    (rule,) = us.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                     "edge-logs-sse").inputs["rules"]
    assert rule["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "aws:kms",
                                                          "kmsMasterKeyId": key.outputs["arn"]}
    (grant,) = [s for s in policy_doc(key.inputs["policy"])["Statement"]
                if s["Principal"] == {"Service": "delivery.logs.amazonaws.com"}]
    assert grant["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}


# --- Route 53 ---------------------------------------------------------------------------------------------------------

def _records(us: Graph) -> dict[str, dict[str, Any]]:
    return {r.name: r.inputs for r in us.of_type(RECORD) if not r.name.startswith("validation-")}


def test_the_storefront_is_an_alias_of_the_distribution_for_ipv4_and_ipv6(us: Graph) -> None:
    d, zone, records = _distribution(us), us.one(ZONE, "zone"), _records(us)
    for kind in ("A", "AAAA"):
        record = records[f"storefront-{kind.lower()}"]
        assert (record["zoneId"], record["name"], record["type"]) == (zone.outputs["zoneId"], STOREFRONT, kind)
        assert record["aliases"] == [{"name": d.outputs["domainName"], "zoneId": d.outputs["hostedZoneId"],
                                      "evaluateTargetHealth": False}]


def test_the_nearest_api_name_routes_by_latency_to_each_healthy_region(us: Graph, synth_run: SynthRun) -> None:
    records = _records(us)
    latency = {n: r for n, r in records.items() if "latencyRoutingPolicies" in r and r["name"] == NEAREST}
    assert sorted(latency) == [f"api-nearest-{r}" for r in sorted(REGIONS)]
    checks = {h.name: h.id for h in us.of_type(HEALTH)}
    for region in REGIONS:
        record = latency[f"api-nearest-{region}"]
        assert (record["name"], record["type"], record["setIdentifier"]) == (NEAREST, "A", region)
        assert record["latencyRoutingPolicies"] == [{"region": region}]
        dns_name, zone_id = _alb(synth_run, region)
        assert record["aliases"] == [{"name": dns_name, "zoneId": zone_id, "evaluateTargetHealth": True}]
        assert record["healthCheckId"] == checks[f"health-{region}"]


def test_the_api_name_routes_by_geolocation_and_falls_back_to_latency(us: Graph, synth_run: SynthRun) -> None:
    records = _records(us)
    geo = {n: r for n, r in records.items() if "geolocationRoutingPolicies" in r}
    assert sorted(geo) == ["api-geo-default", "api-geo-eu", "api-geo-na"]
    assert all(r["name"] == API and r["type"] == "A" for r in geo.values())
    assert len({r["setIdentifier"] for r in geo.values()}) == 3
    checks = {h.name: h.id for h in us.of_type(HEALTH)}
    for name, continent, region in (("api-geo-eu", "EU", "eu-west-1"), ("api-geo-na", "NA", "us-east-1")):
        record = geo[name]
        assert record["geolocationRoutingPolicies"] == [{"continent": continent}]
        dns_name, zone_id = _alb(synth_run, region)
        assert record["aliases"] == [{"name": dns_name, "zoneId": zone_id, "evaluateTargetHealth": True}]
        assert record["healthCheckId"] == checks[f"health-{region}"]
    default = geo["api-geo-default"]
    assert default["geolocationRoutingPolicies"] == [{"country": "*"}]
    assert default["aliases"] == [{"name": NEAREST, "zoneId": us.one(ZONE, "zone").outputs["zoneId"],
                                   "evaluateTargetHealth": True}]
    # Route 53 refuses an alias to a name the zone does not hold yet.
    default_urn = next(r.urn for r in us.of_type(RECORD) if r.name == "api-geo-default")
    nearest = {r.urn for r in us.of_type(RECORD) if r.name.startswith("api-nearest-")}
    assert nearest <= set(us.result.get(default_urn).dependencies)


def test_every_routed_record_is_bound_to_health(us: Graph) -> None:
    """A record Route 53 chooses among (latency, geolocation) drops out when its region is unhealthy: one aliasing a
    load balancer carries the region's health check and evaluates its target, one aliasing a record of the zone
    evaluates its health, one aliasing a region's partners' API domain carries that region's health check."""
    zone_id = us.one(ZONE, "zone").outputs["zoneId"]
    checks = {h.id for h in us.of_type(HEALTH) if h.inputs["type"] == "HTTPS"}
    routed = [r for r in _records(us).values() if any(k.endswith("RoutingPolicies") and r[k] for k in r)]
    assert len(routed) == 7
    for record in routed:
        (alias,) = record["aliases"]
        if record["name"] == PARTNERS:  # API Gateway's domain: the region's own check decides
            assert record["healthCheckId"] in checks and ".execute-api." in alias["name"]
            continue
        assert alias["evaluateTargetHealth"] is True
        if alias["zoneId"] != zone_id:  # a load balancer
            assert record.get("healthCheckId") in checks, record["setIdentifier"]


def test_the_partners_name_routes_by_latency_to_each_regions_api_domain(us: Graph, synth_run: SynthRun) -> None:
    """partners.<domain>: a latency record per region aliasing that region's API Gateway custom domain (prod-eu's
    from its outputs, after the plan's fourth step), bound to the region's health check."""
    records = {n: r for n, r in _records(us).items() if r["name"] == PARTNERS}
    assert sorted(records) == [f"partners-{r}" for r in sorted(REGIONS)]
    checks = {h.name: h.id for h in us.of_type(HEALTH)}
    eu = _eu(synth_run)
    targets = {"us-east-1": us.one("aws:apigateway/domainName:DomainName", "partners-domain").outputs,
               "eu-west-1": Graph(eu).one("aws:apigateway/domainName:DomainName", "partners-domain").outputs}
    assert (eu.outputs["partnersDomainTarget"], eu.outputs["partnersDomainZoneId"]) == \
        (targets["eu-west-1"]["regionalDomainName"], targets["eu-west-1"]["regionalZoneId"])
    for region in REGIONS:
        record = records[f"partners-{region}"]
        assert (record["zoneId"], record["type"], record["setIdentifier"]) == \
            (us.one(ZONE, "zone").outputs["zoneId"], "A", region)
        assert record["latencyRoutingPolicies"] == [{"region": region}]
        assert record["healthCheckId"] == checks[f"health-{region}"]
        assert record["aliases"] == [{"name": targets[region]["regionalDomainName"],
                                      "zoneId": targets[region]["regionalZoneId"], "evaluateTargetHealth": False}]
        assert f".execute-api.{region}.amazonaws.com" in record["aliases"][0]["name"]


def test_checkout_is_an_alias_of_the_accelerator(us: Graph) -> None:
    accelerator = us.one("aws:globalaccelerator/accelerator:Accelerator", "accelerator")
    record = _records(us)["checkout"]
    assert (record["name"], record["type"]) == (CHECKOUT, "A")
    assert record["aliases"] == [{"name": accelerator.outputs["dnsName"], "zoneId": accelerator.outputs["hostedZoneId"],
                                  "evaluateTargetHealth": False}]


def test_each_region_has_a_fast_https_health_check_with_an_alarm(us: Graph, synth_run: SynthRun) -> None:
    checks = {h.name: h for h in us.of_type(HEALTH) if h.inputs["type"] != "CALCULATED"}
    assert sorted(checks) == [f"health-{r}" for r in sorted(REGIONS)]
    topic = us.one("aws:sns/topic:Topic", "alarms").outputs["arn"]
    alarms = {a.inputs["dimensions"].get("HealthCheckId"): a.inputs for a in
              us.of_type("aws:cloudwatch/metricAlarm:MetricAlarm") if a.inputs.get("namespace") == "AWS/Route53"}
    for region in REGIONS:
        check = checks[f"health-{region}"]
        i = check.inputs
        assert (i["type"], i["fqdn"], i["port"], i["resourcePath"]) == ("HTTPS", _alb(synth_run, region)[0], 443,
                                                                        "/healthz")
        assert (i["requestInterval"], i["failureThreshold"]) == (10, 3)
        assert len(i["regions"]) >= 3 and len(set(i["regions"])) == len(i["regions"])
        alarm = alarms[check.id]
        assert (alarm["metricName"], alarm["comparisonOperator"], alarm["threshold"]) == \
            ("HealthCheckStatus", "LessThanThreshold", 1)
        assert alarm["dimensions"] == {"HealthCheckId": check.id}
        assert alarm["alarmActions"] == [topic] and alarm["okActions"] == [topic]
    assert synth_run.results["prod-us"].outputs["healthCheckIds"] == {r: checks[f"health-{r}"].id for r in REGIONS}
    assert synth_run.results["prod-us"].outputs["healthCheckPath"] == "/healthz"


def test_a_calculated_check_is_healthy_while_any_region_is(us: Graph) -> None:
    """health-any-region (what Shield's detection watches for CloudFront and the accelerator): CALCULATED over both
    regions' HTTPS checks, healthy while at least one is."""
    checks = {h.name: h for h in us.of_type(HEALTH)}
    assert sorted(checks) == ["health-any-region", *(f"health-{r}" for r in sorted(REGIONS))]
    calculated = checks["health-any-region"].inputs
    assert (calculated["type"], calculated["childHealthThreshold"]) == ("CALCULATED", 1)
    assert sorted(calculated["childHealthchecks"]) == sorted(checks[f"health-{r}"].id for r in REGIONS)
    assert not {"fqdn", "port", "resourcePath"} & set(calculated)


# --- Global Accelerator, Shield ---------------------------------------------------------------------------------------

def test_the_accelerator_logs_and_reaches_both_regions_accelerator_albs(us: Graph, synth_run: SynthRun) -> None:
    accelerator = us.one("aws:globalaccelerator/accelerator:Accelerator", "accelerator")
    assert accelerator.inputs["enabled"] is True
    assert accelerator.inputs["attributes"] == {"flowLogsEnabled": True, "flowLogsS3Prefix": "accelerator",
                                                "flowLogsS3Bucket": us.one(BUCKET, "edge-logs").outputs["bucket"]}
    (listener,) = us.of_type("aws:globalaccelerator/listener:Listener")
    assert listener.inputs["acceleratorArn"] == accelerator.outputs["arn"]
    assert (listener.inputs["protocol"], listener.inputs["clientAffinity"], listener.inputs["portRanges"]) == \
        ("TCP", "SOURCE_IP", [{"fromPort": 443, "toPort": 443}])
    groups = {g.name: g.inputs for g in us.of_type(ENDPOINT_GROUP)}
    assert sorted(groups) == ["accelerator-eu-west-1", "accelerator-us-east-1"]
    endpoints = {"us-east-1": us.one(LB, "accelerator-alb").outputs["arn"],
                 "eu-west-1": _eu(synth_run).outputs["acceleratorAlbArn"]}
    assert endpoints["eu-west-1"] == Graph(_eu(synth_run)).one(LB, "accelerator-alb").outputs["arn"]
    for region, alb in endpoints.items():
        group = groups[f"accelerator-{region}"]
        assert group["listenerArn"] == listener.outputs["arn"] and group["endpointGroupRegion"] == region
        assert group["trafficDialPercentage"] == 100
        (endpoint,) = group["endpointConfigurations"]
        assert (endpoint["endpointId"], endpoint["clientIpPreservationEnabled"]) == (alb, True)
        assert _region_of(alb) == region and ":loadbalancer/app/" in alb


def test_shield_protects_every_public_entry_point_of_the_edge(us: Graph) -> None:
    """The edge's entry points (and the region's ALB and NAT addresses) each have a protection, all in the Shield
    tier (components/shield.py); the rest of Shield is tested in test_protection."""
    protections = {p.name: p for p in us.of_type("aws:shield/protection:Protection")}
    nat = {f"nat-{e.name.removeprefix('nat-').removesuffix('-eip')}-eip-shield":
           f"arn:aws:ec2:us-east-1:{ACCOUNT}:eip-allocation/{e.outputs['allocationId']}"
           for e in us.of_type("aws:ec2/eip:Eip")}
    assert {n: p.inputs["resourceArn"] for n, p in protections.items()} == {
        "cloudfront-shield": _distribution(us).outputs["arn"], "zone-shield": us.one(ZONE, "zone").outputs["arn"],
        "accelerator-shield": us.one("aws:globalaccelerator/accelerator:Accelerator", "accelerator").outputs["arn"],
        "alb-shield": us.one(LB, "alb").outputs["arn"], **nat}
    (tier,) = [r for r in us.result.resources if r.type == "securecart:shield:ShieldTier"]
    assert {p.parent for p in protections.values()} == {tier.urn}


SHIELD_MOVES = {  # protection -> the parent it was declared under before the Shield tier owned it (type, name)
    "cloudfront-shield": ("securecart:edge:EdgeTier", "edge"),
    "accelerator-shield": ("securecart:edge:EdgeTier", "edge"),
    "zone-shield": ("securecart:dns:DnsTier", "dns"), "alb-shield": (LB, "alb"),
}


def test_the_moved_protections_keep_their_urns_by_aliases_to_their_old_parents(
        project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    """The edge's and the ALB's protections, now the Shield tier's children, alias their URNs under their old
    parents, so a stack that has them updates in place (a replaced protection would leave the entry point
    unprotected between the delete and the create). The recording keeps only an alias's name, so the aliases are
    read from the registrations the program sends."""
    sent: dict[str, list[Any]] = {}  # URN -> the aliases registered with it (the last pass's)
    register = mocks.RecordingMonitor.RegisterResource

    def spy(self: mocks.RecordingMonitor, request: Any) -> Any:
        if request.type == "aws:shield/protection:Protection":
            sent[self.make_urn(request.parent, request.type, request.name)] = list(request.aliases)
        return register(self, request)

    monkeypatch.setattr(mocks.RecordingMonitor, "RegisterResource", spy)
    run = synth_all(project)
    for stack, moved in (("prod-us", SHIELD_MOVES), ("prod-eu", {"alb-shield": SHIELD_MOVES["alb-shield"]})):
        graph = Graph(run.results[stack])
        (tier,) = graph.of_type("securecart:shield:ShieldTier")
        protections = {p.name: p for p in graph.of_type("aws:shield/protection:Protection")}
        assert {p.parent for p in protections.values()} == {tier.urn}
        for name, (typ, parent) in moved.items():
            (alias,) = sent[protections[name].urn]
            # Same name and type, the old parent (which still exists): the URN it had there.
            assert alias.spec.parentUrn == graph.one(typ, parent).urn, (stack, name)
            assert (alias.spec.name, alias.spec.type, alias.spec.noParent) == ("", "", False), (stack, name)
        # The NAT addresses' protections are new: no alias.
        assert sorted(n for n, p in protections.items() if not sent[p.urn]) == \
            [f"nat-{run.results[stack].region}{z}-eip-shield" for z in "abc"]


# --- the secondary's ALB and a fresh pair -----------------------------------------------------------------------------

def _origin_verify(result: StackResult) -> dict[str, Any]:
    rules = plain(Graph(result).one(WEB_ACL, "alb-waf").inputs["rules"])
    (rule,) = [r for r in rules if r["name"] == "origin-verify"]
    assert (rule["priority"], rule["action"]) == (0, {"block": {}})
    return dict(rule["statement"])


def test_after_the_plan_the_secondarys_alb_admits_the_primarys_values_and_the_health_path(
        synth_run: SynthRun) -> None:
    us = synth_run.results["prod-us"]
    inner = _origin_verify(_eu(synth_run))["notStatement"]["statement"]["orStatement"]["statements"]
    header = [s["byteMatchStatement"] for s in inner if "byteMatchStatement" in s]
    assert [(h["fieldToMatch"], h["positionalConstraint"], h["searchString"]) for h in header] == \
        [({"singleHeader": {"name": us.outputs["originVerifyHeader"]}}, "EXACTLY", v)
         for v in plain(us.outputs["originVerifyValues"])]
    (health,) = [s["andStatement"]["statements"] for s in inner if "andStatement" in s]
    assert [(h["byteMatchStatement"]["fieldToMatch"], h["byteMatchStatement"]["positionalConstraint"],
             h["byteMatchStatement"]["searchString"]) for h in health] == \
        [({"uriPath": {}}, "EXACTLY", us.outputs["healthCheckPath"]), ({"method": {}}, "EXACTLY", "GET")]


def test_the_secondarys_first_pass_serves_nothing_and_blocks_every_request(project: Project) -> None:
    """prod-eu before the primary has run: no certificate, so no HTTPS or TLS listener and no ECS service; no
    verification values or health path, so its ALB's web ACL blocks every request."""
    first = synth_stack(project, "prod-eu", {})
    graph = Graph(first)
    assert sorted(x.name for x in graph.of_type(LISTENER)) == ["alb-http", "gwlb-listener"]
    assert graph.of_type("aws:ecs/service:Service") == []
    assert ("info", "delivery: the HTTPS and TLS listeners and the ECS services wait for this region's certificate, "
                    "which the primary stack requests and validates (certificateArns output)") in first.logs
    assert _origin_verify(first) == {"sizeConstraintStatement": {
        "fieldToMatch": {"uriPath": {}}, "comparisonOperator": "GE", "size": 0,
        "textTransformations": [{"priority": 0, "type": "NONE"}]}}
    assert any("admits no unverified request until the primary exports" in m for _, m in first.logs)
    assert [v for v in evaluate(first, POLICIES) if v.level == "mandatory"] == []


def test_the_primarys_first_pass_routes_to_its_own_region_and_says_what_waits(project: Project) -> None:
    first = synth_stack(project, "prod-us", {})
    graph = Graph(first)
    assert sorted(c.name for c in graph.of_type(CERT)) == ["cert-cloudfront", "cert-us-east-1"]
    assert sorted(first.outputs["certificateArns"]) == ["us-east-1"]
    assert sorted(h.name for h in graph.of_type(HEALTH)) == ["health-any-region", "health-us-east-1"]
    assert [g.name for g in graph.of_type(ENDPOINT_GROUP)] == ["accelerator-us-east-1"]
    assert sorted(r.name for r in graph.of_type(RECORD) if r.inputs.get("setIdentifier")) == \
        ["api-geo-default", "api-geo-na", "api-nearest-us-east-1", "partners-us-east-1"]  # no eu-west-1 record
    (d,) = graph.of_type(DISTRIBUTION)
    assert [o["originId"] for o in plain(d.inputs["origins"])] == ["regional-api", "images-us-east-1"]
    assert d.inputs.get("originGroups", []) == []
    assert {b["targetOriginId"] for b in d.inputs["orderedCacheBehaviors"]} == {"images-us-east-1", "regional-api"}
    assert ("info", "edge: prod-eu's region is left out until it exports its load balancer (albDnsName, albZoneId): "
                    "deploy it, then this stack again") in first.logs
    assert [v for v in evaluate(first, POLICIES) if v.level == "mandatory"] == []


def test_before_the_zone_is_delegated_the_primary_requests_no_certificate(
        project_copy: Callable[[Callable[[str, dict[str, Any]], None]], Project], synth_run: SynthRun) -> None:
    def undelegated(name: str, config: dict[str, Any]) -> None:
        if name == "prod-us":
            config["securecart:edge"]["zoneDelegated"] = False

    result = synth_stack(project_copy(undelegated), "prod-us", {"prod-eu": _eu(synth_run).outputs})
    graph = Graph(result)
    zone = graph.one(ZONE, "zone")
    assert graph.of_type("aws:route53/queryLog:QueryLog") and graph.of_type(CERT) == []
    assert graph.of_type(DISTRIBUTION) == [] and graph.of_type(HEALTH) == []
    assert [r.name for r in graph.of_type(RECORD)] == []
    assert not [x.name for x in graph.of_type(LISTENER) if x.inputs.get("protocol") in ("HTTPS", "TLS")]
    assert "certificateArns" not in result.outputs and "distributionArn" not in result.outputs
    servers = ", ".join(zone.outputs["nameServers"])
    assert any(m.startswith(f"dns: no certificate is requested until {DOMAIN} is delegated to this zone: delegate "
                            f"it at the registrar to {servers}") for _, m in result.logs)
    assert [v for v in evaluate(result, POLICIES) if v.level == "mandatory"] == []


# --- failover figures -------------------------------------------------------------------------------------------------

def test_the_failover_figures_are_exported_and_printed(synth_run: SynthRun) -> None:
    outputs = synth_run.results["prod-us"].outputs
    assert outputs["failover"] == {"dnsDetectSeconds": 30, "dnsSwitchSeconds": 90, "acceleratorDetectSeconds": 20,
                                   "acceleratorSwitchSeconds": 20}
    assert "failover" not in _eu(synth_run).outputs
    lines = report.failover(outputs)
    assert any("failover DNS" in line and "detect <= 30 s, switch <= 90 s" in line for line in lines)
    assert any("failover accelerator" in line and "detect <= 20 s, switch <= 20 s" in line for line in lines)
    assert report.failover(_eu(synth_run).outputs) == []


def test_the_failover_figures_move_with_the_health_settings(
        project_copy: Callable[[Callable[[str, dict[str, Any]], None]], Project], synth_run: SynthRun) -> None:
    def faster(name: str, config: dict[str, Any]) -> None:
        if name == "prod-us":
            config["securecart:edge"]["healthCheck"] = {"failureThreshold": 2}

    result = synth_stack(project_copy(faster), "prod-us", {"prod-eu": _eu(synth_run).outputs})
    assert result.outputs["failover"] == {"dnsDetectSeconds": 20, "dnsSwitchSeconds": 80,
                                          "acceleratorDetectSeconds": 20, "acceleratorSwitchSeconds": 20}
    assert {h.inputs["failureThreshold"] for h in result.by_type(HEALTH) if h.inputs["type"] == "HTTPS"} == {2}
    assert any("detect <= 20 s, switch <= 80 s" in line for line in report.failover(result.outputs))


# --- bad input --------------------------------------------------------------------------------------------------------

def _edge(values: dict[str, str], **changes: Any) -> dict[str, str]:
    edge = json.loads(values["securecart:edge"])
    edge.update(changes)
    return {**values, "securecart:edge": json.dumps(edge)}


def _service(values: dict[str, str], index: int, **changes: Any) -> dict[str, str]:
    delivery = json.loads(values["securecart:delivery"])
    if index < 0:
        delivery.update(changes)
    else:
        delivery["services"][index].update(changes)
    return {**values, "securecart:delivery": json.dumps(delivery)}


BAD_EDGE: list[tuple[str, Callable[[dict[str, str]], dict[str, str]], str]] = [
    ("not a domain name", lambda v: _edge(v, domain="securecart"),
     "securecart:edge.domain: 'securecart' is not a domain name"),
    ("a domain with an underscore", lambda v: _edge(v, domain="secure_cart.example"),
     "securecart:edge.domain: 'secure_cart.example' is not a domain name"),
    ("a record name outside the domain", lambda v: _edge(v, storefront="www.other.example"),
     "securecart:edge.storefront: 'www.other.example' is not within securecart.example"),
    ("traffic dial 150", lambda v: _edge(v, accelerator={"trafficDials": {"eu-west-1": 150}}),
     "securecart:edge.accelerator.trafficDials.eu-west-1: 150 is outside 0-100"),
    ("health-check interval 20", lambda v: _edge(v, healthCheck={"intervalSeconds": 20}),
     "securecart:edge.healthCheck.intervalSeconds: 20 is not a Route 53 request interval: use 10 or 30"),
    ("failure threshold 11", lambda v: _edge(v, healthCheck={"failureThreshold": 11}),
     "securecart:edge.healthCheck.failureThreshold: 11: input should be less than or equal to 10"),
    ("failure threshold 0", lambda v: _edge(v, healthCheck={"failureThreshold": 0}),
     "securecart:edge.healthCheck.failureThreshold: 0: input should be greater than or equal to 1"),
    ("geolocation code XX", lambda v: _edge(v, geolocation=[{"location": "XX", "region": "eu-west-1"}]),
     "securecart:edge.geolocation[0].location: 'XX' is not a Route 53 geolocation"),
    ("rate limit 5", lambda v: _edge(v, rateLimit=5),
     "securecart:edge.rateLimit: 5: input should be greater than or equal to 10"),
    ("detection above the bound", lambda v: _edge(v, healthCheck={"intervalSeconds": 30, "failureThreshold": 3}),
     "securecart:edge.healthCheck: a failed region is detected after 90 s on the DNS path, above "
     "failoverBoundSeconds (30 s): lower intervalSeconds or failureThreshold"),
    ("a TLS 1.3-only listener policy", lambda v: _service(v, -1, sslPolicy="ELBSecurityPolicy-TLS13-1-3-2021-06"),
     "securecart:delivery.sslPolicy: 'ELBSecurityPolicy-TLS13-1-3-2021-06' refuses TLS 1.2, which Route 53's "
     "health checkers need"),
    ("an accelerated nlb service", lambda v: _service(v, 2, accelerated=True),
     "securecart:delivery.services[2].accelerated: only alb services can be served through Global Accelerator"),
    ("a health path no health check watches", lambda v: _edge(v, healthCheck={"path": "/status"}),
     "securecart:edge.healthCheck.path: /status is not the health path of this stack's default ALB service "
     "storefront (/healthz)"),
    ("sendCurrent outside a rotation", lambda v: _service(v, -1, originVerify={"sendCurrent": True}),
     "securecart:delivery.originVerify.sendCurrent: there is no rotation in progress"),
]


@pytest.mark.parametrize(("case", "edit", "expected"), BAD_EDGE, ids=[c[0] for c in BAD_EDGE])
def test_bad_edge_settings_get_one_clear_message_naming_the_key(
        project: Project, case: str, edit: Callable[[dict[str, str]], dict[str, str]], expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_settings(edit(project.read_stack("prod-us").values), "Pulumi.prod-us.yaml")
    assert len(info.value.problems) == 1, info.value.problems
    assert info.value.problems[0].startswith(expected), f"{case}: {info.value.problems}"


def test_the_edge_belongs_to_the_primary(project: Project) -> None:
    values = {**project.read_stack("prod-eu").values, "securecart:edge": json.dumps({"domain": DOMAIN})}
    with pytest.raises(ConfigError) as info:
        parse_settings(values, "Pulumi.prod-eu.yaml")
    assert info.value.problems == [
        "securecart:edge: the edge is global and belongs to the primary stack: remove it here (this stack reads the "
        "certificates and the distribution from the primary's outputs)"]


def test_a_geolocation_region_of_neither_stack_is_refused_before_the_synth(project: Project) -> None:
    us = parse_settings(_edge(project.read_stack("prod-us").values,
                              geolocation=[{"location": "EU", "region": "us-west-2"}]))
    eu = parse_settings(project.read_stack("prod-eu").values)
    assert check_stack_set({"prod-us": us, "prod-eu": eu}) == [
        "securecart:edge.geolocation[0].region: us-west-2 is neither prod-us's nor prod-eu's region (us-east-1, "
        "eu-west-1)"]


def test_the_secondarys_default_service_must_answer_the_health_path(project: Project) -> None:
    us = parse_settings(project.read_stack("prod-us").values)
    eu_values = project.read_stack("prod-eu").values
    eu = parse_settings(_service(eu_values, 0, healthCheckPath="/ready"))
    assert check_stack_set({"prod-us": us, "prod-eu": eu}) == [
        "securecart:edge.healthCheck.path: /healthz is not the health path of prod-eu's default ALB service "
        "storefront (/ready): Route 53 would check what no health check watches; use /ready"]


def test_the_cli_exits_2_on_a_bad_edge_setting_naming_the_key(
        project_copy: Callable[[Callable[[str, dict[str, Any]], None]], Project], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    def dial(name: str, config: dict[str, Any]) -> None:
        if name == "prod-us":
            config["securecart:edge"]["accelerator"] = {"trafficDials": {"eu-west-1": 150}}

    assert_refused(project_copy, tmp_path, capsys, dial,
                   "error: Pulumi.prod-us.yaml: securecart:edge.accelerator.trafficDials.eu-west-1: 150 is outside "
                   "0-100 (100 = full share, 0 = drained)")



def test_the_images_primary_origin_gives_up_fast(us: Graph) -> None:
    """CloudFront's origin failover is per request: every cache miss tries the group's primary first, so while its
    region does not answer each miss waits its connection attempts x timeout; one attempt of 5 s bounds that. The
    replica, tried last, keeps CloudFront's defaults."""
    (group,) = _distribution(us).inputs["originGroups"]
    primary, replica = (m["originId"] for m in group["members"])
    origins = _origins(us)
    assert (origins[primary]["connectionAttempts"], origins[primary]["connectionTimeout"]) == (1, 5)
    assert (origins[replica]["connectionAttempts"], origins[replica]["connectionTimeout"]) == (3, 10)
