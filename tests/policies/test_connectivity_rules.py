"""Transit Gateway, VPC peering, VPN and Direct Connect rules."""

from typing import Any

import pytest
from securecart_rules import connectivity as c
from securecart_rules.types import (
    DIRECTCONNECT_GATEWAY_ASSOCIATION,
    EC2_PEERING_CONNECTION_OPTIONS,
    EC2_ROUTE,
    EC2_ROUTE_TABLE,
    EC2_SUBNET,
    EC2_VPC,
    EC2_VPC_PEERING_CONNECTION,
    EC2_VPC_PEERING_CONNECTION_ACCEPTER,
    EC2_VPN_CONNECTION,
    TGW_PEERING_ATTACHMENT,
    TGW_PEERING_ATTACHMENT_ACCEPTER,
    TGW_ROUTE,
    TGW_ROUTE_TABLE,
    TGW_ROUTE_TABLE_ASSOCIATION,
    TGW_ROUTE_TABLE_PROPAGATION,
    TGW_TRANSIT_GATEWAY,
    TGW_VPC_ATTACHMENT,
)

from tests.policies.harness import Case, cases, check, res, violations

TGW_OK = {"autoAcceptSharedAttachments": "disable", "defaultRouteTableAssociation": "disable",
          "defaultRouteTablePropagation": "disable"}
VPC_A = res(EC2_VPC, "vpc-a", {"cidrBlock": "10.10.0.0/16"})
VPC_B = res(EC2_VPC, "vpc-b", {"cidrBlock": "10.20.0.0/16"})
PEERING = res(TGW_PEERING_ATTACHMENT, "us-eu", {"peerRegion": "eu-west-1"})
TABLE = res(EC2_ROUTE_TABLE, "rt", vpcId=VPC_A)


def tunnel(n: int, **overrides: Any) -> dict[str, Any]:
    props: dict[str, Any] = {
        f"tunnel{n}IkeVersions": ["ikev2"],
        f"tunnel{n}LogOptions": {"cloudwatchLogOptions": {"logEnabled": True, "logGroupArn": "arn:aws:logs:x"}},
    }
    for phase in (1, 2):
        props[f"tunnel{n}Phase{phase}EncryptionAlgorithms"] = ["AES256-GCM-16"]
        props[f"tunnel{n}Phase{phase}IntegrityAlgorithms"] = ["SHA2-256"]
        props[f"tunnel{n}Phase{phase}DhGroupNumbers"] = [20]
    props.update(overrides)
    return props


def subnet(name: str, tier: str, zone: str = "a") -> Any:
    return res(EC2_SUBNET, name, {"tags": {"Tier": tier}, "availabilityZone": f"us-east-1{zone}"}, vpcId=VPC_A)


ATTACH_SUBNETS = [subnet(f"tgw-{z}", "attachment", z) for z in "abc"]
APP_SUBNET = subnet("app-a", "private")
NO_DEFAULTS = {"transitGatewayDefaultRouteTableAssociation": False, "transitGatewayDefaultRouteTablePropagation": False}


def attachment(name: str = "att", subnets: Any = None, **props: Any) -> Any:
    return res(TGW_VPC_ATTACHMENT, name, {**NO_DEFAULTS, **props}, subnetIds=subnets or ATTACH_SUBNETS,
               vpcId=VPC_A)


def association(name: str, target: Any) -> Any:
    return res(TGW_ROUTE_TABLE_ASSOCIATION, name, {"transitGatewayRouteTableId": "tgw-rtb-1"},
               transitGatewayAttachmentId=target)


ATT = attachment()
VPN_TGW = res(EC2_VPN_CONNECTION, "vpn", {"transitGatewayId": "tgw-1"})
DX = res(DIRECTCONNECT_GATEWAY_ASSOCIATION, "dx", {})
PEER = res(TGW_PEERING_ATTACHMENT, "peer", {})
OURS = res(EC2_VPC_PEERING_CONNECTION, "ours", {"autoAccept": True})
CROSS = res(EC2_VPC_PEERING_CONNECTION, "cross-region", {"peerRegion": "eu-west-1"})

VPN_OK = {**tunnel(1), **tunnel(2)}


# --- Transit Gateway segments: the application VPC, the analytics VPC, Direct Connect, a VPN and the peer region ---

def tgw_table(segment: str) -> Any:
    return res(TGW_ROUTE_TABLE, f"tgw-rt-{segment}", {"tags": {"Segment": segment}})


def vpc_attachment(name: str, vpc: Any) -> Any:
    return res(TGW_VPC_ATTACHMENT, name, NO_DEFAULTS, vpcId=vpc)


def associate(attachment: Any, table: Any) -> Any:
    return res(TGW_ROUTE_TABLE_ASSOCIATION, f"assoc-{attachment.name}", transitGatewayAttachmentId=attachment,
               transitGatewayRouteTableId=table)


def propagate(attachment: Any, table: Any) -> Any:
    return res(TGW_ROUTE_TABLE_PROPAGATION, f"prop-{attachment.name}-to-{table.name}",
               transitGatewayAttachmentId=attachment, transitGatewayRouteTableId=table)


def static(name: str, table: Any, cidr: str, attachment: Any = None, blackhole: bool = False) -> Any:
    joins = {"transitGatewayAttachmentId": attachment} if attachment is not None else {}
    return res(TGW_ROUTE, name, {"destinationCidrBlock": cidr, **({"blackhole": True} if blackhole else {})},
               transitGatewayRouteTableId=table, **joins)


APP_VPC = res(EC2_VPC, "app-vpc", {"cidrBlock": "10.0.0.0/16", "tags": {"Purpose": "application"}})
ANALYTICS_VPC = res(EC2_VPC, "analytics-vpc", {"cidrBlock": "10.50.0.0/16", "tags": {"Purpose": "ANALYTICS"}})
RT_VPC, RT_ANALYTICS, RT_DX = tgw_table("vpc"), tgw_table("analytics"), tgw_table("direct-connect")
APP_ATT, ANALYTICS_ATT = vpc_attachment("app-att", APP_VPC), vpc_attachment("analytics-att", ANALYTICS_VPC)
DX_ATT = res(DIRECTCONNECT_GATEWAY_ASSOCIATION, "dx-assoc", {"allowedPrefixes": ["10.0.0.0/16", "10.50.0.0/16"]})
ON_PREM, SITES, PEER_REGION = "192.168.0.0/16", "172.20.0.0/16", "10.1.0.0/16"
SEGMENTS = [APP_VPC, ANALYTICS_VPC, RT_VPC, RT_ANALYTICS, RT_DX, APP_ATT, ANALYTICS_ATT, DX_ATT, VPN_TGW, PEER,
            res(EC2_VPC_PEERING_CONNECTION, "app-analytics", {"autoAccept": True}, vpcId=APP_VPC,
                peerVpcId=ANALYTICS_VPC),
            associate(APP_ATT, RT_VPC), associate(ANALYTICS_ATT, RT_ANALYTICS), associate(DX_ATT, RT_DX),
            propagate(APP_ATT, RT_DX), propagate(ANALYTICS_ATT, RT_DX),
            static("analytics-to-on-premises", RT_ANALYTICS, ON_PREM, DX_ATT),
            static("analytics-drops-app", RT_ANALYTICS, "10.0.0.0/16", blackhole=True),
            # a blackhole drops traffic, whatever attachment it names
            static("analytics-drops-sites", RT_ANALYTICS, "172.21.0.0/16", VPN_TGW, blackhole=True),
            static("app-drops-analytics", RT_VPC, "10.50.0.0/16", ANALYTICS_ATT, blackhole=True),
            static("app-to-on-premises", RT_VPC, ON_PREM, DX_ATT),
            static("app-to-sites", RT_VPC, SITES, VPN_TGW),
            static("app-to-peer-region", RT_VPC, PEER_REGION, PEER)]
# The analytics VPC made a transit, each way in turn.
TRANSIT = [*SEGMENTS,
           static("analytics-to-app", RT_ANALYTICS, "10.0.0.0/16", APP_ATT),
           static("analytics-to-sites", RT_ANALYTICS, SITES, VPN_TGW),
           static("analytics-to-peer-region", RT_ANALYTICS, PEER_REGION, PEER),
           propagate(DX_ATT, RT_ANALYTICS),
           static("app-to-analytics", RT_VPC, "10.50.0.0/16", ANALYTICS_ATT),
           propagate(ANALYTICS_ATT, RT_VPC)]
# Two VPCs of this stack peered and joined through the Transit Gateway too: by propagation (a-b), by a static
# route in the other VPC's table (a-c).
VPC_C = res(EC2_VPC, "vpc-c", {"cidrBlock": "10.30.0.0/16"})
ATT_A, ATT_B, ATT_C = vpc_attachment("att-a", VPC_A), vpc_attachment("att-b", VPC_B), vpc_attachment("att-c", VPC_C)
RT_A, RT_B, RT_C = tgw_table("a"), tgw_table("b"), tgw_table("c")
PEERED_ONLY = [VPC_A, VPC_B, VPC_C, ATT_A, ATT_B, ATT_C, RT_A, RT_B, RT_C, RT_DX, DX_ATT,
               res(EC2_VPC_PEERING_CONNECTION, "a-b", vpcId=VPC_A, peerVpcId=VPC_B),
               res(EC2_VPC_PEERING_CONNECTION, "a-c", vpcId=VPC_A, peerVpcId=VPC_C),
               associate(ATT_A, RT_A), associate(ATT_B, RT_B), associate(ATT_C, RT_C),
               *[propagate(a, RT_DX) for a in (ATT_A, ATT_B, ATT_C)],
               *[static(f"{t.name}-to-on-premises", t, ON_PREM, DX_ATT) for t in (RT_A, RT_B, RT_C)],
               static("c-drops-a", RT_C, "10.10.0.0/16", ATT_A, blackhole=True)]
TWO_PATHS = [*PEERED_ONLY, propagate(ATT_B, RT_A), static("c-to-a", RT_C, "10.10.0.0/16", ATT_A)]

CASES = cases(
    Case(c.tgw_no_auto_accept,
         good=[res(TGW_TRANSIT_GATEWAY, "tgw", TGW_OK), res(TGW_TRANSIT_GATEWAY, "default", {})],
         bad=[res(TGW_TRANSIT_GATEWAY, "tgw", {"autoAcceptSharedAttachments": "enable"})], flagged={"tgw"}),
    Case(c.tgw_segmented,
         good=[res(TGW_TRANSIT_GATEWAY, "tgw", TGW_OK)],
         bad=[res(TGW_TRANSIT_GATEWAY, "tgw", {}),
              res(TGW_TRANSIT_GATEWAY, "half", {**TGW_OK, "defaultRouteTablePropagation": "enable"})],
         flagged={"tgw", "half"}, says="default_route_table_propagation='disable'"),
    Case(c.tgw_peering_accepted_in_code,
         good=[PEERING, res(TGW_PEERING_ATTACHMENT_ACCEPTER, "accept", transitGatewayAttachmentId=PEERING),
               res(TGW_PEERING_ATTACHMENT, "tagged", {"tags": {c.ACCEPTER_STACK_TAG: "prod-eu"}})],
         bad=[PEERING], flagged={"us-eu"}),
    Case(c.inter_vpc_through_transit_gateway, label="two-paths",
         good=[*PEERED_ONLY, res(EC2_VPC_PEERING_CONNECTION, "partner", {"peerVpcId": "vpc-0partner"}, vpcId=VPC_B)],
         bad=TWO_PATHS, flagged={"a-b", "a-c"}, says="two paths between them make routing asymmetric"),
    Case(c.inter_vpc_through_transit_gateway, label="app-analytics-peering",
         good=SEGMENTS, bad=[*SEGMENTS, propagate(APP_ATT, RT_ANALYTICS)], flagged={"app-analytics"}),
    Case(c.analytics_vpc_not_transit,
         good=SEGMENTS, bad=TRANSIT,
         flagged={"analytics-to-app", "analytics-to-sites", "analytics-to-peer-region",
                  "prop-dx-assoc-to-tgw-rt-analytics", "app-to-analytics", "prop-analytics-att-to-tgw-rt-vpc"},
         says="the analytics VPC must not become a transit between the application VPC and on-premises"),
    Case(c.inter_vpc_through_transit_gateway, label="mesh",
         good=[VPC_A, *[res(EC2_VPC_PEERING_CONNECTION, f"p{i}", {"peerVpcId": f"vpc-{i}"}, vpcId=VPC_A)
                        for i in range(2)]],
         bad=[VPC_A, *[res(EC2_VPC_PEERING_CONNECTION, f"p{i}", {"peerVpcId": f"vpc-{i}"}, vpcId=VPC_A)
                       for i in range(3)]],
         flagged={"vpc-a"}, says="3 peering connections"),
    Case(c.vpc_peering_no_overlap,
         good=[VPC_A, TABLE, res(EC2_ROUTE, "to-partner", {"destinationCidrBlock": "172.16.0.0/16",
                                                         "vpcPeeringConnectionId": "pcx-1"}, routeTableId=TABLE)],
         bad=[VPC_A, TABLE, res(EC2_ROUTE, "to-partner", {"destinationCidrBlock": "10.10.128.0/17",
                                                        "vpcPeeringConnectionId": "pcx-1"}, routeTableId=TABLE)],
         flagged={"to-partner"}, says="overlaps this VPC's 10.10.0.0/16"),
    Case(c.vpn_tunnel_logging,
         good=[res(EC2_VPN_CONNECTION, "dev", VPN_OK)],
         bad=[res(EC2_VPN_CONNECTION, "dev", {**VPN_OK, "tunnel2LogOptions": None})], flagged={"dev"}, says="Tunnel 2"),
    Case(c.vpn_strong_crypto,
         good=[res(EC2_VPN_CONNECTION, "dev", VPN_OK)],
         bad=[res(EC2_VPN_CONNECTION, "ike1", {**VPN_OK, "tunnel1IkeVersions": ["ikev1", "ikev2"]}),
              res(EC2_VPN_CONNECTION, "weak", {**VPN_OK, "tunnel2Phase1DhGroupNumbers": [2, 20]}),
              res(EC2_VPN_CONNECTION, "defaults", {})],
         flagged={"ike1", "weak", "defaults"}),
    Case(c.dx_allowed_prefixes_restricted,
         good=[res(DIRECTCONNECT_GATEWAY_ASSOCIATION, "us", {"allowedPrefixes": ["10.10.0.0/16", "10.20.0.0/16"]})],
         bad=[res(DIRECTCONNECT_GATEWAY_ASSOCIATION, "open", {"allowedPrefixes": ["0.0.0.0/0"]}),
              res(DIRECTCONNECT_GATEWAY_ASSOCIATION, "none", {}),
              res(DIRECTCONNECT_GATEWAY_ASSOCIATION, "wide", {"allowedPrefixes": ["10.0.0.0/8"]})],
         flagged={"open", "none", "wide"}),
    Case(c.tgw_attachment_in_dedicated_subnets,
         good=[*ATTACH_SUBNETS, ATT],
         bad=[*ATTACH_SUBNETS, APP_SUBNET, attachment(subnets=[ATTACH_SUBNETS[0], APP_SUBNET])],
         flagged={"att"}, says="private subnets"),
    Case(c.tgw_attachment_in_dedicated_subnets, label="every-az",
         good=[VPC_A, *ATTACH_SUBNETS, ATT],
         bad=[VPC_A, *ATTACH_SUBNETS, attachment(subnets=ATTACH_SUBNETS[:2])],
         flagged={"att"}, says="no subnet in us-east-1c"),
    Case(c.tgw_attachments_associated,
         good=[ATT, association("a1", ATT), VPN_TGW, association("a2", VPN_TGW), DX, association("a3", DX), PEER,
               res(TGW_PEERING_ATTACHMENT_ACCEPTER, "acc", {},
                   transitGatewayAttachmentId=PEER), association("a4", PEER),
               res(EC2_VPN_CONNECTION, "vgw-vpn", {"vpnGatewayId": "vgw-1"}), res(TGW_VPC_ATTACHMENT, "default-assoc",
                                                                                  {})],
         bad=[attachment("lonely"), VPN_TGW, DX, PEER,
              res(TGW_PEERING_ATTACHMENT_ACCEPTER, "acc", {}, transitGatewayAttachmentId=PEER),
              segmented := res(TGW_TRANSIT_GATEWAY, "segmented", {"defaultRouteTableAssociation": "disable"}),
              res(TGW_VPC_ATTACHMENT, "flag-left-out", {}, transitGatewayId=segmented)],
         flagged={"lonely", "vpn", "dx", "peer", "flag-left-out"}, says="routes nothing"),
    Case(c.vpn_on_transit_gateway_with_bgp,
         good=[res(EC2_VPN_CONNECTION, "vpn", {"transitGatewayId": "tgw-1", "staticRoutesOnly": False})],
         bad=[res(EC2_VPN_CONNECTION, "vgw", {"vpnGatewayId": "vgw-1"}),
              res(EC2_VPN_CONNECTION, "static", {"transitGatewayId": "tgw-1", "staticRoutesOnly": True})],
         flagged={"vgw", "static"}),
    Case(c.vpc_peering_dns_resolution,
         good=[OURS, res(EC2_PEERING_CONNECTION_OPTIONS, "ours-options",
                         {"requester": {"allowRemoteVpcDnsResolution": True},
                                                             "accepter": {"allowRemoteVpcDnsResolution": True}},
                         vpcPeeringConnectionId=OURS),
               res(EC2_VPC_PEERING_CONNECTION, "partner", {"peerOwnerId": "210987654321"})],
         bad=[OURS, CROSS, res(EC2_VPC_PEERING_CONNECTION_ACCEPTER, "cross-region-accepter", {},
                               vpcPeeringConnectionId=CROSS),
              res(EC2_PEERING_CONNECTION_OPTIONS, "requester-only",
                  {"requester": {"allowRemoteVpcDnsResolution": True}},
                  vpcPeeringConnectionId=CROSS),
              res(EC2_VPC_PEERING_CONNECTION, "partner", {"peerOwnerId": "210987654321"})],
         flagged={"ours", "cross-region"}, says="accepter side"),
)


@pytest.mark.parametrize("case", CASES)
def test_rule(case: Case) -> None:
    check(case)


UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # the engine's unknown-value sentinel in a first preview
TGW_JOINS = ("transitGatewayAttachmentId", "transitGatewayRouteTableId", "vpcId", "peerVpcId")


def _first_preview(stack: list[Any]) -> list[Any]:
    """The stack as a first preview sees it: every attachment, table and VPC ID is still unknown (a Direct Connect
    attachment's ID is an output of its gateway association); the joins are property dependencies."""
    by_urn = {r.urn: r for r in stack}
    return [res(r.type, r.name, {**r.inputs, **{k: UNKNOWN for k in r.inputs if k in TGW_JOINS}},
                **{k: [by_urn[u] for u in urns] for k, urns in r.property_dependencies.items()})
            for r in stack]


def test_segment_rules_work_on_a_first_preview_with_unknown_ids() -> None:
    assert violations(c.analytics_vpc_not_transit, _first_preview(SEGMENTS)) == []
    assert violations(c.inter_vpc_through_transit_gateway, _first_preview(SEGMENTS)) == []
    assert {v.resource_name for v in violations(c.analytics_vpc_not_transit, _first_preview(TRANSIT))} == {
        "analytics-to-app", "analytics-to-sites", "analytics-to-peer-region", "prop-dx-assoc-to-tgw-rt-analytics",
        "app-to-analytics", "prop-analytics-att-to-tgw-rt-vpc"}
    assert sorted(v.resource_name for v in violations(c.inter_vpc_through_transit_gateway,
                                                      _first_preview(TWO_PATHS))) == ["a-b", "a-c"]
