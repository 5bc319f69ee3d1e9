"""The analytics tier (primary stack, ``securecart:analytics``): a dedicated analytics VPC, peered with the application
VPC, and only what must cross the peering.

- The VPC is the network tier built from the analytics settings (``StackSettings.analytics_plan``): isolated
  subnet groups over the AZs (the workloads: warehouse, streams, extract jobs) and an attachment group; no internet
  gateway, no NAT, no default route; ALL-traffic flow logs to its own log group under the stack's log key; S3 and
  DynamoDB gateway endpoints and the interface endpoints it needs. Its VPC carries ``Purpose=analytics``, by which
  the pack checks that it never gains an internet path (``analytics-vpc-no-internet-path``).
- The peering: requester the application VPC, accepter the analytics VPC, both ours and in one region, so it is
  accepted at once (``auto_accept``) and both sides resolve the other's DNS names to private addresses.
- Routes over the peering, on exactly these tables: the application task group's (when ``clients`` are named) and
  the database groups' (``databaseReads``) send the analytics workload blocks to the peering; the analytics workload
  tables send back the task block and the database blocks. Nothing from a public group, and each route names a
  group's block, not a whole VPC.
- Security groups: ``analytics-workloads-sg`` (for what runs in the analytics subnets) admits the analytics ports
  from the task block, from Direct Connect's prefixes and from its own members, and sends out only the analytics
  ports to its members, the database port to the database blocks (``databaseReads``) and HTTPS to its VPC's
  endpoints, S3 and DynamoDB; each client service's group gains egress to
  the analytics ports of the workload blocks. The database's own group admits its port from the workload blocks
  (``components.data``). Network ACLs on both sides admit the same flows (``components.settings.plans``).
- Direct Connect: the connectivity tier attaches the analytics VPC to the Transit Gateway in a segment whose table
  reaches only the Direct Connect prefixes (``components.connectivity``), so large transfers from on premises land
  here without crossing the application VPC, and the analytics VPC is never a transit between the application VPC
  and on premises: the peering does not carry traffic to or from a third network (AWS drops it, and no route
  offers it), and no Transit Gateway table routes between the two VPCs.
"""

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.context import StackContext, Tier, options
from components.contract import AnalyticsOutputs
from components.delivery import DeliveryTier
from components.network import NetworkTier, NetworkTierArgs, SubnetRecord
from components.settings.analytics import AnalyticsSettings
from components.settings.network import SubnetGroup, SubnetType


@dataclass(frozen=True)
class AnalyticsTierArgs:
    network: NetworkTier  # the application network
    delivery: DeliveryTier | None  # the client services' security groups


class AnalyticsTier(Tier):
    settings: AnalyticsSettings
    network: NetworkTier  # the analytics VPC
    peering: aws.ec2.VpcPeeringConnection
    workloads_security_group: aws.ec2.SecurityGroup

    def __init__(self, name: str, ctx: StackContext, args: AnalyticsTierArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("securecart:analytics:AnalyticsTier", name, ctx, opts)
        settings, plan = ctx.settings.analytics, ctx.settings.analytics_plan
        if settings is None or plan is None:
            raise ValueError("the analytics tier needs securecart:analytics (validated when the settings load)")
        self.settings, self.app = settings, args.network
        self.network = NetworkTier("analytics-network", ctx, NetworkTierArgs(plan, logs_key=args.network.logs_key),
                                   opts=self.child)
        self.peering = self._peering()
        self._routes()
        self.workloads_security_group = self._workloads_security_group()
        self._client_egress(args.delivery)
        self.done()

    def exports(self) -> AnalyticsOutputs:
        by_type = {t: self.network.subnets.of_type(t) for t in SubnetType}
        return AnalyticsOutputs(
            analytics_vpc_id=self.network.vpc.id,
            analytics_vpc_cidr=str(self.settings.cidr),
            analytics_subnet_ids={str(t): s.ids for t, s in by_type.items() if s},
            analytics_peering_connection_id=self.peering.id,
            analytics_security_group_id=self.workloads_security_group.id,
            analytics_flow_log_group_name=self.network.flow_log_group.name,
        )

    # --- what each side routes over the peering -----------------------------------------------------------------

    @property
    def task_group(self) -> SubnetGroup | None:
        """The application group whose tasks write to analytics (None without clients)."""
        tasks = self.ctx.settings.placement.tasks
        if not self.settings.clients or tasks is None:
            return None
        return next(g for g in self.ctx.settings.network.subnet_groups if g.name == tasks)

    @property
    def database_groups(self) -> list[SubnetGroup]:
        """The application network's database groups (when analytics reads the database)."""
        return self.ctx.settings.network.groups(SubnetType.ISOLATED) if self.settings.database_reads else []

    def _peering(self) -> aws.ec2.VpcPeeringConnection:
        """Application VPC (requester) to analytics VPC (accepter): one account, one region, accepted at once; both
        sides resolve the other's DNS names to private addresses."""
        peering = aws.ec2.VpcPeeringConnection(
            "analytics-peering", vpc_id=self.app.vpc.id, peer_vpc_id=self.network.vpc.id, auto_accept=True,
            tags=self.tags("analytics-peering", Peer="analytics"), opts=self.child)
        aws.ec2.PeeringConnectionOptions(
            "analytics-peering-options", vpc_peering_connection_id=peering.id,
            requester={"allow_remote_vpc_dns_resolution": True}, accepter={"allow_remote_vpc_dns_resolution": True},
            opts=options(peering))
        return peering

    def _routes(self) -> None:
        """Each routed group's tables send the other side's routed blocks to the peering, and nothing else."""
        app_groups = [g for g in [self.task_group, *self.database_groups] if g is not None]
        workloads = self.settings.workloads
        for group in app_groups:
            for record in self.app.subnets.of_group(group.name):
                for w in workloads:
                    self._route(record, f"{record.group}-{record.zone}-to-analytics-{w.name}", str(w.block))
        for w in workloads:
            for record in self.network.subnets.of_group(w.name):
                for group in app_groups:
                    self._route(record, f"analytics-{record.group}-{record.zone}-to-{group.name}", str(group.block))

    def _route(self, record: SubnetRecord, name: str, cidr: str) -> None:
        aws.ec2.Route(name, route_table_id=record.route_table.id, destination_cidr_block=cidr,
                      vpc_peering_connection_id=self.peering.id, opts=options(record.route_table))

    # --- security groups: the analytics ports in, the database port out ---------------------------------------

    def _workloads_security_group(self) -> aws.ec2.SecurityGroup:
        """The analytics workloads' group: the analytics ports from the task block, Direct Connect and each other;
        out, the analytics ports to each other, the database port to the database blocks and HTTPS to the VPC's
        endpoints, S3 and DynamoDB."""
        ports = ", ".join(str(p.port) for p in self.settings.ports)
        sg = aws.ec2.SecurityGroup(
            "analytics-workloads-sg", vpc_id=self.network.vpc.id, tags=self.tags("analytics-workloads-sg"),
            description=f"Analytics workloads: ports {ports} from the application tasks and Direct Connect only",
            opts=self.child)
        sg_opts = options(sg)
        sources = [(self.task_group.name, str(self.task_group.block))] if self.task_group is not None else []
        sources += [(f"dx-{j + 1}", p) for j, p in enumerate(self.ctx.settings.analytics_dx_prefixes)]
        for port in self.settings.ports:
            for label, cidr in sources:
                aws.vpc.SecurityGroupIngressRule(
                    f"analytics-workloads-sg-{port.name}-from-{label}", security_group_id=sg.id, ip_protocol="tcp",
                    from_port=port.port, to_port=port.port, cidr_ipv4=cidr,
                    description=f"{port.name} from {label}", opts=sg_opts)
            # The workloads among themselves (a job reading the stream, loading the warehouse).
            aws.vpc.SecurityGroupIngressRule(
                f"analytics-workloads-sg-{port.name}-from-workloads", security_group_id=sg.id, ip_protocol="tcp",
                from_port=port.port, to_port=port.port, referenced_security_group_id=sg.id,
                description=f"{port.name} from the analytics workloads", opts=sg_opts)
            aws.vpc.SecurityGroupEgressRule(
                f"analytics-workloads-sg-{port.name}-to-workloads", security_group_id=sg.id, ip_protocol="tcp",
                from_port=port.port, to_port=port.port, referenced_security_group_id=sg.id,
                description=f"{port.name} to the analytics workloads", opts=sg_opts)
        db_port = self.ctx.settings.network.database_port
        for group in self.database_groups:
            aws.vpc.SecurityGroupEgressRule(
                f"analytics-workloads-sg-db-to-{group.name}", security_group_id=sg.id, ip_protocol="tcp",
                from_port=db_port, to_port=db_port, cidr_ipv4=str(group.block),
                description=f"the database port in {group.name}", opts=sg_opts)
        aws.vpc.SecurityGroupEgressRule(
            "analytics-workloads-sg-https-to-endpoints", security_group_id=sg.id, ip_protocol="tcp", from_port=443,
            to_port=443, referenced_security_group_id=self.network.endpoint_security_group.id,
            description="HTTPS to the VPC interface endpoints", opts=sg_opts)
        for service, name in (("s3", "S3"), ("dynamodb", "DynamoDB")):
            aws.vpc.SecurityGroupEgressRule(
                f"analytics-workloads-sg-https-to-{service}", security_group_id=sg.id, ip_protocol="tcp",
                from_port=443, to_port=443, prefix_list_id=self.network.gateway_endpoints[service].prefix_list_id,
                description=f"HTTPS to {name} through the gateway endpoint", opts=sg_opts)
        return sg

    def _client_egress(self, delivery: DeliveryTier | None) -> None:
        """Each client service's tasks may open the analytics ports of the workload blocks, nothing more."""
        if not self.settings.clients or delivery is None:
            return
        groups = delivery.service_security_groups
        for client in self.settings.clients:
            sg = groups[client]
            for port in self.settings.ports:
                for w in self.settings.workloads:
                    aws.vpc.SecurityGroupEgressRule(
                        f"{client}-sg-{port.name}-to-analytics-{w.name}", security_group_id=sg.id,
                        ip_protocol="tcp", from_port=port.port, to_port=port.port, cidr_ipv4=str(w.block),
                        description=f"{port.name} in the analytics VPC", opts=options(sg))
