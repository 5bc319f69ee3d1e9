"""Transit Gateway, VPC peering, VPN and Direct Connect rules."""

from typing import Any

import pytest
from securecart_rules import connectivity as c

from tests.policies.harness import Case, cases, check, res

TGW_OK = {"autoAcceptSharedAttachments": "disable", "defaultRouteTableAssociation": "disable",
          "defaultRouteTablePropagation": "disable"}
VPC_A = res(c.VPC, "vpc-a", {"cidrBlock": "10.10.0.0/16"})
VPC_B = res(c.VPC, "vpc-b", {"cidrBlock": "10.20.0.0/16"})
PEERING = res(c.TGW_PEERING, "us-eu", {"peerRegion": "eu-west-1"})
TABLE = res(c.ROUTE_TABLE, "rt", vpcId=VPC_A)


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


VPN_OK = {**tunnel(1), **tunnel(2)}

CASES = cases(
    Case(c.tgw_no_auto_accept,
         good=[res(c.TGW, "tgw", TGW_OK), res(c.TGW, "default", {})],
         bad=[res(c.TGW, "tgw", {"autoAcceptSharedAttachments": "enable"})], flagged={"tgw"}),
    Case(c.tgw_segmented,
         good=[res(c.TGW, "tgw", TGW_OK)],
         bad=[res(c.TGW, "tgw", {}), res(c.TGW, "half", {**TGW_OK, "defaultRouteTablePropagation": "enable"})],
         flagged={"tgw", "half"}, says="default_route_table_propagation='disable'"),
    Case(c.tgw_peering_accepted_in_code,
         good=[PEERING, res(c.TGW_PEERING_ACCEPTER, "accept", transitGatewayAttachmentId=PEERING),
               res(c.TGW_PEERING, "tagged", {"tags": {c.ACCEPTER_STACK_TAG: "prod-eu"}})],
         bad=[PEERING], flagged={"us-eu"}),
    Case(c.inter_vpc_through_transit_gateway, label="own-vpcs",
         good=[VPC_A, res(c.PEERING, "partner", {"peerVpcId": "vpc-0partner"}, vpcId=VPC_A)],
         bad=[VPC_A, VPC_B, res(c.PEERING, "a-b", vpcId=VPC_A, peerVpcId=VPC_B)], flagged={"a-b"}),
    Case(c.inter_vpc_through_transit_gateway, label="mesh",
         good=[VPC_A, *[res(c.PEERING, f"p{i}", {"peerVpcId": f"vpc-{i}"}, vpcId=VPC_A) for i in range(2)]],
         bad=[VPC_A, *[res(c.PEERING, f"p{i}", {"peerVpcId": f"vpc-{i}"}, vpcId=VPC_A) for i in range(3)]],
         flagged={"vpc-a"}, says="3 peering connections"),
    Case(c.vpc_peering_no_overlap,
         good=[VPC_A, TABLE, res(c.ROUTE, "to-partner", {"destinationCidrBlock": "172.16.0.0/16",
                                                         "vpcPeeringConnectionId": "pcx-1"}, routeTableId=TABLE)],
         bad=[VPC_A, TABLE, res(c.ROUTE, "to-partner", {"destinationCidrBlock": "10.10.128.0/17",
                                                        "vpcPeeringConnectionId": "pcx-1"}, routeTableId=TABLE)],
         flagged={"to-partner"}, says="overlaps this VPC's 10.10.0.0/16"),
    Case(c.vpn_tunnel_logging,
         good=[res(c.VPN, "dev", VPN_OK)],
         bad=[res(c.VPN, "dev", {**VPN_OK, "tunnel2LogOptions": None})], flagged={"dev"}, says="Tunnel 2"),
    Case(c.vpn_strong_crypto,
         good=[res(c.VPN, "dev", VPN_OK)],
         bad=[res(c.VPN, "ike1", {**VPN_OK, "tunnel1IkeVersions": ["ikev1", "ikev2"]}),
              res(c.VPN, "weak", {**VPN_OK, "tunnel2Phase1DhGroupNumbers": [2, 20]}),
              res(c.VPN, "defaults", {})],
         flagged={"ike1", "weak", "defaults"}),
    Case(c.dx_allowed_prefixes_restricted,
         good=[res(c.DX_ASSOCIATION, "us", {"allowedPrefixes": ["10.10.0.0/16", "10.20.0.0/16"]})],
         bad=[res(c.DX_ASSOCIATION, "open", {"allowedPrefixes": ["0.0.0.0/0"]}),
              res(c.DX_ASSOCIATION, "none", {}), res(c.DX_ASSOCIATION, "wide", {"allowedPrefixes": ["10.0.0.0/8"]})],
         flagged={"open", "none", "wide"}),
)


@pytest.mark.parametrize("case", CASES)
def test_rule(case: Case) -> None:
    check(case)
