"""The offline engine's answers for the edge tier's resource types and data sources, called directly: the shapes
the program reads (ARNs in the right region and partition, IDs as AWS forms them, ACM's validation records,
Route 53's name servers, the load balancers' canonical zones), deterministic per stack and name."""

import re

import pytest

from automation.mocks import ACCOUNT_ID
from tests.mock_calls import EU_PROVIDER, US_PROVIDER, UUID, call, make, mocks

CERT = "aws:acm/certificate:Certificate"


# --- ACM --------------------------------------------------------------------------------------------------------

def test_a_certificate_is_made_in_its_explicit_region_else_its_providers() -> None:
    m = mocks()
    inputs = {"domainName": "api.example.com", "validationMethod": "DNS"}

    def arn(region: str) -> str:
        return rf"arn:aws:acm:{region}:{ACCOUNT_ID}:certificate/{UUID}"

    rid, home = make(m, CERT, "cert-home", inputs)
    assert re.fullmatch(arn("us-east-1"), home["arn"]) and rid == home["arn"]  # its ID is its ARN
    _, explicit = make(m, CERT, "cert-eu", {**inputs, "region": "eu-west-1"})
    assert re.fullmatch(arn("eu-west-1"), explicit["arn"])
    _, by_provider = make(m, CERT, "cert-eu-provider", inputs, provider=EU_PROVIDER)
    assert re.fullmatch(arn("eu-west-1"), by_provider["arn"])
    assert len({home["arn"], explicit["arn"], by_provider["arn"]}) == 3


def test_a_dns_validated_certificate_has_one_validation_option_per_distinct_name() -> None:
    m = mocks()
    _, state = make(m, CERT, "cert", {"domainName": "api.example.com", "validationMethod": "DNS",
                                      "subjectAlternativeNames": ["checkout.example.com", "api.example.com",
                                                                  "*.example.com", "example.com"]})
    options = state["domainValidationOptions"]
    assert [o["domainName"] for o in options] == ["api.example.com", "checkout.example.com", "*.example.com",
                                                  "example.com"]
    for option in options:
        base = option["domainName"].removeprefix("*.")
        assert option["resourceRecordType"] == "CNAME"
        assert re.fullmatch(rf"_[0-9a-f]{{32}}\.{re.escape(base)}\.", option["resourceRecordName"])
        assert re.fullmatch(r"_[0-9a-f]{32}\.[a-z]{10}\.acm-validations\.aws\.", option["resourceRecordValue"])
    by_name = {o["domainName"]: o for o in options}
    assert by_name["*.example.com"]["resourceRecordName"] == by_name["example.com"]["resourceRecordName"]
    assert len({o["resourceRecordName"] for o in options}) == 3
    assert state["status"] == "PENDING_VALIDATION" and state["type"] == "AMAZON_ISSUED"
    assert state["keyAlgorithm"] == "RSA_2048"


def test_acm_asks_for_the_same_record_for_a_name_in_every_certificate_and_region() -> None:
    """So one record validates the same name's certificates in both regions (as the DNS tier relies on)."""
    m = mocks()
    _, us = make(m, CERT, "cert-us", {"domainName": "api.example.com", "validationMethod": "DNS"})
    _, eu = make(m, CERT, "cert-eu", {"domainName": "api.example.com", "validationMethod": "DNS",
                                      "region": "eu-west-1"})
    assert us["domainValidationOptions"] == eu["domainValidationOptions"]
    _, again = make(mocks(), CERT, "cert-us", {"domainName": "api.example.com", "validationMethod": "DNS"})
    assert again == us  # deterministic


def test_email_validated_and_imported_certificates_have_no_dns_options() -> None:
    m = mocks()
    _, email = make(m, CERT, "email", {"domainName": "example.com", "validationMethod": "EMAIL"})
    assert email["domainValidationOptions"] == [] and "admin@example.com" in email["validationEmails"]
    _, imported = make(m, CERT, "imported", {"certificateBody": "-----BEGIN CERTIFICATE-----",
                                             "privateKey": "key"})
    assert imported["domainValidationOptions"] == [] and imported["type"] == "IMPORTED"


def test_a_certificate_validation_returns_the_certificates_arn() -> None:
    m = mocks()
    arn = f"arn:aws:acm:eu-west-1:{ACCOUNT_ID}:certificate/00000000-0000-0000-0000-000000000000"
    rid, state = make(m, "aws:acm/certificateValidation:CertificateValidation", "v",
                      {"certificateArn": arn, "validationRecordFqdns": ["_x.api.example.com"], "region": "eu-west-1"})
    assert state["certificateArn"] == arn
    assert re.fullmatch(r"2026-11-27 00:\d\d:\d\d \+0000 UTC", rid)


# --- Route 53 ---------------------------------------------------------------------------------------------------

def test_a_hosted_zone_has_an_id_name_servers_and_a_global_arn() -> None:
    rid, zone = make(mocks(), "aws:route53/zone:Zone", "zone", {"name": "example.com"})
    assert re.fullmatch(r"Z[0-9A-Z]{13,21}", zone["zoneId"]) and rid == zone["zoneId"]
    assert zone["arn"] == f"arn:aws:route53:::hostedzone/{rid}"
    servers = zone["nameServers"]
    assert len(servers) == 4 and servers == sorted(servers)
    assert all(re.fullmatch(r"ns-\d{1,4}\.awsdns-\d\d\.(com|net|org|co\.uk)", s) for s in servers)
    assert {s.split(".", 2)[2] for s in servers} == {"com", "net", "org", "co.uk"}
    assert zone["primaryNameServer"] in servers


def test_a_records_fqdn_is_its_name_without_the_dot_completed_by_its_zone() -> None:
    m = mocks()
    zone_id, _ = make(m, "aws:route53/zone:Zone", "zone", {"name": "example.com"})
    record = "aws:route53/record:Record"
    rid, absolute = make(m, record, "validation", {"zoneId": zone_id, "name": "_abc.api.example.com.",
                                                   "type": "CNAME", "records": ["_x.acm-validations.aws."]})
    assert absolute["fqdn"] == "_abc.api.example.com"
    assert rid == f"{zone_id}__abc.api.example.com_CNAME"
    _, relative = make(m, record, "www", {"zoneId": zone_id, "name": "www", "type": "A"})
    assert relative["fqdn"] == "www.example.com"
    rid, apex = make(m, record, "apex", {"zoneId": zone_id, "name": "example.com", "type": "A",
                                         "setIdentifier": "geo-EU"})
    assert apex["fqdn"] == "example.com" and rid == f"{zone_id}_example.com_A_geo-EU"
    _, foreign = make(m, record, "foreign", {"zoneId": "ZOTHERZONE0001", "name": "www.other.org.", "type": "A"})
    assert foreign["fqdn"] == "www.other.org"


def test_health_checks_and_query_logs_have_uuids_and_global_arns() -> None:
    m = mocks()
    rid, check = make(m, "aws:route53/healthCheck:HealthCheck", "hc", {"type": "HTTPS", "fqdn": "a.example.com"})
    assert re.fullmatch(UUID, rid) and check["arn"] == f"arn:aws:route53:::healthcheck/{rid}"
    rid, log = make(m, "aws:route53/queryLog:QueryLog", "ql", {"zoneId": "Z1", "cloudwatchLogGroupArn": "arn"})
    assert re.fullmatch(UUID, rid) and log["arn"] == f"arn:aws:route53:::queryloggingconfig/{rid}"


# --- CloudFront -------------------------------------------------------------------------------------------------

def test_a_distribution_reads_like_cloudfronts() -> None:
    rid, dist = make(mocks(), "aws:cloudfront/distribution:Distribution", "distribution", {"comment": "shop"},
                     provider=EU_PROVIDER)  # global: the provider's region does not show
    assert re.fullmatch(r"E[0-9A-Z]{13}", rid)
    assert dist["arn"] == f"arn:aws:cloudfront::{ACCOUNT_ID}:distribution/{rid}"
    assert re.fullmatch(r"d[0-9a-z]{13}\.cloudfront\.net", dist["domainName"])
    assert dist["hostedZoneId"] == "Z2FDTNDATAQYW2" and dist["status"] == "Deployed"
    assert re.fullmatch(r"E[0-9A-Z]{13}", dist["etag"])


@pytest.mark.parametrize(("typ", "kind", "id_form"), [
    ("aws:cloudfront/originAccessControl:OriginAccessControl", "origin-access-control", r"E[0-9A-Z]{13}"),
    ("aws:cloudfront/cachePolicy:CachePolicy", "cache-policy", UUID),
    ("aws:cloudfront/originRequestPolicy:OriginRequestPolicy", "origin-request-policy", UUID),
    ("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy", "response-headers-policy", UUID),
])
def test_cloudfront_policies_and_access_controls(typ: str, kind: str, id_form: str) -> None:
    rid, state = make(mocks(), typ, "x", {"name": "securecart-x"})
    assert re.fullmatch(id_form, rid)
    assert state["arn"] == f"arn:aws:cloudfront::{ACCOUNT_ID}:{kind}/{rid}" and state["etag"].startswith("E")


# --- Global Accelerator -----------------------------------------------------------------------------------------

def test_an_accelerators_listener_and_endpoint_group_arns_nest() -> None:
    m = mocks()
    rid, acc = make(m, "aws:globalaccelerator/accelerator:Accelerator", "acc", {"name": "checkout",
                                                                                "ipAddressType": "IPV4"})
    assert re.fullmatch(rf"arn:aws:globalaccelerator::{ACCOUNT_ID}:accelerator/{UUID}", acc["arn"])
    assert rid == acc["arn"]
    assert re.fullmatch(r"a[0-9a-f]{16}\.awsglobalaccelerator\.com", acc["dnsName"])
    assert acc["hostedZoneId"] == "Z2BJ6XQ5FK7U4H" and "dualStackDnsName" not in acc
    [ipv4] = acc["ipSets"]
    assert ipv4["ipFamily"] == "IPv4" and len(ipv4["ipAddresses"]) == 2
    lid, listener = make(m, "aws:globalaccelerator/listener:Listener", "l", {"acceleratorArn": acc["arn"],
                                                                               "protocol": "TCP"})
    assert re.fullmatch(re.escape(acc["arn"]) + r"/listener/[0-9a-f]{8}", listener["arn"]) and lid == listener["arn"]
    gid, group = make(m, "aws:globalaccelerator/endpointGroup:EndpointGroup", "g",
                      {"listenerArn": listener["arn"], "endpointGroupRegion": "eu-west-1"})
    assert re.fullmatch(re.escape(listener["arn"]) + r"/endpoint-group/[0-9a-f]{12}", group["arn"])
    assert gid == group["arn"]


def test_a_dual_stack_accelerator_has_ipv6_addresses_and_a_dual_stack_name() -> None:
    _, acc = make(mocks(), "aws:globalaccelerator/accelerator:Accelerator", "acc",
                  {"name": "checkout", "ipAddressType": "DUAL_STACK"})
    assert [s["ipFamily"] for s in acc["ipSets"]] == ["IPv4", "IPv6"]
    assert re.fullmatch(r"a[0-9a-f]{16}\.dualstack\.awsglobalaccelerator\.com", acc["dualStackDnsName"])


# --- WAF, Shield, CloudWatch Logs delivery ----------------------------------------------------------------------

def test_web_acl_arns_name_their_scope() -> None:
    m = mocks()
    rid, cloudfront = make(m, "aws:wafv2/webAcl:WebAcl", "cf-waf", {"name": "cf", "scope": "CLOUDFRONT"})
    assert re.fullmatch(UUID, rid)
    assert cloudfront["arn"] == f"arn:aws:wafv2:us-east-1:{ACCOUNT_ID}:global/webacl/cf/{rid}"
    rid, regional = make(m, "aws:wafv2/webAcl:WebAcl", "alb-waf", {"name": "alb", "scope": "REGIONAL"},
                         provider=EU_PROVIDER)
    assert regional["arn"] == f"arn:aws:wafv2:eu-west-1:{ACCOUNT_ID}:regional/webacl/alb/{rid}"
    _, unnamed = make(m, "aws:wafv2/webAcl:WebAcl", "unnamed-waf", {"scope": "REGIONAL"})
    assert re.fullmatch(r"unnamed-waf-[0-9a-f]{7}", unnamed["name"])  # auto-named, as the provider would
    assert f"/webacl/{unnamed['name']}/" in unnamed["arn"]


def test_a_shield_protection_has_a_global_arn() -> None:
    rid, protection = make(mocks(), "aws:shield/protection:Protection", "p", {"name": "p", "resourceArn": "arn"})
    assert protection["arn"] == f"arn:aws:shield::{ACCOUNT_ID}:protection/{rid}" and re.fullmatch(UUID, rid)


def test_log_delivery_sources_destinations_and_deliveries() -> None:
    m = mocks()
    prefix = f"arn:aws:logs:us-east-1:{ACCOUNT_ID}"
    rid, source = make(m, "aws:cloudwatch/logDeliverySource:LogDeliverySource", "src", {
        "name": "cf-access", "logType": "ACCESS_LOGS",
        "resourceArn": f"arn:aws:cloudfront::{ACCOUNT_ID}:distribution/E2QWRUHAPOMQZL"})
    assert rid == "cf-access" and source["arn"] == f"{prefix}:delivery-source:cf-access"
    assert source["service"] == "cloudfront"
    rid, destination = make(m, "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination", "dst", {
        "name": "cf-access-s3", "deliveryDestinationConfiguration": {"destinationResourceArn": "arn:aws:s3:::logs"}})
    assert destination["arn"] == f"{prefix}:delivery-destination:cf-access-s3"
    assert destination["deliveryDestinationType"] == "S3"
    rid, delivery = make(m, "aws:cloudwatch/logDelivery:LogDelivery", "delivery", {
        "deliverySourceName": "cf-access", "deliveryDestinationArn": destination["arn"]})
    assert re.fullmatch(r"[A-Za-z0-9]{16}", rid) and delivery["arn"] == f"{prefix}:delivery:{rid}"
    rid, policy = make(m, "aws:cloudwatch/logResourcePolicy:LogResourcePolicy", "policy",
                       {"policyName": "route53-query-logs", "policyDocument": "{}"})
    assert rid == "route53-query-logs" and policy["policyScope"] == "ACCOUNT"


# --- load balancers, and an explicit region in general -----------------------------------------------------------

@pytest.mark.parametrize(("provider", "lb_type", "zone"), [
    (US_PROVIDER, "application", "Z35SXDOTRQ7X7K"), (EU_PROVIDER, "application", "Z32O12XQLNTSW2"),
    (US_PROVIDER, "network", "Z26RNL4JYFTOTI"), (EU_PROVIDER, "network", "Z2IFOLAFXWLO4F"),
])
def test_a_load_balancer_names_its_regions_canonical_zone(provider: str, lb_type: str, zone: str) -> None:
    _, lb = make(mocks(), "aws:lb/loadBalancer:LoadBalancer", "lb", {"name": "web", "loadBalancerType": lb_type},
                 provider=provider)
    assert lb["zoneId"] == zone


def test_load_balancer_dns_names() -> None:
    m = mocks()
    typ = "aws:lb/loadBalancer:LoadBalancer"
    _, public = make(m, typ, "alb", {"name": "web", "loadBalancerType": "application"})
    assert re.fullmatch(r"web-\d{1,10}\.us-east-1\.elb\.amazonaws\.com", public["dnsName"])
    _, internal = make(m, typ, "internal-alb", {"name": "api", "internal": True}, provider=EU_PROVIDER)
    assert re.fullmatch(r"internal-api-\d{1,10}\.eu-west-1\.elb\.amazonaws\.com", internal["dnsName"])
    _, nlb = make(m, typ, "nlb", {"name": "tcp", "loadBalancerType": "network", "internal": True})
    assert re.fullmatch(r"tcp-[0-9a-f]{16}\.elb\.us-east-1\.amazonaws\.com", nlb["dnsName"])


def test_an_explicit_region_input_wins_for_any_regional_type() -> None:
    m = mocks()
    _, key = make(m, "aws:kms/key:Key", "replica", {"region": "eu-west-1"})
    assert key["arn"].startswith(f"arn:aws:kms:eu-west-1:{ACCOUNT_ID}:key/")
    _, group = make(m, "aws:cloudwatch/logGroup:LogGroup", "lg", {"name": "/x", "region": "eu-west-1"})
    assert group["arn"] == f"arn:aws:logs:eu-west-1:{ACCOUNT_ID}:log-group:/x"
    _, generic = make(m, "aws:sns/topic:Topic", "t", {"region": "eu-west-1"})
    assert generic["arn"].startswith(f"arn:aws:sns:eu-west-1:{ACCOUNT_ID}:")


# --- invokes ----------------------------------------------------------------------------------------------------

PREFIX_LIST = "aws:ec2/getManagedPrefixList:getManagedPrefixList"


@pytest.mark.parametrize(("provider", "region"), [(US_PROVIDER, "us-east-1"), (EU_PROVIDER, "eu-west-1")])
def test_route53_health_checker_prefix_lists_are_answered_per_region(provider: str, region: str) -> None:
    m = mocks()
    ipv4, problems = call(m, PREFIX_LIST, {"name": f"com.amazonaws.{region}.route53-healthchecks"}, provider)
    assert problems == [] and ipv4["addressFamily"] == "IPv4" and ipv4["maxEntries"] == 25
    assert re.fullmatch(r"pl-[0-9a-f]{8}", ipv4["id"]) and ipv4["ownerId"] == "AWS"
    assert ipv4["arn"] == f"arn:aws:ec2:{region}:aws:prefix-list/{ipv4['id']}"
    ipv6, _ = call(m, PREFIX_LIST, {"name": f"com.amazonaws.{region}.ipv6.route53-healthchecks"}, provider)
    assert ipv6["addressFamily"] == "IPv6" and ipv6["id"] != ipv4["id"]
    by_filter, _ = call(m, PREFIX_LIST, {"filters": [{"name": "prefix-list-name",
                                                      "values": [f"com.amazonaws.{region}.route53-healthchecks"]}]},
                        provider)
    assert by_filter["id"] == ipv4["id"]
    by_id, _ = call(m, PREFIX_LIST, {"id": ipv4["id"]}, provider)
    assert by_id["name"] == ipv4["name"]


def test_a_prefix_list_of_another_region_is_not_found() -> None:
    result, problems = call(mocks(), PREFIX_LIST, {"name": "com.amazonaws.eu-west-1.route53-healthchecks"})
    assert result == {} and problems and "no managed prefix list" in problems[0][1]
    found, problems = call(mocks(), PREFIX_LIST, {"name": "com.amazonaws.eu-west-1.route53-healthchecks",
                                                  "region": "eu-west-1"})
    assert problems == [] and found["name"] == "com.amazonaws.eu-west-1.route53-healthchecks"


def test_the_cloudfront_origin_facing_list_is_answered() -> None:
    found, problems = call(mocks(), PREFIX_LIST, {"name": "com.amazonaws.global.cloudfront.origin-facing"})
    assert problems == [] and found["maxEntries"] == 55 and found["addressFamily"] == "IPv4"


@pytest.mark.parametrize(("token", "name", "policy_id"), [
    ("aws:cloudfront/getCachePolicy:getCachePolicy", "Managed-CachingDisabled",
     "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"),
    ("aws:cloudfront/getCachePolicy:getCachePolicy", "Managed-CachingOptimized",
     "658327ea-f89d-4fab-a63d-7e88639e58f6"),
    ("aws:cloudfront/getOriginRequestPolicy:getOriginRequestPolicy", "Managed-AllViewerExceptHostHeader",
     "b689b0a8-53d0-40ab-baf2-68738e2966ac"),
    ("aws:cloudfront/getResponseHeadersPolicy:getResponseHeadersPolicy", "Managed-SecurityHeadersPolicy",
     "67f7725c-6f97-4210-82d7-5512b31e9d03"),
])
def test_cloudfront_managed_policies_are_found_by_name_or_id(token: str, name: str, policy_id: str) -> None:
    m = mocks()
    by_name, problems = call(m, token, {"name": name})
    assert problems == [] and by_name["id"] == policy_id and by_name["name"] == name
    by_id, _ = call(m, token, {"id": policy_id})
    assert by_id["name"] == name
    missing, problems = call(m, token, {"name": "Managed-NoSuchPolicy"})
    assert missing == {} and problems and "no CloudFront managed policy" in problems[0][1]


def test_managed_cache_policy_ttls() -> None:
    disabled, _ = call(mocks(), "aws:cloudfront/getCachePolicy:getCachePolicy", {"name": "Managed-CachingDisabled"})
    assert (disabled["minTtl"], disabled["defaultTtl"], disabled["maxTtl"]) == (0, 0, 0)


@pytest.mark.parametrize(("provider", "lb_type", "zone"), [
    (US_PROVIDER, None, "Z35SXDOTRQ7X7K"), (EU_PROVIDER, "application", "Z32O12XQLNTSW2"),
    (EU_PROVIDER, "network", "Z2IFOLAFXWLO4F"),
])
def test_the_elb_hosted_zone_data_source(provider: str, lb_type: str | None, zone: str) -> None:
    args = {"loadBalancerType": lb_type} if lb_type else {}
    found, problems = call(mocks(), "aws:lb/getHostedZoneId:getHostedZoneId", args, provider)
    assert problems == [] and found["id"] == zone
