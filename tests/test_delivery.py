"""The application delivery tier as synthesized from the real program and stack files, for both stacks (the
inspection tier's appliances: tests/test_inspection.py)."""

import datetime
import json
from typing import Any

import pytest
from securecart_rules import POLICIES
from securecart_rules._iam import admin_statements, statements

from automation import mocks
from automation.gate import evaluate
from automation.mocks import Registration
from automation.synth import StackResult, SynthRun
from components.settings.protection import DEFAULT_RULE_GROUPS as WAF_MANAGED_RULES
from tests.conftest import Graph, plain, policy_doc

LB = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
TG = "aws:lb/targetGroup:TargetGroup"
SERVICE = "aws:ecs/service:Service"
SG = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
TLS13 = "ELBSecurityPolicy-TLS13-1-2-2021-06"


def test_both_stacks_pass_the_gate_with_the_tier_on(synth_run: SynthRun) -> None:
    for result in synth_run.results.values():
        assert evaluate(result, POLICIES) == []


def test_alb_is_internet_facing_in_the_web_subnets_with_hardening(graph: Graph) -> None:
    alb = graph.one(LB, "alb")
    web = sorted(s.id for s in graph.subnets("public", "web"))
    assert alb.inputs["internal"] is False and alb.inputs["loadBalancerType"] == "application"
    assert sorted(alb.inputs["subnets"]) == web
    assert alb.inputs["dropInvalidHeaderFields"] is True
    assert alb.inputs["desyncMitigationMode"] == "strictest"
    assert alb.inputs["enableDeletionProtection"] is True
    logs = graph.one("aws:s3/bucket:Bucket", "lb-logs")
    assert alb.inputs["accessLogs"] == {"bucket": logs.outputs["bucket"], "enabled": True, "prefix": "alb"}


def test_alb_listeners_https_with_modern_tls_and_http_redirects(graph: Graph) -> None:
    alb = graph.one(LB, "alb")
    listeners = {r.inputs["port"]: r.inputs for r in graph.of_type(LISTENER)
                 if r.inputs.get("loadBalancerArn") == alb.outputs["arn"]}
    assert set(listeners) == {80, 443}
    assert listeners[80]["protocol"] == "HTTP"
    assert listeners[80]["defaultActions"] == [{"redirect": {"port": "443", "protocol": "HTTPS",
                                                             "statusCode": "HTTP_301"}, "type": "redirect"}]
    https = listeners[443]
    assert (https["protocol"], https["sslPolicy"]) == ("HTTPS", TLS13)
    assert https["certificateArn"].startswith("arn:aws:acm:")
    storefront = graph.one(TG, "storefront-tg")
    assert https["defaultActions"] == [{"targetGroupArn": storefront.outputs["arn"], "type": "forward"}]


def _https_listener(graph: Graph, lb: str) -> Registration:
    alb = graph.one(LB, lb)
    (listener,) = [r for r in graph.of_type(LISTENER)
                   if r.inputs.get("loadBalancerArn") == alb.outputs["arn"] and r.inputs["port"] == 443]
    return listener


def test_checkout_path_rules_forward_to_checkout_on_both_albs(graph: Graph) -> None:
    """checkout (accelerated) has a path rule on the customer ALB and on the accelerator's internal ALB, each to
    a target group of its own; the accelerator ALB serves nothing else (its default is a 404)."""
    rules = {r.name: r for r in graph.of_type("aws:lb/listenerRule:ListenerRule")}
    assert sorted(rules) == ["accelerator-checkout-rule", "checkout-rule"]
    for rule_name, lb, tg in (("checkout-rule", "alb", "checkout-tg"),
                              ("accelerator-checkout-rule", "accelerator-alb", "checkout-ga-tg")):
        rule = rules[rule_name].inputs
        assert rule["listenerArn"] == _https_listener(graph, lb).outputs["arn"]
        assert rule["conditions"] == [{"pathPattern": {"values": ["/checkout", "/checkout/*", "/api/cart/*"]}}]
        assert rule["actions"] == [{"targetGroupArn": graph.one(TG, tg).outputs["arn"], "type": "forward"}]
    accelerator = _https_listener(graph, "accelerator-alb").inputs
    assert accelerator["defaultActions"] == [{"fixedResponse": {"contentType": "text/plain", "messageBody":
                                                                "not found", "statusCode": "404"},
                                              "type": "fixed-response"}]
    assert (accelerator["protocol"], accelerator["sslPolicy"]) == ("HTTPS", TLS13)
    # Both ALBs serve this region's certificate.
    assert accelerator["certificateArn"] == _https_listener(graph, "alb").inputs["certificateArn"]
    # The accelerator's target group is checked like the ALB's: that health is what Global Accelerator follows.
    assert graph.one(TG, "checkout-ga-tg").inputs["healthCheck"] == graph.one(TG, "checkout-tg").inputs["healthCheck"]


NLB_PORTS = {"payment": 443, "integrations": 9443}  # each nlb service's listenerPort (the stack files')


def test_payment_nlb_is_internal_tls_cross_zone_in_private_subnets(graph: Graph) -> None:
    """The internal NLB of the nlb services: one TLS listener per service on its own port (payment 443,
    integrations 9443), each forwarding to that service's TLS target group; its group is not enforced on PrivateLink
    traffic (the partners' VPC link arrives from addresses unknown here: API Gateway's own)."""
    nlb = graph.one(LB, "payment-nlb")
    app = sorted(s.id for s in graph.subnets("private", "app"))
    assert (nlb.inputs["loadBalancerType"], nlb.inputs["internal"]) == ("network", True)
    assert sorted(nlb.inputs["subnets"]) == app
    assert nlb.inputs["enableCrossZoneLoadBalancing"] is True
    assert nlb.inputs["accessLogs"]["enabled"] is True
    assert nlb.inputs["securityGroups"] == [graph.one(SG, "nlb-sg").id]
    assert nlb.inputs["enforceSecurityGroupInboundRulesOnPrivateLinkTraffic"] == "off"
    listeners = {r.name: r.inputs for r in graph.of_type(LISTENER) if r.inputs.get("loadBalancerArn") ==
                 nlb.outputs["arn"]}
    assert sorted(listeners) == sorted(f"{name}-tls" for name in NLB_PORTS)
    for name, port in NLB_PORTS.items():
        listener = listeners[f"{name}-tls"]
        assert (listener["protocol"], listener["port"], listener["sslPolicy"]) == ("TLS", port, TLS13)
        assert listener["defaultActions"] == [{"targetGroupArn": graph.one(TG, f"{name}-tg").outputs["arn"],
                                               "type": "forward"}]
        assert graph.one(TG, f"{name}-tg").inputs["protocol"] == "TLS"


def test_target_groups_fail_over_fast_with_ip_targets(graph: Graph) -> None:
    for name in ("storefront", "checkout", "payment"):
        tg = graph.one(TG, f"{name}-tg").inputs
        assert tg["targetType"] == "ip" and tg["deregistrationDelay"] == 30
        hc = tg["healthCheck"]
        assert hc["interval"] <= 10 and hc["healthyThreshold"] == 2 and hc["unhealthyThreshold"] == 2


def _ingress(graph: Graph, group: str) -> list[dict[str, Any]]:
    sg = graph.one(SG, group)
    return [r.inputs for r in graph.of_type(INGRESS) if r.inputs["securityGroupId"] == sg.id]


def test_alb_admits_only_cloudfront_and_the_health_checkers(graph: Graph, stack: StackResult) -> None:
    """The internet-facing ALB: HTTPS from CloudFront's origin-facing list (alb-sg) and from this region's Route 53
    health-checker list (alb-health-sg, which the WAF admits only to the health path); nothing else."""
    alb = graph.one(LB, "alb")
    assert alb.inputs["securityGroups"] == [graph.one(SG, "alb-sg").id, graph.one(SG, "alb-health-sg").id]
    for group, prefix_list in (("alb-sg", "com.amazonaws.global.cloudfront.origin-facing"),
                               ("alb-health-sg", f"com.amazonaws.{stack.region}.route53-healthchecks")):
        rules = _ingress(graph, group)
        assert [(r["ipProtocol"], r["fromPort"], r["toPort"], r["prefixListId"]) for r in rules] == \
            [("tcp", 443, 443, mocks._prefix_list_id(stack.region, prefix_list))], group
        assert not any("cidrIpv4" in r or "cidrIpv6" in r or "referencedSecurityGroupId" in r for r in rules)


def test_the_only_world_open_group_is_the_internal_accelerator_albs(graph: Graph) -> None:
    """Global Accelerator delivers with the client's own address, so the accelerator ALB admits HTTPS from anywhere;
    it is internal (in the tasks' private subnets), and no other group admits the world."""
    world = [r for r in graph.of_type(INGRESS)
             if r.inputs.get("cidrIpv4") == "0.0.0.0/0" or r.inputs.get("cidrIpv6") == "::/0"]
    # No other ingress rule admits an address range wider than the VPC (the endpoints' group admits the VPC's).
    vpc_cidr = graph.one("aws:ec2/vpc:Vpc", "vpc").inputs["cidrBlock"]
    # (The appliances' GENEVE and health-check rules admit only the GWLB's subnets: tests/test_inspection.py; the
    # analytics VPC's groups, the task block and Direct Connect's prefixes: tests/test_analytics.py; the database's
    # group, the analytics workload block: tests/test_data.py.)
    assert {r.name: r.inputs["cidrIpv4"] for r in graph.application(INGRESS) if "cidrIpv4" in r.inputs
            and not r.name.startswith("database-sg-from-analytics-")
            and r not in world and not r.name.startswith("appliance-")} == {"endpoints-sg-https-from-vpc": vpc_cidr}
    accelerator_sg = graph.one(SG, "accelerator-alb-sg")
    assert [(r.inputs["securityGroupId"], r.inputs["ipProtocol"], r.inputs["fromPort"], r.inputs["toPort"])
            for r in world] == [(accelerator_sg.id, "tcp", 443, 443)]
    users = [lb for lb in graph.of_type(LB) if accelerator_sg.id in (lb.inputs.get("securityGroups") or [])]
    assert [lb.name for lb in users] == ["accelerator-alb"]
    (accelerator,) = users
    assert accelerator.inputs["internal"] is True and accelerator.inputs["loadBalancerType"] == "application"
    assert accelerator.inputs["securityGroups"] == [accelerator_sg.id]
    assert sorted(accelerator.inputs["subnets"]) == sorted(s.id for s in graph.subnets("private", "app"))
    assert accelerator.inputs["dropInvalidHeaderFields"] is True
    assert accelerator.inputs["desyncMitigationMode"] == "strictest"
    # Its own web ACL: the geo block, the managed groups and the rate limit, no origin verification (it cannot
    # get a header).
    acl = graph.one("aws:wafv2/webAcl:WebAcl", "accelerator-waf")
    assoc = graph.one("aws:wafv2/webAclAssociation:WebAclAssociation", "accelerator-waf-association")
    assert (assoc.inputs["resourceArn"], assoc.inputs["webAclArn"]) == (accelerator.outputs["arn"],
                                                                        acl.outputs["arn"])
    rules = plain(acl.inputs["rules"])
    assert [r["name"] for r in rules] == ["geo-block", *WAF_MANAGED_RULES, "rate-limit-per-ip"]
    assert rules[0]["action"] == {"block": {}} and rules[0]["statement"] == {"geoMatchStatement": {"countryCodes":
                                                                                                   ["KP"]}}
    assert all(r.get("overrideAction", {"none": {}}) == {"none": {}} for r in rules)
    assert rules[-1]["action"] == {"block": {}}


@pytest.mark.parametrize(("name", "fronts"), [("storefront", ["alb-sg"]),
                                              ("checkout", ["accelerator-alb-sg", "alb-sg"]),
                                              ("payment", ["endpoint-nlb-sg", "nlb-sg"]),
                                              ("integrations", ["nlb-sg"])])
def test_each_service_admits_only_its_load_balancers(graph: Graph, name: str, fronts: list[str]) -> None:
    """A service admits its port from the security groups of the load balancers in front of it, and nothing else:
    checkout (accelerated) from the customer ALB's and the accelerator ALB's, payment (offered over PrivateLink)
    from the NLB's and the endpoint service's NLB's."""
    rules = _ingress(graph, f"{name}-sg")
    port = 8443 if name in ("payment", "integrations") else 8080
    assert sorted((r["referencedSecurityGroupId"], r["fromPort"], r["toPort"]) for r in rules) == \
        sorted((graph.one(SG, front).id, port, port) for front in fronts)
    assert not any("cidrIpv4" in r or "prefixListId" in r for r in rules)


@pytest.mark.parametrize("name", ["storefront", "checkout", "payment", "integrations"])
def test_services_run_private_multi_az_with_rollback(graph: Graph, name: str) -> None:
    svc = graph.one(SERVICE, f"{name}-service")
    net = svc.inputs["networkConfiguration"]
    assert net["assignPublicIp"] is False
    assert sorted(net["subnets"]) == sorted(s.id for s in graph.subnets("private", "app"))
    assert net["securityGroups"] == [graph.one(SG, f"{name}-sg").id]
    assert svc.inputs["desiredCount"] >= 2
    assert svc.inputs["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert svc.inputs["platformVersion"] == "LATEST"
    assert "desiredCount" in svc.ignore_changes  # autoscaling owns it


@pytest.mark.parametrize("name", ["storefront", "checkout", "payment", "integrations"])
def test_task_definitions_are_hardened_and_traced(graph: Graph, stack: StackResult, name: str) -> None:
    task = graph.one("aws:ecs/taskDefinition:TaskDefinition", f"{name}-task")
    containers = {c["name"]: c for c in json.loads(task.inputs["containerDefinitions"])}
    assert set(containers) == {"app", "xray"}
    app = containers["app"]
    assert app["readonlyRootFilesystem"] is True and app["user"] == "1000:1000" and app["privileged"] is False
    assert app["image"] == f"123456789012.dkr.ecr.{stack.region}.amazonaws.com/securecart/prod/{name}:" + \
        ("2026.11.1" if name in ("payment", "integrations") else "2026.11.3")
    assert app["logConfiguration"]["logDriver"] == "awslogs"
    # The X-Ray daemon from this region's registry (ECR Public through the pull-through cache), not public.ecr.aws.
    assert containers["xray"]["image"] == \
        f"123456789012.dkr.ecr.{stack.region}.amazonaws.com/ecr-public/xray/aws-xray-daemon:3.3.14"
    assert all(not e["name"].endswith(("KEY", "PASSWORD", "SECRET", "TOKEN")) for e in app["environment"])
    if name == "payment":
        assert [s["name"] for s in app["secrets"]] == ["PSP_API_KEY"]
    group = graph.one("aws:cloudwatch/logGroup:LogGroup", f"{name}-logs")
    assert app["logConfiguration"]["options"]["awslogs-group"] == group.inputs["name"]
    assert group.inputs["kmsKeyId"] and group.inputs["retentionInDays"] == 365


@pytest.mark.parametrize("name", ["storefront", "checkout", "payment", "integrations"])
def test_roles_are_least_privilege(graph: Graph, name: str) -> None:
    for role_name, policy_name in ((f"{name}-execution", f"{name}-execution-policy"),
                                   (f"{name}-task", f"{name}-task-policy")):
        role = graph.one("aws:iam/role:Role", role_name)
        (trust,) = statements(role.inputs["assumeRolePolicy"]) or []
        assert trust.principals == ("ecs-tasks.amazonaws.com",) and trust.narrowed
        stmts = statements(graph.one("aws:iam/rolePolicy:RolePolicy", policy_name).inputs["policy"]) or []
        assert stmts and admin_statements(stmts) == []
        for s in stmts:
            assert not s.service_wildcards(), (policy_name, s.actions)
            if "*" in s.resources:
                assert s.actions in (("ecr:getauthorizationtoken",), tuple(a.lower() for a in (
                    "xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules",
                    "xray:GetSamplingTargets", "xray:GetSamplingStatisticSummaries")))
    execution = policy_doc(graph.one("aws:iam/rolePolicy:RolePolicy", f"{name}-execution-policy").inputs["policy"])
    secrets = [s for s in execution["Statement"] if s["Sid"] == "ReadSecrets"]
    assert bool(secrets) == (name == "payment")


def _scaling(graph: Graph, name: str) -> tuple[Any, list[Any], list[Any]]:
    target = graph.one("aws:appautoscaling/target:Target", f"{name}-scaling")
    policies = [p.inputs for p in graph.of_type("aws:appautoscaling/policy:Policy")
                if p.inputs["resourceId"] == target.outputs["resourceId"]]
    schedules = sorted((a.inputs for a in graph.of_type("aws:appautoscaling/scheduledAction:ScheduledAction")
                        if a.inputs["resourceId"] == target.outputs["resourceId"]), key=lambda a: a["schedule"])
    return target, policies, schedules


@pytest.mark.parametrize(("name", "minimum", "maximum"), [("storefront", 3, 45), ("checkout", 3, 55),
                                                          ("payment", 3, 26), ("integrations", 3, 10)])
def test_autoscaling_targets_and_policies(graph: Graph, name: str, minimum: int, maximum: int) -> None:
    target, policies, _ = _scaling(graph, name)
    assert (target.inputs["minCapacity"], target.inputs["maxCapacity"]) == (minimum, maximum)
    cluster = graph.one("aws:ecs/cluster:Cluster", "cluster").outputs["name"]
    assert target.inputs["resourceId"] == f"service/{cluster}/{name}"
    metrics = sorted(p["targetTrackingScalingPolicyConfiguration"]["predefinedMetricSpecification"]
                     ["predefinedMetricType"] for p in policies)
    expected = ["ECSServiceAverageCPUUtilization"] + ([] if name in ("payment", "integrations") else
                                                      ["ALBRequestCountPerTarget"])
    assert metrics == sorted(expected)
    for p in policies:
        spec = p["targetTrackingScalingPolicyConfiguration"]["predefinedMetricSpecification"]
        if spec["predefinedMetricType"] == "ALBRequestCountPerTarget":
            assert spec["resourceLabel"].startswith("app/") and "/targetgroup/" in spec["resourceLabel"]


@pytest.mark.parametrize(("name", "peak", "maximum"), [("checkout", 10, 55), ("payment", 6, 26),
                                                       ("integrations", 4, 10)])
def test_peak_windows_raise_the_minimum_and_restore_it(graph: Graph, name: str, peak: int, maximum: int) -> None:
    """Checkout and what it calls (payment follows checkout) raise their minimums for the same sale window."""
    _, _, schedules = _scaling(graph, name)
    got = [(s["schedule"], s["scalableTargetAction"]["minCapacity"], s["scalableTargetAction"]["maxCapacity"])
           for s in schedules]
    # (The stack files' windows yet to come; windows that are over, or in progress, are tested in
    # test_deploy_readiness with windows placed around the clock.)
    assert got == [w for w in [
        ("at(2026-12-14T00:00:00)", peak, maximum),
        ("at(2026-12-24T18:00:00)", 3, maximum),
    ] if w[0] > datetime.datetime.now(datetime.UTC).strftime("at(%Y-%m-%dT%H:%M:%S)")]
    assert all(s["timezone"] == "UTC" for s in schedules)


def test_alb_has_waf_with_sqli_and_xss_rules_and_shield(graph: Graph) -> None:
    alb = graph.one(LB, "alb")
    acl = graph.one("aws:wafv2/webAcl:WebAcl", "alb-waf")
    managed = {r["statement"]["managedRuleGroupStatement"]["name"] for r in plain(acl.inputs["rules"])
               if "managedRuleGroupStatement" in r["statement"]}
    assert {"AWSManagedRulesSQLiRuleSet", "AWSManagedRulesCommonRuleSet"} <= managed
    assoc = graph.one("aws:wafv2/webAclAssociation:WebAclAssociation", "alb-waf-association")
    assert (assoc.inputs["resourceArn"], assoc.inputs["webAclArn"]) == (alb.outputs["arn"], acl.outputs["arn"])
    assert graph.one("aws:shield/protection:Protection", "alb-shield").inputs["resourceArn"] == alb.outputs["arn"]


def test_ecr_repositories_scan_on_push_immutable_kms(stack: StackResult) -> None:
    repos = stack.by_type("awsx:ecr:Repository")
    assert sorted(r.name for r in repos) == ["checkout-repo", "integrations-repo", "payment-repo", "storefront-repo"]
    for r in repos:
        assert r.inputs["imageTagMutability"] == "IMMUTABLE"
        assert r.inputs["imageScanningConfiguration"] == {"scanOnPush": True}
        assert r.inputs["encryptionConfigurations"] == [{"encryptionType": "KMS"}]
        assert r.inputs["lifecyclePolicy"]["rules"]


XRAY_REPOSITORY = "ecr-public/xray/aws-xray-daemon"


@pytest.mark.parametrize("name", ["storefront", "checkout", "payment", "integrations"])
def test_the_xray_daemon_comes_through_the_regions_pull_through_cache(graph: Graph, stack: StackResult,
                                                                      name: str) -> None:
    """The daemon's image is ECR Public's, cached in this region's registry under the rule's prefix (a task whose
    HTTPS stays in the VPC can pull it); the execution role may import it into that one repository, and pull it and
    the service's own image, nothing else; each service starts after the rule exists."""
    (rule,) = graph.of_type("aws:ecr/pullThroughCacheRule:PullThroughCacheRule")
    assert (rule.inputs["ecrRepositoryPrefix"], rule.inputs["upstreamRegistryUrl"]) == ("ecr-public", "public.ecr.aws")
    assert XRAY_REPOSITORY.startswith(f"{rule.inputs['ecrRepositoryPrefix']}/")
    task = graph.one("aws:ecs/taskDefinition:TaskDefinition", f"{name}-task")
    (xray,) = [c for c in json.loads(task.inputs["containerDefinitions"]) if c["name"] == "xray"]
    registry = f"123456789012.dkr.ecr.{stack.region}.amazonaws.com"
    assert xray["image"] == f"{registry}/{XRAY_REPOSITORY}:3.3.14"
    repository = f"arn:aws:ecr:{stack.region}:123456789012:repository/{XRAY_REPOSITORY}"
    sids = {s["Sid"]: s for s in policy_doc(graph.one("aws:iam/rolePolicy:RolePolicy",
                                                      f"{name}-execution-policy").inputs["policy"])["Statement"]}
    assert sorted(sids["PullThroughCache"]["Action"]) == ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"]
    assert sids["PullThroughCache"]["Resource"] == [repository]
    assert sids["PullImage"]["Resource"] == [
        f"arn:aws:ecr:{stack.region}:123456789012:repository/securecart/prod/{name}", repository]
    importing = [s for s in sids.values() if {"ecr:BatchImportUpstreamImage", "ecr:CreateRepository"} &
                 set(s["Action"])]
    assert importing == [sids["PullThroughCache"]]
    assert rule.urn in graph.one(SERVICE, f"{name}-service").dependencies


def test_access_log_bucket_is_private_and_delivery_scoped(graph: Graph, stack: StackResult) -> None:
    bucket = graph.one("aws:s3/bucket:Bucket", "lb-logs")
    assert bucket.protect
    policy = policy_doc(graph.one("aws:s3/bucketPolicy:BucketPolicy", "lb-logs-policy").inputs["policy"])
    sids = {s["Sid"]: s for s in policy["Statement"]}
    assert sids["DenyInsecureTransport"]["Effect"] == "Deny"
    elb = {"prod-us": "127311923021", "prod-eu": "156460612806"}[stack.stack]
    assert sids["AlbLogDeliveryAccount"]["Principal"] == {"AWS": f"arn:aws:iam::{elb}:root"}
    # ELB writes under <prefix>/AWSLogs/<account>/: the grants name each load balancer's prefix, nothing wider.
    writers = [lb for lb in graph.of_type(LB) if lb.inputs.get("accessLogs")]
    assert all(lb.inputs["accessLogs"]["bucket"] == bucket.outputs["bucket"] for lb in writers)
    prefixes = sorted(lb.inputs["accessLogs"]["prefix"] for lb in writers)
    assert prefixes == ["accelerator-alb", "alb", "endpoint-nlb", "payment-nlb"]
    bucket_arn = f"arn:aws:s3:::{bucket.outputs['bucket']}"
    for sid in ("AlbLogDeliveryAccount", "AlbLogDeliveryService", "NlbLogDelivery"):
        assert sorted(sids[sid]["Resource"]) == [f"{bucket_arn}/{p}/AWSLogs/123456789012/*" for p in prefixes]
