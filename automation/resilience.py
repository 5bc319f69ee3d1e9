"""The resilience and capacity report (``securecart synth --report``; issue 17).

Per customer path (browse, checkout, payment, sessions, images), read from the synthesized resources of both
stacks and their settings:
- the entry points, and the designed failover detection and switch times: Route 53's health checks
  (``requestInterval`` x ``failureThreshold``, then the answer's TTL), Global Accelerator (the endpoint ALBs'
  target groups: ``interval`` x ``unhealthyThreshold``, nothing cached), the load balancers' target health in a
  region, CloudFront's origin group (``connectionAttempts`` x ``connectionTimeout``);
- the AZ losses it survives: how many AZs each of its components spans (tasks' subnets, the load balancers in front
  of them, the NAT gateways their subnets leave through, RDS Multi-AZ; DynamoDB and S3 are regional);
- the region losses it survives: a healthy second region and how it is reached (health-checked records,
  accelerator endpoint groups, DynamoDB replicas, a cross-region RDS replica that needs promoting, S3 replication);
- the data-loss window (RPO) of each store on an AZ loss and on a region loss, and its backups;
- each service's surge capacity at its scaling maximum (``maxCapacity`` x requests per task) against the declared
  peak with the headroom, and against both regions' peak on a region loss.

Every AWS figure used comes from ``FACTS`` (its source and the date it was read). ``problems`` lists what the
pack's ``path-survives-az-loss``, ``path-survives-region-loss`` and ``capacity-covers-peak`` rules gate on; the
report itself changes no exit code.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from automation.mocks import Registration
from automation.synth import StackResult, SynthRun
from components.settings.capacity import CapacitySettings, CustomerPath, path_services, service_peaks
from components.settings.edge import ALIAS_TTL_SECONDS
from components.settings.stack import StackSettings

# --- the AWS figures, with their sources ---------------------------------------------------------------------------

READ = "2026-12-02"


@dataclass(frozen=True)
class Fact:
    figure: str
    seconds: float | None  # the figure in seconds where the report computes with it
    url: str
    read: str = READ
    estimate: bool = False


FACTS: dict[str, Fact] = {
    "route53-health-check": Fact(
        "Route 53 considers an endpoint unhealthy after failureThreshold consecutive failed checks, requestInterval "
        "(10 or 30 s) apart", None,
        "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html"),
    "elb-alias-ttl": Fact(
        "an alias record answers with its target's TTL, which Route 53 sets: 60 s for a load balancer (used for "
        "every alias target here: an estimate for API Gateway's)",
        float(ALIAS_TTL_SECONDS),
        "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-values-alias.html"),
    "alb-target-health": Fact(
        "a load balancer stops routing to a target after UnhealthyThresholdCount consecutive failed checks, "
        "HealthCheckIntervalSeconds apart", None,
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html"),
    "accelerator-elb-health": Fact(
        "for ALB and NLB endpoints Global Accelerator follows Elastic Load Balancing's health checks; with no healthy "
        "endpoint in a group it fails over to the nearest healthy endpoint group; its anycast addresses never change",
        None, "https://docs.aws.amazon.com/global-accelerator/latest/dg/about-endpoint-groups-health-check-options.html"),
    "cloudfront-origin-failover": Fact(
        "an origin group fails over to its secondary on the listed status codes, or when the primary cannot be "
        "reached after connectionAttempts x connectionTimeout", None,
        "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/high_availability_origin_failover.html"),
    "rds-multi-az": Fact(
        "a Multi-AZ DB instance replicates synchronously to a standby in another AZ (no committed write lost); "
        "failover typically takes 60-120 s", 120.0,
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZ.Failover.html"),
    "rds-cross-region-replica": Fact(
        "a cross-region read replica is updated asynchronously: writes within its ReplicaLag are lost on a region "
        "loss (estimate: a 60 s lag budget); it takes writes only once promoted, by hand, in minutes", 60.0,
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.html", estimate=True),
    "rds-pitr": Fact(
        "automated backups restore to any second of the retention period up to the latest restorable time, "
        "typically within the last 5 minutes", 300.0,
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PIT.html"),
    "dynamodb-regional": Fact(
        "DynamoDB stores each table's data in three AZs of its region: an AZ loss loses no acknowledged write", 0.0,
        "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Introduction.html"),
    "dynamodb-global-table": Fact(
        "a global table (multi-Region eventual consistency) replicates item changes asynchronously, typically within "
        "a second", 1.0,
        "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_HowItWorks.html",
        estimate=True),
    "dynamodb-pitr": Fact(
        "point-in-time recovery restores to any second of the last 35 days; LatestRestorableDateTime is typically "
        "5 minutes before the current time", 300.0,
        "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PointInTimeRecoveryDescription.html"),
    "s3-regional": Fact(
        "S3 Standard stores objects across at least three AZs before it acknowledges a write", 0.0,
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/DataDurability.html"),
    "s3-rtc": Fact(
        "S3 Replication Time Control replicates 99.99% of objects within 15 minutes (most within seconds)", 900.0,
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-time-control.html"),
}


# --- the report's shape --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Timing:
    mechanism: str  # dns | accelerator | target-health | origin-group
    scope: str  # region (a region's loss), task (a task's or an AZ's loss, inside the region) or request (each one)
    detect_seconds: float
    switch_seconds: float
    derivation: str
    facts: tuple[str, ...]


@dataclass(frozen=True)
class AzSpan:
    stack: str
    component: str
    azs: tuple[str, ...]  # empty for a regional service (DynamoDB, S3): see note
    survives: bool
    note: str = ""


@dataclass(frozen=True)
class RegionSurvival:
    survives: bool
    regions: tuple[str, ...]
    how: str
    needs: str = ""  # what a person must do first (promote a replica), if anything


@dataclass(frozen=True)
class PathReport:
    path: str
    entry: tuple[str, ...]
    services: tuple[str, ...]
    stores: tuple[str, ...]
    timings: tuple[Timing, ...]
    az: tuple[AzSpan, ...]
    region: RegionSurvival

    @property
    def survives_az_loss(self) -> bool:
        return all(a.survives for a in self.az) and bool(self.az)


@dataclass(frozen=True)
class StoreReport:
    store: str
    kind: str
    stack: str
    az_rpo_seconds: float | None  # None: not recoverable from this loss without the region
    region_rpo_seconds: float | None  # None: no copy outside the region
    backups: str
    recovery: str
    facts: tuple[str, ...]


@dataclass(frozen=True)
class CapacityLine:
    stack: str
    service: str
    paths: tuple[str, ...]
    max_tasks: int
    requests_per_task: float | None
    capacity_rps: float | None
    peak_rps: float | None
    headroom: float
    required_rps: float | None
    ok: bool | None  # None: nothing declared
    region_loss_peak_rps: float | None
    region_loss_required_rps: float | None
    region_loss_ok: bool | None
    region_loss_gated: bool


@dataclass(frozen=True)
class ResilienceReport:
    paths: tuple[PathReport, ...]
    stores: tuple[StoreReport, ...]
    capacity: tuple[CapacityLine, ...]
    problems: tuple[str, ...]
    facts: Mapping[str, Fact] = field(default_factory=lambda: dict(FACTS))

    def path(self, name: str) -> PathReport:
        return next(p for p in self.paths if p.path == name)

    def to_json(self) -> dict[str, Any]:
        """The report as JSON-able data (what ``--json`` adds as ``report.resilience``)."""
        paths = [{**asdict(p), "survivesAzLoss": p.survives_az_loss} for p in self.paths]
        return {"paths": paths, "stores": [asdict(s) for s in self.stores],
                "capacity": [asdict(c) for c in self.capacity], "problems": list(self.problems),
                "facts": {k: asdict(v) for k, v in sorted(self.facts.items())}}


# --- reading the graph ---------------------------------------------------------------------------------------------

LB_TYPES = ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
TG_TYPES = ("aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup")
LISTENER_TYPES = ("aws:lb/listener:Listener", "aws:alb/listener:Listener")
RULE_TYPES = ("aws:lb/listenerRule:ListenerRule", "aws:alb/listenerRule:ListenerRule")
SUBNET = "aws:ec2/subnet:Subnet"
ROUTE = "aws:ec2/route:Route"
RTA = "aws:ec2/routeTableAssociation:RouteTableAssociation"
NAT = "aws:ec2/natGateway:NatGateway"
SERVICE = "aws:ecs/service:Service"
SCALING = "aws:appautoscaling/target:Target"
RDS = "aws:rds/instance:Instance"
TABLE = "aws:dynamodb/table:Table"
REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"
RECORD = "aws:route53/record:Record"
HEALTH_CHECK = "aws:route53/healthCheck:HealthCheck"
ENDPOINT_GROUP = "aws:globalaccelerator/endpointGroup:EndpointGroup"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
_REGION_IN_NAME = re.compile(r"\.([a-z]{2}(?:-[a-z]+)+-\d)\.(?:[a-z0-9-]+\.)*amazonaws\.com\.?$")


def _plain(value: Any) -> Any:
    """A recorded input without Pulumi's secret wrapper."""
    if isinstance(value, dict) and "value" in value and len(value) == 2:
        return value["value"]
    return value


class _Stack:
    """Lookups over one synthesized stack: by URN, by type, and by the IDs and ARNs the mocks handed out."""

    def __init__(self, result: StackResult) -> None:
        self.result = result
        self.name = result.stack
        self.by_urn = {r.urn: r for r in result.resources}
        self.keys: dict[str, Registration] = {}
        for r in result.resources:
            for key in (r.id, r.outputs.get("arn"), r.outputs.get("dnsName")):
                if isinstance(key, str) and key:
                    self.keys.setdefault(key, r)

    def of(self, *types: str) -> list[Registration]:
        return sorted((r for r in self.result.resources if r.type in types), key=lambda r: r.name)

    def deps(self, r: Registration, prop: str, *types: str) -> list[Registration]:
        found = [self.by_urn[u] for u in r.property_dependencies.get(prop, []) if u in self.by_urn]
        return [d for d in found if not types or d.type in types]

    def az(self, subnet: Registration) -> str | None:
        az = subnet.inputs.get("availabilityZone") or subnet.inputs.get("availabilityZoneId")
        return str(az) if az else None

    def azs(self, subnets: Iterable[Registration]) -> tuple[str, ...]:
        return tuple(sorted({a for a in (self.az(s) for s in subnets) if a}))

    def task_subnets(self, service: Registration) -> list[Registration]:
        return self.deps(service, "networkConfiguration", SUBNET)

    def target_groups(self, service: Registration) -> list[Registration]:
        return self.deps(service, "loadBalancers", *TG_TYPES)

    def load_balancers_of(self, groups: Iterable[Registration]) -> list[Registration]:
        urns = {g.urn for g in groups}
        listeners = {x.urn for x in self.of(*LISTENER_TYPES)
                     if any(u in urns for u in x.property_dependencies.get("defaultActions", []))}
        for rule in self.of(*RULE_TYPES):
            if any(u in urns for u in rule.property_dependencies.get("actions", [])):
                listeners |= set(rule.property_dependencies.get("listenerArn", []))
        lbs = {d.urn: d for u in sorted(listeners) if u in self.by_urn
               for d in self.deps(self.by_urn[u], "loadBalancerArn", *LB_TYPES)}
        return [lbs[u] for u in sorted(lbs)]

    def groups_of(self, lb: Registration) -> list[Registration]:
        """The target groups a load balancer forwards to (its listeners' default actions and rules)."""
        listeners = [x for x in self.of(*LISTENER_TYPES)
                     if lb.urn in x.property_dependencies.get("loadBalancerArn", [])]
        urns = {u for x in listeners for u in x.property_dependencies.get("defaultActions", [])}
        for rule in self.of(*RULE_TYPES):
            if any(x.urn in rule.property_dependencies.get("listenerArn", []) for x in listeners):
                urns |= set(rule.property_dependencies.get("actions", []))
        return sorted((self.by_urn[u] for u in urns if u in self.by_urn and self.by_urn[u].type in TG_TYPES),
                      key=lambda g: g.name)

    def egress_nats(self, subnet: Registration) -> list[Registration]:
        tables = {u for a in self.of(RTA) if subnet.urn in a.property_dependencies.get("subnetId", [])
                  for u in a.property_dependencies.get("routeTableId", [])}
        return [n for route in self.of(ROUTE) if route.inputs.get("destinationCidrBlock") == "0.0.0.0/0"
                and tables & set(route.property_dependencies.get("routeTableId", []))
                for n in self.deps(route, "natGatewayId", NAT)]

    def max_tasks(self, service: Registration) -> int:
        maxima = [int(t.inputs.get("maxCapacity", 0)) for t in self.of(SCALING)
                  if service.urn in t.property_dependencies.get("resourceId", [])]
        return max(maxima) if maxima else int(service.inputs.get("desiredCount", 0))

    def service(self, name: str) -> Registration | None:
        return next((s for s in self.of(SERVICE) if s.inputs.get("name") == name), None)


def _detect(tg: Registration) -> tuple[float, str]:
    hc = tg.inputs.get("healthCheck") or {}
    interval, threshold = float(hc.get("interval", 30)), float(hc.get("unhealthyThreshold", 2))
    return interval * threshold, f"{tg.name}: {interval:g} s x {threshold:g}"


def _region_of(name: str) -> str | None:
    m = _REGION_IN_NAME.search(name)
    return m.group(1) if m else None


class _Reader:
    def __init__(self, run: SynthRun, settings: Mapping[str, StackSettings],
                 capacity: Mapping[str, CapacitySettings]) -> None:
        self.run = run
        self.settings = settings
        self.capacity = capacity
        self.stacks = {name: _Stack(r) for name, r in sorted(run.results.items())}
        self.primary = next((s for s in self.stacks.values() if s.result.role == "primary"),
                            next(iter(self.stacks.values())))

    def anywhere(self, key: str) -> tuple[_Stack, Registration] | None:
        for s in self.stacks.values():
            if key in s.keys:
                return s, s.keys[key]
        return None

    def serving(self, stack: str) -> dict[CustomerPath, list[str]]:
        st = self.settings.get(stack)
        if st is None or st.delivery is None:
            return {p: [] for p in CustomerPath}
        return path_services(st.delivery, st.private_link.service if st.private_link is not None else None)

    # -- timings ------------------------------------------------------------------------------------------------

    def dns(self, name: str) -> tuple[list[Timing], set[str]]:
        """The DNS failover figures of a name's health-checked records, and the regions they answer with."""
        p = self.primary
        records = [r for r in p.of(RECORD) if str(r.inputs.get("name", "")).rstrip(".") == name]
        aliases_to = {str(a.get("name")) for r in records for a in r.inputs.get("aliases") or []}
        nested = [r for r in p.of(RECORD) if str(r.inputs.get("name", "")).rstrip(".") in
                  {a.rstrip(".") for a in aliases_to}]
        checks: dict[str, Registration] = {}
        guarded: dict[str, set[str]] = {}  # health check URN -> the alias targets of the records it decides for
        regions: set[str] = set()
        ttl = 0.0
        for r in records + nested:
            hcs = p.deps(r, "healthCheckId", HEALTH_CHECK)
            for h in hcs:
                guarded.setdefault(h.urn, set()).update(str(a.get("name", "")).rstrip(".").lower()
                                                         for a in r.inputs.get("aliases") or [])
            for a in r.inputs.get("aliases") or []:
                target = self.anywhere(str(a.get("name")))
                tagged = [str((h.inputs.get("tags") or {}).get("Region", "")) for h in hcs]
                region = target[0].result.region if target else _region_of(str(a.get("name"))) or \
                    next((t for t in tagged if t), None)
                if hcs and region:
                    regions.add(region)
                # An alias answers with its target's TTL, which Route 53 fixes (60 s for a load balancer).
                ttl = max(ttl, FACTS["elb-alias-ttl"].seconds or 0.0)
            if not r.inputs.get("aliases"):
                ttl = max(ttl, float(r.inputs.get("ttl", 0)))
            checks.update({h.urn: h for h in hcs})
        timings = []
        for hc in sorted(checks.values(), key=lambda h: h.name):
            interval, threshold = hc.inputs.get("requestInterval"), hc.inputs.get("failureThreshold")
            if interval is None or threshold is None:
                continue
            detect = float(interval) * float(threshold)
            # A check of another endpoint than the records' own targets (the partners' API records follow the
            # region's ALB health) is a proxy: a failure only behind those targets is not seen.
            fqdn = str(hc.inputs.get("fqdn", "")).rstrip(".").lower()
            targets = guarded.get(hc.urn, set())
            proxy = f" (a proxy: it checks {fqdn}, not {', '.join(sorted(targets - {fqdn}))})" \
                if fqdn and targets and not targets <= {fqdn} else ""
            timings.append(Timing("dns", "region", detect, detect + ttl,
                                  f"{hc.name}: {float(interval):g} s x {float(threshold):g} failures, then a "
                                  f"{ttl:g} s TTL{proxy}", ("route53-health-check", "elb-alias-ttl")))
        worst = max(timings, key=lambda t: (t.detect_seconds, t.derivation), default=None)
        return ([worst] if worst else []), regions

    def accelerator(self) -> tuple[list[Timing], set[str]]:
        regions: set[str] = set()
        worst: tuple[float, str] | None = None
        for group in self.primary.of(ENDPOINT_GROUP):
            for ep in group.inputs.get("endpointConfigurations") or []:
                if ep.get("weight") is not None and float(ep["weight"]) <= 0:
                    continue
                found = self.anywhere(str(ep.get("endpointId")))
                region = group.inputs.get("endpointGroupRegion") or (found[0].result.region if found else None)
                if region:
                    regions.add(str(region))
                if found is None:
                    continue  # the peer's load balancer, when the peer is not in this run: no timing from it
                stack, lb = found
                for tg in stack.groups_of(lb):
                    figure = _detect(tg)
                    worst = figure if worst is None or figure > worst else worst
        if worst is None:
            return [], regions
        return [Timing("accelerator", "region", worst[0], worst[0],
                       f"the endpoint ALBs' target groups ({worst[1]}); clients keep the same addresses",
                       ("accelerator-elb-health", "alb-target-health"))], regions

    def target_health(self, services: list[str]) -> list[Timing]:
        worst: tuple[float, str] | None = None
        for s in self.stacks.values():
            for name in services:
                svc = s.service(name)
                for tg in s.target_groups(svc) if svc is not None else []:
                    figure = _detect(tg)
                    worst = figure if worst is None or figure > worst else worst
        if worst is None:
            return []
        return [Timing("target-health", "task", worst[0], worst[0],
                       f"the load balancer stops sending to a failed task or AZ ({worst[1]})", ("alb-target-health",))]

    def origin_group(self) -> tuple[list[Timing], set[str]]:
        regions: set[str] = set()
        timings: list[Timing] = []
        for dist in self.primary.of(DISTRIBUTION):
            origins = {o.get("originId"): o for o in _plain(dist.inputs.get("origins")) or []}
            for group in dist.inputs.get("originGroups") or []:
                members: list[dict[str, Any]] = [origins[m.get("originId")] for m in (group.get("members") or [])
                                                 if m.get("originId") in origins]
                for m in members:
                    match = re.search(r"\.s3\.([a-z0-9-]+)\.amazonaws\.com$", str(m.get("domainName", "")))
                    if match:
                        regions.add(match.group(1))
                if members:
                    first = members[0]
                    attempts, timeout = float(first.get("connectionAttempts", 3)), float(first.get("connectionTimeout",
                                                                                                  10))
                    codes = ", ".join(str(c) for c in (group.get("failoverCriteria") or {}).get("statusCodes", []))
                    # Per request, not once: each cache miss tries the primary first, so while its region does
                    # not answer every miss waits this long before the replica serves it.
                    timings.append(Timing("origin-group", "request", attempts * timeout, attempts * timeout,
                                          f"{group.get('originId')}: per cache miss, at once on {codes}; "
                                          f"{attempts:g} attempt(s) x {timeout:g} s added to each miss while the "
                                          f"primary does not answer", ("cloudfront-origin-failover",)))
        return timings, regions

    # -- AZ spans -----------------------------------------------------------------------------------------------

    def service_spans(self, services: list[str]) -> list[AzSpan]:
        spans: list[AzSpan] = []
        for s in self.stacks.values():
            for name in services:
                svc = s.service(name)
                if svc is None:
                    continue
                subnets = s.task_subnets(svc)
                azs = s.azs(subnets)
                spans.append(AzSpan(s.name, f"{name} tasks", azs, len(azs) >= 2))
                for lb in s.load_balancers_of(s.target_groups(svc)):
                    lb_azs = s.azs(s.deps(lb, "subnets", SUBNET))
                    spans.append(AzSpan(s.name, f"load balancer {lb.name}", lb_azs, len(lb_azs) >= 2))
                nat_azs: set[str] = set()
                crossing = []
                for subnet in subnets:
                    for nat in s.egress_nats(subnet):
                        at = s.azs(s.deps(nat, "subnetId", SUBNET))
                        nat_azs |= set(at)
                        if s.az(subnet) not in at:
                            crossing.append(f"{subnet.name} -> {nat.name}")
                if nat_azs or crossing:
                    spans.append(AzSpan(s.name, f"{name} egress NAT", tuple(sorted(nat_azs)), not crossing,
                                        "crosses AZs: " + ", ".join(crossing) if crossing else "one per AZ"))
        return sorted(set(spans), key=lambda a: (a.stack, a.component))

    def store_spans(self, stores: list[str]) -> list[AzSpan]:
        spans = []
        for s in self.stacks.values():
            if "database" in stores:
                for db in s.of(RDS):
                    multi = bool(db.inputs.get("multiAz"))
                    spans.append(AzSpan(s.name, f"database {db.name}", (), multi,
                                        "Multi-AZ: synchronous standby" if multi else "single AZ"))
            if "sessions" in stores:
                spans += [AzSpan(s.name, f"sessions table {t.name}", (), True, "regional: three AZs")
                          for t in s.of(TABLE)]
        return spans

    # -- stores ---------------------------------------------------------------------------------------------------

    def stores(self) -> list[StoreReport]:
        out: list[StoreReport] = []
        for s in self.stacks.values():
            for db in s.of(RDS):
                if db.inputs.get("replicateSourceDb"):
                    continue
                arn = str(db.outputs.get("arn", ""))
                replicas = [(o.name, r) for o in self.stacks.values() for r in o.of(RDS)
                            if r.inputs.get("replicateSourceDb") in (arn, db.inputs.get("identifier"))
                            and o.name != s.name]
                multi = bool(db.inputs.get("multiAz"))
                days = int(db.inputs.get("backupRetentionPeriod", 0))
                pitr = FACTS["rds-pitr"].seconds
                replica = FACTS["rds-cross-region-replica"].seconds
                out.append(StoreReport(
                    "database", "RDS", s.name, 0.0 if multi else pitr, replica if replicas else None,
                    f"{days} days of automated backups, point-in-time restore to within "
                    f"{(pitr or 0) / 60:g} min" if days else "no automated backups",
                    ("Multi-AZ failover, automatic" if multi else "restore from backup") +
                    (f"; region loss: promote the replica in {', '.join(n for n, _ in replicas)} (by hand)"
                     if replicas else "; region loss: no copy outside the region"),
                    ("rds-multi-az", "rds-pitr") + (("rds-cross-region-replica",) if replicas else ())))
            for t in s.of(TABLE):
                regions = [str(r.get("regionName")) for r in t.inputs.get("replicas") or []]
                pitr_on = bool((t.inputs.get("pointInTimeRecovery") or {}).get("enabled"))
                out.append(StoreReport(
                    "sessions", "DynamoDB global table" if regions else "DynamoDB table", s.name, 0.0,
                    FACTS["dynamodb-global-table"].seconds if regions else None,
                    "point-in-time recovery, 35 days, to within 5 min" if pitr_on else "no point-in-time recovery",
                    f"replicas in {', '.join([s.result.region, *regions])}, each takes reads and writes"
                    if regions else "none outside the region",
                    ("dynamodb-regional", "dynamodb-global-table", "dynamodb-pitr")))
            for rc in s.of(REPLICATION):
                rules = _plain(rc.inputs.get("rules")) or []
                rtc = [r for r in rules if ((r.get("destination") or {}).get("replicationTime") or {})
                       .get("status") == "Enabled"]
                regions = sorted({reg for r in rules for reg in [self._bucket_region(
                    str((r.get("destination") or {}).get("bucket", "")))] if reg})
                out.append(StoreReport(
                    "images", "S3 cross-region replication" + (" with RTC" if rtc else ""), s.name, 0.0,
                    FACTS["s3-rtc"].seconds if rtc else None,
                    "versioned: every overwritten or deleted object kept as a noncurrent version",
                    f"replicated to {', '.join(regions) or 'another region'}; CloudFront's origin group reads the "
                    f"replica on a failure", ("s3-regional", "s3-rtc")))
        return out

    def _bucket_region(self, arn: str) -> str | None:
        found = self.anywhere(arn)
        return found[0].result.region if found else None

    # -- capacity -------------------------------------------------------------------------------------------------

    def capacity_lines(self) -> list[CapacityLine]:
        lines: list[CapacityLine] = []
        for name, s in self.stacks.items():
            st = self.settings.get(name)
            if st is None or st.delivery is None:
                continue
            cap = self.capacity.get(name) or CapacitySettings()
            pl = st.private_link.service if st.private_link is not None else None
            peaks = service_peaks(cap, st.delivery, pl)
            serving = path_services(st.delivery, pl)
            peer_name = st.peer_stack
            peer_st = self.settings.get(peer_name) if peer_name else None
            peer_cap = self.capacity.get(peer_name) if peer_name else None
            peer_peaks = service_peaks(peer_cap, peer_st.delivery, pl) \
                if peer_cap is not None and peer_st is not None and peer_st.delivery is not None else {}
            for svc in st.delivery.services:
                reg = s.service(svc.name)
                most = s.max_tasks(reg) if reg is not None else svc.max_tasks
                per = cap.requests_per_task.get(svc.name)
                peak = peaks.get(svc.name)
                capacity = most * per if per is not None else None
                need = peak * (1 + cap.headroom) if peak is not None else None
                ok = None if need is None or capacity is None else capacity >= need
                rl_peak = (peak or 0.0) + peer_peaks[svc.name] if svc.name in peer_peaks else None
                rl_need = rl_peak * (1 + cap.headroom) if rl_peak is not None else None
                rl_ok = None if rl_need is None or capacity is None else capacity >= rl_need
                lines.append(CapacityLine(
                    name, svc.name, tuple(str(p) for p, names in serving.items() if svc.name in names), most, per,
                    capacity, peak, cap.headroom, need, ok, rl_peak, rl_need, rl_ok, cap.absorb_peer_on_region_loss))
        return lines


# --- the report ------------------------------------------------------------------------------------------------------

def _path_stores(reader: _Reader, services: list[str]) -> list[str]:
    stores: list[str] = []
    for st in reader.settings.values():
        if st.data is None or st.delivery is None:
            continue
        db_clients = st.data.database.clients if st.data.database.clients is not None else \
            [s.name for s in st.delivery.services]
        if any(s in db_clients for s in services):
            stores.append("database")
        if any(s in st.session_clients for s in services):
            stores.append("sessions")
    return sorted(set(stores))


def _service_regions(reader: _Reader, services: list[str]) -> set[str]:
    return {s.result.region for s in reader.stacks.values() if services and all(s.service(n) for n in services)}


def _db_needs(reader: _Reader, stores: list[str]) -> str:
    if "database" not in stores:
        return ""
    replicas = [s.result.region for s in reader.stacks.values() for r in s.of(RDS) if r.inputs.get("replicateSourceDb")]
    return f"writes need the {', '.join(sorted(replicas))} replica promoted (by hand)" if replicas else ""


def report(run: SynthRun, settings: Mapping[str, StackSettings],
           capacity: Mapping[str, CapacitySettings]) -> "ResilienceReport":
    """The resilience and capacity report of a synthesized pair of stacks (see the module docstring)."""
    reader = _Reader(run, settings, capacity)
    edge = next((st.edge for st in settings.values() if st.edge is not None), None)
    serving: dict[CustomerPath, list[str]] = {p: [] for p in CustomerPath}
    for name in reader.stacks:
        for p, names in reader.serving(name).items():
            serving[p] = sorted(set(serving[p]) | set(names))
    paths: list[PathReport] = []

    api_timings, api_regions = reader.dns(edge.api_name) if edge else ([], set())
    browse = serving[CustomerPath.BROWSE]
    browse_stores = _path_stores(reader, browse)
    paths.append(PathReport(
        "browse", tuple(n for n in ([edge.storefront_name, edge.api_name] if edge else []) if n), tuple(browse),
        tuple(browse_stores), tuple(api_timings + reader.target_health(browse)),
        tuple(reader.service_spans(browse) + reader.store_spans(browse_stores)),
        RegionSurvival(len(api_regions) >= 2, tuple(sorted(api_regions)),
                       "Route 53 geolocation and latency records, each bound to its region's health check; "
                       "CloudFront's dynamic origin is that name")))

    ga_timings, ga_regions = reader.accelerator()
    checkout = serving[CustomerPath.CHECKOUT]
    checkout_stores = _path_stores(reader, checkout)
    paths.append(PathReport(
        "checkout", tuple(n for n in ([edge.checkout_name, f"{edge.api_name}/checkout*"] if edge else []) if n),
        tuple(checkout), tuple(checkout_stores), tuple(ga_timings + api_timings + reader.target_health(checkout)),
        tuple(reader.service_spans(checkout) + reader.store_spans(checkout_stores)),
        RegionSurvival(len(ga_regions) >= 2, tuple(sorted(ga_regions)),
                       "Global Accelerator endpoint groups per region (the accelerator ALBs)",
                       _db_needs(reader, checkout_stores))))

    partner_timings, partner_regions = reader.dns(edge.partners_name) if edge else ([], set())
    payment = serving[CustomerPath.PAYMENT]
    payment_stores = _path_stores(reader, payment)
    pay_regions = _service_regions(reader, payment) & (ga_regions | partner_regions)
    paths.append(PathReport(
        "payment", tuple(["the internal payment NLB (from checkout's tasks)"] +
                         ([edge.partners_name] if edge else [])),
        tuple(payment), tuple(payment_stores), tuple(partner_timings + reader.target_health(payment)),
        tuple(reader.service_spans(payment) + reader.store_spans(payment_stores)),
        RegionSurvival(len(pay_regions) >= 2, tuple(sorted(pay_regions)),
                       "in each region with checkout: its callers fail over (the accelerator, the partners' "
                       "latency records) and reach that region's payment service", _db_needs(reader, payment_stores))))

    tables = [(s, t) for s in reader.stacks.values() for t in s.of(TABLE)]
    table_regions = {reg for s, t in tables for reg in
                     [s.result.region, *(str(r.get("regionName")) for r in t.inputs.get("replicas") or [])]}
    paths.append(PathReport(
        "sessions", tuple(f"DynamoDB {t.inputs.get('name')}" for _, t in tables), (),
        ("sessions",), (), tuple(reader.store_spans(["sessions"])),
        RegionSurvival(len(table_regions) >= 2, tuple(sorted(table_regions)),
                       "a replica per region, each read and written by its region's services")))

    og_timings, og_regions = reader.origin_group()
    paths.append(PathReport(
        "images", tuple(f"{edge.storefront_name}{p}" for p in edge.cached_paths) if edge else (), (), ("images",),
        tuple(og_timings), tuple(AzSpan(s.name, f"bucket {b.name}", (), True, "regional: three AZs")
                                 for s in reader.stacks.values() for b in s.of("aws:s3/bucket:Bucket")
                                 if b.name == "images"),
        RegionSurvival(len(og_regions) >= 2, tuple(sorted(og_regions)),
                       "CloudFront's origin group over both regions' buckets, kept in step by replication")))

    stores = reader.stores()
    lines = reader.capacity_lines()
    problems = _problems(paths, lines)
    return ResilienceReport(tuple(paths), tuple(stores), tuple(lines), tuple(problems))


def _problems(paths: list[PathReport], lines: list[CapacityLine]) -> list[str]:
    problems = []
    for p in paths:
        problems += [f"{p.path}: {a.stack}: {a.component} does not survive an AZ loss "
                     f"({', '.join(a.azs) or a.note or 'one AZ'})" for a in p.az if not a.survives]
        if not p.region.survives:
            problems.append(f"{p.path}: reaches {len(p.region.regions)} region(s) "
                            f"({', '.join(p.region.regions) or 'none'}): a region loss stops it")
    for c in lines:
        if c.ok is False:
            problems.append(f"capacity: {c.stack}: {c.service}: {c.max_tasks} tasks x {c.requests_per_task:g} rps = "
                            f"{c.capacity_rps:g} rps < peak {c.peak_rps:g} x (1 + {c.headroom:g}) = "
                            f"{c.required_rps:g} rps")
        if c.region_loss_gated and c.region_loss_ok is False:
            problems.append(f"capacity: {c.stack}: {c.service}: {c.capacity_rps:g} rps < both regions' peak "
                            f"{c.region_loss_peak_rps:g} x (1 + {c.headroom:g}) = {c.region_loss_required_rps:g} rps")
    return problems


# --- the table -------------------------------------------------------------------------------------------------------

def _s(value: float | None) -> str:
    return "-" if value is None else f"{value:g} s"


def _n(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(r: list[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()

    return [line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def render(rep: ResilienceReport) -> str:
    """The report as readable tables: paths, failover timings, stores, capacity, problems."""
    out = ["Resilience and capacity (designed figures; AWS's from the sources listed)", ""]
    out += _table(["path", "entry", "AZ loss", "region loss", "regions", "needs"],
                  [[p.path, ", ".join(p.entry) or "-", "survives" if p.survives_az_loss else "FAILS",
                    "survives" if p.region.survives else "FAILS", ", ".join(p.region.regions) or "-",
                    p.region.needs or "-"] for p in rep.paths])
    out += [""]
    out += _table(["path", "mechanism", "scope", "detect", "switch", "from"],
                  [[p.path, t.mechanism, t.scope, _s(t.detect_seconds), _s(t.switch_seconds), t.derivation]
                   for p in rep.paths for t in p.timings])
    out += [""]
    out += _table(["path", "stack", "component", "AZs", "AZ loss", "note"],
                  [[p.path, a.stack, a.component, ", ".join(a.azs) or "-", "ok" if a.survives else "FAILS",
                    a.note or "-"] for p in rep.paths for a in p.az])
    out += [""]
    out += _table(["store", "stack", "kind", "RPO AZ loss", "RPO region loss", "backups", "recovery"],
                  [[s.store, s.stack, s.kind, _s(s.az_rpo_seconds),
                    _s(s.region_rpo_seconds) if s.region_rpo_seconds is not None else "no copy", s.backups,
                    s.recovery] for s in rep.stores])
    out += [""]
    out += _table(["stack", "service", "paths", "max tasks", "rps/task", "capacity", "peak", "needed", "ok",
                   "region loss needs", "ok"],
                  [[c.stack, c.service, ",".join(c.paths) or "-", str(c.max_tasks), _n(c.requests_per_task),
                    _n(c.capacity_rps), _n(c.peak_rps), _n(c.required_rps),
                    {True: "ok", False: "FAILS", None: "-"}[c.ok], _n(c.region_loss_required_rps),
                    {True: "ok", False: "FAILS" if c.region_loss_gated else "short (not gated)", None: "-"}[
                        c.region_loss_ok]] for c in rep.capacity])
    out += ["", "problems:" if rep.problems else "problems: none"]
    out += [f"  {p}" for p in rep.problems]
    out += ["", "sources:"]
    out += [f"  {k}: {f.figure} ({f.url}, read {f.read}{', estimate' if f.estimate else ''})"
            for k, f in sorted(rep.facts.items())]
    return "\n".join(out)
