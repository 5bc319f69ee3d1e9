"""Rules across the two region stacks: checked over both stack files by the synth, and over the peer's
outputs at deploy time.
"""

from collections.abc import Mapping

from components.settings.stack import StackSettings
from components.settings.types import NAMESPACE, Role


def check_stack_set(stacks: Mapping[str, StackSettings]) -> list[str]:
    """Rules across stacks: one primary, peers that exist, distinct regions, no overlapping VPC CIDRs."""
    problems: list[str] = []
    primaries = [name for name, s in stacks.items() if s.role is Role.PRIMARY]
    if len(stacks) > 1 and len(primaries) != 1:
        problems.append(f"{NAMESPACE}:role: exactly one stack must be primary, found "
                        f"{len(primaries)} ({', '.join(primaries) or 'none'})")
    names = sorted(stacks)
    for i, a in enumerate(names):
        sa = stacks[a]
        if sa.peer_stack is not None and sa.peer_stack not in stacks:
            problems.append(f"{NAMESPACE}:peerStack: Pulumi.{a}.yaml names '{sa.peer_stack}', which has no "
                            f"stack file (known: {', '.join(names)})")
        for b in names[i + 1:]:
            sb = stacks[b]
            if sa.region == sb.region:
                problems.append(f"aws:region: stacks {a} and {b} are both in {sa.region}: each region stack "
                                f"needs its own region")
            if sa.peer_stack == b and (sa.data is None) != (sb.data is None):
                has, lacks = (a, b) if sa.data is not None else (b, a)
                problems.append(f"{NAMESPACE}:data: {has} has a data tier and its peer {lacks} has none: the "
                                f"replica, the sessions replica and image replication need both; set "
                                f"{NAMESPACE}:data in Pulumi.{lacks}.yaml (an empty object takes the defaults)")
            for primary, secondary in ((a, b), (b, a)):
                sp, ss = stacks[primary], stacks[secondary]
                if (sp.role is Role.PRIMARY and ss.role is Role.SECONDARY and sp.data is not None
                        and ss.data is not None and sp.peer_stack == secondary
                        and ss.region not in sp.data.sessions.replica_regions):
                    problems.append(f"{NAMESPACE}:data.sessions.replicaRegions: {primary} lists no replica in "
                                    f"{secondary}'s region {ss.region}, where its services read sessions: add "
                                    f"{ss.region}")
            ca, cb = sa.connectivity, sb.connectivity
            if sa.peer_stack == b and (ca is None) != (cb is None):
                has, lacks = (a, b) if ca is not None else (b, a)
                problems.append(f"{NAMESPACE}:connectivity: {has} has a Transit Gateway and its peer {lacks} has "
                                f"none: the cross-region peering needs both; set {NAMESPACE}:connectivity in "
                                f"Pulumi.{lacks}.yaml")
            if ca is not None and cb is not None:
                if ca.transit_gateway.asn == cb.transit_gateway.asn:
                    problems.append(f"{NAMESPACE}:connectivity.transitGateway.asn: {a} and {b} both use "
                                    f"{ca.transit_gateway.asn}: peered Transit Gateways need distinct ASNs")
                for x, cx, y, cy in ((a, ca, b, cb), (b, cb, a, ca)):
                    dx = cx.gateway(stacks[x].role)
                    if dx is not None and dx.gateway_asn == cy.transit_gateway.asn:
                        problems.append(f"{NAMESPACE}:connectivity.directConnect.gatewayAsn: {x}'s Direct Connect "
                                        f"gateway uses {y}'s Transit Gateway ASN {cy.transit_gateway.asn}: the "
                                        f"two must differ")
                for net_a in ca.on_premises():
                    for net_b in cb.on_premises():
                        if net_a.overlaps(net_b):  # equal ones too: the secondary routes both in one table
                            problems.append(f"{NAMESPACE}:connectivity: {a}'s site prefix {net_a} overlaps {b}'s "
                                            f"{net_b}: SecureCart's sites need distinct networks")
            for x, sx, y, sy in ((a, sa, b, sb), (b, sb, a, sa)):
                links = sx.connectivity
                if links is None:
                    continue
                routed = [(f"vpcPeers '{p.name}'", p.cidr) for p in links.vpc_peers]
                routed += [(f"site prefix {n}", n) for n in links.on_premises()]
                for what, net in routed:
                    if net.overlaps(sy.network.cidr):
                        problems.append(f"{NAMESPACE}:connectivity: {x}'s {what} ({net}) overlaps {y}'s VPC "
                                        f"{sy.network.cidr}: routed networks must be distinct")
            if sa.data is not None and sb.data is not None and (
                    (sa.data.database.engine, sa.data.database.engine_version)
                    != (sb.data.database.engine, sb.data.database.engine_version)):
                problems.append(
                    f"{NAMESPACE}:data.database.engineVersion: {a} runs {sa.data.database.engine} "
                    f"{sa.data.database.engine_version} but {b} runs {sb.data.database.engine} "
                    f"{sb.data.database.engine_version}: the read replica takes the writer's engine, so set the "
                    f"same engine and version in both stack files")
            if sa.data is not None and sb.data is not None and sa.images_bucket_name == sb.images_bucket_name:
                problems.append(f"{NAMESPACE}:data.images.bucketName: {a} and {b} both name "
                                f"'{sa.images_bucket_name}': bucket names are global, give each region its own")
            if sa.network.cidr.overlaps(sb.network.cidr):
                problems.append(
                    f"{NAMESPACE}:network.cidr: {a}'s {sa.network.cidr} overlaps {b}'s {sb.network.cidr}: "
                    f"give each region its own range so routing between them works"
                )
    return problems
