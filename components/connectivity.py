"""Hybrid and cross-region connectivity: this region's Transit Gateway and what attaches to it (the VPC, the
cross-region peering, developer VPNs, the Direct Connect gateway), and VPC peerings with other accounts' VPCs.

Segmentation: default route-table association and propagation are off, and a route table per segment decides
who reaches whom.
- ``vpc`` (the VPC attachment): static routes only: the peer region's VPC through the peering, each developer
  site's configured prefixes through its VPN, the analytics prefixes through Direct Connect. Nothing a site
  advertises over BGP lands here, so no site can draw production or cross-region traffic to itself by announcing
  a more specific prefix; BGP still chooses between a VPN's two tunnels.
- ``hybrid`` (the VPN attachments; "the VPN route table"): only the VPC attachment propagates into it, so a
  developer site reaches this region's VPC and nothing else (not the peer region, not another site, not the
  analytics VPC).
- ``direct-connect`` (the Direct Connect attachment): the VPC attachment propagates into it, and on the primary the
  analytics VPC's, so the analytics network on premises reaches those two and nothing else.
- ``analytics`` (primary, the analytics VPC's attachment): static routes to the Direct Connect prefixes only, so
  transfers from on premises land in the analytics VPC, which reaches nothing else through the gateway: never the
  application VPC (that is the peering's job, ``components.analytics``), so it cannot become a transit between the
  application VPC and on premises.
- ``peering`` (the cross-region peering): one static route, this VPC through the VPC attachment: the peer region
  reaches this VPC, never a site through it.

Cross-region peering, and who owns what: the primary stack owns the peering attachment and its acceptance. The
accepter lives in the secondary's region (pulumi-aws v7 ``region=``; DESIGN §1's "peering accepter" case): one
stack creates, accepts and routes its side in one deployment, so routes can depend on the acceptance instead of
racing it. The secondary associates the accepted attachment with its ``peering`` table and routes to the
primary's VPC once the primary exports ``tgwPeeringAttachmentId`` (which it does only once accepted). In the
deployment plan (prod-eu → prod-us → prod-eu): prod-eu builds its gateway; prod-us requests, accepts and routes;
prod-eu routes back.

Direct Connect: the gateway is global and belongs to the primary stack; each region's Transit Gateway associates
with it, advertising only its VPC's CIDR (and, on the primary, the analytics VPC's). With ``connectionId`` set, the
primary also builds the transit virtual interface on that connection.

VPC routes: every private and isolated route table sends the peer region's VPC and the sites (one managed prefix
list: the VPN sites' and Direct Connect's prefixes) to the Transit Gateway, after the VPC attachment exists. The
isolated (database) subnets get these routes, but their network ACL still admits only the database port from the
application subnets, and the database's security group only the services: opening the database to the peer region
or a site stays a deliberate change to both.

Site-to-site VPN for developers: per customer gateway, a VPN connection on the Transit Gateway with BGP, IKEv2
only, AES256/AES256-GCM-16, SHA2-256/384/512 and DH groups 19/20/21 in both phases (``IKE_*`` below; the pack's
allow-lists are held to these by a test), dead-peer restart, both tunnels logging to a KMS-encrypted log group.
Pre-shared keys come from the secret ``securecart:vpnPreSharedKeys`` as Pulumi secrets; without it AWS generates
them into Secrets Manager, so neither the config nor the state ever holds them.

VPC peering (``vpcPeers``): one connection each; when the peer VPC is ours (no ``accountId``) this stack accepts it
too (through an accepter in the peer's region when it is elsewhere) and turns on DNS resolution across it; another
account accepts its own side. Only the route tables of ``routeGroups`` (default: the private groups) route to it.
"""

import ipaddress
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.analytics import AnalyticsTier
from components.context import StackContext, Tier, options
from components.contract import ConnectivityOutputs, PeerConnectivity
from components.network import NetworkTier
from components.settings.connectivity import (
    ConnectivitySettings,
    CustomerGatewaySettings,
    DirectConnectSettings,
    VpcPeerSettings,
)
from components.settings.network import SubnetType
from components.settings.types import Role

# Strong IKE proposals (the pack's vpn-strong-crypto rule holds the same list).
IKE_ENCRYPTION = ["AES256", "AES256-GCM-16"]
IKE_INTEGRITY = ["SHA2-256", "SHA2-384", "SHA2-512"]
IKE_DH_GROUPS = [19, 20, 21]


@dataclass(frozen=True)
class ConnectivityTierArgs:
    network: NetworkTier
    peer: PeerConnectivity  # what it reads of the peer stack (components.contract)
    analytics: AnalyticsTier | None = None  # the analytics VPC, attached for Direct Connect (primary)


def summarise(cidrs: list[str]) -> list[str]:
    """The fewest prefixes covering exactly these networks (what a Direct Connect association advertises)."""
    nets = [ipaddress.IPv4Network(c) for c in cidrs]
    return [str(n) for n in ipaddress.collapse_addresses(nets)]


class ConnectivityTier(Tier):
    settings: ConnectivitySettings
    network: NetworkTier
    peer: PeerConnectivity
    transit_gateway: aws.ec2transitgateway.TransitGateway
    route_tables: dict[str, aws.ec2transitgateway.RouteTable]  # segment (vpc, hybrid, peering) -> its table
    vpc_attachment: aws.ec2transitgateway.VpcAttachment
    transit_gateway_id: pulumi.Output[str]
    route_table_ids: dict[str, pulumi.Output[str]]
    vpc_attachment_id: pulumi.Output[str]
    peering_attachment_id: pulumi.Output[str] | None
    vpn_connection_ids: dict[str, pulumi.Output[str]]
    vpn_attachment_ids: dict[str, pulumi.Output[str]]
    dx_attachment_id: pulumi.Output[str] | None
    customer_gateway_ids: dict[str, pulumi.Output[str]]
    dx_gateway_id: pulumi.Output[str] | None
    dx_prefixes: list[str]
    vpc_peering_connection_ids: dict[str, pulumi.Output[str]]
    analytics_attachment_id: pulumi.Output[str] | None

    def __init__(self, name: str, ctx: StackContext, args: ConnectivityTierArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("securecart:connectivity:ConnectivityTier", name, ctx, opts)
        settings, placement = ctx.settings.connectivity, ctx.settings.placement
        if settings is None or placement.tgw_attachments is None:
            raise ValueError("the connectivity tier needs securecart:connectivity (validated when the settings load)")
        self.settings, self.network, self.peer = settings, args.network, args.peer
        self.analytics = args.analytics if ctx.settings.analytics_attachment_group is not None else None
        self.transit_gateway = self._transit_gateway()
        self.route_tables = self._route_tables()
        self._into_direct_connect: list[pulumi.Resource] = []  # what fills the direct-connect table
        self.vpc_attachment = self._vpc_attachment(placement.tgw_attachments)
        self._vpc_routes()
        self.peering_attachment_id = self._peering()
        self.vpn_connection_ids, self.customer_gateway_ids, self.vpn_attachment_ids = {}, {}, {}
        self._vpns()
        dx = settings.gateway(ctx.role)  # the primary's gateway; None on the secondary, which associates with it
        self.dx_prefixes = [str(n) for n in dx.prefixes] if dx is not None else []
        self.dx_gateway_id = self._dx_gateway(dx) if dx is not None else None
        analytics_attachment = self._attach_analytics()
        self.dx_attachment_id = self._dx_association()
        self._analytics_routes(analytics_attachment)
        self.analytics_attachment_id = analytics_attachment.id if analytics_attachment is not None else None
        self.vpc_peering_connection_ids = {peer.name: self._vpc_peer(peer).id for peer in settings.vpc_peers}
        self.transit_gateway_id = self.transit_gateway.id
        self.route_table_ids = {use: t.id for use, t in self.route_tables.items()}
        self.vpc_attachment_id = self.vpc_attachment.id
        self.done()

    def exports(self) -> ConnectivityOutputs:
        c = self.settings
        return ConnectivityOutputs(
            transit_gateway_id=self.transit_gateway_id,
            transit_gateway_asn=c.transit_gateway.asn,
            transit_gateway_route_table_ids=self.route_table_ids,
            tgw_vpc_attachment_id=self.vpc_attachment_id,
            vpn_connection_ids=self.vpn_connection_ids,
            vpn_attachment_ids=self.vpn_attachment_ids,
            customer_gateway_ids=self.customer_gateway_ids,
            vpc_peering_connection_ids=self.vpc_peering_connection_ids,
            routed_networks=sorted({*(str(p.cidr) for p in c.vpc_peers), *(str(n) for n in c.on_premises()),
                                    *([str(a.cidr)] if (a := self.ctx.settings.analytics) is not None else [])}),
            tgw_peering_attachment_id=self.peering_attachment_id,
            dx_gateway_id=self.dx_gateway_id,
            tgw_dx_attachment_id=self.dx_attachment_id,
            dx_prefixes=self.dx_prefixes if self.dx_gateway_id is not None else None,
            tgw_analytics_attachment_id=self.analytics_attachment_id,
        )

    @property
    def vpc_cidr(self) -> str:
        """This region's VPC: what the peering table routes and Direct Connect advertises."""
        return str(self.ctx.settings.network.cidr)

    @property
    def _peer_stack(self) -> str:
        """The peer stack as the log lines name it: what a waiting part waits for."""
        return self.ctx.peer_stack or "a peer stack"

    # --- the Transit Gateway and its route tables -------------------------------------------------------------

    def _transit_gateway(self) -> aws.ec2transitgateway.TransitGateway:
        """This region's Transit Gateway, with no default table: the segments decide who reaches whom."""
        return aws.ec2transitgateway.TransitGateway(
            "tgw",
            description=f"SecureCart {self.ctx.environment} {self.ctx.region}",
            amazon_side_asn=self.settings.transit_gateway.asn,
            auto_accept_shared_attachments="disable",
            default_route_table_association="disable",
            default_route_table_propagation="disable",
            dns_support="enable",
            vpn_ecmp_support="enable",
            tags=self.tags("tgw"),
            opts=self.child,
        )

    def _route_tables(self) -> dict[str, aws.ec2transitgateway.RouteTable]:
        """The segments' route tables (``vpc``, ``hybrid``, ``direct-connect``, ``peering``, and ``analytics`` where
        the analytics VPC attaches: see the module docstring)."""
        uses = ["vpc", "hybrid", "direct-connect", "peering", *(["analytics"] if self.analytics else [])]
        return {use: aws.ec2transitgateway.RouteTable(f"tgw-rt-{use}", transit_gateway_id=self.transit_gateway.id,
                                                      tags=self.tags(f"tgw-rt-{use}", Segment=use),
                                                      opts=options(self.transit_gateway))
                for use in uses}

    def _associate(self, key: str, attachment_id: pulumi.Input[str], table: str,
                   depends_on: list[pulumi.Resource] | None = None) -> aws.ec2transitgateway.RouteTableAssociation:
        """Put an attachment in a segment: that segment's table decides where the attachment's traffic goes."""
        return aws.ec2transitgateway.RouteTableAssociation(
            f"tgw-assoc-{key}", transit_gateway_attachment_id=attachment_id,
            transit_gateway_route_table_id=self.route_tables[table].id, replace_existing_association=True,
            opts=options(self.route_tables[table], depends_on=depends_on or []))

    def _propagate(self, key: str, attachment_id: pulumi.Input[str], table: str,
                   depends_on: list[pulumi.Resource] | None = None) -> aws.ec2transitgateway.RouteTablePropagation:
        """Propagate an attachment's routes into a segment's table (the VPCs', into ``hybrid`` and
        ``direct-connect``)."""
        return aws.ec2transitgateway.RouteTablePropagation(
            f"tgw-prop-{key}-to-{table}", transit_gateway_attachment_id=attachment_id,
            transit_gateway_route_table_id=self.route_tables[table].id,
            opts=options(self.route_tables[table], depends_on=depends_on or []))

    def _static(self, key: str, cidr: str, attachment_id: pulumi.Input[str], table: str,
                depends_on: list[pulumi.Resource] | None = None) -> None:
        """A static route in a segment's table: nothing a site announces over BGP can draw it elsewhere."""
        aws.ec2transitgateway.Route(
            f"tgw-route-{table}-to-{key}", destination_cidr_block=cidr, transit_gateway_attachment_id=attachment_id,
            transit_gateway_route_table_id=self.route_tables[table].id,
            opts=options(self.route_tables[table], depends_on=depends_on or []))

    # --- the VPC attachment, in the dedicated attachment subnets of every AZ -----------------------------------

    def _vpc_attachment(self, group: str) -> aws.ec2transitgateway.VpcAttachment:
        """The VPC's attachment in its subnet group: in ``vpc``, propagated into ``hybrid`` and ``direct-connect``,
        routed from ``peering``."""
        attachment = self._attach("tgw-vpc-attachment", self.network, group)
        self._associate("vpc", attachment.id, "vpc")
        self._propagate("vpc", attachment.id, "hybrid")
        self._into_direct_connect.append(self._propagate("vpc", attachment.id, "direct-connect"))
        self._static("vpc", self.vpc_cidr, attachment.id, "peering")
        return attachment

    def _attach(self, name: str, network: NetworkTier, group: str) -> aws.ec2transitgateway.VpcAttachment:
        """A VPC's attachment on its attachment group's subnets (one per AZ), with the gateway's default table
        association and propagation off: the segments decide where it belongs."""
        return aws.ec2transitgateway.VpcAttachment(
            name,
            transit_gateway_id=self.transit_gateway.id,
            vpc_id=network.vpc.id,
            subnet_ids=network.subnets.of_group(group).ids,
            dns_support="enable",
            transit_gateway_default_route_table_association=False,
            transit_gateway_default_route_table_propagation=False,
            tags=self.tags(name),
            opts=options(self.transit_gateway),
        )

    # --- VPC routes: private and isolated tables reach the peer region and the sites through the TGW -----------

    def _vpc_routes(self) -> None:
        """Private and isolated tables send the sites and the peer region to the TGW, once the VPC is attached."""
        destinations = self._destinations()
        # In the plan's order (group, then zone), whatever the order of the types.
        routed = [r for r in self.network.subnets if r.type in (SubnetType.PRIVATE, SubnetType.ISOLATED)]
        for record in routed:
            for label, cidr, prefix_list in destinations:
                aws.ec2.Route(
                    f"{record.group}-{record.zone}-to-{label}", route_table_id=record.route_table.id,
                    transit_gateway_id=self.transit_gateway.id,
                    destination_cidr_block=cidr, destination_prefix_list_id=prefix_list,
                    opts=options(record.route_table, depends_on=[self.vpc_attachment]))

    def _destinations(self) -> list[tuple[str, str | None, pulumi.Input[str] | None]]:
        """What the VPC routes to the TGW, as (label, destination CIDR, destination prefix list)."""
        destinations: list[tuple[str, str | None, pulumi.Input[str] | None]] = []
        sites = self._sites()
        if sites is not None:
            destinations.append(("on-premises", None, sites.id))
        if self.peer.vpc_cidr:
            destinations.append(("peer-region", self.peer.vpc_cidr, None))
        else:
            pulumi.log.info(f"connectivity: routes to the peer region wait for {self._peer_stack}'s vpcCidr output",
                            resource=self)
        return destinations

    def _sites(self) -> aws.ec2.ManagedPrefixList | None:
        """The sites as one managed prefix list (one route per table covers them all); None without sites."""
        # The sites: this region's developer offices, and the analytics networks behind Direct Connect (the
        # primary's settings; the secondary reads them from its outputs).
        on_prem = [str(n) for n in self.settings.on_premises()]
        if self.ctx.role is not Role.PRIMARY and self.peer.dx_gateway_id:
            on_prem += [p for p in self.peer.dx_prefixes or [] if p not in on_prem]
        if not on_prem:
            return None
        return aws.ec2.ManagedPrefixList(
            "on-premises", name=self.ctx.name("on-premises"), address_family="IPv4",
            max_entries=len(on_prem) + 5,  # room to add a site without replacing the list
            entries=[{"cidr": c, "description": "SecureCart site"} for c in on_prem],
            tags=self.tags("on-premises"), opts=self.child)

    # --- cross-region peering ---------------------------------------------------------------------------------

    def _peering(self) -> pulumi.Output[str] | None:
        """This side of the cross-region peering: the accepted attachment, or None while it waits for the peer."""
        return self._peering_requester() if self.ctx.role is Role.PRIMARY else self._peering_accepter()

    def _peering_requester(self) -> pulumi.Output[str] | None:
        """The primary requests the peering, accepts it in the peer's region and routes the peer's VPC over it."""
        region, peer_gateway, peer_cidr = self.peer.region, self.peer.transit_gateway_id, self.peer.vpc_cidr
        if not (peer_gateway and region and peer_cidr):
            pulumi.log.info(f"connectivity: the cross-region peering waits for {self._peer_stack}'s "
                            f"transitGatewayId, region and vpcCidr outputs", resource=self)
            return None
        peering = aws.ec2transitgateway.PeeringAttachment(
            "tgw-peering",
            transit_gateway_id=self.transit_gateway.id,
            peer_transit_gateway_id=peer_gateway,
            peer_region=region,
            peer_account_id=self.ctx.account_id,
            tags=self.tags("tgw-peering", **{"securecart:accepter-region": region}),
            opts=options(self.transit_gateway),
        )
        # The acceptance, in the peer's region: this stack owns both ends of the request (DESIGN §1).
        accepter = aws.ec2transitgateway.PeeringAttachmentAccepter(
            "tgw-peering-accepter",
            transit_gateway_attachment_id=peering.id,
            region=region,
            tags=self.tags("tgw-peering-accepter"),
            opts=options(peering),
        )
        self._associate("peering", peering.id, "peering", depends_on=[accepter])
        self._static("peer-region", peer_cidr, peering.id, "vpc", depends_on=[accepter])
        return accepter.transit_gateway_attachment_id  # known once accepted

    def _peering_accepter(self) -> pulumi.Output[str] | None:
        """The secondary puts the attachment the primary accepted in ``peering`` and routes the primary's VPC."""
        attachment_id, peer_cidr = self.peer.tgw_peering_attachment_id, self.peer.vpc_cidr
        if not (attachment_id and peer_cidr):
            pulumi.log.info(f"connectivity: this side of the cross-region peering waits for {self._peer_stack} to "
                            f"request and accept it (its tgwPeeringAttachmentId output)", resource=self)
            return None
        self._associate("peering", attachment_id, "peering")
        self._static("peer-region", peer_cidr, attachment_id, "vpc")
        return pulumi.Output.from_input(attachment_id)

    # --- site-to-site VPNs for developers ---------------------------------------------------------------------

    def _vpns(self) -> None:
        """A VPN per developer site, all of them logging to one encrypted, retained log group."""
        sites = self.settings.vpn.customer_gateways
        if not sites:
            return
        logs = aws.cloudwatch.LogGroup(
            "vpn-logs", name=f"/securecart/{self.ctx.environment}/vpn", kms_key_id=self.network.logs_key_arn,
            retention_in_days=self.settings.vpn.log_retention_days, tags=self.tags("vpn-logs"), opts=self.child)
        for site in sites:
            cgw, vpn = self._vpn(site, logs)
            self.vpn_connection_ids[site.name] = vpn.id
            self.vpn_attachment_ids[site.name] = vpn.transit_gateway_attachment_id
            self.customer_gateway_ids[site.name] = cgw.id

    def _vpn(self, site: CustomerGatewaySettings,
             logs: aws.cloudwatch.LogGroup) -> tuple[aws.ec2.CustomerGateway, aws.ec2.VpnConnection]:
        """A site's gateway and BGP VPN (IKEv2, strong proposals): in ``hybrid``, its prefixes static in ``vpc``."""
        extended = site.bgp_asn > 2147483647  # AWS takes 4-byte ASNs in a field of their own
        cgw = aws.ec2.CustomerGateway(
            f"cgw-{site.name}", bgp_asn=None if extended else str(site.bgp_asn),
            bgp_asn_extended=str(site.bgp_asn) if extended else None, ip_address=str(site.ip_address),
            type="ipsec.1", device_name=site.name, tags=self.tags(f"cgw-{site.name}"), opts=self.child)
        keys = self.ctx.settings.pre_shared_keys().get(site.name)
        vpn = aws.ec2.VpnConnection(
            f"vpn-{site.name}",
            customer_gateway_id=cgw.id,
            transit_gateway_id=self.transit_gateway.id,
            type="ipsec.1",
            static_routes_only=False,  # BGP: the site's routes are learned and withdrawn with the tunnels
            # Keys from secret config when given (secret in the state too); else AWS generates them into
            # Secrets Manager, where neither the config nor the state ever holds them.
            preshared_key_storage=None if keys else "SecretsManager",
            tunnel1_preshared_key=pulumi.Output.secret(keys[0]) if keys else None,
            tunnel2_preshared_key=pulumi.Output.secret(keys[1]) if keys else None,
            tunnel1_ike_versions=["ikev2"], tunnel2_ike_versions=["ikev2"],
            tunnel1_phase1_encryption_algorithms=IKE_ENCRYPTION,
            tunnel2_phase1_encryption_algorithms=IKE_ENCRYPTION,
            tunnel1_phase2_encryption_algorithms=IKE_ENCRYPTION,
            tunnel2_phase2_encryption_algorithms=IKE_ENCRYPTION,
            tunnel1_phase1_integrity_algorithms=IKE_INTEGRITY, tunnel2_phase1_integrity_algorithms=IKE_INTEGRITY,
            tunnel1_phase2_integrity_algorithms=IKE_INTEGRITY, tunnel2_phase2_integrity_algorithms=IKE_INTEGRITY,
            tunnel1_phase1_dh_group_numbers=IKE_DH_GROUPS, tunnel2_phase1_dh_group_numbers=IKE_DH_GROUPS,
            tunnel1_phase2_dh_group_numbers=IKE_DH_GROUPS, tunnel2_phase2_dh_group_numbers=IKE_DH_GROUPS,
            tunnel1_dpd_timeout_action="restart", tunnel2_dpd_timeout_action="restart",
            tunnel1_startup_action="start", tunnel2_startup_action="start",
            tunnel1_log_options=_tunnel_logs(logs), tunnel2_log_options=_tunnel_logs(logs),
            tags=self.tags(f"vpn-{site.name}"),
            opts=options(cgw),
        )
        self._associate(f"vpn-{site.name}", vpn.transit_gateway_attachment_id, "hybrid")
        for prefix in site.prefixes:
            self._static(f"{site.name}-{prefix.network_address}", str(prefix), vpn.transit_gateway_attachment_id,
                         "vpc")
        return cgw, vpn

    # --- Direct Connect for analytics -------------------------------------------------------------------------

    def _dx_gateway(self, dx: DirectConnectSettings) -> pulumi.Output[str]:
        """The primary's global Direct Connect gateway, and the transit VIF once a connection is configured."""
        gateway = aws.directconnect.Gateway("dx-gateway", name=self.ctx.name("analytics"),
                                            amazon_side_asn=str(dx.gateway_asn), opts=self.child)
        if dx.connection_id:
            long_asn = dx.customer_asn > 2147483646
            aws.directconnect.TransitVirtualInterface(
                "dx-transit-vif", connection_id=dx.connection_id, dx_gateway_id=gateway.id,
                name=self.ctx.name("analytics"), vlan=dx.vlan,
                bgp_asn=None if long_asn else dx.customer_asn,
                bgp_asn_long=str(dx.customer_asn) if long_asn else None,
                address_family="ipv4", mtu=8500, sitelink_enabled=False, tags=self.tags("dx-transit-vif"),
                opts=options(gateway))
        else:
            pulumi.log.info("connectivity: no Direct Connect connection configured: the gateway and its "
                            "associations are ready for one (securecart:connectivity.directConnect.connectionId)",
                            resource=self)
        return gateway.id

    def _dx_association(self) -> pulumi.Output[str] | None:
        """The TGW's association with the DX gateway (ours or the primary's), advertising only this VPC."""
        gateway_id: pulumi.Input[str]
        if self.dx_gateway_id is not None:
            gateway_id, prefixes = self.dx_gateway_id, self.dx_prefixes
        elif self.peer.dx_gateway_id:
            gateway_id, prefixes = self.peer.dx_gateway_id, list(self.peer.dx_prefixes or [])
        else:
            pulumi.log.info(f"connectivity: the Direct Connect association waits for {self._peer_stack}'s "
                            f"dxGatewayId output", resource=self)
            return None
        # On premises learns this region's VPC and, on the primary, the analytics VPC where it attaches.
        advertised = [self.vpc_cidr, *([str(self.analytics.settings.cidr)] if self.analytics else [])]
        association = aws.directconnect.GatewayAssociation(
            "dx-association", dx_gateway_id=gateway_id, associated_gateway_id=self.transit_gateway.id,
            allowed_prefixes=summarise(advertised), opts=options(self.transit_gateway))
        # Into its table once that table holds the VPCs' routes, so on premises never meets an empty segment.
        self._associate("dx", association.transit_gateway_attachment_id, "direct-connect",
                        depends_on=self._into_direct_connect)
        for cidr in prefixes:
            self._static(f"analytics-{ipaddress.IPv4Network(cidr).network_address}", cidr,
                         association.transit_gateway_attachment_id, "vpc")
        return association.transit_gateway_attachment_id

    # --- the analytics VPC: Direct Connect transfers land in it ------------------------------------------------

    def _attach_analytics(self) -> aws.ec2transitgateway.VpcAttachment | None:
        """The analytics VPC's attachment in its own segment (``analytics``), propagated into ``direct-connect``
        only, so on premises reaches it and nothing else does."""
        analytics, group = self.analytics, self.ctx.settings.analytics_attachment_group
        if analytics is None or group is None:
            return None
        attachment = self._attach("tgw-analytics-attachment", analytics.network, group)
        self._associate("analytics", attachment.id, "analytics")
        self._into_direct_connect.append(self._propagate("analytics", attachment.id, "direct-connect"))
        return attachment

    def _analytics_routes(self, attachment: aws.ec2transitgateway.VpcAttachment | None) -> None:
        """The ``analytics`` table reaches the Direct Connect prefixes and nothing else (never the application VPC,
        the peer region or a developer site), so the analytics VPC can never carry traffic between the application
        VPC and on premises; its workload tables send those prefixes to the Transit Gateway."""
        analytics = self.analytics
        if analytics is None or attachment is None:
            return
        if self.dx_attachment_id is not None:
            for cidr in self.ctx.settings.analytics_dx_prefixes:
                self._static(f"dx-{ipaddress.IPv4Network(cidr).network_address}", cidr, self.dx_attachment_id,
                             "analytics")
        for record in analytics.network.subnets.of_type(SubnetType.ISOLATED):
            for cidr in self.ctx.settings.analytics_dx_prefixes:
                aws.ec2.Route(
                    f"analytics-{record.group}-{record.zone}-to-dx-{ipaddress.IPv4Network(cidr).network_address}",
                    route_table_id=record.route_table.id, transit_gateway_id=self.transit_gateway.id,
                    destination_cidr_block=cidr, opts=options(record.route_table, depends_on=[attachment]))

    # --- VPC peering with other accounts' and environments' VPCs ---------------------------------------------

    def _vpc_peer(self, peer: VpcPeerSettings) -> aws.ec2.VpcPeeringConnection:
        """A peering with another VPC, accepted here when that VPC is ours too, and the routes to it."""
        ours = peer.account_id is None
        same_region = peer.region == self.ctx.region
        connection = aws.ec2.VpcPeeringConnection(
            f"peering-{peer.name}",
            vpc_id=self.network.vpc.id,
            peer_vpc_id=peer.vpc_id,
            peer_owner_id=peer.account_id or self.ctx.account_id,
            peer_region=None if same_region else peer.region,
            auto_accept=True if ours and same_region else None,  # AWS accepts at once only within a region
            tags=self.tags(f"peering-{peer.name}", Peer=peer.name),
            opts=self.child,
        )
        accepted: list[pulumi.Resource] = [connection]
        if ours and not same_region:
            # The peer VPC is ours too: accept in its region (DESIGN §1's accepter case).
            accepted.append(aws.ec2.VpcPeeringConnectionAccepter(
                f"peering-{peer.name}-accepter", vpc_peering_connection_id=connection.id, auto_accept=True,
                region=peer.region, tags=self.tags(f"peering-{peer.name}", Peer=peer.name),
                opts=options(connection)))
        if ours:
            self._vpc_peer_dns(peer, connection, accepted, same_region)
        self._vpc_peer_routes(peer, connection, accepted)
        return connection

    def _vpc_peer_dns(self, peer: VpcPeerSettings, connection: aws.ec2.VpcPeeringConnection,
                      accepted: list[pulumi.Resource], same_region: bool) -> None:
        """Remote DNS resolution on both sides of a peering with a VPC of ours, once the peering is accepted."""
        if same_region:
            # DNS names of either VPC resolve to private addresses across the peering; only possible once
            # the connection is active, and both sides are ours to set.
            aws.ec2.PeeringConnectionOptions(
                f"peering-{peer.name}-options", vpc_peering_connection_id=connection.id,
                requester={"allow_remote_vpc_dns_resolution": True},
                accepter={"allow_remote_vpc_dns_resolution": True},
                opts=options(connection, depends_on=accepted))
            return
        # Across regions each side's options are set in its own region.
        aws.ec2.PeeringConnectionOptions(
            f"peering-{peer.name}-options", vpc_peering_connection_id=connection.id,
            requester={"allow_remote_vpc_dns_resolution": True},
            opts=options(connection, depends_on=accepted))
        aws.ec2.PeeringConnectionOptions(
            f"peering-{peer.name}-accepter-options", vpc_peering_connection_id=connection.id,
            accepter={"allow_remote_vpc_dns_resolution": True}, region=peer.region,
            opts=options(connection, depends_on=accepted))

    def _vpc_peer_routes(self, peer: VpcPeerSettings, connection: aws.ec2.VpcPeeringConnection,
                         accepted: list[pulumi.Resource]) -> None:
        """The peer's CIDR over the peering from its route groups' tables (default: the private groups')."""
        subnets = self.network.subnets
        routed = [r for g in peer.route_groups for r in subnets.of_group(g)] if peer.route_groups \
            else list(subnets.of_type(SubnetType.PRIVATE))
        for record in routed:
            aws.ec2.Route(
                f"{record.group}-{record.zone}-to-vpc-peer-{peer.name}", route_table_id=record.route_table.id,
                destination_cidr_block=str(peer.cidr), vpc_peering_connection_id=connection.id,
                opts=options(record.route_table, depends_on=accepted))


def _tunnel_logs(group: aws.cloudwatch.LogGroup) -> aws.ec2.VpnConnectionTunnel1LogOptionsArgsDict:
    """A tunnel's logging: JSON into the VPN log group (both tunnels log alike)."""
    return {"cloudwatch_log_options": {"log_enabled": True, "log_group_arn": group.arn, "log_output_format": "json"}}
