"""Rules of the GWLB's appliance fleet: IMDSv2 and no public IPs on what launches instances, AZ-symmetric ingress
through the GWLB endpoints, a fleet over every AZ of its GWLB. Compliant and non-compliant stacks for each."""

from typing import Any

import pytest
from securecart_rules import compute as c
from securecart_rules import network as n
from securecart_rules.types import (
    AUTOSCALING_GROUP,
    EC2_INTERNET_GATEWAY,
    EC2_LAUNCH_CONFIGURATION,
    EC2_LAUNCH_TEMPLATE,
    EC2_ROUTE,
    EC2_ROUTE_TABLE,
    EC2_ROUTE_TABLE_ASSOCIATION,
    EC2_SUBNET,
    EC2_VPC,
    EC2_VPC_ENDPOINT,
    LB_LISTENER,
    LB_LOAD_BALANCER,
    LB_TARGET_GROUP,
)

from tests.policies.harness import Case, cases, check, res

VPC = res(EC2_VPC, "vpc", {"cidrBlock": "10.0.0.0/16"})
IGW = res(EC2_INTERNET_GATEWAY, "igw", vpcId=VPC)
ZONES = ("a", "b")
GOOD_LT = {"imageId": "ami-0123456789abcdef0", "instanceType": "c6in.large",
           "metadataOptions": {"httpTokens": "required", "httpEndpoint": "enabled", "httpPutResponseHopLimit": 1},
           "networkInterfaces": [{"deviceIndex": 0, "associatePublicIpAddress": "false"}]}


def _subnet(name: str, zone: str, cidr: str) -> Any:
    return res(EC2_SUBNET, name, {"availabilityZone": f"us-east-1{zone}", "cidrBlock": cidr}, vpcId=VPC)


# --- ec2-launch-imdsv2-no-public-ip --------------------------------------------------------------------------------

def _fleet(lt_props: dict[str, Any]) -> list[Any]:
    lt = res(EC2_LAUNCH_TEMPLATE, "appliance-lt", lt_props)
    asg = res(AUTOSCALING_GROUP, "appliances-asg", {"minSize": 2, "launchTemplate": {"version": "1"}},
              launchTemplate=lt)
    return [lt, asg]


IMDSV1 = {**GOOD_LT, "metadataOptions": {"httpTokens": "optional", "httpEndpoint": "enabled"}}
UNSET = {k: v for k, v in GOOD_LT.items() if k != "metadataOptions"}
PUBLIC = {**GOOD_LT, "networkInterfaces": [{"deviceIndex": 0, "associatePublicIpAddress": "true"}]}

LAUNCH_CASES = [
    Case(c.ec2_launch_imdsv2_no_public_ip, _fleet(GOOD_LT), _fleet(IMDSV1), {"appliance-lt", "appliances-asg"},
         says="http_tokens is optional", label="imdsv1"),
    Case(c.ec2_launch_imdsv2_no_public_ip, _fleet(GOOD_LT), _fleet(UNSET), {"appliance-lt", "appliances-asg"},
         says="http_tokens is unset", label="tokens-unset"),
    Case(c.ec2_launch_imdsv2_no_public_ip, _fleet(GOOD_LT), _fleet(PUBLIC), {"appliance-lt", "appliances-asg"},
         says="public IP", label="public-ip"),
    Case(c.ec2_launch_imdsv2_no_public_ip,
         [res(EC2_LAUNCH_CONFIGURATION, "lc", {"metadataOptions": {"httpTokens": "required"},
                                                 "associatePublicIpAddress": False})],
         [res(EC2_LAUNCH_CONFIGURATION, "lc", {"metadataOptions": {"httpTokens": "required"},
                                                 "associatePublicIpAddress": True})],
         {"lc"}, says="public IP", label="launch-configuration"),
]


# --- gwlb-ingress-az-symmetric --------------------------------------------------------------------------------------

def _ingress(edge_zone_of: dict[str, str] | None = None, out_zone_of: dict[str, str] | None = None,
             out_direct: tuple[str, ...] = ()) -> list[Any]:
    """Per AZ: a load-balancer subnet and a GWLB endpoint subnet with its endpoint; the IGW's edge table sends each
    LB subnet's CIDR to the endpoint of the AZ ``edge_zone_of`` says (default its own); the LB subnet's default
    route goes through the endpoint ``out_zone_of`` says (default its own), or to the IGW for ``out_direct``."""
    edge_zone_of, out_zone_of = edge_zone_of or {}, out_zone_of or {}
    out: list[Any] = [VPC, IGW]
    endpoints, lbs = {}, {}
    for i, z in enumerate(ZONES):
        ep_subnet = _subnet(f"gwlbe-{z}", z, f"10.0.{16 + i}.0/28")
        endpoints[z] = res(EC2_VPC_ENDPOINT, f"gwlbe-{z}", {"vpcEndpointType": "GatewayLoadBalancer"},
                           subnetIds=[ep_subnet], vpcId=VPC)
        lbs[z] = _subnet(f"web-{z}", z, f"10.0.{i}.0/24")
        out += [ep_subnet, endpoints[z], lbs[z]]
    edge = res(EC2_ROUTE_TABLE, "igw-ingress-rt", vpcId=VPC)
    out += [edge, res(EC2_ROUTE_TABLE_ASSOCIATION, "igw-ingress-rta", gatewayId=IGW, routeTableId=edge)]
    for i, z in enumerate(ZONES):
        out.append(res(EC2_ROUTE, f"igw-ingress-{z}", {"destinationCidrBlock": f"10.0.{i}.0/24"},
                       routeTableId=edge, vpcEndpointId=endpoints[edge_zone_of.get(z, z)]))
        table = res(EC2_ROUTE_TABLE, f"web-{z}-rt", vpcId=VPC)
        target = {"gatewayId": IGW} if z in out_direct else {"vpcEndpointId": endpoints[out_zone_of.get(z, z)]}
        out += [table, res(EC2_ROUTE_TABLE_ASSOCIATION, f"web-{z}-rta", subnetId=lbs[z], routeTableId=table),
                res(EC2_ROUTE, f"web-{z}-default", {"destinationCidrBlock": "0.0.0.0/0"}, routeTableId=table,
                    **target)]
    return out


SYMMETRIC_CASES = [
    Case(n.gwlb_ingress_az_symmetric, _ingress(), _ingress(edge_zone_of={"a": "b"}), {"igw-ingress-rt", "web-a"},
         says="to GWLB endpoint 'gwlbe-b' in us-east-1b: use the endpoint in us-east-1a", label="edge-cross-az"),
    Case(n.gwlb_ingress_az_symmetric, _ingress(), _ingress(out_zone_of={"b": "a"}), {"web-b"},
         says="through GWLB endpoint 'gwlbe-a' in us-east-1a: use the endpoint of its own AZ", label="out-cross-az"),
    Case(n.gwlb_ingress_az_symmetric, _ingress(), _ingress(out_direct=("a",)), {"web-a"},
         says="its default route bypasses the endpoint", label="return-bypasses"),
]


# --- gwlb-fleet-spans-azs -------------------------------------------------------------------------------------------

def _gwlb_fleet(fleet_zones: tuple[str, ...] = ZONES, min_size: int = 2) -> list[Any]:
    subnets = {z: _subnet(f"inspect-{z}", z, f"10.0.{20 + i}.0/26") for i, z in enumerate(ZONES)}
    gwlb = res(LB_LOAD_BALANCER, "gwlb", {"loadBalancerType": "gateway"}, subnets=list(subnets.values()))
    tg = res(LB_TARGET_GROUP, "appliances", {"protocol": "GENEVE", "port": 6081, "targetType": "instance"})
    listener = res(LB_LISTENER, "gwlb-listener", {"defaultActions": [{"type": "forward"}]},
                   loadBalancerArn=gwlb, defaultActions=[tg])
    lt = res(EC2_LAUNCH_TEMPLATE, "appliance-lt", GOOD_LT)
    asg = res(AUTOSCALING_GROUP, "appliances-asg", {"minSize": min_size}, launchTemplate=lt, targetGroupArns=[tg],
              vpcZoneIdentifiers=[subnets[z] for z in fleet_zones])
    return [VPC, *subnets.values(), gwlb, tg, listener, lt, asg]


SPAN_CASES = [
    Case(c.gwlb_fleet_spans_azs, _gwlb_fleet(), _gwlb_fleet(fleet_zones=("a",)), {"appliances-asg"},
         says="has no subnet in us-east-1b", label="missing-az"),
    Case(c.gwlb_fleet_spans_azs, _gwlb_fleet(), _gwlb_fleet(min_size=1), {"appliances-asg"},
         says="may shrink to 1 instance(s) over 2 AZs", label="below-one-per-az"),
]


CASES = cases(*LAUNCH_CASES, *SYMMETRIC_CASES, *SPAN_CASES)


@pytest.mark.parametrize("case", CASES)
def test_rule(case: Case) -> None:
    check(case)
