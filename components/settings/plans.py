"""What each VPC of a stack builds, derived from the settings alone (no Pulumi): where its NAT gateways and interface
endpoints go, the flows it exchanges with the stack's other networks, and each subnet group's network ACL entries.

The network tier builds a VPC from a ``NetworkPlan``: ``application_plan`` for the application network
(``securecart:network``), ``analytics_plan`` for the analytics VPC (``securecart:analytics``). Flows between the two
(over their peering) and from Direct Connect are stated once, here, so both VPCs' ACLs, the routes and the security
groups agree.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from components.settings.analytics import AnalyticsSettings
from components.settings.network import NetworkSettings, SubnetGroup, SubnetType, VpcSettings

WORLD = "0.0.0.0/0"
PRIVATE_RANGES = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")  # RFC 1918: what the Transit Gateway carries
# Reply ports from the internet, split around 3389 so that no ACL admits the internet on RDP (FSBP EC2.21; 22 is
# below the range). A reply to port 3389 is dropped: one source port in 64,512 that a client retries from another.
REPLY_PORTS = ((1024, 3388), (3390, 65535))
EPHEMERAL = (1024, 65535)  # reply ports of a private peer (a peered VPC, an on-premises network)
MAX_ACL_RULES = 20  # AWS's default quota of rules per direction in a network ACL


class Purpose:
    APPLICATION = "application"
    ANALYTICS = "analytics"


@dataclass(frozen=True)
class Flow:
    """TCP traffic a subnet group exchanges with a network outside its VPC (over a peering or the Transit Gateway).
    ``inbound``: the other side connects to ``ports`` here; else this group connects to ``ports`` there. Replies are
    admitted the other way (ACLs are stateless)."""

    label: str  # names the ACL rules: <group>-nacl-<in|out>-<label>-<port>
    cidr: str
    ports: tuple[int, ...]
    inbound: bool


@dataclass(frozen=True)
class AclEntry:
    """One rule of a subnet group's network ACL; ``label`` names it (``<group>-nacl-<in|out>-<label>``)."""

    label: str
    egress: bool
    number: int
    protocol: str  # "-1" (all), "tcp", "icmp"
    cidr: str
    from_port: int = 0
    to_port: int = 0
    icmp_type: int | None = None
    icmp_code: int | None = None
    action: str = "allow"  # or "deny"


@dataclass(frozen=True)
class NetworkPlan:
    """What one network tier builds, and how its children are named."""

    purpose: str  # Purpose.*: the VPC's Purpose tag (the pack tells the analytics VPC by it)
    prefix: str  # of every child's logical name: "" for the application network, so nothing of it is renamed
    settings: VpcSettings
    nat_group: str | None  # the public group of the NAT gateways (None: no NAT)
    endpoint_group: str | None  # where the interface endpoints' ENIs go
    interface_endpoints: tuple[str, ...]
    database_port: int | None  # the application network's database tier (its isolated groups' ACL)
    transit_networks: tuple[str, ...]  # what its attachment groups exchange with the Transit Gateway
    flows: Mapping[str, tuple[Flow, ...]] = field(default_factory=dict)  # group -> its flows

    @property
    def is_application(self) -> bool:
        return self.purpose == Purpose.APPLICATION

    def name(self, what: str) -> str:
        """A child's logical (and Name-tag) name."""
        return f"{self.prefix}{what}"


def _both_ways(label: str, number: int, protocol: str, cidr: str, *, ports: tuple[int, int] = (0, 0),
               icmp: tuple[int, int] | None = None) -> list[AclEntry]:
    return [AclEntry(label, egress, number, protocol, cidr, ports[0], ports[1],
                     icmp[0] if icmp else None, icmp[1] if icmp else None) for egress in (False, True)]


def _flow_entries(flows: tuple[Flow, ...]) -> list[AclEntry]:
    """Each flow from rule 200 on, 20 numbers apart: its ports, then its replies the other way."""
    entries: list[AclEntry] = []
    for i, flow in enumerate(flows):
        base = 200 + 20 * i
        for j, port in enumerate(flow.ports):
            entries.append(AclEntry(f"{flow.label}-{port}", not flow.inbound, base + j, "tcp", flow.cidr, port, port))
        entries.append(AclEntry(f"{flow.label}-replies", flow.inbound, base + 10, "tcp", flow.cidr, *EPHEMERAL))
    return entries


def acl_entries(plan: NetworkPlan, group: SubnetGroup) -> list[AclEntry]:
    """What each tier's network ACL allows (stateless: every flow needs its replies allowed the other way).

    Application network:
    - every tier: everything to and from the VPC (security groups decide which tasks talk to which);
    - public (load balancers, NAT gateways, GWLB endpoints): HTTPS from the internet and replies to it; HTTPS out
      (the NAT gateways forward the tasks' egress) and its replies; ICMP "fragmentation needed" for path MTU;
    - private (tasks, interface endpoints): HTTPS out through NAT or the Transit Gateway, replies both ways;
    - attachment (Transit Gateway and appliance ENIs): the private ranges the Transit Gateway carries (the peer
      region, the sites, Direct Connect), both ways; no internet;
    - isolated (databases): only the database port from each private group's block, and the replies.
    Analytics VPC:
    - isolated (workloads): everything within the VPC; then its flows (from rule 200); then every other private
      range denied both ways (800: the application VPC, the peer region, the sites and anything else on premises
      get only what a flow admits); then HTTPS out to the internet's addresses and its replies (900), which only
      the S3 and DynamoDB gateway endpoints can carry (no route leads anywhere else);
    - attachment: the VPC and the Direct Connect prefixes, both ways.
    Both: each group's flows with the other networks (``NetworkPlan.flows``), from rule 200.
    Rule numbers leave gaps, so an entry can be added without renumbering."""
    vpc = str(plan.settings.cidr)
    flows = _flow_entries(plan.flows.get(group.name, ()))
    if group.type is SubnetType.ISOLATED and plan.database_port is not None:
        entries: list[AclEntry] = []
        port = plan.database_port
        for i, app in enumerate(plan.settings.groups(SubnetType.PRIVATE)):
            entries.append(AclEntry(f"db-from-{app.name}", False, 100 + 10 * i, "tcp", str(app.block), port, port))
            entries.append(AclEntry(f"replies-to-{app.name}", True, 100 + 10 * i, "tcp", str(app.block), *EPHEMERAL))
        return entries + flows
    entries = _both_ways("vpc", 100, "-1", vpc)
    if group.type is SubnetType.ISOLATED:  # the analytics VPC's workloads (the application's isolated: above)
        denied = [AclEntry(f"deny-private-{i + 1}", egress, 800 + i, "-1", cidr, action="deny")
                  for i, cidr in enumerate(PRIVATE_RANGES) for egress in (False, True)]
        world = [AclEntry("https", True, 900, "tcp", WORLD, 443, 443)]
        world += [AclEntry(f"replies-{i + 1}", False, 910 + i, "tcp", WORLD, low, high)
                  for i, (low, high) in enumerate(REPLY_PORTS)]
        return entries + flows + denied + world
    if group.type is SubnetType.PUBLIC:
        entries += _both_ways("https", 110, "tcp", WORLD, ports=(443, 443))
        entries += _both_ways("path-mtu", 130, "icmp", WORLD, icmp=(3, 4))
    if group.type is SubnetType.PRIVATE:
        entries.append(AclEntry("https", True, 110, "tcp", WORLD, 443, 443))
    if group.type in (SubnetType.PUBLIC, SubnetType.PRIVATE):
        for i, (low, high) in enumerate(REPLY_PORTS):
            entries += _both_ways(f"replies-{i + 1}", 120 + i, "tcp", WORLD, ports=(low, high))
    if group.type is SubnetType.ATTACHMENT:
        label = "private" if plan.is_application else "dx"  # the RFC 1918 ranges; the Direct Connect prefixes
        for i, cidr in enumerate(plan.transit_networks):
            entries += _both_ways(f"{label}-{i + 1}", 110 + 10 * i, "-1", cidr)
    return entries + flows


def acl_problems(plan: NetworkPlan, section: str) -> list[str]:
    """A group whose ACL would hold more rules in one direction than AWS's default quota."""
    problems = []
    for group in plan.settings.subnet_groups:
        entries = acl_entries(plan, group)
        for egress, direction in ((False, "inbound"), (True, "outbound")):
            count = sum(1 for e in entries if e.egress is egress)
            if count > MAX_ACL_RULES:
                problems.append(f"{section}.subnetGroups: group '{group.name}' would need {count} {direction} network "
                                f"ACL rules, more than AWS's {MAX_ACL_RULES}: state fewer analytics ports or Direct "
                                f"Connect prefixes")
    return problems


def analytics_flows(network: NetworkSettings, tasks: str | None, analytics: AnalyticsSettings,
                    dx_prefixes: list[str]) -> tuple[dict[str, tuple[Flow, ...]], dict[str, tuple[Flow, ...]]]:
    """The flows of each side of the analytics peering (application groups', analytics groups'):
    - the task group connects to the analytics ports of the analytics subnets (when there are clients);
    - the analytics subnets connect to the database port of the database subnets (``databaseReads``);
    - Direct Connect's prefixes connect to the analytics ports (``directConnect``)."""
    app: dict[str, list[Flow]] = {}
    mine: dict[str, list[Flow]] = {}
    ports, workloads = analytics.port_numbers, analytics.workloads
    databases = network.groups(SubnetType.ISOLATED)
    task_group = next((g for g in network.subnet_groups if g.name == tasks), None)
    for w in workloads:
        if analytics.clients and task_group is not None:
            app.setdefault(task_group.name, []).append(Flow(f"to-analytics-{w.name}", str(w.block), ports, False))
            mine.setdefault(w.name, []).append(Flow(f"from-{task_group.name}", str(task_group.block), ports, True))
        if analytics.database_reads:
            for d in databases:
                app.setdefault(d.name, []).append(Flow(f"from-analytics-{w.name}", str(w.block),
                                                       (network.database_port,), True))
                mine.setdefault(w.name, []).append(Flow(f"to-{d.name}", str(d.block), (network.database_port,),
                                                        False))
        for j, prefix in enumerate(dx_prefixes if analytics.direct_connect else []):
            mine.setdefault(w.name, []).append(Flow(f"from-dx-{j + 1}", prefix, ports, True))
    return ({k: tuple(v) for k, v in app.items()}, {k: tuple(v) for k, v in mine.items()})
