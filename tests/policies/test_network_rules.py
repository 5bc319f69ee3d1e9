"""VPC rules: compliant and non-compliant stacks for each."""

import json
from typing import Any

import pytest
from pulumi_policy import Severity
from securecart_rules import network as n
from securecart_rules.registry import MANDATORY, Registry
from securecart_rules.types import (
    EC2_DEFAULT_ROUTE_TABLE,
    EC2_DEFAULT_SECURITY_GROUP,
    EC2_EGRESS_ONLY_INTERNET_GATEWAY,
    EC2_FLOW_LOG,
    EC2_INTERNET_GATEWAY,
    EC2_INTERNET_GATEWAY_ATTACHMENT,
    EC2_NAT_GATEWAY,
    EC2_NETWORK_ACL,
    EC2_NETWORK_ACL_ASSOCIATION,
    EC2_NETWORK_ACL_RULE,
    EC2_ROUTE,
    EC2_ROUTE_TABLE,
    EC2_ROUTE_TABLE_ASSOCIATION,
    EC2_SUBNET,
    EC2_VPC,
    EC2_VPC_ENDPOINT,
    EC2_VPC_ENDPOINT_POLICY,
    EC2_VPC_ENDPOINT_SERVICE,
    EC2_VPC_ENDPOINT_SERVICE_ALLOWED_PRINCIPLE,
    EC2_VPC_PEERING_CONNECTION,
    RDS_SUBNET_GROUP,
    TGW_TRANSIT_GATEWAY,
)

from tests.policies.harness import Case, cases, check, res, violations

VPC = res(EC2_VPC, "vpc", {"cidrBlock": "10.0.0.0/16"})
IGW = res(EC2_INTERNET_GATEWAY, "igw", vpcId=VPC)


def _tier(name: str, zone: str, tier: str, tag: bool = True) -> list[Any]:
    """A subnet with its own route table and association, routed as its tier wants."""
    tags = {"Tier": tier} if tag else {}
    subnet = res(EC2_SUBNET, name, {"availabilityZone": zone, "tags": tags, "mapPublicIpOnLaunch": False}, vpcId=VPC)
    table = res(EC2_ROUTE_TABLE, f"{name}-rt", vpcId=VPC)
    assoc = res(EC2_ROUTE_TABLE_ASSOCIATION, f"{name}-rta", subnetId=subnet, routeTableId=table)
    return [subnet, table, assoc]


def _route(name: str, table: Any, **target: Any) -> Any:
    return res(EC2_ROUTE, name, {"destinationCidrBlock": "0.0.0.0/0"}, routeTableId=table, **target)


def _network(zones: tuple[str, ...] = ("a", "b"), nat_zone_of: dict[str, str] | None = None,
             db_route: str | None = None, tag: bool = True) -> list[Any]:
    """VPC, IGW and per-AZ public/private/isolated subnets, NAT per AZ (or as nat_zone_of says), DB subnet group."""
    out: list[Any] = [VPC, IGW]
    nats: dict[str, Any] = {}
    public: dict[str, Any] = {}
    for z in zones:
        s, t, a = _tier(f"pub-{z}", f"us-east-1{z}", "public", tag)
        out += [s, t, a, _route(f"pub-{z}-default", t, gatewayId=IGW)]
        public[z] = s
        nats[z] = res(EC2_NAT_GATEWAY, f"nat-{z}", subnetId=s)
        out.append(nats[z])
    isolated = []
    for z in zones:
        s, t, a = _tier(f"app-{z}", f"us-east-1{z}", "private", tag)
        nat = nats[(nat_zone_of or {}).get(z, z)]
        out += [s, t, a, _route(f"app-{z}-default", t, natGatewayId=nat)]
        s, t, a = _tier(f"db-{z}", f"us-east-1{z}", "isolated", tag)
        out += [s, t, a]
        if db_route == "igw":
            out.append(_route(f"db-{z}-bad", t, gatewayId=IGW))
        elif db_route == "nat":
            out.append(_route(f"db-{z}-bad", t, natGatewayId=nats[z]))
        isolated.append(s)
    out.append(res(RDS_SUBNET_GROUP, "db-subnets", subnetIds=isolated))
    return out


def _tables(stack: list[Any], tier: str) -> list[Any]:
    return [r for r in stack if r.type == EC2_ROUTE_TABLE and r.name.startswith(tier)]


def _gateway_endpoints(stack: list[Any], skip: str = "") -> list[Any]:
    tables = _tables(stack, "app") + _tables(stack, "db")
    return [res(EC2_VPC_ENDPOINT, f"{svc}-ep", {"serviceName": f"com.amazonaws.us-east-1.{svc}",
                                          "vpcEndpointType": "Gateway"},
                routeTableIds=[t for t in tables if not (svc == "s3" and t.name == skip)])
            for svc in ("s3", "dynamodb")]


UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # the engine's unknown-value sentinel in a first preview
GOOD = _network()
ACCOUNT_ONLY = json.dumps({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject"],
                                          "Resource": "*",
                                          "Condition": {"StringEquals": {"aws:PrincipalAccount": "123456789012"}}}]})
ANYONE_ANYTHING = json.dumps({"Statement": {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "*",
                                            "Resource": "*"}})
ANYONE_ANY_RESOURCE = json.dumps({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                                                 "Resource": "*"}]})
SERVICE = res(EC2_VPC_ENDPOINT_SERVICE, "payment-svc", {"acceptanceRequired": True,
                                                  "allowedPrincipals": ["arn:aws:iam::111122223333:root"]})

SUBNET_A = res(EC2_SUBNET, "a", {"cidrBlock": "10.0.0.0/24"})

# --- the application VPC peered with the analytics VPC ----------------------------------------------------------

APP_VPC = res(EC2_VPC, "app-vpc", {"cidrBlock": "10.0.0.0/16", "tags": {"Purpose": "application"}})
ANALYTICS_VPC = res(EC2_VPC, "analytics-vpc", {"cidrBlock": "10.50.0.0/16", "tags": {"Purpose": "Analytics"}})
APP_IGW = res(EC2_INTERNET_GATEWAY, "app-igw", vpcId=APP_VPC)
PCX = res(EC2_VPC_PEERING_CONNECTION, "app-analytics", {"autoAccept": True}, vpcId=APP_VPC, peerVpcId=ANALYTICS_VPC)
TO_ANALYTICS, TASKS, DATABASE = "10.50.0.0/20", "10.0.16.0/20", "10.0.32.0/20"


def _subnet(name: str, vpc: Any, tier: str, cidr: str, **props: Any) -> tuple[Any, Any, list[Any]]:
    """A tagged subnet with its own route table: (subnet, table, [subnet, table, association])."""
    subnet = res(EC2_SUBNET, name, {"cidrBlock": cidr, "availabilityZone": "us-east-1a", "tags": {"Tier": tier},
                                    **props}, vpcId=vpc)
    table = res(EC2_ROUTE_TABLE, f"{name}-rt", vpcId=vpc)
    return subnet, table, [subnet, table, res(EC2_ROUTE_TABLE_ASSOCIATION, f"{name}-rta", subnetId=subnet,
                                              routeTableId=table)]


def _to(name: str, table: Any, cidr: str, **target: Any) -> Any:
    return res(EC2_ROUTE, name, {"destinationCidrBlock": cidr}, routeTableId=table, **target)


_, PUB_RT, PUB = _subnet("pub", APP_VPC, "public", "10.0.0.0/20")
_, APP_RT, APP = _subnet("app", APP_VPC, "private", TASKS)
_, DB_RT, DB = _subnet("db", APP_VPC, "isolated", DATABASE)
_, ISO_RT, ISO = _subnet("iso", ANALYTICS_VPC, "isolated", TO_ANALYTICS)
_, ATT_RT, ATT = _subnet("att", ANALYTICS_VPC, "attachment", "10.50.240.0/28")
NAT = res(EC2_NAT_GATEWAY, "app-nat", subnetId=PUB[0])
TGW = res(TGW_TRANSIT_GATEWAY, "tgw")
# A partner's VPC, peered from the application VPC: its other side is not in this stack.
PARTNER = res(EC2_VPC_PEERING_CONNECTION, "partner", {"peerVpcId": "vpc-0partner"}, vpcId=APP_VPC)
PEERED = [APP_VPC, ANALYTICS_VPC, APP_IGW, PCX, NAT, TGW, PARTNER, *PUB, *APP, *DB, *ISO, *ATT,
          _to("pub-default", PUB_RT, "0.0.0.0/0", gatewayId=APP_IGW),
          _to("app-default", APP_RT, "0.0.0.0/0", natGatewayId=NAT),
          _to("app-to-analytics", APP_RT, TO_ANALYTICS, vpcPeeringConnectionId=PCX),
          _to("db-to-analytics", DB_RT, TO_ANALYTICS, vpcPeeringConnectionId=PCX),
          _to("iso-to-tasks", ISO_RT, TASKS, vpcPeeringConnectionId=PCX),
          _to("iso-to-db", ISO_RT, DATABASE, vpcPeeringConnectionId=PCX),
          _to("iso-to-on-premises", ISO_RT, "192.168.0.0/16", transitGatewayId=TGW),
          _to("app-to-partner", APP_RT, "172.16.0.0/16", vpcPeeringConnectionId=PARTNER)]
ANALYTICS_IGW = res(EC2_INTERNET_GATEWAY, "analytics-igw", vpcId=ANALYTICS_VPC)
EIGW = res(EC2_EGRESS_ONLY_INTERNET_GATEWAY, "analytics-eigw", vpcId=ANALYTICS_VPC)
# The analytics VPC given each internet path in turn.
OPENED = [*PEERED, ANALYTICS_IGW, EIGW,
          res(EC2_INTERNET_GATEWAY_ATTACHMENT, "analytics-igw-attachment", internetGatewayId=APP_IGW,
              vpcId=ANALYTICS_VPC),
          res(EC2_NAT_GATEWAY, "analytics-nat", {"connectivityType": "private"}, subnetId=ISO[0]),
          *_subnet("iso-b", ANALYTICS_VPC, "isolated", "10.50.16.0/20", mapPublicIpOnLaunch=True)[2],
          _to("iso-default-to-tgw", ISO_RT, "0.0.0.0/0", transitGatewayId=TGW),
          _to("att-to-nat", ATT_RT, "10.99.0.0/16", natGatewayId=NAT),
          res(EC2_DEFAULT_ROUTE_TABLE, "analytics-main", {"routes": [{"ipv6CidrBlock": "::/0",
                                                                      "egressOnlyGatewayId": "eigw-1"}]},
              defaultRouteTableId=ANALYTICS_VPC, routes=[EIGW])]

CASES = cases(
    Case(n.vpc_flow_logs_all_traffic,
         good=[VPC, res(EC2_FLOW_LOG, "fl", {"trafficType": "ALL"}, vpcId=VPC)],
         bad=[VPC, res(EC2_FLOW_LOG, "fl", {"trafficType": "REJECT"}, vpcId=VPC)], flagged={"vpc"},
         says="no flow log capturing ALL traffic"),
    Case(n.default_security_group_closed,
         good=[res(EC2_DEFAULT_SECURITY_GROUP, "d", {"ingress": [], "egress": []})],
         bad=[res(EC2_DEFAULT_SECURITY_GROUP, "d", {"ingress": [], "egress": [{"protocol": "-1", "fromPort": 0,
                                                                               "toPort": 0,
                                                                "cidrBlocks": ["0.0.0.0/0"]}]})],
         flagged={"d"}, says="0 ingress and 1 egress"),
    Case(n.subnet_no_auto_public_ip,
         good=[res(EC2_SUBNET, "s", {"mapPublicIpOnLaunch": False}), res(EC2_SUBNET, "t", {})],
         bad=[res(EC2_SUBNET, "s", {"mapPublicIpOnLaunch": True})], flagged={"s"}),
    Case(n.subnet_tiers_separated, label="missing-tier",
         good=GOOD, bad=[r for r in GOOD if not r.name.startswith("db-")], flagged={"vpc"}, says="no isolated"),
    Case(n.subnet_tiers_separated, label="isolated-to-igw",
         good=_network(tag=False), bad=_network(db_route="igw"), flagged={"db-a", "db-b"},
         says="routes to the internet gateway"),
    # The analytics VPC: isolated (and attachment) subnets only; the application VPC beside it keeps its three tiers.
    Case(n.subnet_tiers_separated, label="analytics-isolated-only",
         good=PEERED, bad=[*PEERED, *_subnet("iso-app", ANALYTICS_VPC, "private", "10.50.32.0/20")[2]],
         flagged={"iso-app"}, says="isolated (and attachment) subnets only"),
    Case(n.subnet_tiers_separated, label="analytics-without-isolated",
         good=PEERED, bad=[r for r in PEERED if r not in ISO and not r.name.startswith("iso-")],
         flagged={"analytics-vpc"}, says="no isolated subnet tier"),
    Case(n.database_subnets_no_internet_route,
         good=GOOD, bad=_network(db_route="nat"), flagged={"db-subnets"}, says="routes to the internet (nat)"),
    Case(n.subnet_tiers_span_azs,
         good=GOOD, bad=_network(zones=("a",)), flagged={"vpc"}, says="spans 1 AZ(s)"),
    Case(n.subnet_tiers_span_azs, label="configured-three",
         good=_network(zones=("a", "b", "c")), bad=GOOD, flagged={"vpc"}, config={"minAzs": 3}),
    Case(n.nat_gateway_per_az,
         good=GOOD, bad=_network(nat_zone_of={"b": "a"}), flagged={"app-b"}, says="in us-east-1a"),
    Case(n.gateway_endpoints_on_private_route_tables,
         good=[*GOOD, *_gateway_endpoints(GOOD)], bad=[*GOOD, *_gateway_endpoints(GOOD, skip="db-b-rt")],
         flagged={"vpc"}, says="db-b-rt have no s3 gateway endpoint"),
    Case(n.vpc_endpoint_has_policy,
         good=[res(EC2_VPC_ENDPOINT, "e", {"vpcEndpointType": "Interface", "policy": ACCOUNT_ONLY}),
               res(EC2_VPC_ENDPOINT, "gwlbe", {"vpcEndpointType": "GatewayLoadBalancer"}),
               res(EC2_VPC_ENDPOINT, "computed", {"vpcEndpointType": "Gateway", "policy": UNKNOWN}),
               res(EC2_VPC_ENDPOINT, "s", {"vpcEndpointType": "Interface"}),
               res(EC2_VPC_ENDPOINT_POLICY, "s-policy", {"policy": ACCOUNT_ONLY},
                   vpcEndpointId=res(EC2_VPC_ENDPOINT, "s", {"vpcEndpointType": "Interface"})),
               # a payment processor's endpoint service, and this stack's own: AWS takes no policy for them
               res(EC2_VPC_ENDPOINT, "processor", {
                   "vpcEndpointType": "Interface",
                   "serviceName": "com.amazonaws.vpce.us-east-1.vpce-svc-0a1b2c3d4e5f60718"}),
               SERVICE, res(EC2_VPC_ENDPOINT, "own-service", {"vpcEndpointType": "Interface"},
                            serviceName=SERVICE)],
         bad=[res(EC2_VPC_ENDPOINT, "e", {"vpcEndpointType": "Interface"}), res(EC2_VPC_ENDPOINT, "g", {}),
              res(EC2_VPC_ENDPOINT, "kms", {"vpcEndpointType": "Interface",
                                            "serviceName": "com.amazonaws.us-east-1.kms"}),
              # not an endpoint service's name: vpce-svc only after com.amazonaws.vpce.<region>.
              res(EC2_VPC_ENDPOINT, "look-alike", {"vpcEndpointType": "Interface",
                                                   "serviceName": "com.amazonaws.us-east-1.vpce-svc-0a1b2c3d"})],
         flagged={"e", "g", "kms", "look-alike"}, says="full access"),
    Case(n.vpc_endpoint_policy_restrictive, label="standalone-policy",
         good=[res(EC2_VPC_ENDPOINT_POLICY, "e-policy", {"policy": ACCOUNT_ONLY})],
         bad=[res(EC2_VPC_ENDPOINT_POLICY, "e-policy", {"policy": ANYONE_ANYTHING})],
         flagged={"e-policy"}, says="allows every action"),
    Case(n.vpc_endpoint_policy_restrictive, label="wildcards",
         good=[res(EC2_VPC_ENDPOINT, "e", {"policy": ACCOUNT_ONLY})],
         bad=[res(EC2_VPC_ENDPOINT, "e", {"policy": ANYONE_ANYTHING}),
              res(EC2_VPC_ENDPOINT, "f", {"policy": ANYONE_ANY_RESOURCE})], flagged={"e", "f"}),
    Case(n.endpoint_service_restricted,
         good=[SERVICE, res(EC2_VPC_ENDPOINT_SERVICE, "svc2", {"acceptanceRequired": True}),
               res(EC2_VPC_ENDPOINT_SERVICE_ALLOWED_PRINCIPLE, "p", {"principalArn": "arn:aws:iam::111122223333:root"},
                   vpcEndpointServiceId=res(EC2_VPC_ENDPOINT_SERVICE, "svc2")),
               # a partner's role, in another partition
               res(EC2_VPC_ENDPOINT_SERVICE, "svc3", {
                   "acceptanceRequired": True,
                   "allowedPrincipals": ["arn:aws-us-gov:iam::444455556666:role/partners/payments-consumer",
                                         "arn:aws:iam::444455556666:user/payments-gateway"]})],
         bad=[res(EC2_VPC_ENDPOINT_SERVICE, "a", {"acceptanceRequired": False,
                                                  "allowedPrincipals": ["arn:aws:iam::111122223333:root"]}),
              res(EC2_VPC_ENDPOINT_SERVICE, "b", {"acceptanceRequired": True}),
              res(EC2_VPC_ENDPOINT_SERVICE, "c", {"acceptanceRequired": True, "allowedPrincipals": ["*"]}),
              res(EC2_VPC_ENDPOINT_SERVICE, "any-account", {
                  "acceptanceRequired": True, "allowedPrincipals": ["arn:aws:iam::*:root"]}),
              res(EC2_VPC_ENDPOINT_SERVICE, "malformed", {
                  "acceptanceRequired": True, "allowedPrincipals": ["111122223333"]}),
              # a GWLB service is held to the same: the program's inspection service accepts explicitly
              res(EC2_VPC_ENDPOINT_SERVICE, "gwlb", {"acceptanceRequired": False,
                                                     "gatewayLoadBalancerArns": ["arn:aws:elasticloadbalancing:x"],
                                                     "allowedPrincipals": ["arn:aws:iam::111122223333:root"]}),
              res(EC2_VPC_ENDPOINT_SERVICE, "svc2", {"acceptanceRequired": True}),
              res(EC2_VPC_ENDPOINT_SERVICE_ALLOWED_PRINCIPLE, "world", {"principalArn": "*"},
                  vpcEndpointServiceId=res(EC2_VPC_ENDPOINT_SERVICE, "svc2"))],
         flagged={"a", "b", "c", "any-account", "malformed", "gwlb", "svc2", "world"}, says="allows '*'"),
    Case(n.endpoint_service_restricted, label="wildcard-account",
         good=[SERVICE],
         bad=[res(EC2_VPC_ENDPOINT_SERVICE, "any-account", {
             "acceptanceRequired": True, "allowedPrincipals": ["arn:aws:iam::*:root"]})],
         flagged={"any-account"}, says="allows 'arn:aws:iam::*:root': anyone (or any account) could connect"),
    Case(n.subnet_has_own_nacl,
         good=[SUBNET_A, res(EC2_NETWORK_ACL_ASSOCIATION, "a-acl", {}, subnetId=SUBNET_A),
               res(EC2_SUBNET, "b", {"cidrBlock": "10.0.1.0/24"}),
               res(EC2_NETWORK_ACL, "acl", {}, subnetIds=[res(EC2_SUBNET, "b", {"cidrBlock": "10.0.1.0/24"})])],
         bad=[SUBNET_A, res(EC2_NETWORK_ACL_ASSOCIATION, "a-acl", {}, subnetId=SUBNET_A),
              res(EC2_SUBNET, "on-default", {"cidrBlock": "10.0.2.0/24"})],
         flagged={"on-default"}, says="default ACL"),
    Case(n.nacl_no_world_admin_ports,
         good=[res(EC2_NETWORK_ACL_RULE, "r", {"egress": False, "ruleAction": "allow", "protocol": "tcp",
                                               "fromPort": 443,
                                      "toPort": 443, "cidrBlock": "0.0.0.0/0"}),
               # ICMP has no ports: "fragmentation needed" from anywhere opens no administration port
               res(EC2_NETWORK_ACL_RULE, "mtu", {"egress": False, "ruleAction": "allow", "protocol": "icmp",
                                        "icmpType": 3, "icmpCode": 4, "fromPort": 0, "toPort": 0,
                                        "cidrBlock": "0.0.0.0/0"}),
               res(EC2_NETWORK_ACL_RULE, "deny", {"egress": False, "ruleAction": "deny", "protocol": "-1",
                                         "cidrBlock": "0.0.0.0/0"})],
         bad=[res(EC2_NETWORK_ACL_RULE, "r", {"egress": False, "ruleAction": "allow", "protocol": "tcp", "fromPort": 0,
                                     "toPort": 1024, "cidrBlock": "0.0.0.0/0"}),
              res(EC2_NETWORK_ACL, "acl", {"ingress": [{"action": "allow", "protocol": "-1", "cidrBlock": "0.0.0.0/0",
                                               "fromPort": 0, "toPort": 0}]})],
         flagged={"r", "acl"}, says="port(s) 22"),
    Case(n.vpc_peering_private_tiers_only, label="public-subnets",
         good=PEERED, bad=[*PEERED, _to("pub-to-analytics", PUB_RT, TO_ANALYTICS, vpcPeeringConnectionId=PCX)],
         flagged={"pub-to-analytics"}, says="The peering routes public subnets: public subnet(s) pub"),
    Case(n.vpc_peering_private_tiers_only, label="edge-to-edge",
         good=PEERED,
         bad=[*PEERED, _to("app-to-on-premises", APP_RT, "192.168.0.0/16", vpcPeeringConnectionId=PCX),
              _to("iso-default-over-peering", ISO_RT, "0.0.0.0/0", vpcPeeringConnectionId=PCX),
              _to("iso-to-all-of-app", ISO_RT, "10.0.0.0/8", vpcPeeringConnectionId=PCX)],
         flagged={"app-to-on-premises", "iso-default-over-peering", "iso-to-all-of-app"},
         says="outside the peer VPC's 10.50.0.0/16"),
    Case(n.analytics_vpc_no_internet_path,
         good=PEERED, bad=OPENED,
         flagged={"analytics-igw", "analytics-eigw", "analytics-igw-attachment", "analytics-nat", "iso-b",
                  "iso-default-to-tgw", "att-to-nat", "analytics-main"},
         says="the analytics VPC must have no internet path"),
)


@pytest.mark.parametrize("c", CASES)
def test_rule(c: Case) -> None:
    check(c)


def test_untagged_subnets_are_classified_by_their_routes() -> None:
    """Without Tier tags the rule derives each subnet's tier from its routes, joined through dependencies."""
    assert violations(n.subnet_tiers_separated, _network(tag=False)) == []
    found = violations(n.subnet_tiers_separated, _network(tag=False, db_route="nat"))
    assert [(v.resource_name, v.message.split(":")[0]) for v in found] == [
        ("vpc", "The VPC has no isolated subnet tier")
    ]
    views = {v.subnet.name: v.tier for v in n.subnet_views(_policy_resources(_network(tag=False)))}
    assert views == {f"{t}-{z}": tier for t, tier in (("pub", "public"), ("app", "private"), ("db", "isolated"))
                     for z in "ab"}


def _policy_resources(regs: list[Any]) -> list[Any]:
    captured: list[Any] = []
    rule = Registry().stack_rule(name="capture", description="capture", source="test", level=MANDATORY,
                                 severity=Severity.LOW)(lambda args, report, settings: captured.extend(args.resources))
    violations(rule, regs)
    return captured




def _first_preview(stack: list[Any]) -> list[Any]:
    """The same stack as a first preview sees it: every route's target ID is still unknown."""
    out = []
    for r in stack:
        if r.type != EC2_ROUTE:
            out.append(r)
            continue
        out.append(res(r.type, r.name, {**r.inputs, **{k: UNKNOWN for k in r.inputs if k in n.ROUTE_TARGETS}},
                       **{k: [x for x in stack if x.urn in urns] for k, urns in r.property_dependencies.items()}))
    return out


def test_routing_rules_work_on_a_first_preview_with_unknown_ids() -> None:
    bad = _first_preview(_network(db_route="igw"))
    assert {v.resource_name for v in violations(n.subnet_tiers_separated, bad)} == {"db-a", "db-b"}
    assert [v.resource_name for v in violations(n.database_subnets_no_internet_route, bad)] == ["db-subnets"] * 2
    good = _first_preview(GOOD)
    for rule in (n.subnet_tiers_separated, n.database_subnets_no_internet_route, n.nat_gateway_per_az,
                 n.subnet_tiers_span_azs):
        assert violations(rule, good) == [], rule.name


def test_subnets_without_an_association_use_the_main_route_table() -> None:
    subnet = res(EC2_SUBNET, "db-x", {"availabilityZone": "us-east-1a", "tags": {"Tier": "isolated"}}, vpcId=VPC)
    main = res(EC2_DEFAULT_ROUTE_TABLE, "main", {"routes": [{"cidrBlock": "0.0.0.0/0", "gatewayId": "igw-1"}]},
               defaultRouteTableId=VPC)
    group = res(RDS_SUBNET_GROUP, "db-subnets", subnetIds=[subnet])
    found = violations(n.database_subnets_no_internet_route, [VPC, subnet, main, group])
    assert [v.resource_name for v in found] == ["db-subnets"]
    assert violations(n.database_subnets_no_internet_route,
                      [VPC, subnet, res(EC2_DEFAULT_ROUTE_TABLE, "main", {"routes": []}, defaultRouteTableId=VPC),
                       group]) == []


def test_one_unknown_endpoint_policy_hides_nothing_else() -> None:
    endpoints = [res(EC2_VPC_ENDPOINT, "computed", {"vpcEndpointType": "Interface", "policy": UNKNOWN}),
                 res(EC2_VPC_ENDPOINT, "open", {"vpcEndpointType": "Interface", "policy": ANYONE_ANYTHING})]
    found = violations(n.vpc_endpoint_policy_restrictive, endpoints)
    assert sorted((v.resource_name, v.level) for v in found) == [("computed", "advisory"), ("open", "mandatory")]


def test_inline_routes_with_unknown_targets_join_on_the_tables_dependencies() -> None:
    subnet = res(EC2_SUBNET, "db-x", {"availabilityZone": "us-east-1a", "tags": {"Tier": "isolated"}}, vpcId=VPC)
    table = res(EC2_ROUTE_TABLE, "rt", {"routes": [{"cidrBlock": "0.0.0.0/0", "gatewayId": UNKNOWN}]},
                vpcId=VPC, routes=[IGW])
    assoc = res(EC2_ROUTE_TABLE_ASSOCIATION, "rta", subnetId=subnet, routeTableId=table)
    group = res(RDS_SUBNET_GROUP, "db-subnets", subnetIds=[subnet])
    stack = [VPC, IGW, subnet, table, assoc, group]
    assert [(v.resource_name, v.level) for v in violations(n.database_subnets_no_internet_route, stack)] == [
        ("db-subnets", "mandatory")]
    local = res(EC2_ROUTE_TABLE, "rt", {"routes": [{"cidrBlock": "10.10.0.0/16", "gatewayId": "local"}]}, vpcId=VPC)
    assert violations(n.database_subnets_no_internet_route, [VPC, IGW, subnet, local, assoc, group]) == []


def test_peering_and_analytics_rules_work_on_a_first_preview_with_unknown_ids() -> None:
    """Route targets joined through dependencies while their IDs are unknown; an unknown peer CIDR is 'cannot tell
    yet', never a violation."""
    assert violations(n.vpc_peering_private_tiers_only, _first_preview(PEERED)) == []
    assert violations(n.analytics_vpc_no_internet_path, _first_preview(PEERED)) == []
    bad = _first_preview([*PEERED, _to("pub-to-analytics", PUB_RT, TO_ANALYTICS, vpcPeeringConnectionId=PCX),
                          _to("app-to-on-premises", APP_RT, "192.168.0.0/16", vpcPeeringConnectionId=PCX)])
    assert sorted(v.resource_name for v in violations(n.vpc_peering_private_tiers_only, bad)) == [
        "app-to-on-premises", "pub-to-analytics"]
    computed = res(EC2_VPC, "analytics-vpc", {"cidrBlock": UNKNOWN, "tags": {"Purpose": "analytics"}})
    unknown_cidr = [computed if r.name == "analytics-vpc" else r for r in bad]
    assert [v.resource_name for v in violations(n.vpc_peering_private_tiers_only, unknown_cidr)] == [
        "pub-to-analytics"]
    assert {v.resource_name for v in violations(n.analytics_vpc_no_internet_path, _first_preview(OPENED))} == {
        "analytics-igw", "analytics-eigw", "analytics-igw-attachment", "analytics-nat", "iso-b",
        "iso-default-to-tgw", "att-to-nat", "analytics-main"}
