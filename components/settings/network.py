"""Settings of the network tier (``securecart:network``): the VPC, its subnet groups, NAT, flow logs and
interface endpoints.
"""

import ipaddress
import re
from collections.abc import Mapping
from enum import StrEnum
from typing import ClassVar, Literal

from pydantic import (
    Field,
    field_validator,
    model_validator,
)

from components.settings.types import AuditObjectDays, AuditRetentionDays, Ipv4Network, Model

# Interface endpoints the private subnets may need; the key is the service suffix after ``com.amazonaws.<region>.``.
INTERFACE_ENDPOINT_SERVICES = ("ecr.api", "ecr.dkr", "logs", "sts", "secretsmanager", "kms", "xray", "ssm",
                               "ssmmessages", "ec2messages", "monitoring", "elasticloadbalancing",
                               "ecs", "ecs-agent", "ecs-telemetry")


DEFAULT_INTERFACE_ENDPOINTS = ("ecr.api", "ecr.dkr", "logs", "sts", "secretsmanager", "kms", "xray", "ssm")


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


class SubnetGroup(Model):
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


class FlowLogSettings(Model):
    retention_days: AuditRetentionDays = Field(
        default=365, alias="retentionDays",
        description="Days CloudWatch Logs keeps VPC flow logs; default 365 (a year of traffic to review). Must be "
                    "a retention period CloudWatch accepts, at least 365 (PCI DSS 10.5.1).",
    )
    max_aggregation_interval: Literal[60, 600] = Field(
        default=60, alias="maxAggregationInterval",
        description="Seconds over which flows are aggregated into one record; default 60 (fastest detection).",
    )


class VpcSettings(Model):
    """What every VPC of the stack states (the application network's and the analytics VPC's): its range, its AZs,
    its subnet groups, flow logs and interface endpoints. Subclasses say which subnet types the VPC must have and
    may have (``REQUIRED_TYPES``, ``ALLOWED_TYPES``)."""

    SECTION: ClassVar[str] = "network"  # the key the messages name
    NOUN: ClassVar[str] = "network"  # what the messages call the VPC
    REQUIRED_TYPES: ClassVar[tuple[SubnetType, ...]] = ()
    ALLOWED_TYPES: ClassVar[tuple[SubnetType, ...]] = tuple(SubnetType)

    cidr: Ipv4Network = Field(
        description="Required. The VPC's IPv4 CIDR (/16 to /24, RFC 1918). It must not overlap any other network "
                    "the stacks route.",
    )
    availability_zones: list[str] = Field(
        alias="availabilityZones", min_length=1,
        description="Required. AZ letters of the region to spread every subnet group over (at least 3, so the "
                    "loss of one AZ still leaves two), e.g. ['a', 'b', 'c'].",
    )
    subnet_groups: list[SubnetGroup] = Field(
        alias="subnetGroups", min_length=1,
        description="Required. The subnet groups, each expanded into one subnet per AZ.",
    )
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
    def _plan_consistent(self) -> "VpcSettings":
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
            if g.type not in self.ALLOWED_TYPES:
                problems.append(f"subnetGroups[{i}].type: {self._why_not(g.type)}")
        types = {g.type for g in self.subnet_groups}
        missing = [t for t in self.REQUIRED_TYPES if t not in types]
        for needed in missing:
            problems.append(f"subnetGroups: no group of type '{needed}': {self._why_needed()}")
        problems += self._more_problems(types)
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def _why_not(self, kind: SubnetType) -> str:
        return f"'{kind}' is not allowed here"

    def _why_needed(self) -> str:
        return f"the VPC needs {', '.join(self.REQUIRED_TYPES)} groups"

    def _more_problems(self, types: set[SubnetType]) -> list[str]:
        return []

    def groups(self, kind: SubnetType) -> list[SubnetGroup]:
        return [g for g in self.subnet_groups if g.type is kind]

    def place(self, key: str, named: str | None, kind: SubnetType,
              taken: Mapping[str, str] | None = None) -> SubnetGroup:
        """The subnet group a placement setting (``key``) names, or, when it names none, the only group of
        ``kind`` that no other placement has taken (``taken``: group -> the setting that holds it). Raises
        ValueError, naming the key and the fix, when there is no such group or the choice is ambiguous."""
        of_kind = self.groups(kind)
        if named is None:
            free = [g for g in of_kind if g.name not in (taken or {})]
            if len(free) == 1:
                return free[0]
            if free:
                raise ValueError(f"{key}: the {self.NOUN} has {len(free)} {kind} subnet groups "
                                 f"({', '.join(g.name for g in free)}): name the one to use")
            if not of_kind:
                raise ValueError(f"{key}: the {self.NOUN} has no {kind} subnet group: add one to "
                                 f"{self.SECTION}.subnetGroups")
            held = "; ".join(f"'{g.name}' holds {(taken or {})[g.name]}" for g in of_kind)
            raise ValueError(f"{key}: the {self.NOUN} has no {kind} subnet group for it ({held}): add one to "
                             f"{self.SECTION}.subnetGroups")
        for g in self.subnet_groups:
            if g.name == named:
                if g.type is not kind:
                    known = ", ".join(x.name for x in of_kind) or f"none in {self.SECTION}.subnetGroups"
                    raise ValueError(f"{key}: '{named}' is of type {g.type}; this needs one of type {kind} "
                                     f"({known})")
                return g
        raise ValueError(f"{key}: '{named}' is not a {self.SECTION} subnet group (known: "
                         f"{', '.join(g.name for g in self.subnet_groups)})")


class NetworkSettings(VpcSettings):
    """The application network (``securecart:network``): public, private and isolated tiers with NAT."""

    REQUIRED_TYPES: ClassVar[tuple[SubnetType, ...]] = (SubnetType.PUBLIC, SubnetType.PRIVATE, SubnetType.ISOLATED)

    nat: NatStrategy = Field(
        default=NatStrategy.PER_AZ,
        description="How private subnets reach the internet; default perAz: one NAT gateway per AZ, each private "
                    "subnet routed to the NAT gateway in its own AZ.",
    )
    nat_subnet_group: str | None = Field(
        default=None, alias="natSubnetGroup",
        description="Subnet group (type public) of the NAT gateways; default the only public group (name it when "
                    "there are several).",
    )
    database_port: int = Field(
        default=5432, alias="databasePort", ge=1150, le=65535,
        description="TCP port of the database tier; default 5432 (PostgreSQL). The database subnets' network "
                    "ACL admits only this port, and only from the private (application) subnets (and the analytics "
                    "VPC's subnets where analytics.databaseReads is set).",
    )
    access_log_days: AuditObjectDays = Field(
        default=365, alias="accessLogDays",
        description="Days the stack's S3 access-log archive keeps the log buckets' own access logs; default 365, "
                    "at least 365 (PCI DSS 10.5.1).")
    interface_endpoint_subnet_group: str | None = Field(
        default=None, alias="interfaceEndpointSubnetGroup",
        description="Subnet group (type private) of the interface endpoints' network interfaces, one per AZ; "
                    "default the only private group (name it when there are several).",
    )

    def _why_needed(self) -> str:
        return "the network needs public, private and isolated tiers"

    def _more_problems(self, types: set[SubnetType]) -> list[str]:
        if self.nat is NatStrategy.NONE and SubnetType.PRIVATE in types:
            return ["nat: 'none' leaves the private groups without egress: use perAz (or declare those groups as "
                    "isolated)"]
        return []
