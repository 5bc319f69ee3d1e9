"""The network tier: a multi-tier VPC over several AZs with its egress, endpoints, flow logs and guard rails.

Layout (per AZ, for each subnet group in the config):
- public groups: route 0.0.0.0/0 to the internet gateway (the group the appliances inspect routes it through its
  AZ's GWLB endpoint instead: ``components/inspection.py``); the NAT gateways live in ``network.natSubnetGroup``;
- private groups: route 0.0.0.0/0 to the NAT gateway of their own AZ (``nat: perAz``, so losing an AZ never cuts
  the others' egress);
- isolated groups: no route to the internet at all (the connectivity tier adds routes to the Transit Gateway);
- attachment groups: no default route (Transit Gateway attachment and appliance ENIs).

Every subnet and route table is named after its group, type and zone, so adding an AZ or a group adds resources
and never renames or renumbers existing ones; other tiers choose subnets through ``Subnets`` (by group or type,
never by position). Every group has a network ACL of its own (``acl_entries`` says what each tier allows); the VPC's
default ACL and default security group are adopted and left with no rules. Flow logs record ALL traffic, with the
packet-level addresses, TCP flags, direction and path a reviewer needs, to a KMS-encrypted log group kept at least a
year, written by a role that can do nothing else. S3 and DynamoDB gateway endpoints serve every private and isolated
route table; interface endpoints sit in ``network.interfaceEndpointSubnetGroup`` behind a security group admitting
HTTPS from the VPC only. Every endpoint has a policy: only the actions the workloads need, only for principals of
this account. The stack's S3 access-log archive is the terminal bucket the other tiers' log buckets write their own
access logs to.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

import pulumi
import pulumi_aws as aws

from components.buckets import private_bucket
from components.context import StackContext, Tier
from components.contract import NetworkOutputs
from components.documents import policy_document
from components.settings.network import NatStrategy, NetworkSettings, SubnetType
from components.settings.plans import PRIVATE_RANGES, REPLY_PORTS, WORLD, AclEntry, NetworkPlan, acl_entries

__all__ = ["PRIVATE_RANGES", "REPLY_PORTS", "WORLD", "AclEntry", "NetworkTier", "NetworkTierArgs", "Subnets",
           "acl_entries"]

# Flow-log record format: the default fields plus the ones a reviewer needs to trace suspicious traffic (the
# packet-level addresses behind a NAT or load balancer, TCP flags for scans, direction and path).
FLOW_LOG_FORMAT = " ".join(
    "${" + f + "}"
    for f in (
        "version", "account-id", "interface-id", "srcaddr", "dstaddr", "srcport", "dstport", "protocol",
        "packets", "bytes", "start", "end", "action", "log-status", "vpc-id", "subnet-id", "az-id",
        "pkt-srcaddr", "pkt-dstaddr", "tcp-flags", "flow-direction", "traffic-path",
    )
)

# What the workloads may do through each interface endpoint (least privilege: the calls ECS Fargate tasks, the
# awslogs driver, X-Ray and the application make). Every statement is further limited to principals of this
# account by a condition.
INTERFACE_ENDPOINT_ACTIONS: dict[str, list[str]] = {
    "ecr.api": ["ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer",
                "ecr:BatchGetImage", "ecr:DescribeImages", "ecr:DescribeRepositories"],
    "ecr.dkr": ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
    "logs": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams", "logs:DescribeLogGroups"],
    "sts": ["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:GetCallerIdentity", "sts:TagSession"],
    "secretsmanager": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
    "kms": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext",
            "kms:DescribeKey"],
    "xray": ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules",
             "xray:GetSamplingTargets", "xray:GetSamplingStatisticSummaries"],
    "ssm": ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath", "ssm:UpdateInstanceInformation",
            "ssm:ListAssociations", "ssm:ListInstanceAssociations"],
    "ssmmessages": ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
                    "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"],
    "ec2messages": ["ec2messages:AcknowledgeMessage", "ec2messages:DeleteMessage", "ec2messages:FailMessage",
                    "ec2messages:GetEndpoint", "ec2messages:GetMessages", "ec2messages:SendReply"],
    "monitoring": ["cloudwatch:PutMetricData"],
    "elasticloadbalancing": ["elasticloadbalancing:Describe*"],
    "ecs": ["ecs:DescribeServices", "ecs:DescribeTasks", "ecs:ListTasks"],
    "ecs-agent": ["ecs:Poll", "ecs:StartTelemetrySession", "ecs:SubmitTaskStateChange",
                  "ecs:SubmitContainerStateChange"],
    "ecs-telemetry": ["ecs:StartTelemetrySession", "ecs:PutSystemLogEvents"],
}

S3_GATEWAY_ACTIONS = ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject",
                      "s3:ListBucket", "s3:GetBucketLocation", "s3:AbortMultipartUpload",
                      "s3:ListMultipartUploadParts"]
DYNAMODB_GATEWAY_ACTIONS = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
                            "dynamodb:Query", "dynamodb:Scan", "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem",
                            "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable", "dynamodb:TransactGetItems",
                            "dynamodb:TransactWriteItems"]


def interface_endpoint_policy(service: str, account_id: str) -> str:
    """Endpoint policy: only this service's needed actions, only for principals of this account."""
    return policy_document([{
        "Sid": "AccountPrincipalsOnly",
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": INTERFACE_ENDPOINT_ACTIONS[service],
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:PrincipalAccount": account_id}},
    }])


def s3_gateway_policy(region: str, account_id: str, partition: str) -> str:
    """S3 through the gateway endpoint: this account's buckets, plus the AWS bucket ECR keeps image layers in."""
    return policy_document([
        {
            "Sid": "OwnAccountBuckets",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": S3_GATEWAY_ACTIONS,
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:PrincipalAccount": account_id,
                                           "aws:ResourceAccount": account_id}},
        },
        {
            # ECR hands out pre-signed URLs signed by ECR's own account, so this statement cannot require our
            # account as the principal; it is narrowed to ECR's layer bucket of this region instead.
            "Sid": "EcrImageLayers",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": ["s3:GetObject"],
            "Resource": [f"arn:{partition}:s3:::prod-{region}-starport-layer-bucket/*"],
        },
    ])


def dynamodb_gateway_policy(region: str, account_id: str, partition: str) -> str:
    """DynamoDB through the gateway endpoint: item and table reads/writes on this account's tables only."""
    return policy_document([{
        "Sid": "OwnAccountTables",
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": DYNAMODB_GATEWAY_ACTIONS,
        "Resource": [f"arn:{partition}:dynamodb:{region}:{account_id}:table/*"],
        "Condition": {"StringEquals": {"aws:PrincipalAccount": account_id}},
    }])


def logs_key_policy(region: str, account_id: str, partition: str) -> str:
    """Key policy for the log key: the account administers it; CloudWatch Logs may use it for this account's
    log groups in this region only."""
    return policy_document([
        {
            "Sid": "AccountAdministers",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:{partition}:iam::{account_id}:root"},
            "Action": "kms:*",
            "Resource": "*",
        },
        {
            "Sid": "CloudWatchLogsUse",
            "Effect": "Allow",
            "Principal": {"Service": f"logs.{region}.amazonaws.com"},
            "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*",
                       "kms:Describe*"],
            "Resource": "*",
            "Condition": {"ArnLike": {
                "kms:EncryptionContext:aws:logs:arn": f"arn:{partition}:logs:{region}:{account_id}:log-group:*",
            }},
        },
    ])


def access_log_archive_policy(bucket_arn: str, account_id: str) -> str:
    """TLS only; S3's log delivery may write server access logs of this account's buckets."""
    return policy_document([
        {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": [bucket_arn, f"{bucket_arn}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        {"Sid": "S3ServerAccessLogs", "Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"},
         "Action": "s3:PutObject", "Resource": f"{bucket_arn}/*",
         "Condition": {"StringEquals": {"aws:SourceAccount": account_id}}},
    ])


def flow_logs_trust_policy(region: str, account_id: str, partition: str) -> str:
    return policy_document([{
        "Effect": "Allow",
        "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
        "Action": "sts:AssumeRole",
        "Condition": {
            "StringEquals": {"aws:SourceAccount": account_id},
            "ArnLike": {"aws:SourceArn": f"arn:{partition}:ec2:{region}:{account_id}:vpc-flow-log/*"},
        },
    }])


def flow_logs_role_policy(log_group_arn: str) -> str:
    return policy_document([{
        "Sid": "WriteFlowLogs",
        "Effect": "Allow",
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams",
                   "logs:DescribeLogGroups"],
        "Resource": [log_group_arn, f"{log_group_arn}:*"],
    }])


def _gateway_policy(document: Callable[[str, str, str], str], ident: list[Any]) -> str:
    return document(str(ident[0]), str(ident[1]), str(ident[2]))


def _endpoint_policy_for(service: str) -> Callable[[str], str]:
    return lambda account_id: interface_endpoint_policy(service, account_id)


@dataclass(frozen=True)
class SubnetRecord:
    """One subnet of the plan: a group's subnet in one zone, with its route table."""

    group: str
    type: SubnetType
    zone: str
    cidr: str
    subnet: aws.ec2.Subnet
    route_table: aws.ec2.RouteTable


class Subnets:
    """The VPC's subnets, one record per (group, zone), in the plan's order (group order, then zone order), and
    selections of them: ``subnets.of_group("app").ids``, ``subnets.of_type(SubnetType.PRIVATE).route_tables``,
    ``subnets.of_group("web").by_zone()``. Tiers choose subnets by group or type, never by position."""

    def __init__(self, records: Iterable[SubnetRecord]) -> None:
        self.records = tuple(records)

    def __iter__(self) -> Iterator[SubnetRecord]:
        return iter(self.records)

    def __len__(self) -> int:
        return len(self.records)

    def of_group(self, group: str) -> "Subnets":
        found = Subnets(r for r in self.records if r.group == group)
        if not found:
            raise KeyError(f"no subnet group '{group}' (groups: {', '.join(self.groups)})")
        return found

    def of_type(self, *types: SubnetType) -> "Subnets":
        """The subnets of these types, in the order the types are given (then group, then zone)."""
        return Subnets(r for t in types for r in self.records if r.type is t)

    @property
    def groups(self) -> list[str]:
        return list(dict.fromkeys(r.group for r in self.records))

    @property
    def ids(self) -> list[pulumi.Output[str]]:
        return [r.subnet.id for r in self.records]

    @property
    def route_tables(self) -> list[aws.ec2.RouteTable]:
        return [r.route_table for r in self.records]

    @property
    def route_table_ids(self) -> list[pulumi.Output[str]]:
        return [r.route_table.id for r in self.records]

    @property
    def cidrs(self) -> list[str]:
        return [r.cidr for r in self.records]

    def by_zone(self) -> dict[str, SubnetRecord]:
        """zone -> record, for a selection of one group (a tier that places one thing per AZ)."""
        if len(self.groups) > 1:
            raise ValueError(f"by_zone() needs one group, not {', '.join(self.groups)}")
        return {r.zone: r for r in self.records}


@dataclass(frozen=True)
class NetworkTierArgs:
    plan: NetworkPlan  # what to build: StackSettings.application_plan or .analytics_plan
    # Public groups whose default route the inspection tier sends through GWLB endpoints instead of the IGW.
    inspected_groups: frozenset[str] = frozenset()
    # The key of the flow-log group; default a key of its own (the analytics VPC shares the application network's).
    logs_key: aws.kms.Key | None = None


class NetworkTier(Tier):
    """VPC, subnets per group and AZ, internet and NAT gateways, routes, default-SG lockdown, network ACLs,
    DB subnet group, flow logs, the access-log archive and VPC endpoints.

    One class builds every VPC of the stack from its ``NetworkPlan``: the application network (which alone has the
    database subnet group and the access-log archive) and the analytics VPC (no internet gateway without a public
    group, no NAT; every child's logical name prefixed ``analytics-``, so the two never collide)."""

    vpc: aws.ec2.Vpc
    internet_gateway: aws.ec2.InternetGateway | None  # None where the VPC has no public group
    subnets: Subnets
    nat_gateways: dict[str, aws.ec2.NatGateway]  # zone -> its NAT gateway
    public_ips: dict[str, aws.ec2.Eip]  # zone -> the NAT gateway's Elastic IP (the VPC's internet-facing addresses)
    gateway_endpoints: dict[str, aws.ec2.VpcEndpoint]  # s3, dynamodb
    flow_log_group: aws.cloudwatch.LogGroup
    logs_key: aws.kms.Key
    endpoint_security_group: aws.ec2.SecurityGroup
    plan: NetworkPlan

    def __init__(self, name: str, ctx: StackContext, args: NetworkTierArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("securecart:network:NetworkTier", name, ctx, opts)
        self.plan = args.plan
        self.settings = args.plan.settings
        self.zones = [ctx.settings.zone(letter) for letter in self.settings.availability_zones]
        self.vpc = aws.ec2.Vpc(
            self.n("vpc"), cidr_block=str(self.settings.cidr), enable_dns_support=True, enable_dns_hostnames=True,
            tags=self.tags(ctx.region, Purpose=self.plan.purpose), opts=self.child,
        )
        # The default security group is adopted and emptied: anything launched without an explicit group gets
        # no traffic at all (FSBP EC2.2).
        aws.ec2.DefaultSecurityGroup(
            self.n("default-sg"), vpc_id=self.vpc.id, ingress=[], egress=[], tags=self.tags("default-closed"),
            opts=self._in_vpc(),
        )
        # An internet gateway only where a public group needs one (the analytics VPC has none).
        self.internet_gateway = aws.ec2.InternetGateway(
            self.n("igw"), vpc_id=self.vpc.id, tags=self.tags("igw"), opts=self._in_vpc()) \
            if self.settings.groups(SubnetType.PUBLIC) else None
        self.subnets = self._subnets()
        self._internet_routes(args.inspected_groups)
        self.public_ips, self.gateway_endpoints = {}, {}
        self.nat_gateways = self._nat_gateways()
        self._nat_routes()
        self._network_acls()
        self._db_subnet_group = aws.rds.SubnetGroup(
            "db-subnets",
            description=f"SecureCart {ctx.environment} database subnets (isolated tier, {len(self.zones)} AZs)",
            subnet_ids=self.subnets.of_type(SubnetType.ISOLATED).ids,
            tags=self.tags("db-subnets"),
            opts=self._in_vpc(),
        ) if self.plan.is_application else None
        self.flow_log_group, self.logs_key = self._flow_logs(args.logs_key)
        self._archive = self._access_log_archive() if self.plan.is_application else None
        self.endpoint_security_group = self._endpoints()
        self.done()

    def n(self, what: str) -> str:
        """A child's logical name (prefixed in every VPC but the application network's)."""
        return self.plan.name(what)

    def tags(self, what: str, **extra: str) -> dict[str, str]:
        return super().tags(self.n(what), **extra)

    @property
    def db_subnet_group(self) -> aws.rds.SubnetGroup:
        if self._db_subnet_group is None:
            raise ValueError(f"the {self.plan.purpose} network has no database subnet group")
        return self._db_subnet_group

    @property
    def access_log_bucket_id(self) -> pulumi.Output[str]:
        """Where the stack's log buckets write their own S3 access logs (the application network's archive)."""
        if self._archive is None:
            raise ValueError(f"the {self.plan.purpose} network has no access-log archive")
        return self._archive[0]

    @property
    def access_log_bucket_arn(self) -> pulumi.Output[str]:
        if self._archive is None:
            raise ValueError(f"the {self.plan.purpose} network has no access-log archive")
        return self._archive[1]

    @property
    def logs_key_arn(self) -> pulumi.Output[str]:
        return self.logs_key.arn

    def exports(self) -> NetworkOutputs:
        by_type = {t: self.subnets.of_type(t) for t in SubnetType}
        return NetworkOutputs(
            vpc_id=self.vpc.id,
            vpc_cidr=pulumi.Output.from_input(str(self.settings.cidr)),
            subnet_ids={str(t): s.ids for t, s in by_type.items() if s},
            route_table_ids={str(t): s.route_table_ids for t, s in by_type.items() if s},
            db_subnet_group_name=self._db_subnet_group.name if self._db_subnet_group is not None else None,
            endpoint_security_group_id=self.endpoint_security_group.id,
            flow_log_group_name=self.flow_log_group.name,
            nat_gateway_ids={zone: nat.id for zone, nat in self.nat_gateways.items()},
        )

    def _in_vpc(self, **kwargs: Any) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self.vpc, **kwargs)

    def _subnets(self) -> Subnets:
        """One subnet and route table per group and zone, named after both, so adding an AZ or a group adds
        resources and never renames existing ones."""
        records = []
        for group in self.settings.subnet_groups:
            for letter, zone in zip(self.settings.availability_zones, self.zones, strict=True):
                base = f"{group.name}-{group.type}-{zone}"
                subnet = aws.ec2.Subnet(
                    self.n(base), vpc_id=self.vpc.id, cidr_block=str(group.subnet_cidr(letter)), availability_zone=zone,
                    map_public_ip_on_launch=False, tags=self.tags(base, Tier=str(group.type), SubnetGroup=group.name),
                    opts=self._in_vpc(),
                )
                table = aws.ec2.RouteTable(
                    self.n(f"{base}-rt"), vpc_id=self.vpc.id, tags=self.tags(f"{base}-rt", Tier=str(group.type)),
                    opts=self._in_vpc(),
                )
                aws.ec2.RouteTableAssociation(
                    self.n(f"{base}-rta"), subnet_id=subnet.id, route_table_id=table.id,
                    opts=pulumi.ResourceOptions(parent=table),
                )
                records.append(SubnetRecord(group.name, group.type, zone, str(group.subnet_cidr(letter)), subnet,
                                            table))
        return Subnets(records)

    def _internet_routes(self, inspected_groups: frozenset[str]) -> None:
        """Public groups reach the internet gateway, except those the inspection tier routes through the GWLB
        endpoints."""
        for record in self.subnets.of_type(SubnetType.PUBLIC):
            if record.group in inspected_groups or self.internet_gateway is None:
                continue
            # The inspected subnet's route of the same table (components/inspection.py) is this one, retargeted:
            # going back from inline to bypass updates it in place too.
            aws.ec2.Route(
                self.n(f"{record.group}-{record.type}-{record.zone}-default"), route_table_id=record.route_table.id,
                destination_cidr_block="0.0.0.0/0", gateway_id=self.internet_gateway.id,
                opts=pulumi.ResourceOptions(parent=record.route_table, aliases=[
                    pulumi.Alias(name=self.n(f"inspected-{record.zone}-default"))]),
            )

    def _nat_gateways(self) -> dict[str, aws.ec2.NatGateway]:
        """NAT gateways in the NAT group (``network.natSubnetGroup``); perAz puts one in every AZ so that losing
        an AZ never cuts the egress of the others."""
        net = self.settings
        if self.plan.nat_group is None or not isinstance(net, NetworkSettings):
            return {}
        zones = self.zones if net.nat is NatStrategy.PER_AZ else self.zones[:1]
        in_zone = self.subnets.of_group(self.plan.nat_group).by_zone()
        nats: dict[str, aws.ec2.NatGateway] = {}
        for zone in zones:
            eip = aws.ec2.Eip(self.n(f"nat-{zone}-eip"), domain="vpc", tags=self.tags(f"nat-{zone}"),
                              opts=self._in_vpc())
            self.public_ips[zone] = eip
            nats[zone] = aws.ec2.NatGateway(
                self.n(f"nat-{zone}"),
                allocation_id=eip.allocation_id,
                subnet_id=in_zone[zone].subnet.id,
                connectivity_type="public",
                tags=self.tags(f"nat-{zone}"),
                opts=self._in_vpc(depends_on=[self.internet_gateway]),
            )
        return nats

    def _nat_routes(self) -> None:
        """Private groups reach the internet through the NAT gateway of their own AZ (or the single one)."""
        if not self.nat_gateways:
            return
        first = next(iter(self.nat_gateways.values()))
        for record in self.subnets.of_type(SubnetType.PRIVATE):
            nat = self.nat_gateways.get(record.zone, first)
            aws.ec2.Route(
                self.n(f"{record.group}-{record.type}-{record.zone}-default"), route_table_id=record.route_table.id,
                destination_cidr_block="0.0.0.0/0", nat_gateway_id=nat.id,
                opts=pulumi.ResourceOptions(parent=record.route_table),
            )

    def _network_acls(self) -> None:
        """The default network ACL is adopted and emptied (a subnet that loses its association admits nothing),
        and every subnet group gets an ACL of its own with what its tier needs (``acl_entries``), associated with
        each of its subnets (CIS AWS Foundations 5.1, FSBP EC2.21)."""
        aws.ec2.DefaultNetworkAcl(
            self.n("default-nacl"), default_network_acl_id=self.vpc.default_network_acl_id, ingress=[], egress=[],
            tags=self.tags("default-nacl-closed"),
            # Subnets move to their own ACLs through associations; the adopted default keeps no rules either way.
            opts=self._in_vpc(ignore_changes=["subnetIds"]))
        for group in self.settings.subnet_groups:
            acl = aws.ec2.NetworkAcl(
                self.n(f"{group.name}-nacl"), vpc_id=self.vpc.id,
                tags=self.tags(f"{group.name}-nacl", Tier=str(group.type)), opts=self._in_vpc(),
            )
            acl_opts = pulumi.ResourceOptions(parent=acl)
            for entry in acl_entries(self.plan, group):
                aws.ec2.NetworkAclRule(
                    self.n(f"{group.name}-nacl-{'out' if entry.egress else 'in'}-{entry.label}"), network_acl_id=acl.id,
                    egress=entry.egress, rule_number=entry.number, rule_action=entry.action, protocol=entry.protocol,
                    cidr_block=entry.cidr, from_port=entry.from_port, to_port=entry.to_port,
                    icmp_type=entry.icmp_type, icmp_code=entry.icmp_code, opts=acl_opts,
                )
            for record in self.subnets.of_group(group.name):
                aws.ec2.NetworkAclAssociation(
                    self.n(f"{group.name}-{group.type}-{record.zone}-nacl"), network_acl_id=acl.id,
                    subnet_id=record.subnet.id, opts=acl_opts,
                )

    def _access_log_archive(self) -> tuple[pulumi.Output[str], pulumi.Output[str]]:
        """The stack's terminal S3 access-log bucket: the log buckets of the other tiers (load-balancer logs, the
        images bucket's access logs) write their own server access logs here, so reads and deletes of the audit
        trail are themselves on record. It logs nowhere itself (each of its writes would log another, forever).
        S3 delivers server access logs only to SSE-S3 buckets; with ACLs disabled the bucket policy lets the
        logging service in, for this account's buckets only."""
        net = self.settings
        assert isinstance(net, NetworkSettings), "the access-log archive is the application network's"
        archive = private_bucket("access-logs", parent=self, tags=self.tags("access-logs"), lifecycle_rules=[{
            "id": "expire-access-logs", "status": "Enabled", "filter": {"prefix": ""},
            "expiration": {"days": net.access_log_days},
            "noncurrent_version_expiration": {"noncurrent_days": 7},
        }])
        policy = aws.s3.BucketPolicy(
            "access-logs-policy", bucket=archive.bucket.id,
            policy=pulumi.Output.all(archive.bucket.arn, self.ctx.account_id).apply(
                lambda v: access_log_archive_policy(v[0], v[1])),
            opts=archive.settings)
        # The ID the other tiers log to carries the policy as a dependency: logging starts once S3 may deliver.
        return pulumi.Output.all(archive.bucket.id, policy.id).apply(lambda v: str(v[0])), archive.bucket.arn

    def _flow_logs(self, shared_key: aws.kms.Key | None) -> tuple[aws.cloudwatch.LogGroup, aws.kms.Key]:
        """ALL-traffic flow logs to a KMS-encrypted, retained log group, written by a role that can do nothing
        else. The key is the stack's log key: made here (the application network) or shared (any other VPC)."""
        ctx, settings = self.ctx, self.settings.flow_logs
        opts = self._in_vpc()
        ident = pulumi.Output.all(ctx.region, ctx.account_id, ctx.partition)
        key = shared_key or self._logs_key(ident)
        group = aws.cloudwatch.LogGroup(
            self.n("flow-logs"),
            name=f"/securecart/{ctx.environment}/{ctx.region}/{self.n('vpc-flow-logs')}",
            retention_in_days=settings.retention_days,
            kms_key_id=key.arn,
            tags=self.tags("flow-logs"),
            opts=opts,
        )
        role = aws.iam.Role(
            self.n("flow-logs-role"),
            description="Lets VPC Flow Logs write this VPC's flow records to its log group, nothing else",
            assume_role_policy=ident.apply(lambda v: flow_logs_trust_policy(v[0], v[1], v[2])),
            tags=self.tags("flow-logs-role"),
            opts=opts,
        )
        aws.iam.RolePolicy(
            self.n("flow-logs-role-policy"),
            role=role.id,
            policy=group.arn.apply(flow_logs_role_policy),
            opts=pulumi.ResourceOptions(parent=role),
        )
        aws.ec2.FlowLog(
            self.n("flow-log"),
            vpc_id=self.vpc.id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=group.arn,
            iam_role_arn=role.arn,
            max_aggregation_interval=settings.max_aggregation_interval,
            log_format=FLOW_LOG_FORMAT,
            tags=self.tags("flow-log"),
            opts=opts,
        )
        return group, key

    def _logs_key(self, ident: pulumi.Output[list[Any]]) -> aws.kms.Key:
        """The stack's CloudWatch Logs key (flow logs, VPN and query logs): rotated, protected."""
        ctx = self.ctx
        key = aws.kms.Key(
            "logs-key",
            description=f"SecureCart {ctx.environment} {ctx.region}: CloudWatch Logs encryption (flow logs)",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=ident.apply(lambda v: logs_key_policy(v[0], v[1], v[2])),
            tags=self.tags("logs-key"),
            opts=pulumi.ResourceOptions(parent=self, protect=True),
        )
        aws.kms.Alias(
            "logs-key-alias", name=f"alias/securecart/{ctx.environment}/logs", target_key_id=key.key_id,
            opts=pulumi.ResourceOptions(parent=key, protect=False),  # a name only: replaceable, not protected
        )
        return key

    def _endpoints(self) -> aws.ec2.SecurityGroup:
        """Gateway endpoints (S3, DynamoDB) on every private and isolated route table; interface endpoints in the
        private subnets behind a group that admits HTTPS from the VPC only. Every endpoint has a policy."""
        ctx, net, vpc = self.ctx, self.settings, self.vpc
        opts = self._in_vpc()
        ident = pulumi.Output.all(ctx.region, ctx.account_id, ctx.partition)
        gateway_tables = self.subnets.of_type(SubnetType.PRIVATE, SubnetType.ISOLATED).route_table_ids
        for service, document in (("s3", s3_gateway_policy), ("dynamodb", dynamodb_gateway_policy)):
            self.gateway_endpoints[service] = aws.ec2.VpcEndpoint(
                self.n(f"{service}-gateway-endpoint"),
                vpc_id=vpc.id,
                service_name=f"com.amazonaws.{ctx.region}.{service}",
                vpc_endpoint_type="Gateway",
                route_table_ids=gateway_tables,
                policy=ident.apply(partial(_gateway_policy, document)),
                tags=self.tags(f"{service}-gateway-endpoint"),
                opts=opts,
            )

        sg = aws.ec2.SecurityGroup(
            self.n("endpoints-sg"),
            vpc_id=vpc.id,
            description="Interface VPC endpoints: HTTPS from inside the VPC only",
            tags=self.tags("endpoints-sg"),
            opts=opts,
        )
        aws.vpc.SecurityGroupIngressRule(
            self.n("endpoints-sg-https-from-vpc"),
            security_group_id=sg.id,
            description="HTTPS from the VPC",
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            cidr_ipv4=str(net.cidr),
            opts=pulumi.ResourceOptions(parent=sg),
        )
        # One endpoint ENI per AZ, in the interface endpoints' group (interfaceEndpointSubnetGroup).
        group = self.plan.endpoint_group
        endpoint_subnet_ids = self.subnets.of_group(group).ids if group is not None else []
        for service in self.plan.interface_endpoints:
            aws.ec2.VpcEndpoint(
                self.n(f"{service.replace('.', '-')}-endpoint"),
                vpc_id=vpc.id,
                service_name=f"com.amazonaws.{ctx.region}.{service}",
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=endpoint_subnet_ids,
                security_group_ids=[sg.id],
                policy=pulumi.Output.from_input(ctx.account_id).apply(_endpoint_policy_for(service)),
                tags=self.tags(f"{service}-endpoint"),
                opts=opts,
            )
        return sg
