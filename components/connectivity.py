"""Hybrid and cross-region connectivity: this region's Transit Gateway and what attaches to it (the VPC, the
cross-region peering, developer VPNs, the Direct Connect gateway), and VPC peerings with other accounts' VPCs.

Segmentation: default route-table association and propagation are off, and three route tables decide who
reaches whom.
- ``vpc`` (the VPC attachment): static routes only: the peer region's VPC through the peering, each developer
  site's configured prefixes through its VPN, the analytics prefixes through Direct Connect. Nothing a site
  advertises over BGP lands here, so no site can draw production or cross-region traffic to itself by announcing
  a more specific prefix; BGP still chooses between a VPN's two tunnels.
- ``hybrid`` (the VPN and Direct Connect attachments; "the VPN route table"): the only table anything propagates
  into, and only the VPC attachment does, so a developer site or the analytics network reaches this region's VPC
  and nothing else (not the peer region, not each other).
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
with it, advertising only its VPC's CIDR. With ``connectionId`` set, the primary also builds the transit virtual
interface on that connection.
"""

import ipaddress
from dataclasses import dataclass
from types import SimpleNamespace

import pulumi
import pulumi_aws as aws

from components.context import StackContext, Tier
from components.contract import ConnectivityOutputs, PeerConnectivity
from components.network import NetworkTier
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


def summarise(cidrs: list[str]) -> list[str]:
    """The fewest prefixes covering exactly these networks (what a Direct Connect association advertises)."""
    nets = [ipaddress.IPv4Network(c) for c in cidrs]
    return [str(n) for n in ipaddress.collapse_addresses(nets)]


class ConnectivityTier(Tier):
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

    def __init__(self, name: str, ctx: StackContext, tier_args: ConnectivityTierArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("securecart:connectivity:ConnectivityTier", name, ctx, opts)
        settings, placement, network = ctx.settings.connectivity, ctx.settings.placement, tier_args.network
        if settings is None or placement.tgw_attachments is None:
            raise ValueError("the connectivity tier needs securecart:connectivity (validated when the settings load)")
        route_tables: dict[str, dict[str, aws.ec2.RouteTable]] = {}
        for record in network.subnets:
            route_tables.setdefault(record.group, {})[record.zone] = record.route_table
        args = SimpleNamespace(  # TODO(issue 11): shim until the constructor is split into methods
            settings=settings, role=ctx.role, environment=ctx.environment, region=ctx.region,
            account_id=ctx.account_id, vpc_id=network.vpc.id, vpc_cidr=str(ctx.settings.network.cidr),
            attachment_subnet_ids=network.subnets.of_group(placement.tgw_attachments).ids,
            route_tables=route_tables, group_types={g.name: g.type for g in ctx.settings.network.subnet_groups},
            logs_key_arn=network.logs_key_arn, peer=tier_args.peer, peer_stack=ctx.peer_stack,
            pre_shared_keys=ctx.settings.pre_shared_keys())
        s = args.settings
        env = args.environment
        child = pulumi.ResourceOptions(parent=self)
        primary = args.role is Role.PRIMARY

        def tags(n: str, **extra: str) -> dict[str, str]:
            return {"Name": f"securecart-{env}-{n}", **extra}

        # --- the Transit Gateway and its route tables ---------------------------------------------------------
        tgw = aws.ec2transitgateway.TransitGateway(
            "tgw",
            description=f"SecureCart {env} {args.region}",
            amazon_side_asn=s.transit_gateway.asn,
            auto_accept_shared_attachments="disable",
            default_route_table_association="disable",
            default_route_table_propagation="disable",
            dns_support="enable",
            vpn_ecmp_support="enable",
            tags=tags("tgw"),
            opts=child,
        )
        tgw_opts = pulumi.ResourceOptions(parent=tgw)
        tables = {use: aws.ec2transitgateway.RouteTable(f"tgw-rt-{use}", transit_gateway_id=tgw.id,
                                                        tags=tags(f"tgw-rt-{use}", Segment=use), opts=tgw_opts)
                  for use in ("vpc", "hybrid", "peering")}

        def associate(key: str, attachment_id: pulumi.Input[str], table: str,
                      depends_on: list[pulumi.Resource] | None = None) -> aws.ec2transitgateway.RouteTableAssociation:
            return aws.ec2transitgateway.RouteTableAssociation(
                f"tgw-assoc-{key}", transit_gateway_attachment_id=attachment_id,
                transit_gateway_route_table_id=tables[table].id, replace_existing_association=True,
                opts=pulumi.ResourceOptions(parent=tables[table], depends_on=depends_on or []))

        def propagate(key: str, attachment_id: pulumi.Input[str], table: str,
                      depends_on: list[pulumi.Resource] | None = None) -> None:
            aws.ec2transitgateway.RouteTablePropagation(
                f"tgw-prop-{key}-to-{table}", transit_gateway_attachment_id=attachment_id,
                transit_gateway_route_table_id=tables[table].id,
                opts=pulumi.ResourceOptions(parent=tables[table], depends_on=depends_on or []))

        # --- the VPC attachment, in the dedicated attachment subnets of every AZ -------------------------------
        attachment = aws.ec2transitgateway.VpcAttachment(
            "tgw-vpc-attachment",
            transit_gateway_id=tgw.id,
            vpc_id=args.vpc_id,
            subnet_ids=args.attachment_subnet_ids,
            dns_support="enable",
            transit_gateway_default_route_table_association=False,
            transit_gateway_default_route_table_propagation=False,
            tags=tags("tgw-vpc-attachment"),
            opts=tgw_opts,
        )
        associate("vpc", attachment.id, "vpc")
        propagate("vpc", attachment.id, "hybrid")

        def static(key: str, cidr: str, attachment_id: pulumi.Input[str], table: str,
                   depends_on: list[pulumi.Resource] | None = None) -> None:
            aws.ec2transitgateway.Route(
                f"tgw-route-{table}-to-{key}", destination_cidr_block=cidr, transit_gateway_attachment_id=attachment_id,
                transit_gateway_route_table_id=tables[table].id,
                opts=pulumi.ResourceOptions(parent=tables[table], depends_on=depends_on or []))

        static("vpc", args.vpc_cidr, attachment.id, "peering")

        # --- VPC routes: private and isolated tables reach the peer region and the sites through the TGW --------
        routed_groups = [g for g, t in args.group_types.items() if t in (SubnetType.PRIVATE, SubnetType.ISOLATED)]
        # (label, destination CIDR, destination prefix list)
        destinations: list[tuple[str, str | None, pulumi.Input[str] | None]] = []
        # The sites: this region's developer offices, and the analytics networks behind Direct Connect (the
        # primary's settings; the secondary reads them from its outputs).
        on_prem = [str(n) for n in s.on_premises()]
        if not primary and args.peer.dx_gateway_id:
            on_prem += [p for p in args.peer.dx_prefixes or [] if p not in on_prem]
        if on_prem:
            sites = aws.ec2.ManagedPrefixList(
                "on-premises", name=f"securecart-{env}-on-premises", address_family="IPv4",
                max_entries=len(on_prem) + 5,  # room to add a site without replacing the list
                entries=[{"cidr": c, "description": "SecureCart site"} for c in on_prem],
                tags=tags("on-premises"), opts=child)
            destinations.append(("on-premises", None, sites.id))
        if args.peer.vpc_cidr:
            destinations.append(("peer-region", args.peer.vpc_cidr, None))
        else:
            pulumi.log.info(f"connectivity: routes to the peer region wait for {args.peer_stack or 'a peer stack'}'s "
                            f"vpcCidr output", resource=self)
        for group in routed_groups:
            for zone, table in args.route_tables[group].items():
                for label, cidr, prefix_list in destinations:
                    aws.ec2.Route(
                        f"{group}-{zone}-to-{label}", route_table_id=table.id, transit_gateway_id=tgw.id,
                        destination_cidr_block=cidr, destination_prefix_list_id=prefix_list,
                        opts=pulumi.ResourceOptions(parent=table, depends_on=[attachment]))

        # --- cross-region peering -------------------------------------------------------------------------------
        self.peering_attachment_id = None
        if primary and args.peer.transit_gateway_id and args.peer.region and args.peer.vpc_cidr:
            peering = aws.ec2transitgateway.PeeringAttachment(
                "tgw-peering",
                transit_gateway_id=tgw.id,
                peer_transit_gateway_id=args.peer.transit_gateway_id,
                peer_region=args.peer.region,
                peer_account_id=args.account_id,
                tags=tags("tgw-peering", **{"securecart:accepter-region": args.peer.region}),
                opts=tgw_opts,
            )
            # The acceptance, in the peer's region: this stack owns both ends of the request (DESIGN §1).
            accepter = aws.ec2transitgateway.PeeringAttachmentAccepter(
                "tgw-peering-accepter",
                transit_gateway_attachment_id=peering.id,
                region=args.peer.region,
                tags=tags("tgw-peering-accepter"),
                opts=pulumi.ResourceOptions(parent=peering),
            )
            associate("peering", peering.id, "peering", depends_on=[accepter])
            static("peer-region", args.peer.vpc_cidr, peering.id, "vpc", depends_on=[accepter])
            self.peering_attachment_id = accepter.transit_gateway_attachment_id  # known once accepted
        elif primary:
            pulumi.log.info(f"connectivity: the cross-region peering waits for {args.peer_stack or 'a peer stack'}'s "
                            f"transitGatewayId, region and vpcCidr outputs", resource=self)
        elif args.peer.tgw_peering_attachment_id and args.peer.vpc_cidr:
            associate("peering", args.peer.tgw_peering_attachment_id, "peering")
            static("peer-region", args.peer.vpc_cidr, args.peer.tgw_peering_attachment_id, "vpc")
            self.peering_attachment_id = pulumi.Output.from_input(args.peer.tgw_peering_attachment_id)
        else:
            pulumi.log.info(f"connectivity: this side of the cross-region peering waits for "
                            f"{args.peer_stack or 'a peer stack'} to request and accept it (its "
                            f"tgwPeeringAttachmentId output)", resource=self)

        # --- site-to-site VPNs for developers ---------------------------------------------------------------------
        self.vpn_connection_ids, self.customer_gateway_ids, self.vpn_attachment_ids = {}, {}, {}
        if s.vpn.customer_gateways:
            vpn_logs = aws.cloudwatch.LogGroup(
                "vpn-logs", name=f"/securecart/{env}/vpn", kms_key_id=args.logs_key_arn,
                retention_in_days=s.vpn.log_retention_days, tags=tags("vpn-logs"), opts=child)
        for site in s.vpn.customer_gateways:
            extended = site.bgp_asn > 2147483647  # AWS takes 4-byte ASNs in a field of their own
            cgw = aws.ec2.CustomerGateway(
                f"cgw-{site.name}", bgp_asn=None if extended else str(site.bgp_asn),
                bgp_asn_extended=str(site.bgp_asn) if extended else None, ip_address=str(site.ip_address),
                type="ipsec.1", device_name=site.name, tags=tags(f"cgw-{site.name}"), opts=child)
            keys = args.pre_shared_keys.get(site.name)
            log_options: aws.ec2.VpnConnectionTunnel1LogOptionsArgsDict = {"cloudwatch_log_options": {
                "log_enabled": True, "log_group_arn": vpn_logs.arn, "log_output_format": "json"}}
            log_options_2: aws.ec2.VpnConnectionTunnel2LogOptionsArgsDict = {"cloudwatch_log_options": {
                "log_enabled": True, "log_group_arn": vpn_logs.arn, "log_output_format": "json"}}
            vpn = aws.ec2.VpnConnection(
                f"vpn-{site.name}",
                customer_gateway_id=cgw.id,
                transit_gateway_id=tgw.id,
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
                tunnel1_log_options=log_options, tunnel2_log_options=log_options_2,
                tags=tags(f"vpn-{site.name}"),
                opts=pulumi.ResourceOptions(parent=cgw),
            )
            associate(f"vpn-{site.name}", vpn.transit_gateway_attachment_id, "hybrid")
            for prefix in site.prefixes:
                static(f"{site.name}-{prefix.network_address}", str(prefix), vpn.transit_gateway_attachment_id, "vpc")
            self.vpn_connection_ids[site.name] = vpn.id
            self.vpn_attachment_ids[site.name] = vpn.transit_gateway_attachment_id
            self.customer_gateway_ids[site.name] = cgw.id

        # --- Direct Connect for analytics ---------------------------------------------------------------------------
        self.dx_gateway_id = None
        dx_gateway_id: pulumi.Input[str] | None = None
        dx = s.gateway(args.role)  # the primary's gateway; None on the secondary, which associates with it
        dx_prefixes = [str(n) for n in dx.prefixes] if dx is not None else list(args.peer.dx_prefixes or [])
        if dx is not None:
            gateway = aws.directconnect.Gateway("dx-gateway", name=f"securecart-{env}-analytics",
                                                amazon_side_asn=str(dx.gateway_asn), opts=child)
            dx_gateway_id = gateway.id
            self.dx_gateway_id = gateway.id
            if dx.connection_id:
                long_asn = dx.customer_asn > 2147483646
                aws.directconnect.TransitVirtualInterface(
                    "dx-transit-vif", connection_id=dx.connection_id, dx_gateway_id=gateway.id,
                    name=f"securecart-{env}-analytics", vlan=dx.vlan,
                    bgp_asn=None if long_asn else dx.customer_asn,
                    bgp_asn_long=str(dx.customer_asn) if long_asn else None,
                    address_family="ipv4", mtu=8500, sitelink_enabled=False, tags=tags("dx-transit-vif"),
                    opts=pulumi.ResourceOptions(parent=gateway))
            else:
                pulumi.log.info("connectivity: no Direct Connect connection configured: the gateway and its "
                                "associations are ready for one (securecart:connectivity.directConnect.connectionId)",
                                resource=self)
        elif args.peer.dx_gateway_id:
            dx_gateway_id = args.peer.dx_gateway_id
        else:
            pulumi.log.info(f"connectivity: the Direct Connect association waits for "
                            f"{args.peer_stack or 'a peer stack'}'s dxGatewayId output", resource=self)
        self.dx_attachment_id = None
        if dx_gateway_id is not None:
            association = aws.directconnect.GatewayAssociation(
                "dx-association", dx_gateway_id=dx_gateway_id, associated_gateway_id=tgw.id,
                allowed_prefixes=summarise([args.vpc_cidr]), opts=tgw_opts)
            associate("dx", association.transit_gateway_attachment_id, "hybrid")
            for cidr in dx_prefixes:
                static(f"analytics-{ipaddress.IPv4Network(cidr).network_address}", cidr,
                       association.transit_gateway_attachment_id, "vpc")
            self.dx_attachment_id = association.transit_gateway_attachment_id

        # --- VPC peering with other accounts' and environments' VPCs ---------------------------------------------
        self.vpc_peering_connection_ids = {}
        private_groups = [g for g, t in args.group_types.items() if t is SubnetType.PRIVATE]
        for peer in s.vpc_peers:
            ours = peer.account_id is None
            same_region = peer.region == args.region
            connection = aws.ec2.VpcPeeringConnection(
                f"peering-{peer.name}",
                vpc_id=args.vpc_id,
                peer_vpc_id=peer.vpc_id,
                peer_owner_id=peer.account_id or args.account_id,
                peer_region=None if same_region else peer.region,
                auto_accept=True if ours and same_region else None,  # AWS accepts at once only within a region
                tags=tags(f"peering-{peer.name}", Peer=peer.name),
                opts=child,
            )
            accepted: list[pulumi.Resource] = [connection]
            if ours and not same_region:
                # The peer VPC is ours too: accept in its region (DESIGN §1's accepter case).
                accepted.append(aws.ec2.VpcPeeringConnectionAccepter(
                    f"peering-{peer.name}-accepter", vpc_peering_connection_id=connection.id, auto_accept=True,
                    region=peer.region, tags=tags(f"peering-{peer.name}", Peer=peer.name),
                    opts=pulumi.ResourceOptions(parent=connection)))
            if ours and same_region:
                # DNS names of either VPC resolve to private addresses across the peering; only possible once
                # the connection is active, and both sides are ours to set.
                aws.ec2.PeeringConnectionOptions(
                    f"peering-{peer.name}-options", vpc_peering_connection_id=connection.id,
                    requester={"allow_remote_vpc_dns_resolution": True},
                    accepter={"allow_remote_vpc_dns_resolution": True},
                    opts=pulumi.ResourceOptions(parent=connection, depends_on=accepted))
            elif ours:
                # Across regions each side's options are set in its own region.
                aws.ec2.PeeringConnectionOptions(
                    f"peering-{peer.name}-options", vpc_peering_connection_id=connection.id,
                    requester={"allow_remote_vpc_dns_resolution": True},
                    opts=pulumi.ResourceOptions(parent=connection, depends_on=accepted))
                aws.ec2.PeeringConnectionOptions(
                    f"peering-{peer.name}-accepter-options", vpc_peering_connection_id=connection.id,
                    accepter={"allow_remote_vpc_dns_resolution": True}, region=peer.region,
                    opts=pulumi.ResourceOptions(parent=connection, depends_on=accepted))
            for group in peer.route_groups or private_groups:
                for zone, table in args.route_tables[group].items():
                    aws.ec2.Route(
                        f"{group}-{zone}-to-vpc-peer-{peer.name}", route_table_id=table.id,
                        destination_cidr_block=str(peer.cidr), vpc_peering_connection_id=connection.id,
                        opts=pulumi.ResourceOptions(parent=table, depends_on=accepted))
            self.vpc_peering_connection_ids[peer.name] = connection.id

        self.dx_prefixes = dx_prefixes if dx is not None else []
        self.transit_gateway_id = tgw.id
        self.route_table_ids = {use: t.id for use, t in tables.items()}
        self.vpc_attachment_id = attachment.id
        self.done()

    def exports(self) -> ConnectivityOutputs:
        c = self.ctx.settings.connectivity
        assert c is not None
        return ConnectivityOutputs(
            transit_gateway_id=self.transit_gateway_id,
            transit_gateway_asn=c.transit_gateway.asn,
            transit_gateway_route_table_ids=self.route_table_ids,
            tgw_vpc_attachment_id=self.vpc_attachment_id,
            vpn_connection_ids=self.vpn_connection_ids,
            vpn_attachment_ids=self.vpn_attachment_ids,
            customer_gateway_ids=self.customer_gateway_ids,
            vpc_peering_connection_ids=self.vpc_peering_connection_ids,
            routed_networks=sorted({*(str(p.cidr) for p in c.vpc_peers), *(str(n) for n in c.on_premises())}),
            tgw_peering_attachment_id=self.peering_attachment_id,
            dx_gateway_id=self.dx_gateway_id,
            tgw_dx_attachment_id=self.dx_attachment_id,
            dx_prefixes=self.dx_prefixes if self.dx_gateway_id is not None else None,
        )
