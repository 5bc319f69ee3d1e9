"""Shared types of the settings: the error every bad setting becomes, the base model, the AWS facts the
validators check against (regions and their AZ letters, CloudWatch Logs retention periods), and the annotated
types several tiers use (IPv4 networks, retention days, audit floors).
"""

import ipaddress
from collections.abc import Iterable
from enum import StrEnum
from typing import Annotated, Any

import pulumi
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)

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


class Model(BaseModel):
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
