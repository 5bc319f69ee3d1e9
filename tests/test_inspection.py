"""The inspection tier's appliance fleet as synthesized from the real program and stack files, for both stacks:
the fleet's subnets and AZs, its launch template, security group, instance role, target group and auto scaling
group, and the AZ-symmetric ingress path through the GWLB endpoints; a stack file with no fleet (bypassed, as
before) or with static appliance IPs; bad fleet settings."""

import copy
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from securecart_rules import POLICIES
from securecart_rules._iam import admin_statements, statements

from automation.cli import main
from automation.gate import evaluate
from automation.project import Project
from automation.report import inspected_paths
from automation.synth import StackResult, synth_stack
from components.settings.loader import parse_settings
from components.settings.types import ConfigError
from tests.conftest import Graph, policy_doc
from tests.test_config import delivery

LB = "aws:lb/loadBalancer:LoadBalancer"
TG = "aws:lb/targetGroup:TargetGroup"
LT = "aws:ec2/launchTemplate:LaunchTemplate"
ASG = "aws:autoscaling/group:Group"
SG = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
IGW = "aws:ec2/internetGateway:InternetGateway"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
SUBNET = "aws:ec2/subnet:Subnet"
FLEET = {"ami": "ami-0123456789abcdef0", "instanceType": "c6in.large"}


def _appliance_subnets(graph: Graph) -> list[Any]:
    return graph.subnets("attachment", "inspect")


def _gwlb_endpoints(graph: Graph) -> dict[str, Any]:
    """AZ name -> its GWLB endpoint."""
    return {graph.ref(e.inputs["subnetIds"][0]).inputs["availabilityZone"]: e for e in graph.of_type(ENDPOINT)
            if e.inputs["vpcEndpointType"] == "GatewayLoadBalancer"}


def test_both_stacks_run_inbound_traffic_through_the_fleet(stack: StackResult) -> None:
    assert stack.outputs["inspectionInline"] is True
    assert not [m for level, m in stack.logs if "no appliances configured" in m]


def test_the_fleet_spans_the_appliance_subnets_of_every_az(graph: Graph, stack: StackResult) -> None:
    asg = graph.one(ASG, "appliances-asg")
    subnets = _appliance_subnets(graph)
    assert sorted(asg.inputs["vpcZoneIdentifiers"]) == sorted(s.id for s in subnets)
    zones = sorted(s.inputs["availabilityZone"] for s in subnets)
    assert zones == [f"{stack.region}{a}" for a in "abc"]
    # At least one appliance per AZ (perAz 1 times 3 AZs), up to maxPerAz 2 times 3; health from the target group.
    assert (asg.inputs["minSize"], asg.inputs["desiredCapacity"], asg.inputs["maxSize"]) == (3, 3, 6)
    assert asg.inputs["healthCheckType"] == "ELB"
    # A refresh launches before it terminates (an AZ never goes without its appliance), after the boot time.
    assert asg.inputs["instanceRefresh"] == {"strategy": "Rolling", "preferences": {
        "minHealthyPercentage": 100, "maxHealthyPercentage": 200, "instanceWarmup": "900"}}
    assert asg.inputs["healthCheckGracePeriod"] == 900
    # The inspected routes wait for every AZ's appliances to be registered and healthy.
    assert asg.inputs["waitForElbCapacity"] == 3 and asg.inputs["waitForCapacityTimeout"] == "30m"
    for route in [r for r in graph.of_type("aws:ec2/route:Route") if r.name.startswith(("igw-ingress-",
                                                                                        "inspected-"))]:
        assert asg.urn in route.dependencies, route.name
    tg = graph.one(TG, "appliances")
    assert asg.inputs["targetGroupArns"] == [tg.outputs["arn"]]
    lt = graph.one(LT, "appliance-lt")
    assert asg.inputs["launchTemplate"] == {"id": lt.id, "version": "1"}
    tags = {t["key"]: t for t in asg.inputs["tags"]}
    assert tags["Name"]["value"] == "securecart-prod-appliance" and tags["Purpose"]["value"] == "inspection"
    assert all(t["propagateAtLaunch"] is True for t in tags.values())


def test_the_gwlb_target_group_takes_instances_with_geneve_and_a_tcp_health_check(graph: Graph) -> None:
    tg = graph.one(TG, "appliances")
    assert (tg.inputs["protocol"], tg.inputs["port"], tg.inputs["targetType"]) == ("GENEVE", 6081, "instance")
    assert (tg.inputs["healthCheck"]["protocol"], tg.inputs["healthCheck"]["port"]) == ("TCP", "80")
    assert graph.of_type("aws:lb/targetGroupAttachment:TargetGroupAttachment") == []  # the group registers them
    gwlb = graph.one(LB, "gwlb")
    assert sorted(gwlb.inputs["subnets"]) == sorted(s.id for s in _appliance_subnets(graph))


def test_launch_template_imdsv2_only_encrypted_no_public_ip(graph: Graph) -> None:
    lt = graph.one(LT, "appliance-lt").inputs
    assert (lt["imageId"], lt["instanceType"]) == ("ami-0123456789abcdef0", "c6in.large")
    assert lt["metadataOptions"] == {"httpEndpoint": "enabled", "httpTokens": "required",
                                     "httpPutResponseHopLimit": 1, "instanceMetadataTags": "disabled"}
    (volume,) = lt["blockDeviceMappings"]
    assert volume["ebs"]["encrypted"] == "true" and volume["ebs"]["volumeType"] == "gp3"
    (nic,) = lt["networkInterfaces"]
    assert nic["associatePublicIpAddress"] == "false"
    assert nic["securityGroups"] == [graph.one(SG, "appliance-sg").id]
    assert "securityGroupIds" not in lt and "vpcSecurityGroupIds" not in lt
    profile = graph.one("aws:iam/instanceProfile:InstanceProfile", "appliance-profile")
    assert lt["iamInstanceProfile"] == {"arn": profile.outputs["arn"]}


def test_appliance_security_group_admits_geneve_and_health_only_from_the_gwlb_subnets(graph: Graph) -> None:
    sg = graph.one(SG, "appliance-sg")
    cidrs = sorted(s.inputs["cidrBlock"] for s in _appliance_subnets(graph))

    def rules(typ: str) -> list[tuple[Any, ...]]:
        return sorted((r.inputs["ipProtocol"], r.inputs["fromPort"], r.inputs["toPort"],
                       r.inputs.get("cidrIpv4") or r.inputs.get("referencedSecurityGroupId"))
                      for r in graph.of_type(typ) if r.inputs["securityGroupId"] == sg.id)

    assert rules(INGRESS) == sorted([("udp", 6081, 6081, c) for c in cidrs] + [("tcp", 80, 80, c) for c in cidrs])
    endpoints_sg = graph.one(SG, "endpoints-sg")
    assert rules(EGRESS) == sorted([("udp", 6081, 6081, c) for c in cidrs] + [("tcp", 443, 443, endpoints_sg.id)])
    assert sg.inputs.get("ingress") in (None, []) and sg.inputs.get("egress") in (None, [])


def test_appliance_role_trusts_ec2_and_writes_only_its_own_logs(graph: Graph) -> None:
    role = graph.one("aws:iam/role:Role", "appliance-role")
    (trust,) = policy_doc(role.inputs["assumeRolePolicy"])["Statement"]
    assert trust["Principal"] == {"Service": "ec2.amazonaws.com"} and trust["Action"] == "sts:AssumeRole"
    # No condition: EC2 gives no aws:SourceAccount when it assumes an instance's role (it would never get it).
    assert "Condition" not in trust and trust["Effect"] == "Allow"
    profile = graph.one("aws:iam/instanceProfile:InstanceProfile", "appliance-profile")
    assert profile.inputs["role"] == role.outputs["name"]
    (inline,) = [p for p in graph.of_type("aws:iam/rolePolicy:RolePolicy") if p.inputs["role"] == role.id]
    doc = policy_doc(inline.inputs["policy"])
    parsed = statements(inline.inputs["policy"]) or []
    assert parsed and admin_statements(parsed) == []
    logs = graph.one("aws:cloudwatch/logGroup:LogGroup", "appliance-logs")
    assert logs.inputs["retentionInDays"] >= 365 and logs.inputs["kmsKeyId"]
    by_sid = {s["Sid"]: s for s in doc["Statement"]}
    assert set(by_sid) == {"OwnLogGroup", "OwnMetrics"}
    assert sorted(by_sid["OwnLogGroup"]["Resource"]) == sorted([logs.outputs["arn"],
                                                               f"{logs.outputs['arn']}:log-stream:*"])
    assert by_sid["OwnMetrics"]["Action"] == "cloudwatch:PutMetricData"
    assert by_sid["OwnMetrics"]["Condition"] == {"StringEquals": {"cloudwatch:namespace": "SecureCart/Appliances"}}
    # Nothing but logs and metrics: no SSM, no EC2, no wildcard actions.
    actions = [a for s in doc["Statement"] for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])]
    assert all(a.startswith(("logs:", "cloudwatch:PutMetricData")) and "*" not in a for a in actions)


def _assert_az_symmetric_ingress(graph: Graph) -> None:
    igw = graph.one(IGW, "igw")
    endpoints = _gwlb_endpoints(graph)
    edge = graph.one("aws:ec2/routeTable:RouteTable", "igw-ingress-rt")
    (edge_assoc,) = [a for a in graph.of_type("aws:ec2/routeTableAssociation:RouteTableAssociation")
                     if a.inputs.get("gatewayId") == igw.id]
    assert edge_assoc.inputs["routeTableId"] == edge.id
    edge_routes = {r.inputs["destinationCidrBlock"]: r.inputs["vpcEndpointId"] for r in graph.routes_of(edge)}
    lb_subnets = graph.subnets("public", "web")
    assert sorted(edge_routes) == sorted(s.inputs["cidrBlock"] for s in lb_subnets)
    for subnet in lb_subnets:
        zone = subnet.inputs["availabilityZone"]
        endpoint = endpoints[zone]
        # In: the IGW hands this subnet's traffic to the endpoint in the same AZ ...
        assert edge_routes[subnet.inputs["cidrBlock"]] == endpoint.id
        # ... out: the subnet sends everything back through that same endpoint ...
        (out,) = graph.routes_of(graph.route_table_of(subnet))
        assert (out.inputs["destinationCidrBlock"], out.inputs["vpcEndpointId"]) == ("0.0.0.0/0", endpoint.id)
        # ... and the endpoint's own subnet, in that AZ, reaches the internet gateway.
        (ep_subnet_id,) = endpoint.inputs["subnetIds"]
        ep_subnet = graph.ref(ep_subnet_id)
        assert ep_subnet.inputs["availabilityZone"] == zone
        (back,) = graph.routes_of(graph.route_table_of(ep_subnet))
        assert back.inputs["gatewayId"] == igw.id


def test_inbound_traffic_goes_through_the_gwlb_endpoint_of_its_own_az_both_ways(graph: Graph) -> None:
    _assert_az_symmetric_ingress(graph)


def _without_fleet(appliances: list[str] | None = None) -> Callable[[str, dict[str, Any]], None]:
    def edit(stack: str, config: dict[str, Any]) -> None:
        if stack == "prod-us":
            del config["securecart:delivery"]["applianceFleet"]
            if appliances:
                config["securecart:delivery"]["appliances"] = appliances
    return edit


def test_without_a_fleet_the_gwlb_is_built_but_bypassed_and_says_so(project_copy: Callable[..., Project]) -> None:
    result = synth_stack(project_copy(_without_fleet()), "prod-us")
    graph = Graph(result)
    tg = graph.one(TG, "appliances")
    assert (tg.inputs["protocol"], tg.inputs["port"], tg.inputs["targetType"]) == ("GENEVE", 6081, "ip")
    assert graph.of_type(ASG) == [] and graph.of_type(LT) == []
    assert result.outputs["inspectionInline"] is False
    assert [m for _, m in result.logs if "no appliances configured" in m]
    igw = graph.one(IGW, "igw")
    for subnet in graph.subnets("public", "web"):
        (route,) = graph.routes_of(graph.route_table_of(subnet))
        assert route.inputs["gatewayId"] == igw.id
    assert [t for t in graph.of_type("aws:ec2/routeTable:RouteTable") if t.name == "igw-ingress-rt"] == []


def test_switching_inline_retargets_the_default_route_instead_of_adding_a_second(
        project_copy: Callable[..., Project], synth_run: Any) -> None:
    """A deployed stack going from bypass to inline (or back) keeps one 0.0.0.0/0 route per load-balancer table:
    the inline route aliases the bypassed one (same table, same parent), so the engine updates it in place
    (ReplaceRoute) instead of creating a second default route, which AWS refuses with RouteAlreadyExists."""
    bypassed = Graph(synth_stack(project_copy(_without_fleet()), "prod-us"))
    inline = Graph(synth_run.results["prod-us"])
    for subnet in inline.subnets("public", "web"):
        zone = subnet.inputs["availabilityZone"]
        (before,) = bypassed.routes_of(bypassed.route_table_of(bypassed.one(SUBNET, subnet.name)))
        (after,) = inline.routes_of(inline.route_table_of(subnet))
        assert before.name == f"web-public-{zone}-default" and after.name == f"inspected-{zone}-default"
        assert before.parent == bypassed.route_table_of(bypassed.one(SUBNET, subnet.name)).urn
        assert after.parent == inline.route_table_of(subnet).urn
        # Each names the other, under the same parent: one resource whichever way the stack moves.
        assert after.aliases == [f"name={before.name}"] and before.aliases == [f"name={after.name}"]
        assert before.inputs["destinationCidrBlock"] == after.inputs["destinationCidrBlock"] == "0.0.0.0/0"


def test_static_appliance_ips_still_take_the_inline_path(project_copy: Callable[..., Project]) -> None:
    ips = ["10.10.20.10", "10.10.20.74", "10.10.20.138"]
    result = synth_stack(project_copy(_without_fleet(ips)), "prod-us")
    graph = Graph(result)
    _assert_az_symmetric_ingress(graph)
    attached = sorted(a.inputs["targetId"] for a in graph.of_type("aws:lb/targetGroupAttachment:TargetGroupAttachment"))
    assert attached == sorted(ips)
    assert graph.one(TG, "appliances").inputs["targetType"] == "ip"
    assert result.outputs["inspectionInline"] is True


@pytest.mark.parametrize(("fleet", "message"), [
    ({**FLEET, "ami": "ami-12345"},
     "securecart:delivery.applianceFleet.ami: 'ami-12345' is not an AMI id: ami- and 8 or 17 lowercase hex digits "
     "(e.g. ami-0123456789abcdef0)"),
    ({**FLEET, "ami": "img-0123456789abcdef0"},
     "securecart:delivery.applianceFleet.ami: 'img-0123456789abcdef0' is not an AMI id: ami- and 8 or 17 lowercase "
     "hex digits (e.g. ami-0123456789abcdef0)"),
    ({**FLEET, "instanceType": "c6in.huge"},
     "securecart:delivery.applianceFleet.instanceType: 'c6in.huge' is not an EC2 instance type (e.g. c6in.large, "
     "c5n.xlarge, m6i.large)"),
    ({**FLEET, "perAz": 0}, "securecart:delivery.applianceFleet.perAz: 0: input should be greater than or equal to 1"),
    ({**FLEET, "perAz": 3, "maxPerAz": 2}, "securecart:delivery.applianceFleet.maxPerAz: 2 is below perAz (3)"),
    ({**FLEET, "healthCheckPort": 6081},
     "securecart:delivery.applianceFleet.healthCheckPort: 6081 is the GENEVE data port: use the appliance's health "
     "port (e.g. 80)"),
])
def test_bad_fleet_settings_get_one_line_naming_the_key(fleet: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_settings(delivery(applianceFleet=fleet))
    assert err.value.problems == [message]


def test_a_fleet_and_static_ips_at_once_are_refused() -> None:
    with pytest.raises(ConfigError) as err:
        parse_settings(delivery(applianceFleet=FLEET, appliances=["10.10.20.10"]))
    assert err.value.problems == [
        "securecart:delivery.applianceFleet: appliances already lists appliance IPs: the GWLB's target group holds "
        "either instances (applianceFleet) or IPs (appliances), not both: remove one"]


def test_cli_refuses_an_instance_type_ec2_does_not_have_with_exit_2(
    project_copy: Callable[..., Project], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    def edit(stack: str, config: dict[str, Any]) -> None:
        if stack == "prod-us":
            config["securecart:delivery"]["applianceFleet"]["instanceType"] = "t9.mega"

    project_copy(edit)
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        code = main(["synth", "prod-us", "--no-tree"])
    finally:
        os.chdir(cwd)
    assert code == 2
    assert capsys.readouterr().err.splitlines() == [
        "error: Pulumi.prod-us.yaml: securecart:delivery.applianceFleet.instanceType: 't9.mega' is not an EC2 "
        "instance type (e.g. c6in.large, c5n.xlarge, m6i.large)"]


def test_the_settings_turn_the_inspected_path_on_with_a_fleet() -> None:
    assert parse_settings(delivery(applianceFleet=FLEET)).inspected_groups == frozenset({"web"})
    assert parse_settings(delivery()).inspected_groups == frozenset()
    assert json.loads(json.dumps(FLEET)) == FLEET


def test_the_pack_sees_the_real_ingress_path_and_flags_a_cross_az_edge_route(stack: StackResult) -> None:
    """The AZ-symmetry rule joins the real program's resources: pointing one edge route at another AZ's endpoint
    (inputs and property dependencies, as the engine would see them) is flagged."""
    graph = Graph(stack)
    endpoints = sorted(_gwlb_endpoints(graph).items())
    (_, first), (_, second) = endpoints[0], endpoints[1]
    broken = copy.deepcopy(stack)
    (route,) = [r for r in broken.resources if r.type == "aws:ec2/route:Route"
                and r.name.startswith("igw-ingress-") and r.inputs["vpcEndpointId"] == first.id]
    route.inputs["vpcEndpointId"] = second.id
    route.property_dependencies["vpcEndpointId"] = [second.urn]
    rule = [p for p in POLICIES if p.name == "gwlb-ingress-az-symmetric"]
    assert evaluate(stack, rule) == []
    found = evaluate(broken, rule)
    # The edge table (its route crosses AZs) and the subnet (its replies leave by another endpoint than they came).
    (web,) = [s for s in graph.subnets("public", "web") if s.inputs["availabilityZone"] == endpoints[0][0]]
    assert sorted(v.resource_name for v in found) == ["igw-ingress-rt", web.name], [v.message for v in found]


def test_the_synth_summary_names_the_inspected_subnets_and_zones(stack: StackResult) -> None:
    zones = ", ".join(f"web-public-{stack.region}{a} ({stack.region}{a})" for a in "abc")
    assert inspected_paths(stack) == f"  inspected inbound (GWLB endpoints, both ways): {zones}"


def test_the_gwlb_balances_across_zones(graph: Graph) -> None:
    """Should one AZ's appliances all fail while the AZ stands, its traffic goes to the other AZs' appliances
    rather than being dropped (Checkov CKV_AWS_152)."""
    (gwlb,) = [lb for lb in graph.of_type("aws:lb/loadBalancer:LoadBalancer") if lb.inputs["loadBalancerType"] ==
               "gateway"]
    assert gwlb.inputs["enableCrossZoneLoadBalancing"] is True
