"""Typed settings for every ``securecart:*`` key, and the one loader that reads them.

The stack files (``Pulumi.<stack>.yaml``) state only what differs from the secure defaults below. Every field has a
description that says what happens when it is left out. The loader turns every validation problem into one line
that names the key and the fix; :class:`ConfigError` is a ``pulumi.RunError`` so ``pulumi up`` prints it without a
traceback.
"""

import datetime
import ipaddress
import json
import re
from collections.abc import Collection, Iterable, Mapping
from enum import StrEnum
from typing import Annotated, Any, Literal

import pulumi
from pulumi.runtime.config import CONFIG, is_config_secret
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails

NAMESPACE = "securecart"
# What the offline synth passes for a `secure:` value it cannot decrypt ("<mark>:<key>"). Settings treat such a
# value as present but unreadable, as a preview treats an unknown.
OFFLINE_SECRET = "offline-secret"
# Settings that hold secrets: they must be stored with `pulumi config set --secret`.
SECRET_KEYS = ("vpnPreSharedKeys",)

# Regions SecureCart may deploy to, with the Availability Zone letters AWS documents for each. The program also
# asks the account (``aws.get_availability_zones``) at deploy time, so an AZ the account cannot use still fails
# before anything is created.
REGION_AZ_LETTERS: dict[str, str] = {
    "us-east-1": "abcdef",
    "us-east-2": "abc",
    "us-west-1": "abc",
    "us-west-2": "abcd",
    "ca-central-1": "abd",
    "eu-west-1": "abc",
    "eu-west-2": "abc",
    "eu-west-3": "abc",
    "eu-central-1": "abc",
    "eu-central-2": "abc",
    "eu-north-1": "abc",
    "eu-south-1": "abc",
    "eu-south-2": "abc",
    "ap-south-1": "abc",
    "ap-southeast-1": "abc",
    "ap-southeast-2": "abc",
    "ap-northeast-1": "acd",
    "ap-northeast-2": "abcd",
    "ap-northeast-3": "abc",
    "sa-east-1": "abc",
    "me-south-1": "abc",
    "af-south-1": "abc",
}

# CloudWatch Logs accepts only these retention periods (days).
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
                      2922, 3288, 3653)

# Interface endpoints the private subnets may need; the key is the service suffix after ``com.amazonaws.<region>.``.
INTERFACE_ENDPOINT_SERVICES = ("ecr.api", "ecr.dkr", "logs", "sts", "secretsmanager", "kms", "xray", "ssm",
                               "ssmmessages", "ec2messages", "monitoring", "elasticloadbalancing",
                               "ecs", "ecs-agent", "ecs-telemetry")
DEFAULT_INTERFACE_ENDPOINTS = ("ecr.api", "ecr.dkr", "logs", "sts", "secretsmanager", "kms", "xray", "ssm")


class ConfigError(pulumi.RunError):
    """Bad stack configuration: one line per problem, each naming the key and the fix."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = list(problems)
        super().__init__("invalid stack configuration:\n" + "\n".join(f"  {p}" for p in self.problems))


def _ipv4_network(value: Any) -> ipaddress.IPv4Network:
    if isinstance(value, ipaddress.IPv4Network):
        return value
    if not isinstance(value, str):
        raise ValueError(f"expected a CIDR string such as '10.0.0.0/16', got {type(value).__name__}")
    try:
        net = ipaddress.ip_network(value, strict=True)
    except ValueError:
        try:
            loose = ipaddress.ip_network(value, strict=False)
        except ValueError:
            raise ValueError(
                f"{value!r} is not an IPv4 network: write it as a.b.c.d/nn with nn from 0 to 32"
            ) from None
        raise ValueError(f"{value!r} has host bits set: did you mean '{loose}'?") from None
    if not isinstance(net, ipaddress.IPv4Network):
        raise ValueError(f"{value!r} is an IPv6 network: an IPv4 network (a.b.c.d/nn) is required here")
    return net


Ipv4Network = Annotated[ipaddress.IPv4Network, BeforeValidator(_ipv4_network)]


def _retention_days(v: int) -> int:
    if v not in LOG_RETENTION_DAYS:
        nearest = min(LOG_RETENTION_DAYS, key=lambda d: abs(d - v))
        raise ValueError(f"{v} is not a retention CloudWatch Logs accepts: use one of "
                         f"{', '.join(map(str, LOG_RETENTION_DAYS))} (nearest: {nearest})")
    return v


def _known_region(v: str) -> str:
    if v not in REGION_AZ_LETTERS:
        raise ValueError(f"{v!r} is not an AWS region SecureCart deploys to: use one of "
                         f"{', '.join(sorted(REGION_AZ_LETTERS))}")
    return v


RetentionDays = Annotated[int, AfterValidator(_retention_days)]  # days CloudWatch Logs can keep a log group

# A network that carries payments keeps its audit trails at least twelve months (PCI DSS v4.0 10.5.1: retain audit
# log history for at least 12 months, three of them immediately available).
AUDIT_RETENTION_FLOOR = 365


def _audit_days(v: int) -> int:
    if v < AUDIT_RETENTION_FLOOR:
        raise ValueError(f"{v} days is below {AUDIT_RETENTION_FLOOR}: audit logs of a network that carries "
                         f"payments are kept at least 12 months (PCI DSS 10.5.1); use {AUDIT_RETENTION_FLOOR} or more")
    return v


# Days an audit log (CloudWatch Logs group) is kept: a period CloudWatch accepts, at least a year.
AuditRetentionDays = Annotated[int, AfterValidator(_retention_days), AfterValidator(_audit_days)]
# Days an audit log in S3 (load-balancer and bucket access logs) is kept: at least a year, at most ten.
AuditObjectDays = Annotated[int, Field(le=3650), AfterValidator(_audit_days)]
KnownRegion = Annotated[str, AfterValidator(_known_region)]


class _Model(BaseModel):
    """Base for every settings model: camelCase keys as in the stack files, unknown keys rejected, immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=False,
                              arbitrary_types_allowed=False, str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_bool_for_number(cls, value: Any, info: ValidationInfo) -> Any:
        """YAML's true/false would otherwise pass as 1/0 wherever a number is expected."""
        field = cls.model_fields.get(info.field_name or "")
        if isinstance(value, bool) and field is not None and field.annotation in (int, float):
            raise ValueError(f"expected a number, got {str(value).lower()}")
        return value


class Role(StrEnum):
    PRIMARY = "primary"
    SECONDARY = "secondary"


class SubnetType(StrEnum):
    """What a subnet group is for, in the sense of CDK's ``SubnetType``."""

    PUBLIC = "public"  # routes 0.0.0.0/0 to the internet gateway; load balancers and NAT gateways only
    PRIVATE = "private"  # egress through a NAT gateway; application tasks
    ISOLATED = "isolated"  # no route to the internet at all; databases
    ATTACHMENT = "attachment"  # small subnets for Transit Gateway / GWLB endpoint ENIs, no internet route


class NatStrategy(StrEnum):
    PER_AZ = "perAz"  # one NAT gateway in each AZ; private subnets use their own AZ's (survives an AZ loss)
    SINGLE = "single"  # one NAT gateway for the VPC (cheaper; an AZ loss cuts egress for the others)
    NONE = "none"  # no NAT gateways (only valid with no private subnet group)


class SubnetGroup(_Model):
    name: str = Field(
        pattern=r"^[a-z][a-z0-9]{1,15}$",
        description="Required. Short lowercase name of the group (e.g. 'web', 'app', 'data'); it becomes part of "
                    "every subnet's and route table's logical name, so renaming it replaces them.",
    )
    type: SubnetType = Field(description="Required. public, private, isolated or attachment (see SubnetType).")
    block: Ipv4Network = Field(
        description="Required. The slice of the VPC's address space reserved for this group. The subnet for AZ "
                    "letter x is slot x (a=0, b=1, …) of this block cut into /cidrMask pieces, so adding an AZ or "
                    "another group never renumbers an existing subnet.",
    )
    cidr_mask: int = Field(
        alias="cidrMask", ge=16, le=28,
        description="Required. Prefix length of each subnet in the group (16 to 28, as AWS allows).",
    )

    @model_validator(mode="after")
    def _mask_fits_block(self) -> "SubnetGroup":
        if self.cidr_mask < self.block.prefixlen:
            raise ValueError(
                f"cidrMask /{self.cidr_mask} is larger than the group's block {self.block}: "
                f"use a mask of /{self.block.prefixlen} or longer"
            )
        return self

    def slots(self) -> int:
        return int(2 ** (self.cidr_mask - self.block.prefixlen))

    def subnet_cidr(self, az_letter: str) -> ipaddress.IPv4Network:
        """The subnet of this group in the AZ with the given letter (stable: depends only on the letter)."""
        slot = ord(az_letter) - ord("a")
        base = int(self.block.network_address) + slot * (2 ** (32 - self.cidr_mask))
        return ipaddress.IPv4Network((base, self.cidr_mask))


class FlowLogSettings(_Model):
    retention_days: AuditRetentionDays = Field(
        default=365, alias="retentionDays",
        description="Days CloudWatch Logs keeps VPC flow logs; default 365 (a year of traffic to review). Must be "
                    "a retention period CloudWatch accepts, at least 365 (PCI DSS 10.5.1).",
    )
    max_aggregation_interval: Literal[60, 600] = Field(
        default=60, alias="maxAggregationInterval",
        description="Seconds over which flows are aggregated into one record; default 60 (fastest detection).",
    )



class NetworkSettings(_Model):
    cidr: Ipv4Network = Field(
        description="Required. The VPC's IPv4 CIDR (/16 to /24). It must not overlap the peer stack's.",
    )
    availability_zones: list[str] = Field(
        alias="availabilityZones", min_length=1,
        description="Required. AZ letters of the region to spread every subnet group over (at least 3, so the "
                    "loss of one AZ still leaves two), e.g. ['a', 'b', 'c'].",
    )
    subnet_groups: list[SubnetGroup] = Field(
        alias="subnetGroups", min_length=1,
        description="Required. The subnet groups, each expanded into one subnet per AZ. There must be at least "
                    "one public, one private and one isolated group.",
    )
    nat: NatStrategy = Field(
        default=NatStrategy.PER_AZ,
        description="How private subnets reach the internet; default perAz: one NAT gateway per AZ, each private "
                    "subnet routed to the NAT gateway in its own AZ.",
    )
    database_port: int = Field(
        default=5432, alias="databasePort", ge=1150, le=65535,
        description="TCP port of the database tier; default 5432 (PostgreSQL). The database subnets' network "
                    "ACL admits only this port, and only from the private (application) subnets.",
    )
    access_log_days: AuditObjectDays = Field(
        default=365, alias="accessLogDays",
        description="Days the stack's S3 access-log archive keeps the log buckets' own access logs; default 365, "
                    "at least 365 (PCI DSS 10.5.1).")
    flow_logs: FlowLogSettings = Field(
        default_factory=FlowLogSettings, alias="flowLogs",
        description="VPC flow logs (always ALL traffic, to a KMS-encrypted log group); default: 365 days kept, "
                    "60-second aggregation.",
    )
    interface_endpoints: list[str] = Field(
        default=list(DEFAULT_INTERFACE_ENDPOINTS), alias="interfaceEndpoints",
        description="Interface VPC endpoints in the private subnets; default ecr.api, ecr.dkr, logs, sts, "
                    "secretsmanager, kms, xray and ssm, so tasks pull images, log, trace and read secrets "
                    "without the internet.",
    )

    @field_validator("cidr")
    @classmethod
    def _cidr_size(cls, v: ipaddress.IPv4Network) -> ipaddress.IPv4Network:
        if not 16 <= v.prefixlen <= 24:
            raise ValueError(f"{v} is a /{v.prefixlen}: a VPC CIDR must be between /16 and /24")
        if not v.is_private:
            raise ValueError(f"{v} is not in a private (RFC 1918) range: use 10.0.0.0/8, 172.16.0.0/12 or "
                             f"192.168.0.0/16 space")
        return v

    @field_validator("availability_zones")
    @classmethod
    def _az_letters(cls, v: list[str]) -> list[str]:
        for letter in v:
            if not re.fullmatch(r"[a-f]", letter):
                raise ValueError(f"{letter!r} is not an AZ letter: write each AZ as its letter, e.g. 'a'")
        if len(set(v)) != len(v):
            raise ValueError("lists an AZ twice: each letter may appear once")
        if len(v) < 3:
            raise ValueError(
                f"lists {len(v)} AZ(s): at least 3 are required so the loss of one AZ still leaves two"
            )
        return sorted(v)

    @field_validator("interface_endpoints")
    @classmethod
    def _known_endpoints(cls, v: list[str]) -> list[str]:
        for svc in v:
            if svc not in INTERFACE_ENDPOINT_SERVICES:
                raise ValueError(f"{svc!r} is not a supported interface endpoint: use one of "
                                 f"{', '.join(INTERFACE_ENDPOINT_SERVICES)}")
        if len(set(v)) != len(v):
            raise ValueError("lists an endpoint twice")
        return v

    @model_validator(mode="after")
    def _plan_consistent(self) -> "NetworkSettings":
        problems: list[str] = []
        names = [g.name for g in self.subnet_groups]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            problems.append(f"subnetGroups: group name(s) {', '.join(dupes)} used twice: names must be unique")
        for i, g in enumerate(self.subnet_groups):
            if not g.block.subnet_of(self.cidr):
                problems.append(f"subnetGroups[{i}].block: {g.block} is outside the VPC CIDR {self.cidr}")
            highest = max(self.availability_zones, default="a")
            if ord(highest) - ord("a") >= g.slots():
                problems.append(
                    f"subnetGroups[{i}].block: {g.block} holds {g.slots()} /{g.cidr_mask} subnet(s), but AZ "
                    f"'{highest}' needs slot {ord(highest) - ord('a')}: widen the block or lengthen cidrMask"
                )
            for j in range(i):
                other = self.subnet_groups[j]
                if g.block.overlaps(other.block):
                    problems.append(f"subnetGroups[{i}].block: {g.block} overlaps subnetGroups[{j}] "
                                    f"('{other.name}', {other.block}): give each group its own block")
        types = {g.type for g in self.subnet_groups}
        for needed in (SubnetType.PUBLIC, SubnetType.PRIVATE, SubnetType.ISOLATED):
            if needed not in types:
                problems.append(f"subnetGroups: no group of type '{needed}': the network needs public, private "
                                f"and isolated tiers")
        if self.nat is NatStrategy.NONE and SubnetType.PRIVATE in types:
            problems.append("nat: 'none' leaves the private groups without egress: use perAz (or declare those "
                            "groups as isolated)")
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def groups(self, kind: SubnetType) -> list[SubnetGroup]:
        return [g for g in self.subnet_groups if g.type is kind]


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
MODERN_TLS_POLICIES = (
    "ELBSecurityPolicy-TLS13-1-2-2021-06", "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06", "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
)
_SECRET_ENV = re.compile(r"(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL|ACCESS_?KEY|DSN)",
                         re.IGNORECASE)


class LoadBalancerKind(StrEnum):
    ALB = "alb"  # HTTP(S) through the internet-facing ALB (storefront, checkout)
    NLB = "nlb"  # TCP/TLS through the internal NLB (payment gateway; PrivateLink later)


class PeakWindow(_Model):
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


class ServiceSettings(_Model):
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
    callers: list[str] | None = Field(
        default=None,
        description="nlb services: the services whose tasks may call this one through the internal NLB (their "
                    "security groups are the only ones the NLB admits); default every alb service.")

    @model_validator(mode="after")
    def _consistent(self) -> "ServiceSettings":
        problems: list[str] = []
        if self.cpu not in FARGATE_SIZES:
            problems.append(f"cpu: {self.cpu} is not a Fargate size: use one of "
                            f"{', '.join(map(str, FARGATE_SIZES))}")
        elif self.memory not in FARGATE_SIZES[self.cpu]:
            allowed = FARGATE_SIZES[self.cpu]
            problems.append(f"memory: {self.memory} MiB is not offered with {self.cpu} CPU units: use "
                            f"{allowed.start} to {allowed.stop - 1} in steps of {allowed.step}")
        if self.max_tasks < self.min_tasks:
            problems.append(f"maxTasks: {self.max_tasks} is below minTasks {self.min_tasks}")
        if not self.min_tasks <= self.desired_count <= self.max_tasks:
            problems.append(f"desiredCount: {self.desired_count} is outside minTasks..maxTasks "
                            f"({self.min_tasks}..{self.max_tasks})")
        if self.image_tag == "latest":
            problems.append("imageTag: 'latest' cannot be pinned in an immutable repository: use a release tag")
        for i, w in enumerate(self.peak_windows):
            if w.min_tasks > self.max_tasks:
                problems.append(f"peakWindows[{i}].minTasks: {w.min_tasks} is above maxTasks {self.max_tasks}")
        for env in self.environment:
            if _SECRET_ENV.search(env):
                problems.append(f"environment.{env}: looks like a secret: move it to secrets (a Secrets Manager "
                                f"ARN)")
        for env, arn in self.secrets.items():
            if not re.fullmatch(r"arn:aws[\w-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+", arn):
                problems.append(f"secrets.{env}: {arn!r} is not a Secrets Manager secret ARN")
        for p in self.path_patterns:
            if not p.startswith("/"):
                problems.append(f"pathPatterns: {p!r} must start with '/'")
        if self.callers is not None and self.load_balancer is not LoadBalancerKind.NLB:
            problems.append("callers: only nlb services have callers (the ALB admits CloudFront): remove it")
        if problems:
            raise ValueError("\n".join(problems))
        return self


class OriginVerifySettings(_Model):
    """The secret header CloudFront sends to the ALB and the ALB's WAF requires (origin verification)."""

    header: str = Field(
        default="x-origin-verify", pattern=r"^x-[a-z0-9-]{1,60}$",
        description="Name of the header (lowercase, x-…); default x-origin-verify.")
    rotation: str = Field(
        default="initial", pattern=r"^[a-z0-9-]{1,32}$",
        description="Label of the current secret value; change it (e.g. to '2027-03') to rotate: a new value is "
                    "generated and becomes the one exported for CloudFront; default 'initial'.")
    previous_rotation: str | None = Field(
        default=None, alias="previousRotation", pattern=r"^[a-z0-9-]{1,32}$",
        description="Label of the value being rotated out, still accepted until CloudFront sends the new one; "
                    "default none. Remove it once the edge stack has been deployed with the new value.")

    @model_validator(mode="after")
    def _distinct(self) -> "OriginVerifySettings":
        if self.previous_rotation == self.rotation:
            raise ValueError(f"previousRotation: '{self.previous_rotation}' is also the current rotation: name the "
                             f"label being rotated out, or remove it")
        return self

    @property
    def labels(self) -> list[str]:
        """The accepted values' labels, current first."""
        return [self.rotation, *([self.previous_rotation] if self.previous_rotation else [])]


class DeliverySettings(_Model):
    certificate_arn: str = Field(
        alias="certificateArn", pattern=r"^arn:aws[\w-]*:acm:[a-z0-9-]+:\d{12}:certificate/[\w-]+$",
        description="Required. ACM certificate (in this stack's region) the ALB and NLB listeners serve.")
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
                    "inspection path is built but inbound traffic bypasses it until appliances exist.")
    appliance_subnet_group: str = Field(
        default="inspect", alias="applianceSubnetGroup",
        description="Subnet group (type attachment) of the Gateway Load Balancer and appliances; default "
                    "'inspect'.")
    endpoint_subnet_group: str = Field(
        default="gwlbe", alias="endpointSubnetGroup",
        description="Subnet group (type public) of the GWLB endpoints; default 'gwlbe'.")
    origin_verify: OriginVerifySettings = Field(
        default_factory=OriginVerifySettings, alias="originVerify",
        description="Origin verification: the ALB's WAF blocks requests without the secret header CloudFront "
                    "sends, so no other CloudFront distribution can reach the ALB; default header x-origin-verify, "
                    "rotation 'initial'.")
    alarm_email: str | None = Field(
        default=None, alias="alarmEmail", pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
        description="Address subscribed to the alarm topic; default none (subscribe on-call tooling later).")

    @field_validator("ssl_policy")
    @classmethod
    def _modern(cls, v: str) -> str:
        if v not in MODERN_TLS_POLICIES:
            raise ValueError(f"{v!r} is not a TLS 1.3 policy: use one of {', '.join(MODERN_TLS_POLICIES)}")
        return v

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


class DatabaseEngine(StrEnum):
    POSTGRES = "postgres"
    MYSQL = "mysql"


# Major versions RDS offers (standard support) per engine, and the parameter-group family of each.
ENGINE_MAJORS: dict[DatabaseEngine, dict[str, str]] = {
    DatabaseEngine.POSTGRES: {"13": "postgres13", "14": "postgres14", "15": "postgres15", "16": "postgres16",
                              "17": "postgres17"},
    DatabaseEngine.MYSQL: {"8.0": "mysql8.0", "8.4": "mysql8.4"},
}
# What each engine can export to CloudWatch Logs (RDS's own log type names).
ENGINE_LOG_EXPORTS: dict[DatabaseEngine, tuple[str, ...]] = {
    DatabaseEngine.POSTGRES: ("postgresql", "upgrade"),
    DatabaseEngine.MYSQL: ("error", "slowquery"),
}
_RESERVED_DB_USERS = {"admin", "root", "postgres", "rdsadmin", "rdsrepladmin", "mysql", "sa", "master"}
ENHANCED_MONITORING_INTERVALS = (1, 5, 10, 15, 30, 60)


class DatabaseSettings(_Model):
    engine: DatabaseEngine = Field(default=DatabaseEngine.POSTGRES,
                                   description="postgres or mysql; default postgres.")
    engine_version: str = Field(
        default="16", alias="engineVersion", pattern=r"^\d+(\.\d+){0,2}$",
        description="Major engine version (16 for PostgreSQL, 8.0 or 8.4 for MySQL); default 16. Only the major "
                    "version is set: minor upgrades are automatic, and a pinned minor version would make the next "
                    "update try to downgrade the database RDS has since upgraded.")
    instance_class: str = Field(default="db.r6g.large", alias="instanceClass",
                                pattern=r"^db\.[a-z][a-z0-9-]*\.[a-z0-9]+$",
                                description="Instance class of the primary and of each replica; default "
                                            "db.r6g.large.")
    allocated_storage: int = Field(default=100, alias="allocatedStorage", ge=20, le=65536,
                                   description="GiB of gp3 storage at creation; default 100.")
    max_allocated_storage: int = Field(default=500, alias="maxAllocatedStorage", ge=20, le=65536,
                                       description="Storage autoscaling ceiling in GiB; default 500.")
    backup_retention_days: int = Field(
        default=14, alias="backupRetentionDays",
        description="Days of automated backups (point-in-time restore window), 7 to 35; default 14.")
    database_name: str = Field(default="securecart", alias="databaseName", pattern=r"^[a-z][a-z0-9_]{0,62}$",
                               description="Name of the database created on the primary; default securecart.")
    master_username: str = Field(
        default="securecart_admin", alias="masterUsername", pattern=r"^[a-z][a-z0-9_]{0,15}$",
        description="Master user name (its password is generated by the program and kept in a Secrets Manager "
                    "secret replicated to the secondary region); default securecart_admin. Well-known names "
                    "(admin, root, postgres, …) are refused.")
    monitoring_interval: int = Field(
        default=60, alias="monitoringInterval",
        description="Seconds between enhanced monitoring samples (1, 5, 10, 15, 30 or 60); default 60.")
    performance_insights_days: int = Field(
        default=7, alias="performanceInsightsDays",
        description="Days Performance Insights keeps data (7, a multiple of 31 up to 713, or 731); default 7 (free).")
    log_retention_days: AuditRetentionDays = Field(
        default=365, alias="logRetentionDays",
        description="Days the exported database logs are kept; default 365, at least 365 (PCI DSS 10.5.1).")
    clients: list[str] | None = Field(
        default=None,
        description="Delivery services whose security groups may reach the database port; default every "
                    "service of securecart:delivery.")
    password_rotation: str = Field(
        default="initial", alias="passwordRotation", pattern=r"^[a-z0-9-]{1,32}$",
        description="Label of the master password (primary stack only); change it (e.g. to '2027-03') to rotate: "
                    "the program generates a new password, stores it in the replicated secret and sets it on the "
                    "writer in place (clients use IAM authentication and are not affected); default 'initial'.")

    @model_validator(mode="after")
    def _consistent(self) -> "DatabaseSettings":
        problems: list[str] = []
        majors = ENGINE_MAJORS[self.engine]
        major = next((m for m in majors if self.engine_version == m or self.engine_version.startswith(m + ".")),
                     None)
        if major is None:
            problems.append(f"engineVersion: {self.engine_version} is not a {self.engine} major version RDS "
                            f"supports: use {', '.join(majors)}")
        elif self.engine_version != major:
            problems.append(f"engineVersion: {self.engine_version} pins a minor version, but minor upgrades are "
                            f"automatic: once RDS moves past it the next update would try to downgrade; write the "
                            f"major version {major}")
        if not 7 <= self.backup_retention_days <= 35:
            problems.append(f"backupRetentionDays: {self.backup_retention_days} is out of range: keep 7 to 35 "
                            f"days of backups")
        if self.max_allocated_storage < self.allocated_storage:
            problems.append(f"maxAllocatedStorage: {self.max_allocated_storage} is below allocatedStorage "
                            f"{self.allocated_storage}")
        if self.master_username in _RESERVED_DB_USERS:
            problems.append(f"masterUsername: '{self.master_username}' is a well-known name: choose one an "
                            f"attacker has to guess")
        if self.monitoring_interval not in ENHANCED_MONITORING_INTERVALS:
            problems.append(f"monitoringInterval: {self.monitoring_interval} is not one of "
                            f"{', '.join(map(str, ENHANCED_MONITORING_INTERVALS))}")
        pi = self.performance_insights_days
        if not (pi in (7, 731) or (pi % 31 == 0 and 31 <= pi <= 713)):
            problems.append(f"performanceInsightsDays: {pi} is not 7, a multiple of 31 up to 713, or 731")
        if problems:
            raise ValueError("\n".join(problems))
        return self

    @property
    def parameter_family(self) -> str:
        majors = ENGINE_MAJORS[self.engine]
        return next(f for m, f in majors.items() if self.engine_version == m or self.engine_version.startswith(m + "."))

    @property
    def log_exports(self) -> tuple[str, ...]:
        return ENGINE_LOG_EXPORTS[self.engine]


class SessionsSettings(_Model):
    table_name: str | None = Field(
        default=None, alias="tableName", pattern=r"^[A-Za-z0-9_.-]{3,255}$",
        description="Name of the sessions table; default securecart-<environment>-sessions.")
    replica_regions: list[str] = Field(
        default_factory=list, alias="replicaRegions",
        description="Regions with a replica of the global table (primary stack only: it owns the table); default "
                    "none. Each replica gets its own customer-managed key in its region.")
    clients: list[str] | None = Field(
        default=None,
        description="Delivery services that may read and write session items; default the customer-facing "
                    "ones (behind the ALB).")
    ttl_attribute: str = Field(default="expiresAt", alias="ttlAttribute", pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,254}$",
                               description="Attribute holding each session's expiry (epoch seconds); default "
                                           "expiresAt.")


def bucket_name_problems(name: str) -> list[str]:
    """Why S3 would refuse a general purpose bucket name (or why it breaks HTTPS), as readable problems."""
    problems: list[str] = []
    if not 3 <= len(name) <= 63:
        problems.append(f"{name!r} has {len(name)} characters: bucket names have 3 to 63")
    if not re.fullmatch(r"[a-z0-9.-]*", name):
        problems.append(f"{name!r} may contain only lowercase letters, digits, hyphens (and dots)")
    if name and not (name[0].isalnum() and name[-1].isalnum()):
        problems.append(f"{name!r} must begin and end with a lowercase letter or a digit")
    if "." in name:
        problems.append(f"{name!r} has dots, which break virtual-hosted HTTPS (the certificate's wildcard covers "
                        f"one label): use hyphens")
    if re.fullmatch(r"\d+\.\d+\.\d+\.\d+", name):
        problems.append(f"{name!r} looks like an IP address, which S3 refuses")
    for prefix in ("xn--", "sthree-", "amzn-s3-demo-"):
        if name.startswith(prefix):
            problems.append(f"{name!r} starts with '{prefix}', which S3 reserves")
    for suffix in ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"):
        if name.endswith(suffix):
            problems.append(f"{name!r} ends with '{suffix}', which S3 reserves")
    return problems


class ImagesSettings(_Model):
    bucket_name: str | None = Field(
        default=None, alias="bucketName",
        description="Name of the product-images bucket (bucket names are global); default "
                    "securecart-<environment>-product-images-<region>.")
    noncurrent_version_days: int = Field(
        default=90, alias="noncurrentVersionDays", ge=1, le=3650,
        description="Days an overwritten or deleted image version is kept before it expires; default 90.")
    access_log_days: AuditObjectDays = Field(
        default=365, alias="accessLogDays",
        description="Days the bucket's server access logs are kept; default 365, at least 365 (PCI DSS 10.5.1).")
    cloudfront_distribution_arns: list[str] = Field(
        default_factory=list, alias="cloudFrontDistributionArns",
        description="CloudFront distributions allowed to read the bucket (origin access control); default any "
                    "distribution of this account, until the edge tier names its own.")

    @field_validator("bucket_name")
    @classmethod
    def _bucket_name(cls, v: str | None) -> str | None:
        if v is not None and (problems := bucket_name_problems(v)):
            raise ValueError("; ".join(problems))
        return v

    @field_validator("cloudfront_distribution_arns")
    @classmethod
    def _distributions(cls, v: list[str]) -> list[str]:
        for arn in v:
            if not re.fullmatch(r"arn:aws[\w-]*:cloudfront::\d{12}:distribution/[A-Z0-9]+", arn):
                raise ValueError(f"{arn!r} is not a CloudFront distribution ARN")
        return v


class DataSettings(_Model):
    database: DatabaseSettings = Field(
        default_factory=DatabaseSettings,
        description="The relational database: Multi-AZ RDS in the primary region, a cross-region read replica in "
                    "the secondary; default PostgreSQL 16 on db.r6g.large.")
    sessions: SessionsSettings = Field(
        default_factory=SessionsSettings,
        description="The sessions table (a DynamoDB global table owned by the primary stack); default "
                    "securecart-<environment>-sessions with no replicas.")
    images: ImagesSettings = Field(
        default_factory=ImagesSettings,
        description="The product-images bucket of this region (the primary's replicates to the secondary's); "
                    "default securecart-<environment>-product-images-<region>.")


# Private ASN ranges AWS accepts for an Amazon-side ASN (Transit Gateway, Direct Connect gateway).
_PRIVATE_ASNS = (range(64512, 65535), range(4200000000, 4294967295))
# ASNs AWS reserves and refuses for customer gateways.
_RESERVED_CGW_ASNS = {7224, 9059, 10124, 17943}


def _private_asn(v: int) -> int:
    if not any(v in r for r in _PRIVATE_ASNS):
        raise ValueError(f"{v} is not a private ASN: use 64512-65534 or 4200000000-4294967294")
    return v


class TransitGatewaySettings(_Model):
    asn: int = Field(description="Required. The Transit Gateway's Amazon-side BGP ASN, a private ASN unique to this "
                                 "region (the two stacks' gateways peer and must differ).")
    attachment_subnet_group: str = Field(
        default="tgw", alias="attachmentSubnetGroup",
        description="Subnet group (type attachment) for the VPC attachment's ENIs, one small subnet per AZ; default "
                    "'tgw'.")

    @field_validator("asn")
    @classmethod
    def _asn(cls, v: int) -> int:
        return _private_asn(v)


# Addresses no site can be reached at over the internet. (The documentation ranges are allowed: the stack files
# use them as placeholders, like the documentation account 123456789012.)
_NOT_INTERNET = tuple(ipaddress.IPv4Network(n) for n in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
    "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/4", "240.0.0.0/4"))
_PSK = re.compile(r"^[A-Za-z1-9_.][A-Za-z0-9_.]{7,63}$")


class CustomerGatewaySettings(_Model):
    name: str = Field(pattern=r"^[a-z][a-z0-9-]{1,30}$",
                      description="Required. Name of the site (e.g. 'dev-office-berlin'); names its resources.")
    ip_address: ipaddress.IPv4Address = Field(
        alias="ipAddress", description="Required. The site's VPN device: its public, static IPv4 address.")
    bgp_asn: int = Field(alias="bgpAsn", ge=1, le=4294967294,
                         description="Required. The site's BGP ASN (tunnels use BGP; routes are learned, not typed).")
    prefixes: list[Ipv4Network] = Field(
        min_length=1, description="Required. The site's networks: the VPC routes them to the Transit Gateway, and "
                                  "they must not overlap SecureCart's.")

    @field_validator("ip_address")
    @classmethod
    def _public(cls, v: ipaddress.IPv4Address) -> ipaddress.IPv4Address:
        if any(v in n for n in _NOT_INTERNET):
            raise ValueError(f"{v} is not a public IPv4 address (private, shared, loopback, link-local, multicast "
                             f"or reserved): a customer gateway needs the site's internet-facing address")
        return v

    @field_validator("bgp_asn")
    @classmethod
    def _asn(cls, v: int) -> int:
        if v in _RESERVED_CGW_ASNS:
            raise ValueError(f"{v} is reserved by AWS: use the site's own ASN (a private one, 64512-65534, if it "
                             f"has none)")
        return v


class VpnSettings(_Model):
    customer_gateways: list[CustomerGatewaySettings] = Field(
        default_factory=list, alias="customerGateways",
        description="Developer sites with a site-to-site VPN to the Transit Gateway; default none. Pre-shared keys "
                    "come from the secret securecart:vpnPreSharedKeys, else AWS generates them into Secrets "
                    "Manager.")
    log_retention_days: AuditRetentionDays = Field(
        default=365, alias="logRetentionDays",
        description="Days the tunnels' logs are kept; default 365, at least 365 (PCI DSS 10.5.1).")


class DirectConnectSettings(_Model):
    gateway_asn: int = Field(
        default=64600, alias="gatewayAsn",
        description="Amazon-side ASN of the Direct Connect gateway (primary stack only: the gateway is global); "
                    "default 64600. It must differ from both Transit Gateways'.")
    connection_id: str | None = Field(
        default=None, alias="connectionId", pattern=r"^dxcon-[0-9a-z]{8}$",
        description="An existing Direct Connect connection for the analytics link; default none: the gateway and "
                    "its associations exist, ready, and the transit virtual interface comes with a connection.")
    vlan: int = Field(default=100, ge=1, le=4094, description="VLAN of the transit virtual interface; default 100.")
    customer_asn: int = Field(default=65100, alias="customerAsn", ge=1, le=4294967294,
                              description="The analytics router's BGP ASN; default 65100.")
    prefixes: list[Ipv4Network] = Field(
        default_factory=list,
        description="The analytics networks on premises, routed to the Transit Gateway; default none.")

    @field_validator("gateway_asn")
    @classmethod
    def _asn(cls, v: int) -> int:
        return _private_asn(v)


class VpcPeerSettings(_Model):
    name: str = Field(pattern=r"^[a-z][a-z0-9-]{1,30}$",
                      description="Required. Name of the peered VPC (e.g. 'analytics-staging').")
    account_id: str | None = Field(
        default=None, alias="accountId", pattern=r"^\d{12}$",
        description="The peer's AWS account; default none: the VPC is in this stack's account, and this stack "
                    "accepts the peering itself.")
    region: KnownRegion = Field(description="Required. The peer VPC's region.")
    vpc_id: str = Field(alias="vpcId", pattern=r"^vpc-[0-9a-f]{8,17}$", description="Required. The peer VPC's ID.")
    cidr: Ipv4Network = Field(description="Required. The peer VPC's CIDR; it must overlap nothing of SecureCart's.")
    route_groups: list[str] | None = Field(
        default=None, alias="routeGroups",
        description="Subnet groups whose route tables reach the peer; default the private (application) groups "
                    "only.")


class ConnectivitySettings(_Model):
    transit_gateway: TransitGatewaySettings = Field(
        alias="transitGateway", description="Required. This region's Transit Gateway (see TransitGatewaySettings).")
    vpn: VpnSettings = Field(default_factory=VpnSettings,
                             description="Site-to-site VPNs for developers; default none.")
    direct_connect: DirectConnectSettings | None = Field(
        default=None, alias="directConnect",
        description="The Direct Connect gateway for analytics (primary stack only); default none on the secondary; "
                    "on the primary the gateway is built with default settings when this is left out.")
    vpc_peers: list[VpcPeerSettings] = Field(
        default_factory=list, alias="vpcPeers",
        description="Other accounts' and environments' VPCs peered with this one; default none.")

    def gateway(self, role: Role) -> DirectConnectSettings | None:
        """The Direct Connect gateway settings in force: as stated, and on the primary (which always builds the
        gateway) the defaults when the stack file states none."""
        return self.direct_connect or (DirectConnectSettings() if role is Role.PRIMARY else None)

    def on_premises(self) -> list[ipaddress.IPv4Network]:
        nets = [p for g in self.vpn.customer_gateways for p in g.prefixes]
        if self.direct_connect is not None:
            nets += self.direct_connect.prefixes
        return nets


_TAG_KEY = re.compile(r"^[\w .:/=+\-@]{1,128}$")


class StackSettings(_Model):
    """Everything under ``securecart:`` for one stack, plus the stack's region (``aws:region``)."""

    region: KnownRegion = Field(description="Required (from aws:region). The AWS region this stack builds in.")
    role: Role = Field(
        description="Required. primary (us-east-1: owns the global resources) or secondary (a regional replica)."
    )
    environment: str = Field(
        default="prod", pattern=r"^[a-z][a-z0-9-]{1,15}$",
        description="Environment name used in tags and names; default 'prod'.",
    )
    peer_stack: str | None = Field(
        default=None, alias="peerStack", pattern=r"^[A-Za-z0-9_.-]{1,100}$",
        description="Name of the other region's stack, read through a StackReference; default none: the stack "
                    "stands alone and checks nothing across regions.",
    )
    allowed_account_ids: list[Annotated[str, Field(pattern=r"^\d{12}$")]] = Field(
        default_factory=list, alias="allowedAccountIds",
        description="AWS account IDs the provider may act in; default empty: any account the credentials "
                    "reach. Set it for production so a wrong profile fails before it changes anything.",
    )
    tags: dict[str, str] = Field(
        default_factory=dict,
        description="Extra tags for every resource (through the provider's default tags); default none beyond "
                    "the standard Project, Stack, Environment and ManagedBy tags.",
    )
    network: NetworkSettings = Field(description="Required. The VPC and its subnet plan (see NetworkSettings).")
    delivery: DeliverySettings | None = Field(
        default=None,
        description="The application delivery tier (ALB, NLB, GWLB, ECS Fargate); default none: the stack builds "
                    "only the network.")
    data: DataSettings | None = Field(
        default=None,
        description="The data tier (RDS, the DynamoDB sessions table, the product-images bucket, their keys); "
                    "default none.")
    connectivity: ConnectivitySettings | None = Field(
        default=None,
        description="Transit Gateway, cross-region peering, VPC peering, VPN and Direct Connect; default none.")
    secrets_unreadable: frozenset[str] = Field(
        default=frozenset(), exclude=True,
        description="Set by the loader, never in a stack file: secret settings present but unreadable here (the "
                    "offline synth cannot decrypt them); default none.")
    vpn_pre_shared_keys: dict[str, list[str]] | None = Field(
        default=None, alias="vpnPreSharedKeys",
        description="Secret: customer gateway name -> its two tunnels' pre-shared keys; default none (AWS "
                    "generates them into Secrets Manager). Set it only with `pulumi config set --secret`.")

    @field_validator("tags")
    @classmethod
    def _tags_valid(cls, v: dict[str, str]) -> dict[str, str]:
        for key, value in v.items():
            if key.lower().startswith("aws:"):
                raise ValueError(f"tag key {key!r} starts with 'aws:', which AWS reserves")
            if not _TAG_KEY.match(key):
                raise ValueError(f"tag key {key!r} must be 1-128 letters, digits, spaces or _.:/=+-@")
            if len(value) > 256:
                raise ValueError(f"tag {key!r} has a value longer than 256 characters")
        return v

    @model_validator(mode="after")
    def _azs_in_region(self) -> "StackSettings":
        letters = REGION_AZ_LETTERS.get(self.region, "")
        missing = [a for a in self.network.availability_zones if a not in letters]
        if missing:
            raise ValueError(
                f"network.availabilityZones: {', '.join(missing)} not in {self.region} (which has "
                f"{', '.join(letters)})"
            )
        return self

    @model_validator(mode="after")
    def _delivery_fits(self) -> "StackSettings":
        d = self.delivery
        if d is None:
            return self
        problems = []
        cert_region = d.certificate_arn.split(":")[3]
        if cert_region != self.region:
            problems.append(f"delivery.certificateArn: the certificate is in {cert_region}; the listeners need one "
                            f"in {self.region}")
        groups = {g.name: g for g in self.network.subnet_groups}
        for key, name, kind in (("applianceSubnetGroup", d.appliance_subnet_group, SubnetType.ATTACHMENT),
                                ("endpointSubnetGroup", d.endpoint_subnet_group, SubnetType.PUBLIC)):
            group = groups.get(name)
            if group is None or group.type is not kind:
                problems.append(f"delivery.{key}: needs a network subnet group '{name}' of type {kind}")
        public = self.network.groups(SubnetType.PUBLIC)
        if public and public[0].name == d.endpoint_subnet_group:
            problems.append("network.subnetGroups: list the load balancers' public group before the GWLB endpoint "
                            "group (the first public group holds the NAT gateways and the ALB)")
        for ip in d.appliances:
            inside = groups.get(d.appliance_subnet_group)
            if inside is not None and ip not in inside.block:
                problems.append(f"delivery.appliances: {ip} is outside the appliance subnet group's {inside.block}")
        if problems:
            raise ValueError("\n".join(problems))
        return self

    @model_validator(mode="after")
    def _data_fits(self) -> "StackSettings":
        d = self.data
        if d is None:
            return self
        problems = []
        replicas = d.sessions.replica_regions
        if replicas and self.role is not Role.PRIMARY:
            problems.append("data.sessions.replicaRegions: only the primary stack owns the global table: remove "
                            "the replicas here and list them in the primary's stack file")
        if d.sessions.table_name is not None and self.role is not Role.PRIMARY:
            problems.append("data.sessions.tableName: only the primary stack names the global table; this stack "
                            "reads the name from the primary's outputs: remove it here")
        for i, region in enumerate(replicas):
            if region == self.region:
                problems.append(f"data.sessions.replicaRegions[{i}]: {region} is this stack's own region: a "
                                f"replica must be in another region")
            elif region not in REGION_AZ_LETTERS:
                problems.append(f"data.sessions.replicaRegions[{i}]: {region!r} is not an AWS region SecureCart "
                                f"deploys to: use one of {', '.join(sorted(REGION_AZ_LETTERS))}")
        for dup in sorted({r for r in replicas if replicas.count(r) > 1}):
            problems.append(f"data.sessions.replicaRegions: {dup} is listed twice")
        known = [s.name for s in self.delivery.services] if self.delivery is not None else []
        for key, listed in (("database", d.database.clients), ("sessions", d.sessions.clients)):
            for name in listed or []:
                if name not in known:
                    problems.append(f"data.{key}.clients: '{name}' is not a service of securecart:delivery "
                                    f"(known: {', '.join(known) or 'none'})")
        if problems:
            raise ValueError("\n".join(problems))
        return self

    @model_validator(mode="after")
    def _connectivity_fits(self) -> "StackSettings":
        c = self.connectivity
        if c is None:
            if self.vpn_pre_shared_keys is not None:
                raise ValueError("vpnPreSharedKeys: there is no securecart:connectivity VPN to use them")
            return self
        problems: list[str] = []
        groups = {g.name: g for g in self.network.subnet_groups}
        tgw_group = groups.get(c.transit_gateway.attachment_subnet_group)
        if tgw_group is None or tgw_group.type is not SubnetType.ATTACHMENT:
            problems.append(f"connectivity.transitGateway.attachmentSubnetGroup: needs a network subnet group "
                            f"'{c.transit_gateway.attachment_subnet_group}' of type attachment")
        if c.direct_connect is not None and self.role is not Role.PRIMARY:
            problems.append("connectivity.directConnect: the Direct Connect gateway is global and belongs to the "
                            "primary stack: remove it here (this region's Transit Gateway associates with it)")
        dx = c.gateway(self.role)
        if dx is not None and dx.gateway_asn == c.transit_gateway.asn:
            problems.append(f"connectivity.directConnect.gatewayAsn: {dx.gateway_asn} is the Transit Gateway's ASN: "
                            f"the two must differ")
        if dx is not None and dx.customer_asn == dx.gateway_asn:
            problems.append(f"connectivity.directConnect.customerAsn: {dx.customer_asn} is the gateway's own ASN: "
                            f"BGP needs a different one on each side")
        names = [g.name for g in c.vpn.customer_gateways]
        for dup in sorted({n for n in names if names.count(n) > 1}):
            problems.append(f"connectivity.vpn.customerGateways: '{dup}' is listed twice")
        for i, g in enumerate(c.vpn.customer_gateways):
            if g.bgp_asn == c.transit_gateway.asn:
                problems.append(f"connectivity.vpn.customerGateways[{i}].bgpAsn: {g.bgp_asn} is the Transit "
                                f"Gateway's ASN: BGP needs a different one on each side")
        # Every network SecureCart routes to must be distinct: ours, the peered VPCs', the sites'.
        named: list[tuple[str, ipaddress.IPv4Network]] = [("network.cidr", self.network.cidr)]
        named += [(f"connectivity.vpcPeers[{i}].cidr", p.cidr) for i, p in enumerate(c.vpc_peers)]
        named += [(f"connectivity.vpn.customerGateways[{i}].prefixes[{j}]", n)
                  for i, g in enumerate(c.vpn.customer_gateways) for j, n in enumerate(g.prefixes)]
        if c.direct_connect is not None:
            named += [(f"connectivity.directConnect.prefixes[{j}]", n) for j, n in enumerate(c.direct_connect.prefixes)]
        for i, (key_a, net_a) in enumerate(named):
            for key_b, net_b in named[i + 1:]:
                if net_a.overlaps(net_b):
                    problems.append(f"{key_b}: {net_b} overlaps {key_a} ({net_a}): routed networks must be distinct")
        peer_names = [p.name for p in c.vpc_peers]
        for dup in sorted({n for n in peer_names if peer_names.count(n) > 1}):
            problems.append(f"connectivity.vpcPeers: '{dup}' is listed twice")
        for i, p in enumerate(c.vpc_peers):
            for group_name in p.route_groups or []:
                if group_name not in groups:
                    problems.append(f"connectivity.vpcPeers[{i}].routeGroups: '{group_name}' is not a network "
                                    f"subnet group")
        keys = self.vpn_pre_shared_keys or {}
        for name, tunnel_keys in keys.items():
            if name not in names:
                problems.append(f"vpnPreSharedKeys.{name}: no customer gateway of that name")
            elif len(tunnel_keys) != 2 or not all(_PSK.match(k) for k in tunnel_keys):
                # Never echo a secret: say what is wrong, not what it is.
                problems.append(f"vpnPreSharedKeys.{name}: give two keys (one per tunnel) of 8-64 letters, digits, "
                                f"periods and underscores, not starting with 0")
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def pre_shared_keys(self) -> dict[str, list[str]]:
        """The VPN sites' tunnel keys. Where the offline synth could not decrypt the secret, marked stand-ins for
        every site take their place, as a preview would see unknowns."""
        if "vpnPreSharedKeys" in self.secrets_unreadable and self.connectivity is not None:
            return {g.name: [f"{OFFLINE_SECRET}.{g.name}.{n}" for n in (1, 2)]
                    for g in self.connectivity.vpn.customer_gateways}
        return dict(self.vpn_pre_shared_keys or {})

    @property
    def images_bucket_name(self) -> str:
        named = self.data.images.bucket_name if self.data is not None else None
        return named or f"securecart-{self.environment}-product-images-{self.region}"

    @property
    def sessions_table_name(self) -> str:
        named = self.data.sessions.table_name if self.data is not None else None
        return named or f"securecart-{self.environment}-sessions"

    def zone(self, letter: str) -> str:
        return f"{self.region}{letter}"

    @property
    def zones(self) -> list[str]:
        return [self.zone(a) for a in self.network.availability_zones]


# Keys the loader reads: config key -> StackSettings field alias.
_KEYS = ("role", "environment", "peerStack", "allowedAccountIds", "tags", "network", "delivery", "data",
         "connectivity", "vpnPreSharedKeys")


def _parse(raw: Any) -> Any:
    """Config values arrive as strings (objects as JSON text, as the Pulumi engine passes them)."""
    if not isinstance(raw, str):
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _loc_path(loc: tuple[int | str, ...]) -> str:
    """``('network', 'subnetGroups', 1, 'block')`` → ``network.subnetGroups[1].block``."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part.startswith("function-") or "[" in part:
            continue  # pydantic's validator frames, not keys
        else:
            path += f".{part}" if path else part
    return path


def _full_key(path: str) -> str:
    if path == "region":
        return "aws:region"
    return f"{NAMESPACE}:{path}" if path else NAMESPACE


def _describe(err: ErrorDetails, stack_file: str) -> str:
    kind = err["type"]
    msg = err["msg"]
    value = err.get("input")
    if err["loc"] and err["loc"][0] in SECRET_KEYS:
        # Never repeat any part of a secret back: say what shape was expected, not what was given.
        shapes = {"list_type": "expected a list", "string_type": "expected text", "dict_type":
                  "expected an object (key: value pairs)", "missing": f"is required: set it in {stack_file}"}
        return shapes.get(kind, "is not valid (the value is not shown: it is secret)")
    if kind == "missing":
        return f"is required: set it in {stack_file}"
    if kind == "extra_forbidden":
        return "is not a known setting: remove it or check its spelling"
    if kind in ("value_error", "assertion_error"):
        return msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"expected a whole number, got {value!r}"
    if kind in ("string_type",):
        return f"expected text, got {value!r}"
    if kind in ("list_type",):
        return f"expected a list, got {value!r}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"expected an object (key: value pairs), got {value!r}"
    if kind == "enum":
        expected = err.get("ctx", {}).get("expected", "")
        return f"{value!r} is not allowed: use {expected}"
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        return f"{value!r} is not allowed: use {expected}"
    if kind == "string_pattern_mismatch":
        return f"{value!r} does not have the expected form ({err.get('ctx', {}).get('pattern', '')})"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return f"{value!r}: {msg.lower()}"
    if kind == "too_short":
        return f"{msg.lower()}"
    return msg


def format_validation_error(exc: ValidationError, stack_file: str) -> list[str]:
    problems: list[str] = []
    for err in exc.errors():
        base = _loc_path(err["loc"])
        for line in _describe(err, stack_file).split("\n"):
            # Problems found on a whole model name their sub-key first ("subnetGroups[1].block: …").
            head, sep, rest = line.partition(": ")
            if sep and re.fullmatch(r"[a-z][\w.\[\]-]*", head):  # keys are camelCase; values are not
                problems.append(f"{_full_key(f'{base}.{head}' if base else head)}: {rest}")
            else:
                problems.append(f"{_full_key(base)}: {line}")
    return problems


def _offline_secret(raw: Any) -> bool:
    return isinstance(raw, str) and raw.startswith(f"{OFFLINE_SECRET}:")


def parse_settings(values: Mapping[str, Any], stack_file: str = "the stack file",
                   secret_keys: Collection[str] | None = None) -> StackSettings:
    """Validate raw config (``{'aws:region': …, 'securecart:network': …}``) into :class:`StackSettings`."""
    problems: list[str] = []
    data: dict[str, Any] = {}
    region = values.get("aws:region")
    if region is None:
        problems.append(f"aws:region: is required: set it in {stack_file}")
    else:
        data["region"] = _parse(region)
    for full_key, raw in values.items():
        ns, _, key = full_key.partition(":")
        if ns != NAMESPACE:
            continue
        if key not in _KEYS:
            problems.append(f"{full_key}: is not a known setting (known: "
                            f"{', '.join(f'{NAMESPACE}:{k}' for k in _KEYS)})")
            continue
        if key in SECRET_KEYS:
            if secret_keys is not None and full_key not in secret_keys:
                problems.append(f"{full_key}: is stored in plain text in {stack_file}: remove it and set it again "
                                f"with `pulumi config set --secret {full_key} '<json>'`")
                continue
            if _offline_secret(raw):
                continue  # present but unreadable offline; StackSettings.secrets_unreadable says so
        data[key] = _parse(raw)
    try:
        settings = StackSettings.model_validate(data)
    except ValidationError as exc:
        problems.extend(p for p in format_validation_error(exc, stack_file)
                        if not (p.startswith("aws:region: is required") and region is None))
        raise ConfigError(problems) from None
    if problems:
        raise ConfigError(problems)
    unreadable = frozenset(k for k in SECRET_KEYS if _offline_secret(values.get(f"{NAMESPACE}:{k}")))
    return settings.model_copy(update={"secrets_unreadable": unreadable}) if unreadable else settings


def load_settings() -> StackSettings:
    """Read this stack's settings from the Pulumi config (the one place that does)."""
    config = pulumi.Config(NAMESPACE)
    values: dict[str, Any] = {f"{NAMESPACE}:{key}": config.get(key) for key in _KEYS}
    region = pulumi.Config("aws").get("region")
    if region is not None:
        values["aws:region"] = region
    # Keys nobody reads would be silently ignored: list them as problems instead.
    present = set(pulumi.runtime.get_config_env()) | set(CONFIG.get())
    values.update({k: "" for k in present if k.startswith(f"{NAMESPACE}:") and k not in values})
    secret = {f"{NAMESPACE}:{k}" for k in SECRET_KEYS if is_config_secret(f"{NAMESPACE}:{k}")}
    return parse_settings({k: v for k, v in values.items() if v is not None}, f"Pulumi.{pulumi.get_stack()}.yaml",
                          secret_keys=secret)


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
