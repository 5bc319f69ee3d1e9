"""The network tier as synthesized from the real program, for both stacks."""

import ipaddress
from collections.abc import Callable
from typing import Any

import pytest

from automation import mocks
from automation.mocks import Registration
from automation.project import Project
from automation.synth import StackResult, SynthError, SynthRun, synth_stack
from components.settings.loader import parse_settings
from tests.conftest import Graph, policy_doc

SUBNET = "aws:ec2/subnet:Subnet"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
NAT = "aws:ec2/natGateway:NatGateway"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
TIERS = ("public", "private", "isolated")


def test_vpc_has_dns_and_the_configured_cidr(graph: Graph, stack: StackResult) -> None:
    vpc = graph.one("aws:ec2/vpc:Vpc", "vpc")
    assert vpc.inputs["enableDnsSupport"] is True
    assert vpc.inputs["enableDnsHostnames"] is True
    assert vpc.inputs["cidrBlock"] == stack.outputs["vpcCidr"]
    assert vpc.id == stack.outputs["vpcId"]


GROUPS = (("public", "web"), ("private", "app"), ("isolated", "data"))


@pytest.mark.parametrize(("tier", "group"), GROUPS)
def test_every_group_spans_three_azs_of_the_stacks_region(graph: Graph, stack: StackResult, tier: str,
                                                          group: str) -> None:
    subnets = graph.subnets(tier, group)
    zones = sorted(s.inputs["availabilityZone"] for s in subnets)
    assert zones == [f"{stack.region}{x}" for x in "abc"]
    assert {s.id for s in subnets} <= set(stack.outputs["subnetIds"][tier])


@pytest.mark.parametrize("tier", TIERS)
def test_tier_outputs_list_every_subnet_of_the_tier(graph: Graph, stack: StackResult, tier: str) -> None:
    assert sorted(s.id for s in graph.subnets(tier)) == sorted(stack.outputs["subnetIds"][tier])


def test_subnets_are_inside_the_vpc_and_disjoint(graph: Graph, stack: StackResult, project: Project) -> None:
    network = parse_settings(project.read_stack(stack.stack).values).network
    vpc = ipaddress.ip_network(stack.outputs["vpcCidr"])
    nets = [ipaddress.ip_network(s.inputs["cidrBlock"]) for s in graph.application(SUBNET)]
    assert len(nets) == len(network.subnet_groups) * len(network.availability_zones) == 18  # 6 groups x 3 AZs
    for i, a in enumerate(nets):
        assert a.subnet_of(vpc)  # type: ignore[arg-type]
        for b in nets[i + 1:]:
            assert not a.overlaps(b)


def test_no_subnet_auto_assigns_public_ips(graph: Graph) -> None:
    assert all(s.inputs["mapPublicIpOnLaunch"] is False for s in graph.of_type(SUBNET))


def test_public_subnets_route_to_the_internet_gateway(graph: Graph) -> None:
    """Every public subnet's default route goes to the internet gateway, except the load balancers' when the
    appliances inspect them: theirs goes to the GWLB endpoint of their AZ (tests/test_inspection.py)."""
    igw = graph.one("aws:ec2/internetGateway:InternetGateway", "igw")
    for subnet in graph.subnets("public"):
        routes = graph.routes_of(graph.route_table_of(subnet))
        inspected = [r for r in routes if r.inputs.get("vpcEndpointId")]
        assert [(r.inputs["destinationCidrBlock"], r.inputs.get("gatewayId")) for r in routes] == [
            ("0.0.0.0/0", None if inspected else igw.id)
        ]


def test_one_nat_per_az_in_a_public_subnet_of_that_az(graph: Graph) -> None:
    nats = graph.of_type(NAT)
    public_by_id = {s.id: s for s in graph.subnets("public", "web")}
    zones = [public_by_id[n.inputs["subnetId"]].inputs["availabilityZone"] for n in nats]
    assert sorted(zones) == sorted(s.inputs["availabilityZone"] for s in graph.subnets("public", "web"))
    for nat in nats:
        eip = graph.ref(nat.inputs["allocationId"])
        assert eip.inputs["domain"] == "vpc"


def _without_transit(routes: list[Any]) -> list[Any]:
    """Routes other than those to the Transit Gateway (the peer region and the sites: see test_connectivity) and
    to the analytics peering (tests/test_analytics.py)."""
    return [r for r in routes if "transitGatewayId" not in r.inputs and "vpcPeeringConnectionId" not in r.inputs]


def test_each_private_route_table_uses_the_nat_in_its_own_az(graph: Graph) -> None:
    for subnet in graph.subnets("private"):
        routes = _without_transit(graph.routes_of(graph.route_table_of(subnet)))
        assert len(routes) == 1 and routes[0].inputs["destinationCidrBlock"] == "0.0.0.0/0"
        nat = graph.ref(routes[0].inputs["natGatewayId"])
        nat_subnet = graph.ref(nat.inputs["subnetId"])
        assert nat_subnet.inputs["availabilityZone"] == subnet.inputs["availabilityZone"]
        assert "gatewayId" not in routes[0].inputs


def test_isolated_route_tables_have_no_route_out(graph: Graph) -> None:
    isolated = graph.subnets("isolated")
    assert isolated
    for subnet in isolated:
        table = graph.route_table_of(subnet)
        assert _without_transit(graph.routes_of(table)) == []
        assert "routes" not in table.inputs or not table.inputs["routes"]
        # What it does have goes to the Transit Gateway, never to a default route.
        assert all(r.inputs.get("destinationCidrBlock") != "0.0.0.0/0" for r in graph.routes_of(table))


def test_each_subnet_has_its_own_route_table(graph: Graph) -> None:
    tables = [graph.route_table_of(s).urn for s in graph.application(SUBNET)]
    # The one table no subnet uses is the internet gateway's edge table (the inspected ingress path).
    gateway_tables = [a for a in graph.of_type("aws:ec2/routeTableAssociation:RouteTableAssociation")
                      if a.inputs.get("gatewayId")]
    assert len(set(tables)) == len(tables) == len(graph.application(ROUTE_TABLE)) - len(gateway_tables)


def test_default_security_group_is_adopted_and_empty(graph: Graph) -> None:
    sg = graph.one("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "default-sg")
    vpc = graph.one("aws:ec2/vpc:Vpc", "vpc")
    assert sg.inputs["vpcId"] == vpc.id
    assert sg.inputs["ingress"] == [] and sg.inputs["egress"] == []


def test_database_nacl_admits_only_the_app_tier_on_the_db_port(graph: Graph, stack: StackResult) -> None:
    """The app tier's block on the database port, and (prod-us, analytics.databaseReads) the analytics VPC's
    workload block: nothing else, and only replies back to them."""
    acl = graph.one("aws:ec2/networkAcl:NetworkAcl", "data-nacl")
    rules = [r for r in graph.of_type("aws:ec2/networkAclRule:NetworkAclRule")
             if r.inputs["networkAclId"] == acl.id]
    app_block = {"prod-us": "10.10.64.0/18", "prod-eu": "10.20.64.0/18"}[stack.stack]
    readers = [app_block, *({"prod-us": ["10.30.0.0/21"], "prod-eu": []}[stack.stack])]
    ingress = [r.inputs for r in rules if not r.inputs["egress"]]
    egress = [r.inputs for r in rules if r.inputs["egress"]]
    assert sorted((i["cidrBlock"], i["protocol"], i["fromPort"], i["toPort"], i["ruleAction"]) for i in ingress) \
        == [(block, "tcp", 5432, 5432, "allow") for block in readers]
    assert sorted((e["cidrBlock"], e["fromPort"], e["toPort"]) for e in egress) == [(b, 1024, 65535) for b in readers]
    # Every app subnet lies inside the admitted block; nothing else does.
    block = ipaddress.ip_network(app_block)
    for s in graph.application(SUBNET):
        inside = ipaddress.ip_network(s.inputs["cidrBlock"]).subnet_of(block)  # type: ignore[arg-type]
        assert inside == (s.inputs["tags"]["Tier"] == "private")
    associated = {a.inputs["subnetId"] for a in graph.of_type("aws:ec2/networkAclAssociation:NetworkAclAssociation")
                  if a.inputs["networkAclId"] == acl.id}
    assert associated == {s.id for s in graph.subnets("isolated")}


def test_db_subnet_group_is_exactly_the_isolated_subnets(graph: Graph, stack: StackResult) -> None:
    group = graph.one("aws:rds/subnetGroup:SubnetGroup", "db-subnets")
    assert sorted(group.inputs["subnetIds"]) == sorted(s.id for s in graph.subnets("isolated"))
    assert group.outputs["name"] == stack.outputs["dbSubnetGroupName"]


def test_flow_log_covers_the_vpc_with_all_traffic_to_an_encrypted_retained_group(graph: Graph) -> None:
    vpc = graph.one("aws:ec2/vpc:Vpc", "vpc")
    flow = graph.one("aws:ec2/flowLog:FlowLog", "flow-log")
    assert flow.inputs["vpcId"] == vpc.id and flow.inputs["trafficType"] == "ALL"
    assert flow.property_dependencies["vpcId"] == [vpc.urn]
    group = graph.one("aws:cloudwatch/logGroup:LogGroup", "flow-logs")
    assert flow.inputs["logDestination"] == group.outputs["arn"]
    assert flow.inputs["logDestinationType"] == "cloud-watch-logs"
    assert group.inputs["retentionInDays"] == 365
    key = graph.one("aws:kms/key:Key", "logs-key")
    assert group.inputs["kmsKeyId"] == key.outputs["arn"]
    assert key.inputs["enableKeyRotation"] is True and key.protect is True
    for field in ("pkt-srcaddr", "tcp-flags", "flow-direction"):
        assert "${" + field + "}" in flow.inputs["logFormat"]


def test_flow_log_role_is_least_privilege(graph: Graph, stack: StackResult) -> None:
    role = graph.one("aws:iam/role:Role", "flow-logs-role")
    trust = policy_doc(role.inputs["assumeRolePolicy"])
    (statement,) = trust["Statement"]
    assert statement["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    assert statement["Condition"]["StringEquals"]["aws:SourceAccount"] == "123456789012"
    assert statement["Condition"]["ArnLike"]["aws:SourceArn"].startswith(f"arn:aws:ec2:{stack.region}:")
    policy = policy_doc(graph.one("aws:iam/rolePolicy:RolePolicy", "flow-logs-role-policy").inputs["policy"])
    group_arn = graph.one("aws:cloudwatch/logGroup:LogGroup", "flow-logs").outputs["arn"]
    for st in policy["Statement"]:
        assert all(not a.endswith("*") for a in st["Action"])
        assert st["Resource"] == [group_arn, f"{group_arn}:*"]


def test_gateway_endpoints_on_every_private_and_isolated_route_table(graph: Graph, stack: StackResult) -> None:
    wanted = sorted(stack.outputs["routeTableIds"]["private"] + stack.outputs["routeTableIds"]["isolated"])
    for service in ("s3", "dynamodb"):
        ep = graph.one(ENDPOINT, f"{service}-gateway-endpoint")
        assert ep.inputs["vpcEndpointType"] == "Gateway"
        assert ep.inputs["serviceName"] == f"com.amazonaws.{stack.region}.{service}"
        assert sorted(ep.inputs["routeTableIds"]) == wanted
    public_tables = set(stack.outputs["routeTableIds"]["public"])
    assert public_tables.isdisjoint(wanted)


def _statements_are_narrowed(doc: dict[str, Any]) -> None:
    for st in doc["Statement"]:
        assert st["Effect"] == "Allow"
        assert st["Action"] != "*" and "*" not in st["Action"]
        if st.get("Sid") == "EcrImageLayers":
            # ECR's pre-signed layer URLs are signed by ECR's account: only the bucket narrows this one.
            assert st["Action"] == ["s3:GetObject"]
            assert len(st["Resource"]) == 1 and "-starport-layer-bucket/*" in st["Resource"][0]
        elif st.get("Principal") in ("*", {"AWS": "*"}):
            assert st["Condition"]["StringEquals"]["aws:PrincipalAccount"] == "123456789012"


def _aws_service(endpoint: Registration, region: str) -> bool:
    """An endpoint of an AWS service (com.amazonaws.<region>.<service>), not of a PrivateLink endpoint service
    (com.amazonaws.vpce.<region>.vpce-svc-…: a third party's)."""
    return str(endpoint.inputs["serviceName"]).startswith(f"com.amazonaws.{region}.")


def test_every_endpoint_has_a_restrictive_policy(graph: Graph, stack: StackResult) -> None:
    endpoints = [e for e in graph.application(ENDPOINT) if e.inputs["vpcEndpointType"] != "GatewayLoadBalancer"]
    aws = [e for e in endpoints if _aws_service(e, stack.region)]
    assert len(aws) == 11  # S3, DynamoDB, the 8 default interface ones and monitoring (GWLB endpoints take none)
    for ep in aws:
        assert ep.inputs.get("policy"), f"{ep.name} has the default full-access policy"
        _statements_are_narrowed(policy_doc(ep.inputs["policy"]))
    # The payment processor's endpoint (a third party's endpoint service): AWS grants endpoints of non-AWS services
    # full access and takes no policy for them, so none is set; its security group and the provider's acceptance
    # gate it (test_processor_endpoint_admits_only_the_payment_tasks_in_the_offered_azs).
    (processor,) = [e for e in endpoints if e not in aws]
    assert processor.name == "processor-endpoint" and "policy" not in processor.inputs
    assert processor.inputs["serviceName"] == \
        f"com.amazonaws.vpce.{stack.region}.vpce-svc-0a1b2c3d4e5f60718"  # the stack file's


def test_interface_endpoints_in_private_subnets_behind_https_from_vpc(graph: Graph, stack: StackResult) -> None:
    sg = graph.one("aws:ec2/securityGroup:SecurityGroup", "endpoints-sg")
    assert sg.id == stack.outputs["endpointSecurityGroupId"]
    assert not sg.inputs.get("ingress") and not sg.inputs.get("egress")
    rules = [r.inputs for r in graph.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
             if r.inputs["securityGroupId"] == sg.id]
    assert [(r["ipProtocol"], r["fromPort"], r["toPort"], r["cidrIpv4"]) for r in rules] == [
        ("tcp", 443, 443, stack.outputs["vpcCidr"])
    ]
    private = sorted(stack.outputs["subnetIds"]["private"])
    interface = [e for e in graph.application(ENDPOINT) if e.inputs["vpcEndpointType"] == "Interface"
                 and _aws_service(e, stack.region)]
    assert sorted(e.name for e in graph.application(ENDPOINT) if e.inputs["vpcEndpointType"] == "Interface"
                  and e not in interface) == ["processor-endpoint"]
    prefix = f"com.amazonaws.{stack.region}."
    services = sorted(e.inputs["serviceName"].removeprefix(prefix) for e in interface)
    # The defaults, plus monitoring: the appliance fleet publishes metrics, and its subnets reach AWS only this way.
    assert services == sorted(["ecr.api", "ecr.dkr", "logs", "sts", "secretsmanager", "kms", "xray", "ssm",
                               "monitoring"])
    for ep in interface:
        assert ep.inputs["privateDnsEnabled"] is True
        assert sorted(ep.inputs["subnetIds"]) == private
        assert ep.inputs["securityGroupIds"] == [sg.id]


PROCESSOR_SERVICE = "aws:ec2/getVpcEndpointService:getVpcEndpointService"


def _processor_endpoint_checks(graph: Graph, zones: list[str]) -> None:
    endpoint = graph.one(ENDPOINT, "processor-endpoint")
    sg = graph.one("aws:ec2/securityGroup:SecurityGroup", "processor-endpoint-sg")
    payment = graph.one("aws:ec2/securityGroup:SecurityGroup", "payment-sg")
    assert (endpoint.inputs["vpcEndpointType"], endpoint.inputs["privateDnsEnabled"]) == ("Interface", False)
    assert endpoint.inputs["securityGroupIds"] == [sg.id]
    assert endpoint.inputs["vpcId"] == graph.one("aws:ec2/vpc:Vpc", "vpc").id
    # The tasks' subnets (the payment service's) in the zones the processor offers its service in.
    tasks = {s.inputs["availabilityZone"]: s.id for s in graph.subnets("private", "app")}
    assert graph.one("aws:ecs/service:Service", "payment-service").inputs["networkConfiguration"]["subnets"] == \
        list(tasks.values())
    assert endpoint.inputs["subnetIds"] == [tasks[z] for z in zones]
    # HTTPS from the payment tasks' group, nothing else, and no rule of its own out.
    rules = [r.inputs for r in graph.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
             if r.inputs["securityGroupId"] == sg.id]
    assert [(r["ipProtocol"], r["fromPort"], r["toPort"], r.get("referencedSecurityGroupId")) for r in rules] == \
        [("tcp", 443, 443, payment.id)]
    assert not any("cidrIpv4" in r or "cidrIpv6" in r or "prefixListId" in r for r in rules)
    assert not [r for r in graph.of_type("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
                if r.inputs["securityGroupId"] == sg.id]
    assert not sg.inputs.get("ingress") and not sg.inputs.get("egress")


def test_processor_endpoint_admits_only_the_payment_tasks_in_the_offered_azs(graph: Graph,
                                                                              stack: StackResult) -> None:
    """The processor's service (the mocks' answer: offered in every AZ of the region) gets an endpoint in each AZ
    of the payment tasks' subnets, behind a group admitting HTTPS from the payment tasks alone."""
    _processor_endpoint_checks(graph, [f"{stack.region}{x}" for x in "abc"])


def test_the_processor_endpoint_stays_in_the_azs_its_service_is_offered_in(
        project_copy: Callable[[Callable[[str, dict[str, Any]], None]], Project], monkeypatch: pytest.MonkeyPatch,
        synth_run: SynthRun) -> None:
    """A processor that offers its service in two of the region's AZs: the endpoint has subnets in those two only
    (AWS refuses a subnet of an AZ the service is not offered in)."""
    real = mocks._INVOKES[PROCESSOR_SERVICE]

    def two_zones(args: dict[str, Any], region: str) -> Any:
        answer, failures = real(args, region)
        return {**answer, "availabilityZones": [f"{region}a", f"{region}c"]}, failures

    monkeypatch.setitem(mocks._INVOKES, PROCESSOR_SERVICE, two_zones)
    result = synth_stack(project_copy(lambda _name, _config: None), "prod-eu",
                         {"prod-us": synth_run.results["prod-us"].outputs})
    _processor_endpoint_checks(Graph(result), ["eu-west-1a", "eu-west-1c"])


def test_a_processor_offered_in_none_of_the_stacks_azs_is_refused(
        project_copy: Callable[[Callable[[str, dict[str, Any]], None]], Project],
        monkeypatch: pytest.MonkeyPatch) -> None:
    real = mocks._INVOKES[PROCESSOR_SERVICE]

    def elsewhere(args: dict[str, Any], region: str) -> Any:
        answer, failures = real(args, region)
        return {**answer, "availabilityZones": [f"{region}d"]}, failures

    monkeypatch.setitem(mocks._INVOKES, PROCESSOR_SERVICE, elsewhere)
    with pytest.raises(SynthError) as err:
        synth_stack(project_copy(lambda _name, _config: None), "prod-eu")
    assert err.value.problems == [
        "securecart:privateLink.processor.serviceName: com.amazonaws.vpce.eu-west-1.vpce-svc-0a1b2c3d4e5f60718 is "
        "offered in eu-west-1d, none of this stack's (eu-west-1a, eu-west-1b, eu-west-1c)"]


def test_every_aws_resource_uses_the_stacks_explicit_provider(stack: StackResult) -> None:
    (provider,) = stack.by_type("pulumi:providers:aws")
    assert provider.inputs["region"] == stack.region
    for r in stack.resources:
        if r.custom and r.type.startswith("aws:"):
            assert r.provider.startswith(provider.urn + "::"), r.urn
            assert r.outputs["tagsAll"]["Stack"] == stack.stack


def _names_and_cidrs(result: StackResult) -> dict[str, str]:
    return {s.name: s.inputs["cidrBlock"] for s in result.by_type(SUBNET)}


def test_adding_an_az_and_a_group_renames_and_renumbers_nothing(
    project: Project, project_copy: Callable[..., Project], synth_run: Any
) -> None:
    def edit(stack: str, config: dict[str, Any]) -> None:
        if stack == "prod-us":
            net = config["securecart:network"]
            net["availabilityZones"] = ["a", "b", "c", "d"]
            # Listed first: subnets are chosen by the placement settings, never by position in the list.
            net["subnetGroups"].insert(0, {"name": "pay", "type": "private", "block": "10.10.192.0/20",
                                           "cidrMask": 24})
            # Two private groups: which one holds the tasks and the endpoints must now be said.
            net["interfaceEndpointSubnetGroup"] = "app"
            config["securecart:delivery"]["taskSubnetGroup"] = "app"

    before = synth_run.results["prod-us"]
    after = synth_stack(project_copy(edit), "prod-us", {"prod-eu": synth_run.results["prod-eu"].outputs})
    old, new = _names_and_cidrs(before), _names_and_cidrs(after)
    assert {k: new[k] for k in old} == old  # every existing subnet keeps its name and CIDR
    assert sorted(set(new) - set(old)) == sorted(
        ["web-public-us-east-1d", "gwlbe-public-us-east-1d", "inspect-attachment-us-east-1d",
         "tgw-attachment-us-east-1d", "app-private-us-east-1d", "data-isolated-us-east-1d"]
        + [f"pay-private-us-east-1{x}" for x in "abcd"]
    )
    assert len(after.by_type(NAT)) == 4
    before_urns = {r.urn for r in before.resources}
    assert before_urns <= {r.urn for r in after.resources}
    # The tasks, the payment NLB and the interface endpoints stay in 'app' (now in four AZs), not in 'pay'.
    graph = Graph(after)
    app = {s.id for s in graph.subnets("private", "app")}
    assert len(app) == 4
    for svc in after.by_type("aws:ecs/service:Service"):
        assert set(svc.inputs["networkConfiguration"]["subnets"]) == app, svc.name
    (nlb,) = [lb for lb in after.by_type("aws:lb/loadBalancer:LoadBalancer") if lb.name == "payment-nlb"]
    assert set(nlb.inputs["subnets"]) == app
    for ep in graph.application("aws:ec2/vpcEndpoint:VpcEndpoint"):
        if ep.inputs["vpcEndpointType"] == "Interface":
            assert set(ep.inputs["subnetIds"]) == app, ep.name


def test_a_second_private_group_without_placement_is_refused_naming_the_keys(
    project: Project, project_copy: Callable[..., Project], synth_run: Any
) -> None:
    def edit(stack: str, config: dict[str, Any]) -> None:
        if stack == "prod-us":
            config["securecart:network"]["subnetGroups"].append(
                {"name": "pay", "type": "private", "block": "10.10.192.0/20", "cidrMask": 24})

    with pytest.raises(SynthError) as info:
        synth_stack(project_copy(edit), "prod-us", {"prod-eu": synth_run.results["prod-eu"].outputs})
    assert info.value.kind == "config"
    assert info.value.problems == [
        "securecart:network.interfaceEndpointSubnetGroup: the network has 2 private subnet groups (app, pay): name "
        "the one to use",
        "securecart:delivery.taskSubnetGroup: the network has 2 private subnet groups (app, pay): name the one to "
        "use",
    ]


def test_the_conditions_the_policies_rest_on(graph: Graph, stack: StackResult) -> None:
    """Each narrowing condition, exactly: dropping one widens a grant to other accounts or log groups."""
    acct, region = "123456789012", stack.region
    s3 = policy_doc(graph.one("aws:ec2/vpcEndpoint:VpcEndpoint", "s3-gateway-endpoint").inputs["policy"])
    own = next(s for s in s3["Statement"] if s["Sid"] == "OwnAccountBuckets")
    assert own["Condition"] == {"StringEquals": {"aws:PrincipalAccount": acct, "aws:ResourceAccount": acct}}
    key = policy_doc(graph.one("aws:kms/key:Key", "logs-key").inputs["policy"])
    logs = next(s for s in key["Statement"] if s["Sid"] == "CloudWatchLogsUse")
    assert logs["Principal"] == {"Service": f"logs.{region}.amazonaws.com"}
    assert logs["Condition"] == {"ArnLike": {
        "kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:{region}:{acct}:log-group:*"}}
    trust = policy_doc(graph.one("aws:iam/role:Role", "flow-logs-role").inputs["assumeRolePolicy"])
    assert trust["Statement"][0]["Condition"] == {
        "StringEquals": {"aws:SourceAccount": acct},
        "ArnLike": {"aws:SourceArn": f"arn:aws:ec2:{region}:{acct}:vpc-flow-log/*"}}
    alarms = policy_doc(graph.one("aws:kms/key:Key", "alarms-key").inputs["policy"])
    publish = next(s for s in alarms["Statement"] if s["Sid"] == "CloudWatchAlarmsPublish")
    assert publish["Condition"] == {"StringEquals": {"aws:SourceAccount": acct},
                                    "ArnLike": {"aws:SourceArn": f"arn:aws:cloudwatch:{region}:{acct}:alarm:*"}}
    for role in ("storefront-task", "checkout-execution"):
        task_trust = policy_doc(graph.one("aws:iam/role:Role", role).inputs["assumeRolePolicy"])
        assert task_trust["Statement"][0]["Condition"] == {
            "StringEquals": {"aws:SourceAccount": acct},
            "ArnLike": {"aws:SourceArn": f"arn:aws:ecs:{region}:{acct}:*"}}
