"""Rules across the region stacks, in one place for both times they run:

- the synth checks them over every stack file (``check_stack_set``), before any program runs;
- ``pulumi up`` of one stack checks them against what its peer exported (``check_peer``), since only the peer's
  outputs are at hand then.

Both describe each stack as ``RegionFacts``; a fact the peer's outputs do not carry is ``None`` and the rules that
need it are left to the synth.
"""

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi

from components.settings.stack import StackSettings
from components.settings.types import NAMESPACE, ConfigError, Role

Net = ipaddress.IPv4Network
ANALYTICS = "analytics VPC"  # how the rules name the analytics VPC among the routed networks


@dataclass(frozen=True)
class RegionFacts:
    """What one stack brings to the cross-region rules."""

    stack: str
    vpc: Net
    tgw_asn: int | None = None
    dx_gateway_asn: int | None = None  # the Direct Connect gateway this stack owns (the primary's)
    # What it routes besides the VPCs, each with how to name it: peered VPCs, site and Direct Connect prefixes.
    routed: Sequence[tuple[str, Net]] = ()
    sites: Sequence[Net] = ()  # the on-premises prefixes among them (from a stack file only)
    settings: StackSettings | None = field(default=None, compare=False)  # for the rules between stack files

    @staticmethod
    def of_settings(stack: str, s: StackSettings) -> "RegionFacts":
        c = s.connectivity
        analytics = [(ANALYTICS, s.analytics.cidr)] if s.analytics is not None else []
        if c is None:
            return RegionFacts(stack, s.network.cidr, routed=analytics, settings=s)
        dx = c.gateway(s.role)
        return RegionFacts(
            stack, s.network.cidr, tgw_asn=c.transit_gateway.asn,
            dx_gateway_asn=dx.gateway_asn if dx is not None else None,
            routed=[*analytics, *((f"vpcPeers '{p.name}'", p.cidr) for p in c.vpc_peers),
                    *((f"site prefix {n}", n) for n in c.on_premises())],
            sites=c.on_premises(), settings=s)

    @staticmethod
    def of_outputs(stack: str, vpc: Net, tgw_asn: int | None, routed: Sequence[Net] | None) -> "RegionFacts":
        return RegionFacts(stack, vpc, tgw_asn=tgw_asn, routed=[(f"routed network {n}", n) for n in routed or []])


def pair_problems(a: RegionFacts, b: RegionFacts) -> list[str]:
    """Every rule between two region stacks that their facts allow checking."""
    problems: list[str] = []
    if a.vpc.overlaps(b.vpc):
        problems.append(f"{NAMESPACE}:network.cidr: {a.stack}'s {a.vpc} overlaps {b.stack}'s {b.vpc}: give each "
                        f"region its own range so routing between them works")
    if a.tgw_asn is not None and a.tgw_asn == b.tgw_asn:
        problems.append(f"{NAMESPACE}:connectivity.transitGateway.asn: {a.stack} and {b.stack} both use "
                        f"{a.tgw_asn}: peered Transit Gateways need distinct ASNs")
    reported: set[tuple[Net, Net]] = set()
    for x, y in ((a, b), (b, a)):
        if x.dx_gateway_asn is not None and x.dx_gateway_asn == y.tgw_asn:
            problems.append(f"{NAMESPACE}:connectivity.directConnect.gatewayAsn: {x.stack}'s Direct Connect gateway "
                            f"uses {y.stack}'s Transit Gateway ASN {y.tgw_asn}: the two must differ")
        for what, net in x.routed:
            if net.overlaps(y.vpc):
                key = "analytics.cidr" if what.startswith(ANALYTICS) else "connectivity"
                problems.append(f"{NAMESPACE}:{key}: {x.stack}'s {what} ({net}) overlaps {y.stack}'s VPC "
                                f"{y.vpc}: routed networks must be distinct")
        for site in x.sites:
            for what, theirs in y.routed:
                # Equal ones too: the secondary routes both regions' sites in one Transit Gateway table.
                if site.overlaps(theirs) and (theirs, site) not in reported:
                    reported.add((site, theirs))
                    problems.append(f"{NAMESPACE}:connectivity: {x.stack}'s site prefix {site} overlaps "
                                    f"{y.stack}'s {what}: SecureCart's sites need distinct networks")
    if a.settings is not None and b.settings is not None:
        problems += _file_problems(a.stack, a.settings, b.stack, b.settings)
    return problems


def _file_problems(a: str, sa: StackSettings, b: str, sb: StackSettings) -> list[str]:
    """The rules only both stack files can answer: which tiers each builds and how they must match."""
    problems: list[str] = []
    if sa.region == sb.region:
        problems.append(f"aws:region: stacks {a} and {b} are both in {sa.region}: each region stack needs its own "
                        f"region")
    peers = sa.peer_stack == b or sb.peer_stack == a
    if peers and (sa.data is None) != (sb.data is None):
        has, lacks = (a, b) if sa.data is not None else (b, a)
        problems.append(f"{NAMESPACE}:data: {has} has a data tier and its peer {lacks} has none: the replica, the "
                        f"sessions replica and image replication need both; set {NAMESPACE}:data in "
                        f"Pulumi.{lacks}.yaml (an empty object takes the defaults)")
    if peers and (sa.connectivity is None) != (sb.connectivity is None):
        has, lacks = (a, b) if sa.connectivity is not None else (b, a)
        problems.append(f"{NAMESPACE}:connectivity: {has} has a Transit Gateway and its peer {lacks} has none: the "
                        f"cross-region peering needs both; set {NAMESPACE}:connectivity in Pulumi.{lacks}.yaml")
    for primary, sp, secondary, ss in ((a, sa, b, sb), (b, sb, a, sa)):
        if (sp.role is Role.PRIMARY and ss.role is Role.SECONDARY and sp.data is not None and ss.data is not None
                and sp.peer_stack == secondary and ss.region not in sp.data.sessions.replica_regions):
            problems.append(f"{NAMESPACE}:data.sessions.replicaRegions: {primary} lists no replica in {secondary}'s "
                            f"region {ss.region}, where its services read sessions: add {ss.region}")
    for primary, sp, secondary, ss in ((a, sa, b, sb), (b, sb, a, sa)):
        if peers and sp.edge is not None:
            problems += _edge_problems(primary, sp, secondary, ss)
    if sa.data is not None and sb.data is not None:
        da, db = sa.data.database, sb.data.database
        if (da.engine, da.engine_version) != (db.engine, db.engine_version):
            problems.append(f"{NAMESPACE}:data.database.engineVersion: {a} runs {da.engine} {da.engine_version} but "
                            f"{b} runs {db.engine} {db.engine_version}: the read replica takes the writer's engine, "
                            f"so set the same engine and version in both stack files")
        if sa.images_bucket_name == sb.images_bucket_name:
            problems.append(f"{NAMESPACE}:data.images.bucketName: {a} and {b} both name '{sa.images_bucket_name}': "
                            f"bucket names are global, give each region its own")
    return problems


def _edge_problems(primary: str, sp: StackSettings, secondary: str, ss: StackSettings) -> list[str]:
    """The primary's edge routes to both regions: its geolocation and dials name them, and the secondary has a
    load balancer (and, for the accelerator, an accelerated service) to route to."""
    edge, problems = sp.edge, []
    if edge is None:
        return []
    regions = (sp.region, ss.region)
    problems += [f"{NAMESPACE}:edge.geolocation[{i}].region: {g.region} is neither {primary}'s nor {secondary}'s "
                 f"region ({', '.join(regions)})" for i, g in enumerate(edge.geolocation) if g.region not in regions]
    problems += [f"{NAMESPACE}:edge.accelerator.trafficDials.{r}: {r} is neither {primary}'s nor {secondary}'s region"
                 for r in edge.accelerator.traffic_dials if r not in regions]
    if ss.delivery is None:
        problems.append(f"{NAMESPACE}:delivery: {primary}'s edge routes to {secondary}, which has no delivery tier: "
                        f"set {NAMESPACE}:delivery in Pulumi.{secondary}.yaml")
    elif (problem := ss.delivery.health_path_problem(edge.health_check.path, secondary)) is not None:
        problems.append(f"{NAMESPACE}:{problem}")
    elif sp.delivery is not None and {s.name for s in sp.delivery.services if s.accelerated} != \
            {s.name for s in ss.delivery.services if s.accelerated}:
        problems.append(f"{NAMESPACE}:delivery.services: {primary} and {secondary} accelerate different services: "
                        f"the accelerator's endpoint in each region must serve the same paths")
    return problems


def check_stack_set(stacks: Mapping[str, StackSettings]) -> list[str]:
    """The synth's check over every stack file: one primary, peers that exist, and every pair's rules."""
    problems: list[str] = []
    primaries = [name for name, s in stacks.items() if s.role is Role.PRIMARY]
    if len(stacks) > 1 and len(primaries) != 1:
        problems.append(f"{NAMESPACE}:role: exactly one stack must be primary, found "
                        f"{len(primaries)} ({', '.join(primaries) or 'none'})")
    names = sorted(stacks)
    for i, a in enumerate(names):
        peer = stacks[a].peer_stack
        if peer is not None and peer not in stacks:
            problems.append(f"{NAMESPACE}:peerStack: Pulumi.{a}.yaml names '{peer}', which has no stack file "
                            f"(known: {', '.join(names)})")
        for b in names[i + 1:]:
            problems += pair_problems(RegionFacts.of_settings(a, stacks[a]), RegionFacts.of_settings(b, stacks[b]))
    return problems


def check_peer(stack: str, settings: StackSettings, vpc_cidr: Net | None, transit_gateway_asn: int | None,
               routed_networks: Sequence[Net] | None) -> None:
    """The deploy-time check of this stack against what its peer exported (``components.contract.PeerRegion``).
    A fresh pair's first deploy has nothing to check yet: the next deploy does."""
    if settings.peer_stack is None:
        return
    if vpc_cidr is None:
        pulumi.log.info(f"peer stack {settings.peer_stack} has no vpcCidr output yet (first deploy of a fresh pair): "
                        f"the cross-region checks run on the next deploy")
        return
    problems = pair_problems(RegionFacts.of_settings(stack, settings),
                             RegionFacts.of_outputs(settings.peer_stack, vpc_cidr, transit_gateway_asn,
                                                    routed_networks))
    if problems:
        raise ConfigError(problems)
