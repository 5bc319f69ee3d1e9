"""The monthly cost ESTIMATE of the synthesized stacks (``securecart synth --cost``).

On-demand unit prices per region come from one small, dated, cited table (``automation/data/prices.json``: each
entry says where it was read and whether it was confirmed on the AWS page, read in a page quoting it, or is an
unverified estimate). The usage the resources cannot tell (data through NAT, WAF requests, LCUs, hours at the
scaling maximum) comes from the stack's ``securecart:costs`` (``components/settings/costs.py``). This module
multiplies the two over the resources the offline synth recorded, per stack and per tier (the top-level
``securecart:*:*`` component a resource belongs to, found by walking its ``parent`` URNs).

What is counted, and how:

- NAT gateways: hours, and the stack's NAT data spread evenly over them; their Elastic IPs as public IPv4.
- Public IPv4: every Elastic IP, one address per AZ of each internet-facing ALB or NLB without Elastic IPs, two per
  Global Accelerator.
- Interface endpoints: hours per AZ (one per subnet), and the stack's endpoint data; gateway endpoints are free;
  Gateway Load Balancer endpoints: hours per AZ and the inspected data.
- Transit Gateway: an attachment-hour for each VPC attachment, each side of a peering (the accepter's side in its
  own region), each VPN and Direct Connect gateway attached to it; the stack's data processed, per gateway.
- Load balancers: hours and the assumed average capacity units (LCU, NLCU, GLCU).
- Global Accelerator: the fixed fee and DT-Premium on the dominant direction.
- Shield Advanced: the subscription once (per organization: in the first stack that subscribes, the primary); a
  web ACL protecting a resource Shield Advanced protects has its WAF fees waived (the subscription covers them).
- WAF: each web ACL, each rule in it (a managed rule group counts as one), and the requests it inspects.
- CloudFront: data out and HTTPS requests. RDS: instance hours by engine and class (Multi-AZ doubles, a replica
  is an instance of its own) and gp3 storage (doubled with Multi-AZ). DynamoDB on-demand: reads, writes, storage,
  and each replica's replicated writes and storage in the replica's region. S3: Standard storage and requests per
  bucket, replication as inter-region transfer.
- Fargate: each service's task size (vCPU, GB) x minTasks for the month less the peak hours, and x maxTasks for
  the peak hours. The appliance fleet: its auto scaling group's desired capacity x the launch template's type.

Anything with a charge of its own that the table does not price is listed as not priced, with its count and why;
resources that carry no charge of their own (routes, security groups, IAM, listeners...) are counted as such.
Nothing is silently left out.
"""

import datetime
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from automation.mocks import Registration
from automation.synth import StackResult, SynthRun
from components.settings.costs import CostSettings
from components.settings.stack import StackSettings
from components.settings.types import Model, Role

PRICES_PATH = Path(__file__).resolve().parent / "data" / "prices.json"
GLOBAL = "global"  # the region key of a price that is the same everywhere (CloudFront, WAF, Shield, accelerator)
LABEL = "ESTIMATE: on-demand list prices x assumed usage, before free tiers, discounts, data transfer out and taxes"


class Price(Model):
    """One unit price: per region (or ``global``), with its source and how far it was verified."""

    unit: str = Field(description="Required. What one unit is, as AWS bills it (GB processed, LCU-hour...).")
    description: str = Field(description="Required. The line's label in the estimate.")
    regions: dict[str, float] = Field(
        description="Required. Price per unit in USD, per region or under 'global'; a region missing here is not "
                    "priced there.")
    source: str = Field(pattern=r"^https?://", description="Required. The AWS pricing page the price belongs to.")
    read_from: str = Field(alias="readFrom", description="Required. Where the figure was actually read, or none.")
    read: datetime.date = Field(description="Required. The date the figure was read.")
    status: Literal["confirmed", "secondary", "unverified"] = Field(
        description="Required. confirmed (on the AWS page), secondary (a page quoting it) or unverified (an "
                    "estimate).")
    note: str = Field(default="", description="Caveats; default none.")


class PriceTable(Model):
    """``automation/data/prices.json``."""

    as_of: datetime.date = Field(alias="asOf", description="Required. The date the table was read.")
    currency: Literal["USD"] = Field(description="Required. USD.")
    hours_per_month: int = Field(alias="hoursPerMonth", ge=672, le=744,
                                 description="Required. Hours in the month the estimate prices (AWS uses 730).")
    hours_per_month_source: str = Field(alias="hoursPerMonthSource", description="Required. Where that is from.")
    note: str = Field(description="Required. What the prices are and what the statuses mean.")
    prices: dict[str, Price] = Field(description="Required. Price key -> price.")

    def rate(self, key: str, region: str) -> float | None:
        """The unit price of ``key`` in ``region`` (or its global price); None where the table has none."""
        price = self.prices.get(key)
        if price is None:
            return None
        return price.regions.get(region, price.regions.get(GLOBAL))


def load_prices(path: Path = PRICES_PATH) -> PriceTable:
    """The price table, validated; a broken table is a clear error naming the file."""
    try:
        return PriceTable.model_validate(json.loads(path.read_text()))
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: not a valid price table: {exc}") from exc


@dataclass(frozen=True)
class CostLine:
    """One priced kind in one tier: quantity x unit price = monthly."""

    tier: str
    key: str  # the price key in prices.json
    region: str  # where it is priced (a region or 'global')
    description: str
    variant: str  # what distinguishes lines of one key ('' , 'at minTasks', 'covered by Shield Advanced'...)
    quantity: float
    unit: str
    unit_price: float
    status: str
    resources: tuple[str, ...]  # the logical names counted, sorted

    @property
    def monthly(self) -> float:
        return self.quantity * self.unit_price

    def to_dict(self) -> dict[str, Any]:
        return {"tier": self.tier, "key": self.key, "region": self.region, "description": self.description,
                "variant": self.variant, "quantity": round(self.quantity, 6), "unit": self.unit,
                "unitPrice": self.unit_price, "monthly": round(self.monthly, 4), "priceStatus": self.status,
                "resources": list(self.resources)}


@dataclass(frozen=True)
class Unpriced:
    """Resources with a charge of their own that the estimate does not price."""

    type: str
    count: int
    reason: str
    resources: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "count": self.count, "reason": self.reason, "resources": list(self.resources)}


@dataclass
class CostEstimate:
    """One stack's monthly estimate."""

    stack: str
    region: str
    role: str
    as_of: datetime.date
    currency: str
    lines: list[CostLine]
    unpriced: list[Unpriced]
    no_charge: dict[str, int]  # type -> count of resources with no charge of their own
    priced: dict[str, int]  # type -> count of resources that produced a line
    notes: list[str] = field(default_factory=list)

    @property
    def tiers(self) -> list[str]:
        return sorted({line.tier for line in self.lines})

    def tier_total(self, tier: str) -> float:
        return sum(line.monthly for line in self.lines if line.tier == tier)

    @property
    def total(self) -> float:
        return sum(line.monthly for line in self.lines)

    def line(self, tier: str, key: str, variant: str = "") -> CostLine:
        """The line of a price key in a tier (KeyError when there is none)."""
        for item in self.lines:
            if item.tier == tier and item.key == key and item.variant == variant:
                return item
        raise KeyError((tier, key, variant))

    def to_dict(self) -> dict[str, Any]:
        return {
            "stack": self.stack, "region": self.region, "role": self.role, "asOf": self.as_of.isoformat(),
            "currency": self.currency, "estimate": True, "label": LABEL,
            "tiers": {t: {"lines": [ln.to_dict() for ln in self.lines if ln.tier == t],
                          "total": round(self.tier_total(t), 2)} for t in self.tiers},
            "total": round(self.total, 2),
            "notPriced": [u.to_dict() for u in self.unpriced],
            "noCharge": dict(sorted(self.no_charge.items())),
            "priced": dict(sorted(self.priced.items())),
            "notes": list(self.notes),
        }


# Types with no charge of their own: configuration of a priced resource, covered by another's fee, or free.
NO_CHARGE = frozenset({
    "aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet", "aws:ec2/routeTable:RouteTable", "aws:ec2/route:Route",
    "aws:ec2/routeTableAssociation:RouteTableAssociation", "aws:ec2/internetGateway:InternetGateway",
    "aws:ec2/securityGroup:SecurityGroup", "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "aws:ec2/networkAcl:NetworkAcl",
    "aws:ec2/networkAclRule:NetworkAclRule", "aws:ec2/networkAclAssociation:NetworkAclAssociation",
    "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl", "aws:ec2/managedPrefixList:ManagedPrefixList",
    "aws:ec2/vpcPeeringConnection:VpcPeeringConnection", "aws:ec2/peeringConnectionOptions:PeeringConnectionOptions",
    "aws:ec2/customerGateway:CustomerGateway", "aws:ec2/launchTemplate:LaunchTemplate",
    "aws:ec2/vpcEndpointService:VpcEndpointService",
    "aws:ec2/vpcEndpointConnectionAccepter:VpcEndpointConnectionAccepter",
    "aws:vpc/endpointServicePrivateDnsVerification:EndpointServicePrivateDnsVerification",
    "aws:ec2transitgateway/routeTable:RouteTable", "aws:ec2transitgateway/route:Route",
    "aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation",
    "aws:ec2transitgateway/routeTablePropagation:RouteTablePropagation",
    "aws:directconnect/gateway:Gateway",
    "aws:iam/role:Role", "aws:iam/policy:Policy", "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "aws:iam/instanceProfile:InstanceProfile",
    "aws:lb/listener:Listener", "aws:lb/listenerRule:ListenerRule", "aws:lb/targetGroup:TargetGroup",
    "aws:lb/targetGroupAttachment:TargetGroupAttachment",
    "aws:ecs/cluster:Cluster", "aws:ecs/taskDefinition:TaskDefinition",  # priced through the services
    "aws:ecr/pullThroughCacheRule:PullThroughCacheRule",
    "aws:appautoscaling/target:Target", "aws:appautoscaling/policy:Policy",
    "aws:appautoscaling/scheduledAction:ScheduledAction", "aws:autoscaling/policy:Policy",
    "aws:acm/certificate:Certificate", "aws:acm/certificateValidation:CertificateValidation",
    "aws:kms/alias:Alias", "aws:rds/subnetGroup:SubnetGroup", "aws:rds/parameterGroup:ParameterGroup",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "aws:s3/bucketLogging:BucketLogging",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "aws:s3/bucketPolicy:BucketPolicy",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:wafv2/webAclAssociation:WebAclAssociation",
    "aws:shield/protection:Protection", "aws:shield/protectionGroup:ProtectionGroup",  # in the subscription
    "aws:shield/protectionHealthCheckAssociation:ProtectionHealthCheckAssociation",
    "aws:shield/applicationLayerAutomaticResponse:ApplicationLayerAutomaticResponse",
    "aws:globalaccelerator/listener:Listener", "aws:globalaccelerator/endpointGroup:EndpointGroup",
    "aws:cloudfront/cachePolicy:CachePolicy", "aws:cloudfront/originAccessControl:OriginAccessControl",
    "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy",
    "aws:sns/topicPolicy:TopicPolicy", "aws:cloudwatch/logResourcePolicy:LogResourcePolicy",
    "random:index/randomPassword:RandomPassword",
})


class _Context:
    """What one stack's estimate accumulates while it walks the resources."""

    def __init__(self, result: StackResult, settings: StackSettings, costs: CostSettings,
                 prices: PriceTable) -> None:
        self.result, self.settings, self.costs, self.prices = result, settings, costs, prices
        self.hours = float(prices.hours_per_month)
        self.by_urn = {r.urn: r for r in result.resources}
        self._lines: dict[tuple[str, str, str, str], tuple[float, set[str]]] = {}
        self.unpriced: dict[tuple[str, str], list[str]] = {}
        self.no_charge: Counter[str] = Counter()
        self.priced: dict[str, set[str]] = {}
        self.notes: list[str] = []

    def tier(self, reg: Registration) -> str:
        """The outermost securecart component above ``reg`` (the tier), or 'stack' for a root resource."""
        tier, urn, seen = "stack", reg.parent, set()
        while urn and urn in self.by_urn and urn not in seen:
            seen.add(urn)
            parent = self.by_urn[urn]
            if parent.type.startswith("securecart:"):
                tier = parent.name
            urn = parent.parent
        return tier

    def region(self, reg: Registration) -> str:
        """Where the resource is billed: its own ``region`` input (v7 cross-region resources) or the stack's."""
        own = reg.inputs.get("region")
        return own if isinstance(own, str) and own else self.result.region

    def add(self, reg: Registration, key: str, quantity: float, *, region: str | None = None,
            variant: str = "") -> bool:
        """Add ``quantity`` of ``key`` for ``reg``; False (and listed as not priced) when the table has no price."""
        where = region or self.region(reg)
        if self.prices.rate(key, where) is None:
            self.not_priced(reg, f"no {key} price for {where} in the price table")
            return False
        price = self.prices.prices[key]
        where = where if where in price.regions else GLOBAL
        slot = (self.tier(reg), key, where, variant)
        qty, names = self._lines.get(slot, (0.0, set()))
        names.add(reg.name)
        self._lines[slot] = (qty + quantity, names)
        self.priced.setdefault(reg.type, set()).add(reg.urn)
        return True

    def not_priced(self, reg: Registration, reason: str) -> None:
        self.unpriced.setdefault((reg.type, reason), []).append(reg.name)

    def lines(self, waived: Iterable[str]) -> list[CostLine]:
        waived_variants = set(waived)
        out = []
        for (tier, key, region, variant), (qty, names) in self._lines.items():
            price = self.prices.prices[key]
            unit_price = 0.0 if variant in waived_variants else price.regions[region]
            description = price.description + (f" ({variant})" if variant else "")
            out.append(CostLine(tier, key, region, description, variant, qty, price.unit, unit_price,
                                price.status, tuple(sorted(names))))
        return sorted(out, key=lambda ln: (ln.tier, ln.key, ln.variant, ln.region))


COVERED = "covered by Shield Advanced"
AT_MIN = "at minTasks"
AT_PEAK = "at maxTasks, peak hours"


def _of(ctx: _Context, typ: str) -> list[Registration]:
    return [r for r in ctx.result.resources if r.type == typ]


def _share(total: float, count: int) -> float:
    return total / count if count else 0.0


def _nat(ctx: _Context, reg: Registration) -> None:
    nats = len(_of(ctx, reg.type))
    ctx.add(reg, "natGateway.hour", ctx.hours)
    ctx.add(reg, "natGateway.gb", _share(ctx.costs.nat_data_gb, nats))


def _eip(ctx: _Context, reg: Registration) -> None:
    ctx.add(reg, "publicIpv4.hour", ctx.hours)


def _load_balancer(ctx: _Context, reg: Registration) -> None:
    kind = str(reg.inputs.get("loadBalancerType") or "application")
    prefix, lcus = {"application": ("alb", ctx.costs.alb_lcus), "network": ("nlb", ctx.costs.nlb_lcus),
                    "gateway": ("gwlb", ctx.costs.gwlb_lcus)}.get(kind, ("", 0.0))
    if not prefix:
        ctx.not_priced(reg, f"load balancer type {kind!r} is not priced")
        return
    ctx.add(reg, f"{prefix}.hour", ctx.hours)
    ctx.add(reg, f"{prefix}.lcuHour", lcus * ctx.hours)
    if kind != "gateway" and not reg.inputs.get("internal", False):
        mappings = reg.inputs.get("subnetMappings") or []
        with_eip = [m for m in mappings if isinstance(m, dict) and m.get("allocationId")]
        zones = len(reg.inputs.get("subnets") or []) or len(mappings)
        addresses = zones - len(with_eip)  # an Elastic IP mapping is counted as the Elastic IP it is
        if addresses > 0:
            ctx.add(reg, "publicIpv4.hour", addresses * ctx.hours)


def _endpoint(ctx: _Context, reg: Registration) -> None:
    kind = str(reg.inputs.get("vpcEndpointType") or "Gateway")
    zones = max(len(reg.inputs.get("subnetIds") or []), 1)
    same = [r for r in _of(ctx, reg.type) if r.inputs.get("vpcEndpointType") == kind]
    if kind == "Interface":
        ctx.add(reg, "interfaceEndpoint.hour", zones * ctx.hours)
        ctx.add(reg, "interfaceEndpoint.gb", _share(ctx.costs.interface_endpoint_data_gb, len(same)))
    elif kind == "GatewayLoadBalancer":
        ctx.add(reg, "gwlbEndpoint.hour", zones * ctx.hours)
        ctx.add(reg, "gwlbEndpoint.gb", _share(ctx.costs.gwlb_endpoint_data_gb, len(same)))
    elif kind == "Gateway":
        ctx.no_charge[reg.type] += 1  # S3 and DynamoDB gateway endpoints carry no charge
    else:
        ctx.not_priced(reg, f"endpoint type {kind!r} is not priced")


def _tgw_attachment(ctx: _Context, reg: Registration) -> None:
    ctx.add(reg, "transitGateway.attachmentHour", ctx.hours)


def _transit_gateway(ctx: _Context, reg: Registration) -> None:
    gateways = len(_of(ctx, reg.type))
    ctx.add(reg, "transitGateway.gb", _share(ctx.costs.transit_gateway_data_gb, gateways))


def _vpn(ctx: _Context, reg: Registration) -> None:
    ctx.add(reg, "vpnConnection.hour", ctx.hours)
    if reg.inputs.get("transitGatewayId"):
        ctx.add(reg, "transitGateway.attachmentHour", ctx.hours)


def _dx_association(ctx: _Context, reg: Registration) -> None:
    if str(reg.inputs.get("associatedGatewayId") or "").startswith("tgw-"):
        ctx.add(reg, "transitGateway.attachmentHour", ctx.hours)
    else:
        ctx.no_charge[reg.type] += 1  # a virtual private gateway association carries no charge of its own


def _accelerator(ctx: _Context, reg: Registration) -> None:
    accelerators = len(_of(ctx, reg.type))
    ctx.add(reg, "globalAccelerator.hour", ctx.hours)
    ctx.add(reg, "globalAccelerator.gb", _share(ctx.costs.accelerator_data_gb, accelerators))
    ctx.add(reg, "publicIpv4.hour", 2 * ctx.hours)  # a standard accelerator's two static IPv4 addresses


def _distribution(ctx: _Context, reg: Registration) -> None:
    count = len(_of(ctx, reg.type))
    ctx.add(reg, "cloudfront.gb", _share(ctx.costs.cloudfront_data_gb, count))
    ctx.add(reg, "cloudfront.tenThousandRequests", _share(ctx.costs.cloudfront_requests_millions * 100, count))


def _database(ctx: _Context, reg: Registration) -> None:
    db = ctx.settings.data.database if ctx.settings.data is not None else None
    engine = str(reg.inputs.get("engine") or (db.engine.value if db is not None else ""))
    klass = str(reg.inputs.get("instanceClass") or "")
    copies = 2 if reg.inputs.get("multiAz") else 1  # Multi-AZ: the primary and its standby
    variant = "Multi-AZ" if copies == 2 else ""
    ctx.add(reg, f"rds.{engine}.{klass}.hour", copies * ctx.hours, variant=variant)
    storage = ctx.costs.rds_storage_gb
    if storage is None:
        allocated = reg.inputs.get("allocatedStorage")
        storage = float(allocated) if isinstance(allocated, (int, float)) else (
            float(db.allocated_storage) if db is not None else 0.0)
    kind = str(reg.inputs.get("storageType") or "gp2")
    ctx.add(reg, f"rds.{kind}.gbMonth", copies * storage, variant=variant)


def _table(ctx: _Context, reg: Registration) -> None:
    if reg.inputs.get("billingMode") != "PAY_PER_REQUEST":
        ctx.not_priced(reg, "provisioned capacity is not priced (only on-demand tables)")
        return
    c = ctx.costs
    ctx.add(reg, "dynamodb.millionReads", c.dynamodb_reads_millions)
    ctx.add(reg, "dynamodb.millionWrites", c.dynamodb_writes_millions)
    ctx.add(reg, "dynamodb.gbMonth", c.dynamodb_storage_gb)
    for replica in reg.inputs.get("replicas") or []:
        where = str(replica.get("regionName") or "") if isinstance(replica, dict) else ""
        if where:
            ctx.add(reg, "dynamodb.millionReplicatedWrites", c.dynamodb_writes_millions, region=where,
                    variant=f"replica {where}")
            ctx.add(reg, "dynamodb.gbMonth", c.dynamodb_storage_gb, region=where, variant=f"replica {where}")


def _bucket(ctx: _Context, reg: Registration) -> None:
    s3 = ctx.costs.s3
    ctx.add(reg, "s3.standardGbMonth", s3.storage_gb.get(reg.name, s3.default_storage_gb))
    if reg.name in s3.put_thousands:
        ctx.add(reg, "s3.thousandPuts", s3.put_thousands[reg.name])
    if reg.name in s3.get_thousands:
        ctx.add(reg, "s3.thousandGets", s3.get_thousands[reg.name])


def _replication(ctx: _Context, reg: Registration) -> None:
    ctx.add(reg, "dataTransfer.interRegionGb", ctx.costs.s3.replicated_gb)


def _service(ctx: _Context, reg: Registration) -> None:
    if reg.inputs.get("launchType") != "FARGATE":
        ctx.not_priced(reg, "an ECS service that is not on Fargate is not priced")
        return
    name = str(reg.inputs.get("name") or "")
    services = {s.name: s for s in ctx.settings.delivery.services} if ctx.settings.delivery is not None else {}
    family = f"securecart-{ctx.settings.environment}-{name}"
    tasks = [t for t in _of(ctx, "aws:ecs/taskDefinition:TaskDefinition") if t.inputs.get("family") == family]
    service = services.get(name)
    if service is None or len(tasks) != 1:
        ctx.not_priced(reg, f"no task definition of family {family} and service {name!r} in securecart:delivery")
        return
    vcpu = float(tasks[0].inputs.get("cpu") or service.cpu) / 1024
    memory_gb = float(tasks[0].inputs.get("memory") or service.memory) / 1024
    peak = ctx.costs.peak_hours
    at_min = service.min_tasks * (ctx.hours - peak)
    at_peak = service.max_tasks * peak
    ctx.add(reg, "fargate.vcpuHour", vcpu * at_min, variant=AT_MIN)
    ctx.add(reg, "fargate.gbHour", memory_gb * at_min, variant=AT_MIN)
    ctx.add(reg, "fargate.vcpuHour", vcpu * at_peak, variant=AT_PEAK)
    ctx.add(reg, "fargate.gbHour", memory_gb * at_peak, variant=AT_PEAK)


def _instance_type(ctx: _Context, template_id: str) -> str:
    for lt in _of(ctx, "aws:ec2/launchTemplate:LaunchTemplate"):
        if lt.id == template_id:
            return str(lt.inputs.get("instanceType") or "")
    return ""


def _autoscaling_group(ctx: _Context, reg: Registration) -> None:
    template = reg.inputs.get("launchTemplate") or {}
    itype = _instance_type(ctx, str(template.get("id") or "")) if isinstance(template, dict) else ""
    count = reg.inputs.get("desiredCapacity", reg.inputs.get("minSize", 0))
    if not itype:
        ctx.not_priced(reg, "its launch template's instance type is not known offline")
        return
    ctx.add(reg, f"ec2.{itype}.hour", float(count or 0) * ctx.hours)


def _ec2_instance(ctx: _Context, reg: Registration) -> None:
    ctx.add(reg, f"ec2.{reg.inputs.get('instanceType')}.hour", ctx.hours)


def _shield(ctx: _Context, reg: Registration) -> None:
    ctx.add(reg, "shieldAdvanced.month", 1.0)


_HANDLERS = {
    "aws:ec2/natGateway:NatGateway": _nat,
    "aws:ec2/eip:Eip": _eip,
    "aws:lb/loadBalancer:LoadBalancer": _load_balancer,
    "aws:ec2/vpcEndpoint:VpcEndpoint": _endpoint,
    "aws:ec2transitgateway/transitGateway:TransitGateway": _transit_gateway,  # the data it processes
    "aws:ec2transitgateway/vpcAttachment:VpcAttachment": _tgw_attachment,
    "aws:ec2transitgateway/peeringAttachment:PeeringAttachment": _tgw_attachment,
    "aws:ec2transitgateway/peeringAttachmentAccepter:PeeringAttachmentAccepter": _tgw_attachment,
    "aws:ec2/vpnConnection:VpnConnection": _vpn,
    "aws:directconnect/gatewayAssociation:GatewayAssociation": _dx_association,
    "aws:globalaccelerator/accelerator:Accelerator": _accelerator,
    "aws:cloudfront/distribution:Distribution": _distribution,
    "aws:rds/instance:Instance": _database,
    "aws:dynamodb/table:Table": _table,
    "aws:s3/bucket:Bucket": _bucket,
    "aws:s3/bucketV2:BucketV2": _bucket,
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig": _replication,
    "aws:ecs/service:Service": _service,
    "aws:autoscaling/group:Group": _autoscaling_group,
    "aws:ec2/instance:Instance": _ec2_instance,
}


def _web_acls(ctx: _Context, shield_subscribed: bool) -> None:
    """Each web ACL, its rules and its share of the requests; waived where it guards a protected resource."""
    acls = _of(ctx, "aws:wafv2/webAcl:WebAcl")
    protected = {str(p.inputs.get("resourceArn")) for p in _of(ctx, "aws:shield/protection:Protection")}
    guards: dict[str, set[str]] = {}
    for assoc in _of(ctx, "aws:wafv2/webAclAssociation:WebAclAssociation"):
        guards.setdefault(str(assoc.inputs.get("webAclArn")), set()).add(str(assoc.inputs.get("resourceArn")))
    for dist in _of(ctx, "aws:cloudfront/distribution:Distribution"):
        if dist.inputs.get("webAclId"):
            guards.setdefault(str(dist.inputs["webAclId"]), set()).add(str(dist.outputs.get("arn")))
    for acl in acls:
        arn = str(acl.outputs.get("arn") or "")
        covered = shield_subscribed and bool(guards.get(arn, set()) & protected)
        variant = COVERED if covered else ""
        ctx.add(acl, "waf.webAclMonth", 1.0, variant=variant)
        ctx.add(acl, "waf.ruleMonth", float(len(acl.inputs.get("rules") or [])), variant=variant)
        ctx.add(acl, "waf.millionRequests", _share(ctx.costs.waf_requests_millions, len(acls)), variant=variant)


def _partial_charges(result: StackResult) -> list[str]:
    """Charges of resources that are priced, but not in full: said, not dropped silently."""
    notes = []
    if any(r.type.startswith("aws:s3/bucketReplicationConfig") for r in result.resources):
        notes.append("not included: S3 Replication Time Control's own per-GB fee on the replicated data")
    if any(r.type == "aws:dynamodb/table:Table" and (r.inputs.get("pointInTimeRecovery") or {}).get("enabled")
           for r in result.resources):
        notes.append("not included: DynamoDB point-in-time recovery storage (per GB-month, per replica)")
    acls = [r for r in result.resources if r.type == "aws:wafv2/webAcl:WebAcl"]
    if len(acls) > 1:
        notes.append(f"WAF requests are split evenly over the stack's {len(acls)} web ACLs")
    return notes


def estimate(result: StackResult, settings: StackSettings, costs: CostSettings, prices: PriceTable, *,
             shield_subscribed: bool | None = None, shield_counted_in: str | None = None) -> CostEstimate:
    """The monthly estimate of one synthesized stack.

    ``shield_subscribed``: whether the account has Shield Advanced (default: this stack subscribes), which waives
    the WAF fees of web ACLs guarding protected resources. ``shield_counted_in``: the stack whose estimate already
    carries the subscription (it is one fee per organization), so this one does not count it again."""
    ctx = _Context(result, settings, costs, prices)
    subscriptions = _of(ctx, "aws:shield/subscription:Subscription")
    subscribed = bool(subscriptions) if shield_subscribed is None else shield_subscribed
    for reg in sorted(result.resources, key=lambda r: r.urn):
        if reg.type.startswith(("pulumi:", "securecart:")) or reg.type == "aws:wafv2/webAcl:WebAcl":
            continue
        if reg.type == "aws:shield/subscription:Subscription":
            if shield_counted_in is None:
                _shield(ctx, reg)
            else:
                ctx.no_charge[reg.type] += 1
                ctx.notes.append(f"Shield Advanced is one fee per organization: counted in {shield_counted_in}")
            continue
        handler = _HANDLERS.get(reg.type)
        if handler is not None:
            handler(ctx, reg)
        elif reg.type in NO_CHARGE:
            ctx.no_charge[reg.type] += 1
        elif not reg.custom:
            ctx.not_priced(reg, "a remote component: its resources are not visible offline")
        else:
            ctx.not_priced(reg, "not in the price table")
    _web_acls(ctx, subscribed)
    buckets = {r.name for r in result.resources if r.type in ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")}
    for key, named in (("storageGb", costs.s3.storage_gb), ("putThousands", costs.s3.put_thousands),
                       ("getThousands", costs.s3.get_thousands)):
        ctx.notes.extend(f"securecart:costs.s3.{key}: no bucket named {name!r} in this stack (buckets: "
                         f"{', '.join(sorted(buckets)) or 'none'}): its figure is unused"
                         for name in sorted(set(named) - buckets))
    if subscribed and not subscriptions and shield_counted_in is not None:
        ctx.notes.append(f"WAF fees of web ACLs guarding Shield Advanced protected resources are waived "
                         f"(the subscription is counted in {shield_counted_in})")
    unpriced = [Unpriced(typ, len(names), reason, tuple(sorted(names)))
                for (typ, reason), names in sorted(ctx.unpriced.items())]
    unverified = sorted({k for k, p in prices.prices.items() if p.status == "unverified"}
                        & {ln.key for ln in ctx.lines(())})
    if unverified:
        ctx.notes.append("unverified prices (estimates, marked *): " + ", ".join(unverified))
    ctx.notes.extend(_partial_charges(result))
    return CostEstimate(stack=result.stack, region=result.region, role=result.role, as_of=prices.as_of,
                        currency=prices.currency, lines=ctx.lines([COVERED]), unpriced=unpriced,
                        no_charge=dict(ctx.no_charge),
                        priced={t: len(urns) for t, urns in ctx.priced.items()}, notes=ctx.notes)


def estimate_all(run: SynthRun, settings_by_stack: Mapping[str, StackSettings],
                 costs_by_stack: Mapping[str, CostSettings],
                 prices: PriceTable | None = None) -> dict[str, CostEstimate]:
    """Every synthesized stack's estimate, the primary first; Shield Advanced counted once, in the first stack
    that subscribes, and its WAF waiver applied in every stack of the account."""
    table = prices or load_prices()
    order = sorted(run.results, key=lambda s: (run.results[s].role != Role.PRIMARY.value, s))
    subscriber = next((s for s in order if run.results[s].by_type("aws:shield/subscription:Subscription")), None)
    out = {}
    for stack in order:
        out[stack] = estimate(
            run.results[stack], settings_by_stack[stack], costs_by_stack.get(stack) or CostSettings(), table,
            shield_subscribed=subscriber is not None,
            shield_counted_in=subscriber if subscriber is not None and subscriber != stack else None)
    return out


def to_dict(estimates: Mapping[str, CostEstimate]) -> dict[str, Any]:
    """The JSON-able form of every stack's estimate (for ``synth --json``'s ``cost`` key)."""
    first = next(iter(estimates.values()), None)
    return {"estimate": True, "label": LABEL, "asOf": first.as_of.isoformat() if first else None,
            "currency": first.currency if first else "USD",
            "stacks": {s: e.to_dict() for s, e in estimates.items()},
            "total": round(sum(e.total for e in estimates.values()), 2)}


def _money(value: float) -> str:
    return f"${value:,.2f}"


def _unit_price(value: float) -> str:
    whole, _, decimals = f"{value:,.6f}".partition(".")
    return f"${whole}.{decimals.rstrip('0').ljust(2, '0')}"


def _quantity(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def render(estimates: Mapping[str, CostEstimate], prices: PriceTable | None = None) -> str:
    """The estimate as text: per stack, per tier, a line per priced kind, the totals, what is not priced."""
    table = prices
    rows: list[str] = []
    for est in estimates.values():
        rows.append(f"Monthly cost ESTIMATE {est.stack} ({est.region}, {est.role}): on-demand prices as of "
                    f"{est.as_of.isoformat()} (automation/data/prices.json) x usage from securecart:costs")
        rows.append(f"  {'tier / item':<58} {'quantity':>14}  {'unit':<34} {'unit price':>11} {'monthly':>12}")
        for tier in est.tiers:
            rows.append(f"  {tier}")
            for ln in (x for x in est.lines if x.tier == tier):
                mark = "*" if ln.status == "unverified" else " "
                where = "" if ln.region in (GLOBAL, est.region) else f" [{ln.region}]"
                rows.append(f"    {(ln.description + where)[:55]:<55}{mark} {_quantity(ln.quantity):>14}  "
                            f"{ln.unit[:34]:<34} {_unit_price(ln.unit_price):>11} {_money(ln.monthly):>12}")
            rows.append(f"    {tier + ' total':<56} {'':>14}  {'':<34} {'':>11} {_money(est.tier_total(tier)):>12}")
        rows.append(f"  {'TOTAL ' + est.stack + ' (ESTIMATE)':<58} {'':>14}  {'':<34} {'':>11} "
                    f"{_money(est.total):>12}")
        by_reason: dict[str, list[str]] = {}
        for item in est.unpriced:
            by_reason.setdefault(item.reason, []).append(f"{item.type} x{item.count}")
        for reason, kinds in by_reason.items():
            rows.append(f"  not priced ({reason}): {', '.join(kinds)}")
        free = sum(est.no_charge.values())
        rows.append(f"  no charge of their own: {free} resource(s) of {len(est.no_charge)} type(s) "
                    f"(routes, security groups, IAM, listeners...; listed in --json)")
        rows.extend(f"  note: {n}" for n in est.notes)
        rows.append("")
    if len(estimates) > 1:
        rows.append(f"TOTAL all stacks (ESTIMATE): {_money(sum(e.total for e in estimates.values()))} per month")
    if table is not None:
        rows.append(f"prices: {table.note}")
    rows.append(LABEL)
    return "\n".join(rows)
