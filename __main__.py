"""SecureCart Network: the stack's tiers in dependency order (DESIGN §1, §3). Adding a tier is one module under
``components/`` and one line here; what crosses to the peer stack is declared in ``components/contract.py``."""

from typing import Any

import pulumi

from components.connectivity import ConnectivityTier, ConnectivityTierArgs
from components.context import StackContext
from components.contract import PeerConnectivity, PeerData, PeerRegion, StackOutputs, export, read_peer
from components.data import DataTier, DataTierArgs
from components.delivery import DeliveryTier, DeliveryTierArgs, waiting_services
from components.inspection import InspectionTier, InspectionTierArgs
from components.network import NetworkTier, NetworkTierArgs
from components.settings import load_settings
from components.settings.cross_region import check_peer


async def main() -> dict[str, Any]:
    s = load_settings()
    ctx = await StackContext.create(s)
    peer = await read_peer(s.peer_stack, s.role)
    region = peer.view(PeerRegion)
    check_peer(ctx.stack, s, region.vpc_cidr, region.transit_gateway_asn, region.routed_networks)

    network = NetworkTier("network", ctx, NetworkTierArgs(inspected_groups=s.inspected_groups))
    inspection = InspectionTier("inspection", ctx, InspectionTierArgs(network)) if s.delivery else None
    delivery = DeliveryTier("delivery", ctx, DeliveryTierArgs(network, await waiting_services(ctx))) \
        if s.delivery else None
    links = ConnectivityTier("connectivity", ctx, ConnectivityTierArgs(network, peer.view(PeerConnectivity))) \
        if s.connectivity else None
    data = DataTier("data", ctx, DataTierArgs(network, delivery, peer.view(PeerData))) if s.data else None

    return export(StackOutputs(region=s.region, role=str(s.role)), *(
        tier.exports() if tier else None for tier in (network, inspection, delivery, links, data)))


pulumi.run(main)
