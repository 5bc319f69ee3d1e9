"""Settings of the delivery tier (``securecart:delivery``): the load balancers, the ECS Fargate services,
their scaling and sale windows, and the ALB's origin verification.
"""

import datetime
import functools
import gzip
import importlib.util
import ipaddress
import json
import re
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import (
    Field,
    field_validator,
    model_validator,
)

from components.settings.types import AuditObjectDays, AuditRetentionDays, Model

# Fargate's CPU units and the memory (MiB) each allows.
FARGATE_SIZES: dict[int, range] = {
    256: range(512, 2049, 512),
    512: range(1024, 4097, 1024),
    1024: range(2048, 8193, 1024),
    2048: range(4096, 16385, 1024),
    4096: range(8192, 30721, 1024),
    8192: range(16384, 61441, 4096),
    16384: range(32768, 122881, 8192),
}


# TLS 1.3 policies that keep TLS 1.2: Route 53's HTTPS health checkers speak TLS up to 1.2, so a 1.3-only
# listener would mark every region unhealthy.
MODERN_TLS_POLICIES = (
    "ELBSecurityPolicy-TLS13-1-2-2021-06", "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
)
TLS13_ONLY_POLICIES = ("ELBSecurityPolicy-TLS13-1-3-2021-06", "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04")

# Every target group's health check: what Global Accelerator follows for its load-balancer endpoints, so the
# accelerator path's detection time is their product (components.settings.edge.failover_figures).
TARGET_HEALTH_INTERVAL = 10
TARGET_UNHEALTHY_THRESHOLD = 2


_SECRET_ENV = re.compile(r"(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL|ACCESS_?KEY|DSN)",
                         re.IGNORECASE)


class LoadBalancerKind(StrEnum):
    ALB = "alb"  # HTTP(S) through the internet-facing ALB (storefront, checkout)
    NLB = "nlb"  # TCP/TLS through the internal NLB (payment gateway; PrivateLink later)


class PeakWindow(Model):
    name: str = Field(pattern=r"^[a-z][a-z0-9-]{1,30}$",
                      description="Required. Name of the sale event, e.g. 'black-friday'.")
    start: datetime.datetime = Field(description="Required. When the raised minimum starts (ISO 8601, UTC).")
    end: datetime.datetime = Field(description="Required. When the usual minimum returns (ISO 8601, UTC).")
    min_tasks: int = Field(alias="minTasks", ge=2,
                           description="Required. Fewest tasks during the window (at most the service's maxTasks).")

    @field_validator("start", "end")
    @classmethod
    def _utc(cls, when: datetime.datetime) -> datetime.datetime:
        """Times are UTC: one without a zone is read as UTC, one in another zone is refused."""
        if when.tzinfo is not None and when.utcoffset() != datetime.timedelta(0):
            raise ValueError(f"{when.isoformat()} is not UTC: write times as UTC (…Z)")
        return when.replace(tzinfo=datetime.UTC)

    @model_validator(mode="after")
    def _ordered(self) -> "PeakWindow":
        if self.end <= self.start:
            raise ValueError(f"end {self.end.isoformat()} is not after start {self.start.isoformat()}")
        return self

    def at(self, when: datetime.datetime) -> str:
        return f"at({when.replace(tzinfo=None).isoformat(timespec='seconds')})"


class ServiceSettings(Model):
    name: str = Field(pattern=r"^[a-z][a-z0-9-]{1,20}$",
                      description="Required. Service name (storefront, checkout, payment, …); names its resources.")
    load_balancer: LoadBalancerKind = Field(
        alias="loadBalancer",
        description="Required. alb (HTTP(S) from customers) or nlb (TLS, the payment gateway).")
    image_tag: str | None = Field(
        default=None, alias="imageTag", pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$",
        description="Image tag in the service's ECR repository (tags are immutable, so 'latest' is refused); "
                    "default none: the service exists with no tasks until a tag is set and that image has been "
                    "pushed (the program checks the repository before it starts tasks).")
    cpu: int = Field(default=512, description="Fargate CPU units; default 512 (half a vCPU).")
    memory: int = Field(default=1024, description="Fargate memory in MiB; default 1024 (valid for 512 CPU).")
    port: int = Field(default=8080, ge=1024, le=65535,
                      description="Container port; default 8080 (non-root containers cannot bind below 1024).")
    health_check_path: str = Field(default="/healthz", alias="healthCheckPath", pattern=r"^/[\w./-]*$",
                                   description="Target group health check path; default /healthz.")
    path_patterns: list[str] = Field(default_factory=lambda: ["/*"], alias="pathPatterns", min_length=1,
                                     description="ALB paths routed to the service; default ['/*'] (the catch-all; "
                                                 "the storefront).")
    desired_count: int = Field(default=3, alias="desiredCount", ge=2,
                               description="Tasks at deploy time; default 3 (one per AZ). At least 2.")
    min_tasks: int = Field(default=3, alias="minTasks", ge=2,
                           description="Autoscaling minimum; default 3, so an AZ loss leaves two serving.")
    max_tasks: int = Field(default=12, alias="maxTasks", ge=2, le=1000,
                           description="Autoscaling maximum; default 12.")
    cpu_target_percent: int = Field(default=60, alias="cpuTargetPercent", ge=10, le=90,
                                    description="Target tracking on average CPU; default 60%.")
    requests_per_target: int = Field(default=500, alias="requestsPerTarget", ge=10, le=100000,
                                     description="Target tracking on ALB requests per task (alb services); "
                                                 "default 500.")
    secrets: dict[str, str] = Field(
        default_factory=dict,
        description="Environment name → Secrets Manager secret ARN, injected as ECS secrets; default none.")
    environment: dict[str, str] = Field(
        default_factory=dict,
        description="Plain, non-secret environment values; default none. Names that look like secrets are "
                    "refused: put those under secrets.")
    peak_windows: list[PeakWindow] = Field(
        default_factory=list, alias="peakWindows",
        description="Sale events that raise the minimum task count by schedule; default none. A window that is "
                    "over schedules nothing (the program warns).")
    listener_port: int = Field(
        default=443, ge=1, le=65535, alias="listenerPort",
        description="nlb services: the NLB's TLS port for the service (each nlb service needs its own); default 443.")
    accelerated: bool = Field(
        default=False,
        description="alb services: also served through Global Accelerator on the checkout name, by an internal "
                    "ALB of their own (the accelerator's endpoint); default false.")
    peak_exemption: str | None = Field(
        default=None, alias="peakExemption", min_length=10,
        description="Why this service needs no sale windows although a service with windows calls it (a service "
                    "a peak reaches must scale with it: payment follows checkout); default none.")
    callers: list[str] | None = Field(
        default=None,
        description="nlb services: the services whose tasks may call this one through the internal NLB (their "
                    "security groups are the only ones the NLB admits); default every alb service.")

    @model_validator(mode="after")
    def _consistent(self) -> "ServiceSettings":
        problems = [*self._size_problems(), *self._scaling_problems(), *self._content_problems()]
        if self.callers is not None and self.load_balancer is not LoadBalancerKind.NLB:
            problems.append("callers: only nlb services have callers (the ALB admits CloudFront): remove it")
        if "listener_port" in self.model_fields_set and self.load_balancer is not LoadBalancerKind.NLB:
            problems.append("listenerPort: only nlb services have a port of their own on the NLB (alb services "
                            "share 443 by path)")
        if self.accelerated and self.load_balancer is not LoadBalancerKind.ALB:
            problems.append("accelerated: only alb services can be served through Global Accelerator")
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def _size_problems(self) -> list[str]:
        """A CPU and memory pair Fargate offers."""
        if self.cpu not in FARGATE_SIZES:
            return [f"cpu: {self.cpu} is not a Fargate size: use one of {', '.join(map(str, FARGATE_SIZES))}"]
        allowed = FARGATE_SIZES[self.cpu]
        if self.memory not in allowed:
            return [f"memory: {self.memory} MiB is not offered with {self.cpu} CPU units: use {allowed.start} to "
                    f"{allowed.stop - 1} in steps of {allowed.step}"]
        return []

    def _scaling_problems(self) -> list[str]:
        """minTasks <= desiredCount <= maxTasks, and no sale window above the maximum."""
        problems = []
        if self.max_tasks < self.min_tasks:
            problems.append(f"maxTasks: {self.max_tasks} is below minTasks {self.min_tasks}")
        if not self.min_tasks <= self.desired_count <= self.max_tasks:
            problems.append(f"desiredCount: {self.desired_count} is outside minTasks..maxTasks "
                            f"({self.min_tasks}..{self.max_tasks})")
        problems += [f"peakWindows[{i}].minTasks: {w.min_tasks} is above maxTasks {self.max_tasks}"
                     for i, w in enumerate(self.peak_windows) if w.min_tasks > self.max_tasks]
        return problems

    def _content_problems(self) -> list[str]:
        """A pinned image, secrets only as Secrets Manager ARNs, absolute path patterns."""
        problems = []
        if self.image_tag == "latest":
            problems.append("imageTag: 'latest' cannot be pinned in an immutable repository: use a release tag")
        problems += [f"environment.{env}: looks like a secret: move it to secrets (a Secrets Manager ARN)"
                     for env in self.environment if _SECRET_ENV.search(env)]
        problems += [f"secrets.{env}: {arn!r} is not a Secrets Manager secret ARN" for env, arn in self.secrets.items()
                     if not re.fullmatch(r"arn:aws[\w-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+", arn)]
        problems += [f"pathPatterns: {p!r} must start with '/'" for p in self.path_patterns if not p.startswith("/")]
        return problems


class OriginVerifySettings(Model):
    """The secret header CloudFront sends to the ALBs and their web ACLs require (origin verification), set in the
    primary's stack file.

    A rotation takes three deploys of the primary, each followed by the secondary's, so that no region ever
    refuses what a CloudFront edge still sends (a distribution change takes minutes to reach every edge, a web ACL
    change seconds): (1) set ``rotation`` to a new label and ``previousRotation`` to the old one: both values are
    accepted, CloudFront keeps sending the old; (2) set ``sendCurrent: true``: CloudFront sends the new (the
    deploy waits until every edge has it); (3) remove ``previousRotation`` and ``sendCurrent``: only the new is
    accepted."""

    header: str = Field(
        default="x-origin-verify", pattern=r"^x-[a-z0-9-]{1,60}$",
        description="Name of the header (lowercase, x-…); default x-origin-verify.")
    rotation: str = Field(
        default="initial", pattern=r"^[a-z0-9-]{1,32}$",
        description="Label of the current secret value; change it (e.g. to '2027-03'), with previousRotation, to "
                    "rotate: a new value is generated and accepted; default 'initial'.")
    previous_rotation: str | None = Field(
        default=None, alias="previousRotation", pattern=r"^[a-z0-9-]{1,32}$",
        description="Label of the value being rotated out: still accepted, and what CloudFront sends until "
                    "sendCurrent is true; default none. Remove it (and sendCurrent) once a deploy with sendCurrent "
                    "has finished.")
    send_current: bool = Field(
        default=False, alias="sendCurrent",
        description="During a rotation, whether CloudFront sends the new value (true) or still the previous one; "
                    "default false. Only with previousRotation.")

    @model_validator(mode="after")
    def _distinct(self) -> "OriginVerifySettings":
        if self.previous_rotation == self.rotation:
            raise ValueError(f"previousRotation: '{self.previous_rotation}' is also the current rotation: name the "
                             f"label being rotated out, or remove it")
        if self.send_current and self.previous_rotation is None:
            raise ValueError("sendCurrent: there is no rotation in progress (no previousRotation): remove it")
        return self

    @property
    def sent(self) -> str:
        """The label of the value CloudFront sends."""
        return self.previous_rotation if self.previous_rotation and not self.send_current else self.rotation

    @property
    def labels(self) -> list[str]:
        """The accepted values' labels, current first."""
        return [self.rotation, *([self.previous_rotation] if self.previous_rotation else [])]


@functools.cache
def ec2_instance_types() -> frozenset[str]:
    """Every instance type EC2 knows: the ``InstanceType`` enum of the EC2 model in the installed botocore (the
    newest API version it ships), read as data."""
    spec = importlib.util.find_spec("botocore")
    if spec is None or spec.origin is None:
        raise ValueError("botocore is not installed: run `bash tools/dev setup`")
    newest = max((Path(spec.origin).parent / "data" / "ec2").iterdir())
    with gzip.open(newest / "service-2.json.gz", "rt", encoding="utf-8") as model:
        return frozenset(json.load(model)["shapes"]["InstanceType"]["enum"])


GENEVE_PORT = 6081
_AMI_ID = re.compile(r"ami-([0-9a-f]{8}|[0-9a-f]{17})")


class ApplianceFleetSettings(Model):
    """The WAF/IDS appliances behind the Gateway Load Balancer, as an auto scaling group of EC2 instances."""

    ami: str = Field(description="Required. The appliance image (ami- and 8 or 17 lowercase hex digits), in this "
                                 "stack's region.")
    instance_type: str = Field(alias="instanceType",
                               description="Required. The EC2 instance type (e.g. c6in.large), one EC2 knows.")
    per_az: int = Field(default=1, alias="perAz", ge=1, le=20,
                        description="Appliances per AZ at least (the group's minimum and desired count is this "
                                    "times the AZs); default 1.")
    max_per_az: int = Field(default=2, alias="maxPerAz", ge=1, le=50,
                            description="Most appliances per AZ (the group's maximum is this times the AZs); "
                                        "default 2, at least perAz.")
    health_check_port: int = Field(default=80, alias="healthCheckPort", ge=1, le=65535,
                                   description="TCP port the target group's health check probes on each "
                                               "appliance; default 80. Not 6081 (GENEVE).")
    volume_size: int = Field(default=30, alias="volumeSize", ge=8, le=16384,
                             description="Root volume in GiB (gp3, encrypted); default 30, at least the image's "
                                         "root snapshot.")
    root_device_name: str = Field(default="/dev/xvda", alias="rootDeviceName", pattern=r"^/dev/[a-z0-9]{3,8}$",
                                  description="The image's root device (its root volume is the one encrypted and "
                                              "sized here); default /dev/xvda. Vendor images often use /dev/sda1.")
    boot_seconds: int = Field(default=900, alias="bootSeconds", ge=60, le=3600,
                              description="Seconds an appliance takes to boot and pass health checks (the group's "
                                          "grace period and refresh warm-up); default 900.")

    @field_validator("ami")
    @classmethod
    def _ami_id(cls, v: str) -> str:
        if not _AMI_ID.fullmatch(v):
            raise ValueError(f"{v!r} is not an AMI id: ami- and 8 or 17 lowercase hex digits "
                             f"(e.g. ami-0123456789abcdef0)")
        return v

    @field_validator("instance_type")
    @classmethod
    def _known_type(cls, v: str) -> str:
        if v not in ec2_instance_types():
            raise ValueError(f"{v!r} is not an EC2 instance type (e.g. c6in.large, c5n.xlarge, m6i.large)")
        return v

    @model_validator(mode="after")
    def _sizes(self) -> "ApplianceFleetSettings":
        problems = []
        if self.max_per_az < self.per_az:
            problems.append(f"maxPerAz: {self.max_per_az} is below perAz ({self.per_az})")
        if self.health_check_port == GENEVE_PORT:
            problems.append(f"healthCheckPort: {GENEVE_PORT} is the GENEVE data port: use the appliance's "
                            f"health port (e.g. 80)")
        if problems:
            raise ValueError("\n".join(problems))
        return self


class DeliverySettings(Model):
    certificate_arn: str | None = Field(
        default=None, alias="certificateArn", pattern=r"^arn:aws[\w-]*:acm:[a-z0-9-]+:\d{12}:certificate/[\w-]+$",
        description="A certificate you bring (in this stack's region) for the load balancers' listeners; default "
                    "none: the primary stack's edge requests one per region for the API and checkout names, and "
                    "the listeners wait for it (a secondary reads it from the primary's outputs).")
    ssl_policy: str = Field(default=MODERN_TLS_POLICIES[0], alias="sslPolicy",
                            description="TLS policy of the HTTPS and TLS listeners; default "
                                        "ELBSecurityPolicy-TLS13-1-2-2021-06 (TLS 1.3 and 1.2).")
    services: list[ServiceSettings] = Field(
        min_length=1, description="Required. The Fargate services, each behind the ALB or the NLB.")
    access_log_days: AuditObjectDays = Field(
        default=365, alias="accessLogDays",
        description="Days load balancer access logs (and the log bucket's own access logs) are kept; default 365, "
                    "at least 365 (PCI DSS 10.5.1).")
    log_retention_days: AuditRetentionDays = Field(
        default=365, alias="logRetentionDays",
        description="Days container and WAF logs are kept; default 365, at least 365 (PCI DSS 10.5.1).")
    appliances: list[ipaddress.IPv4Address] = Field(
        default_factory=list,
        description="IP addresses of the WAF/IDS appliances behind the Gateway Load Balancer; default none: the "
                    "inspection path is built but inbound traffic bypasses it until appliances exist. Appliances "
                    "you run yourself (an ip target group); the program's own are applianceFleet (not both).")
    appliance_fleet: ApplianceFleetSettings | None = Field(
        default=None, alias="applianceFleet",
        description="The appliances as an auto scaling group the program builds (launch template, instance "
                    "role, security group) registered with the GWLB's target group; default none (see appliances).")
    load_balancer_subnet_group: str | None = Field(
        default=None, alias="loadBalancerSubnetGroup",
        description="Subnet group (type public) of the internet-facing ALB; default the only public group (name "
                    "it when there are several).")
    task_subnet_group: str | None = Field(
        default=None, alias="taskSubnetGroup",
        description="Subnet group (type private) of the service tasks and the internal payment NLB; default the "
                    "only private group (name it when there are several).")
    appliance_subnet_group: str | None = Field(
        default=None, alias="applianceSubnetGroup",
        description="Subnet group (type attachment) of the Gateway Load Balancer and appliances; default the only "
                    "attachment group (name it when there are several).")
    endpoint_subnet_group: str | None = Field(
        default=None, alias="endpointSubnetGroup",
        description="Subnet group (type public) of the GWLB endpoints, the ingress path's first hop; default the "
                    "only public group other than the load balancers' (name it when there are several).")
    origin_verify: OriginVerifySettings = Field(
        default_factory=OriginVerifySettings, alias="originVerify",
        description="Origin verification: the ALB's WAF blocks requests without the secret header CloudFront "
                    "sends, so no other CloudFront distribution can reach the ALB; default header x-origin-verify, "
                    "rotation 'initial'.")

    @model_validator(mode="before")
    @classmethod
    def _moved_keys(cls, data: Any) -> Any:
        """Keys that moved to another setting say where."""
        if isinstance(data, dict) and "alarmEmail" in data:
            raise ValueError("alarmEmail moved: list the address under securecart:monitoring.subscriptions as "
                             "{protocol: email, endpoint: <address>}")
        return data

    @field_validator("ssl_policy")
    @classmethod
    def _modern(cls, v: str) -> str:
        if v in TLS13_ONLY_POLICIES:
            raise ValueError(f"{v!r} refuses TLS 1.2, which Route 53's health checkers need: use one of "
                             f"{', '.join(MODERN_TLS_POLICIES)}")
        if v not in MODERN_TLS_POLICIES:
            raise ValueError(f"{v!r} is not a TLS 1.3 policy: use one of {', '.join(MODERN_TLS_POLICIES)}")
        return v

    def _peak_problems(self) -> list[str]:
        """A service a caller's sale window reaches has a window covering it (its own minimum), or says why not."""
        by_name = {s.name: s for s in self.services}
        problems = []
        for i, svc in enumerate(self.services):
            if svc.load_balancer is not LoadBalancerKind.NLB or svc.peak_exemption is not None:
                continue
            for caller in self.callers(svc):
                for w in by_name[caller].peak_windows if caller in by_name else []:
                    if not any(own.start <= w.start and own.end >= w.end for own in svc.peak_windows):
                        problems.append(
                            f"services[{i}].peakWindows: {svc.name} is called by {caller}, whose window '{w.name}' "
                            f"({w.start.isoformat()} to {w.end.isoformat()}) no window of {svc.name} covers: add "
                            f"one with its own minTasks, or set peakExemption to say why it need not scale")
        return problems

    @property
    def inspects(self) -> bool:
        """Whether there are appliances for inbound traffic to go through (a fleet or listed IPs)."""
        return bool(self.appliances) or self.appliance_fleet is not None

    @property
    def default_service(self) -> ServiceSettings | None:
        """The ALB service that takes every path no other claims ('/*'): what a request for the health path
        reaches."""
        return next((s for s in self.services if s.load_balancer is LoadBalancerKind.ALB and "/*" in s.path_patterns),
                    None)

    def health_path_problem(self, path: str, where: str) -> str | None:
        """Why Route 53's checks of ``path`` on this ALB would not reach a service's health check, if they would
        not."""
        default = self.default_service
        if default is None:
            return (f"edge.healthCheck.path: {where}'s ALB has no default ('/*') service to answer {path}: give one "
                    f"service pathPatterns ['/*']")
        if default.health_check_path != path:
            return (f"edge.healthCheck.path: {path} is not the health path of {where}'s default ALB service "
                    f"{default.name} ({default.health_check_path}): Route 53 would check what no health check "
                    f"watches; use {default.health_check_path}")
        return None

    def callers(self, service: ServiceSettings) -> list[str]:
        """The services allowed to call an nlb service: its callers, else every alb service."""
        if service.callers is not None:
            return list(service.callers)
        return [s.name for s in self.services if s.load_balancer is LoadBalancerKind.ALB]

    @model_validator(mode="after")
    def _services(self) -> "DeliverySettings":
        problems: list[str] = []
        names = [s.name for s in self.services]
        for dup in sorted({n for n in names if names.count(n) > 1}):
            problems.append(f"services: '{dup}' is listed twice")
        if not any(s.load_balancer is LoadBalancerKind.ALB for s in self.services):
            problems.append("services: no service is behind the ALB")
        catch_all = [s.name for s in self.services if "/*" in s.path_patterns and
                     s.load_balancer is LoadBalancerKind.ALB]
        if len(catch_all) > 1:
            problems.append(f"services: {', '.join(catch_all)} all claim '/*': only one ALB service may")
        problems += self._peak_problems()
        if self.appliances and self.appliance_fleet is not None:
            problems.append("applianceFleet: appliances already lists appliance IPs: the GWLB's target group holds "
                            "either instances (applianceFleet) or IPs (appliances), not both: remove one")
        ports = [s.listener_port for s in self.services if s.load_balancer is LoadBalancerKind.NLB]
        problems += [f"services: two nlb services listen on port {p}: give each its own listenerPort"
                     for p in sorted({p for p in ports if ports.count(p) > 1})]
        for i, svc in enumerate(self.services):
            for caller in svc.callers or []:
                if caller not in names:
                    problems.append(f"services[{i}].callers: '{caller}' is not a service: use one of "
                                    f"{', '.join(names)}")
                elif caller == svc.name:
                    problems.append(f"services[{i}].callers: '{caller}' is the service itself")
        if problems:
            raise ValueError("\n".join(problems))
        return self
