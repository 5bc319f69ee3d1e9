"""Security group rules: what may be open to the world, and where; descriptions; one way of managing rules."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pulumi_policy import PolicyResource, ResourceValidationArgs, Severity, StackValidationArgs

from securecart_rules._common import (
    as_list,
    is_world,
    num,
    of_type,
    refs,
    truthy,
)
from securecart_rules.registry import ADVISORY, MANDATORY, Report, StackReport, resource_rule, stack_rule
from securecart_rules.types import (
    AWS_PACKAGE,
    EC2_SECURITY_GROUP,
    EC2_SECURITY_GROUP_RULE,
    LOAD_BALANCERS,
    VPC_SECURITY_GROUP_EGRESS_RULE,
    VPC_SECURITY_GROUP_INGRESS_RULE,
)

INGRESS_TYPES = (EC2_SECURITY_GROUP, EC2_SECURITY_GROUP_RULE, VPC_SECURITY_GROUP_INGRESS_RULE)
SG_DEFINITIONS = (*INGRESS_TYPES, VPC_SECURITY_GROUP_EGRESS_RULE)  # a group and its rules: they name, never use it

# FSBP EC2.19's high-risk ports.
HIGH_RISK_PORTS = (20, 21, 22, 23, 25, 110, 135, 143, 445, 1433, 1434, 3000, 3306, 3389, 4333, 5000, 5432, 5500,
                   5601, 8080, 8088, 8888, 9200, 9300)
AUTHORISED_PORTS = (80, 443)  # the only ports open to the world, and only on load balancers (see below)


@dataclass(frozen=True)
class Ingress:
    protocol: str
    low: float
    high: float
    sources: tuple[str, ...]

    @property
    def all_ports(self) -> bool:
        return self.protocol in ("-1", "all") or (self.low <= 0 and self.high >= 65535)

    def covers(self, port: float) -> bool:
        return self.all_ports or self.low <= port <= self.high

    def world_sources(self) -> list[str]:
        return [s for s in self.sources if is_world(s)]


def _entry(protocol: Any, low: Any, high: Any, sources: list[Any]) -> Ingress:
    proto = str(protocol if protocol is not None else "-1").lower()
    lo, hi = num(low), num(high)
    if proto in ("-1", "all") or lo is None:
        lo, hi = 0.0, 65535.0
    return Ingress(proto, lo, hi if hi is not None else lo, tuple(str(s) for s in sources if s))


def ingress_of(resource_type: str, props: Mapping[str, Any]) -> list[Ingress]:
    """Every ingress entry of a security group or rule resource, in one shape."""
    if resource_type == EC2_SECURITY_GROUP:
        return [_entry(e.get("protocol"), e.get("fromPort"), e.get("toPort"),
                       as_list(e.get("cidrBlocks")) + as_list(e.get("ipv6CidrBlocks")))
                for e in as_list(props.get("ingress")) if isinstance(e, Mapping)]
    if resource_type == EC2_SECURITY_GROUP_RULE:
        if str(props.get("type", "")).lower() != "ingress":
            return []
        return [_entry(props.get("protocol"), props.get("fromPort"), props.get("toPort"),
                       as_list(props.get("cidrBlocks")) + as_list(props.get("ipv6CidrBlocks")))]
    if resource_type == VPC_SECURITY_GROUP_INGRESS_RULE:
        return [_entry(props.get("ipProtocol"), props.get("fromPort"), props.get("toPort"),
                       [props.get("cidrIpv4"), props.get("cidrIpv6")])]
    return []


def _ports(e: Ingress) -> str:
    if e.all_ports:
        return "all ports"
    return f"port {e.low:.0f}" if e.low == e.high else f"ports {e.low:.0f}-{e.high:.0f}"


AUTHORISED = {"authorisedPorts": {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 65535},
                                  "default": list(AUTHORISED_PORTS),
                                  "description": "Ports that may be open to 0.0.0.0/0 or ::/0 (on load balancers "
                                                 "only: internet-facing ones and internal ALBs)."}}


@resource_rule(
    name="sg-no-world-ingress",
    description="No security group admits 0.0.0.0/0 or ::/0 except on the authorised ports (80/443).",
    source="FSBP EC2.18; cdk-nag AwsSolutions-EC23",
    types=INGRESS_TYPES, level=MANDATORY, severity=Severity.HIGH, config=AUTHORISED,
)
def sg_no_world_ingress(args: ResourceValidationArgs, report: Report, settings: Mapping[str, Any]) -> None:
    authorised = {float(p) for p in settings["authorisedPorts"]}
    for e in ingress_of(args.resource_type, args.props):
        world = e.world_sources()
        if not world:
            continue
        inside = sum(1 for p in authorised if e.low <= p <= e.high)
        if e.all_ports or inside < e.high - e.low + 1:
            report(f"Ingress from {', '.join(world)} on {_ports(e)}: only ports "
                   f"{', '.join(str(int(p)) for p in sorted(authorised))} may be open to the world.")


HIGH_RISK = {"highRiskPorts": {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 65535},
                               "default": list(HIGH_RISK_PORTS),
                               "description": "Ports that must never be open to the world (FSBP EC2.19)."}}


@resource_rule(
    name="sg-no-world-high-risk-ports",
    description="No security group opens high-risk ports (SSH, RDP, databases, …) to the world.",
    source="FSBP EC2.19, EC2.13, EC2.14; cdk-nag AwsSolutions-EC23",
    types=INGRESS_TYPES, level=MANDATORY, severity=Severity.CRITICAL, config=HIGH_RISK,
)
def sg_no_world_high_risk_ports(args: ResourceValidationArgs, report: Report, settings: Mapping[str, Any]) -> None:
    for e in ingress_of(args.resource_type, args.props):
        world = e.world_sources()
        hit = [p for p in settings["highRiskPorts"] if e.covers(p)] if world else []
        if hit:
            report(f"Ingress from {', '.join(world)} reaches high-risk port(s) {', '.join(map(str, hit))}.")


def _groups_of(resource: PolicyResource) -> list[PolicyResource]:
    if resource.resource_type == EC2_SECURITY_GROUP:
        return [resource]
    return [g for g in refs(resource, "securityGroupId") if g.resource_type == EC2_SECURITY_GROUP]


def _users_of_groups(resources: list[PolicyResource]) -> dict[str, list[PolicyResource]]:
    """For each security group URN, the AWS resources that put it on an interface: any property of theirs computed
    from the group (load balancers' ``securityGroups``, services' ``networkConfiguration``, RDS'
    ``vpcSecurityGroupIds``, endpoints' ``securityGroupIds``, …). Rules and groups that merely name it as a source
    do not use it."""
    users: dict[str, list[PolicyResource]] = {}
    for r in resources:
        if not r.resource_type.startswith(AWS_PACKAGE) or r.resource_type in SG_DEFINITIONS:
            continue
        groups = {d.urn for deps in r.property_dependencies.values() for d in deps
                  if d.resource_type == EC2_SECURITY_GROUP}
        for urn in groups:
            users.setdefault(urn, []).append(r)
    return users


def _why_not_open(users: list[PolicyResource]) -> str | None:
    """None when every user of a group is a load balancer that may admit the world: an internet-facing one, or an
    internal application load balancer (a Global Accelerator endpoint: with client IP preservation it sees the
    clients' addresses, and sitting in private subnets only the accelerator and routed networks reach it)."""
    if not users:
        return "not on any load balancer"
    others = sorted(u.name for u in users if u.resource_type not in LOAD_BALANCERS)
    if others:
        return f"also used by what is not a load balancer ({', '.join(others)})"
    internal = sorted(lb.name for lb in users if truthy(lb.props.get("internal")) and
                      str(lb.props.get("loadBalancerType") or "application") != "application")
    if internal:
        return f"on {', '.join(internal)}: internal, and not an application load balancer"
    return None


@stack_rule(
    name="sg-world-ingress-only-on-public-load-balancers",
    description="Only security groups used by load balancers alone, internet-facing ones or internal ALBs (Global "
                "Accelerator endpoints that see client addresses), admit the world.",
    source="FSBP EC2.18 (authorised ports on load balancers only); AWS Global Accelerator client IP preservation",
    level=MANDATORY, severity=Severity.HIGH,
)
def sg_world_ingress_only_on_public_load_balancers(args: StackValidationArgs, report: StackReport,
                                                   _: Mapping[str, Any]) -> None:
    resources = list(args.resources)
    users = _users_of_groups(resources)
    for r in of_type(resources, *INGRESS_TYPES):
        if not any(e.world_sources() for e in ingress_of(r.resource_type, r.props)):
            continue
        problems = [f"'{g.name}' is {why}" for g in _groups_of(r) if (why := _why_not_open(users.get(g.urn, [])))]
        if problems:
            report(f"'{r.name}' opens a security group to the world, but {'; '.join(problems)}: only load "
                   f"balancers (internet-facing, or internal ALBs behind Global Accelerator) may admit the world; "
                   f"admit the load balancer's security group or known networks instead.", r.urn)


@resource_rule(
    name="sg-has-description",
    description="Security groups describe what they are for.",
    source="cdk-nag AwsSolutions-EC27",
    types=[EC2_SECURITY_GROUP], level=ADVISORY, severity=Severity.LOW,
)
def sg_has_description(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    text = str(args.props.get("description") or "").strip()
    if not text or text == "Managed by Pulumi":
        report("The security group has no description of what it admits and why.")


@stack_rule(
    name="sg-rules-managed-one-way",
    description="A security group's rules are either inline or standalone resources, never both.",
    source="AWSGuard security-group-no-rule-management-conflicts",
    level=ADVISORY, severity=Severity.MEDIUM,
)
def sg_rules_managed_one_way(args: StackValidationArgs, report: StackReport, _: Mapping[str, Any]) -> None:
    standalone: dict[str, list[str]] = {}
    for r in of_type(args.resources, EC2_SECURITY_GROUP_RULE, VPC_SECURITY_GROUP_INGRESS_RULE,
                     VPC_SECURITY_GROUP_EGRESS_RULE):
        for g in refs(r, "securityGroupId"):
            standalone.setdefault(g.urn, []).append(r.name)
    for g in of_type(args.resources, EC2_SECURITY_GROUP):
        inline = as_list(g.props.get("ingress")) + as_list(g.props.get("egress"))
        if inline and g.urn in standalone:
            report(f"The security group has inline rules and standalone rule resources "
                   f"({', '.join(sorted(standalone[g.urn]))}): they overwrite each other; use one way.", g.urn)
