"""Hybrid and cross-region connectivity: Transit Gateway, VPC peering, site-to-site VPN, Direct Connect."""

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import PolicyResource, ResourceValidationArgs, Severity, StackValidationArgs

from securecart_rules._common import (
    as_list,
    get,
    is_world,
    num,
    of_type,
    refs,
    tags_of,
    truthy,
)
from securecart_rules.network import _known, analytics_vpcs
from securecart_rules.registry import ADVISORY, MANDATORY, Report, StackReport, resource_rule, stack_rule
from securecart_rules.types import (
    DIRECTCONNECT_GATEWAY_ASSOCIATION,
    EC2_PEERING_CONNECTION_OPTIONS,
    EC2_ROUTE,
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

ACCEPTER_STACK_TAG = "securecart:accepter-stack"


# --- the Transit Gateway's segments, joined through property dependencies ----------------------------------------

ATTACHMENT_KINDS = {  # what an attachment ID is computed from -> the kind of attachment
    TGW_VPC_ATTACHMENT: "VPC", TGW_PEERING_ATTACHMENT: "peering", TGW_PEERING_ATTACHMENT_ACCEPTER: "peering",
    EC2_VPN_CONNECTION: "VPN", DIRECTCONNECT_GATEWAY_ASSOCIATION: "Direct Connect",
}


@dataclass
class TgwRoute:
    """A static route or a propagation in a Transit Gateway route table."""

    resource: PolicyResource
    propagated: bool
    targets: list[PolicyResource]  # the attachment(s) it sends to, or propagates from (by property dependency)

    @property
    def kinds(self) -> set[str]:
        return {ATTACHMENT_KINDS[t.resource_type] for t in self.targets if t.resource_type in ATTACHMENT_KINDS}


@dataclass
class TgwGraph:
    tables_of: dict[str, set[str]] = field(default_factory=dict)  # attachment URN -> its associated tables' keys
    routes_in: dict[str, list[TgwRoute]] = field(default_factory=dict)  # table key -> static routes, propagations

    def routes_from(self, attachment: str) -> list[TgwRoute]:
        """What the tables an attachment is associated with route: where its traffic can go."""
        return [r for key in sorted(self.tables_of.get(attachment, ())) for r in self.routes_in.get(key, [])]


def _tgw_table_key(resource: PolicyResource) -> str | None:
    """The route table a Transit Gateway association, route or propagation names: its table's URN, or the table ID
    when it is not one of this stack's."""
    deps = refs(resource, "transitGatewayRouteTableId")
    tables = [d for d in deps if d.resource_type == TGW_ROUTE_TABLE] or deps
    if tables:
        return tables[0].urn
    value = _known(resource.props, "transitGatewayRouteTableId")
    return str(value) if value else None


def tgw_graph(resources: list[PolicyResource]) -> TgwGraph:
    """The stack's Transit Gateway route tables: which attachments each serves and what it routes to."""
    graph = TgwGraph()
    for assoc in of_type(resources, TGW_ROUTE_TABLE_ASSOCIATION):
        if (key := _tgw_table_key(assoc)) is not None:
            for attachment in refs(assoc, "transitGatewayAttachmentId"):
                graph.tables_of.setdefault(attachment.urn, set()).add(key)
    for route in of_type(resources, TGW_ROUTE, TGW_ROUTE_TABLE_PROPAGATION):
        if (key := _tgw_table_key(route)) is not None:
            blackhole = truthy(_known(route.props, "blackhole"))  # it drops traffic, whatever attachment it names
            graph.routes_in.setdefault(key, []).append(TgwRoute(
                route, route.resource_type == TGW_ROUTE_TABLE_PROPAGATION,
                [] if blackhole else refs(route, "transitGatewayAttachmentId")))
    return graph


def _tgw_joined(resources: list[PolicyResource], graph: TgwGraph) -> set[frozenset[str]]:
    """Pairs of VPCs (URNs) the Transit Gateway joins: a table associated with one's attachment routes, statically
    or by propagation, to the other's attachment."""
    vpcs_of = {a.urn: [v.urn for v in refs(a, "vpcId")] for a in of_type(resources, TGW_VPC_ATTACHMENT)}
    joined: set[frozenset[str]] = set()
    for attachment, vpcs in vpcs_of.items():
        reached = {v for r in graph.routes_from(attachment) for t in r.targets for v in vpcs_of.get(t.urn, [])}
        joined |= {frozenset((a, b)) for a in vpcs for b in reached if a != b}
    return joined


@resource_rule(
    name="tgw-no-auto-accept",
    description="Transit gateways do not accept shared VPC attachments automatically.",
    source="FSBP EC2.23",
    types=[TGW_TRANSIT_GATEWAY], level=MANDATORY, severity=Severity.HIGH,
)
def tgw_no_auto_accept(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    if str(args.props.get("autoAcceptSharedAttachments") or "disable").lower() == "enable":
        report("The transit gateway accepts shared attachments automatically: set "
               "auto_accept_shared_attachments='disable' and accept each one deliberately.")


@resource_rule(
    name="tgw-segmented",
    description="Transit gateways keep default route-table association and propagation off, so attachments are "
                "segmented by explicit route tables.",
    source="catalogue gap: TGW segmentation",
    types=[TGW_TRANSIT_GATEWAY], level=MANDATORY, severity=Severity.HIGH,
)
def tgw_segmented(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    # AWS enables both when they are left out.
    for prop, arg in (("defaultRouteTableAssociation", "default_route_table_association"),
                      ("defaultRouteTablePropagation", "default_route_table_propagation")):
        if str(args.props.get(prop) or "enable").lower() != "disable":
            report(f"Every attachment joins the default route table ({prop} is enabled): set {arg}='disable' and "
                   f"associate attachments with explicit route tables (production, VPN/DX, peering).")


@stack_rule(
    name="tgw-peering-accepted-in-code",
    description="Every Transit Gateway peering attachment is accepted by an accepter resource, never by hand.",
    source="catalogue gap: cross-region peering accepted by an accepter",
    level=MANDATORY, severity=Severity.MEDIUM,
)
def tgw_peering_accepted_in_code(args: StackValidationArgs, report: StackReport, _: Mapping[str, Any]) -> None:
    accepted = {p.urn for a in of_type(args.resources, TGW_PEERING_ATTACHMENT_ACCEPTER)
                for p in refs(a, "transitGatewayAttachmentId")}
    for peering in of_type(args.resources, TGW_PEERING_ATTACHMENT):
        if peering.urn in accepted:
            continue
        if tags_of(peering.props).get(ACCEPTER_STACK_TAG):
            continue
        report(f"Nothing in code accepts this cross-region peering: add a PeeringAttachmentAccepter (in this stack, "
               f"or in the peer stack and name it in the '{ACCEPTER_STACK_TAG}' tag).", peering.urn)


MAX_PEERINGS = {"maxPeeringsPerVpc": {"type": "integer", "minimum": 0, "default": 2,
                                      "description": "Most VPC peering connections one VPC may have before the "
                                                     "traffic belongs on Transit Gateway."}}


@stack_rule(
    name="inter-vpc-through-transit-gateway",
    description="Inter-VPC and cross-region traffic goes through Transit Gateway, not a mesh of VPC peerings; two "
                "VPCs of this stack that are peered (point to point, as the application and analytics VPCs are) are "
                "not also joined through the Transit Gateway, so each pair has one path.",
    source="seed: Transit Gateway with cross-region peering; seed: application VPC peered with the dedicated "
           "analytics VPC",
    level=MANDATORY, severity=Severity.MEDIUM, config=MAX_PEERINGS,
)
def inter_vpc_through_transit_gateway(args: StackValidationArgs, report: StackReport,
                                      settings: Mapping[str, Any]) -> None:
    resources = list(args.resources)
    own = {v.urn for v in of_type(resources, EC2_VPC)}
    joined = _tgw_joined(resources, tgw_graph(resources))
    count: dict[str, int] = {}
    for p in of_type(resources, EC2_VPC_PEERING_CONNECTION):
        requester = {v.urn for v in refs(p, "vpcId")}
        peer = {v.urn for v in refs(p, "peerVpcId")}
        if any(frozenset((a, b)) in joined for a in requester & own for b in peer & own):
            report("This peering joins two VPCs of this stack that the Transit Gateway also joins (a route table "
                   "associated with one's attachment routes to the other's): two paths between them make routing "
                   "asymmetric. Keep the peering and give neither VPC's segment a route or propagation to the "
                   "other's attachment, or drop the peering.", p.urn)
        for urn in requester | peer:
            count[urn] = count.get(urn, 0) + 1
    for vpc in of_type(args.resources, EC2_VPC):
        if count.get(vpc.urn, 0) > int(settings["maxPeeringsPerVpc"]):
            report(f"The VPC has {count[vpc.urn]} peering connections, a mesh in the making: carry inter-VPC and "
                   f"cross-region traffic on the Transit Gateway.", vpc.urn)


@stack_rule(
    name="vpc-peering-no-overlap",
    description="Routes to peered VPCs never overlap the local VPC's CIDR.",
    source="catalogue gap: no overlapping CIDRs on VPC peering",
    level=MANDATORY, severity=Severity.HIGH,
)
def vpc_peering_no_overlap(args: StackValidationArgs, report: StackReport, _: Mapping[str, Any]) -> None:
    for route in of_type(args.resources, EC2_ROUTE):
        if not route.props.get("vpcPeeringConnectionId"):
            continue
        dest = route.props.get("destinationCidrBlock")
        for table in refs(route, "routeTableId"):
            for vpc in refs(table, "vpcId"):
                try:
                    ours = ipaddress.ip_network(str(vpc.props.get("cidrBlock")))
                    theirs = ipaddress.ip_network(str(dest))
                except ValueError:
                    continue
                if ours.overlaps(theirs):
                    report(f"The route sends {dest} to a peering, but it overlaps this VPC's {ours}: peered "
                           f"networks must not overlap.", route.urn)


@resource_rule(
    name="vpn-tunnel-logging",
    description="Both tunnels of every site-to-site VPN log to CloudWatch Logs.",
    source="FSBP EC2.20 (both tunnels), EC2.171 (tunnel logging)",
    types=[EC2_VPN_CONNECTION], level=MANDATORY, severity=Severity.MEDIUM,
)
def vpn_tunnel_logging(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    for n in (1, 2):
        opts = get(args.props, f"tunnel{n}LogOptions", "cloudwatchLogOptions")
        if not truthy(get(opts, "logEnabled")) or not get(opts, "logGroupArn"):
            report(f"Tunnel {n} does not log to CloudWatch Logs: set tunnel{n}_log_options with log_enabled=True "
                   f"and a log group.")


# What a site-to-site VPN tunnel may negotiate (the program's tunnel options must stay within these: a test holds
# components.connectivity's IKE lists to them).
IKE_VERSIONS = ("ikev2",)
VPN_ENCRYPTION_ALGORITHMS = ("AES256", "AES256-GCM-16")
VPN_INTEGRITY_ALGORITHMS = ("SHA2-256", "SHA2-384", "SHA2-512")
VPN_DH_GROUPS = (19, 20, 21)

VPN_CRYPTO: dict[str, dict[str, Any]] = {
    "encryptionAlgorithms": {"type": "array", "items": {"type": "string"},
                             "default": list(VPN_ENCRYPTION_ALGORITHMS),
                             "description": "Phase 1 and 2 encryption algorithms allowed."},
    "integrityAlgorithms": {"type": "array", "items": {"type": "string"},
                            "default": list(VPN_INTEGRITY_ALGORITHMS),
                            "description": "Phase 1 and 2 integrity algorithms allowed."},
    "dhGroups": {"type": "array", "items": {"type": "integer"}, "default": list(VPN_DH_GROUPS),
                 "description": "Phase 1 and 2 Diffie-Hellman groups allowed."},
}


@resource_rule(
    name="vpn-strong-crypto",
    description="Site-to-site VPN tunnels use IKEv2 only, with strong phase 1 and phase 2 algorithms.",
    source="catalogue gap: VPN IKEv2 and strong algorithms",
    types=[EC2_VPN_CONNECTION], level=MANDATORY, severity=Severity.HIGH, config=VPN_CRYPTO,
)
def vpn_strong_crypto(args: ResourceValidationArgs, report: Report, settings: Mapping[str, Any]) -> None:
    allowed: dict[str, set[Any]] = {
        "EncryptionAlgorithms": {str(a) for a in settings["encryptionAlgorithms"]},
        "IntegrityAlgorithms": {str(a) for a in settings["integrityAlgorithms"]},
        "DhGroupNumbers": {float(g) for g in settings["dhGroups"]},
    }
    for n in (1, 2):
        versions = [str(v) for v in as_list(args.props.get(f"tunnel{n}IkeVersions"))]
        if versions != list(IKE_VERSIONS):
            report(f"Tunnel {n} allows IKE versions {versions or ['ikev1', 'ikev2']}: set tunnel{n}_ike_versions="
                   f"{list(IKE_VERSIONS)}.")
        for phase in (1, 2):
            for kind, ok in allowed.items():
                prop = f"tunnel{n}Phase{phase}{kind}"
                values = as_list(args.props.get(prop))
                got: set[Any] = {num(v) for v in values} if kind == "DhGroupNumbers" else {str(v) for v in values}
                if not values or not got <= ok:
                    shown = sorted(str(v) for v in values) or ["AWS defaults, which include weak ones"]
                    report(f"Tunnel {n} phase {phase} {kind}: {', '.join(shown)}; allow only "
                           f"{', '.join(sorted(str(int(x)) if isinstance(x, float) else str(x) for x in ok))}.")


DX_PREFIX = {"shortestPrefix": {"type": "integer", "minimum": 1, "maximum": 32, "default": 12,
                                "description": "Shortest prefix length an allowed prefix may have."}}


@resource_rule(
    name="dx-allowed-prefixes-restricted",
    description="Direct Connect gateway associations advertise only restricted, explicit prefixes.",
    source="catalogue gap: Direct Connect allowed prefixes",
    types=[DIRECTCONNECT_GATEWAY_ASSOCIATION], level=MANDATORY, severity=Severity.HIGH, config=DX_PREFIX,
)
def dx_allowed_prefixes_restricted(args: ResourceValidationArgs, report: Report, settings: Mapping[str, Any]) -> None:
    prefixes = [str(p) for p in as_list(args.props.get("allowedPrefixes"))]
    if not prefixes:
        report("The Direct Connect association advertises every prefix it can: list allowed_prefixes (the VPC "
               "CIDRs, summarised).")
        return
    for p in prefixes:
        try:
            net = ipaddress.ip_network(p, strict=False)
        except ValueError:
            report(f"Allowed prefix {p!r} is not a network.")
            continue
        if is_world(p) or net.prefixlen < int(settings["shortestPrefix"]):
            report(f"Allowed prefix {p} is broader than /{settings['shortestPrefix']}: advertise only SecureCart's "
                   f"VPC ranges.")


@stack_rule(
    name="tgw-attachment-in-dedicated-subnets",
    description="Transit Gateway VPC attachments use dedicated attachment subnets, one in every AZ of the VPC.",
    source="seed: Transit Gateway; catalogue gap (AWS TGW design guidance: dedicated /28 attachment subnets)",
    level=MANDATORY, severity=Severity.MEDIUM,
)
def tgw_attachment_in_dedicated_subnets(args: StackValidationArgs, report: StackReport, _: Mapping[str, Any]) -> None:
    all_subnets = of_type(args.resources, EC2_SUBNET)
    for attachment in of_type(args.resources, TGW_VPC_ATTACHMENT):
        subnets = [r for r in refs(attachment, "subnetIds") if r.resource_type == EC2_SUBNET]
        vpcs = {v.urn for v in refs(attachment, "vpcId")}
        zones = {str(sn.props.get("availabilityZone")) for sn in all_subnets
                 if {v.urn for v in refs(sn, "vpcId")} & vpcs}
        missing = sorted(zones - {str(sn.props.get("availabilityZone")) for sn in subnets})
        if subnets and missing:
            report(f"The VPC attachment has no subnet in {', '.join(missing)}: workloads there cannot reach the "
                   f"Transit Gateway, and an AZ loss elsewhere cuts them off. Attach one subnet in every AZ.",
                   attachment.urn)
        shared = sorted({str(t) for sn in subnets if (t := tags_of(sn.props).get("Tier")) != "attachment"})
        if shared:
            report(f"The VPC attachment's ENIs sit in {', '.join(shared)} subnets: give them small subnets of their "
                   f"own (a subnet group of type attachment, Tier=attachment in every AZ), so workload routes and "
                   f"NACLs never apply to transit traffic.", attachment.urn)


@stack_rule(
    name="tgw-attachments-associated",
    description="Every Transit Gateway attachment (VPC, VPN, Direct Connect, accepted peering) is associated with "
                "an explicit route table.",
    source="seed: Transit Gateway; catalogue gap (segmentation by explicit route tables)",
    level=MANDATORY, severity=Severity.MEDIUM,
)
def tgw_attachments_associated(args: StackValidationArgs, report: StackReport, _: Mapping[str, Any]) -> None:
    associated = {r.urn for a in of_type(args.resources, TGW_ROUTE_TABLE_ASSOCIATION)
                  for r in refs(a, "transitGatewayAttachmentId")}
    accepted_here = {r.urn for a in of_type(args.resources, TGW_PEERING_ATTACHMENT_ACCEPTER)
                     for r in refs(a, "transitGatewayAttachmentId")}
    candidates = [*of_type(args.resources, TGW_VPC_ATTACHMENT, DIRECTCONNECT_GATEWAY_ASSOCIATION),
                  *[v for v in of_type(args.resources, EC2_VPN_CONNECTION) if v.props.get("transitGatewayId")],
                  *[p for p in of_type(args.resources, TGW_PEERING_ATTACHMENT) if p.urn in accepted_here]]
    for attachment in candidates:
        if attachment.urn in associated:
            continue
        if attachment.resource_type == TGW_VPC_ATTACHMENT and truthy(
                attachment.props.get("transitGatewayDefaultRouteTableAssociation", True)) and not any(
                str(t.props.get("defaultRouteTableAssociation") or "enable").lower() == "disable"
                for t in refs(attachment, "transitGatewayId")):
            continue  # the gateway's default route table takes it (tgw-segmented says whether that is allowed)
        report("Nothing associates this Transit Gateway attachment with a route table: with default association "
               "off it routes nothing. Add a RouteTableAssociation for its segment.", attachment.urn)


@resource_rule(
    name="vpn-on-transit-gateway-with-bgp",
    description="Site-to-site VPNs end on the Transit Gateway and route with BGP.",
    source="seed: site-to-site VPN for developers; catalogue gap",
    types=[EC2_VPN_CONNECTION], level=MANDATORY, severity=Severity.MEDIUM,
)
def vpn_on_transit_gateway_with_bgp(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    if not args.props.get("transitGatewayId"):
        report("The VPN ends on a virtual private gateway: attach it to the Transit Gateway so segmentation and "
               "cross-region routing apply to it.")
    if truthy(args.props.get("staticRoutesOnly")):
        report("The VPN uses static routes: use BGP (static_routes_only=False) so routes follow the tunnels' "
               "health.")


@stack_rule(
    name="vpc-peering-dns-resolution",
    description="VPC peerings this stack accepts resolve the peer's DNS names to private addresses.",
    source="catalogue gap: VPC peering allowRemoteVpcDnsResolution considered",
    level=ADVISORY, severity=Severity.LOW,
)
def vpc_peering_dns_resolution(args: StackValidationArgs, report: StackReport, _: Mapping[str, Any]) -> None:
    accepted = {r.urn for a in of_type(args.resources, EC2_VPC_PEERING_CONNECTION_ACCEPTER)
                for r in refs(a, "vpcPeeringConnectionId")}
    sides: dict[str, set[str]] = {}
    for o in of_type(args.resources, EC2_PEERING_CONNECTION_OPTIONS):
        for r in refs(o, "vpcPeeringConnectionId"):
            for side in ("requester", "accepter"):
                if truthy(get(o.props, side, "allowRemoteVpcDnsResolution")):
                    sides.setdefault(r.urn, set()).add(side)
    for peering in of_type(args.resources, EC2_VPC_PEERING_CONNECTION):
        ours = truthy(peering.props.get("autoAccept")) or peering.urn in accepted
        if not ours:
            continue  # the other account accepts; options can be set only once it has
        have = sides.get(peering.urn, set()) | {side for side in ("requester", "accepter")
                                                if truthy(get(peering.props, side, "allowRemoteVpcDnsResolution"))}
        missing = sorted({"requester", "accepter"} - have)
        if missing:
            report(f"Both sides of this peering are ours but the {' and '.join(missing)} side(s) resolve the other "
                   f"VPC's DNS names to public addresses: allow remote VPC DNS resolution (PeeringConnectionOptions, "
                   f"in each side's region).", peering.urn)


def _into_analytics_table(route: TgwRoute, analytics: set[str]) -> str | None:
    """What is wrong with a static route or propagation in a table an analytics VPC attachment is associated with."""
    if route.propagated:
        if any(t.urn in analytics for t in route.targets):
            return None
        source = " or ".join(sorted(route.kinds)) or "another"
        return f"The {source} attachment propagates its routes into the analytics VPC's Transit Gateway route table"
    others = sorted(route.kinds - {"Direct Connect"})
    if not others:
        return None  # Direct Connect, or a blackhole
    return (f"The analytics VPC's Transit Gateway route table has a static route to a {' and '.join(others)} "
            f"attachment")


TRANSIT_WHY = ("the analytics VPC must not become a transit between the application VPC and on-premises (nor reach "
               "VPN sites or the peer region). Its segment holds only static routes to the Direct Connect "
               "attachment; the application VPC reaches it only through the VPC peering.")


@stack_rule(
    name="analytics-vpc-not-transit",
    description="The Transit Gateway route tables an analytics VPC's attachment is associated with hold only static "
                "routes to Direct Connect gateway associations (or blackholes): no static route to a VPC, peering or "
                "VPN attachment, no propagation from another attachment; and no route table associated with another "
                "VPC attachment routes or propagates to the analytics attachment.",
    source="seed: dedicated analytics VPC, fed over Direct Connect and peered with the application VPC; AWS "
           "Transit Gateway isolated-VPC segmentation",
    level=MANDATORY, severity=Severity.HIGH,
)
def analytics_vpc_not_transit(args: StackValidationArgs, report: StackReport, _: Mapping[str, Any]) -> None:
    resources = list(args.resources)
    vpcs = {v.urn for v in analytics_vpcs(resources)}
    attachments = of_type(resources, TGW_VPC_ATTACHMENT)
    analytics = {a.urn for a in attachments if any(v.urn in vpcs for v in refs(a, "vpcId"))}
    if not analytics:
        return
    graph = tgw_graph(resources)
    own = {r.resource.urn: r for a in analytics for r in graph.routes_from(a)}
    for urn, route in own.items():
        if (problem := _into_analytics_table(route, analytics)) is not None:
            report(f"{problem}: {TRANSIT_WHY}", urn)
    for attachment in (a for a in attachments if a.urn not in analytics):
        for route in graph.routes_from(attachment.urn):
            if any(t.urn in analytics for t in route.targets):
                how = "propagates the analytics VPC's attachment into" if route.propagated else \
                    "is a static route to the analytics VPC's attachment in"
                report(f"This {how} the route table of VPC attachment '{attachment.name}': {TRANSIT_WHY}",
                       route.resource.urn)
