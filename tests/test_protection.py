"""Issue 13, protection and partner access, as synthesized from the real program and stack files after the plan's
passes: every web ACL (its managed groups, geo block, rate rule, association and logging redactions), Shield
Advanced on every internet-facing entry point of both stacks (the subscription, health-based detection, the group,
the distribution's automatic response), the partners' API Gateway (authorization, private integrations, stage
logging and tracing, usage plans, custom domain, redeployment), PrivateLink (the payment endpoint service and its
DNS verification, the processor's endpoint, the payment tasks' narrowed egress), and the settings they refuse."""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from securecart_rules import POLICIES

from automation import report
from automation.gate import evaluate
from automation.mocks import Registration
from automation.project import Project
from automation.synth import StackResult, SynthRun, synth_all, synth_stack
from components.settings.loader import parse_settings
from components.settings.protection import DEFAULT_RULE_GROUPS
from components.settings.stack import StackSettings
from components.settings.types import ConfigError
from tests.conftest import Graph, assert_refused, plain, policy_doc

ACCOUNT = "123456789012"
DOMAIN = "securecart.example"
WEB_ACL = "aws:wafv2/webAcl:WebAcl"
ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"
WAF_LOGGING = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
PROTECTION = "aws:shield/protection:Protection"
SUBSCRIPTION = "aws:shield/subscription:Subscription"
HEALTH_ASSOCIATION = "aws:shield/protectionHealthCheckAssociation:ProtectionHealthCheckAssociation"
PROTECTION_GROUP = "aws:shield/protectionGroup:ProtectionGroup"
AUTOMATIC_RESPONSE = "aws:shield/applicationLayerAutomaticResponse:ApplicationLayerAutomaticResponse"
HEALTH = "aws:route53/healthCheck:HealthCheck"
RECORD = "aws:route53/record:Record"
LB = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
TG = "aws:lb/targetGroup:TargetGroup"
SG = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
ENDPOINT_SERVICE = "aws:ec2/vpcEndpointService:VpcEndpointService"
DNS_VERIFICATION = "aws:vpc/endpointServicePrivateDnsVerification:EndpointServicePrivateDnsVerification"
APIGW = "aws:apigateway"
REST_API = f"{APIGW}/restApi:RestApi"
METHOD = f"{APIGW}/method:Method"
INTEGRATION = f"{APIGW}/integration:Integration"
STAGE = f"{APIGW}/stage:Stage"
DEPLOYMENT = f"{APIGW}/deployment:Deployment"
ACLS = ("cloudfront-waf", "alb-waf", "accelerator-waf", "partners-waf")
REGIONAL_ACLS = ("alb-waf", "accelerator-waf", "partners-waf")
SQLI = "AWSManagedRulesSQLiRuleSet"
COMMON = "AWSManagedRulesCommonRuleSet"

Edit = Callable[[str, dict[str, Any]], None]
ProjectCopy = Callable[[Edit], Project]


def _settings(project: Project, stack: str) -> StackSettings:
    return parse_settings(project.read_stack(stack).values)


def _us(synth_run: SynthRun) -> Graph:
    return Graph(synth_run.results["prod-us"])


def _eu(synth_run: SynthRun) -> Graph:
    return Graph(synth_run.results["prod-eu"])


def _acls(graph: Graph) -> dict[str, Registration]:
    return {a.name: a for a in graph.of_type(WEB_ACL)}


def _rules(acl: Registration) -> list[dict[str, Any]]:
    return list(plain(acl.inputs["rules"]))


# --- WAF: one definition, four web ACLs ---------------------------------------------------------------------------

def _check_acl(name: str, acl: Registration, settings: StackSettings, counted: frozenset[str] = frozenset(),
               rate_limit: int | None = None) -> None:
    """The shape every web ACL shares: (origin verification on the customer ALB's,) the geo block, the configured
    managed groups in order (each blocking as AWS set it unless counted), the rate limit per client IP where the
    client's address is seen, metrics on every rule, and default allow."""
    waf = settings.waf
    rules = _rules(acl)
    first = ["origin-verify"] if name == "alb-waf" else []
    rate = [] if name == "alb-waf" else ["rate-limit-per-ip"]
    assert [r["name"] for r in rules] == [*first, "geo-block", *waf.groups, *rate], name
    assert [r["priority"] for r in rules] == sorted({r["priority"] for r in rules}), name  # distinct, in order
    assert acl.inputs["defaultAction"] == {"allow": {}}
    assert acl.inputs["scope"] == ("CLOUDFRONT" if name == "cloudfront-waf" else "REGIONAL")
    by_name = {r["name"]: r for r in rules}
    geo = by_name["geo-block"]
    assert geo["action"] == {"block": {}} and "overrideAction" not in geo
    assert geo["statement"] == {"geoMatchStatement": {"countryCodes": waf.geo_block}} and waf.geo_block == ["KP"]
    for group in waf.groups:
        rule = by_name[group]
        assert "action" not in rule, (name, group)
        assert rule["overrideAction"] == ({"count": {}} if group in counted else {"none": {}}), (name, group)
        statement = rule["statement"]["managedRuleGroupStatement"]
        assert (statement["name"], statement["vendorName"]) == (group, "AWS")
        # Only the partners' API lets one rule of the common group count (large webhook bodies): nothing else.
        overrides = statement.get("ruleActionOverrides")
        if name == "partners-waf" and group == "AWSManagedRulesCommonRuleSet":
            assert overrides == [{"name": "SizeRestrictions_BODY", "actionToUse": {"count": {}}}]
        else:
            assert overrides is None, (name, group)
    if rate:
        limit = by_name["rate-limit-per-ip"]
        assert limit["action"] == {"block": {}} and "overrideAction" not in limit
        statement = limit["statement"]["rateBasedStatement"]
        assert (statement["aggregateKeyType"], statement["limit"]) == ("IP", rate_limit), name
        if name != "cloudfront-waf":  # CloudFront's exempts the cached paths (test_edge)
            assert set(statement) == {"aggregateKeyType", "limit"}, name
    for rule in rules:
        v = rule["visibilityConfig"]
        assert v["cloudwatchMetricsEnabled"] and v["sampledRequestsEnabled"] and v["metricName"] == rule["name"]
    assert acl.inputs["visibilityConfig"]["cloudwatchMetricsEnabled"] is True


def test_every_web_acl_runs_the_one_definition(synth_run: SynthRun, project: Project) -> None:
    us_settings = _settings(project, "prod-us")
    assert us_settings.edge is not None
    for stack, names in (("prod-us", ACLS), ("prod-eu", REGIONAL_ACLS)):
        settings = _settings(project, stack)
        assert settings.waf.groups == list(DEFAULT_RULE_GROUPS) and settings.waf.count == []
        acls = _acls(Graph(synth_run.results[stack]))
        assert sorted(acls) == sorted(names), stack
        assert settings.partners is not None
        for name in names:
            # CloudFront's limit is the edge's (edge.rateLimit); the partners' their plans' pace (the most generous
            # plan's 5 minutes: acme-payments' 100 per second); the other regional ones securecart:waf.rateLimit.
            limit = {"cloudfront-waf": us_settings.edge.rate_limit,
                     "partners-waf": settings.partners.web_acl_rate_limit}.get(name, settings.waf.rate_limit)
            assert limit == {"partners-waf": 30000}.get(name, 2000)
            _check_acl(name, acls[name], settings, rate_limit=limit)


def test_each_web_acl_is_associated_with_its_entry_point(synth_run: SynthRun) -> None:
    us = _us(synth_run)
    assert us.one("aws:cloudfront/distribution:Distribution", "distribution").inputs["webAclId"] == \
        _acls(us)["cloudfront-waf"].outputs["arn"]  # CloudFront's is set on the distribution, not associated
    for stack in ("prod-us", "prod-eu"):
        graph = Graph(synth_run.results[stack])
        acls = _acls(graph)
        targets = {"alb-waf": graph.one(LB, "alb").outputs["arn"],
                   "accelerator-waf": graph.one(LB, "accelerator-alb").outputs["arn"],
                   "partners-waf": graph.one(STAGE, "partners-stage").outputs["arn"]}
        assert targets["partners-waf"] == f"arn:aws:apigateway:{graph.result.region}::/restapis/" \
            f"{graph.one(REST_API, 'partners-api').id}/stages/v1"
        associations = {a.name: a.inputs for a in graph.of_type(ASSOCIATION)}
        assert sorted(associations) == sorted(f"{n}-association" for n in targets), stack
        for name, resource in targets.items():
            association = associations[f"{name}-association"]
            assert (association["webAclArn"], association["resourceArn"]) == (acls[name].outputs["arn"], resource)
            assert f":wafv2:{graph.result.region}:" in association["webAclArn"]


def test_every_web_acls_logs_redact_the_authorization_and_cookie_headers(stack: StackResult, graph: Graph) -> None:
    acls = _acls(graph)
    logging = {c.name.removesuffix("-logging"): c.inputs for c in graph.of_type(WAF_LOGGING)}
    assert sorted(logging) == sorted(acls)
    for name, acl in acls.items():
        config = logging[name]
        assert config["resourceArn"] == acl.outputs["arn"]
        redacted = [f["singleHeader"]["name"] for f in config["redactedFields"]]
        assert [f for f in config["redactedFields"] if set(f) != {"singleHeader"}] == []
        # The customer ALB's also hides CloudFront's origin-verify header (a secret).
        assert sorted(redacted) == sorted(["cookie", "authorization", *(["x-origin-verify"] if name == "alb-waf"
                                                                          else [])]), name
        (destination,) = config["logDestinationConfigs"]
        (group,) = [g for g in graph.of_type(LOG_GROUP) if g.outputs["arn"] == destination]
        assert group.inputs["name"].startswith("aws-waf-logs-") and group.inputs["retentionInDays"] >= 365
        assert group.inputs["kmsKeyId"] == graph.one("aws:kms/key:Key", "logs-key").outputs["arn"]


def test_a_counted_group_counts_alone_everywhere_and_the_summary_says_so(
        project_copy: ProjectCopy, synth_run: SynthRun) -> None:
    """securecart:waf.count names SQL injection (and waf.rateLimit moves): in every web ACL of both stacks that
    group alone counts, the regional rate rules take the new limit while CloudFront keeps the edge's, the synth
    summary lists each counted rule, and the pack's rule refuses a counted group nobody allowed."""
    def tune(_name: str, config: dict[str, Any]) -> None:
        config["securecart:waf"] = {**config["securecart:waf"], "count": [SQLI], "rateLimit": 500}

    copy = project_copy(tune)
    run = synth_all(copy)
    for stack, names in (("prod-us", ACLS), ("prod-eu", REGIONAL_ACLS)):
        result = run.results[stack]
        acls = _acls(Graph(result))
        settings = _settings(copy, stack)
        for name in names:
            _check_acl(name, acls[name], settings, counted=frozenset({SQLI}),
                       rate_limit={"cloudfront-waf": 2000, "partners-waf": 30000}.get(name, 500))
        line = report.counted_waf_rules(result)
        # in each web ACL's rule order: the common group (its body-size rule counted in the partners') before SQLi
        assert line == "  waf rules that only count: " + ", ".join(
            (f"{n}/{COMMON}/SizeRestrictions_BODY, " if n == "partners-waf" else "") + f"{n}/{SQLI}"
            for n in sorted(names))
        assert line in report.summary(result, [], len(POLICIES))
        found = [v for v in evaluate(result, POLICIES) if v.policy == "waf-managed-groups-enforced"]
        assert sorted(v.resource_name for v in found) == sorted(names) and {v.level for v in found} == {"mandatory"}
    # The project's own stacks count only the partners' body-size rule (webhook bodies may pass 8 KB), and say so.
    for result in synth_run.results.values():
        assert report.counted_waf_rules(result) == (
            "  waf rules that only count: partners-waf/AWSManagedRulesCommonRuleSet/SizeRestrictions_BODY")


# --- Shield Advanced ----------------------------------------------------------------------------------------------

def _internet_facing(graph: Graph) -> set[str]:
    """The ARNs of every entry point the internet reaches in this stack, found from the graph (not from Shield):
    Elastic IPs, internet-facing load balancers, distributions, accelerators and hosted zones."""
    region = graph.result.region
    arns = {f"arn:aws:ec2:{region}:{ACCOUNT}:eip-allocation/{e.outputs['allocationId']}"
            for e in graph.of_type("aws:ec2/eip:Eip")}
    arns |= {lb.outputs["arn"] for lb in graph.of_type(LB) if lb.inputs.get("internal") is False}
    for typ in ("aws:cloudfront/distribution:Distribution", "aws:globalaccelerator/accelerator:Accelerator",
                "aws:route53/zone:Zone"):
        arns |= {r.outputs["arn"] for r in graph.of_type(typ)}
    return arns


def test_shield_protects_every_internet_facing_entry_point_of_both_stacks(stack: StackResult,
                                                                          graph: Graph) -> None:
    protections = {p.name: p for p in graph.of_type(PROTECTION)}
    assert {p.inputs["resourceArn"] for p in protections.values()} == _internet_facing(graph)
    assert len({p.inputs["resourceArn"] for p in protections.values()}) == len(protections)  # one each
    for eip in graph.of_type("aws:ec2/eip:Eip"):
        zone = eip.name.removeprefix("nat-").removesuffix("-eip")
        protection = protections[f"nat-{zone}-eip-shield"]
        assert protection.inputs["resourceArn"] == \
            f"arn:aws:ec2:{stack.region}:{ACCOUNT}:eip-allocation/{eip.outputs['allocationId']}"
        assert eip.urn in protection.dependencies
        assert any(n.inputs["allocationId"] == eip.outputs["allocationId"]
                   for n in graph.of_type("aws:ec2/natGateway:NatGateway"))  # what the NAT gateway shows
    assert protections["alb-shield"].inputs["resourceArn"] == graph.one(LB, "alb").outputs["arn"]
    assert stack.outputs["shieldProtectionIds"] == {n: p.id for n, p in protections.items()}
    expected = {"alb-shield", *(f"nat-{stack.region}{z}-eip-shield" for z in "abc")}
    if stack.role == "primary":
        expected |= {"cloudfront-shield", "accelerator-shield", "zone-shield"}
    assert sorted(protections) == sorted(expected)


def test_the_subscription_is_the_primarys_and_every_protection_comes_after_it(synth_run: SynthRun) -> None:
    us = _us(synth_run)
    (subscription,) = us.of_type(SUBSCRIPTION)
    assert subscription.inputs["autoRenew"] == "ENABLED" and subscription.protect
    # Its parent is the stack itself (no component), so a new account can make it alone first (--target).
    assert subscription.parent == us.result.stack_urn
    assert not [r for r in us.result.resources if r.urn == subscription.parent]
    for protection in us.of_type(PROTECTION):
        assert subscription.urn in protection.dependencies, protection.name
    (group,) = us.of_type(PROTECTION_GROUP)
    assert subscription.urn in group.dependencies
    assert _eu(synth_run).of_type(SUBSCRIPTION) == []  # the account's: one, in the primary


def test_health_based_detection_watches_what_each_protection_protects(synth_run: SynthRun) -> None:
    us, eu = _us(synth_run), _eu(synth_run)
    checks = {h.name: h for h in us.of_type(HEALTH)}
    any_region = checks["health-any-region"]
    assert any_region.inputs["type"] == "CALCULATED"
    expected = {
        ("prod-us", "alb-shield"): checks["health-us-east-1"].outputs["arn"],
        ("prod-us", "cloudfront-shield"): any_region.outputs["arn"],
        ("prod-us", "accelerator-shield"): any_region.outputs["arn"],
        # prod-eu's ALB: the check the primary keeps of it, from its healthCheckIds output.
        ("prod-eu", "alb-shield"): checks["health-eu-west-1"].outputs["arn"],
    }
    assert synth_run.results["prod-us"].outputs["healthCheckIds"]["eu-west-1"] == checks["health-eu-west-1"].id
    assert expected[("prod-eu", "alb-shield")] == f"arn:aws:route53:::healthcheck/{checks['health-eu-west-1'].id}"
    got = {}
    for stack, graph in (("prod-us", us), ("prod-eu", eu)):
        protections = {p.id: p for p in graph.of_type(PROTECTION)}
        for association in graph.of_type(HEALTH_ASSOCIATION):
            protection = protections[association.inputs["shieldProtectionId"]]
            assert association.name == f"{protection.name}-health"
            got[(stack, protection.name)] = association.inputs["healthCheckArn"]
    assert got == expected  # NAT addresses and the zone have no health check of their own


def test_one_protection_group_of_everything_and_the_distributions_automatic_response(synth_run: SynthRun) -> None:
    us = _us(synth_run)
    (group,) = us.of_type(PROTECTION_GROUP)
    assert (group.inputs["pattern"], group.inputs["aggregation"]) == ("ALL", "MAX")
    assert "members" not in group.inputs and "resourceType" not in group.inputs
    assert {p.urn for p in us.of_type(PROTECTION)} <= set(group.dependencies)
    assert _eu(synth_run).of_type(PROTECTION_GROUP) == []
    (response,) = us.of_type(AUTOMATIC_RESPONSE)
    distribution = us.one("aws:cloudfront/distribution:Distribution", "distribution")
    assert (response.inputs["resourceArn"], response.inputs["action"]) == (distribution.outputs["arn"], "COUNT")
    assert us.one(PROTECTION, "cloudfront-shield").urn in response.dependencies  # Shield refuses it before
    assert _eu(synth_run).of_type(AUTOMATIC_RESPONSE) == []


def test_the_automatic_response_blocks_when_config_says_block(project_copy: ProjectCopy,
                                                               synth_run: SynthRun) -> None:
    def block(name: str, config: dict[str, Any]) -> None:
        if name == "prod-us":
            config["securecart:shield"] = {"automaticResponse": "block"}

    result = synth_stack(project_copy(block), "prod-us", {"prod-eu": synth_run.results["prod-eu"].outputs})
    (response,) = result.by_type(AUTOMATIC_RESPONSE)
    assert response.inputs["action"] == "BLOCK"


# --- the partners' API --------------------------------------------------------------------------------------------

def _by_path(graph: Graph) -> dict[str, Registration]:
    """API resource path -> its resource (the root included)."""
    api = graph.one(REST_API, "partners-api")
    paths = {r.outputs["path"]: r for r in graph.of_type(f"{APIGW}/resource:Resource")}
    assert all(r.inputs["restApi"] == api.id for r in paths.values())
    return paths


def test_every_method_needs_iam_authorization_an_api_key_and_validation(stack: StackResult, graph: Graph,
                                                                        project: Project) -> None:
    partners = _settings(project, stack.stack).partners
    assert partners is not None
    api, paths = graph.one(REST_API, "partners-api"), _by_path(graph)
    validator = graph.one(f"{APIGW}/requestValidator:RequestValidator", "partners-validator")
    assert (validator.inputs["validateRequestBody"], validator.inputs["validateRequestParameters"]) == (True, True)
    model = graph.one(f"{APIGW}/model:Model", "partners-event-model")
    assert model.inputs["contentType"] == "application/json"
    assert json.loads(model.inputs["schema"])["type"] == "object"
    methods = graph.of_type(METHOD)
    assert sorted((paths_of(paths, m), m.inputs["httpMethod"]) for m in methods) == \
        sorted((r.path, r.method.value) for r in partners.routes)
    for method in methods:
        i = method.inputs
        assert (i["restApi"], i["authorization"], i["apiKeyRequired"]) == (api.id, "AWS_IAM", True), method.name
        assert i["requestValidatorId"] == validator.id
        assert "authorizerId" not in i  # IAM is the authorization: no authorizer, no NONE
        if i["httpMethod"] == "POST":
            assert i["requestModels"] == {"application/json": model.outputs["name"]}


def paths_of(paths: dict[str, Registration], method: Registration) -> str:
    (path,) = [p for p, r in paths.items() if r.id == method.inputs["resourceId"]]
    return path


def test_every_integration_is_private_over_the_vpc_link_to_its_services_listener(
        stack: StackResult, graph: Graph, project: Project) -> None:
    settings = _settings(project, stack.stack)
    assert settings.partners is not None and settings.delivery is not None
    ports = {s.name: s.listener_port for s in settings.delivery.services}
    assert (ports["payment"], ports["integrations"]) == (443, 9443)
    link = graph.one(f"{APIGW}/vpcLink:VpcLink", "partners-vpc-link")
    nlb = graph.one(LB, "payment-nlb")
    assert link.inputs["targetArn"] == nlb.outputs["arn"] and nlb.inputs["internal"] is True
    # The VPC link's traffic arrives over PrivateLink: the NLB's group must not filter it (its sources are
    # API Gateway's, unknown here), and the NLB listens on each route's port.
    assert nlb.inputs["enforceSecurityGroupInboundRulesOnPrivateLinkTraffic"] == "off"
    nlb_ports = {x.inputs["port"] for x in graph.of_type(LISTENER) if x.inputs["loadBalancerArn"] == nlb.outputs["arn"]}
    paths = _by_path(graph)
    methods = {m.urn: m for m in graph.of_type(METHOD)}
    integrations = graph.of_type(INTEGRATION)
    assert len(integrations) == len(settings.partners.routes) == len(methods)
    for integration in integrations:
        i = integration.inputs
        method = methods[integration.parent]
        path = paths_of(paths, method)
        (route,) = [r for r in settings.partners.routes if (r.path, r.method.value) == (path, i["httpMethod"])]
        assert (i["type"], i["connectionType"], i["connectionId"]) == ("HTTP_PROXY", "VPC_LINK", link.id)
        assert (i["resourceId"], i["httpMethod"], i["integrationHttpMethod"]) == \
            (method.inputs["resourceId"], method.inputs["httpMethod"], route.method.value)
        assert i["uri"] == f"https://{route.service}.{stack.region}.{DOMAIN}:{ports[route.service]}{route.path}"
        assert ports[route.service] in nlb_ports
        assert "execute-api" not in i["uri"] and ".elb.amazonaws.com" not in i["uri"]  # no public backend


def test_the_api_is_regional_reached_only_by_its_domain_and_invoked_only_by_the_partners(
        stack: StackResult, graph: Graph, project: Project) -> None:
    partners = _settings(project, stack.stack).partners
    assert partners is not None
    api = graph.one(REST_API, "partners-api")
    assert api.inputs["endpointConfiguration"] == {"types": "REGIONAL"}
    assert api.inputs["disableExecuteApiEndpoint"] is True and api.inputs["apiKeySource"] == "HEADER"
    policy = graph.one(f"{APIGW}/restApiPolicy:RestApiPolicy", "partners-api-policy")
    assert policy.inputs["restApiId"] == api.id
    (statement,) = policy_doc(policy.inputs["policy"])["Statement"]
    principals = sorted({p for partner in partners.partners for p in partner.principals})
    assert principals == ["arn:aws:iam::111122223333:role/securecart-webhooks",
                          "arn:aws:iam::444455556666:role/securecart-events"]
    assert (statement["Effect"], statement["Principal"], statement["Action"]) == \
        ("Allow", {"AWS": principals}, "execute-api:Invoke")
    assert statement["Resource"] == f"{api.outputs['executionArn']}/*"
    assert api.outputs["executionArn"] == f"arn:aws:execute-api:{stack.region}:{ACCOUNT}:{api.id}"
    assert "Condition" not in statement and "NotPrincipal" not in statement


def test_the_stage_is_traced_and_logged_without_bodies_and_throttled(stack: StackResult, graph: Graph,
                                                                     project: Project) -> None:
    partners = _settings(project, stack.stack).partners
    assert partners is not None
    api, stage = graph.one(REST_API, "partners-api"), graph.one(STAGE, "partners-stage")
    deployment = graph.one(DEPLOYMENT, "partners-deployment")
    assert (stage.inputs["restApi"], stage.inputs["deployment"], stage.inputs["stageName"]) == \
        (api.id, deployment.id, "v1")
    assert stage.inputs["xrayTracingEnabled"] is True
    logs_key = graph.one("aws:kms/key:Key", "logs-key").outputs["arn"]
    access = stage.inputs["accessLogSettings"]
    (group,) = [g for g in graph.of_type(LOG_GROUP) if g.outputs["arn"] == access["destinationArn"]]
    assert group.inputs["kmsKeyId"] == logs_key and group.inputs["retentionInDays"] >= 365
    log_format = json.loads(access["format"])
    for key, variable in (("requestId", "$context.requestId"), ("caller", "$context.identity.caller"),
                          ("status", "$context.status"), ("responseLatency", "$context.responseLatency")):
        assert log_format[key] == variable
    settings = graph.one(f"{APIGW}/methodSettings:MethodSettings", "partners-stage-settings").inputs
    assert (settings["restApi"], settings["stageName"], settings["methodPath"]) == (api.id, "v1", "*/*")
    assert settings["settings"] == {
        "loggingLevel": "INFO", "dataTraceEnabled": False, "metricsEnabled": True,
        "throttlingRateLimit": partners.stage_rate_limit, "throttlingBurstLimit": partners.stage_burst}
    assert (partners.stage_rate_limit, partners.stage_burst) == (500, 1000)
    # The execution log group API Gateway writes to, made first (encrypted, kept) so API Gateway does not make it.
    execution = graph.one(LOG_GROUP, "partners-execution-logs")
    assert execution.inputs["name"] == f"API-Gateway-Execution-Logs_{api.id}/v1"
    assert execution.inputs["kmsKeyId"] == logs_key and execution.inputs["retentionInDays"] >= 365
    assert execution.urn in stage.dependencies


def test_api_gateways_logging_role_is_trusted_as_aws_documents_it(graph: Graph, stack: StackResult) -> None:
    account = graph.one(f"{APIGW}/account:Account", "apigateway-account")
    role = graph.one("aws:iam/role:Role", "partners-api-logs")
    assert account.inputs["cloudwatchRoleArn"] == role.outputs["arn"]
    (trust,) = policy_doc(role.inputs["assumeRolePolicy"])["Statement"]
    # No condition: API Gateway sets no aws:SourceAccount when it assumes it, and UpdateAccount refuses the role.
    assert trust == {"Effect": "Allow", "Principal": {"Service": "apigateway.amazonaws.com"},
                     "Action": "sts:AssumeRole"}
    (grant,) = policy_doc(graph.one("aws:iam/rolePolicy:RolePolicy", "partners-api-logs-policy").inputs["policy"])[
        "Statement"]
    assert grant["Resource"] == f"arn:aws:logs:{stack.region}:{ACCOUNT}:*"
    assert all(a.startswith("logs:") and "*" not in a for a in grant["Action"])
    assert graph.one(STAGE, "partners-stage").dependencies.count(account.urn) == 1


def test_each_partner_has_a_key_and_a_plan_that_throttles_and_caps_it(stack: StackResult, graph: Graph,
                                                                      project: Project) -> None:
    partners = _settings(project, stack.stack).partners
    assert partners is not None
    api, stage = graph.one(REST_API, "partners-api"), graph.one(STAGE, "partners-stage")
    plans = {p.name: p for p in graph.of_type(f"{APIGW}/usagePlan:UsagePlan")}
    keys = {k.name: k for k in graph.of_type(f"{APIGW}/apiKey:ApiKey")}
    links = {k.name: k for k in graph.of_type(f"{APIGW}/usagePlanKey:UsagePlanKey")}
    assert sorted(plans) == [f"partner-{p.name}" for p in sorted(partners.partners, key=lambda p: p.name)]
    assert [(p.rate_limit, p.burst, p.daily_quota) for p in partners.partners] == [(100, 200, 500000),
                                                                                   (50, 100, 500000)]
    for partner in partners.partners:
        plan = plans[f"partner-{partner.name}"]
        assert plan.inputs["apiStages"] == [{"apiId": api.id, "stage": stage.outputs["stageName"]}]
        assert plan.inputs["throttleSettings"] == {"rateLimit": partner.rate_limit, "burstLimit": partner.burst}
        assert plan.inputs["quotaSettings"] == {"limit": partner.daily_quota, "period": "DAY"}
        key = keys[f"partner-{partner.name}-key"]
        assert key.inputs["enabled"] is True and "value" in key.additional_secret_outputs
        link = links[f"partner-{partner.name}-plan-key"]
        assert (link.inputs["keyId"], link.inputs["usagePlanId"], link.inputs["keyType"]) == \
            (key.id, plan.id, "API_KEY")
        # The plan's key outputs the key's value too: secret there as well, or the state would hold it in clear.
        assert "value" in link.additional_secret_outputs


def test_the_custom_domain_serves_the_regions_certificate_over_tls_1_2(synth_run: SynthRun) -> None:
    us = _us(synth_run)
    exported = synth_run.results["prod-us"].outputs["certificateArns"]
    assert exported["us-east-1"] == us.one("aws:acm/certificateValidation:CertificateValidation",
                                           "cert-us-east-1-validation").outputs["certificateArn"]
    for stack in ("prod-us", "prod-eu"):
        graph = Graph(synth_run.results[stack])
        region = graph.result.region
        domain = graph.one(f"{APIGW}/domainName:DomainName", "partners-domain")
        i = domain.inputs
        assert (i["domainName"], i["endpointConfiguration"], i["securityPolicy"]) == \
            (f"partners.{DOMAIN}", {"types": "REGIONAL"}, "TLS_1_2")
        # prod-eu: exactly the certificate the primary validated for its region and exported.
        assert i["regionalCertificateArn"] == exported[region] and f":acm:{region}:" in exported[region]
        assert "certificateArn" not in i  # an edge-optimized domain's
        mapping = graph.one(f"{APIGW}/basePathMapping:BasePathMapping", "partners-mapping")
        assert (mapping.inputs["restApi"], mapping.inputs["stageName"], mapping.inputs["domainName"]) == \
            (graph.one(REST_API, "partners-api").id, "v1", domain.outputs["domainName"])
        assert "basePath" not in mapping.inputs  # the whole domain maps to the stage


def test_the_deployment_waits_for_every_part_and_redeploys_when_the_policy_changes(
        project_copy: ProjectCopy, synth_run: SynthRun) -> None:
    us = _us(synth_run)
    deployment = us.one(DEPLOYMENT, "partners-deployment")
    parts = {r.urn for t in (METHOD, INTEGRATION, f"{APIGW}/restApiPolicy:RestApiPolicy",
                             f"{APIGW}/requestValidator:RequestValidator", f"{APIGW}/model:Model")
             for r in us.of_type(t)}
    assert parts <= set(deployment.dependencies)
    trigger = deployment.inputs["triggers"]["routes"]

    def another_principal(name: str, config: dict[str, Any]) -> None:
        if name == "prod-us":
            config["securecart:partners"]["partners"][1]["principals"].append("arn:aws:iam::777788889999:root")

    peer = {"prod-eu": synth_run.results["prod-eu"].outputs}
    changed = Graph(synth_stack(project_copy(another_principal), "prod-us", peer))
    (statement,) = policy_doc(changed.one(f"{APIGW}/restApiPolicy:RestApiPolicy",
                                          "partners-api-policy").inputs["policy"])["Statement"]
    assert "arn:aws:iam::777788889999:root" in statement["Principal"]["AWS"]
    # Same routes and integrations, another policy: a new deployment (else the stage keeps serving the old one).
    assert [i.inputs for i in changed.of_type(INTEGRATION)] == [i.inputs for i in us.of_type(INTEGRATION)]
    assert changed.one(DEPLOYMENT, "partners-deployment").inputs["triggers"]["routes"] != trigger
    # And nothing changed, nothing to redeploy.
    same = Graph(synth_stack(project_copy(lambda _n, _c: None), "prod-us", peer))
    assert same.one(DEPLOYMENT, "partners-deployment").inputs["triggers"]["routes"] == trigger


# --- PrivateLink --------------------------------------------------------------------------------------------------

def test_the_payment_endpoint_service_is_on_its_own_nlb_accepted_by_hand_for_the_configured_principals(
        stack: StackResult, graph: Graph, project: Project) -> None:
    private_link = _settings(project, stack.stack).private_link
    assert private_link is not None and private_link.allowed_principals == ["arn:aws:iam::111122223333:root"]
    (service,) = [s for s in graph.of_type(ENDPOINT_SERVICE) if s.name == "payment-endpoint-service"]
    i = service.inputs
    endpoint_nlb, payment_nlb = graph.one(LB, "endpoint-nlb"), graph.one(LB, "payment-nlb")
    assert i["networkLoadBalancerArns"] == [endpoint_nlb.outputs["arn"]] != [payment_nlb.outputs["arn"]]
    assert i["acceptanceRequired"] is True
    assert i["allowedPrincipals"] == private_link.allowed_principals and "*" not in i["allowedPrincipals"]
    assert i["privateDnsName"] == f"payment.{stack.region}.{DOMAIN}"
    # The endpoint NLB: internal, in the tasks' subnets, the payment service's TLS listener alone, the region's
    # certificate (it covers payment.<region>.<domain>), and a group that admits nothing (PrivateLink consumers are
    # gated by acceptance and principals).
    assert (endpoint_nlb.inputs["internal"], endpoint_nlb.inputs["loadBalancerType"]) == (True, "network")
    assert endpoint_nlb.inputs["enforceSecurityGroupInboundRulesOnPrivateLinkTraffic"] == "off"
    (listener,) = [x for x in graph.of_type(LISTENER) if x.inputs["loadBalancerArn"] == endpoint_nlb.outputs["arn"]]
    tg = graph.one(TG, "payment-pl-tg")
    assert (listener.name, listener.inputs["port"], listener.inputs["protocol"]) == ("payment-pl-tls", 443, "TLS")
    assert listener.inputs["defaultActions"] == [{"targetGroupArn": tg.outputs["arn"], "type": "forward"}]
    assert listener.inputs["certificateArn"] == graph.one(LISTENER, "payment-tls").inputs["certificateArn"]
    assert tg.outputs["arn"] in [lb["targetGroupArn"] for lb in graph.one(
        "aws:ecs/service:Service", "payment-service").inputs["loadBalancers"]]
    (group_id,) = endpoint_nlb.inputs["securityGroups"]
    assert group_id == graph.one(SG, "endpoint-nlb-sg").id
    assert [r for r in graph.of_type(INGRESS) if r.inputs["securityGroupId"] == group_id] == []
    assert stack.outputs["paymentEndpointServiceName"] == service.outputs["serviceName"]


def test_both_verification_records_are_in_the_primarys_zone_and_each_stack_verifies(synth_run: SynthRun) -> None:
    us, eu = _us(synth_run), _eu(synth_run)
    zone = us.one("aws:route53/zone:Zone", "zone")
    records = {r.name: r.inputs for r in us.of_type(RECORD) if r.inputs.get("type") == "TXT"}
    assert sorted(records) == ["payment-service-dns-verification", "payment-service-dns-verification-eu-west-1"]
    for name, graph in (("payment-service-dns-verification", us),
                        ("payment-service-dns-verification-eu-west-1", eu)):
        service = graph.one(ENDPOINT_SERVICE, "payment-endpoint-service")
        (config,) = service.outputs["privateDnsNameConfigurations"]
        record = records[name]
        assert config["type"] == "TXT" and record["zoneId"] == zone.outputs["zoneId"]
        assert record["name"] == f"{config['name']}.{service.inputs['privateDnsName']}"
        assert record["records"] == [config["value"]]
        (verification,) = graph.of_type(DNS_VERIFICATION)
        assert verification.inputs == {"serviceId": service.id, "waitForVerification": True}
    assert us.one(RECORD, "payment-service-dns-verification").urn in us.one(DNS_VERIFICATION,
                                                                           "payment-service-dns-verify").dependencies
    assert synth_run.results["prod-us"].outputs["verifiedDnsNames"] == [
        f"payment.us-east-1.{DOMAIN}", f"payment.eu-west-1.{DOMAIN}"]
    assert eu.of_type("aws:route53/zone:Zone") == [] and eu.of_type(RECORD) == []  # the primary writes them


def test_the_secondarys_name_is_verified_only_after_the_primary_wrote_its_record(project: Project) -> None:
    """The plan's steps, one by one: prod-eu has a private DNS name once it knows the domain (step 3), the primary
    writes its record (step 4), and only then does prod-eu ask AWS to verify (step 5)."""
    eu1 = synth_stack(project, "prod-eu", {})
    us2 = synth_stack(project, "prod-us", {"prod-eu": eu1.outputs})
    eu3 = synth_stack(project, "prod-eu", {"prod-us": us2.outputs})
    us4 = synth_stack(project, "prod-us", {"prod-eu": eu3.outputs})
    eu5 = synth_stack(project, "prod-eu", {"prod-us": us4.outputs})
    assert "privateDnsName" not in Graph(eu1).one(ENDPOINT_SERVICE, "payment-endpoint-service").inputs
    assert "paymentServiceDnsVerification" not in eu1.outputs
    assert us2.outputs["verifiedDnsNames"] == [f"payment.us-east-1.{DOMAIN}"]
    assert eu3.by_type(DNS_VERIFICATION) == [] and eu3.outputs["paymentServiceDnsVerification"]
    assert any(f"payment.eu-west-1.{DOMAIN} is verified once the primary has written its record" in m
               for _, m in eu3.logs)
    assert f"payment.eu-west-1.{DOMAIN}" in us4.outputs["verifiedDnsNames"]
    assert len(eu5.by_type(DNS_VERIFICATION)) == 1


def test_the_processors_endpoint_is_the_payment_tasks_and_their_https_goes_nowhere_else(
        stack: StackResult, graph: Graph, project: Project) -> None:
    private_link = _settings(project, stack.stack).private_link
    assert private_link is not None and private_link.processor is not None
    endpoint = graph.one(ENDPOINT, "processor-endpoint")
    sg = graph.one(SG, "processor-endpoint-sg")
    i = endpoint.inputs
    assert (i["vpcEndpointType"], i["serviceName"], i["privateDnsEnabled"]) == \
        ("Interface", private_link.processor.service_name, False)
    assert i["securityGroupIds"] == [sg.id]
    assert sorted(i["subnetIds"]) == sorted(s.id for s in graph.subnets("private", "app"))
    assert stack.outputs["processorEndpointId"] == endpoint.id
    payment = graph.one(SG, "payment-sg")
    out = [r.inputs for r in graph.of_type(EGRESS) if r.inputs["securityGroupId"] == payment.id
           and r.inputs["fromPort"] == 443]
    s3 = graph.one(ENDPOINT, "s3-gateway-endpoint")
    assert sorted(json.dumps({k: v for k, v in r.items() if k in ("referencedSecurityGroupId", "prefixListId",
                                                                    "cidrIpv4", "cidrIpv6")}) for r in out) == \
        sorted(json.dumps(x) for x in ({"referencedSecurityGroupId": graph.one(SG, "endpoints-sg").id},
                                       {"prefixListId": s3.outputs["prefixListId"]},
                                       {"referencedSecurityGroupId": sg.id}))
    assert all((r["ipProtocol"], r["toPort"]) == ("tcp", 443) for r in out)
    assert not [r for r in graph.of_type(EGRESS) if r.inputs["securityGroupId"] == payment.id
                and ("cidrIpv4" in r.inputs and r.inputs["cidrIpv4"] != stack.outputs["vpcCidr"])]
    # Every other service keeps HTTPS to anywhere (their partners are on the internet).
    for name in ("storefront", "checkout", "integrations"):
        group = graph.one(SG, f"{name}-sg")
        (https,) = [r.inputs for r in graph.of_type(EGRESS) if r.inputs["securityGroupId"] == group.id
                    and r.inputs["fromPort"] == 443]
        assert (https["cidrIpv4"], https["toPort"]) == ("0.0.0.0/0", 443), name


def test_both_stacks_pass_the_gate_with_full_protection(synth_run: SynthRun) -> None:
    for name, result in synth_run.results.items():
        assert [v for v in evaluate(result, POLICIES) if v.level == "mandatory"] == [], name


# --- bad input ------------------------------------------------------------------------------------------------------

def _set(key: str, change: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, str]], dict[str, str]]:
    def edit(values: dict[str, str]) -> dict[str, str]:
        doc = json.loads(values.get(key, "{}"))
        change(doc)
        return {**values, key: json.dumps(doc)}
    return edit


def _partner(**changes: Any) -> Callable[[dict[str, Any]], None]:
    return lambda d: d["partners"][0].update(changes)


NOT_A_PRINCIPAL = "is not an IAM principal ARN: use arn:aws:iam::<account>:root, …:role/<name> or …:user/<name>"
STAR = "'*' would admit every AWS account: name the accounts or roles"

BAD: list[tuple[str, str, Callable[[dict[str, str]], dict[str, str]], str]] = [
    ("rate limit 5", "prod-us", _set("securecart:waf", lambda d: d.update(rateLimit=5)),
     "securecart:waf.rateLimit: 5: input should be greater than or equal to 10"),
    ("rate limit above WAF's", "prod-eu", _set("securecart:waf", lambda d: d.update(rateLimit=2_000_000_001)),
     "securecart:waf.rateLimit: 2000000001: input should be less than or equal to 2000000000"),
    ("an unknown managed group", "prod-us",
     _set("securecart:waf", lambda d: d.update(ruleGroups=["AWSManagedRulesCommonRuleSet", "AWSManagedRulesXss"])),
     "securecart:waf.ruleGroups: AWSManagedRulesXss: not an AWS managed rule group SecureCart runs: use one of "
     "AWSManagedRulesCommonRuleSet, "),
    ("counting a group not run", "prod-us",
     _set("securecart:waf", lambda d: d.update(count=["AWSManagedRulesAnonymousIpList"])),
     "securecart:waf.count: AWSManagedRulesAnonymousIpList is not a group the web ACLs run "
     "(AWSManagedRulesCommonRuleSet, AWSManagedRulesSQLiRuleSet, AWSManagedRulesKnownBadInputsRuleSet, "
     "AWSManagedRulesAmazonIpReputationList)"),
    ("a malformed partner principal", "prod-us",
     _set("securecart:partners", _partner(principals=["arn:aws:iam::1111:role/hooks"])),
     f"securecart:partners.partners[0].principals: 'arn:aws:iam::1111:role/hooks' {NOT_A_PRINCIPAL}"),
    ("a partner principal *", "prod-eu", _set("securecart:partners", _partner(principals=["*"])),
     f"securecart:partners.partners[0].principals: {STAR}"),
    ("a malformed allowed principal", "prod-us",
     _set("securecart:privateLink", lambda d: d.update(allowedPrincipals=["111122223333"])),
     f"securecart:privateLink.allowedPrincipals: '111122223333' {NOT_A_PRINCIPAL}"),
    ("an allowed principal *", "prod-eu",
     _set("securecart:privateLink", lambda d: d.update(allowedPrincipals=["*"])),
     f"securecart:privateLink.allowedPrincipals: {STAR}"),
    ("a processor that is not an endpoint service", "prod-us",
     _set("securecart:privateLink", lambda d: d["processor"].update(serviceName="com.amazonaws.us-east-1.s3")),
     "securecart:privateLink.processor.serviceName: 'com.amazonaws.us-east-1.s3' is not a PrivateLink endpoint "
     "service name: com.amazonaws.vpce.<region>.vpce-svc-<17 hex digits>"),
    ("two routes on one path and method", "prod-us",
     _set("securecart:partners", lambda d: d["routes"].append(
         {"path": "/fraud/decisions", "method": "POST", "service": "payment"})),
     "securecart:partners.routes[3]: POST /fraud/decisions collides with routes[1]"),
    ("a route to an alb service", "prod-eu",
     _set("securecart:partners", lambda d: d["routes"].append(
         {"path": "/orders", "method": "GET", "service": "storefront"})),
     "securecart:partners.routes[3].service: 'storefront' is not an nlb service of securecart:delivery (nlb "
     "services: integrations, payment): partners and PrivateLink reach services through the internal NLB"),
    ("two nlb services on one port", "prod-us",
     _set("securecart:delivery", lambda d: d["services"][3].update(listenerPort=443)),
     "securecart:delivery.services: two nlb services listen on port 443: give each its own listenerPort"),
    ("a partners' limit below a plan", "prod-us", _set("securecart:partners", lambda d: d.update(rateLimit=2000)),
     "securecart:partners.rateLimit: 2000 per 5 minutes is below what a partner's plan allows (30000): raise it, "
     "or lower that partner's rateLimit"),
    ("the subscription in the secondary", "prod-eu",
     _set("securecart:shield", lambda d: d.update(subscribe=True)),
     "securecart:shield.subscribe: the subscription is the account's, and the primary stack owns it: remove it "
     "here"),
]


@pytest.mark.parametrize(("case", "stack", "edit", "expected"), BAD, ids=[c[0] for c in BAD])
def test_bad_protection_settings_get_one_clear_message_naming_the_key(
        project: Project, case: str, stack: str, edit: Callable[[dict[str, str]], dict[str, str]],
        expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_settings(edit(project.read_stack(stack).values), f"Pulumi.{stack}.yaml")
    assert len(info.value.problems) == 1, info.value.problems
    assert info.value.problems[0].startswith(expected), f"{case}: {info.value.problems}"


def test_the_cli_exits_2_on_a_bad_protection_setting_naming_the_key(
        project_copy: ProjectCopy, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def star(name: str, config: dict[str, Any]) -> None:
        if name == "prod-eu":
            config["securecart:privateLink"]["allowedPrincipals"] = ["*"]

    assert_refused(project_copy, tmp_path, capsys, star,
                   f"error: Pulumi.prod-eu.yaml: securecart:privateLink.allowedPrincipals: {STAR}")
