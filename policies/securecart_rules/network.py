"""VPC rules: flow logs, default security group, subnet tiers and their routes, AZ spread, NAT per AZ, endpoints,
PrivateLink services and network ACLs."""

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import PolicyResource, ResourceValidationArgs, Severity, StackValidationArgs
from pulumi_policy.proxy import UnknownValueError

from securecart_rules._common import (
    as_list,
    attached,
    is_world,
    num,
    of_type,
    refs,
    tags_of,
    truthy,
)
from securecart_rules._iam import statements
from securecart_rules.registry import ADVISORY, MANDATORY, Report, StackReport, resource_rule, stack_rule
from securecart_rules.types import (
    EC2_DEFAULT_ROUTE_TABLE,
    EC2_DEFAULT_SECURITY_GROUP,
    EC2_EGRESS_ONLY_INTERNET_GATEWAY,
    EC2_FLOW_LOG,
    EC2_INTERNET_GATEWAY,
    EC2_INTERNET_GATEWAY_ATTACHMENT,
    EC2_MAIN_ROUTE_TABLE_ASSOCIATION,
    EC2_NAT_GATEWAY,
    EC2_NETWORK_ACL,
    EC2_NETWORK_ACL_ASSOCIATION,
    EC2_NETWORK_ACL_RULE,
    EC2_ROUTE,
    EC2_ROUTE_TABLE,
    EC2_ROUTE_TABLE_ASSOCIATION,
    EC2_SUBNET,
    EC2_VPC,
    EC2_VPC_ENDPOINT,
    EC2_VPC_ENDPOINT_POLICY,
    EC2_VPC_ENDPOINT_ROUTE_TABLE_ASSOCIATION,
    EC2_VPC_ENDPOINT_SERVICE,
    EC2_VPC_ENDPOINT_SERVICE_ALLOWED_PRINCIPLE,
    EC2_VPC_PEERING_CONNECTION,
    EC2_VPC_PEERING_CONNECTION_ACCEPTER,
    EC2_VPN_GATEWAY,
    RDS_SUBNET_GROUP,
    TGW_TRANSIT_GATEWAY,
)

TIERS = ("public", "private", "isolated")
ROUTE_TARGETS = {  # route property -> kind of target
    "gatewayId": "igw", "natGatewayId": "nat", "transitGatewayId": "tgw", "vpcEndpointId": "vpce",
    "vpcPeeringConnectionId": "pcx", "egressOnlyGatewayId": "eigw", "networkInterfaceId": "eni",
    "localGatewayId": "lgw", "carrierGatewayId": "cgw", "coreNetworkArn": "cloudwan",
}
INTERNET_KINDS = frozenset({"igw", "nat", "eigw"})
TARGET_TYPES = {  # route property -> resource types that may stand behind it
    "gatewayId": (EC2_INTERNET_GATEWAY, EC2_VPN_GATEWAY),
    "natGatewayId": (EC2_NAT_GATEWAY,),
    "transitGatewayId": (TGW_TRANSIT_GATEWAY,),
    "vpcEndpointId": (EC2_VPC_ENDPOINT,),
    "vpcPeeringConnectionId": (EC2_VPC_PEERING_CONNECTION,),
    "egressOnlyGatewayId": (EC2_EGRESS_ONLY_INTERNET_GATEWAY,),
}


# --- a view of the stack's VPC routing, joined through property dependencies ------------------------------------

@dataclass
class RouteView:
    destination: str
    kind: str
    target: PolicyResource | None
    origin: PolicyResource | None = None  # the Route that declares it, or the table that holds it inline


@dataclass
class SubnetView:
    subnet: PolicyResource
    vpc: PolicyResource | None
    tables: list[PolicyResource] = field(default_factory=list)
    routes: list[RouteView] = field(default_factory=list)

    @property
    def zone(self) -> str:
        return str(self.subnet.props.get("availabilityZone") or self.subnet.props.get("availabilityZoneId") or "")

    @property
    def tagged_tier(self) -> str | None:
        tier = tags_of(self.subnet.props).get("Tier")
        return tier.lower() if tier else None

    def routes_to(self, *kinds: str) -> list[RouteView]:
        return [r for r in self.routes if r.kind in kinds]

    @property
    def derived_tier(self) -> str:
        world = [r for r in self.routes if is_world(r.destination)]
        if any(r.kind == "igw" for r in world):
            return "public"
        if any(r.kind == "nat" for r in world):
            return "private"
        if not self.routes_to(*INTERNET_KINDS):
            return "isolated"
        return "private"

    @property
    def tier(self) -> str:
        return self.tagged_tier or self.derived_tier


def _target_kind(prop: str, value: Any, deps: list[PolicyResource]) -> str:
    """What a route's target is: by its ID where known, else by the resource its property depends on."""
    kind = ROUTE_TARGETS[prop]
    if prop != "gatewayId":
        return kind
    text = str(value) if value else ""
    if text == "local":
        return "local"
    if text.startswith(("igw-", "vgw-")):
        return text[:3]
    return "igw" if any(d.resource_type == EC2_INTERNET_GATEWAY for d in deps) else "vgw"


def _known(props: Mapping[str, Any], key: str) -> Any:
    """A value, or None while it is unknown (a route's target ID is unknown in a first preview; the join uses the
    property dependencies instead, so an unknown ID must not stop the routing rules)."""
    try:
        return props.get(key)
    except UnknownValueError:
        return None


def _unknown(props: Mapping[str, Any], key: str) -> bool:
    try:
        props.get(key)
    except UnknownValueError:
        return True
    return False


def _routes_from(props: Mapping[str, Any], deps: Mapping[str, list[PolicyResource]],
                 origin: PolicyResource | None = None) -> list[RouteView]:
    present = set(props)  # iterating keys reads no value, so this works with unknowns
    destination = next((str(v) for k in ("destinationCidrBlock", "cidrBlock", "destinationIpv6CidrBlock",
                                         "ipv6CidrBlock", "destinationPrefixListId")
                        if k in present and (v := _known(props, k))), "")
    found = []
    for prop in ROUTE_TARGETS:
        if prop not in present:
            continue
        value = _known(props, prop)
        prop_deps = deps.get(prop, [])
        if value or prop_deps:
            found.append(RouteView(destination, _target_kind(prop, value, prop_deps),
                                   prop_deps[0] if prop_deps else None, origin))
    return found


def _routes_by_table(resources: list[PolicyResource]) -> dict[str, list[RouteView]]:
    """Every route table's routes, inline and standalone."""
    routes_by_table: dict[str, list[RouteView]] = {}
    for table in of_type(resources, EC2_ROUTE_TABLE, EC2_DEFAULT_ROUTE_TABLE):
        # Inline routes share one dependency list ('routes'); a target whose ID is still unknown is matched to it
        # by type. A wholly unknown route list stays unknown: the rule then cannot tell yet.
        shared = table.property_dependencies.get("routes", [])
        inline_deps = {prop: [d for d in shared if d.resource_type in TARGET_TYPES.get(prop, ())]
                       for prop in ROUTE_TARGETS}
        for inline in as_list(table.props.get("routes")):
            if isinstance(inline, Mapping):
                routes_by_table.setdefault(table.urn, []).extend(_routes_from(inline, inline_deps, table))
    for route in of_type(resources, EC2_ROUTE):
        for table in refs(route, "routeTableId") + refs(route, "defaultRouteTableId"):
            routes_by_table.setdefault(table.urn, []).extend(
                _routes_from(route.props, route.property_dependencies, route))
    return routes_by_table


def _main_tables(resources: list[PolicyResource]) -> dict[str, PolicyResource]:
    """VPC -> its main route table (a DefaultRouteTable, or the table a MainRouteTableAssociation names)."""
    main_table: dict[str, PolicyResource] = {}
    for table in of_type(resources, EC2_DEFAULT_ROUTE_TABLE):
        for vpc in refs(table, "defaultRouteTableId"):
            main_table[vpc.urn] = table
    for assoc in of_type(resources, EC2_MAIN_ROUTE_TABLE_ASSOCIATION):
        tables = refs(assoc, "routeTableId")
        for vpc in refs(assoc, "vpcId"):
            if tables:
                main_table[vpc.urn] = tables[0]
    return main_table


def subnet_views(resources: list[PolicyResource]) -> list[SubnetView]:
    """Every subnet with its VPC, route tables and routes. A subnet with no association uses its VPC's main
    route table."""
    routes_by_table = _routes_by_table(resources)
    main_table = _main_tables(resources)
    tables_by_subnet: dict[str, list[PolicyResource]] = {}
    for assoc in of_type(resources, EC2_ROUTE_TABLE_ASSOCIATION):
        for subnet in refs(assoc, "subnetId"):
            tables_by_subnet.setdefault(subnet.urn, []).extend(refs(assoc, "routeTableId"))
    views = []
    for subnet in of_type(resources, EC2_SUBNET):
        vpcs = refs(subnet, "vpcId")
        owner = vpcs[0] if vpcs else None
        tables = tables_by_subnet.get(subnet.urn) or (
            [main_table[owner.urn]] if owner is not None and owner.urn in main_table else [])
        view = SubnetView(subnet, owner, tables)
        for table in view.tables:
            view.routes.extend(routes_by_table.get(table.urn, []))
        views.append(view)
    return views


def views_by_vpc(views: list[SubnetView]) -> dict[str, list[SubnetView]]:
    grouped: dict[str, list[SubnetView]] = {}
    for v in views:
        if v.vpc is not None:
            grouped.setdefault(v.vpc.urn, []).append(v)
    return grouped


# --- rules --------------------------------------------------------------------------------------------------------

@stack_rule(
    name="vpc-flow-logs-all-traffic",
    description="Every VPC has a flow log of ALL traffic, so suspicious traffic can be reviewed.",
    source="seed: VPC Flow Logs; FSBP EC2.6; cdk-nag AwsSolutions-VPC7",
    level=MANDATORY, severity=Severity.HIGH,
)
def vpc_flow_logs_all_traffic(args: StackValidationArgs, report: StackReport, _: Mapping[str, Any]) -> None:
    covered = {vpc.urn for log in of_type(args.resources, EC2_FLOW_LOG)
               if str(log.props.get("trafficType", "")).upper() == "ALL" for vpc in refs(log, "vpcId")}
    for vpc in of_type(args.resources, EC2_VPC):
        if vpc.urn not in covered:
            report("This VPC has no flow log capturing ALL traffic: add an aws.ec2.FlowLog with vpc_id=<this VPC> "
                   "and traffic_type='ALL'.", vpc.urn)


@resource_rule(
    name="default-security-group-closed",
    description="The default security group of every VPC has no rules.",
    source="FSBP EC2.2; cdk-nag VPCDefaultSecurityGroupClosed",
    types=[EC2_DEFAULT_SECURITY_GROUP], level=MANDATORY, severity=Severity.HIGH,
)
def default_security_group_closed(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    ingress = as_list(args.props.get("ingress"))
    egress = as_list(args.props.get("egress"))
    if ingress or egress:
        report(f"The VPC's default security group keeps {len(ingress)} ingress and {len(egress)} egress rule(s): "
               f"adopt it with ingress=[] and egress=[].")


@resource_rule(
    name="subnet-no-auto-public-ip",
    description="No subnet assigns public IP addresses on launch.",
    source="FSBP EC2.15; cdk-nag VPCSubnetAutoAssignPublicIpDisabled",
    types=[EC2_SUBNET], level=MANDATORY, severity=Severity.HIGH,
)
def subnet_no_auto_public_ip(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    if truthy(args.props.get("mapPublicIpOnLaunch")):
        report("The subnet gives every instance a public IP: set map_public_ip_on_launch=False (load balancers "
               "and NAT gateways get their addresses without it).")


@stack_rule(
    name="subnet-tiers-separated",
    description="Every VPC has separate public, private and isolated subnet tiers (a VPC tagged Purpose=analytics: "
                "isolated ones, and never a public or private tier), and no private or isolated subnet routes to "
                "the internet gateway.",
    source="seed: multi-tier VPC, dedicated analytics VPC; cdk-nag VPCNoUnrestrictedRouteToIGW",
    level=MANDATORY, severity=Severity.HIGH,
)
def subnet_tiers_separated(args: StackValidationArgs, report: StackReport, _: Mapping[str, Any]) -> None:
    resources = list(args.resources)
    views = subnet_views(resources)
    grouped = views_by_vpc(views)
    analytics = {v.urn for v in analytics_vpcs(resources)}
    for vpc in of_type(resources, EC2_VPC):
        mine = grouped.get(vpc.urn, [])
        if vpc.urn in analytics:
            # The analytics VPC has no internet path (analytics-vpc-no-internet-path): isolated workloads only.
            if not any(v.tier == "isolated" for v in mine):
                report("The analytics VPC has no isolated subnet tier for its workloads.", vpc.urn)
            for v in mine:
                if v.tier in ("public", "private"):
                    report(f"Subnet '{v.subnet.name}' of the analytics VPC is a {v.tier} subnet: the analytics VPC "
                           f"has isolated (and attachment) subnets only.", v.subnet.urn)
            continue
        missing = [t for t in TIERS if not any(v.tier == t for v in mine)]
        if missing:
            report(f"The VPC has no {', '.join(missing)} subnet tier: keep public (load balancers), private "
                   f"(applications) and isolated (databases) subnets apart.", vpc.urn)
    for v in views:
        declared = v.tagged_tier
        if declared in ("private", "isolated", "attachment") and v.routes_to("igw"):
            report(f"A {declared} subnet routes to the internet gateway: only public subnets may.", v.subnet.urn)
        if declared in ("isolated", "attachment") and v.routes_to("nat", "eigw"):
            report(f"An {declared} subnet routes to a NAT or egress-only gateway: it must have no route to the "
                   f"internet.", v.subnet.urn)


@stack_rule(
    name="database-subnets-no-internet-route",
    description="Database subnet groups use only subnets with no route to an internet or NAT gateway.",
    source="seed: database subnets isolated",
    level=MANDATORY, severity=Severity.CRITICAL,
)
def database_subnets_no_internet_route(args: StackValidationArgs, report: StackReport, _: Mapping[str, Any]) -> None:
    views = {v.subnet.urn: v for v in subnet_views(list(args.resources))}
    for group in of_type(args.resources, RDS_SUBNET_GROUP):
        for subnet in refs(group, "subnetIds"):
            view = views.get(subnet.urn)
            if view is None:
                continue
            bad = view.routes_to(*INTERNET_KINDS)
            if bad:
                kinds = ", ".join(sorted({r.kind for r in bad}))
                report(f"DB subnet group '{group.name}' uses subnet '{subnet.name}', which routes to the internet "
                       f"({kinds}): databases belong in isolated subnets.", group.urn)


MIN_AZS = {"minAzs": {"type": "integer", "minimum": 2, "default": 2,
                      "description": "Fewest distinct AZs each subnet tier must span."}}


@stack_rule(
    name="subnet-tiers-span-azs",
    description="Every subnet tier of every VPC spans at least two Availability Zones.",
    source="seed: survive the loss of an AZ",
    level=MANDATORY, severity=Severity.HIGH, config=MIN_AZS,
)
def subnet_tiers_span_azs(args: StackValidationArgs, report: StackReport, settings: Mapping[str, Any]) -> None:
    minimum = int(settings["minAzs"])
    grouped = views_by_vpc(subnet_views(list(args.resources)))
    for vpc in of_type(args.resources, EC2_VPC):
        by_tier: dict[str, set[str]] = {}
        for v in grouped.get(vpc.urn, []):
            by_tier.setdefault(v.tier, set()).add(v.zone)
        for tier, zones in sorted(by_tier.items()):
            if len(zones) < minimum:
                report(f"The {tier} tier spans {len(zones)} AZ(s) ({', '.join(sorted(zones))}): spread it over at "
                       f"least {minimum} so an AZ loss leaves it running.", vpc.urn)


@stack_rule(
    name="nat-gateway-per-az",
    description="Private subnets route to a NAT gateway in their own Availability Zone.",
    source="catalogue gap: one NAT gateway per AZ",
    level=MANDATORY, severity=Severity.MEDIUM,
)
def nat_gateway_per_az(args: StackValidationArgs, report: StackReport, _: Mapping[str, Any]) -> None:
    views = subnet_views(list(args.resources))
    zone_of = {v.subnet.urn: v.zone for v in views}
    for v in views:
        for route in v.routes_to("nat"):
            if route.target is None:
                continue
            nat_zones = {zone_of.get(s.urn) for s in refs(route.target, "subnetId")}
            if nat_zones and v.zone not in nat_zones:
                report(f"Subnet '{v.subnet.name}' in {v.zone} sends its egress through NAT gateway "
                       f"'{route.target.name}' in {', '.join(sorted(z or '?' for z in nat_zones))}: use a NAT "
                       f"gateway in its own AZ so an AZ loss does not cut its egress.", v.subnet.urn)


@stack_rule(
    name="gateway-endpoints-on-private-route-tables",
    description="S3 and DynamoDB gateway endpoints are attached to every private and isolated route table.",
    source="catalogue gap; FSBP EC2.10 (endpoints for AWS services)",
    level=ADVISORY, severity=Severity.MEDIUM,
)
def gateway_endpoints_on_private_route_tables(args: StackValidationArgs, report: StackReport,
                                              _: Mapping[str, Any]) -> None:
    grouped = views_by_vpc(subnet_views(list(args.resources)))
    associations = attached(args.resources, [EC2_VPC_ENDPOINT_ROUTE_TABLE_ASSOCIATION], "vpcEndpointId")
    covered_by: dict[str, set[str]] = {"s3": set(), "dynamodb": set()}  # service -> route table URNs
    for ep in of_type(args.resources, EC2_VPC_ENDPOINT):
        service = str(ep.props.get("serviceName", "")).rsplit(".", 1)[-1]
        if service in covered_by and str(ep.props.get("vpcEndpointType") or "Gateway") == "Gateway":
            covered_by[service] |= {t.urn for t in refs(ep, "routeTableIds")}
            covered_by[service] |= {t.urn for a in associations.get(ep.urn, []) for t in refs(a, "routeTableId")}
    for vpc in of_type(args.resources, EC2_VPC):
        tables = {t.urn: t for v in grouped.get(vpc.urn, []) if v.tier in ("private", "isolated") for t in v.tables}
        if not tables:
            continue
        for service, covered in covered_by.items():
            missing = sorted(tables[u].name for u in tables if u not in covered)
            if missing:
                report(f"Route tables {', '.join(missing)} have no {service} gateway endpoint: attach one so "
                       f"{service} traffic stays on the AWS network.", vpc.urn)


def _endpoint_policy_problems(raw: Any) -> list[str]:
    stmts = statements(raw)
    if stmts is None:
        return ["The endpoint policy is not a policy document (no Statement)."]
    problems = []
    for s in stmts:
        if s.grants_all_actions() and (not s.has_principal or s.public_principal):
            problems.append("The endpoint policy allows every action: list the actions the workloads need.")
        elif s.allows and s.public_principal and not s.narrowed and s.on_all_resources():
            problems.append("The endpoint policy lets any principal reach any resource: narrow it with a condition "
                            "such as aws:PrincipalAccount or aws:ResourceAccount.")
    return problems


@resource_rule(
    name="vpc-endpoint-policy-restrictive",
    description="Every VPC endpoint policy (inline or a VpcEndpointPolicy) is restrictive, never full access.",
    source="seed: VPC endpoints restricted by IAM policies; catalogue gap",
    types=[EC2_VPC_ENDPOINT, EC2_VPC_ENDPOINT_POLICY], level=MANDATORY, severity=Severity.HIGH,
)
def vpc_endpoint_policy_restrictive(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    if args.resource_type == EC2_VPC_ENDPOINT and \
            str(args.props.get("vpcEndpointType") or "Gateway") not in ("Gateway", "Interface"):
        return  # GatewayLoadBalancer and Resource endpoints take no policy
    raw = args.props.get("policy")
    if raw:  # a missing policy is vpc-endpoint-has-policy's to report (it may come from a VpcEndpointPolicy)
        for problem in _endpoint_policy_problems(raw):
            report(problem)


# An endpoint service's name (another account's, a partner's, or one of this stack's): not an AWS service's.
ENDPOINT_SERVICE_NAME = re.compile(r"com\.amazonaws\.vpce\.[a-z0-9-]+\.vpce-svc-[0-9a-f]+")


def _to_endpoint_service(ep: PolicyResource) -> bool:
    """An interface endpoint to a PrivateLink endpoint service rather than an AWS service: AWS gives such an
    endpoint full access whatever its policy; the provider's allowed principals and acceptance, and the endpoint's
    security group, control it."""
    if any(d.resource_type == EC2_VPC_ENDPOINT_SERVICE for d in refs(ep, "serviceName")):
        return True
    return bool(ENDPOINT_SERVICE_NAME.fullmatch(str(_known(ep.props, "serviceName") or "")))


@stack_rule(
    name="vpc-endpoint-has-policy",
    description="Every gateway and interface VPC endpoint of an AWS service has a policy of its own (inline or a "
                "VpcEndpointPolicy), never the default full access (endpoints of PrivateLink endpoint services take "
                "none: AWS allows them full access).",
    source="seed: VPC endpoints restricted by IAM policies; catalogue gap; AWS PrivateLink endpoint policy "
           "considerations",
    level=MANDATORY, severity=Severity.HIGH,
)
def vpc_endpoint_has_policy(args: StackValidationArgs, report: StackReport, _: Mapping[str, Any]) -> None:
    standalone = attached(args.resources, [EC2_VPC_ENDPOINT_POLICY], "vpcEndpointId")
    for ep in of_type(args.resources, EC2_VPC_ENDPOINT):
        if str(_known(ep.props, "vpcEndpointType") or "Gateway") not in ("Gateway", "Interface") or \
                _to_endpoint_service(ep):
            continue
        inline = _unknown(ep.props, "policy") or bool(_known(ep.props, "policy"))  # unknown: being computed
        if not inline and not standalone.get(ep.urn):
            report("The endpoint has no policy, so it allows full access to the service: give it a policy that "
                   "allows only the actions the workloads need, for this account's principals.", ep.urn)


# An allowed principal is an account's root, a role or a user, by full ARN: never '*', never a wildcard in an ARN.
ENDPOINT_SERVICE_PRINCIPAL = re.compile(r"arn:aws(?:-[a-z]+)*:iam::\d{12}:(?:root|(?:role|user)/[\w+=,.@/-]+)")


def _principal_problem(principal: str) -> str | None:
    if "*" in principal:
        return f"allows '{principal}': anyone (or any account) could connect"
    if not ENDPOINT_SERVICE_PRINCIPAL.fullmatch(principal):
        return (f"allows '{principal}', which is not an account root, role or user ARN "
                f"(arn:aws:iam::<account>:root)")
    return None


@stack_rule(
    name="endpoint-service-restricted",
    description="PrivateLink endpoint services require acceptance of every connection and allow-list their "
                "principals (inline or VpcEndpointServiceAllowedPrinciple): account root, role or user ARNs only, "
                "never '*'.",
    source="seed: PrivateLink for the payment API; catalogue gap (EC2 endpoint service acceptance and "
           "permissions)",
    level=MANDATORY, severity=Severity.HIGH,
)
def endpoint_service_restricted(args: StackValidationArgs, report: StackReport, _: Mapping[str, Any]) -> None:
    resources = list(args.resources)
    standalone_of = attached(resources, [EC2_VPC_ENDPOINT_SERVICE_ALLOWED_PRINCIPLE], "vpcEndpointServiceId")
    for svc in of_type(resources, EC2_VPC_ENDPOINT_SERVICE):
        if not truthy(svc.props.get("acceptanceRequired")):
            report("The endpoint service accepts every connection request: set acceptance_required=True.", svc.urn)
        principals = [str(p) for p in as_list(svc.props.get("allowedPrincipals"))]
        principals += [str(p.props.get("principalArn")) for p in standalone_of.get(svc.urn, [])]
        if not principals:
            report("The endpoint service allow-lists no principal: name the accounts or roles that may connect.",
                   svc.urn)
        for problem in filter(None, map(_principal_problem, principals)):
            report(f"The endpoint service {problem}: name the accounts or roles that may connect.", svc.urn)
    for grant in of_type(resources, EC2_VPC_ENDPOINT_SERVICE_ALLOWED_PRINCIPLE):
        if (why := _principal_problem(str(grant.props.get("principalArn")))) is not None:
            report(f"This grant {why}: name an account root, role or user.", grant.urn)


NACL_ADMIN_PORTS = (22, 3389)  # SSH and RDP: the program's NACLs admit the internet on no port of these
ADMIN_PORTS = {"adminPorts": {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 65535},
                              "default": list(NACL_ADMIN_PORTS), "description": "Ports no NACL may open to the world."}}


@resource_rule(
    name="nacl-no-world-admin-ports",
    description="No network ACL admits the whole internet on SSH or RDP.",
    source="FSBP EC2.21",
    types=[EC2_NETWORK_ACL, EC2_NETWORK_ACL_RULE], level=ADVISORY, severity=Severity.MEDIUM, config=ADMIN_PORTS,
)
def nacl_no_world_admin_ports(args: ResourceValidationArgs, report: Report, settings: Mapping[str, Any]) -> None:
    entries: list[Mapping[str, Any]] = []
    if args.resource_type == EC2_NETWORK_ACL_RULE:
        if not truthy(args.props.get("egress")):
            entries.append({**args.props, "action": args.props.get("ruleAction"),
                            "cidrBlock": args.props.get("cidrBlock") or args.props.get("ipv6CidrBlock")})
    else:
        entries.extend(e for e in as_list(args.props.get("ingress")) if isinstance(e, Mapping))
    for entry in entries:
        if str(entry.get("action", "")).lower() != "allow":
            continue
        cidr = entry.get("cidrBlock") or entry.get("ipv6CidrBlock")
        if not is_world(cidr):
            continue
        proto = str(entry.get("protocol", "")).lower()
        if proto in ("1", "icmp", "58", "icmpv6"):
            continue  # ICMP has types and codes, no ports
        low, high = num(entry.get("fromPort")) or 0.0, num(entry.get("toPort")) or 65535.0
        open_all = proto in ("-1", "all")
        hit = [p for p in settings["adminPorts"] if open_all or low <= p <= high]
        if hit:
            report(f"The network ACL admits {cidr} on administration port(s) {', '.join(map(str, hit))}: admit "
                   f"only known networks.")


@stack_rule(
    name="subnet-has-own-nacl",
    description="Every subnet is associated with its tier's network ACL, not left on the default one.",
    source="CIS AWS Foundations 5.1; FSBP EC2.21",
    level=MANDATORY, severity=Severity.MEDIUM,
)
def subnet_has_own_nacl(args: StackValidationArgs, report: StackReport, _: Mapping[str, Any]) -> None:
    resources = list(args.resources)
    covered = {d.urn for a in of_type(resources, EC2_NETWORK_ACL_ASSOCIATION) for d in refs(a, "subnetId")}
    covered |= {d.urn for acl in of_type(resources, EC2_NETWORK_ACL) for d in refs(acl, "subnetIds")}
    for subnet in of_type(resources, EC2_SUBNET):
        if subnet.urn not in covered:
            report("The subnet has no network ACL of its own, so it sits on the VPC's default ACL (which admits "
                   "everything unless adopted and emptied): associate its tier's ACL.", subnet.urn)


__all__ = ["SubnetView", "analytics_vpcs", "subnet_views"]


def _gwlb_endpoint_zones(resources: list[PolicyResource], zone_of: Mapping[str, str]) -> dict[str, str]:
    """GWLB endpoint URN -> the AZ of its subnet."""
    found = {}
    for ep in of_type(resources, EC2_VPC_ENDPOINT):
        if str(ep.props.get("vpcEndpointType") or "") == "GatewayLoadBalancer":
            zones = sorted({zone_of.get(s.urn, "") for s in refs(ep, "subnetIds")} - {""})
            if zones:
                found[ep.urn] = zones[0]
    return found


@stack_rule(
    name="gwlb-ingress-az-symmetric",
    description="Inspected ingress is AZ-symmetric: the internet gateway's edge route table sends each subnet's "
                "CIDR to the GWLB endpoint of that subnet's AZ, and that subnet's default route returns through the "
                "same endpoint (never one of another AZ, never straight to the internet gateway).",
    source="seed: appliances behind the GWLB; AWS GWLB ingress routing (symmetric, per AZ)",
    level=MANDATORY, severity=Severity.HIGH,
)
def gwlb_ingress_az_symmetric(args: StackValidationArgs, report: StackReport, _: Mapping[str, Any]) -> None:
    resources = list(args.resources)
    views = subnet_views(resources)
    zone_of = {v.subnet.urn: v.zone for v in views}
    endpoint_zone = _gwlb_endpoint_zones(resources, zone_of)
    by_cidr = {(v.vpc.urn if v.vpc else "", str(v.subnet.props.get("cidrBlock") or "")): v for v in views}
    routes_by_table = _routes_by_table(resources)
    edge_tables = {t.urn: t for a in of_type(resources, EC2_ROUTE_TABLE_ASSOCIATION) if refs(a, "gatewayId")
                   for t in refs(a, "routeTableId")}
    inbound: dict[str, str] = {}  # inspected subnet URN -> the endpoint its inbound traffic goes through
    for table in edge_tables.values():
        vpc = next(iter(refs(table, "vpcId")), None)
        for route in routes_by_table.get(table.urn, []):
            if route.kind != "vpce" or route.target is None or route.target.urn not in endpoint_zone:
                continue
            subnet = by_cidr.get((vpc.urn if vpc else "", route.destination))
            if subnet is None:
                continue
            inbound[subnet.subnet.urn] = route.target.urn
            if endpoint_zone[route.target.urn] != subnet.zone:
                report(f"The internet gateway's edge route table sends {route.destination} (subnet "
                       f"'{subnet.subnet.name}' in {subnet.zone}) to GWLB endpoint '{route.target.name}' in "
                       f"{endpoint_zone[route.target.urn]}: use the endpoint in {subnet.zone}, so an AZ loss cuts "
                       f"only its own AZ and replies come back the same way.", table.urn)
    for v in views:
        world = [r for r in v.routes if is_world(r.destination)]
        outbound = [r.target for r in world if r.kind == "vpce" and r.target is not None
                    and r.target.urn in endpoint_zone]
        for target in outbound:
            if endpoint_zone[target.urn] != v.zone:
                report(f"Subnet '{v.subnet.name}' in {v.zone} sends its internet traffic through GWLB endpoint "
                       f"'{target.name}' in {endpoint_zone[target.urn]}: use the endpoint of its own AZ.",
                       v.subnet.urn)
            elif inbound.get(v.subnet.urn) not in (None, target.urn):
                report(f"Subnet '{v.subnet.name}' returns through GWLB endpoint '{target.name}' but the internet "
                       f"gateway sends its traffic to another endpoint: the appliances would see one direction "
                       f"only.", v.subnet.urn)
        if v.subnet.urn in inbound and not outbound:
            report(f"Subnet '{v.subnet.name}' is inspected inbound (the internet gateway's edge table sends its CIDR "
                   f"to a GWLB endpoint) but its default route bypasses the endpoint: send 0.0.0.0/0 through the "
                   f"GWLB endpoint of its AZ, so replies pass the same appliances.", v.subnet.urn)


# --- VPC peering and the analytics VPC ----------------------------------------------------------------------------

def _table_vpcs(resources: list[PolicyResource]) -> dict[str, PolicyResource]:
    """Route table URN -> its VPC (a RouteTable's vpcId, a DefaultRouteTable's VPC)."""
    owner: dict[str, PolicyResource] = {}
    for table in of_type(resources, EC2_ROUTE_TABLE):
        for vpc in refs(table, "vpcId")[:1]:
            owner[table.urn] = vpc
    for table in of_type(resources, EC2_DEFAULT_ROUTE_TABLE):
        for vpc in [v for v in refs(table, "defaultRouteTableId") if v.resource_type == EC2_VPC][:1]:
            owner[table.urn] = vpc
    return owner


def _peered_vpcs(resources: list[PolicyResource]) -> dict[str, dict[str, PolicyResource]]:
    """Peering URN (the connection, or its accepter) -> {a side's VPC URN: the VPC on the other side}, for peerings
    whose both sides are VPCs of this stack."""
    sides: dict[str, dict[str, PolicyResource]] = {}
    for p in of_type(resources, EC2_VPC_PEERING_CONNECTION):
        requester = [v for v in refs(p, "vpcId") if v.resource_type == EC2_VPC][:1]
        accepter = [v for v in refs(p, "peerVpcId") if v.resource_type == EC2_VPC][:1]
        if requester and accepter:
            sides[p.urn] = {requester[0].urn: accepter[0], accepter[0].urn: requester[0]}
    for a in of_type(resources, EC2_VPC_PEERING_CONNECTION_ACCEPTER):
        for p in refs(a, "vpcPeeringConnectionId"):
            if p.urn in sides:
                sides[a.urn] = sides[p.urn]
    return sides


def _vpc_networks(vpc: PolicyResource) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """The VPC's primary IPv4 and IPv6 blocks, where known."""
    found = []
    for key in ("cidrBlock", "ipv6CidrBlock"):
        value = _known(vpc.props, key)
        if value:
            try:
                found.append(ipaddress.ip_network(str(value), strict=False))
            except ValueError:
                continue
    return found


def _outside(destination: str, networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    """Whether a known destination lies outside every known block of its address family (a prefix list, an
    unknown destination or a family with no known block: cannot tell, so no)."""
    try:
        dest = ipaddress.ip_network(destination, strict=False)
    except ValueError:
        return False
    same = [n for n in networks if n.version == dest.version]
    return bool(same) and not any(dest.subnet_of(n) for n in same)  # type: ignore[arg-type]


def _public_peering_routes(views: list[SubnetView]) -> dict[str, tuple[RouteView, list[str]]]:
    """Route (or inline-route table) URN -> a route to a peering in a public subnet's table, and those subnets."""
    found: dict[str, tuple[RouteView, list[str]]] = {}
    for v in views:
        if v.tier != "public":
            continue
        for route in v.routes_to("pcx"):
            urn = route.origin.urn if route.origin is not None else v.subnet.urn
            found.setdefault(urn, (route, []))[1].append(v.subnet.name)
    return found


@stack_rule(
    name="vpc-peering-private-tiers-only",
    description="Only private and isolated subnets route to a VPC peering connection, and a route to a peering of "
                "two VPCs of this stack sends only the peer VPC's own addresses (AWS forwards no edge-to-edge or "
                "transit traffic over a peering).",
    source="seed: application VPC peered with the dedicated analytics VPC; AWS VPC peering limitations (no "
           "transitive peering, no edge-to-edge routing)",
    level=MANDATORY, severity=Severity.HIGH,
)
def vpc_peering_private_tiers_only(args: StackValidationArgs, report: StackReport, _: Mapping[str, Any]) -> None:
    resources = list(args.resources)
    for urn, (route, subnets) in _public_peering_routes(subnet_views(resources)).items():
        peering = f"'{route.target.name}'" if route.target is not None else "a VPC peering connection"
        report(f"The peering routes public subnets: public subnet(s) {', '.join(sorted(subnets))} send "
               f"{route.destination or 'traffic'} to {peering}. Route peered traffic only from the private and "
               f"isolated subnets that need it.", urn)
    vpc_of_table = _table_vpcs(resources)
    other_side = _peered_vpcs(resources)
    for table, routes in _routes_by_table(resources).items():
        vpc = vpc_of_table.get(table)
        for route in routes:
            if vpc is None or route.kind != "pcx" or route.target is None:
                continue
            peer = other_side.get(route.target.urn, {}).get(vpc.urn)
            if peer is not None and _outside(route.destination, _vpc_networks(peer)):
                report(f"The route sends {route.destination} to peering '{route.target.name}', outside the peer "
                       f"VPC's {', '.join(map(str, _vpc_networks(peer)))}: a peering carries only traffic between "
                       f"the two VPCs' own addresses (AWS drops edge-to-edge and transit routing), so route only "
                       f"the peer VPC's blocks to it.", route.origin.urn if route.origin is not None else table)


def _tag(resource: PolicyResource, key: str) -> str:
    """One tag's value, lower-cased ('' when absent or not yet known)."""
    tags = _known(resource.props, "tags")
    return str(tags.get(key) or "").strip().lower() if isinstance(tags, Mapping) else ""


def analytics_vpcs(resources: list[PolicyResource]) -> list[PolicyResource]:
    """The VPCs tagged Purpose=analytics (any case)."""
    return [v for v in of_type(resources, EC2_VPC) if _tag(v, "Purpose") == "analytics"]


def _in(resource: PolicyResource, prop: str, urns: Mapping[str, Any] | set[str]) -> bool:
    return any(d.urn in urns for d in refs(resource, prop))


def _analytics_gateways(resources: list[PolicyResource], vpcs: Mapping[str, PolicyResource],
                        subnets: set[str]) -> list[tuple[str, str]]:
    found = [(g.urn, "An internet gateway (or its attachment) or egress-only internet gateway is attached to the "
                     "analytics VPC") for g in of_type(resources, EC2_INTERNET_GATEWAY, EC2_INTERNET_GATEWAY_ATTACHMENT,
                                                       EC2_EGRESS_ONLY_INTERNET_GATEWAY) if _in(g, "vpcId", vpcs)]
    found += [(nat.urn, "A NAT gateway sits in a subnet of the analytics VPC") for nat in
              of_type(resources, EC2_NAT_GATEWAY) if _in(nat, "subnetId", subnets)]
    found += [(s.urn, "A subnet of the analytics VPC gives every instance a public IP (map_public_ip_on_launch)")
              for s in of_type(resources, EC2_SUBNET) if s.urn in subnets and truthy(_known(s.props,
                                                                                         "mapPublicIpOnLaunch"))]
    return found


def _analytics_routes(resources: list[PolicyResource], vpcs: Mapping[str, PolicyResource],
                      views: list[SubnetView]) -> list[tuple[str, str]]:
    tables = {t for t, vpc in _table_vpcs(resources).items() if vpc.urn in vpcs}
    tables |= {t.urn for v in views for t in v.tables}
    routes_by_table = _routes_by_table(resources)
    found = []
    for table in sorted(tables):
        for route in routes_by_table.get(table, []):
            if is_world(route.destination) or route.kind in INTERNET_KINDS:
                target = f"'{route.target.name}'" if route.target is not None else f"a {route.kind} target"
                found.append((route.origin.urn if route.origin is not None else table,
                              f"A route table of the analytics VPC sends {route.destination or 'traffic'} to "
                              f"{target} (a default route reaches the internet through whatever network it "
                              f"points at)"))
    return found


@stack_rule(
    name="analytics-vpc-no-internet-path",
    description="A VPC tagged Purpose=analytics has no path to the internet: no internet gateway (or attachment), "
                "egress-only internet gateway or NAT gateway, no subnet that assigns public IPs, and no route table "
                "with a default route (whatever its target) or a route to an internet, egress-only or NAT gateway.",
    source="seed: dedicated analytics VPC (no internet path)",
    level=MANDATORY, severity=Severity.HIGH,
)
def analytics_vpc_no_internet_path(args: StackValidationArgs, report: StackReport, _: Mapping[str, Any]) -> None:
    resources = list(args.resources)
    vpcs = {v.urn: v for v in analytics_vpcs(resources)}
    if not vpcs:
        return
    views = [v for v in subnet_views(resources) if v.vpc is not None and v.vpc.urn in vpcs]
    subnets = {v.subnet.urn for v in views}
    for urn, problem in [*_analytics_gateways(resources, vpcs, subnets), *_analytics_routes(resources, vpcs, views)]:
        report(f"{problem}: the analytics VPC must have no internet path. It reaches AWS services through VPC "
               f"endpoints, the application VPC through the peering and on-premises through Direct Connect.", urn)
