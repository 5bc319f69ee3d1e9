"""Architecture diagrams from the synthesized graph: one SVG per stack and one global, drawn the way architects draw
AWS, with no layout engine.

The layout is a grid, so it is computed here: per region a box; inside it the regional entry points (API Gateway),
each VPC (the application VPC first, then the others, such as the analytics VPC, by name) with one column per
Availability Zone and one band per subnet group (ordered public, private, isolated, attachment, then by address),
one cell per AZ holding the subnet's CIDR and what sits in that one subnet (NAT gateway, GWLB endpoint, Transit
Gateway attachment); below the cells, what spans subnets of the group (load balancers over the columns they are
in, the appliance fleet, the ECS services with their min..max tasks, the database, the interface endpoints).
Below the VPCs the data stores outside a VPC (DynamoDB tables and their replicas, the data buckets, the log
buckets folded into one box) and the Transit Gateway with its attachments; on premises (customer gateways,
Direct Connect gateways) below the regions; the edge (Route 53, CloudFront, Global Accelerator, WAF and Shield)
above them, with arrows to the regional targets; cross-region links (Transit Gateway peering, S3 replication,
DynamoDB replicas, RDS cross-region replicas) in the gutter between regions.

What architects leave out is folded: routes, route tables, ACLs, security groups, IAM, alarms, logs, keys and the
like are counted in the legend, never drawn one box each.

Everything comes from the resources (types, inputs, outputs, the IDs the mocks handed out), not from names: a
stack with two AZs draws two columns, a missing tier draws no band. The settings add only what resources do not
say (the environment, the services' sale windows). Output is byte-identical between runs: every list is sorted,
every id is derived from stack and resource names.

SVG structure (tests read it): every drawn thing is ``<g class="box" id=... data-kind=... data-name=...>`` with
its ``<rect>`` (absolute coordinates), its ``<text>`` lines and its child boxes; boxes of one parent never
overlap (``data-layer="grid"`` marks the AZ columns, which lie behind the bands by design). Links are
``<g class="link" data-kind=... data-from=... data-to=...>`` with a ``<path>`` and an optional label.
"""

import ipaddress
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from automation.mocks import Registration
from automation.synth import StackResult, SynthRun
from components.settings.stack import StackSettings

# ---------------------------------------------------------------------------------------------------------------
# Drawing primitives

FONT = "DejaVu Sans, Verdana, Arial, sans-serif"
ANALYTICS_PREFIX = "analytics-"  # what the analytics tier names its children (components/analytics.py)

# Average advance widths of DejaVu Sans (em fractions, rounded up), used to keep text inside its box.
_NARROW = set("iljI.,:;|!'()[] ")
_MEDIUM = set("frt-/")
_WIDE = set("mwMW@%")


def text_width(text: str, size: float) -> float:
    """An upper estimate of ``text``'s width in px at ``size`` px in DejaVu Sans (or the wider Verdana)."""
    total = 0.0
    for ch in text:
        if ch in _WIDE:
            total += 1.0
        elif ch in _NARROW:
            total += 0.36
        elif ch in _MEDIUM:
            total += 0.48
        elif ch.isupper():
            total += 0.78
        else:
            total += 0.66
    return total * size


def wrap(text: str, width: float, size: float) -> list[str]:
    """``text`` in lines no wider than ``width`` (greedy by words; a word too long is cut)."""
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if text_width(candidate, size) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        rest = word
        while text_width(rest, size) > width and len(rest) > 1:
            cut = len(rest)
            while cut > 1 and text_width(rest[:cut], size) > width:
                cut -= 1
            lines.append(rest[:cut])
            rest = rest[cut:]
        current = rest
    if current:
        lines.append(current)
    return lines or [""]


@dataclass(frozen=True)
class Style:
    fill: str
    stroke: str
    dash: bool = False
    text: str = "#232F3E"


# An AWS-like palette (AWS Architecture Icons' group and category colours).
STYLES: dict[str, Style] = {
    "canvas": Style("#FFFFFF", "#FFFFFF"),
    "region": Style("#FFFFFF", "#00A4A6", dash=True),
    "vpc": Style("#FFFFFF", "#8C4FFF"),
    "az": Style("none", "#147EBA", dash=True),
    "public": Style("#F2F6E8", "#7AA116"),
    "private": Style("#E6F6F7", "#00A4A6"),
    "isolated": Style("#EAF1FB", "#147EBA"),
    "attachment": Style("#FDF1E6", "#ED7100"),
    "subnet-other": Style("#F2F3F3", "#545B64"),
    "cell": Style("#FFFFFF", "#AAB7B8"),
    "network": Style("#F3EDFF", "#8C4FFF"),
    "compute": Style("#FFF1E5", "#ED7100"),
    "database": Style("#FBEAFB", "#C925D1"),
    "storage": Style("#EEF6E5", "#7AA116"),
    "security": Style("#FDECEE", "#DD344C"),
    "edge": Style("#F3EDFF", "#8C4FFF"),
    "onprem": Style("#F2F3F3", "#545B64"),
    "strip": Style("#FAFAFA", "#AAB7B8"),
    "legend": Style("#FFFFFF", "#545B64"),
}
TIER_STYLE = {"public": "public", "private": "private", "isolated": "isolated", "attachment": "attachment"}
TIER_ORDER = {"public": 0, "private": 1, "isolated": 2, "attachment": 3}
LINK_COLOURS = {"edge": "#8C4FFF", "cross-region": "#DD344C", "hybrid": "#545B64", "peering": "#8C4FFF"}


@dataclass
class Text:
    x: float
    y: float  # baseline
    s: str
    size: float = 11
    bold: bool = False
    anchor: str = "start"
    italic: bool = False


@dataclass
class Box:
    key: str
    kind: str
    name: str
    style: str
    x: float = 0
    y: float = 0
    w: float = 0
    h: float = 0
    texts: list[Text] = field(default_factory=list)
    children: list["Box"] = field(default_factory=list)
    attrs: dict[str, str] = field(default_factory=dict)
    title: str = ""
    layer: str = ""

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    def walk(self) -> Iterable["Box"]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Link:
    key: str
    kind: str  # edge, cross-region, hybrid, peering
    link: str  # what it is: tgw-peering, s3-replication, ...
    source: str  # box keys
    target: str
    points: list[tuple[float, float]]
    label: Text | None = None
    arrow_end: bool = True
    arrow_start: bool = False


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")


def _lines_box(ident: tuple[str, str, str, str], at: tuple[float, float, float], title: str, detail: str = "", *,
               size: float = 11, tooltip: str = "", attrs: dict[str, str] | None = None, min_h: float = 0) -> Box:
    """A box (key, kind, name, style) of width ``w`` at (x, y) holding a bold title and wrapped detail lines, as
    tall as they need."""
    key, kind, name, style = ident
    x, y, w = at
    inner = w - 12
    lines = [(line, True) for line in wrap(title, inner, size)]
    for paragraph in detail.split("\n") if detail else []:
        lines += [(line, False) for line in wrap(paragraph, inner, size - 1)]
    box = Box(key, kind, name, style, x, y, w, 0, title=tooltip or name, attrs=dict(attrs or {}))
    cy = y + 5
    for line, bold in lines:
        fs = size if bold else size - 1
        cy += fs + 3
        box.texts.append(Text(x + 6, cy, line, fs, bold=bold))
    box.h = max(min_h, cy - y + 6)
    return box


# ---------------------------------------------------------------------------------------------------------------
# What the graph says: a view of one stack's resources


def _plain(value: Any) -> Any:
    """A recorded input with Pulumi's secret wrapper removed."""
    if isinstance(value, dict):
        if "4dabf18193072939515e22adb298388d" in value and "value" in value:
            return _plain(value["value"])
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _inp(r: Registration, *path: str) -> Any:
    value: Any = _plain(r.inputs)
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _out(r: Registration, key: str) -> Any:
    return _plain(r.outputs).get(key) if isinstance(r.outputs, dict) else None


def _strs(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _values(value: Any, path: str = "") -> Iterable[tuple[str, str]]:
    """Every string leaf of an input with its key path."""
    if isinstance(value, dict):
        for k in sorted(value):
            yield from _values(value[k], f"{path}.{k}")
    elif isinstance(value, list):
        for v in value:
            yield from _values(v, path)
    elif isinstance(value, str):
        yield path, value


def _short_type(typ: str) -> str:
    return typ.rsplit(":", 1)[-1]


@dataclass
class Group:
    name: str
    tier: str
    cells: dict[str, tuple[str, str]]  # az -> (cidr, subnet name)

    def sort_key(self) -> tuple[int, int, str]:
        first = min(int(ipaddress.ip_network(c).network_address) for c, _ in self.cells.values())
        return (TIER_ORDER.get(self.tier, 9), first, self.name)


@dataclass
class Item:
    """Something drawn in a band: spans the AZ columns of the subnets it is in."""

    key: str
    kind: str
    name: str
    style: str
    title: str
    detail: str
    azs: tuple[str, ...]
    row: str  # items of one row share it side by side (the services); others get a row each
    order: int
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass
class VpcView:
    res: Registration
    azs: list[str]
    groups: list[Group]
    badges: dict[tuple[str, str], list[tuple[str, str, str]]]  # (group, az) -> [(kind, label, name)]
    items: dict[str, list[Item]]  # group -> items
    notes: list[str]


class StackView:
    """The resources of one stack, joined the way AWS joins them (by the IDs, ARNs and names they carry)."""

    def __init__(self, result: StackResult, settings: StackSettings) -> None:
        self.result = result
        self.settings = settings
        self.stack = result.stack
        self.region = result.region
        self.role = result.role
        self.res = sorted((r for r in result.resources if r.custom and r.type.startswith("aws:")),
                          key=lambda r: (r.type, r.name))
        self.by_id: dict[str, Registration] = {r.id: r for r in self.res if r.id}
        self.subnets: dict[str, Registration] = {r.id: r for r in self.of("aws:ec2/subnet:Subnet")}
        self.drawn: set[str] = set()  # URNs of resources drawn as a box or badge

    def of(self, typ: str) -> list[Registration]:
        return [r for r in self.res if r.type == typ]

    def key(self, *parts: str) -> str:
        return ".".join(_slug(p) for p in (self.stack, *parts))

    def draw(self, *rs: Registration) -> None:
        self.drawn.update(r.urn for r in rs)

    # -- joins ---------------------------------------------------------------------------------------------
    def subnet_place(self, subnet_ids: Iterable[str]) -> tuple[str, str, tuple[str, ...]] | None:
        """(vpc id, group, AZs) of subnets of one group; None when they are not subnets of this stack."""
        places = [self.subnets[s] for s in subnet_ids if s in self.subnets]
        if not places:
            return None
        first = places[0]
        vpc = str(_inp(first, "vpcId"))
        group = self._group_of(first)
        azs = tuple(sorted({str(_inp(s, "availabilityZone")) for s in places}))
        return vpc, group, azs

    @staticmethod
    def _group_of(subnet: Registration) -> str:
        tags = _inp(subnet, "tags") or {}
        group = tags.get("SubnetGroup") if isinstance(tags, dict) else None
        if isinstance(group, str):
            return group
        az = str(_inp(subnet, "availabilityZone") or "")
        return subnet.name.removesuffix(f"-{az}") if az else subnet.name

    @staticmethod
    def _tier_of(subnet: Registration) -> str:
        tags = _inp(subnet, "tags") or {}
        tier = tags.get("Tier") if isinstance(tags, dict) else None
        return tier if isinstance(tier, str) else "subnet"

    def web_acls_on(self, arn: str) -> list[str]:
        acls = {r.id: r for r in self.of("aws:wafv2/webAcl:WebAcl")}
        acls.update({str(_out(r, "arn")): r for r in self.of("aws:wafv2/webAcl:WebAcl")})
        names = []
        for assoc in self.of("aws:wafv2/webAclAssociation:WebAclAssociation"):
            if _inp(assoc, "resourceArn") == arn or str(_inp(assoc, "resourceArn") or "").startswith(arn + "/"):
                acl = acls.get(str(_inp(assoc, "webAclArn")))
                names.append(acl.name if acl else "web ACL")
                self.draw(assoc, *([acl] if acl else []))
        return sorted(names)

    def shielded(self, arn: str) -> bool:
        found = [p for p in self.of("aws:shield/protection:Protection") if _inp(p, "resourceArn") == arn]
        self.draw(*found)
        return bool(found)

    def log_buckets(self) -> set[str]:
        """Buckets other resources write logs to: named as a logging target or under a key that says log."""
        names = {str(_inp(b, "bucket") or b.id): b for b in self.of("aws:s3/bucket:Bucket")}
        arns = {f"arn:aws:s3:::{n}": n for n in names}
        found: set[str] = set()
        for r in self.res:
            for path, value in _values(_plain(r.inputs)):
                low = path.lower()
                if r.type == "aws:s3/bucketLogging:BucketLogging" and path != ".targetBucket":
                    continue
                if "log" not in low and path != ".targetBucket":
                    continue
                if value in names:
                    found.add(value)
                elif value in arns:
                    found.add(arns[value])
        return found

    # -- the VPCs ------------------------------------------------------------------------------------------
    def vpcs(self) -> list[VpcView]:
        vpcs = sorted(self.of("aws:ec2/vpc:Vpc"), key=lambda v: (v.name.startswith(ANALYTICS_PREFIX), v.name))
        return [self._vpc(v) for v in vpcs]

    def _vpc(self, vpc: Registration) -> VpcView:
        self.draw(vpc)
        subnets = [s for s in self.subnets.values() if _inp(s, "vpcId") == vpc.id]
        self.draw(*subnets)
        groups: dict[str, Group] = {}
        for s in sorted(subnets, key=lambda s: s.name):
            g = groups.setdefault(self._group_of(s), Group(self._group_of(s), self._tier_of(s), {}))
            g.cells[str(_inp(s, "availabilityZone"))] = (str(_inp(s, "cidrBlock")), s.name)
        azs = sorted({az for g in groups.values() for az in g.cells})
        view = VpcView(vpc, azs, sorted(groups.values(), key=Group.sort_key), {}, {}, [])
        self._badges(view)
        self._items(view)
        return view

    def _badge(self, view: VpcView, subnet_id: str, kind: str, label: str, name: str) -> None:
        s = self.subnets.get(subnet_id)
        if s is None or _inp(s, "vpcId") != view.res.id:
            return
        view.badges.setdefault((self._group_of(s), str(_inp(s, "availabilityZone"))), []).append((kind, label, name))

    def _badges(self, view: VpcView) -> None:
        for nat in self.of("aws:ec2/natGateway:NatGateway"):
            private = _inp(nat, "connectivityType") == "private"
            self._badge(view, str(_inp(nat, "subnetId")), "nat", "NAT (private)" if private else "NAT", nat.name)
            self.draw(nat)
        for ep in self.of("aws:ec2/vpcEndpoint:VpcEndpoint"):
            if _inp(ep, "vpcEndpointType") == "GatewayLoadBalancer":
                for sid in _strs(_inp(ep, "subnetIds")):
                    self._badge(view, sid, "gwlb-endpoint", "GWLB endpoint", ep.name)
                self.draw(ep)
        for att in self.of("aws:ec2transitgateway/vpcAttachment:VpcAttachment"):
            if _inp(att, "vpcId") == view.res.id:
                for sid in _strs(_inp(att, "subnetIds")):
                    self._badge(view, sid, "tgw-attachment", "TGW attachment", att.name)
                self.draw(att)
        for labels in view.badges.values():
            labels.sort()
        notes = []
        igws = [g for g in self.of("aws:ec2/internetGateway:InternetGateway") if _inp(g, "vpcId") == view.res.id]
        if igws:
            notes.append("internet gateway")
            self.draw(*igws)
        gateway_eps = sorted(str(_inp(e, "serviceName")).rsplit(".", 1)[-1]
                             for e in self.of("aws:ec2/vpcEndpoint:VpcEndpoint")
                             if _inp(e, "vpcId") == view.res.id and _inp(e, "vpcEndpointType") == "Gateway")
        if gateway_eps:
            notes.append("gateway endpoints: " + ", ".join(gateway_eps))
            self.draw(*[e for e in self.of("aws:ec2/vpcEndpoint:VpcEndpoint")
                        if _inp(e, "vpcId") == view.res.id and _inp(e, "vpcEndpointType") == "Gateway"])
        if not igws:
            notes.append("no internet gateway")
        view.notes = notes

    def _add(self, view: VpcView, subnet_ids: Iterable[str], item: Item) -> bool:
        place = self.subnet_place(subnet_ids)
        if place is None or place[0] != view.res.id:
            return False
        item.azs = place[2]
        view.items.setdefault(place[1], []).append(item)
        return True

    def _items(self, view: VpcView) -> None:
        self._load_balancers(view)
        self._fleets(view)
        self._services(view)
        self._databases(view)
        self._endpoints(view)
        for items in view.items.values():
            items.sort(key=lambda i: (i.order, i.row, i.name))

    def _load_balancers(self, view: VpcView) -> None:
        kinds = {"application": "ALB", "network": "NLB", "gateway": "GWLB"}
        services = self.of("aws:ec2/vpcEndpointService:VpcEndpointService")
        for lb in self.of("aws:lb/loadBalancer:LoadBalancer"):
            typ = str(_inp(lb, "loadBalancerType") or "application")
            subnet_ids = _strs(_inp(lb, "subnets")) or [
                str(m.get("subnetId")) for m in (_inp(lb, "subnetMappings") or []) if isinstance(m, dict)]
            facing = "" if typ == "gateway" else ("internal" if _inp(lb, "internal") else "internet-facing")
            extras = [f"WAF {n}" for n in self.web_acls_on(lb.id)]
            if self.shielded(lb.id):
                extras.append("Shield Advanced")
            for svc in services:
                if lb.id in _strs(_inp(svc, "networkLoadBalancerArns")) + _strs(_inp(svc, "gatewayLoadBalancerArns")):
                    extras.append(f"endpoint service {svc.name}")
                    self.draw(svc)
            detail = " · ".join([x for x in [facing] if x] + extras)
            item = Item(self.key("lb", lb.name), "load-balancer", lb.name, "network",
                        f"{kinds.get(typ, typ.upper())} {lb.name}", detail, (), lb.name, 0,
                        {"data-lb-type": kinds.get(typ, typ)})
            if self._add(view, subnet_ids, item):
                self.draw(lb)

    def _fleets(self, view: VpcView) -> None:
        for asg in self.of("aws:autoscaling/group:Group"):
            item = Item(self.key("asg", asg.name), "auto-scaling-group", asg.name, "compute",
                        f"EC2 Auto Scaling {asg.name}",
                        f"{_inp(asg, 'minSize')}..{_inp(asg, 'maxSize')} instances", (), asg.name, 1)
            if self._add(view, _strs(_inp(asg, "vpcZoneIdentifiers")), item):
                self.draw(asg)
        for inst in self.of("aws:ec2/instance:Instance"):
            item = Item(self.key("instance", inst.name), "instance", inst.name, "compute",
                        f"EC2 {inst.name}", str(_inp(inst, "instanceType") or ""), (), inst.name, 1)
            if self._add(view, _strs(_inp(inst, "subnetId")), item):
                self.draw(inst)

    def _services(self, view: VpcView) -> None:
        targets = {str(_inp(t, "resourceId") or "").rsplit("/", 1)[-1]: t
                   for t in self.of("aws:appautoscaling/target:Target")
                   if str(_inp(t, "resourceId") or "").startswith("service/")}
        settings = {s.name: s for s in (self.settings.delivery.services if self.settings.delivery else [])}
        for svc in self.of("aws:ecs/service:Service"):
            name = str(_inp(svc, "name") or svc.name)
            target = targets.get(name)
            if target is not None:
                tasks = f"{_inp(target, 'minCapacity')}..{_inp(target, 'maxCapacity')} tasks"
            else:
                tasks = f"{_inp(svc, 'desiredCount')} tasks"
            peak = settings[name].peak_windows if name in settings else []
            windows = f"{len(peak)} sale window" + ("s" if len(peak) > 1 else "")
            detail = tasks + (f"\n{windows}" if peak else "")
            item = Item(self.key("service", svc.name), "ecs-service", svc.name, "compute", f"ECS {name}", detail,
                        (), "ecs-services", 2, {"data-tasks": tasks.split(" ")[0]})
            if self._add(view, _strs(_inp(svc, "networkConfiguration", "subnets")), item):
                self.draw(svc, *([target] if target else []))

    def _databases(self, view: VpcView) -> None:
        groups = {str(_inp(g, "name") or g.id): g for g in self.of("aws:rds/subnetGroup:SubnetGroup")}
        for db in self.of("aws:rds/instance:Instance"):
            group = groups.get(str(_inp(db, "dbSubnetGroupName")))
            if group is None:
                continue
            source = _inp(db, "replicateSourceDb")
            engine = _inp(db, "engine") or ""
            klass = _inp(db, "instanceClass") or ""
            if source:
                src_region = str(source).split(":")[3] if str(source).startswith("arn:") else "this region"
                role = f"read replica of {str(source).rsplit(':', 1)[-1]} ({src_region})"
            else:
                role = "primary (writer)"
            standby = " + Multi-AZ standby" if _inp(db, "multiAz") else ""
            item = Item(self.key("rds", db.name), "rds", db.name, "database",
                        f"RDS {_inp(db, 'identifier') or db.name}",
                        f"{role}{standby} · {' '.join(str(x) for x in (engine, klass) if x)}".strip(" ·"),
                        (), db.name, 3, {"data-role": "replica" if source else "primary",
                                         "data-standby": "true" if standby else "false"})
            if self._add(view, _strs(_inp(group, "subnetIds")), item):
                self.draw(db, group)

    def _endpoints(self, view: VpcView) -> None:
        by_place: dict[tuple[str, ...], list[Registration]] = {}
        aws_prefix = f"com.amazonaws.{self.region}."
        for ep in self.of("aws:ec2/vpcEndpoint:VpcEndpoint"):
            if _inp(ep, "vpcEndpointType") != "Interface" or _inp(ep, "vpcId") != view.res.id:
                continue
            service = str(_inp(ep, "serviceName"))
            if service.startswith(aws_prefix):
                by_place.setdefault(tuple(sorted(_strs(_inp(ep, "subnetIds")))), []).append(ep)
            else:
                item = Item(self.key("endpoint", ep.name), "privatelink-endpoint", ep.name, "network",
                            f"PrivateLink endpoint {ep.name}", service, (), ep.name, 4)
                if self._add(view, _strs(_inp(ep, "subnetIds")), item):
                    self.draw(ep)
        for subnet_ids, eps in sorted(by_place.items()):
            names = sorted(str(_inp(e, "serviceName")).removeprefix(aws_prefix) for e in eps)
            place = self.subnet_place(subnet_ids)
            group = place[1] if place else "endpoints"
            item = Item(self.key("interface-endpoints", group), "interface-endpoints", group, "network",
                        f"{len(eps)} interface endpoints", ", ".join(names), (), "interface-endpoints", 5,
                        {"data-count": str(len(eps))})
            if self._add(view, subnet_ids, item):
                self.draw(*eps)

    # -- outside the VPCs ----------------------------------------------------------------------------------
    def apis(self) -> list[Box]:
        boxes = []
        links = {str(_inp(m, "restApi")): m for m in self.of("aws:apigateway/basePathMapping:BasePathMapping")}
        lbs = {lb.id: lb.name for lb in self.of("aws:lb/loadBalancer:LoadBalancer")}
        for api in self.of("aws:apigateway/restApi:RestApi"):
            vpc_links = [lbs.get(str(_inp(v, "targetArn")), "a load balancer")
                         for v in self.of("aws:apigateway/vpcLink:VpcLink")]
            wafs = self.web_acls_on(f"arn:aws:apigateway:{self.region}::/restapis/{api.id}")
            parts = [f"{_inp(api, 'endpointConfiguration', 'types') or 'REGIONAL'}".lower()]
            mapping = links.get(api.id)
            if mapping is not None:
                parts.append(f"domain {_inp(mapping, 'domainName')}")
            parts += [f"WAF {w}" for w in wafs] + [f"VPC link to {n}" for n in sorted(vpc_links)]
            box = _lines_box((self.key("api", api.name), "api-gateway", api.name, "network"), (0, 0, 300),
                             f"API Gateway {api.name}", " · ".join(parts))
            domains = [d for d in self.of("aws:apigateway/domainName:DomainName")
                       if mapping is not None and _inp(d, "domainName") == _inp(mapping, "domainName")]
            box.attrs["data-domain"] = str(_out(domains[0], "regionalDomainName") or "") if domains else ""
            boxes.append(box)
            self.draw(api, *self.of("aws:apigateway/vpcLink:VpcLink"), *([mapping] if mapping else []))
        return boxes

    def tables(self) -> list[Registration]:
        return self.of("aws:dynamodb/table:Table")

    def data_buckets(self) -> tuple[list[Registration], list[Registration]]:
        logs = self.log_buckets()
        buckets = self.of("aws:s3/bucket:Bucket")
        data = [b for b in buckets if str(_inp(b, "bucket") or b.id) not in logs]
        return data, [b for b in buckets if str(_inp(b, "bucket") or b.id) in logs]

    def replication(self, bucket: Registration) -> list[str]:
        name = str(_inp(bucket, "bucket") or bucket.id)
        dests = []
        for cfg in self.of("aws:s3/bucketReplicationConfig:BucketReplicationConfig"):
            if _inp(cfg, "bucket") != name:
                continue
            self.draw(cfg)
            for rule in _inp(cfg, "rules") or []:
                dest = (rule.get("destination") or {}).get("bucket") if isinstance(rule, dict) else None
                if isinstance(dest, str):
                    dests.append(dest.removeprefix("arn:aws:s3:::"))
        return sorted(dests)

    def transit_gateways(self) -> list[Registration]:
        return self.of("aws:ec2transitgateway/transitGateway:TransitGateway")

    def tgw_attachments(self, tgw: Registration) -> list[str]:
        vpcs = {v.id: v.name for v in self.of("aws:ec2/vpc:Vpc")}
        cgws = {c.id: c.name for c in self.of("aws:ec2/customerGateway:CustomerGateway")}
        out = []
        for att in self.of("aws:ec2transitgateway/vpcAttachment:VpcAttachment"):
            if _inp(att, "transitGatewayId") == tgw.id:
                out.append(f"VPC {vpcs.get(str(_inp(att, 'vpcId')), _inp(att, 'vpcId'))}")
        for vpn in self.of("aws:ec2/vpnConnection:VpnConnection"):
            if _inp(vpn, "transitGatewayId") == tgw.id:
                out.append(f"VPN to {cgws.get(str(_inp(vpn, 'customerGatewayId')), 'a customer gateway')}")
                self.draw(vpn)
        for dx in self.of("aws:directconnect/gatewayAssociation:GatewayAssociation"):
            if _inp(dx, "associatedGatewayId") == tgw.id:
                out.append("Direct Connect gateway")
                self.draw(dx)
        for peer in self.of("aws:ec2transitgateway/peeringAttachment:PeeringAttachment"):
            if _inp(peer, "transitGatewayId") == tgw.id:
                out.append(f"peering to {_inp(peer, 'peerRegion')}")
                self.draw(peer, *self.of("aws:ec2transitgateway/peeringAttachmentAccepter:PeeringAttachmentAccepter"))
        return sorted(out)

    def folded(self) -> list[tuple[str, int]]:
        """What is not drawn, by category, largest first."""
        counts: Counter[str] = Counter()
        for r in self.res:
            if r.urn in self.drawn or r.type in _EDGE_TYPES:
                continue
            counts[_category(r.type)] += 1
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


_EDGE_TYPES = {
    "aws:route53/zone:Zone", "aws:route53/healthCheck:HealthCheck", "aws:route53/record:Record",
    "aws:cloudfront/distribution:Distribution", "aws:globalaccelerator/accelerator:Accelerator",
    "aws:globalaccelerator/endpointGroup:EndpointGroup", "aws:globalaccelerator/listener:Listener",
    "aws:shield/protection:Protection", "aws:shield/protectionGroup:ProtectionGroup",
    "aws:shield/subscription:Subscription", "aws:wafv2/webAcl:WebAcl",
    "aws:ec2/customerGateway:CustomerGateway", "aws:directconnect/gateway:Gateway",
    "aws:ec2transitgateway/transitGateway:TransitGateway", "aws:dynamodb/table:Table", "aws:s3/bucket:Bucket",
    "aws:ec2/vpcPeeringConnection:VpcPeeringConnection",
}

_CATEGORIES: list[tuple[str, tuple[str, ...]]] = [
    ("routes and route tables", ("/route:", "/routeTable", "RouteTable", "/mainRouteTableAssociation")),
    ("network ACLs and rules", ("/networkAcl", "/defaultNetworkAcl")),
    ("security groups and rules", ("/securityGroup", "/defaultSecurityGroup", "vpc/securityGroup")),
    ("IAM roles and policies", ("aws:iam/",)),
    ("alarms and dashboards", ("/metricAlarm", "/compositeAlarm", "/dashboard")),
    ("logs, flow logs and queries", ("aws:cloudwatch/log", "/flowLog", "/queryDefinition", "/logDelivery",
                                     "/queryLog", "/webAclLoggingConfiguration")),
    ("KMS keys and aliases", ("aws:kms/",)),
    ("bucket settings and policies", ("aws:s3/bucket",)),
    ("listeners, target groups and rules", ("aws:lb/",)),
    ("DNS records and certificates", ("aws:route53/record", "aws:acm/")),
    ("ECS task definitions, scaling and ECR", ("aws:ecs/", "aws:appautoscaling/", "aws:ecr/")),
    ("API Gateway resources, methods and keys", ("aws:apigateway/",)),
    ("X-Ray, SNS and Secrets Manager", ("aws:xray/", "aws:sns/", "aws:secretsmanager/")),
]


def _category(typ: str) -> str:
    for label, needles in _CATEGORIES:
        if any(n in typ for n in needles):
            return label
    return "other resources"


# ---------------------------------------------------------------------------------------------------------------
# Layout

PAD = 10
COL_W = 230
COL_GAP = 10
LABEL_W = 120
ROW_GAP = 6
BUS_STEP = 9
GUTTER_LABEL = 150
LINK_STEP = 12


def _vpc_width(n_az: int) -> float:
    return PAD + LABEL_W + n_az * COL_W + (n_az - 1) * COL_GAP + 8 + PAD


def _column_x(vpc_x: float, index: int) -> float:
    return vpc_x + PAD + LABEL_W + index * (COL_W + COL_GAP)


class RegionLayout:
    """One region's box and the anchors other parts of a diagram link to."""

    def __init__(self, view: StackView, bus_lanes: int) -> None:
        self.view = view
        self.bus_lanes = bus_lanes
        self.vpcs = view.vpcs()
        self.apis = view.apis()
        widest = max([_vpc_width(len(v.azs)) for v in self.vpcs] + [720])
        self.bus_w = PAD + bus_lanes * BUS_STEP
        self.inner_w = widest
        self.width = self.bus_w + widest + PAD
        self.anchors: dict[str, Box] = {}  # role -> box: "tgw", "table:<name>", "bucket:<name>", "rds", "lb:<id>"
        self.box: Box | None = None
        self.peerings: list[tuple[Box, Box, str]] = []

    def content_x(self, x: float) -> float:
        return x + self.bus_w

    def build(self, x: float, y: float) -> Box:
        v = self.view
        region = Box(v.key("region"), "region", v.region, "region", x, y, self.width, 0,
                     title=f"{v.region} ({v.stack}, {v.role})", attrs={"data-stack": v.stack, "data-role": v.role})
        cx = self.content_x(x)
        region.texts.append(Text(cx, y + 20, f"AWS region {v.region}", 14, bold=True))
        region.texts.append(Text(cx + text_width(f"AWS region {v.region}", 14) + 12, y + 20,
                                 f"stack {v.stack} · {v.role}", 11, italic=True))
        cy = y + 32
        if self.apis:
            cy = self._api_strip(region, cx, cy) + ROW_GAP * 2
        vpc_boxes: list[Box] = []
        for vpc in self.vpcs:
            box = self._vpc(vpc, cx, cy)
            region.children.append(box)
            vpc_boxes.append(box)
            cy = box.bottom + 34
        if self.vpcs:
            cy -= 34 - ROW_GAP * 2
        self._peerings(region, vpc_boxes)
        cy = self._data(region, cx, cy)
        cy = self._tgw(region, cx, cy)
        region.h = cy - y + PAD
        self.box = region
        return region

    def _api_strip(self, region: Box, cx: float, cy: float) -> float:
        strip = Box(self.view.key("regional-services"), "strip", "regional services", "strip", cx, cy,
                    self.inner_w, 0, title="regional services outside the VPCs")
        strip.texts.append(Text(cx + 8, cy + 15, "Regional services", 11, bold=True))
        bx = cx + 8
        bottom = cy + 22
        for api in self.apis:
            placed = _lines_box((api.key, api.kind, api.name, api.style), (bx, cy + 22, min(420, self.inner_w - 16)),
                                api.texts[0].s, " ".join(t.s for t in api.texts[1:]), attrs=api.attrs)
            strip.children.append(placed)
            self.anchors[f"api:{placed.attrs.get('data-domain', '')}"] = placed
            bx = placed.right + PAD
            bottom = max(bottom, placed.bottom)
        strip.h = bottom - cy + PAD
        region.children.append(strip)
        return strip.bottom

    def _vpc(self, vpc: VpcView, x: float, y: float) -> Box:
        v = self.view
        w = _vpc_width(len(vpc.azs))
        cidr = str(_inp(vpc.res, "cidrBlock") or "")
        box = Box(v.key("vpc", vpc.res.name), "vpc", vpc.res.name, "vpc", x, y, w, 0,
                  title=f"VPC {vpc.res.name} {cidr}", attrs={"data-cidr": cidr, "data-azs": str(len(vpc.azs))})
        box.texts.append(Text(x + PAD, y + 18, f"VPC {vpc.res.name} · {cidr}", 12, bold=True))
        notes = " · ".join(vpc.notes)
        for i, line in enumerate(wrap(notes, w - 2 * PAD, 10)):
            box.texts.append(Text(x + PAD, y + 32 + 12 * i, line, 10))
        top = y + 32 + 12 * len(wrap(notes, w - 2 * PAD, 10))
        az_y = top + 4
        by = az_y + 20
        bands: list[Box] = []
        for group in vpc.groups:
            band = self._band(vpc, group, x + PAD, by, w - 2 * PAD)
            bands.append(band)
            by = band.bottom + ROW_GAP
        bottom = by + PAD - ROW_GAP
        for i, az in enumerate(vpc.azs):
            col_x = _column_x(x, i)
            col = Box(v.key("vpc", vpc.res.name, "az", az), "az", az, "az", col_x - 4, az_y, COL_W + 8,
                      bottom - 4 - az_y, title=f"Availability Zone {az}", layer="grid", attrs={"data-az": az})
            col.texts.append(Text(col_x + COL_W / 2, az_y + 14, az, 11, bold=True, anchor="middle"))
            box.children.append(col)
        box.children.extend(bands)
        box.h = bottom - y
        return box

    def _band(self, vpc: VpcView, group: Group, x: float, y: float, w: float) -> Box:
        v = self.view
        style = TIER_STYLE.get(group.tier, "subnet-other")
        band = Box(v.key("vpc", vpc.res.name, "group", group.name), "subnet-group", group.name, style, x, y, w, 0,
                   title=f"subnet group {group.name} ({group.tier})", attrs={"data-tier": group.tier})
        band.texts.append(Text(x + 6, y + 16, group.name, 12, bold=True))
        band.texts.append(Text(x + 6, y + 30, f"{group.tier} subnets", 10, italic=True))
        cell_bottom = y + 36
        for i, az in enumerate(vpc.azs):
            if az in group.cells:
                cell = self._cell(vpc, group, az, _column_x(x - PAD, i), y + 4)
                band.children.append(cell)
                cell_bottom = max(cell_bottom, cell.bottom)
        ry = cell_bottom + ROW_GAP
        for row in self._rows(vpc.items.get(group.name, [])):
            lo = vpc.azs.index(row[0].azs[0])
            hi = vpc.azs.index(row[0].azs[-1])
            rx = _column_x(x - PAD, lo)
            rw = _column_x(x - PAD, hi) + COL_W - rx
            each = (rw - COL_GAP * (len(row) - 1)) / len(row)
            placed = []
            for k, item in enumerate(row):
                ix = rx + k * (each + COL_GAP)
                ib = _lines_box((item.key, item.kind, item.name, item.style), (ix, ry, each), item.title, item.detail,
                                attrs={**item.attrs, "data-azs": " ".join(item.azs)})
                placed.append(ib)
            height = max(b.h for b in placed)
            for ib in placed:
                ib.h = height
                band.children.append(ib)
                self.anchors[f"{ib.kind}:{ib.name}"] = ib
            ry += height + ROW_GAP
        band.h = ry - y + 2
        return band

    def _cell(self, vpc: VpcView, group: Group, az: str, cx: float, y: float) -> Box:
        """One subnet: its CIDR, and badges for what sits in it alone (NAT, GWLB endpoint, TGW attachment)."""
        cidr, subnet = group.cells[az]
        badges = vpc.badges.get((group.name, az), [])
        cell = Box(self.view.key("subnet", subnet), "subnet", subnet, "cell", cx, y, COL_W, 0, title=subnet,
                   attrs={"data-cidr": cidr, "data-az": az, "data-group": group.name})
        cell.texts.append(Text(cx + 6, y + 14, cidr, 11))
        bx, brow = cx + 6, y + 20
        for kind, label, name in badges:
            bw = text_width(label, 9) + 10
            if bx + bw > cx + COL_W - 4:
                bx, brow = cx + 6, brow + 18
            badge = Box(self.view.key("badge", name, az), kind, name, "network", bx, brow, bw, 15, title=name)
            badge.texts.append(Text(bx + 5, brow + 11, label, 9))
            cell.children.append(badge)
            bx += bw + 4
        cell.h = (brow + 15 + 4 if badges else y + 20) - y
        return cell

    @staticmethod
    def _rows(items: list[Item]) -> list[list[Item]]:
        """Items in rows: those sharing a row key and AZs side by side (at most 4 to a row), others alone."""
        rows: list[list[Item]] = []
        for item in items:
            last = rows[-1] if rows else None
            if last and last[0].row == item.row and last[0].azs == item.azs and len(last) < max(1, len(item.azs) + 1):
                last.append(item)
            else:
                rows.append([item])
        return rows

    def _peerings(self, region: Box, vpc_boxes: list[Box]) -> None:
        by_id = {b.name: b for b in vpc_boxes}
        names = {vpc.res.id: vpc.res.name for vpc in self.vpcs}
        for pcx in self.view.of("aws:ec2/vpcPeeringConnection:VpcPeeringConnection"):
            a = by_id.get(names.get(str(_inp(pcx, "vpcId")), ""))
            b = by_id.get(names.get(str(_inp(pcx, "peerVpcId")), ""))
            if a is not None and b is not None:
                self.peerings.append((a, b, pcx.name))
                self.view.draw(pcx)

    def _data(self, region: Box, cx: float, cy: float) -> float:
        v = self.view
        data, logs = v.data_buckets()
        if not (v.tables() or data or logs):
            return cy
        strip = Box(v.key("data"), "strip", "data stores", "strip", cx, cy, self.inner_w, 0,
                    title="data stores outside the VPCs")
        strip.texts.append(Text(cx + 8, cy + 15, "Data stores outside the VPCs", 11, bold=True))
        y = cy + 22
        w = self.inner_w - 16
        for table in v.tables():
            replicas = sorted(str(r.get("regionName")) for r in (_inp(table, "replicas") or []) if isinstance(r, dict))
            detail = (f"global table, replicas in {', '.join(replicas)}" if replicas else "regional table")
            detail += f" · {_inp(table, 'billingMode') or ''}".rstrip(" ·")
            table_name = str(_inp(table, "name") or table.name)
            box = _lines_box((v.key("table", table.name), "dynamodb-table", table_name, "database"),
                             (cx + 8, y, w), f"DynamoDB {table_name}", detail,
                             attrs={"data-replicas": " ".join(replicas)})
            strip.children.append(box)
            self.anchors[f"table:{box.name}"] = box
            y = box.bottom + ROW_GAP
        for bucket in data:
            name = str(_inp(bucket, "bucket") or bucket.id)
            dests = v.replication(bucket)
            detail = ("replicates to " + ", ".join(dests)) if dests else "no replication configured here"
            domain = str(_out(bucket, "bucketRegionalDomainName") or "")
            box = _lines_box((v.key("bucket", bucket.name), "s3-bucket", name, "storage"), (cx + 8, y, w),
                             f"S3 {name}", detail, attrs={"data-replicates-to": " ".join(dests), "data-domain": domain})
            strip.children.append(box)
            self.anchors[f"bucket:{name}"] = box
            y = box.bottom + ROW_GAP
        if logs:
            names = sorted(str(_inp(b, "bucket") or b.id) for b in logs)
            box = _lines_box((v.key("log-buckets"), "log-buckets", "log buckets", "storage"), (cx + 8, y, w),
                             f"{len(logs)} log buckets", ", ".join(names), attrs={"data-count": str(len(logs))})
            strip.children.append(box)
            y = box.bottom + ROW_GAP
        strip.h = y - cy + PAD - ROW_GAP
        region.children.append(strip)
        return strip.bottom + ROW_GAP * 2

    def _tgw(self, region: Box, cx: float, cy: float) -> float:
        v = self.view
        tgws = v.transit_gateways()
        for tgw in tgws:
            atts = v.tgw_attachments(tgw)
            box = _lines_box((v.key("tgw", tgw.name), "transit-gateway", tgw.name, "network"), (cx, cy, self.inner_w),
                             f"Transit Gateway {tgw.name} · ASN {_inp(tgw, 'amazonSideAsn')}",
                             "attachments: " + "; ".join(atts) if atts else "no attachments", attrs={"data-id": tgw.id})
            region.children.append(box)
            self.anchors[f"tgw:{tgw.id}"] = box
            cy = box.bottom + ROW_GAP
        return cy if tgws else cy - ROW_GAP


# ---------------------------------------------------------------------------------------------------------------
# The diagram: edge above, regions side by side, on premises below, links between


@dataclass
class _Wanted:
    """A cross-region link to draw: from box a in one region to box b in another."""

    link: str
    la: RegionLayout
    a: Box
    lb: RegionLayout
    b: Box
    label: str
    both_ways: bool

    def astuple(self) -> tuple[str, RegionLayout, Box, RegionLayout, Box, str, bool]:
        return self.link, self.la, self.a, self.lb, self.b, self.label, self.both_ways


class Diagram:
    def __init__(self, views: list[StackView], title: str, subtitle: str) -> None:
        self.views = views
        self.title = title
        self.subtitle = subtitle
        self.boxes: list[Box] = []
        self.links: list[Link] = []
        self.width = 0.0
        self.height = 0.0

    # -- edge ------------------------------------------------------------------------------------------------
    def _edge_boxes(self, x: float, y: float) -> tuple[list[Box], list[tuple[Box, str, str, str]]]:
        """The global services of every stack in a row, and (box, link, target kind, target value) wishes for
        arrows to what they route to."""
        boxes: list[Box] = []
        wishes: list[tuple[Box, str, str, str]] = []
        bx = x
        for v in self.views:
            found = [*self._zones(v, y), *self._distributions(v, y), *self._accelerators(v, y),
                     *self._protection(v, y)]
            for box, targets in found:
                _shift(box, bx - box.x, 0)
                boxes.append(box)
                wishes += [(box, link, kind, value) for link, kind, value in targets]
                bx = box.right + PAD * 2
        return boxes, wishes

    @staticmethod
    def _zones(v: StackView, y: float) -> list[tuple[Box, list[tuple[str, str, str]]]]:
        checks = v.of("aws:route53/healthCheck:HealthCheck")
        records = v.of("aws:route53/record:Record")
        out = []
        for zone in v.of("aws:route53/zone:Zone"):
            aliased = sorted({str(a.get("name")) for r in records for a in (_inp(r, "aliases") or [])
                              if isinstance(a, dict)})
            latency = sum(1 for r in records if _inp(r, "latencyRoutingPolicies"))
            geo = sum(1 for r in records if _inp(r, "geolocationRoutingPolicies"))
            calc = sum(1 for c in checks if _inp(c, "type") == "CALCULATED")
            detail = (f"{len(records)} records ({latency} latency, {geo} geolocation) · {len(checks)} health "
                      f"checks ({calc} calculated)")
            box = _lines_box((v.key("zone", zone.name), "route53-zone", str(_inp(zone, "name")), "edge"),
                             (0, y, 260), f"Route 53 {_inp(zone, 'name')}", detail)
            out.append((box, [("dns", "domain", name) for name in aliased]))
        return out

    @staticmethod
    def _distributions(v: StackView, y: float) -> list[tuple[Box, list[tuple[str, str, str]]]]:
        out = []
        for dist in v.of("aws:cloudfront/distribution:Distribution"):
            origins = [o for o in (_inp(dist, "origins") or []) if isinstance(o, dict)]
            acl = next((a for a in v.of("aws:wafv2/webAcl:WebAcl")
                        if str(_out(a, "arn")) == str(_inp(dist, "webAclId"))), None)
            parts = [", ".join(_strs(_inp(dist, "aliases"))), f"{len(origins)} origins"]
            parts += [f"WAF {acl.name}"] if acl else []
            parts += ["Shield Advanced"] if v.shielded(str(_out(dist, "arn") or "")) else []
            box = _lines_box((v.key("cloudfront", dist.name), "cloudfront", dist.name, "edge"), (0, y, 260),
                             f"CloudFront {dist.name}", " · ".join(p for p in parts if p))
            out.append((box, [("origin", "domain", str(o.get("domainName"))) for o in origins]))
        return out

    @staticmethod
    def _accelerators(v: StackView, y: float) -> list[tuple[Box, list[tuple[str, str, str]]]]:
        out = []
        for acc in v.of("aws:globalaccelerator/accelerator:Accelerator"):
            groups = v.of("aws:globalaccelerator/endpointGroup:EndpointGroup")
            regions = sorted(str(_inp(g, "endpointGroupRegion")) for g in groups)
            detail = f"endpoint groups in {', '.join(regions)}" + (" · Shield Advanced" if v.shielded(acc.id) else "")
            box = _lines_box((v.key("accelerator", acc.name), "global-accelerator", str(_inp(acc, "name")), "edge"),
                             (0, y, 260), f"Global Accelerator {_inp(acc, 'name')}", detail)
            endpoints = [str(ep.get("endpointId")) for g in groups for ep in (_inp(g, "endpointConfigurations") or [])
                         if isinstance(ep, dict)]
            out.append((box, [("accelerator", "arn", e) for e in endpoints]))
        return out

    @staticmethod
    def _protection(v: StackView, y: float) -> list[tuple[Box, list[tuple[str, str, str]]]]:
        """WAF and Shield, where the stack subscribes to Shield Advanced or owns the edge."""
        acls = v.of("aws:wafv2/webAcl:WebAcl")
        protections = v.of("aws:shield/protection:Protection")
        if not (v.of("aws:shield/subscription:Subscription") or v.of("aws:route53/zone:Zone")):
            return []
        groups = v.of("aws:shield/protectionGroup:ProtectionGroup")
        scopes = Counter(str(_inp(a, "scope")).lower() for a in acls)
        detail = (f"{len(acls)} web ACLs ({', '.join(f'{n} {s}' for s, n in sorted(scopes.items()))}) · "
                  f"Shield Advanced: {len(protections)} protections, {len(groups)} protection group(s)")
        box = _lines_box((v.key("waf-shield"), "waf-shield", "WAF and Shield", "security"), (0, y, 260),
                         "AWS WAF and Shield Advanced", detail)
        return [(box, [])]

    def _resolve(self, kind: str, value: str, layouts: list[RegionLayout]) -> tuple[RegionLayout, Box] | None:
        for lay in layouts:
            v = lay.view
            if kind == "arn":
                lb = v.by_id.get(value)
                if lb is not None and f"load-balancer:{lb.name}" in lay.anchors:
                    return lay, lay.anchors[f"load-balancer:{lb.name}"]
            else:
                for lb in v.of("aws:lb/loadBalancer:LoadBalancer"):
                    if _out(lb, "dnsName") == value and f"load-balancer:{lb.name}" in lay.anchors:
                        return lay, lay.anchors[f"load-balancer:{lb.name}"]
                if f"api:{value}" in lay.anchors:
                    return lay, lay.anchors[f"api:{value}"]
                for key, box in lay.anchors.items():
                    if key.startswith("bucket:") and box.attrs.get("data-domain") == value:
                        return lay, box
        return None

    # -- build -----------------------------------------------------------------------------------------------
    def build(self) -> None:
        margin = 20
        y = 58
        probe = [RegionLayout(v, 0) for v in self.views]
        for lay in probe:
            lay.build(0, 0)  # only to learn the anchors the edge links to
        x0 = float(margin)
        edge, wishes = self._edge_boxes(x0, y)
        targets: list[tuple[Box, str, int, str]] = []  # (source, link, region index, target anchor key)
        for src, link, kind, value in wishes:
            found = self._resolve(kind, value, probe)
            if found is None:
                continue
            lay, box = found
            entry = (src, link, probe.index(lay), f"{box.kind}:{box.name}" if box.kind != "api-gateway"
                     else f"api:{box.attrs.get('data-domain', '')}")
            if box.kind == "s3-bucket":
                entry = (src, link, probe.index(lay), f"bucket:{box.name}")
            if entry not in targets:
                targets.append(entry)
        lanes = Counter(t[2] for t in targets)
        layouts = [RegionLayout(v, lanes.get(i, 0)) for i, v in enumerate(self.views)]
        edge_bottom = max((b.bottom for b in edge), default=y - 10)
        for b in edge:
            b.h = max(e.h for e in edge)
        edge_bottom = max((b.bottom for b in edge), default=y - 10)
        channel_top = edge_bottom + 12
        ry = channel_top + len(targets) * BUS_STEP + 16 if edge else y
        gutter = GUTTER_LABEL + LINK_STEP * 6 + 20
        x = x0
        regions = []
        for lay in layouts:
            regions.append(lay.build(x, ry))
            x += lay.width + gutter
        self.boxes.extend(edge)
        self.boxes.extend(regions)
        self._peering_links(layouts)
        self._edge_links(edge, targets, layouts, channel_top)
        self._cross_region_links(layouts)
        bottom = max(r.bottom for r in regions)
        bottom = self._onprem(layouts, bottom + 64)
        self._legend(layouts, bottom + 20)
        self.width = max([b.right for b in self.boxes] + [x0 + 600]) + margin
        self.height = max(b.bottom for b in self.boxes) + margin

    def _peering_links(self, layouts: list[RegionLayout]) -> None:
        for lay in layouts:
            for i, (a, b, name) in enumerate(lay.peerings):
                upper, lower = (a, b) if a.y < b.y else (b, a)
                px = upper.x + upper.w * 0.75 + i * 30
                label = Text(px + 6, (upper.bottom + lower.y) / 2 + 4, f"VPC peering {name}", 10, bold=True)
                self.links.append(Link(lay.view.key("peering", name), "peering", "vpc-peering", upper.key,
                                       lower.key, [(px, upper.bottom), (px, lower.y)], label, True, True))

    def _edge_links(self, edge: list[Box], targets: list[tuple[Box, str, int, str]], layouts: list[RegionLayout],
                    channel_top: float) -> None:
        per_source = Counter(t[0].key for t in targets)
        seen_source: Counter[str] = Counter()
        lane_of: Counter[int] = Counter()
        for n, (src, link, ri, anchor) in enumerate(targets):
            lay = layouts[ri]
            target = lay.anchors.get(anchor)
            if target is None or lay.box is None:
                continue
            k = seen_source[src.key]
            seen_source[src.key] += 1
            sx = src.x + src.w * (k + 1) / (per_source[src.key] + 1)
            cy = channel_top + n * BUS_STEP
            bx = lay.box.x + PAD / 2 + lane_of[ri] * BUS_STEP + 4
            lane_of[ri] += 1
            ty = target.y + min(target.h / 2, 12)
            self.links.append(Link(f"edge.{n}.{src.key}.{target.key}", "edge", link, src.key, target.key,
                                   [(sx, src.bottom), (sx, cy), (bx, cy), (bx, ty), (target.x, ty)]))

    def _cross_region_links(self, layouts: list[RegionLayout]) -> None:
        """Transit Gateway peering, DynamoDB replicas, S3 replication and RDS replicas between two regions, each
        routed through the gutter between them on a lane of its own, labelled where it leaves the left region."""
        wanted: list[_Wanted] = []
        for lay in layouts:
            wanted += self._tgw_peerings(lay, layouts) + self._table_replicas(lay, layouts)
            wanted += self._replications(lay, layouts) + self._db_replicas(lay, layouts)
        wanted.sort(key=lambda w: (w.a.y, w.link))
        for i, (link, la, a, lb_, b, label, both) in enumerate(w.astuple() for w in wanted):
            left_is_a = la.box is not None and lb_.box is not None and la.box.x < lb_.box.x
            (l_lay, l_box), (r_lay, r_box) = ((la, a), (lb_, b)) if left_is_a else ((lb_, b), (la, a))
            assert l_lay.box is not None and r_lay.box is not None
            gx = l_lay.box.right
            xm = gx + GUTTER_LABEL + i * LINK_STEP
            y1 = l_box.y + min(l_box.h / 2, 14)
            y2 = r_box.y + min(r_box.h / 2, 14)
            pts = [(l_box.right, y1), (xm, y1), (xm, y2), (r_box.x, y2)]
            text = Text(gx + 6, y1 - 4, label, 10, bold=True)
            self.links.append(Link(f"cross.{link}.{a.key}", "cross-region", link, a.key, b.key,
                                   pts if left_is_a else list(reversed(pts)), text,
                                   arrow_end=True, arrow_start=both))

    @staticmethod
    def _tgw_peerings(lay: RegionLayout, layouts: list[RegionLayout]) -> list[_Wanted]:
        out = []
        for peer in lay.view.of("aws:ec2transitgateway/peeringAttachment:PeeringAttachment"):
            for other in layouts:
                if other.view.region != _inp(peer, "peerRegion"):
                    continue
                a = lay.anchors.get(f"tgw:{_inp(peer, 'transitGatewayId')}")
                b = other.anchors.get(f"tgw:{_inp(peer, 'peerTransitGatewayId')}")
                if a and b:
                    out.append(_Wanted("tgw-peering", lay, a, other, b, "TGW peering", True))
        return out

    def _table_replicas(self, lay: RegionLayout, layouts: list[RegionLayout]) -> list[_Wanted]:
        out = []
        for table in lay.view.tables():
            name = str(_inp(table, "name") or table.name)
            regions = [str(r.get("regionName")) for r in (_inp(table, "replicas") or []) if isinstance(r, dict)]
            for other in layouts:
                a = lay.anchors.get(f"table:{name}")
                if other is lay or other.view.region not in regions or a is None:
                    continue
                b = other.anchors.get(f"table:{name}") or self._replica_box(other, table, lay.view.stack)
                out.append(_Wanted("dynamodb-replica", lay, a, other, b, "DynamoDB replica", True))
        return out

    @staticmethod
    def _replications(lay: RegionLayout, layouts: list[RegionLayout]) -> list[_Wanted]:
        out = []
        for bucket in lay.view.data_buckets()[0]:
            a = lay.anchors.get(f"bucket:{_inp(bucket, 'bucket') or bucket.id}")
            for dest in lay.view.replication(bucket):
                for other in layouts:
                    b = other.anchors.get(f"bucket:{dest}")
                    if other is not lay and a and b:
                        out.append(_Wanted("s3-replication", lay, a, other, b, "S3 replication", False))
        return out

    @staticmethod
    def _db_replicas(lay: RegionLayout, layouts: list[RegionLayout]) -> list[_Wanted]:
        out = []
        for db in lay.view.of("aws:rds/instance:Instance"):
            source = str(_inp(db, "replicateSourceDb") or "")
            sources = [(other, src) for other in layouts if other is not lay and source
                       for src in other.view.of("aws:rds/instance:Instance")
                       if source in (str(_out(src, "arn")), _inp(src, "identifier"))]
            for other, src in sources:
                a = other.anchors.get(f"rds:{src.name}")
                b = lay.anchors.get(f"rds:{db.name}")
                if a and b:
                    out.append(_Wanted("rds-replica", other, a, lay, b, "RDS cross-region replica", False))
        return out

    def _replica_box(self, lay: RegionLayout, table: Registration, owner: str) -> Box:
        """A table replica in a region whose stack does not own the table: drawn in that region's data strip."""
        assert lay.box is not None
        name = str(_inp(table, "name") or table.name)
        strip = next((c for c in lay.box.children if c.key == lay.view.key("data")), None)
        if strip is None:
            strip = Box(lay.view.key("data"), "strip", "data stores", "strip", lay.content_x(lay.box.x),
                        lay.box.bottom - PAD, lay.inner_w, 30)
            strip.texts.append(Text(strip.x + 8, strip.y + 15, "Data stores outside the VPCs", 11, bold=True))
            lay.box.children.append(strip)
        box = _lines_box((lay.view.key("table-replica", table.name), "dynamodb-replica", name, "database"),
                         (strip.x + 8, strip.bottom - PAD + ROW_GAP, strip.w - 16), f"DynamoDB {name} replica",
                         f"replica of the global table in {owner} (the table is owned there)")
        grow = box.bottom + PAD - strip.bottom
        self._shift_below(lay.box, strip.bottom, grow)
        strip.h += grow
        strip.children.append(box)
        lay.box.h += grow
        lay.anchors[f"table:{name}"] = box
        return box

    @staticmethod
    def _shift_below(region: Box, y: float, dy: float) -> None:
        for child in region.children:
            if child.y >= y:
                _shift(child, 0, dy)

    def _onprem(self, layouts: list[RegionLayout], y: float) -> float:
        bottom = y
        dx_boxes: dict[str, Box] = {}
        dx_links: list[tuple[Box, RegionLayout, Box]] = []
        channel = y - 12
        for lay in layouts:
            v = lay.view
            assert lay.box is not None
            x = lay.content_x(lay.box.x)
            for cgw in v.of("aws:ec2/customerGateway:CustomerGateway"):
                box = _lines_box((v.key("cgw", cgw.name), "customer-gateway", cgw.name, "onprem"), (x, y, 250),
                                 f"On premises: {_inp(cgw, 'deviceName') or cgw.name}",
                                 f"customer gateway {_inp(cgw, 'ipAddress')} · BGP ASN {_inp(cgw, 'bgpAsn')}")
                self.boxes.append(box)
                for vpn in v.of("aws:ec2/vpnConnection:VpnConnection"):
                    tgw = lay.anchors.get(f"tgw:{_inp(vpn, 'transitGatewayId')}")
                    if _inp(vpn, "customerGatewayId") == cgw.id and tgw is not None:
                        lx = box.x + 40
                        self.links.append(Link(v.key("vpn", vpn.name), "hybrid", "vpn", box.key, tgw.key,
                                               [(lx, box.y), (lx, tgw.bottom)],
                                               Text(lx + 6, lay.box.bottom + 18, f"Site-to-Site VPN {vpn.name}", 10),
                                               True, True))
                x = box.right + PAD * 2
                bottom = max(bottom, box.bottom)
            for dx in v.of("aws:directconnect/gateway:Gateway"):
                dx_boxes[dx.id] = _lines_box((v.key("dx", dx.name), "direct-connect-gateway", dx.name, "onprem"),
                                             (0, y, 300), f"Direct Connect gateway {_inp(dx, 'name') or dx.name}",
                                             f"ASN {_inp(dx, 'amazonSideAsn')} · owned by {v.stack}")
        for lay in layouts:
            for assoc in lay.view.of("aws:directconnect/gatewayAssociation:GatewayAssociation"):
                tgw = lay.anchors.get(f"tgw:{_inp(assoc, 'associatedGatewayId')}")
                gid = str(_inp(assoc, "dxGatewayId"))
                if tgw is None:
                    continue
                if gid not in dx_boxes:
                    dx_boxes[gid] = _lines_box((lay.view.key("dx", gid), "direct-connect-gateway", gid, "onprem"),
                                               (0, y, 300), "Direct Connect gateway", f"{gid} · owned by another stack")
                dx_links.append((dx_boxes[gid], lay, tgw))
        # Direct Connect gateways right of everything on premises
        x = max([b.right + PAD * 4 for b in self.boxes if b.y >= y] + [layouts[0].box.x + 300 if layouts[0].box
                                                                          else 300])
        for gid in sorted(dx_boxes):
            box = dx_boxes[gid]
            _shift(box, x - box.x, 0)
            self.boxes.append(box)
            x = box.right + PAD * 2
            bottom = max(bottom, box.bottom)
        for n, (box, lay, tgw) in enumerate(dx_links):
            sx = box.x + box.w * (n + 1) / (len(dx_links) + 1)
            cy = channel - n * 8
            tx = tgw.right - 60 - n * 16
            self.links.append(Link(f"{lay.view.key('dx-association')}.{n}", "hybrid", "direct-connect", box.key,
                                   tgw.key, [(sx, box.y), (sx, cy), (tx, cy), (tx, tgw.bottom)], None, True, True))
        return bottom

    def _legend(self, layouts: list[RegionLayout], y: float) -> None:
        x = 20.0
        legend = Box("legend", "legend", "legend", "legend", x, y, 0, 0, title="legend")
        legend.texts.append(Text(x + 10, y + 18, "Legend", 12, bold=True))
        sx, sy = x + 10, y + 28
        swatches = [("public", "public subnets"), ("private", "private subnets"), ("isolated", "isolated subnets"),
                    ("attachment", "attachment subnets"), ("network", "networking"), ("compute", "compute"),
                    ("database", "databases"), ("storage", "storage"), ("security", "security"),
                    ("onprem", "on premises")]
        for style, label in swatches:
            w = text_width(label, 10) + 30
            sw = Box(f"legend.{style}", "legend-key", label, style, sx, sy, w, 18, title=label)
            sw.texts.append(Text(sx + 8, sy + 13, label, 10))
            legend.children.append(sw)
            sx += w + 6
        lines_x = x + 10
        ly = sy + 34
        for kind, label in [("edge", "edge to regional target"), ("cross-region", "cross-region link"),
                            ("hybrid", "VPN / Direct Connect"), ("peering", "VPC peering")]:
            legend.texts.append(Text(lines_x + 46, ly + 4, label, 10))
            self.links.append(Link(f"legend.{kind}", kind, "legend", "legend", "legend",
                                   [(lines_x, ly), (lines_x + 40, ly)], None, True, kind != "edge"))
            lines_x += 46 + text_width(label, 10) + 20
        fy = ly + 22
        legend.texts.append(Text(x + 10, fy, "Folded (counted, not drawn):", 10, bold=True))
        width = max(sx - x, lines_x - x, 600)
        for lay in layouts:
            folded = lay.view.folded()
            text = f"{lay.view.stack}: " + ", ".join(f"{n} {label}" for label, n in folded)
            for line in wrap(text, width - 20, 10):
                fy += 14
                legend.texts.append(Text(x + 10, fy, line, 10))
        legend.w = width
        legend.h = fy - y + 12
        self.boxes.append(legend)

    # -- SVG -------------------------------------------------------------------------------------------------
    def svg(self) -> str:
        root = ET.Element("svg", {
            "xmlns": "http://www.w3.org/2000/svg", "version": "1.1",
            "width": _n(self.width), "height": _n(self.height),
            "viewBox": f"0 0 {_n(self.width)} {_n(self.height)}",
            "font-family": FONT,
        })
        defs = ET.SubElement(root, "defs")
        for kind, colour in sorted(LINK_COLOURS.items()):
            marker = ET.SubElement(defs, "marker", {"id": f"arrow-{kind}", "viewBox": "0 0 10 10", "refX": "9",
                                                    "refY": "5", "markerWidth": "7", "markerHeight": "7",
                                                    "orient": "auto-start-reverse"})
            ET.SubElement(marker, "path", {"d": "M0,0 L10,5 L0,10 z", "fill": colour})
        ET.SubElement(root, "rect", {"x": "0", "y": "0", "width": _n(self.width), "height": _n(self.height),
                                     "fill": "#FFFFFF"})
        _text(root, Text(20, 26, self.title, 18, bold=True))
        _text(root, Text(20, 44, self.subtitle, 11, italic=True))
        for box in self.boxes:
            _box(root, box)
        for link in self.links:
            _link(root, link)
        ET.indent(root, space=" ")
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _shift(box: Box, dx: float, dy: float) -> None:
    """Move a box, its texts and its children."""
    for b in box.walk():
        b.x += dx
        b.y += dy
        for t in b.texts:
            t.x += dx
            t.y += dy


def _n(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _text(parent: ET.Element, t: Text) -> None:
    attrs = {"x": _n(t.x), "y": _n(t.y), "font-size": _n(t.size), "fill": "#232F3E"}
    if t.bold:
        attrs["font-weight"] = "bold"
    if t.italic:
        attrs["font-style"] = "italic"
    if t.anchor != "start":
        attrs["text-anchor"] = t.anchor
    ET.SubElement(parent, "text", attrs).text = t.s


def _box(parent: ET.Element, box: Box) -> None:
    style = STYLES[box.style]
    attrs = {"class": "box", "id": box.key, "data-kind": box.kind, "data-name": box.name}
    if box.layer:
        attrs["data-layer"] = box.layer
    attrs.update(box.attrs)
    g = ET.SubElement(parent, "g", attrs)
    if box.title:
        ET.SubElement(g, "title").text = box.title
    rect = {"x": _n(box.x), "y": _n(box.y), "width": _n(box.w), "height": _n(box.h), "rx": "4",
            "fill": style.fill, "stroke": style.stroke, "stroke-width": "1.5" if box.kind in ("region", "vpc") else "1"}
    if style.dash:
        rect["stroke-dasharray"] = "6 4"
    ET.SubElement(g, "rect", rect)
    for t in box.texts:
        _text(g, t)
    # the grid (AZ columns) first, so bands and cells are drawn over it
    for child in sorted(box.children, key=lambda c: c.layer != "grid"):
        _box(g, child)


def _link(parent: ET.Element, link: Link) -> None:
    colour = LINK_COLOURS[link.kind]
    g = ET.SubElement(parent, "g", {"class": "link", "id": link.key, "data-kind": link.kind, "data-link": link.link,
                                    "data-from": link.source, "data-to": link.target})
    d = "M" + " L".join(f"{_n(x)},{_n(y)}" for x, y in link.points)
    attrs = {"d": d, "fill": "none", "stroke": colour, "stroke-width": "1.6"}
    if link.kind in ("hybrid", "peering"):
        attrs["stroke-dasharray"] = "5 3"
    if link.arrow_end:
        attrs["marker-end"] = f"url(#arrow-{link.kind})"
    if link.arrow_start:
        attrs["marker-start"] = f"url(#arrow-{link.kind})"
    ET.SubElement(g, "path", attrs)
    if link.label is not None:
        t = link.label
        w = text_width(t.s, t.size)
        ET.SubElement(g, "rect", {"x": _n(t.x - 2), "y": _n(t.y - t.size), "width": _n(w + 4),
                                  "height": _n(t.size + 4), "fill": "#FFFFFF", "fill-opacity": "0.9"})
        _text(g, t)


# ---------------------------------------------------------------------------------------------------------------
# Public API


def _ordered(results: Mapping[str, StackResult]) -> list[StackResult]:
    """Primary first, then by stack name."""
    return sorted(results.values(), key=lambda r: (r.role != "primary", r.stack))


def render_stack(result: StackResult, settings: StackSettings) -> str:
    """One stack's diagram as SVG text: its region, VPCs, AZ columns, subnet bands, edge and on premises."""
    view = StackView(result, settings)
    diagram = Diagram([view], f"SecureCart {settings.environment}: {result.stack} ({result.region}, {result.role})",
                      f"synthesized from {len(result.resources)} registrations; one column per Availability "
                      f"Zone, one band per subnet group; folded resources are counted in the legend")
    diagram.build()
    return diagram.svg()


def render_global(run: SynthRun, settings: Mapping[str, StackSettings]) -> str:
    """Every stack of the run side by side, with the edge above and the cross-region links between them."""
    results = _ordered(run.results)
    views = [StackView(r, settings[r.stack]) for r in results]
    env = settings[results[0].stack].environment if results else ""
    regions = ", ".join(f"{r.stack} ({r.region}, {r.role})" for r in results)
    diagram = Diagram(views, f"SecureCart {env}: global architecture",
                      f"{regions}; the edge above, cross-region links between the regions, on premises below")
    diagram.build()
    return diagram.svg()


def write_diagrams(run: SynthRun, settings: Mapping[str, StackSettings], folder: Path) -> list[Path]:
    """<stack>.svg for every stack of the run and global.svg, in ``folder`` (created); the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for result in _ordered(run.results):
        path = folder / f"{result.stack}.svg"
        path.write_text(render_stack(result, settings[result.stack]), encoding="utf-8")
        written.append(path)
    path = folder / "global.svg"
    path.write_text(render_global(run, settings), encoding="utf-8")
    written.append(path)
    return written
