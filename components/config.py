"""Typed settings for every ``securecart:*`` key, and the one loader that reads them.

The stack files (``Pulumi.<stack>.yaml``) state only what differs from the secure defaults below. Every field has a
description that says what happens when it is left out. The loader turns every validation problem into one line
that names the key and the fix; :class:`ConfigError` is a ``pulumi.RunError`` so ``pulumi up`` prints it without a
traceback.
"""

import ipaddress
import json
import re
from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Annotated, Any, Literal

import pulumi
from pulumi.runtime.config import CONFIG
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails

NAMESPACE = "securecart"

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


class _Model(BaseModel):
    """Base for every settings model: camelCase keys as in the stack files, unknown keys rejected, immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=False,
                              arbitrary_types_allowed=False, str_strip_whitespace=True)


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
    retention_days: int = Field(
        default=365, alias="retentionDays",
        description="Days CloudWatch Logs keeps VPC flow logs; default 365 (a year of traffic to review). Must be "
                    "a retention period CloudWatch accepts.",
    )
    max_aggregation_interval: Literal[60, 600] = Field(
        default=60, alias="maxAggregationInterval",
        description="Seconds over which flows are aggregated into one record; default 60 (fastest detection).",
    )

    @field_validator("retention_days")
    @classmethod
    def _retention_allowed(cls, v: int) -> int:
        if v not in LOG_RETENTION_DAYS:
            nearest = min(LOG_RETENTION_DAYS, key=lambda d: abs(d - v))
            raise ValueError(
                f"{v} is not a retention CloudWatch Logs accepts: use one of "
                f"{', '.join(map(str, LOG_RETENTION_DAYS))} (nearest: {nearest})"
            )
        return v


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


_TAG_KEY = re.compile(r"^[\w .:/=+\-@]{1,128}$")


class StackSettings(_Model):
    """Everything under ``securecart:`` for one stack, plus the stack's region (``aws:region``)."""

    region: str = Field(description="Required (from aws:region). The AWS region this stack builds in.")
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

    @field_validator("region")
    @classmethod
    def _known_region(cls, v: str) -> str:
        if v not in REGION_AZ_LETTERS:
            raise ValueError(f"{v!r} is not an AWS region SecureCart deploys to: use one of "
                             f"{', '.join(sorted(REGION_AZ_LETTERS))}")
        return v

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

    def zone(self, letter: str) -> str:
        return f"{self.region}{letter}"

    @property
    def zones(self) -> list[str]:
        return [self.zone(a) for a in self.network.availability_zones]


# Keys the loader reads: config key -> StackSettings field alias.
_KEYS = ("role", "environment", "peerStack", "allowedAccountIds", "tags", "network")


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
            if sep and re.fullmatch(r"[A-Za-z][\w.\[\]]*", head):
                problems.append(f"{_full_key(f'{base}.{head}' if base else head)}: {rest}")
            else:
                problems.append(f"{_full_key(base)}: {line}")
    return problems


def parse_settings(values: Mapping[str, Any], stack_file: str = "the stack file") -> StackSettings:
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
        data[key] = _parse(raw)
    try:
        settings = StackSettings.model_validate(data)
    except ValidationError as exc:
        problems.extend(p for p in format_validation_error(exc, stack_file)
                        if not (p.startswith("aws:region: is required") and region is None))
        raise ConfigError(problems) from None
    if problems:
        raise ConfigError(problems)
    return settings


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
    return parse_settings({k: v for k, v in values.items() if v is not None}, f"Pulumi.{pulumi.get_stack()}.yaml")


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
            if sa.network.cidr.overlaps(sb.network.cidr):
                problems.append(
                    f"{NAMESPACE}:network.cidr: {a}'s {sa.network.cidr} overlaps {b}'s {sb.network.cidr}: "
                    f"give each region its own range so routing between them works"
                )
    return problems
