"""The network tier: a multi-tier VPC over several AZs with its egress, endpoints, flow logs and guard rails.

Layout (per AZ, for each subnet group in the config):
- public groups: route 0.0.0.0/0 to the internet gateway; NAT gateways live in the first public group;
- private groups: route 0.0.0.0/0 to the NAT gateway of their own AZ (``nat: perAz``);
- isolated groups: no default route at all; their network ACL admits only the private groups on the database port;
- attachment groups: no default route (Transit Gateway / GWLB endpoint ENIs).
Every group has a network ACL of its own (``acl_entries`` says what each tier allows); the VPC's default ACL is
adopted and left with no rules.
Every subnet and route table is named after its group, type and zone, so adding an AZ or a group adds resources
and never renames or renumbers existing ones.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.buckets import private_bucket
from components.documents import policy_document
from components.settings.network import NatStrategy, NetworkSettings, SubnetGroup, SubnetType

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


WORLD = "0.0.0.0/0"
PRIVATE_RANGES = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")  # RFC 1918: what the Transit Gateway carries
# Reply ports from the internet, split around 3389 so that no ACL admits the internet on RDP (FSBP EC2.21; 22 is
# below the range). A reply to port 3389 is dropped: one source port in 64,512 that a client retries from another.
REPLY_PORTS = ((1024, 3388), (3390, 65535))


@dataclass(frozen=True)
class AclEntry:
    """One allow rule of a subnet group's network ACL; ``label`` names it (``<group>-nacl-<in|out>-<label>``)."""

    label: str
    egress: bool
    number: int
    protocol: str  # "-1" (all), "tcp", "icmp"
    cidr: str
    from_port: int = 0
    to_port: int = 0
    icmp_type: int | None = None
    icmp_code: int | None = None


def _both_ways(label: str, number: int, protocol: str, cidr: str, *, ports: tuple[int, int] = (0, 0),
               icmp: tuple[int, int] | None = None) -> list[AclEntry]:
    return [AclEntry(label, egress, number, protocol, cidr, ports[0], ports[1],
                     icmp[0] if icmp else None, icmp[1] if icmp else None) for egress in (False, True)]


def acl_entries(net: NetworkSettings, group: SubnetGroup) -> list[AclEntry]:
    """What each tier's network ACL allows (stateless: every flow needs its replies allowed the other way).

    - every tier: everything to and from the VPC (security groups decide which tasks talk to which);
    - public (load balancers, NAT gateways, GWLB endpoints): HTTPS from the internet and replies to it; HTTPS out
      (the NAT gateways forward the tasks' egress) and its replies; ICMP "fragmentation needed" for path MTU;
    - private (tasks, interface endpoints): HTTPS out through NAT or the Transit Gateway, replies both ways;
    - attachment (Transit Gateway and appliance ENIs): the private ranges the Transit Gateway carries (the peer
      region, the sites, Direct Connect), both ways; no internet;
    - isolated (databases): only the database port from each private group's block, and the replies.
    Rule numbers leave gaps, so an entry can be added without renumbering."""
    vpc = str(net.cidr)
    if group.type is SubnetType.ISOLATED:
        entries: list[AclEntry] = []
        for i, app in enumerate(net.groups(SubnetType.PRIVATE)):
            entries.append(AclEntry(f"db-from-{app.name}", False, 100 + 10 * i, "tcp", str(app.block),
                                    net.database_port, net.database_port))
            entries.append(AclEntry(f"replies-to-{app.name}", True, 100 + 10 * i, "tcp", str(app.block),
                                    1024, 65535))
        return entries
    entries = _both_ways("vpc", 100, "-1", vpc)
    if group.type is SubnetType.PUBLIC:
        entries += _both_ways("https", 110, "tcp", WORLD, ports=(443, 443))
        entries += _both_ways("path-mtu", 130, "icmp", WORLD, icmp=(3, 4))
    if group.type is SubnetType.PRIVATE:
        entries.append(AclEntry("https", True, 110, "tcp", WORLD, 443, 443))
    if group.type in (SubnetType.PUBLIC, SubnetType.PRIVATE):
        for i, (low, high) in enumerate(REPLY_PORTS):
            entries += _both_ways(f"replies-{i + 1}", 120 + i, "tcp", WORLD, ports=(low, high))
    if group.type is SubnetType.ATTACHMENT:
        for i, cidr in enumerate(PRIVATE_RANGES):
            entries += _both_ways(f"private-{i + 1}", 110 + 10 * i, "-1", cidr)
    return entries


@dataclass(frozen=True)
class NetworkTierArgs:
    settings: NetworkSettings
    region: str
    environment: str
    account_id: pulumi.Input[str]
    partition: pulumi.Input[str]
    # Public groups whose default route the inspection tier sends through GWLB endpoints instead of the IGW.
    inspected_groups: frozenset[str] = frozenset()



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


def _endpoint_policy_for(service: str) -> Callable[[str], str]:
    return lambda account_id: interface_endpoint_policy(service, account_id)


class NetworkTier(pulumi.ComponentResource):
    """VPC, subnets per group and AZ, internet and NAT gateways, routes, default-SG lockdown, database NACL,
    DB subnet group, flow logs and VPC endpoints."""

    vpc_id: pulumi.Output[str]
    vpc_cidr: pulumi.Output[str]
    subnet_ids: dict[SubnetType, list[pulumi.Output[str]]]
    route_table_ids: dict[SubnetType, list[pulumi.Output[str]]]
    db_subnet_group_name: pulumi.Output[str]
    endpoint_security_group_id: pulumi.Output[str]
    flow_log_group_name: pulumi.Output[str]
    nat_gateway_ids: dict[str, pulumi.Output[str]]
    internet_gateway_id: pulumi.Output[str]
    logs_key_arn: pulumi.Output[str]
    access_log_bucket_id: pulumi.Output[str]  # where the stack's log buckets write their own S3 access logs
    access_log_bucket_arn: pulumi.Output[str]
    zones: list[str]
    # group name -> zone -> resource, for tiers that place things per AZ
    subnets: dict[str, dict[str, aws.ec2.Subnet]]
    route_tables: dict[str, dict[str, aws.ec2.RouteTable]]

    def __init__(self, name: str, args: NetworkTierArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("securecart:network:NetworkTier", name, None, opts)
        net = args.settings
        zones = [f"{args.region}{letter}" for letter in net.availability_zones]
        child = pulumi.ResourceOptions(parent=self)

        def tags(name_tag: str, **extra: str) -> dict[str, str]:
            return {"Name": f"securecart-{args.environment}-{name_tag}", **extra}

        vpc = aws.ec2.Vpc(
            "vpc",
            cidr_block=str(net.cidr),
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags=tags(args.region),
            opts=child,
        )
        vpc_opts = pulumi.ResourceOptions(parent=vpc)

        # The default security group is adopted and emptied: anything launched without an explicit group gets
        # no traffic at all (FSBP EC2.2).
        aws.ec2.DefaultSecurityGroup(
            "default-sg", vpc_id=vpc.id, ingress=[], egress=[], tags=tags("default-closed"), opts=vpc_opts,
        )

        igw = aws.ec2.InternetGateway("igw", vpc_id=vpc.id, tags=tags("igw"), opts=vpc_opts)

        subnets: dict[SubnetType, list[aws.ec2.Subnet]] = {t: [] for t in SubnetType}
        route_tables: dict[SubnetType, list[aws.ec2.RouteTable]] = {t: [] for t in SubnetType}
        subnet_by_group_zone: dict[tuple[str, str], aws.ec2.Subnet] = {}
        table_by_group_zone: dict[tuple[str, str], aws.ec2.RouteTable] = {}

        for group in net.subnet_groups:
            for letter, zone in zip(net.availability_zones, zones, strict=True):
                base = f"{group.name}-{group.type}-{zone}"
                subnet = aws.ec2.Subnet(
                    base,
                    vpc_id=vpc.id,
                    cidr_block=str(group.subnet_cidr(letter)),
                    availability_zone=zone,
                    map_public_ip_on_launch=False,
                    tags=tags(base, Tier=str(group.type), SubnetGroup=group.name),
                    opts=vpc_opts,
                )
                table = aws.ec2.RouteTable(
                    f"{base}-rt", vpc_id=vpc.id, tags=tags(f"{base}-rt", Tier=str(group.type)), opts=vpc_opts,
                )
                aws.ec2.RouteTableAssociation(
                    f"{base}-rta", subnet_id=subnet.id, route_table_id=table.id,
                    opts=pulumi.ResourceOptions(parent=table),
                )
                subnets[group.type].append(subnet)
                route_tables[group.type].append(table)
                subnet_by_group_zone[(group.name, zone)] = subnet
                table_by_group_zone[(group.name, zone)] = table

        public_groups = net.groups(SubnetType.PUBLIC)
        for group in public_groups:
            if group.name in args.inspected_groups:
                continue  # routed through the GWLB endpoints by the inspection tier
            for zone in zones:
                table = table_by_group_zone[(group.name, zone)]
                aws.ec2.Route(
                    f"{group.name}-{group.type}-{zone}-default", route_table_id=table.id,
                    destination_cidr_block="0.0.0.0/0", gateway_id=igw.id,
                    opts=pulumi.ResourceOptions(parent=table),
                )

        # NAT gateways sit in the first public group; perAz puts one in every AZ so that losing an AZ never cuts
        # the egress of the others.
        nat_zones = {NatStrategy.PER_AZ: zones, NatStrategy.SINGLE: zones[:1], NatStrategy.NONE: []}[net.nat]
        nats: dict[str, aws.ec2.NatGateway] = {}
        for zone in nat_zones:
            eip = aws.ec2.Eip(f"nat-{zone}-eip", domain="vpc", tags=tags(f"nat-{zone}"), opts=vpc_opts)
            nats[zone] = aws.ec2.NatGateway(
                f"nat-{zone}",
                allocation_id=eip.allocation_id,
                subnet_id=subnet_by_group_zone[(public_groups[0].name, zone)].id,
                connectivity_type="public",
                tags=tags(f"nat-{zone}"),
                opts=pulumi.ResourceOptions(parent=vpc, depends_on=[igw]),
            )
        for group in net.groups(SubnetType.PRIVATE):
            for zone in zones:
                table = table_by_group_zone[(group.name, zone)]
                nat = nats.get(zone) or nats[nat_zones[0]]
                aws.ec2.Route(
                    f"{group.name}-{group.type}-{zone}-default", route_table_id=table.id,
                    destination_cidr_block="0.0.0.0/0", nat_gateway_id=nat.id,
                    opts=pulumi.ResourceOptions(parent=table),
                )

        self._network_acls(net, zones, vpc, subnet_by_group_zone, tags)

        db_subnet_group = aws.rds.SubnetGroup(
            "db-subnets",
            description=f"SecureCart {args.environment} database subnets (isolated tier, "
                        f"{len(zones)} AZs)",
            subnet_ids=[s.id for s in subnets[SubnetType.ISOLATED]],
            tags=tags("db-subnets"),
            opts=vpc_opts,
        )

        flow_log_group, logs_key = self._flow_logs(args, vpc, tags)
        archive_id, archive_arn = self._access_log_archive(args, tags)

        endpoint_sg = self._endpoints(args, vpc, subnets, route_tables, tags)

        self.vpc_id = vpc.id
        self.vpc_cidr = pulumi.Output.from_input(str(net.cidr))
        self.subnet_ids = {t: [s.id for s in subnets[t]] for t in SubnetType if subnets[t]}
        self.route_table_ids = {t: [rt.id for rt in route_tables[t]] for t in SubnetType if route_tables[t]}
        self.db_subnet_group_name = db_subnet_group.name
        self.endpoint_security_group_id = endpoint_sg.id
        self.flow_log_group_name = flow_log_group.name
        self.nat_gateway_ids = {zone: nat.id for zone, nat in nats.items()}
        self.internet_gateway_id = igw.id
        self.logs_key_arn = logs_key.arn
        self.access_log_bucket_id = archive_id
        self.access_log_bucket_arn = archive_arn
        self.zones = zones
        self.subnets = {}
        self.route_tables = {}
        for (group_name, zone), subnet in subnet_by_group_zone.items():
            self.subnets.setdefault(group_name, {})[zone] = subnet
            self.route_tables.setdefault(group_name, {})[zone] = table_by_group_zone[(group_name, zone)]
        self.register_outputs({
            "vpcId": self.vpc_id,
            "vpcCidr": self.vpc_cidr,
            "subnetIds": {str(t): ids for t, ids in self.subnet_ids.items()},
            "routeTableIds": {str(t): ids for t, ids in self.route_table_ids.items()},
            "dbSubnetGroupName": self.db_subnet_group_name,
            "endpointSecurityGroupId": self.endpoint_security_group_id,
            "flowLogGroupName": self.flow_log_group_name,
            "natGatewayIds": self.nat_gateway_ids,
            "internetGatewayId": self.internet_gateway_id,
            "logsKeyArn": self.logs_key_arn,
        })

    def _network_acls(
        self,
        net: NetworkSettings,
        zones: list[str],
        vpc: aws.ec2.Vpc,
        subnet_by_group_zone: dict[tuple[str, str], aws.ec2.Subnet],
        tags: Any,
    ) -> None:
        """The default network ACL is adopted and emptied (a subnet that loses its association admits nothing),
        and every subnet group gets an ACL of its own with what its tier needs (``acl_entries``), associated with
        each of its subnets (CIS AWS Foundations 5.1, FSBP EC2.21)."""
        aws.ec2.DefaultNetworkAcl(
            "default-nacl", default_network_acl_id=vpc.default_network_acl_id, ingress=[], egress=[],
            tags=tags("default-nacl-closed"),
            # Subnets move to their own ACLs through associations; the adopted default keeps no rules either way.
            opts=pulumi.ResourceOptions(parent=vpc, ignore_changes=["subnetIds"]))
        for group in net.subnet_groups:
            acl = aws.ec2.NetworkAcl(
                f"{group.name}-nacl", vpc_id=vpc.id, tags=tags(f"{group.name}-nacl", Tier=str(group.type)),
                opts=pulumi.ResourceOptions(parent=vpc),
            )
            acl_opts = pulumi.ResourceOptions(parent=acl)
            for entry in acl_entries(net, group):
                aws.ec2.NetworkAclRule(
                    f"{group.name}-nacl-{'out' if entry.egress else 'in'}-{entry.label}", network_acl_id=acl.id,
                    egress=entry.egress, rule_number=entry.number, rule_action="allow", protocol=entry.protocol,
                    cidr_block=entry.cidr, from_port=entry.from_port, to_port=entry.to_port,
                    icmp_type=entry.icmp_type, icmp_code=entry.icmp_code, opts=acl_opts,
                )
            for zone in zones:
                subnet = subnet_by_group_zone[(group.name, zone)]
                aws.ec2.NetworkAclAssociation(
                    f"{group.name}-{group.type}-{zone}-nacl", network_acl_id=acl.id, subnet_id=subnet.id,
                    opts=acl_opts,
                )

    def _access_log_archive(self, args: NetworkTierArgs, tags: Any) -> tuple[pulumi.Output[str], pulumi.Output[str]]:
        """The stack's terminal S3 access-log bucket: the log buckets of the other tiers (load-balancer logs, the
        images bucket's access logs) write their own server access logs here, so reads and deletes of the audit
        trail are themselves on record. It logs nowhere itself (each of its writes would log another, forever).
        S3 delivers server access logs only to SSE-S3 buckets; with ACLs disabled the bucket policy lets the
        logging service in, for this account's buckets only."""
        archive = private_bucket("access-logs", parent=self, tags=tags("access-logs"), lifecycle_rules=[{
            "id": "expire-access-logs", "status": "Enabled", "filter": {"prefix": ""},
            "expiration": {"days": args.settings.access_log_days},
            "noncurrent_version_expiration": {"noncurrent_days": 7},
        }])
        policy = aws.s3.BucketPolicy(
            "access-logs-policy", bucket=archive.bucket.id,
            policy=pulumi.Output.all(archive.bucket.arn, args.account_id).apply(
                lambda v: access_log_archive_policy(v[0], v[1])),
            opts=archive.settings)
        # The ID the other tiers log to carries the policy as a dependency: logging starts once S3 may deliver.
        return pulumi.Output.all(archive.bucket.id, policy.id).apply(lambda v: str(v[0])), archive.bucket.arn

    def _flow_logs(self, args: NetworkTierArgs, vpc: aws.ec2.Vpc, tags: Any) -> \
            tuple[aws.cloudwatch.LogGroup, aws.kms.Key]:
        """ALL-traffic flow logs to a KMS-encrypted, retained log group, written by a role that can do nothing
        else."""
        settings = args.settings.flow_logs
        opts = pulumi.ResourceOptions(parent=vpc)
        ident = pulumi.Output.all(args.region, args.account_id, args.partition)
        key = aws.kms.Key(
            "logs-key",
            description=f"SecureCart {args.environment} {args.region}: CloudWatch Logs encryption (flow logs)",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=ident.apply(lambda v: logs_key_policy(v[0], v[1], v[2])),
            tags=tags("logs-key"),
            opts=pulumi.ResourceOptions(parent=self, protect=True),
        )
        aws.kms.Alias(
            "logs-key-alias", name=f"alias/securecart/{args.environment}/logs", target_key_id=key.key_id,
            opts=pulumi.ResourceOptions(parent=key, protect=False),  # a name only: replaceable, not protected
        )
        group = aws.cloudwatch.LogGroup(
            "flow-logs",
            name=f"/securecart/{args.environment}/{args.region}/vpc-flow-logs",
            retention_in_days=settings.retention_days,
            kms_key_id=key.arn,
            tags=tags("flow-logs"),
            opts=opts,
        )
        role = aws.iam.Role(
            "flow-logs-role",
            description="Lets VPC Flow Logs write this VPC's flow records to its log group, nothing else",
            assume_role_policy=ident.apply(lambda v: flow_logs_trust_policy(v[0], v[1], v[2])),
            tags=tags("flow-logs-role"),
            opts=opts,
        )
        aws.iam.RolePolicy(
            "flow-logs-role-policy",
            role=role.id,
            policy=group.arn.apply(flow_logs_role_policy),
            opts=pulumi.ResourceOptions(parent=role),
        )
        aws.ec2.FlowLog(
            "flow-log",
            vpc_id=vpc.id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=group.arn,
            iam_role_arn=role.arn,
            max_aggregation_interval=settings.max_aggregation_interval,
            log_format=FLOW_LOG_FORMAT,
            tags=tags("flow-log"),
            opts=opts,
        )
        return group, key

    def _endpoints(
        self,
        args: NetworkTierArgs,
        vpc: aws.ec2.Vpc,
        subnets: dict[SubnetType, list[aws.ec2.Subnet]],
        route_tables: dict[SubnetType, list[aws.ec2.RouteTable]],
        tags: Any,
    ) -> aws.ec2.SecurityGroup:
        """Gateway endpoints (S3, DynamoDB) on every private and isolated route table; interface endpoints in the
        private subnets behind a group that admits HTTPS from the VPC only. Every endpoint has a policy."""
        net = args.settings
        opts = pulumi.ResourceOptions(parent=vpc)
        ident = pulumi.Output.all(args.region, args.account_id, args.partition)
        gateway_tables = [rt.id for t in (SubnetType.PRIVATE, SubnetType.ISOLATED) for rt in route_tables[t]]
        aws.ec2.VpcEndpoint(
            "s3-gateway-endpoint",
            vpc_id=vpc.id,
            service_name=f"com.amazonaws.{args.region}.s3",
            vpc_endpoint_type="Gateway",
            route_table_ids=gateway_tables,
            policy=ident.apply(lambda v: s3_gateway_policy(v[0], v[1], v[2])),
            tags=tags("s3-gateway-endpoint"),
            opts=opts,
        )
        aws.ec2.VpcEndpoint(
            "dynamodb-gateway-endpoint",
            vpc_id=vpc.id,
            service_name=f"com.amazonaws.{args.region}.dynamodb",
            vpc_endpoint_type="Gateway",
            route_table_ids=gateway_tables,
            policy=ident.apply(lambda v: dynamodb_gateway_policy(v[0], v[1], v[2])),
            tags=tags("dynamodb-gateway-endpoint"),
            opts=opts,
        )

        sg = aws.ec2.SecurityGroup(
            "endpoints-sg",
            vpc_id=vpc.id,
            description="Interface VPC endpoints: HTTPS from inside the VPC only",
            tags=tags("endpoints-sg"),
            opts=opts,
        )
        aws.vpc.SecurityGroupIngressRule(
            "endpoints-sg-https-from-vpc",
            security_group_id=sg.id,
            description="HTTPS from the VPC",
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            cidr_ipv4=str(net.cidr),
            opts=pulumi.ResourceOptions(parent=sg),
        )
        # One endpoint ENI per AZ, in the first private (application) group.
        private_subnet_ids = [s.id for s in subnets[SubnetType.PRIVATE][: len(net.availability_zones)]]
        for service in net.interface_endpoints:
            aws.ec2.VpcEndpoint(
                f"{service.replace('.', '-')}-endpoint",
                vpc_id=vpc.id,
                service_name=f"com.amazonaws.{args.region}.{service}",
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=private_subnet_ids,
                security_group_ids=[sg.id],
                policy=pulumi.Output.from_input(args.account_id).apply(_endpoint_policy_for(service)),
                tags=tags(f"{service}-endpoint"),
                opts=opts,
            )
        return sg
