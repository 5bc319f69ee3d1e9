"""One stack's settings: every ``securecart:*`` key plus the stack's region, and the rules between tiers of
one stack file (a tier's placement in the network's subnet groups, its clients among the delivery services).
"""

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated

from pydantic import (
    Field,
    field_validator,
    model_validator,
)

from components.settings.analytics import AnalyticsSettings
from components.settings.capacity import CapacitySettings, capacity_problems
from components.settings.connectivity import PSK, ConnectivitySettings
from components.settings.costs import CostSettings
from components.settings.data import DataSettings
from components.settings.delivery import DeliverySettings, LoadBalancerKind
from components.settings.edge import EdgeSettings
from components.settings.monitoring import MonitoringSettings
from components.settings.network import NatStrategy, NetworkSettings, SubnetType
from components.settings.plans import (
    PRIVATE_RANGES,
    Flow,
    NetworkPlan,
    Purpose,
    acl_problems,
    analytics_flows,
)
from components.settings.protection import PartnersSettings, PrivateLinkSettings, ShieldSettings, WafSettings
from components.settings.types import REGION_AZ_LETTERS, KnownRegion, Model, Role


@dataclass(frozen=True)
class Placement:
    """Which subnet group holds what: each placement setting as named, or the only group of its type (None where
    the stack builds no such thing)."""

    nat: str | None  # network.natSubnetGroup
    interface_endpoints: str | None  # network.interfaceEndpointSubnetGroup
    load_balancers: str | None  # delivery.loadBalancerSubnetGroup: the ALB
    tasks: str | None  # delivery.taskSubnetGroup: the services' tasks and the payment NLB
    gwlb_endpoints: str | None  # delivery.endpointSubnetGroup
    appliances: str | None  # delivery.applianceSubnetGroup: the Gateway Load Balancer and its appliances
    tgw_attachments: str | None  # connectivity.transitGateway.attachmentSubnetGroup


_TAG_KEY = re.compile(r"^[\w .:/=+\-@]{1,128}$")


class StackSettings(Model):
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
    edge: EdgeSettings | None = Field(
        default=None,
        description="The edge, primary stack only: the public zone and certificates, CloudFront, Route 53's "
                    "latency and geolocation records with health checks, Global Accelerator; default none.")
    waf: WafSettings = Field(
        default_factory=WafSettings,
        description="What every web ACL runs (CloudFront's, the ALBs', the partners' API's); default AWS's common, "
                    "SQL-injection, known-bad-inputs and IP-reputation groups, all blocking, 2000 requests per IP "
                    "per 5 minutes.")
    shield: ShieldSettings = Field(
        default_factory=ShieldSettings,
        description="Shield Advanced: the subscription (primary) and the distribution's automatic response; "
                    "default subscribe, count.")
    partners: PartnersSettings | None = Field(
        default=None,
        description="The partners' API (API Gateway, private integrations to nlb services); default none.")
    private_link: PrivateLinkSettings | None = Field(
        default=None, alias="privateLink",
        description="The payment API as an endpoint service, and the payment processor's endpoint; default none.")
    analytics: AnalyticsSettings | None = Field(
        default=None,
        description="The analytics VPC (primary stack only): isolated subnets, no internet path, peered with the "
                    "application VPC and attached to the Transit Gateway for Direct Connect; default none.")
    monitoring: MonitoringSettings = Field(
        default_factory=MonitoringSettings,
        description="Alarm routing, thresholds, X-Ray sampling and flow-log analysis (components/monitoring.py); "
                    "default no subscriptions and thresholds that fit SecureCart.")
    capacity: CapacitySettings = Field(
        default_factory=CapacitySettings,
        description="The capacity plan: peak requests per second per path, requests per task per service, the "
                    "headroom; default nothing declared (the resilience report shows capacity, nothing is gated).")
    costs: CostSettings = Field(
        default_factory=CostSettings,
        description="Usage assumptions of the monthly cost estimate (synth --cost): data through NAT, Transit "
                    "Gateway, endpoints, CloudFront, WAF requests, LCUs, DynamoDB requests, S3, hours at the "
                    "scaling maximum; default a mid-sized shop (components/settings/costs.py).")
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
    def _tiers_fit(self) -> "StackSettings":
        """Every rule between the tiers of this stack file, all problems at once."""
        problems = [*self._delivery_problems(), *self._edge_problems(), *self._partner_problems(),
                    *self._data_problems(), *self._connectivity_problems(), *self._analytics_problems(),
                    *self._monitoring_problems(), *self._capacity_problems(),
                    *self._resolve()[1]]
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def _capacity_problems(self) -> list[str]:
        return capacity_problems(self.capacity, self.delivery,
                                 self.private_link.service if self.private_link is not None else None)

    def _delivery_problems(self) -> list[str]:
        d = self.delivery
        if d is None:
            return []
        problems = []
        cert_region = d.certificate_arn.split(":")[3] if d.certificate_arn else self.region
        if cert_region != self.region:
            problems.append(f"delivery.certificateArn: the certificate is in {cert_region}; the listeners need one "
                            f"in {self.region}")
        if self.role is Role.SECONDARY and "origin_verify" in d.model_fields_set:
            problems.append("delivery.originVerify: the primary stack generates CloudFront's verification values "
                            "and this stack accepts what it exports: set it in the primary's stack file only")
        groups = {g.name: g for g in self.network.subnet_groups}
        inside = groups.get(self._resolve()[0].appliances or "")
        for ip in d.appliances:
            if inside is not None and ip not in inside.block:
                problems.append(f"delivery.appliances: {ip} is outside the appliance subnet group's {inside.block}")
        return problems

    def _edge_problems(self) -> list[str]:
        """The edge's global resources belong to the primary, in us-east-1 (CloudFront's certificate and web ACL,
        Route 53's health-check metrics); what it routes to must exist."""
        e = self.edge
        if e is None:
            if self.role is Role.PRIMARY and self.delivery is not None and self.delivery.certificate_arn is None:
                return ["delivery.certificateArn: with no securecart:edge to request the load balancers' "
                        "certificate, give one here (or add securecart:edge)"]
            return []
        problems = []
        if self.role is not Role.PRIMARY:
            problems.append("edge: the edge is global and belongs to the primary stack: remove it here (this "
                            "stack reads the certificates and the distribution from the primary's outputs)")
        elif self.region != "us-east-1":
            problems.append(f"edge: CloudFront's certificate and web ACL and Route 53's health-check metrics live "
                            f"in us-east-1; this stack is in {self.region}: move the edge to a us-east-1 stack")
        d = self.delivery
        if d is None:
            problems.append("edge: there is no securecart:delivery for the edge to route to")
        else:
            problems += [p for p in [d.health_path_problem(e.health_check.path, "this stack")] if p]
            if e.accelerator.traffic_dials and not any(s.accelerated for s in d.services):
                problems.append("edge.accelerator.trafficDials: no delivery service is accelerated (set "
                                "accelerated: true on the checkout service)")
        problems += [f"edge.geolocation[{i}].region: {g.region} is not this stack's region or its peer's"
                     for i, g in enumerate(e.geolocation) if self.peer_stack is None and g.region != self.region]
        return problems

    def _partner_problems(self) -> list[str]:
        """Partners and PrivateLink reach nlb services (through the NLB); the processor's client is a service."""
        services = {s.name: s for s in self.delivery.services} if self.delivery is not None else {}
        nlb = sorted(n for n, s in services.items() if s.load_balancer is LoadBalancerKind.NLB)
        problems: list[str] = []

        def nlb_service(key: str, name: str) -> None:
            if name not in nlb:
                problems.append(f"{key}: '{name}' is not an nlb service of securecart:delivery (nlb services: "
                                f"{', '.join(nlb) or 'none'}): partners and PrivateLink reach services through the "
                                f"internal NLB")

        for i, route in enumerate(self.partners.routes if self.partners else []):
            nlb_service(f"partners.routes[{i}].service", route.service)
        if self.private_link is not None:
            nlb_service("privateLink.service", self.private_link.service)
            processor = self.private_link.processor
            if processor is not None and processor.client not in services:
                problems.append(f"privateLink.processor.client: '{processor.client}' is not a service of "
                                f"securecart:delivery (known: {', '.join(sorted(services)) or 'none'})")
        if "subscribe" in self.shield.model_fields_set and self.role is not Role.PRIMARY:
            problems.append("shield.subscribe: the subscription is the account's, and the primary stack owns it: "
                            "remove it here")
        return problems

    def _data_problems(self) -> list[str]:
        d = self.data
        if d is None:
            return []
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
        return problems

    def _connectivity_problems(self) -> list[str]:
        c = self.connectivity
        if c is None:
            if self.vpn_pre_shared_keys is not None:
                return ["vpnPreSharedKeys: there is no securecart:connectivity VPN to use them"]
            return []
        return [*self._asn_problems(c), *self._name_problems(c), *self._routed_problems(c),
                *self._pre_shared_key_problems(c)]

    def _asn_problems(self, c: ConnectivitySettings) -> list[str]:
        """Direct Connect belongs to the primary; BGP needs a different ASN on each side of every session."""
        problems: list[str] = []
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
        for i, g in enumerate(c.vpn.customer_gateways):
            if g.bgp_asn == c.transit_gateway.asn:
                problems.append(f"connectivity.vpn.customerGateways[{i}].bgpAsn: {g.bgp_asn} is the Transit "
                                f"Gateway's ASN: BGP needs a different one on each side")
        return problems

    def _name_problems(self, c: ConnectivitySettings) -> list[str]:
        """Sites and VPC peers are named once each; a peer's route groups exist."""
        problems: list[str] = []
        for key, names in (("vpn.customerGateways", [g.name for g in c.vpn.customer_gateways]),
                           ("vpcPeers", [p.name for p in c.vpc_peers])):
            problems += [f"connectivity.{key}: '{dup}' is listed twice"
                         for dup in sorted({n for n in names if names.count(n) > 1})]
        groups = {g.name for g in self.network.subnet_groups}
        for i, p in enumerate(c.vpc_peers):
            problems += [f"connectivity.vpcPeers[{i}].routeGroups: '{name}' is not a network subnet group"
                         for name in p.route_groups or [] if name not in groups]
        return problems

    def _routed_problems(self, c: ConnectivitySettings) -> list[str]:
        """Every network SecureCart routes to must be distinct: ours, the peered VPCs', the sites'."""
        named: list[tuple[str, ipaddress.IPv4Network]] = [("network.cidr", self.network.cidr)]
        if self.analytics is not None:
            named.append(("analytics.cidr", self.analytics.cidr))
        named += [(f"connectivity.vpcPeers[{i}].cidr", p.cidr) for i, p in enumerate(c.vpc_peers)]
        named += [(f"connectivity.vpn.customerGateways[{i}].prefixes[{j}]", n)
                  for i, g in enumerate(c.vpn.customer_gateways) for j, n in enumerate(g.prefixes)]
        if c.direct_connect is not None:
            named += [(f"connectivity.directConnect.prefixes[{j}]", n) for j, n in enumerate(c.direct_connect.prefixes)]
        return [f"{key_b}: {net_b} overlaps {key_a} ({net_a}): routed networks must be distinct"
                for i, (key_a, net_a) in enumerate(named) for key_b, net_b in named[i + 1:] if net_a.overlaps(net_b)]

    def _analytics_problems(self) -> list[str]:
        """The analytics VPC: the primary's, in the region's AZs, distinct from every routed network, reached by
        services that exist, reading a database that exists, attached where there is a Transit Gateway."""
        a = self.analytics
        if a is None:
            return []
        problems: list[str] = []
        if self.role is not Role.PRIMARY:
            problems.append("analytics: the analytics VPC belongs to the primary stack (the analytics network and its "
                            "Direct Connect gateway are there): remove it here")
        letters = REGION_AZ_LETTERS.get(self.region, "")
        missing = [z for z in a.availability_zones if z not in letters]
        if missing:
            problems.append(f"analytics.availabilityZones: {', '.join(missing)} not in {self.region} (which has "
                            f"{', '.join(letters)})")
        if self.connectivity is None and a.cidr.overlaps(self.network.cidr):  # else _routed_problems says it
            problems.append(f"analytics.cidr: {a.cidr} overlaps network.cidr ({self.network.cidr}): routed networks "
                            f"must be distinct")
        services = [s.name for s in self.delivery.services] if self.delivery is not None else []
        problems += [f"analytics.clients: '{name}' is not a service of securecart:delivery (known: "
                     f"{', '.join(services) or 'none'})" for name in a.clients if name not in services]
        if a.database_reads and self.data is None:
            problems.append("analytics.databaseReads: there is no securecart:data database to read: set it false or "
                            "add the data tier")
        if a.direct_connect:
            if self.connectivity is None:
                problems.append("analytics.directConnect: there is no securecart:connectivity Transit Gateway to "
                                "attach to: set it false (peering only) or add connectivity")
            try:
                a.place("analytics.attachmentSubnetGroup", a.attachment_subnet_group, SubnetType.ATTACHMENT)
            except ValueError as exc:
                problems.append(f"{exc} (directConnect attaches the VPC to the Transit Gateway)")
        elif a.attachment_subnet_group is not None:
            problems.append("analytics.attachmentSubnetGroup: directConnect is false, so nothing attaches there: "
                            "remove it or set directConnect")
        if a.interface_endpoints:
            try:
                a.place("analytics.interfaceEndpointSubnetGroup", a.interface_endpoint_subnet_group,
                        SubnetType.ISOLATED)
            except ValueError as exc:
                problems.append(str(exc))
        if not problems:
            app, mine = self.application_plan, self.analytics_plan
            problems += acl_problems(app, "network") if app is not None else []
            problems += acl_problems(mine, "analytics") if mine is not None else []
        return problems

    def _monitoring_problems(self) -> list[str]:
        """X-Ray's sampling rates name delivery services."""
        if "sampling_rates" not in self.monitoring.xray.model_fields_set:
            return []  # the defaults (checkout, payment) apply to the services that exist
        services = [s.name for s in self.delivery.services] if self.delivery is not None else []
        return [f"monitoring.xray.samplingRates.{name}: not a service of securecart:delivery (known: "
                f"{', '.join(services) or 'none'})" for name in self.monitoring.xray.sampling_rates
                if name not in services]

    @property
    def analytics_dx_prefixes(self) -> list[str]:
        """The Direct Connect prefixes the analytics VPC exchanges with over the Transit Gateway."""
        a, c = self.analytics, self.connectivity
        dx = c.gateway(self.role) if c is not None else None
        return [str(n) for n in dx.prefixes] if a is not None and a.direct_connect and dx is not None else []

    def _flows(self) -> tuple[dict[str, tuple[Flow, ...]], dict[str, tuple[Flow, ...]]]:
        if self.analytics is None:
            return {}, {}
        return analytics_flows(self.network, self._resolve()[0].tasks, self.analytics, self.analytics_dx_prefixes)

    @property
    def application_plan(self) -> NetworkPlan:
        """What the application network builds (``components.network``)."""
        placement = self._resolve()[0]
        return NetworkPlan(
            purpose=Purpose.APPLICATION, prefix="", settings=self.network, nat_group=placement.nat,
            endpoint_group=placement.interface_endpoints, interface_endpoints=tuple(self.interface_endpoints),
            database_port=self.network.database_port, transit_networks=PRIVATE_RANGES, flows=self._flows()[0])

    @property
    def analytics_plan(self) -> NetworkPlan | None:
        """What the analytics VPC builds: no NAT, endpoints in its isolated group, Direct Connect on its
        attachment group."""
        a = self.analytics
        if a is None:
            return None
        endpoints = a.place("analytics.interfaceEndpointSubnetGroup", a.interface_endpoint_subnet_group,
                            SubnetType.ISOLATED).name if a.interface_endpoints else None
        # Extract jobs read the database's credentials from Secrets Manager, with no internet path to it.
        listed = list(a.interface_endpoints)
        reads = ["secretsmanager"] if a.database_reads and listed and "secretsmanager" not in listed else []
        return NetworkPlan(
            purpose=Purpose.ANALYTICS, prefix="analytics-", settings=a, nat_group=None, endpoint_group=endpoints,
            interface_endpoints=(*listed, *reads), database_port=None,
            transit_networks=tuple(self.analytics_dx_prefixes), flows=self._flows()[1])

    @property
    def analytics_attachment_group(self) -> str | None:
        """The analytics VPC's Transit Gateway attachment group (None: it only peers)."""
        a = self.analytics
        if a is None or not a.direct_connect or self.connectivity is None:
            return None
        return a.place("analytics.attachmentSubnetGroup", a.attachment_subnet_group, SubnetType.ATTACHMENT).name

    def _pre_shared_key_problems(self, c: ConnectivitySettings) -> list[str]:
        """Two keys per named site, in the alphabet AWS accepts. Never echo a secret: say what is wrong, not
        what it is."""
        names = {g.name for g in c.vpn.customer_gateways}
        problems: list[str] = []
        for name, tunnel_keys in (self.vpn_pre_shared_keys or {}).items():
            if name not in names:
                problems.append(f"vpnPreSharedKeys.{name}: no customer gateway of that name")
            elif len(tunnel_keys) != 2 or not all(PSK.match(k) for k in tunnel_keys):
                problems.append(f"vpnPreSharedKeys.{name}: give two keys (one per tunnel) of 8-64 letters, digits, "
                                f"periods and underscores, not starting with 0")
        return problems

    def _resolve(self) -> tuple[Placement, list[str]]:
        """The placement, and a problem for each setting that cannot be resolved (left None)."""
        net, d, c = self.network, self.delivery, self.connectivity
        problems: list[str] = []

        def place(key: str, named: str | None, kind: SubnetType, wanted: bool = True,
                  taken: Mapping[str, str] | None = None) -> str | None:
            if not wanted and named is None:
                return None
            try:  # a named group is checked even where nothing is built in it yet: a typo is never silent
                group = net.place(key, named, kind, taken).name
            except ValueError as exc:
                problems.append(str(exc))
                return None
            return group if wanted else None

        nat = place("network.natSubnetGroup", net.nat_subnet_group, SubnetType.PUBLIC,
                    net.nat is not NatStrategy.NONE)
        endpoints = place("network.interfaceEndpointSubnetGroup", net.interface_endpoint_subnet_group,
                          SubnetType.PRIVATE, bool(net.interface_endpoints))
        # Unnamed, the ALB and the GWLB endpoints each take the public group the other does not.
        named_lbs, named_gwlbe = (d.load_balancer_subnet_group, d.endpoint_subnet_group) if d else (None, None)
        lbs = place("delivery.loadBalancerSubnetGroup", named_lbs, SubnetType.PUBLIC, d is not None,
                    taken={named_gwlbe: "the GWLB endpoints (delivery.endpointSubnetGroup)"} if named_gwlbe else None)
        gwlbe = place("delivery.endpointSubnetGroup", named_gwlbe, SubnetType.PUBLIC,
                      d is not None and (lbs is not None or named_gwlbe is not None),
                      taken={lbs: "the load balancers (delivery.loadBalancerSubnetGroup)"} if lbs else None)
        if d is not None and gwlbe is not None and gwlbe == lbs:
            problems.append(f"delivery.endpointSubnetGroup: '{gwlbe}' holds the load balancers, whose traffic the "
                            f"GWLB endpoints inspect: give the endpoints a public group of their own")
        placement = Placement(
            nat=nat,
            interface_endpoints=endpoints,
            load_balancers=lbs,
            tasks=place("delivery.taskSubnetGroup", d.task_subnet_group if d else None, SubnetType.PRIVATE,
                        d is not None),
            gwlb_endpoints=gwlbe,
            appliances=place("delivery.applianceSubnetGroup", d.appliance_subnet_group if d else None,
                             SubnetType.ATTACHMENT, d is not None),
            tgw_attachments=place("connectivity.transitGateway.attachmentSubnetGroup",
                                  c.transit_gateway.attachment_subnet_group if c else None, SubnetType.ATTACHMENT,
                                  c is not None),
        )
        return placement, problems

    @model_validator(mode="after")
    def _placements_resolve(self) -> "StackSettings":
        problems = self._resolve()[1]
        if problems:
            raise ValueError("\n".join(problems))
        return self

    @property
    def placement(self) -> Placement:
        """Which subnet group holds what (validated when the settings were loaded)."""
        return self._resolve()[0]

    @property
    def inspected_groups(self) -> frozenset[str]:
        """Public groups whose inbound traffic goes through the appliances (once there are any: a fleet or IPs)."""
        lbs = self.placement.load_balancers
        return frozenset({lbs}) if self.delivery is not None and self.delivery.inspects and lbs else frozenset()

    def pre_shared_keys(self) -> dict[str, list[str]]:
        """The VPN sites' tunnel keys (secret), by customer gateway; empty where AWS generates them."""
        return dict(self.vpn_pre_shared_keys or {})

    @property
    def session_clients(self) -> list[str]:
        """The services that read and write session items: data.sessions.clients, or the services behind the
        ALB (the customer-facing ones)."""
        if self.data is not None and self.data.sessions.clients is not None:
            return list(self.data.sessions.clients)
        services = self.delivery.services if self.delivery is not None else []
        return [s.name for s in services if s.load_balancer is LoadBalancerKind.ALB]

    @property
    def interface_endpoints(self) -> list[str]:
        """The VPC's interface endpoints: network.interfaceEndpoints, plus monitoring where an appliance fleet
        publishes metrics (its subnets reach AWS only through endpoints)."""
        listed = list(self.network.interface_endpoints)
        fleet = self.delivery.appliance_fleet if self.delivery is not None else None
        return listed + (["monitoring"] if fleet is not None and listed and "monitoring" not in listed else [])

    @property
    def private_egress(self) -> frozenset[str]:
        """Services whose HTTPS egress goes only to AWS's endpoints in the VPC (the payment processor's client:
        its processor is reached through PrivateLink, nothing through the internet)."""
        processor = self.private_link.processor if self.private_link is not None else None
        return frozenset({processor.client}) if processor is not None else frozenset()

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
