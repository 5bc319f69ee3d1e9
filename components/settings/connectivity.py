"""Settings of the connectivity tier (``securecart:connectivity``): the Transit Gateway, site-to-site VPNs,
Direct Connect and VPC peering.
"""

import ipaddress
import re

from pydantic import (
    Field,
    field_validator,
)

from components.settings.types import AuditRetentionDays, Ipv4Network, KnownRegion, Model, Role

# Private ASN ranges AWS accepts for an Amazon-side ASN (Transit Gateway, Direct Connect gateway).
_PRIVATE_ASNS = (range(64512, 65535), range(4200000000, 4294967295))


# ASNs AWS reserves and refuses for customer gateways.
_RESERVED_CGW_ASNS = {7224, 9059, 10124, 17943}


def _private_asn(v: int) -> int:
    if not any(v in r for r in _PRIVATE_ASNS):
        raise ValueError(f"{v} is not a private ASN: use 64512-65534 or 4200000000-4294967294")
    return v


class TransitGatewaySettings(Model):
    asn: int = Field(description="Required. The Transit Gateway's Amazon-side BGP ASN, a private ASN unique to this "
                                 "region (the two stacks' gateways peer and must differ).")
    attachment_subnet_group: str | None = Field(
        default=None, alias="attachmentSubnetGroup",
        description="Subnet group (type attachment) for the VPC attachment's ENIs, one small subnet per AZ; default "
                    "the only attachment group (name it when there are several).")

    @field_validator("asn")
    @classmethod
    def _asn(cls, v: int) -> int:
        return _private_asn(v)


# Addresses no site can be reached at over the internet. (The documentation ranges are allowed: the stack files
# use them as placeholders, like the documentation account 123456789012.)
_NOT_INTERNET = tuple(ipaddress.IPv4Network(n) for n in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
    "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/4", "240.0.0.0/4"))


PSK = re.compile(r"^[A-Za-z1-9_.][A-Za-z0-9_.]{7,63}$")


class CustomerGatewaySettings(Model):
    name: str = Field(pattern=r"^[a-z][a-z0-9-]{1,30}$",
                      description="Required. Name of the site (e.g. 'dev-office-berlin'); names its resources.")
    ip_address: ipaddress.IPv4Address = Field(
        alias="ipAddress", description="Required. The site's VPN device: its public, static IPv4 address.")
    bgp_asn: int = Field(alias="bgpAsn", ge=1, le=4294967294,
                         description="Required. The site's BGP ASN (tunnels use BGP; routes are learned, not typed).")
    prefixes: list[Ipv4Network] = Field(
        min_length=1, description="Required. The site's networks: the VPC routes them to the Transit Gateway, and "
                                  "they must not overlap SecureCart's.")

    @field_validator("ip_address")
    @classmethod
    def _public(cls, v: ipaddress.IPv4Address) -> ipaddress.IPv4Address:
        if any(v in n for n in _NOT_INTERNET):
            raise ValueError(f"{v} is not a public IPv4 address (private, shared, loopback, link-local, multicast "
                             f"or reserved): a customer gateway needs the site's internet-facing address")
        return v

    @field_validator("bgp_asn")
    @classmethod
    def _asn(cls, v: int) -> int:
        if v in _RESERVED_CGW_ASNS:
            raise ValueError(f"{v} is reserved by AWS: use the site's own ASN (a private one, 64512-65534, if it "
                             f"has none)")
        return v


class VpnSettings(Model):
    customer_gateways: list[CustomerGatewaySettings] = Field(
        default_factory=list, alias="customerGateways",
        description="Developer sites with a site-to-site VPN to the Transit Gateway; default none. Pre-shared keys "
                    "come from the secret securecart:vpnPreSharedKeys, else AWS generates them into Secrets "
                    "Manager.")
    log_retention_days: AuditRetentionDays = Field(
        default=365, alias="logRetentionDays",
        description="Days the tunnels' logs are kept; default 365, at least 365 (PCI DSS 10.5.1).")


class DirectConnectSettings(Model):
    gateway_asn: int = Field(
        default=64600, alias="gatewayAsn",
        description="Amazon-side ASN of the Direct Connect gateway (primary stack only: the gateway is global); "
                    "default 64600. It must differ from both Transit Gateways'.")
    connection_id: str | None = Field(
        default=None, alias="connectionId", pattern=r"^dxcon-[0-9a-z]{8}$",
        description="An existing Direct Connect connection for the analytics link; default none: the gateway and "
                    "its associations exist, ready, and the transit virtual interface comes with a connection.")
    vlan: int = Field(default=100, ge=1, le=4094, description="VLAN of the transit virtual interface; default 100.")
    customer_asn: int = Field(default=65100, alias="customerAsn", ge=1, le=4294967294,
                              description="The analytics router's BGP ASN; default 65100.")
    prefixes: list[Ipv4Network] = Field(
        default_factory=list,
        description="The analytics networks on premises, routed to the Transit Gateway; default none.")

    @field_validator("gateway_asn")
    @classmethod
    def _asn(cls, v: int) -> int:
        return _private_asn(v)


class VpcPeerSettings(Model):
    name: str = Field(pattern=r"^[a-z][a-z0-9-]{1,30}$",
                      description="Required. Name of the peered VPC (e.g. 'analytics-staging').")
    account_id: str | None = Field(
        default=None, alias="accountId", pattern=r"^\d{12}$",
        description="The peer's AWS account; default none: the VPC is in this stack's account, and this stack "
                    "accepts the peering itself.")
    region: KnownRegion = Field(description="Required. The peer VPC's region.")
    vpc_id: str = Field(alias="vpcId", pattern=r"^vpc-[0-9a-f]{8,17}$", description="Required. The peer VPC's ID.")
    cidr: Ipv4Network = Field(description="Required. The peer VPC's CIDR; it must overlap nothing of SecureCart's.")
    route_groups: list[str] | None = Field(
        default=None, alias="routeGroups",
        description="Subnet groups whose route tables reach the peer; default the private (application) groups "
                    "only.")


class ConnectivitySettings(Model):
    transit_gateway: TransitGatewaySettings = Field(
        alias="transitGateway", description="Required. This region's Transit Gateway (see TransitGatewaySettings).")
    vpn: VpnSettings = Field(default_factory=VpnSettings,
                             description="Site-to-site VPNs for developers; default none.")
    direct_connect: DirectConnectSettings | None = Field(
        default=None, alias="directConnect",
        description="The Direct Connect gateway for analytics (primary stack only); default none on the secondary; "
                    "on the primary the gateway is built with default settings when this is left out.")
    vpc_peers: list[VpcPeerSettings] = Field(
        default_factory=list, alias="vpcPeers",
        description="Other accounts' and environments' VPCs peered with this one; default none.")

    def gateway(self, role: Role) -> DirectConnectSettings | None:
        """The Direct Connect gateway settings in force: as stated, and on the primary (which always builds the
        gateway) the defaults when the stack file states none."""
        return self.direct_connect or (DirectConnectSettings() if role is Role.PRIMARY else None)

    def on_premises(self) -> list[ipaddress.IPv4Network]:
        nets = [p for g in self.vpn.customer_gateways for p in g.prefixes]
        if self.direct_connect is not None:
            nets += self.direct_connect.prefixes
        return nets
