"""Settings of the analytics VPC (``securecart:analytics``, primary stack only): a VPC of its own, built by the
network tier from these settings (isolated subnets over the AZs, no internet gateway, no NAT, flow logs, the
endpoints it needs), peered with the application VPC and attached to the Transit Gateway so that Direct Connect
transfers land in it.
"""

from typing import Annotated, ClassVar

from pydantic import Field, field_validator, model_validator

from components.settings.network import SubnetGroup, SubnetType, VpcSettings
from components.settings.types import Model

# What the analytics subnets need of AWS without an internet path: logs and metrics of their workloads, role
# credentials, their data keys. S3 (the data lake) and DynamoDB come through the gateway endpoints.
DEFAULT_ANALYTICS_ENDPOINTS = ("logs", "monitoring", "sts", "kms")


class AnalyticsPort(Model):
    name: str = Field(
        pattern=r"^[a-z][a-z0-9-]{1,20}$",
        description="Required. What listens on the port (e.g. 'redshift', 'kafka-tls'); it names the security "
                    "group and network ACL rules that admit it.")
    port: int = Field(ge=1, le=65535, description="Required. The TCP port the analytics service listens on.")


class AnalyticsSettings(VpcSettings):
    """The analytics VPC: only isolated groups (the workloads: warehouse, stream, extract jobs) and, for the Transit
    Gateway's ENIs, an attachment group. What crosses into it is stated here: the application services that write
    to it (``clients``), whether it reads the database (``databaseReads``), and the ports it serves."""

    SECTION: ClassVar[str] = "analytics"
    NOUN: ClassVar[str] = "analytics VPC"
    REQUIRED_TYPES: ClassVar[tuple[SubnetType, ...]] = (SubnetType.ISOLATED,)
    ALLOWED_TYPES: ClassVar[tuple[SubnetType, ...]] = (SubnetType.ISOLATED, SubnetType.ATTACHMENT)

    interface_endpoints: list[str] = Field(
        default=list(DEFAULT_ANALYTICS_ENDPOINTS), alias="interfaceEndpoints",
        description="Interface VPC endpoints in the analytics subnets; default logs, monitoring, sts and kms, so "
                    "workloads log, publish metrics, take role credentials and use their keys without an internet "
                    "path (S3 and DynamoDB come through gateway endpoints); secretsmanager is added where "
                    "databaseReads is set, for the database's credentials.")
    interface_endpoint_subnet_group: str | None = Field(
        default=None, alias="interfaceEndpointSubnetGroup",
        description="Subnet group (type isolated) of the interface endpoints' network interfaces, one per AZ; "
                    "default the only isolated group (name it when there are several).")
    ports: list[AnalyticsPort] = Field(
        min_length=1, max_length=6,
        description="Required. The TCP ports the analytics services listen on (1 to 6): the only ports the "
                    "analytics subnets' security group and network ACLs admit from the application services and "
                    "from Direct Connect.")
    clients: list[Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{1,30}$")]] = Field(
        default_factory=list,
        description="Services of securecart:delivery whose tasks write to the analytics ports; default none. Their "
                    "security groups get egress to the analytics subnets on those ports, and the task subnets a "
                    "route over the peering.")
    database_reads: bool = Field(
        default=False, alias="databaseReads",
        description="Whether analytics jobs read the application database; default false. When true, the database "
                    "subnets route the analytics subnets over the peering and the database's security group and "
                    "network ACL admit its port from them (and nothing else from the analytics VPC).")
    direct_connect: bool = Field(
        default=True, alias="directConnect",
        description="Whether the analytics VPC attaches to the Transit Gateway so that Direct Connect transfers "
                    "land in it; default true (needs securecart:connectivity and an attachment group). Its Transit "
                    "Gateway table reaches only the Direct Connect prefixes: never the application VPC, the peer "
                    "region or a developer site.")
    attachment_subnet_group: str | None = Field(
        default=None, alias="attachmentSubnetGroup",
        description="Subnet group (type attachment) of the Transit Gateway attachment's ENIs, one per AZ; default "
                    "the only attachment group (needed when directConnect is true).")

    @field_validator("ports")
    @classmethod
    def _distinct_ports(cls, v: list[AnalyticsPort]) -> list[AnalyticsPort]:
        for what, values in (("port", [str(p.port) for p in v]), ("name", [p.name for p in v])):
            dupes = sorted({x for x in values if values.count(x) > 1})
            if dupes:
                raise ValueError(f"{what} {', '.join(dupes)} listed twice: each port once, each name once")
        return v

    @field_validator("clients")
    @classmethod
    def _distinct_clients(cls, v: list[str]) -> list[str]:
        dupes = sorted({c for c in v if v.count(c) > 1})
        if dupes:
            raise ValueError(f"{', '.join(dupes)} listed twice")
        return v

    def _why_not(self, kind: SubnetType) -> str:
        return (f"'{kind}' is not allowed: the analytics VPC has no internet path (no internet gateway, no NAT); "
                f"use isolated for its workloads, attachment for the Transit Gateway's ENIs")

    def _why_needed(self) -> str:
        return "the analytics workloads need an isolated group"

    @model_validator(mode="after")
    def _something_flows(self) -> "AnalyticsSettings":
        if not self.clients and not self.database_reads and not self.direct_connect:
            raise ValueError("nothing reaches the analytics VPC: name clients (services that write to it), set "
                             "databaseReads, or keep directConnect")
        return self

    @property
    def workloads(self) -> list[SubnetGroup]:
        """The isolated groups: where the analytics services run, and what the other networks reach."""
        return self.groups(SubnetType.ISOLATED)

    @property
    def port_numbers(self) -> tuple[int, ...]:
        return tuple(p.port for p in self.ports)
