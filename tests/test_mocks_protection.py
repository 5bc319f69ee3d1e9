"""The offline engine's answers for the protection and partner-access tier (PrivateLink, Shield Advanced, API
Gateway's REST APIs), called directly: IDs and ARNs as AWS forms them, what the program reads back (an endpoint
service's name and DNS verification record, an API's root resource and execution ARN, a stage's ARN, a custom
domain's regional name and zone), and the engine's fidelity fixes: ELB ARNs, and outputs the engine keeps secret."""

import re
from typing import Any

import pytest
from google.protobuf import struct_pb2
from pulumi.runtime import rpc
from pulumi.runtime.proto import resource_pb2

from automation.mocks import ACCOUNT_ID, RecordingMonitor
from tests.mock_calls import EU_PROVIDER, US_PROVIDER, UUID, call, make, mocks

ELB = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT_ID}"
APIGW = "aws:apigateway"


# --- Elastic Load Balancing: ARNs as ELB forms them ----------------------------------------------------------

@pytest.mark.parametrize(("lb_type", "kind"), [("application", "app"), ("network", "net"), ("gateway", "gwy")])
def test_load_balancers_listeners_and_rules_nest_their_arns(lb_type: str, kind: str) -> None:
    m = mocks()
    lb_id, lb = make(m, "aws:lb/loadBalancer:LoadBalancer", "lb", {"name": "web", "loadBalancerType": lb_type})
    assert re.fullmatch(rf"{ELB}:loadbalancer/{kind}/web/[0-9a-f]{{16}}", lb["arn"]) and lb_id == lb["arn"]
    assert lb["arn"].endswith(":loadbalancer/" + lb["arnSuffix"])
    listener_id, listener = make(m, "aws:lb/listener:Listener", "l", {"loadBalancerArn": lb["arn"], "port": 443})
    lb_part = lb["arnSuffix"]  # app/web/<16 hex>
    assert re.fullmatch(rf"{ELB}:listener/{re.escape(lb_part)}/[0-9a-f]{{16}}", listener["arn"])
    assert listener_id == listener["arn"] and "arn:aws:lb:" not in listener["arn"]
    rule_id, rule = make(m, "aws:lb/listenerRule:ListenerRule", "r", {"listenerArn": listener["arn"],
                                                                     "priority": 10})
    listener_part = listener["arn"].split(":listener/", 1)[1]
    assert re.fullmatch(rf"{ELB}:listener-rule/{re.escape(listener_part)}/[0-9a-f]{{16}}", rule["arn"])
    assert rule_id == rule["arn"]


def test_a_target_group_is_known_by_its_arn_whose_suffix_it_outputs() -> None:
    rid, tg = make(mocks(), "aws:lb/targetGroup:TargetGroup", "tg", {"name": "checkout", "port": 8443})
    assert re.fullmatch(rf"{ELB}:targetgroup/checkout/[0-9a-f]{{16}}", tg["arn"]) and rid == tg["arn"]
    assert tg["arn"].endswith(":" + tg["arnSuffix"]) and tg["arnSuffix"].startswith("targetgroup/checkout/")


def test_a_listener_of_a_load_balancer_in_another_region_is_made_in_its_providers() -> None:
    m = mocks()
    _, lb = make(m, "aws:lb/loadBalancer:LoadBalancer", "lb", {"name": "web"}, provider=EU_PROVIDER)
    _, listener = make(m, "aws:lb/listener:Listener", "l", {"loadBalancerArn": lb["arn"]}, provider=EU_PROVIDER)
    assert listener["arn"].startswith(f"arn:aws:elasticloadbalancing:eu-west-1:{ACCOUNT_ID}:listener/app/web/")


# --- outputs the engine keeps secret ------------------------------------------------------------------------------

def register(monitor: RecordingMonitor, typ: str, name: str, inputs: dict[str, Any],
             secret_outputs: list[str], *, accept_secrets: bool = True) -> tuple[dict[str, Any], Any]:
    """A registration as the SDK sends it; returns what the program gets back (deserialized) and the record."""
    request = resource_pb2.RegisterResourceRequest(
        type=typ, name=name, custom=True, object=struct_pb2.Struct(), acceptSecrets=accept_secrets,
        additionalSecretOutputs=secret_outputs)
    request.object.update(inputs)
    response = monitor.RegisterResource(request)
    urn = f"urn:pulumi:prod-us::securecart-network::{typ}::{name}"
    return rpc.deserialize_properties(response.object), monitor.registrations[urn]


@pytest.fixture
def monitor(monkeypatch: pytest.MonkeyPatch) -> RecordingMonitor:
    recording = RecordingMonitor(mocks())
    monkeypatch.setattr(recording, "make_urn",
                        lambda parent, typ, name: f"urn:pulumi:prod-us::securecart-network::{typ}::{name}")
    return recording


def test_outputs_a_registration_names_secret_come_back_secret(monitor: RecordingMonitor) -> None:
    """As the engine marks them (RandomPassword's ``result`` and ``bcryptHash`` are secret by its schema), so
    that whatever the program derives from them is secret too; the recorded outputs stay plain."""
    answer, record = register(monitor, "random:index/randomPassword:RandomPassword", "pw", {"length": 24},
                              ["bcryptHash", "result"])
    assert rpc.is_rpc_secret(answer["result"]) and rpc.is_rpc_secret(answer["bcryptHash"])
    assert len(rpc.unwrap_rpc_secret(answer["result"])) == 24
    assert not rpc.is_rpc_secret(answer["length"])
    assert isinstance(record.outputs["result"], str) and record.additional_secret_outputs == ["bcryptHash",
                                                                                               "result"]
    plain, _ = register(monitor, "random:index/randomPassword:RandomPassword", "pw2", {"length": 24}, [])
    assert not rpc.is_rpc_secret(plain["result"])
    unaccepted, _ = register(monitor, "random:index/randomPassword:RandomPassword", "pw3", {"length": 24},
                             ["result"], accept_secrets=False)
    assert not rpc.is_rpc_secret(unaccepted["result"])


def test_an_api_keys_value_comes_back_secret(monitor: RecordingMonitor) -> None:
    answer, record = register(monitor, f"{APIGW}/apiKey:ApiKey", "key", {"name": "partner-a"}, ["value"])
    assert rpc.is_rpc_secret(answer["value"]) and not rpc.is_rpc_secret(answer["arn"])
    assert re.fullmatch(r"[A-Za-z0-9]{40}", record.outputs["value"])


# --- PrivateLink ------------------------------------------------------------------------------------------------

def test_an_endpoint_service_is_named_as_aws_names_it() -> None:
    m = mocks()
    rid, svc = make(m, "aws:ec2/vpcEndpointService:VpcEndpointService", "svc", {
        "networkLoadBalancerArns": [f"{ELB}:loadbalancer/net/payment/0123456789abcdef"],
        "acceptanceRequired": True, "allowedPrincipals": [f"arn:aws:iam::{ACCOUNT_ID}:root"]})
    assert re.fullmatch(r"vpce-svc-[0-9a-f]{17}", rid)
    assert svc["serviceName"] == f"com.amazonaws.vpce.us-east-1.{rid}"
    assert svc["arn"] == f"arn:aws:ec2:us-east-1:{ACCOUNT_ID}:vpc-endpoint-service/{rid}"
    assert svc["serviceType"] == "Interface" and svc["state"] == "Available"
    assert svc["baseEndpointDnsNames"] == [f"{rid}.us-east-1.vpce.amazonaws.com"]
    assert svc["privateDnsNameConfigurations"] == [] and svc["managesVpcEndpoints"] is False
    assert svc["availabilityZones"] == [f"us-east-1{x}" for x in "abcdef"]  # its NLB is not this stack's
    _, gwlb = make(m, "aws:ec2/vpcEndpointService:VpcEndpointService", "gwlb", {
        "gatewayLoadBalancerArns": [f"{ELB}:loadbalancer/gwy/inspection/0123456789abcdef"]})
    assert gwlb["serviceType"] == "GatewayLoadBalancer"


def test_a_private_dns_name_asks_for_a_txt_record_to_verify_it() -> None:
    _, svc = make(mocks(), "aws:ec2/vpcEndpointService:VpcEndpointService", "svc", {
        "networkLoadBalancerArns": ["arn"], "privateDnsName": "payments.us-east-1.securecart.example"})
    [config] = svc["privateDnsNameConfigurations"]
    assert config["type"] == "TXT" and config["state"] == "pendingVerification"
    assert re.fullmatch(r"_[a-z0-9]{20}", config["name"]) and re.fullmatch(r"vpce:[A-Za-z0-9]{20}", config["value"])
    _, eu = make(mocks(), "aws:ec2/vpcEndpointService:VpcEndpointService", "svc-eu", {
        "networkLoadBalancerArns": ["arn"], "privateDnsName": "payments.eu-west-1.securecart.example"},
        provider=EU_PROVIDER)
    assert eu["privateDnsNameConfigurations"][0]["name"] != config["name"]  # one record per service


def test_an_endpoint_service_is_in_the_zones_of_its_load_balancers_subnets() -> None:
    m = mocks()
    subnets = [make(m, "aws:ec2/subnet:Subnet", f"s{z}", {"availabilityZone": f"us-east-1{z}"})[0] for z in "ab"]
    lb_id, _ = make(m, "aws:lb/loadBalancer:LoadBalancer", "nlb", {"name": "payment", "loadBalancerType": "network",
                                                                   "subnets": subnets})
    _, svc = make(m, "aws:ec2/vpcEndpointService:VpcEndpointService", "svc", {"networkLoadBalancerArns": [lb_id]})
    assert svc["availabilityZones"] == ["us-east-1a", "us-east-1b"]


def test_a_dns_verification_request_is_known_by_its_service() -> None:
    rid, state = make(mocks(), "aws:vpc/endpointServicePrivateDnsVerification:EndpointServicePrivateDnsVerification",
                      "verify", {"serviceId": "vpce-svc-0123456789abcdef0", "waitForVerification": True})
    assert rid == "vpce-svc-0123456789abcdef0" and state["waitForVerification"] is True


def test_an_interface_endpoint_to_a_third_party_service_has_dns_names_per_zone() -> None:
    m = mocks()
    subnets = [make(m, "aws:ec2/subnet:Subnet", f"s{z}", {"availabilityZone": f"us-east-1{z}"})[0] for z in "abc"]
    service = "com.amazonaws.vpce.us-east-1.vpce-svc-0a1b2c3d4e5f60718"
    rid, ep = make(m, "aws:ec2/vpcEndpoint:VpcEndpoint", "processor", {
        "serviceName": service, "vpcEndpointType": "Interface", "subnetIds": subnets, "privateDnsEnabled": True})
    assert re.fullmatch(r"vpce-[0-9a-f]{17}", rid)
    assert ep["arn"] == f"arn:aws:ec2:us-east-1:{ACCOUNT_ID}:vpc-endpoint/{rid}"
    assert [e["hostedZoneId"] for e in ep["dnsEntries"]] == ["Z7HUB22UULQXV"] * 4
    names = [e["dnsName"] for e in ep["dnsEntries"]]
    own = rf"{rid}-[a-z0-9]{{8}}"
    assert re.fullmatch(rf"{own}\.vpce-svc-0a1b2c3d4e5f60718\.us-east-1\.vpce\.amazonaws\.com", names[0])
    zonal = [re.fullmatch(rf"{own}-(us-east-1[a-c])\.vpce-svc-0a1b2c3d4e5f60718\.us-east-1\.vpce\.amazonaws\.com", n)
             for n in names[1:]]
    assert [z.group(1) if z else None for z in zonal] == ["us-east-1a", "us-east-1b", "us-east-1c"]
    assert len(ep["networkInterfaceIds"]) == 3 and all(re.fullmatch(r"eni-[0-9a-f]{17}", e)
                                                       for e in ep["networkInterfaceIds"])
    assert ep["state"] == "available" and ep["ownerId"] == ACCOUNT_ID and ep["requesterManaged"] is False
    assert ep["prefixListId"] == "" and ep["cidrBlocks"] == []  # the third party's private DNS name: unknown


def test_an_endpoint_to_this_stacks_service_waits_for_acceptance_and_takes_its_private_name() -> None:
    m = mocks()
    _, svc = make(m, "aws:ec2/vpcEndpointService:VpcEndpointService", "svc", {
        "networkLoadBalancerArns": ["arn"], "acceptanceRequired": True, "privateDnsName": "pay.securecart.example"})
    _, ep = make(m, "aws:ec2/vpcEndpoint:VpcEndpoint", "consumer", {
        "serviceName": svc["serviceName"], "vpcEndpointType": "Interface", "subnetIds": [],
        "privateDnsEnabled": True})
    assert ep["state"] == "pendingAcceptance"
    assert ep["dnsEntries"][-1]["dnsName"] == "pay.securecart.example"


def test_an_interface_endpoint_to_an_aws_service_has_its_names() -> None:
    rid, ep = make(mocks(), "aws:ec2/vpcEndpoint:VpcEndpoint", "ecr-api", {
        "serviceName": "com.amazonaws.eu-west-1.ecr.api", "vpcEndpointType": "Interface", "subnetIds": [],
        "privateDnsEnabled": True}, provider=EU_PROVIDER)
    regional, private = ep["dnsEntries"]
    assert re.fullmatch(rf"{rid}-[a-z0-9]{{8}}\.api\.ecr\.eu-west-1\.vpce\.amazonaws\.com", regional["dnsName"])
    assert regional["hostedZoneId"] == "Z38GZ743OKFT7T"
    assert private["dnsName"] == "api.ecr.eu-west-1.amazonaws.com" and private["hostedZoneId"].startswith("Z0")


def test_a_gateway_endpoint_has_the_prefix_list_the_lookups_answer() -> None:
    m = mocks()
    _, ep = make(m, "aws:ec2/vpcEndpoint:VpcEndpoint", "s3", {"serviceName": "com.amazonaws.us-east-1.s3",
                                                             "vpcEndpointType": "Gateway"})
    managed, _ = call(m, "aws:ec2/getManagedPrefixList:getManagedPrefixList", {"name": "com.amazonaws.us-east-1.s3"})
    listed, problems = call(m, "aws:ec2/getPrefixList:getPrefixList", {"name": "com.amazonaws.us-east-1.s3"})
    assert problems == [] and ep["prefixListId"] == managed["id"] == listed["id"] == listed["prefixListId"]
    assert re.fullmatch(r"pl-[0-9a-f]{8}", listed["id"]) and ep["dnsEntries"] == []


def test_the_prefix_list_lookup_by_filter_and_its_misses() -> None:
    m = mocks()
    s3, _ = call(m, "aws:ec2/getPrefixList:getPrefixList", {"name": "com.amazonaws.us-east-1.s3"})
    by_filter, _ = call(m, "aws:ec2/getPrefixList:getPrefixList", {
        "filters": [{"name": "prefix-list-name", "values": ["com.amazonaws.us-east-1.s3"]}]})
    by_id, _ = call(m, "aws:ec2/getPrefixList:getPrefixList", {"prefixListId": s3["id"]})
    assert by_filter["id"] == by_id["id"] == s3["id"] and by_id["name"] == "com.amazonaws.us-east-1.s3"
    for args in ({"name": "com.amazonaws.eu-west-1.s3"}, {"name": "com.amazonaws.us-east-1.route53-healthchecks"},
                 {"prefixListId": "pl-00000000"}, {}):
        missing, problems = call(m, "aws:ec2/getPrefixList:getPrefixList", args)
        assert missing == {} and problems and "no prefix list" in problems[0][1], args
    eu, problems = call(m, "aws:ec2/getPrefixList:getPrefixList", {"name": "com.amazonaws.eu-west-1.dynamodb"},
                        EU_PROVIDER)
    assert problems == [] and eu["id"] != s3["id"]


# --- Shield Advanced ----------------------------------------------------------------------------------------------

def test_the_subscription_is_the_accounts() -> None:
    rid, sub = make(mocks(), "aws:shield/subscription:Subscription", "subscription", {"skipDestroy": True})
    assert rid == ACCOUNT_ID and sub["autoRenew"] == "ENABLED"


def test_a_protection_is_known_by_the_id_its_health_check_association_names() -> None:
    m = mocks()
    pid, protection = make(m, "aws:shield/protection:Protection", "p", {"name": "alb", "resourceArn": "arn"})
    assert re.fullmatch(UUID, pid) and protection["arn"] == f"arn:aws:shield::{ACCOUNT_ID}:protection/{pid}"
    check = f"arn:aws:route53:::healthcheck/{'0' * 8}-0000-0000-0000-{'0' * 12}"
    rid, association = make(m, "aws:shield/protectionHealthCheckAssociation:ProtectionHealthCheckAssociation", "a",
                            {"shieldProtectionId": pid, "healthCheckArn": check})
    assert rid == f"{pid}+{check}" and association["shieldProtectionId"] == pid


def test_a_protection_group_has_its_own_arn() -> None:
    rid, group = make(mocks(), "aws:shield/protectionGroup:ProtectionGroup", "g", {
        "protectionGroupId": "securecart-entry-points", "aggregation": "MAX", "pattern": "ALL"}, provider=EU_PROVIDER)
    assert rid == "securecart-entry-points"
    assert group["protectionGroupArn"] == f"arn:aws:shield::{ACCOUNT_ID}:protection-group/securecart-entry-points"
    assert group["arn"] == group["protectionGroupArn"]


def test_the_automatic_response_is_known_by_its_resource() -> None:
    dist = f"arn:aws:cloudfront::{ACCOUNT_ID}:distribution/E2QWRUHAPOMQZL"
    rid, state = make(mocks(), "aws:shield/applicationLayerAutomaticResponse:ApplicationLayerAutomaticResponse",
                      "r", {"resourceArn": dist, "action": "COUNT"})
    assert rid == dist and state["action"] == "COUNT"


def test_a_calculated_health_check_reads_like_the_others() -> None:
    m = mocks()
    child, _ = make(m, "aws:route53/healthCheck:HealthCheck", "child", {"type": "HTTPS", "fqdn": "a.example.com"})
    rid, calculated = make(m, "aws:route53/healthCheck:HealthCheck", "any", {
        "type": "CALCULATED", "childHealthchecks": [child], "childHealthThreshold": 1})
    assert re.fullmatch(UUID, rid) and calculated["arn"] == f"arn:aws:route53:::healthcheck/{rid}"
    assert calculated["childHealthchecks"] == [child] and rid != child


# --- API Gateway (REST) -------------------------------------------------------------------------------------------

def test_a_rest_api_has_its_root_and_its_arns() -> None:
    rid, api = make(mocks(), f"{APIGW}/restApi:RestApi", "api", {"name": "partners",
                                                                 "endpointConfiguration": {"types": "REGIONAL"}})
    assert re.fullmatch(r"[a-z0-9]{10}", rid) and re.fullmatch(r"[a-z0-9]{10}", api["rootResourceId"])
    assert api["rootResourceId"] != rid
    assert api["arn"] == f"arn:aws:apigateway:us-east-1::/restapis/{rid}"
    assert api["executionArn"] == f"arn:aws:execute-api:us-east-1:{ACCOUNT_ID}:{rid}"
    _, unnamed = make(mocks(), f"{APIGW}/restApi:RestApi", "unnamed", {})
    assert re.fullmatch(r"unnamed-[0-9a-f]{7}", unnamed["name"])  # auto-named, as the provider would


def test_resources_path_from_their_parents() -> None:
    m = mocks()
    api_id, api = make(m, f"{APIGW}/restApi:RestApi", "api", {"name": "partners"})
    v1, first = make(m, f"{APIGW}/resource:Resource", "v1", {"restApi": api_id, "parentId": api["rootResourceId"],
                                                            "pathPart": "v1"})
    assert re.fullmatch(r"[a-z0-9]{6}", v1) and first["path"] == "/v1"
    _, second = make(m, f"{APIGW}/resource:Resource", "payments", {"restApi": api_id, "parentId": v1,
                                                                  "pathPart": "payments"})
    _, third = make(m, f"{APIGW}/resource:Resource", "id", {"restApi": api_id, "parentId": v1, "pathPart": "{id}"})
    assert second["path"] == "/v1/payments" and third["path"] == "/v1/{id}"


def test_methods_integrations_and_settings_have_the_providers_ids() -> None:
    m = mocks()
    method, _ = make(m, f"{APIGW}/method:Method", "m", {"restApi": "a1b2c3d4e5", "resourceId": "abc123",
                                                        "httpMethod": "POST", "authorization": "AWS_IAM"})
    assert method == "agm-a1b2c3d4e5-abc123-POST"
    integration, _ = make(m, f"{APIGW}/integration:Integration", "i", {
        "restApi": "a1b2c3d4e5", "resourceId": "abc123", "httpMethod": "POST", "type": "HTTP_PROXY"})
    assert integration == "agi-a1b2c3d4e5-abc123-POST"
    settings, _ = make(m, f"{APIGW}/methodSettings:MethodSettings", "s", {
        "restApi": "a1b2c3d4e5", "stageName": "v1", "methodPath": "*/*"})
    assert settings == "a1b2c3d4e5-v1-*/*"


def test_a_stage_has_the_arn_a_web_acl_is_associated_with() -> None:
    m = mocks()
    deployment, dep = make(m, f"{APIGW}/deployment:Deployment", "d", {"restApi": "a1b2c3d4e5"})
    assert re.fullmatch(r"[a-z0-9]{6}", deployment) and dep["createdDate"]
    rid, stage = make(m, f"{APIGW}/stage:Stage", "stage", {"restApi": "a1b2c3d4e5", "stageName": "v1",
                                                          "deployment": deployment}, provider=EU_PROVIDER)
    assert rid == "ags-a1b2c3d4e5-v1"
    assert stage["arn"] == "arn:aws:apigateway:eu-west-1::/restapis/a1b2c3d4e5/stages/v1"
    assert stage["invokeUrl"] == "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/v1"
    assert stage["executionArn"] == f"arn:aws:execute-api:eu-west-1:{ACCOUNT_ID}:a1b2c3d4e5/v1"


def test_vpc_links_usage_plans_and_keys() -> None:
    m = mocks()
    link, vpc_link = make(m, f"{APIGW}/vpcLink:VpcLink", "link", {"name": "partners", "targetArn": "arn"})
    assert re.fullmatch(r"[a-z0-9]{6}", link) and vpc_link["arn"] == f"arn:aws:apigateway:us-east-1::/vpclinks/{link}"
    plan, usage_plan = make(m, f"{APIGW}/usagePlan:UsagePlan", "plan", {"name": "partner-a"})
    assert usage_plan["arn"] == f"arn:aws:apigateway:us-east-1::/usageplans/{plan}"
    key, api_key = make(m, f"{APIGW}/apiKey:ApiKey", "key", {"name": "partner-a"})
    assert re.fullmatch(r"[a-z0-9]{10}", key) and re.fullmatch(r"[A-Za-z0-9]{40}", api_key["value"])
    assert api_key["arn"] == f"arn:aws:apigateway:us-east-1::/apikeys/{key}" and api_key["enabled"] is True
    _, given = make(m, f"{APIGW}/apiKey:ApiKey", "given", {"name": "partner-b", "value": "x" * 30})
    assert given["value"] == "x" * 30
    rid, plan_key = make(m, f"{APIGW}/usagePlanKey:UsagePlanKey", "pk", {"keyId": key, "keyType": "API_KEY",
                                                                        "usagePlanId": plan})
    assert rid == key and (plan_key["name"], plan_key["value"]) == ("partner-a", api_key["value"])
    validator, _ = make(m, f"{APIGW}/requestValidator:RequestValidator", "v", {"name": "body"})
    model, _ = make(m, f"{APIGW}/model:Model", "model", {"name": "PartnerEvent"})
    assert re.fullmatch(r"[a-z0-9]{6}", validator) and re.fullmatch(r"[a-z0-9]{6}", model)


@pytest.mark.parametrize(("provider", "region", "zone"), [(US_PROVIDER, "us-east-1", "Z1UJRXOUMOOFQ8"),
                                                          (EU_PROVIDER, "eu-west-1", "ZLY8HYME6SFDD")])
def test_a_regional_custom_domain_names_its_regions_target_and_zone(provider: str, region: str, zone: str) -> None:
    rid, domain = make(mocks(), f"{APIGW}/domainName:DomainName", "domain", {
        "domainName": "partners.securecart.example", "endpointConfiguration": {"types": "REGIONAL"},
        "securityPolicy": "TLS_1_2", "regionalCertificateArn": "arn"}, provider=provider)
    assert rid == "partners.securecart.example"
    assert domain["arn"] == f"arn:aws:apigateway:{region}::/domainnames/partners.securecart.example"
    assert re.fullmatch(rf"d-[a-z0-9]{{10}}\.execute-api\.{region}\.amazonaws\.com", domain["regionalDomainName"])
    assert domain["regionalZoneId"] == zone and "cloudfrontDomainName" not in domain


def test_edge_and_private_custom_domains() -> None:
    m = mocks()
    _, edge = make(m, f"{APIGW}/domainName:DomainName", "edge", {"domainName": "api.example.com"})
    assert re.fullmatch(r"d[a-z0-9]{13}\.cloudfront\.net", edge["cloudfrontDomainName"])
    assert edge["cloudfrontZoneId"] == "Z2FDTNDATAQYW2" and "regionalDomainName" not in edge
    rid, private = make(m, f"{APIGW}/domainName:DomainName", "private", {
        "domainName": "internal.example.com", "endpointConfiguration": {"types": "PRIVATE"}})
    assert rid == f"internal.example.com/{private['domainNameId']}"
    assert private["arn"] == (f"arn:aws:apigateway:us-east-1:{ACCOUNT_ID}:/domainnames/internal.example.com+"
                              f"{private['domainNameId']}")


def test_mappings_policies_and_the_account() -> None:
    m = mocks()
    rid, _ = make(m, f"{APIGW}/basePathMapping:BasePathMapping", "map", {
        "domainName": "partners.securecart.example", "restApi": "a1b2c3d4e5", "stageName": "v1"})
    assert rid == "partners.securecart.example/"
    rid, _ = make(m, f"{APIGW}/restApiPolicy:RestApiPolicy", "policy", {"restApiId": "a1b2c3d4e5", "policy": "{}"})
    assert rid == "a1b2c3d4e5"
    rid, account = make(m, f"{APIGW}/account:Account", "account", {"cloudwatchRoleArn": "arn"})
    assert rid == ACCOUNT_ID and account["throttleSettings"] == [{"burstLimit": 5000, "rateLimit": 10000}]


def test_a_pull_through_cache_rule_is_known_by_its_prefix() -> None:
    rid, rule = make(mocks(), "aws:ecr/pullThroughCacheRule:PullThroughCacheRule", "cache", {
        "ecrRepositoryPrefix": "ecr-public", "upstreamRegistryUrl": "public.ecr.aws"})
    assert rid == "ecr-public" and rule["registryId"] == ACCOUNT_ID
