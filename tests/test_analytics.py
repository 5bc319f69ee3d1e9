"""The analytics VPC as synthesized from the real program and stack files: its subnets and route tables with no path
to the internet, the peering with the application VPC and the routes on exactly the tables that need them (both
sides), the security groups and network ACLs that admit only the configured analytics ports, its Transit Gateway
segment that reaches Direct Connect and nothing else, and the refusals of bad analytics settings."""

import ipaddress
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from automation.project import Project
from automation.synth import SynthError, SynthRun, synth_all
from components.settings.loader import parse_settings
from components.settings.plans import REPLY_PORTS
from components.settings.types import ConfigError
from tests.conftest import Graph, assert_refused, policy_doc, synth_in
from tests.test_deploy_readiness import broken, findings

VPC = "aws:ec2/vpc:Vpc"
SUBNET = "aws:ec2/subnet:Subnet"
ROUTE = "aws:ec2/route:Route"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
PEERING = "aws:ec2/vpcPeeringConnection:VpcPeeringConnection"
OPTIONS = "aws:ec2/peeringConnectionOptions:PeeringConnectionOptions"
SG = "aws:ec2/securityGroup:SecurityGroup"
SG_IN = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SG_OUT = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
ACL = "aws:ec2/networkAcl:NetworkAcl"
ACL_RULE = "aws:ec2/networkAclRule:NetworkAclRule"
ACL_ASSOC = "aws:ec2/networkAclAssociation:NetworkAclAssociation"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
ATTACHMENT = "aws:ec2transitgateway/vpcAttachment:VpcAttachment"
TGW_RT = "aws:ec2transitgateway/routeTable:RouteTable"
TGW_ROUTE = "aws:ec2transitgateway/route:Route"
ASSOC = "aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation"
PROP = "aws:ec2transitgateway/routeTablePropagation:RouteTablePropagation"
DX_ASSOC = "aws:directconnect/gatewayAssociation:GatewayAssociation"

# What Pulumi.prod-us.yaml states (the tests read the same values back through the settings where they can).
LAKE, TASKS, DATA, DX = "10.30.0.0/21", "10.10.64.0/18", "10.10.128.0/20", "172.20.0.0/16"
PORTS = (5439, 9094)


@pytest.fixture(scope="module")
def us(synth_run: SynthRun) -> Graph:
    return Graph(synth_run.results["prod-us"])


def _analytics_vpc(graph: Graph) -> Any:
    (vpc,) = [v for v in graph.of_type(VPC) if v.inputs["tags"].get("Purpose") == "analytics"]
    return vpc


def _app_vpc(graph: Graph) -> Any:
    (vpc,) = [v for v in graph.of_type(VPC) if v.inputs["tags"].get("Purpose") == "application"]
    return vpc


def _in_vpc(graph: Graph, typ: str, vpc: Any) -> list[Any]:
    return [r for r in graph.of_type(typ) if r.inputs.get("vpcId") == vpc.id]


def test_the_stack_files_state_what_the_tests_check(project: Project) -> None:
    settings = parse_settings(project.read_stack("prod-us").values)
    a = settings.analytics
    assert a is not None and parse_settings(project.read_stack("prod-eu").values).analytics is None
    assert [str(g.block) for g in a.workloads] == [LAKE] and a.port_numbers == PORTS
    assert (a.clients, a.database_reads, a.direct_connect) == (["storefront", "checkout"], True, True)
    assert settings.analytics_dx_prefixes == [DX]


# --- the VPC: isolated subnets over the AZs, no internet path -------------------------------------------------

def test_the_analytics_vpc_has_isolated_subnets_over_every_az_and_no_internet_path(us: Graph,
                                                                                  synth_run: SynthRun) -> None:
    vpc = _analytics_vpc(us)
    assert vpc.inputs["cidrBlock"] == "10.30.0.0/20" == synth_run.results["prod-us"].outputs["analyticsVpcCidr"]
    assert vpc.inputs["enableDnsSupport"] is True and vpc.inputs["enableDnsHostnames"] is True
    subnets = _in_vpc(us, SUBNET, vpc)
    assert sorted((s.inputs["tags"]["SubnetGroup"], s.inputs["tags"]["Tier"], s.inputs["availabilityZone"],
                   s.inputs["cidrBlock"]) for s in subnets) == [
        ("lake", "isolated", "us-east-1a", "10.30.0.0/24"), ("lake", "isolated", "us-east-1b", "10.30.1.0/24"),
        ("lake", "isolated", "us-east-1c", "10.30.2.0/24"),
        ("tgw", "attachment", "us-east-1a", "10.30.8.0/28"), ("tgw", "attachment", "us-east-1b", "10.30.8.16/28"),
        ("tgw", "attachment", "us-east-1c", "10.30.8.32/28")]
    assert all(s.inputs["mapPublicIpOnLaunch"] is False for s in subnets)
    # No internet gateway, NAT gateway or Elastic IP in it.
    assert _in_vpc(us, "aws:ec2/internetGateway:InternetGateway", vpc) == []
    ids = {s.id for s in subnets}
    assert not [n for n in us.of_type("aws:ec2/natGateway:NatGateway") if n.inputs["subnetId"] in ids]
    assert not [e for e in us.analytics("aws:ec2/eip:Eip")]
    # Every route of its tables: the application blocks over the peering, Direct Connect through the Transit
    # Gateway; no default route, nothing to an internet or NAT gateway.
    (peering,) = us.analytics(PEERING)
    (tgw,) = us.of_type("aws:ec2transitgateway/transitGateway:TransitGateway")
    tables = _in_vpc(us, ROUTE_TABLE, vpc)
    assert len(tables) == 6
    seen = set()
    for table in tables:
        assert not table.inputs.get("routes")
        for route in us.routes_of(table):
            target = {k: v for k, v in route.inputs.items() if k.endswith("Id") and k != "routeTableId"}
            seen.add((route.inputs["destinationCidrBlock"], tuple(target.items())))
    assert seen == {(TASKS, (("vpcPeeringConnectionId", peering.id),)),
                    (DATA, (("vpcPeeringConnectionId", peering.id),)),
                    (DX, (("transitGatewayId", tgw.id),))}
    assert findings(synth_run.results["prod-us"], "analytics-vpc-no-internet-path") == []


def test_an_internet_route_in_the_analytics_vpc_is_caught_by_the_pack(synth_run: SynthRun) -> None:
    """The same graph with one default route added to a lake table: the pack's rule names it."""
    stack = synth_run.results["prod-us"]
    graph = Graph(stack)
    table = graph.one(ROUTE_TABLE, "analytics-lake-isolated-us-east-1a-rt")
    nat = graph.of_type("aws:ec2/natGateway:NatGateway")[0]

    def default_route(resources: list[Any]) -> None:
        route = next(r for r in resources if r.name == "analytics-lake-us-east-1a-to-app")
        route.inputs = {**route.inputs, "destinationCidrBlock": "0.0.0.0/0", "natGatewayId": nat.id}
        route.inputs.pop("vpcPeeringConnectionId")
        route.property_dependencies = {**route.property_dependencies, "natGatewayId": [nat.urn],
                                       "routeTableId": [table.urn]}

    found = findings(broken(stack, default_route), "analytics-vpc-no-internet-path")
    assert [name for name, _ in found] == ["analytics-lake-us-east-1a-to-app"]


def test_flow_logs_and_endpoints_of_the_analytics_vpc(us: Graph, synth_run: SynthRun) -> None:
    vpc = _analytics_vpc(us)
    (flow,) = _in_vpc(us, "aws:ec2/flowLog:FlowLog", vpc)
    assert flow.inputs["trafficType"] == "ALL"
    group = us.one("aws:cloudwatch/logGroup:LogGroup", "analytics-flow-logs")
    assert flow.inputs["logDestination"] == group.outputs["arn"]
    assert group.inputs["name"] == "/securecart/prod/us-east-1/analytics-vpc-flow-logs"
    assert group.outputs["name"] == synth_run.results["prod-us"].outputs["analyticsFlowLogGroupName"]
    # Under the stack's one log key, kept a year.
    assert group.inputs["kmsKeyId"] == us.one("aws:kms/key:Key", "logs-key").outputs["arn"]
    assert group.inputs["retentionInDays"] == 365
    role = us.ref(next(r.id for r in us.of_type("aws:iam/role:Role") if r.outputs["arn"] == flow.inputs["iamRoleArn"]))
    assert role.name == "analytics-flow-logs-role"
    lake_tables = {us.route_table_of(s).id for s in us.subnets("isolated", "lake", analytics=True)}
    lake_subnets = {s.id for s in us.subnets("isolated", "lake", analytics=True)}
    endpoints = _in_vpc(us, ENDPOINT, vpc)
    gateways = {e.inputs["serviceName"]: e for e in endpoints if e.inputs["vpcEndpointType"] == "Gateway"}
    assert sorted(gateways) == ["com.amazonaws.us-east-1.dynamodb", "com.amazonaws.us-east-1.s3"]
    for e in gateways.values():
        assert set(e.inputs["routeTableIds"]) == lake_tables
        for st in policy_doc(e.inputs["policy"])["Statement"]:
            if st.get("Sid") != "EcrImageLayers":
                assert st["Condition"]["StringEquals"]["aws:PrincipalAccount"] == "123456789012"
    interface = [e for e in endpoints if e.inputs["vpcEndpointType"] == "Interface"]
    # The defaults, and Secrets Manager: the extract jobs read the database's credentials (databaseReads).
    assert sorted(e.inputs["serviceName"].removeprefix("com.amazonaws.us-east-1.") for e in interface) == \
        ["kms", "logs", "monitoring", "secretsmanager", "sts"]
    sg = us.one(SG, "analytics-endpoints-sg")
    assert sg.inputs["vpcId"] == vpc.id
    for e in interface:
        assert set(e.inputs["subnetIds"]) == lake_subnets and e.inputs["securityGroupIds"] == [sg.id]
        assert policy_doc(e.inputs["policy"])["Statement"][0]["Condition"]["StringEquals"][
            "aws:PrincipalAccount"] == "123456789012"
    assert [(r.inputs["fromPort"], r.inputs["cidrIpv4"]) for r in us.of_type(SG_IN)
            if r.inputs["securityGroupId"] == sg.id] == [(443, "10.30.0.0/20")]
    default = us.one("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "analytics-default-sg")
    assert default.inputs["vpcId"] == vpc.id and default.inputs["ingress"] == default.inputs["egress"] == []


# --- the peering and its routes, both sides --------------------------------------------------------------------

def test_the_peering_joins_the_two_vpcs_and_resolves_dns_both_ways(us: Graph, synth_run: SynthRun) -> None:
    (peering,) = us.analytics(PEERING)
    assert (peering.inputs["vpcId"], peering.inputs["peerVpcId"]) == (_app_vpc(us).id, _analytics_vpc(us).id)
    assert peering.inputs["autoAccept"] is True and "peerRegion" not in peering.inputs
    (options,) = us.analytics(OPTIONS)
    assert options.inputs["vpcPeeringConnectionId"] == peering.id
    assert options.inputs["requester"]["allowRemoteVpcDnsResolution"] is True
    assert options.inputs["accepter"]["allowRemoteVpcDnsResolution"] is True
    assert synth_run.results["prod-us"].outputs["analyticsPeeringConnectionId"] == peering.id
    assert findings(synth_run.results["prod-us"], "vpc-peering-private-tiers-only") == []
    assert findings(synth_run.results["prod-us"], "inter-vpc-through-transit-gateway") == []


def test_peering_routes_are_on_exactly_the_task_and_database_tables_and_the_lake_tables(us: Graph) -> None:
    (peering,) = us.analytics(PEERING)
    over_peering = [r for r in us.of_type(ROUTE) if r.inputs.get("vpcPeeringConnectionId") == peering.id]
    by_table: dict[str, set[str]] = {}
    for r in over_peering:
        by_table.setdefault(r.inputs["routeTableId"], set()).add(r.inputs["destinationCidrBlock"])
    app = {us.route_table_of(s).id for s in us.subnets("private", "app")}
    data = {us.route_table_of(s).id for s in us.subnets("isolated", "data")}
    lake = {us.route_table_of(s).id for s in us.subnets("isolated", "lake", analytics=True)}
    assert by_table == {**{t: {LAKE} for t in app | data}, **{t: {TASKS, DATA} for t in lake}}
    # Nothing from a public group (the load balancers, NAT, GWLB endpoints) or an attachment group.
    for tier in ("public", "attachment"):
        for subnet in us.subnets(tier) + us.subnets(tier, analytics=True):
            assert us.route_table_of(subnet).id not in by_table, subnet.name


def test_the_secondary_has_no_analytics_vpc(synth_run: SynthRun) -> None:
    eu = Graph(synth_run.results["prod-eu"])
    assert [v.inputs["tags"]["Purpose"] for v in eu.of_type(VPC)] == ["application"]
    assert eu.analytics(PEERING) == [] and "analyticsVpcId" not in synth_run.results["prod-eu"].outputs


# --- security groups and ACLs: only the analytics ports ------------------------------------------------------

def test_the_workloads_group_admits_only_the_analytics_ports_from_the_tasks_and_direct_connect(
        us: Graph, synth_run: SynthRun) -> None:
    sg = us.one(SG, "analytics-workloads-sg")
    assert sg.inputs["vpcId"] == _analytics_vpc(us).id
    assert sg.id == synth_run.results["prod-us"].outputs["analyticsSecurityGroupId"]
    def peer(rule: dict[str, Any]) -> str:
        return str(rule.get("cidrIpv4") or rule.get("referencedSecurityGroupId") or rule["prefixListId"])

    # In: the analytics ports from the task block, Direct Connect and the workloads themselves; nothing else.
    ingress = sorted((r.inputs["ipProtocol"], r.inputs["fromPort"], r.inputs["toPort"], peer(r.inputs))
                     for r in us.of_type(SG_IN) if r.inputs["securityGroupId"] == sg.id)
    assert ingress == sorted(("tcp", p, p, source) for p in PORTS for source in (TASKS, DX, sg.id))
    # Out: the analytics ports among the workloads, the database port, HTTPS to the endpoints, S3 and DynamoDB.
    egress = [r.inputs for r in us.of_type(SG_OUT) if r.inputs["securityGroupId"] == sg.id]
    s3, dynamodb = (us.one(ENDPOINT, f"analytics-{s}-gateway-endpoint") for s in ("s3", "dynamodb"))
    assert sorted((e["fromPort"], e["toPort"], peer(e)) for e in egress) == sorted([
        (5432, 5432, DATA), (443, 443, us.one(SG, "analytics-endpoints-sg").id),
        (443, 443, s3.outputs["prefixListId"]), (443, 443, dynamodb.outputs["prefixListId"]),
        *((p, p, sg.id) for p in PORTS)])
    assert not sg.inputs.get("ingress") and not sg.inputs.get("egress")


def test_only_the_client_services_may_open_the_analytics_ports(us: Graph, synth_run: SynthRun) -> None:
    groups = synth_run.results["prod-us"].outputs["serviceSecurityGroupIds"]
    to_lake = [r.inputs for r in us.of_type(SG_OUT) if r.inputs.get("cidrIpv4") == LAKE]
    assert sorted((next(n for n, i in groups.items() if i == r["securityGroupId"]), r["fromPort"], r["toPort"])
                  for r in to_lake) == sorted((svc, p, p) for svc in ("checkout", "storefront") for p in PORTS)
    # The database: its port from the lake block (analytics reads it), tests/test_data.py has the rest.
    db_sg = synth_run.results["prod-us"].outputs["databaseSecurityGroupId"]
    assert [(r.inputs["fromPort"], r.inputs["cidrIpv4"]) for r in us.of_type(SG_IN)
            if r.inputs["securityGroupId"] == db_sg and "cidrIpv4" in r.inputs] == [(5432, LAKE)]


def _acl_rules(graph: Graph, name: str, action: str = "allow") -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    """An ACL's rules of one action, inbound and outbound, as (protocol, CIDR, from port, to port)."""
    acl = graph.one(ACL, name)
    rules = [r.inputs for r in graph.of_type(ACL_RULE) if r.inputs["networkAclId"] == acl.id]
    assert {r["ruleAction"] for r in rules} <= {"allow", "deny"}

    def pick(egress: bool) -> set[tuple[Any, ...]]:
        return {(r["protocol"], r["cidrBlock"], r.get("fromPort"), r.get("toPort")) for r in rules
                if r["egress"] is egress and r["ruleAction"] == action}
    return pick(False), pick(True)


def test_the_lake_acl_admits_the_analytics_ports_and_the_flows_replies_only(us: Graph) -> None:
    vpc = "10.30.0.0/20"
    inbound, outbound = _acl_rules(us, "analytics-lake-nacl")
    world_replies = {("tcp", "0.0.0.0/0", low, high) for low, high in REPLY_PORTS}
    assert inbound == {("-1", vpc, 0, 0), *world_replies, *{("tcp", c, p, p) for p in PORTS for c in (TASKS, DX)},
                       ("tcp", DATA, 1024, 65535)}
    # Out: the VPC, HTTPS (only the S3 and DynamoDB gateway endpoints can carry it: no route leads elsewhere), the
    # database port, and the replies to the tasks and Direct Connect.
    assert outbound == {("-1", vpc, 0, 0), ("tcp", "0.0.0.0/0", 443, 443), ("tcp", DATA, 5432, 5432),
                        ("tcp", TASKS, 1024, 65535), ("tcp", DX, 1024, 65535)}
    # Every other private address (the application VPC, the peer region, the sites, on premises) is denied both
    # ways before the internet-wide HTTPS and replies rules are reached: those serve S3 and DynamoDB only.
    private = {("-1", c, 0, 0) for c in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")}
    assert _acl_rules(us, "analytics-lake-nacl", "deny") == (private, private)
    acl = us.one(ACL, "analytics-lake-nacl")
    numbered = [r.inputs for r in us.of_type(ACL_RULE) if r.inputs["networkAclId"] == acl.id]
    for egress in (False, True):
        side = [r for r in numbered if r["egress"] is egress]
        denies = [r["ruleNumber"] for r in side if r["ruleAction"] == "deny"]
        world = [r["ruleNumber"] for r in side if r["cidrBlock"] == "0.0.0.0/0"]
        narrow = [r["ruleNumber"] for r in side if r["ruleAction"] == "allow" and r["cidrBlock"] != "0.0.0.0/0"]
        assert max(narrow) < min(denies) and max(denies) < min(world)
    acl = us.one(ACL, "analytics-lake-nacl")
    assert {a.inputs["subnetId"] for a in us.of_type(ACL_ASSOC) if a.inputs["networkAclId"] == acl.id} == \
        {s.id for s in us.subnets("isolated", "lake", analytics=True)}
    # The attachment group: the VPC and the Direct Connect prefixes, nothing else.
    t_in, t_out = _acl_rules(us, "analytics-tgw-nacl")
    assert t_in == t_out == {("-1", vpc, 0, 0), ("-1", DX, 0, 0)}
    default = us.one("aws:ec2/defaultNetworkAcl:DefaultNetworkAcl", "analytics-default-nacl")
    assert default.inputs["ingress"] == default.inputs["egress"] == []
    assert default.inputs["defaultNetworkAclId"] == _analytics_vpc(us).outputs["defaultNetworkAclId"]


def test_the_application_side_acls_open_the_same_flows(us: Graph) -> None:
    app_in, app_out = _acl_rules(us, "app-nacl")
    assert {("tcp", LAKE, p, p) for p in PORTS} <= app_out and ("tcp", LAKE, 1024, 65535) in app_in
    assert not [r for r in app_in if r[1] == LAKE and r != ("tcp", LAKE, 1024, 65535)]
    data_in, data_out = _acl_rules(us, "data-nacl")
    assert [r for r in data_in if r[1] == LAKE] == [("tcp", LAKE, 5432, 5432)]
    assert [r for r in data_out if r[1] == LAKE] == [("tcp", LAKE, 1024, 65535)]


# --- the Transit Gateway: Direct Connect lands in the analytics VPC, which is never a transit -------------------

def test_the_analytics_segment_reaches_only_direct_connect(us: Graph, synth_run: SynthRun) -> None:
    stack = synth_run.results["prod-us"]
    attachment = us.one(ATTACHMENT, "tgw-analytics-attachment")
    assert attachment.inputs["vpcId"] == _analytics_vpc(us).id
    assert {us.ref(i).inputs["tags"]["SubnetGroup"] for i in attachment.inputs["subnetIds"]} == {"tgw"}
    assert sorted(us.ref(i).inputs["availabilityZone"] for i in attachment.inputs["subnetIds"]) == \
        ["us-east-1a", "us-east-1b", "us-east-1c"]
    assert attachment.inputs["transitGatewayDefaultRouteTableAssociation"] is False
    assert attachment.inputs["transitGatewayDefaultRouteTablePropagation"] is False
    assert stack.outputs["tgwAnalyticsAttachmentId"] == attachment.id
    tables = {t.inputs["tags"]["Segment"]: t for t in us.of_type(TGW_RT)}
    (dx,) = us.of_type(DX_ASSOC)
    dx_attachment = dx.outputs["transitGatewayAttachmentId"]
    # Its segment: associated with it alone; one static route, Direct Connect's prefix; nothing propagated.
    assert [a.inputs["transitGatewayAttachmentId"] for a in us.of_type(ASSOC)
            if a.inputs["transitGatewayRouteTableId"] == tables["analytics"].id] == [attachment.id]
    assert [(r.inputs["destinationCidrBlock"], r.inputs["transitGatewayAttachmentId"]) for r in us.of_type(TGW_ROUTE)
            if r.inputs["transitGatewayRouteTableId"] == tables["analytics"].id] == [(DX, dx_attachment)]
    # It propagates only into the Direct Connect segment; no other segment routes to it.
    assert [p.inputs["transitGatewayRouteTableId"] for p in us.of_type(PROP)
            if p.inputs["transitGatewayAttachmentId"] == attachment.id] == [tables["direct-connect"].id]
    assert not [r for r in us.of_type(TGW_ROUTE) if r.inputs["transitGatewayAttachmentId"] == attachment.id]
    # On premises learns the analytics VPC; the application VPC reaches it only over the peering.
    assert dx.inputs["allowedPrefixes"] == ["10.10.0.0/16", "10.30.0.0/20"]
    assert not [r for r in us.of_type(TGW_ROUTE) if r.inputs["destinationCidrBlock"] == "10.30.0.0/20"]
    assert findings(stack, "analytics-vpc-not-transit") == []
    # The lake tables send Direct Connect's prefix to the gateway only once the VPC is attached.
    for subnet in us.subnets("isolated", "lake", analytics=True):
        (route,) = [r for r in us.routes_of(us.route_table_of(subnet)) if r.inputs.get("transitGatewayId")]
        assert route.inputs["destinationCidrBlock"] == DX and attachment.urn in route.dependencies


# --- bad input: one message naming the key, exit 2 -------------------------------------------------------------

def _analytics(**changes: Any) -> Callable[[str, dict[str, Any]], None]:
    def edit(stack: str, config: dict[str, Any]) -> None:
        if stack == "prod-us":
            config["securecart:analytics"] = {**config["securecart:analytics"], **changes}
    return edit


REFUSED = [
    ("overlaps the VPC", _analytics(cidr="10.10.0.0/20", subnetGroups=[
        {"name": "lake", "type": "isolated", "block": "10.10.0.0/21", "cidrMask": 24},
        {"name": "tgw", "type": "attachment", "block": "10.10.8.0/24", "cidrMask": 28}]),
     "securecart:analytics.cidr: 10.10.0.0/20 overlaps network.cidr (10.10.0.0/16): routed networks must "
     "be distinct"),
    ("overlaps Direct Connect", _analytics(cidr="172.20.0.0/20", subnetGroups=[
        {"name": "lake", "type": "isolated", "block": "172.20.0.0/21", "cidrMask": 24},
        {"name": "tgw", "type": "attachment", "block": "172.20.8.0/24", "cidrMask": 28}]),
     "securecart:connectivity.directConnect.prefixes[0]: 172.20.0.0/16 overlaps analytics.cidr "
     "(172.20.0.0/20): routed networks must be distinct"),
    ("a public group", _analytics(subnetGroups=[
        {"name": "lake", "type": "isolated", "block": "10.30.0.0/21", "cidrMask": 24},
        {"name": "tgw", "type": "attachment", "block": "10.30.8.0/24", "cidrMask": 28},
        {"name": "edge", "type": "public", "block": "10.30.12.0/22", "cidrMask": 24}]),
     "securecart:analytics.subnetGroups[2].type: 'public' is not allowed: the analytics VPC has no internet path (no "
     "internet gateway, no NAT); use isolated for its workloads, attachment for the Transit Gateway's ENIs"),
    ("an unknown client", _analytics(clients=["storefront", "reports"]),
     "securecart:analytics.clients: 'reports' is not a service of securecart:delivery (known: storefront, checkout, "
     "payment, integrations)"),
    ("no attachment group", _analytics(subnetGroups=[
        {"name": "lake", "type": "isolated", "block": "10.30.0.0/21", "cidrMask": 24}]),
     "securecart:analytics.attachmentSubnetGroup: the analytics VPC has no attachment subnet group: add one to "
     "analytics.subnetGroups (directConnect attaches the VPC to the Transit Gateway)"),
    ("a port twice", _analytics(ports=[{"name": "redshift", "port": 5439}, {"name": "warehouse", "port": 5439}]),
     "securecart:analytics.ports: port 5439 listed twice: each port once, each name once"),
]


@pytest.mark.parametrize("case", REFUSED, ids=[r[0] for r in REFUSED])
def test_bad_analytics_settings_exit_2_naming_the_key(
        case: tuple[str, Callable[[str, dict[str, Any]], None], str],
        project_copy: Callable[[Callable[[str, dict[str, Any]], None]], Project], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    _, edit, message = case
    assert_refused(project_copy, tmp_path, capsys, edit, f"error: Pulumi.prod-us.yaml: {message}")


def test_an_analytics_vpc_overlapping_the_peer_regions_vpc_is_refused(
        project_copy: Callable[[Callable[[str, dict[str, Any]], None]], Project], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    edit = _analytics(cidr="10.20.0.0/20", subnetGroups=[
        {"name": "lake", "type": "isolated", "block": "10.20.0.0/21", "cidrMask": 24},
        {"name": "tgw", "type": "attachment", "block": "10.20.8.0/24", "cidrMask": 28}])
    problem = ("securecart:analytics.cidr: prod-us's analytics VPC (10.20.0.0/20) overlaps prod-eu's VPC "
               "10.20.0.0/16: routed networks must be distinct")
    with pytest.raises(SynthError) as info:
        synth_all(project_copy(edit))
    assert info.value.problems == [problem]
    assert synth_in(tmp_path, "--no-tree") == 2
    assert capsys.readouterr().err.splitlines() == [f"error: {problem}"]


def test_the_analytics_vpc_belongs_to_the_primary(project: Project) -> None:
    eu = dict(project.read_stack("prod-eu").values)
    eu["securecart:analytics"] = project.read_stack("prod-us").values["securecart:analytics"]
    with pytest.raises(ConfigError) as info:
        parse_settings(eu)
    assert "securecart:analytics: the analytics VPC belongs to the primary stack (the analytics network and its " \
           "Direct Connect gateway are there): remove it here" in info.value.problems


def test_the_plans_flows_match_the_stack_file(project: Project) -> None:
    """The flows are stated once (components.settings.plans) and read by both VPCs' ACLs: the task group writes,
    the database groups are read, Direct Connect writes."""
    s = parse_settings(project.read_stack("prod-us").values)
    app, lake = s.application_plan, s.analytics_plan
    assert lake is not None
    assert [(f.cidr, f.ports, f.inbound) for f in app.flows["app"]] == [(LAKE, PORTS, False)]
    assert [(f.cidr, f.ports, f.inbound) for f in app.flows["data"]] == [(LAKE, (5432,), True)]
    assert sorted((f.cidr, f.ports, f.inbound) for f in lake.flows["lake"]) == sorted(
        [(TASKS, PORTS, True), (DATA, (5432,), False), (DX, PORTS, True)])
    assert ipaddress.IPv4Network(LAKE).subnet_of(ipaddress.IPv4Network("10.30.0.0/20"))
