"""Resilience and capacity rules (issue 17): every customer path survives the loss of an Availability Zone and of a
region, and each service's scaling maximum carries its declared peak with the configured headroom.

They read the resource graph alone (joins through property dependencies, as during a real preview):
- ``path-survives-az-loss``: a running ECS service's tasks, every load balancer in front of it (through its target
  groups, listeners and listener rules) span at least ``minAzs`` AZs; each task subnet leaves through a NAT gateway
  in its own AZ (one NAT serving several AZs is lost with its AZ); every RDS instance is Multi-AZ.
- ``path-survives-region-loss``: each health-checked Route 53 record set answers with at least ``minRegions``
  health-checked targets, and each Global Accelerator listener has endpoint groups with endpoints in at least
  ``minRegions`` regions (the stacks that route between regions: the primary).
- ``capacity-covers-peak``: the delivery tier tags each ECS service with its declared peak (``securecart:peakRps``),
  what one task serves (``securecart:requestsPerTask``) and the headroom (``securecart:headroom``), and, where its
  region must absorb the other's peak, ``securecart:regionLossPeakRps``; the scaling target's maximum times the
  requests per task must reach the peak times (1 + headroom). A service without the tags declares no peak.

The figures behind these rules, and the detection and data-loss windows, are in the report
(``securecart synth --report``, automation/resilience.py).
"""

from collections.abc import Iterable, Mapping
from typing import Any

from pulumi_policy import PolicyResource, Severity, StackValidationArgs

from securecart_rules._common import as_list, attached, get, num, of_type, refs, truthy
from securecart_rules.registry import MANDATORY, StackReport, stack_rule
from securecart_rules.types import (
    APPAUTOSCALING_TARGET,
    EC2_NAT_GATEWAY,
    EC2_ROUTE,
    EC2_ROUTE_TABLE_ASSOCIATION,
    EC2_SUBNET,
    ECS_SERVICE,
    GLOBALACCELERATOR_ACCELERATOR,
    GLOBALACCELERATOR_ENDPOINT_GROUP,
    LISTENER_RULES,
    LISTENERS,
    LOAD_BALANCERS,
    RDS_INSTANCE,
    ROUTE53_HEALTH_CHECK,
    ROUTE53_RECORD,
    TARGET_GROUPS,
)

TAG_PEAK = "securecart:peakRps"
TAG_PER_TASK = "securecart:requestsPerTask"
TAG_HEADROOM = "securecart:headroom"
TAG_REGION_LOSS_PEAK = "securecart:regionLossPeakRps"
DEFAULT_ROUTE = "0.0.0.0/0"


# --- graph helpers ------------------------------------------------------------------------------------------------

def _parked(service: PolicyResource) -> bool:
    """A service deliberately at zero tasks (waiting for its first image)."""
    return num(service.props.get("desiredCount")) == 0.0


def _subnet_azs(subnets: Iterable[PolicyResource]) -> dict[str, str]:
    """Subnet URN -> its AZ (name or ID), for the subnets whose AZ is known (a preview may not know it yet)."""
    found: dict[str, str] = {}
    for s in subnets:
        az = s.props.get("availabilityZone") or s.props.get("availabilityZoneId")
        if isinstance(az, str) and az:
            found[s.urn] = az
    return found


def _subnets(resource: PolicyResource, *props: str) -> list[PolicyResource]:
    return [d for p in props for d in refs(resource, p) if d.resource_type == EC2_SUBNET]


def _load_balancers_of(service: PolicyResource, resources: list[PolicyResource]) -> list[PolicyResource]:
    """The load balancers that send traffic to the service: its target groups, the listeners and listener rules
    forwarding to them, those listeners' load balancers."""
    groups = {d.urn for d in refs(service, "loadBalancers") if d.resource_type in TARGET_GROUPS}
    listeners: dict[str, PolicyResource] = {}
    for listener in of_type(resources, *LISTENERS):
        if any(d.urn in groups for d in refs(listener, "defaultActions")):
            listeners[listener.urn] = listener
    for rule in of_type(resources, *LISTENER_RULES):
        if any(d.urn in groups for d in refs(rule, "actions")):
            for listener in refs(rule, "listenerArn"):
                listeners[listener.urn] = listener
    found: dict[str, PolicyResource] = {}
    for listener in listeners.values():
        for lb in refs(listener, "loadBalancerArn"):
            if lb.resource_type in LOAD_BALANCERS:
                found[lb.urn] = lb
    return [found[u] for u in sorted(found)]


def _egress_nats(subnet: PolicyResource, resources: list[PolicyResource]) -> list[PolicyResource]:
    """The NAT gateways a subnet's default route leads to (through its route table association)."""
    tables = {t.urn for a in of_type(resources, EC2_ROUTE_TABLE_ASSOCIATION)
              if any(d.urn == subnet.urn for d in refs(a, "subnetId")) for t in refs(a, "routeTableId")}
    nats: list[PolicyResource] = []
    for route in of_type(resources, EC2_ROUTE):
        if route.props.get("destinationCidrBlock") == DEFAULT_ROUTE and \
                any(d.urn in tables for d in refs(route, "routeTableId")):
            nats += [n for n in refs(route, "natGatewayId") if n.resource_type == EC2_NAT_GATEWAY]
    return nats


def _azs_text(azs: Iterable[str]) -> str:
    listed = sorted(set(azs))
    return ", ".join(listed) if listed else "none"


# --- AZ loss ------------------------------------------------------------------------------------------------------

MIN_AZS = {"minAzs": {"type": "integer", "minimum": 2, "default": 2,
                      "description": "Fewest AZs each component of a path (tasks, load balancers) must span."}}


def _service_az_problems(service: PolicyResource, resources: list[PolicyResource], min_azs: int,
                         report: StackReport) -> None:
    name = service.props.get("name") or service.name
    task_subnets = _subnets(service, "networkConfiguration")
    task_azs = _subnet_azs(task_subnets)
    if task_subnets and len(task_azs) == len(task_subnets) and len(set(task_azs.values())) < min_azs:
        report(f"Service {name}: its tasks run in {len(set(task_azs.values()))} AZ(s) ({_azs_text(task_azs.values())})"
               f": losing one stops the path; give it subnets in at least {min_azs} AZs.", service.urn)
    for lb in _load_balancers_of(service, resources):
        lb_subnets = _subnets(lb, "subnets", "subnetMappings")
        lb_azs = _subnet_azs(lb_subnets)
        if lb_subnets and len(lb_azs) == len(lb_subnets) and len(set(lb_azs.values())) < min_azs:
            report(f"Load balancer {lb.name} in front of {name} spans {len(set(lb_azs.values()))} AZ(s) "
                   f"({_azs_text(lb_azs.values())}): losing one stops the path; give it a subnet in at least "
                   f"{min_azs} AZs.", lb.urn)
    for subnet in task_subnets:
        own = task_azs.get(subnet.urn)
        for nat in _egress_nats(subnet, resources):
            nat_azs = _subnet_azs(refs(nat, "subnetId"))
            other = sorted(az for az in nat_azs.values() if own is not None and az != own)
            if other:
                report(f"Service {name}: task subnet {subnet.name} ({own}) leaves through NAT gateway {nat.name} in "
                       f"{', '.join(other)}: losing {other[0]} cuts {own}'s egress too; give each AZ its own NAT "
                       f"gateway.", nat.urn)


@stack_rule(
    name="path-survives-az-loss",
    description="Every customer path survives the loss of an AZ: tasks and load balancers over at least two AZs, "
                "a NAT gateway per AZ for the task subnets, RDS Multi-AZ.",
    source="SecureCart issue 17 (resilience report); seed: every tier over >= 2 AZs; AWS Well-Architected REL10-BP01",
    level=MANDATORY, severity=Severity.HIGH, config=MIN_AZS,
)
def path_survives_az_loss(args: StackValidationArgs, report: StackReport, settings: Mapping[str, Any]) -> None:
    min_azs = int(settings["minAzs"])
    resources = list(args.resources)
    for service in of_type(resources, ECS_SERVICE):
        if not _parked(service):
            _service_az_problems(service, resources, min_azs, report)
    for db in of_type(resources, RDS_INSTANCE):
        if not truthy(db.props.get("multiAz")):
            report(f"Database {db.name} is not Multi-AZ: losing its AZ stops every path that writes to it until a "
                   f"restore; set multi_az=True (a synchronous standby in another AZ).", db.urn)


# --- region loss --------------------------------------------------------------------------------------------------

MIN_REGIONS = {"minRegions": {"type": "integer", "minimum": 2, "default": 2,
                              "description": "Fewest regions each health-checked name and accelerator listener "
                                             "must be able to send customers to."}}


def _record_target(record: PolicyResource) -> str | None:
    """What a health-checked record answers with (its alias target or its values), or None where it is not
    health-checked (no health check and no alias evaluating its target's health)."""
    alias = next(iter(as_list(record.props.get("aliases"))), None)
    checked = bool(record.props.get("healthCheckId")) or bool(refs(record, "healthCheckId")) or \
        truthy(get(alias, "evaluateTargetHealth"))
    if not checked:
        return None
    if alias is not None:
        return str(get(alias, "name"))
    return ",".join(sorted(str(v) for v in as_list(record.props.get("records")))) or record.name


def _serving_region(group: PolicyResource) -> str | None:
    """The endpoint group's region, if it has an endpoint that takes traffic (weight above zero)."""
    endpoints = [e for e in as_list(group.props.get("endpointConfigurations"))
                 if num(get(e, "weight")) is None or (num(get(e, "weight")) or 0.0) > 0]
    region = group.props.get("endpointGroupRegion")
    return str(region) if endpoints and region else None


@stack_rule(
    name="path-survives-region-loss",
    description="Every name routed between regions survives the loss of a region: each health-checked Route 53 "
                "record set and each accelerator listener reaches a healthy second region.",
    source="SecureCart issue 17 (resilience report); seed: active-active across two regions; AWS Well-Architected "
           "REL10-BP01",
    level=MANDATORY, severity=Severity.HIGH, config=MIN_REGIONS,
)
def path_survives_region_loss(args: StackValidationArgs, report: StackReport, settings: Mapping[str, Any]) -> None:
    """A stack whose peer has not yet exported its side (the deployment plan's first pass of the primary) tags its
    health checks and accelerator SecondRegion=pending: those wait for the next pass rather than fail this one."""
    min_regions = int(settings["minRegions"])
    resources = list(args.resources)
    if not _pending(resources, ROUTE53_HEALTH_CHECK):
        _records_survive(resources, min_regions, report)
    if not _pending(resources, GLOBALACCELERATOR_ACCELERATOR):
        _accelerators_survive(resources, min_regions, report)


def _pending(resources: list[PolicyResource], typ: str) -> bool:
    return any((r.props.get("tags") or {}).get("SecondRegion") == "pending" for r in of_type(resources, typ))


def _records_survive(resources: list[PolicyResource], min_regions: int, report: StackReport) -> None:
    sets: dict[tuple[str, str], list[PolicyResource]] = {}
    for record in of_type(resources, ROUTE53_RECORD):
        if record.props.get("setIdentifier"):
            sets.setdefault((str(record.props.get("name")), str(record.props.get("type"))), []).append(record)
    for (name, kind), records in sorted(sets.items()):
        targets = {t for t in (_record_target(r) for r in records) if t is not None}
        if targets and len(targets) < min_regions:
            first = sorted(records, key=lambda r: r.urn)[0]
            report(f"{name} ({kind}) has {len(targets)} health-checked target(s) ({', '.join(sorted(targets))}): "
                   f"when that region is lost Route 53 has nowhere healthy to send customers; add a record for the "
                   f"other region's load balancer, bound to its health check.", first.urn)


def _accelerators_survive(resources: list[PolicyResource], min_regions: int, report: StackReport) -> None:
    listeners: dict[str, list[PolicyResource]] = {}
    for group in of_type(resources, GLOBALACCELERATOR_ENDPOINT_GROUP):
        key = next((d.urn for d in refs(group, "listenerArn")), str(group.props.get("listenerArn")))
        listeners.setdefault(key, []).append(group)
    for listener, groups in sorted(listeners.items()):
        regions = {r for r in (_serving_region(g) for g in groups) if r is not None}
        if len(regions) < min_regions:
            first = sorted(groups, key=lambda g: g.urn)[0]
            report(f"Accelerator listener {listener.rsplit('::', 1)[-1]} has endpoints in {len(regions)} region(s) "
                   f"({_azs_text(regions)}): when that region is lost the accelerator has nowhere to fail over; "
                   f"add an endpoint group for the other region's accelerator ALB.", first.urn)


# --- capacity -----------------------------------------------------------------------------------------------------

def _tag_number(tags: Mapping[str, Any], key: str, service: str, report: StackReport, urn: str) -> float | None:
    if key not in tags:
        return None
    value = num(tags[key])
    if value is None or value < 0:
        report(f"Service {service}: tag {key}={tags[key]!r} is not a non-negative number.", urn)
    return value


@stack_rule(
    name="capacity-covers-peak",
    description="Each ECS service's scaling maximum times its requests per task covers its declared peak with the "
                "headroom (and both regions' peak where it must absorb the other region's).",
    source="SecureCart issue 17 (capacity report); seed: survive traffic surges (peak sales)",
    level=MANDATORY, severity=Severity.HIGH,
)
def capacity_covers_peak(args: StackValidationArgs, report: StackReport, _: Mapping[str, Any]) -> None:
    targets = attached(args.resources, [APPAUTOSCALING_TARGET], "resourceId")
    for service in of_type(args.resources, ECS_SERVICE):
        tags = service.props.get("tags")
        if not isinstance(tags, Mapping) or TAG_PEAK not in tags:
            continue
        name = str(service.props.get("name") or service.name)
        peak = _tag_number(tags, TAG_PEAK, name, report, service.urn)
        per_task = _tag_number(tags, TAG_PER_TASK, name, report, service.urn)
        headroom = _tag_number(tags, TAG_HEADROOM, name, report, service.urn) or 0.0
        region_loss = _tag_number(tags, TAG_REGION_LOSS_PEAK, name, report, service.urn)
        if peak is None or per_task is None:
            if per_task is None and TAG_PER_TASK not in tags:
                report(f"Service {name} declares a peak of {peak} rps but not what one task serves: tag it "
                       f"{TAG_PER_TASK}.", service.urn)
            continue
        maxima = [num(t.props.get("maxCapacity")) for t in targets.get(service.urn, [])]
        known = [m for m in maxima if m is not None]
        most = max(known) if known else num(service.props.get("desiredCount"))
        if most is None:
            continue
        capacity = most * per_task
        for what, demand in (("its declared peak", peak), ("both regions' peak (region loss)", region_loss)):
            if demand is None:
                continue
            need = demand * (1 + headroom)
            if capacity + 1e-9 < need:
                report(f"Service {name}: {most:g} tasks at most x {per_task:g} rps = {capacity:g} rps, below {what} "
                       f"{demand:g} rps x (1 + {headroom:g} headroom) = {need:g} rps: raise maxTasks to at least "
                       f"{_tasks_for(need, per_task)} or lower the peak.", service.urn)


def _tasks_for(need: float, per_task: float) -> int:
    whole = int(need // per_task)
    return whole if whole * per_task >= need else whole + 1
