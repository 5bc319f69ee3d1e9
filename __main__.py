"""SecureCart Network: the stack's tiers in dependency order (DESIGN §1, §3). Adding a tier is one module under
``components/`` and one line here; what crosses to the peer stack is declared in ``components/contract.py``."""

from typing import Any

import pulumi

from components.analytics import AnalyticsTier, AnalyticsTierArgs
from components.connectivity import ConnectivityTier, ConnectivityTierArgs
from components.context import StackContext
from components.contract import (
    PeerCapacity,
    PeerConnectivity,
    PeerData,
    PeerEdge,
    PeerRegion,
    PeerShield,
    StackOutputs,
    export,
    read_peer,
)
from components.data import DataTier, DataTierArgs
from components.delivery import DeliveryTier, DeliveryTierArgs, waiting_services
from components.dns import DnsTier, DnsTierArgs, EdgeFacts
from components.edge import EdgeTier, EdgeTierArgs
from components.inspection import InspectionTier, InspectionTierArgs
from components.monitoring import MonitoringTier, MonitoringTierArgs
from components.network import NetworkTier, NetworkTierArgs
from components.partners import build_partners
from components.privatelink import PrivateLinkTier, PrivateLinkTierArgs, processor_zones
from components.settings import load_settings
from components.settings.cross_region import check_peer
from components.shield import ShieldTier, ShieldTierArgs


async def main() -> dict[str, Any]:
    s = load_settings()
    ctx = await StackContext.create(s)
    peer = await read_peer(s.peer_stack, s.role)
    region, edge_peer = peer.view(PeerRegion), peer.view(PeerEdge)
    check_peer(ctx.stack, s, region.vpc_cidr, region.transit_gateway_asn, region.routed_networks)

    network = NetworkTier("network", ctx, NetworkTierArgs(s.application_plan, inspected_groups=s.inspected_groups))
    inspection = InspectionTier("inspection", ctx, InspectionTierArgs(network)) if s.delivery else None
    # The zone and every certificate (the primary's), before the listeners that serve them.
    dns = DnsTier("dns", ctx, DnsTierArgs(network, [s.region, *([edge_peer.region] if edge_peer.region else [])])) \
        if s.edge else None
    facts = EdgeFacts.of(s, dns, edge_peer)
    delivery = DeliveryTier("delivery", ctx, DeliveryTierArgs(
        network, await waiting_services(ctx), facts.certificate_arn, facts.health_check_path,
        edge_peer.origin_verify_values, edge_peer.origin_verify_header, s.private_egress,
        s.private_link.service if s.private_link else None,
        peer.view(PeerCapacity).peak_requests_per_second)) if s.delivery else None
    partners = build_partners(ctx, network, delivery, facts)
    private_link = PrivateLinkTier("privatelink", ctx, PrivateLinkTierArgs(
        delivery, dns, facts.domain, edge_peer, await processor_zones(ctx))) if s.private_link and delivery else None
    edge = EdgeTier("edge", ctx, EdgeTierArgs(network, dns, delivery, edge_peer, partners)) \
        if dns and dns.ready and delivery else None
    analytics = AnalyticsTier("analytics", ctx, AnalyticsTierArgs(network, delivery)) if s.analytics else None
    links = ConnectivityTier("connectivity", ctx, ConnectivityTierArgs(network, peer.view(PeerConnectivity),
                                                                       analytics)) if s.connectivity else None
    data = DataTier("data", ctx, DataTierArgs(network, delivery, peer.view(PeerData), edge.distribution.arn if edge
                                              else edge_peer.distribution_arn)) if s.data else None
    shield = ShieldTier("shield", ctx, ShieldTierArgs(network, delivery, dns, edge, peer.view(PeerShield)))
    # Last: every alarm of the stack, on what the tiers above built.
    monitoring = MonitoringTier("monitoring", ctx, MonitoringTierArgs(network, delivery, data, links, edge, partners,
                                                                      analytics))

    return export(StackOutputs(region=s.region, role=str(s.role)), *(
        tier.exports() if tier else None for tier in (network, inspection, dns, delivery, partners, private_link,
                                                       edge, analytics, links, data, shield, monitoring)))


pulumi.run(main)
