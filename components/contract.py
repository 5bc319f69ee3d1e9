"""The stack contract: every output a stack exports, and every output it reads of its peer (DESIGN §1).

Outputs are declared once, here, as typed models, one per tier (``NetworkOutputs``, ``DeliveryOutputs``, …): the
field ``vpc_cidr`` is the stack output ``vpcCidr``. A tier fills its model (``Tier.exports``), ``__main__``
exports the union (``export``); a field that is ``None`` is not exported, which is how an output that exists only
once the peer has run (the replica's ARN, the peering attachment) stays absent until then.

What a stack reads of its peer is declared here too, as ``Peer*`` views, one per concern. Each field names an
output above and says which role reads it (``read_by``); nothing else is read. ``read_peer`` reads exactly those
outputs (plain values, known at program start, ``None`` while the peer has not made them), and the offline synth
reruns a stack only when one of ``peer_keys(role)`` changed. A field of a view that is not an output of this
contract fails at import.
"""

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar, cast

import pulumi
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel

from components.settings.types import ConfigError, Role

# --- what a stack exports -------------------------------------------------------------------------------------


class Outputs(BaseModel):
    """A tier's share of the stack outputs: ``snake_case`` fields, exported under their camelCase names."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True, extra="forbid",
                              arbitrary_types_allowed=True)
    registry: ClassVar[list[type["Outputs"]]] = []

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        Outputs.registry.append(cls)

    def dump(self) -> dict[str, Any]:
        """The outputs as the stack exports them (camelCase names; absent where ``None``)."""
        return self.model_dump(by_alias=True, exclude_none=True)


Id = pulumi.Output[str]


class StackOutputs(Outputs):
    region: str
    role: str


class NetworkOutputs(Outputs):
    vpc_id: Id
    vpc_cidr: Id
    subnet_ids: dict[str, list[Id]]  # subnet type -> ids (group order, then zone)
    route_table_ids: dict[str, list[Id]]
    db_subnet_group_name: Id | None = None  # the application network's (the analytics VPC has none)
    endpoint_security_group_id: Id
    flow_log_group_name: Id
    nat_gateway_ids: dict[str, Id]  # zone -> NAT gateway


class InspectionOutputs(Outputs):
    gateway_load_balancer_arn: Id
    inspection_endpoint_service_name: Id
    inspection_inline: bool  # whether inbound traffic goes through the appliances


class DeliveryOutputs(Outputs):
    alb_arn: Id
    alb_dns_name: Id
    alb_zone_id: Id  # the ALB's canonical hosted zone (for alias records)
    alb_security_group_id: Id
    origin_verify_header: str
    # primary: every value the ALBs accept in origin_verify_header (secret; current first), for the secondary
    origin_verify_values: pulumi.Output[list[str]] | None = None
    accelerator_alb_arn: Id | None = None  # the internal ALB that is Global Accelerator's endpoint here
    nlb_arn: Id
    nlb_dns_name: Id
    target_group_arns: dict[str, Id]
    service_names: dict[str, Id]
    service_security_group_ids: dict[str, Id]
    repository_urls: dict[str, Id]
    cluster_name: Id
    # service -> this region's declared peak (securecart:capacity): the peer's services carry both regions' peak
    peak_requests_per_second: dict[str, float] | None = None


class ConnectivityOutputs(Outputs):
    transit_gateway_id: Id
    transit_gateway_asn: int
    transit_gateway_route_table_ids: dict[str, Id]
    tgw_vpc_attachment_id: Id
    vpn_connection_ids: dict[str, Id]
    vpn_attachment_ids: dict[str, Id]
    customer_gateway_ids: dict[str, Id]
    vpc_peering_connection_ids: dict[str, Id]
    routed_networks: list[str]  # what this stack routes besides the VPCs: peered VPCs, the sites, Direct Connect
    tgw_peering_attachment_id: Id | None = None  # primary: the cross-region peering it requested
    dx_gateway_id: Id | None = None  # primary: the Direct Connect gateway
    tgw_dx_attachment_id: Id | None = None
    dx_prefixes: list[str] | None = None  # primary: what the Direct Connect gateway advertises
    tgw_analytics_attachment_id: Id | None = None  # primary: the analytics VPC's attachment (Direct Connect only)


class MonitoringOutputs(Outputs):
    """Where the stack's alarms go, and what a reader finds in CloudWatch."""

    alarm_topic_arn: Id
    alarm_names: list[str]  # every metric alarm of the stack (the composite pages for several of them)
    dashboard_names: list[Id]


class AnalyticsOutputs(Outputs):
    """The primary's analytics VPC and its peering with the application VPC."""

    analytics_vpc_id: Id
    analytics_vpc_cidr: str
    analytics_subnet_ids: dict[str, list[Id]]  # subnet type -> ids (group order, then zone)
    analytics_peering_connection_id: Id
    analytics_security_group_id: Id
    analytics_flow_log_group_name: Id


class DataOutputs(Outputs):
    database_security_group_id: Id
    database_key_arn: Id
    images_bucket_name: Id
    images_bucket_arn: Id
    images_bucket_regional_domain_name: Id
    images_key_arn: Id
    database_arn: Id | None = None  # the writer (primary) or the replica (secondary, once the writer exists)
    database_endpoint: Id | None = None
    database_secret_arn: Id | None = None  # the master secret here (primary) or its replica (secondary)
    database_secret_arns: dict[str, Id] | None = None  # primary: region -> the master secret's ARN there
    sessions_table_name: Id | None = None
    sessions_table_arn: Id | None = None
    sessions_replica_regions: list[str] | None = None  # primary: the global table's replica regions
    images_replicated_to: Id | None = None  # primary: the bucket its images replicate to


class DnsOutputs(Outputs):
    """The primary's public zone and the certificates it requests and validates there."""

    hosted_zone_id: Id
    name_servers: pulumi.Output[Sequence[str]]
    # region -> the load balancers' certificate there (issued); both None until the domain is delegated
    certificate_arns: dict[str, Id] | None = None
    cloudfront_certificate_arn: Id | None = None


class EdgeOutputs(Outputs):
    """The primary's global front door, and the failover figures it was validated against."""

    distribution_arn: Id
    distribution_domain_name: Id
    domain: str
    storefront_name: str
    api_name: str
    checkout_name: str
    partners_name: str
    health_check_path: str
    health_check_ids: dict[str, Id]  # region -> its Route 53 health check
    accelerator_arn: Id
    accelerator_dns_name: Id
    failover: dict[str, int]  # dnsDetectSeconds, dnsSwitchSeconds, acceleratorDetectSeconds, …


class PartnersOutputs(Outputs):
    partners_api_id: Id
    partners_stage_arn: Id
    partners_domain_target: Id  # the custom domain's regional name (the primary's latency record aliases it)
    partners_domain_zone_id: Id


class PrivateLinkOutputs(Outputs):
    payment_endpoint_service_name: Id
    # the private DNS name's verification record (name, value) the zone's owner must write; None without a name
    payment_service_dns_verification: pulumi.Output[dict[str, str]] | None = None
    processor_endpoint_id: Id | None = None
    verified_dns_names: list[str] | None = None  # primary: the verification records it wrote (both regions')


class ShieldOutputs(Outputs):
    shield_protection_ids: dict[str, Id]  # logical name -> Shield Advanced protection


def export(*parts: Outputs | None) -> dict[str, Any]:
    """The stack outputs: the union of the tiers' (a tier the stack does not build passes ``None``)."""
    outputs: dict[str, Any] = {}
    for part in parts:
        if part is not None:
            outputs.update(part.dump())
    return outputs


# --- what a stack reads of its peer ---------------------------------------------------------------------------


def read_by(*roles: Role) -> Any:
    """A peer view's field: read (only) by a stack of one of ``roles``; ``None`` until the peer exports it."""
    return Field(default=None, json_schema_extra={"readBy": [str(r) for r in roles]})


class PeerView(BaseModel):
    """Plain values of the peer's outputs, as a ``StackReference`` gives them at program start."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True, extra="ignore")
    registry: ClassVar[list[type["PeerView"]]] = []

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        PeerView.registry.append(cls)

    @classmethod
    def reads(cls, role: Role) -> list[str]:
        """The outputs a stack of ``role`` reads through this view."""
        found = []
        for name, info in cls.model_fields.items():
            extra = info.json_schema_extra
            roles = extra.get("readBy", []) if isinstance(extra, dict) else []
            if isinstance(roles, list) and str(role) in roles:
                found.append(to_camel(name))
        return found

    @classmethod
    def of(cls, peer: dict[str, Any], role: Role, peer_stack: str = "the peer stack") -> Any:
        """This view of the peer's outputs, for a stack of ``role`` (what it does not read stays ``None``). An
        output of an unexpected shape (an older or foreign program exported it) is a ConfigError naming it."""
        try:
            return cls.model_validate({k: peer[k] for k in cls.reads(role) if peer.get(k) is not None})
        except ValidationError as exc:
            # The value is not repeated: a peer output may be secret.
            raise ConfigError([f"{peer_stack}'s output {_where(e['loc'])}: {e['msg'].lower()}: deploy {peer_stack} "
                               f"from this program first" for e in exc.errors()]) from None


def _where(loc: tuple[int | str, ...]) -> str:
    """``('routedNetworks', 1)`` → ``routedNetworks[1]``."""
    return "".join(f"[{part}]" if isinstance(part, int) else (f".{part}" if i else str(part))
                   for i, part in enumerate(loc))


P, S = Role.PRIMARY, Role.SECONDARY


class PeerRegion(PeerView):
    """Both roles: what the cross-region rules check at deploy time (``settings.cross_region``)."""

    vpc_cidr: ipaddress.IPv4Network | None = read_by(P, S)
    transit_gateway_asn: int | None = read_by(P, S)  # numbers cross stack references as floats: validated to int
    routed_networks: list[ipaddress.IPv4Network] | None = read_by(P, S)


class PeerConnectivity(PeerView):
    """The Transit Gateway peering (the primary requests it, the secondary accepts it) and Direct Connect (the
    primary owns the gateway, the secondary associates with it)."""

    region: str | None = read_by(P)
    transit_gateway_id: str | None = read_by(P)
    vpc_cidr: str | None = read_by(P, S)
    tgw_peering_attachment_id: str | None = read_by(S)
    dx_gateway_id: str | None = read_by(S)
    dx_prefixes: list[str] | None = read_by(S)


class PeerData(PeerView):
    """The replica of the writer and of its secret, the sessions global table, the images bucket's replication."""

    database_arn: str | None = read_by(S)  # the primary's writer (for the secondary's replica)
    database_key_arn: str | None = read_by(P)  # the secondary's database key (the secret's replica uses it)
    # region -> the master secret's ARN there (the primary's and its replicas: the replica shares its credentials)
    database_secret_arns: dict[str, str] | None = read_by(S)
    images_bucket_arn: str | None = read_by(P)  # the secondary's bucket (for the primary's replication)
    images_key_arn: str | None = read_by(P)  # the key that bucket's objects are encrypted with
    sessions_table_name: str | None = read_by(S)  # the primary's global table (for the secondary's exports)
    sessions_replica_regions: list[str] | None = read_by(S)


class PeerEdge(PeerView):
    """The edge: the primary reaches the secondary's load balancers and images bucket; the secondary serves the
    certificate the primary validated for it, lets the primary's distribution read its images, and admits what
    CloudFront sends and the health checkers request."""

    region: str | None = read_by(P)
    alb_dns_name: str | None = read_by(P)
    alb_zone_id: str | None = read_by(P)
    accelerator_alb_arn: str | None = read_by(P)
    images_bucket_regional_domain_name: str | None = read_by(P)
    certificate_arns: dict[str, str] | None = read_by(S)
    distribution_arn: str | None = read_by(S)
    health_check_path: str | None = read_by(S)
    origin_verify_header: str | None = read_by(S)
    origin_verify_values: list[str] | None = read_by(S)  # secret
    domain: str | None = read_by(S)  # the shop's domain (internal names, the partners' name)
    partners_name: str | None = read_by(S)
    partners_domain_target: str | None = read_by(P)  # the secondary's API custom domain
    partners_domain_zone_id: str | None = read_by(P)
    payment_service_dns_verification: dict[str, str] | None = read_by(P)  # the zone's owner writes it
    verified_dns_names: list[str] | None = read_by(S)  # the verification records the primary has written


class PeerCapacity(PeerView):
    """The peer's declared peaks per service: what this region must also carry should the peer's be lost."""

    peak_requests_per_second: dict[str, float] | None = read_by(P, S)


class PeerShield(PeerView):
    """Health-based detection: the secondary's ALB protection uses the health check the primary keeps of it."""

    health_check_ids: dict[str, str] | None = read_by(S)


def peer_keys(role: Role) -> tuple[str, ...]:
    """Every output a stack of ``role`` reads of its peer."""
    keys: list[str] = []
    for view in PeerView.registry:
        keys += [k for k in view.reads(role) if k not in keys]
    return tuple(keys)


V = TypeVar("V", bound=PeerView)


@dataclass(frozen=True)
class Peer:
    """What a stack read of its peer: the outputs its role reads (``peer_keys``), as plain values."""

    stack: str | None
    role: Role
    values: dict[str, Any]

    def view(self, cls: type[V]) -> V:
        """One concern's view of the peer's outputs (what this role does not read stays ``None``)."""
        return cast(V, cls.of(self.values, self.role, self.stack or "the peer stack"))


async def read_peer(peer_stack: str | None, role: Role) -> Peer:
    """The peer stack's outputs that a stack of ``role`` reads; nothing when there is no peer."""
    if peer_stack is None:
        return Peer(None, role, {})
    ref = pulumi.StackReference(f"{pulumi.get_organization()}/{pulumi.get_project()}/{peer_stack}")
    values: dict[str, Any] = {}
    for key in peer_keys(role):
        details = await ref.get_output_details(key)
        values[key] = details.value if details.value is not None else details.secret_value
    return Peer(peer_stack, role, values)


def _check_views() -> None:
    """Every output a view reads is declared as an output (names once)."""
    declared = {to_camel(name) for model in Outputs.registry for name in model.model_fields}
    for view in PeerView.registry:
        unknown = sorted({to_camel(n) for n in view.model_fields} - declared)
        if unknown:
            raise TypeError(f"{view.__name__} reads {', '.join(unknown)}, which no stack exports: declare it in "
                            f"an Outputs model of components/contract.py")


_check_views()
