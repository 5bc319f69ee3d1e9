"""The inspection tier: a Gateway Load Balancer that brings WAF/IDS appliances into the inbound path.

Per AZ a GWLB endpoint sits in its own public subnet. When appliances are configured, traffic is AZ-symmetric:
- the internet gateway's edge route table sends each load-balancer subnet's CIDR to the endpoint in that AZ;
- each load-balancer subnet sends 0.0.0.0/0 back through the same endpoint (replacing its route to the IGW);
- the endpoint subnets route 0.0.0.0/0 to the internet gateway (the network tier's ordinary public route).
With no appliances the GWLB, its endpoint service and the endpoints exist, but the routes stay direct: a GWLB with
no targets would drop every packet.
The GWLB balances across zones: should one AZ's appliances all fail while the AZ stands, its endpoint's flows go to
healthy appliances in the other AZs instead of being dropped. A flow stays symmetric either way: both directions
pass the same AZ's endpoint and GWLB node, whose flow hash picks the same appliance (at the price of cross-AZ data
for flows inspected in another zone).

The appliances are either a fleet the program builds (``delivery.applianceFleet``: a launch template with IMDSv2
only, encrypted gp3 volumes and no public address, an instance role that writes only its own log group, a security
group admitting GENEVE and the health check only from the GWLB's subnets, and an auto scaling group over the
appliance subnets of every AZ registered with the target group as instances) or IPs of appliances run elsewhere
(``delivery.appliances``, an ip target group). Switching between the two replaces the target group (a target
group's target type cannot change in place); the listener follows it.
"""

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.context import StackContext, Tier
from components.contract import InspectionOutputs
from components.network import NetworkTier
from components.settings.delivery import GENEVE_PORT, ApplianceFleetSettings

APPLIANCE_METRICS_NAMESPACE = "SecureCart/Appliances"


# EC2 may assume the appliance role for the instances it is passed to. Without a condition, as AWS documents the
# EC2 trust: EC2 does not give aws:SourceAccount when it assumes an instance's role (prowler-cloud/prowler#2810 lists
# EC2 among the services such a condition breaks), and a role cannot be passed across accounts anyway (iam:PassRole).
APPLIANCE_TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def appliance_role_policy(log_group_arn: str) -> str:
    """What an appliance needs: write its own log group (the CloudWatch agent) and its metrics in one namespace.
    No SSM: appliances are managed through their image and the launch template, nobody logs in."""
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "OwnLogGroup", "Effect": "Allow",
         "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
         "Resource": [log_group_arn, f"{log_group_arn}:log-stream:*"]},
        # PutMetricData takes no resource: the namespace condition is its only scope.
        {"Sid": "OwnMetrics", "Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "*",
         "Condition": {"StringEquals": {"cloudwatch:namespace": APPLIANCE_METRICS_NAMESPACE}}},
    ]})


@dataclass(frozen=True)
class InspectionTierArgs:
    network: NetworkTier


class InspectionTier(Tier):
    gateway_load_balancer: aws.lb.LoadBalancer
    service: aws.ec2.VpcEndpointService
    endpoints: dict[str, aws.ec2.VpcEndpoint]  # zone -> its GWLB endpoint
    inline: bool  # whether inbound traffic goes through the appliances

    def __init__(self, name: str, ctx: StackContext, args: InspectionTierArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("securecart:inspection:InspectionTier", name, ctx, opts)
        delivery = ctx.settings.delivery
        placement = ctx.settings.placement
        if delivery is None or placement.appliances is None or placement.gwlb_endpoints is None \
                or placement.load_balancers is None:
            raise ValueError("the inspection tier needs securecart:delivery (validated when the settings load)")
        self.network = args.network
        self.appliances = delivery.appliances
        self.fleet = delivery.appliance_fleet
        self.log_retention_days = delivery.log_retention_days
        self.fleet_group: aws.autoscaling.Group | None = None
        self.gateway_load_balancer = self._gateway_load_balancer(placement.appliances)
        self.service = self._endpoint_service()
        self.endpoints = self._endpoints(placement.gwlb_endpoints)
        self.inline = delivery.inspects
        if self.inline:
            self._ingress_routes(placement.load_balancers)
        else:
            pulumi.log.warn("inspection: no appliances configured: the Gateway Load Balancer and its endpoints "
                            "exist, but inbound traffic goes straight to the load balancers until "
                            "securecart:delivery.applianceFleet (or appliances) names some", self)
        self.done()

    def tags(self, what: str, **extra: str) -> dict[str, str]:
        return super().tags(what, Purpose="inspection", **extra)

    def exports(self) -> InspectionOutputs:
        return InspectionOutputs(
            gateway_load_balancer_arn=self.gateway_load_balancer.arn,
            inspection_endpoint_service_name=self.service.service_name,
            inspection_inline=self.inline,
        )

    def _gateway_load_balancer(self, group: str) -> aws.lb.LoadBalancer:
        """The GWLB in the appliance group of every AZ, its GENEVE target group (the appliances) and listener."""
        gwlb = aws.lb.LoadBalancer(
            "gwlb",
            load_balancer_type="gateway",
            subnets=self.network.subnets.of_group(group).ids,
            # One AZ's appliance failure must not blackhole that AZ's inbound traffic (the module docstring).
            enable_cross_zone_load_balancing=True,
            enable_deletion_protection=True,
            tags=self.tags("gwlb"),
            opts=self.child,
        )
        target_group = aws.lb.TargetGroup(
            "appliances",
            port=6081,
            protocol="GENEVE",
            # instance with a fleet, ip for listed appliances: changing it replaces the target group
            target_type="instance" if self.fleet is not None else "ip",
            vpc_id=self.network.vpc.id,
            deregistration_delay=30,
            health_check=aws.lb.TargetGroupHealthCheckArgs(
                enabled=True, protocol="TCP",
                port=str(self.fleet.health_check_port if self.fleet is not None else 80),
                interval=10, healthy_threshold=2, unhealthy_threshold=2,
            ),
            tags=self.tags("appliances"),
            opts=self.child,
        )
        for ip in self.appliances:
            aws.lb.TargetGroupAttachment(
                f"appliance-{ip}", target_group_arn=target_group.arn, target_id=str(ip),
                opts=pulumi.ResourceOptions(parent=target_group),
            )
        if self.fleet is not None:
            self.fleet_group = self._fleet(self.fleet, group, target_group)
        aws.lb.Listener(
            "gwlb-listener",
            load_balancer_arn=gwlb.arn,
            default_actions=[aws.lb.ListenerDefaultActionArgs(type="forward", target_group_arn=target_group.arn)],
            tags=self.tags("gwlb-listener"),
            opts=pulumi.ResourceOptions(parent=gwlb),
        )
        return gwlb

    def _endpoint_service(self) -> aws.ec2.VpcEndpointService:
        """The GWLB's endpoint service: this account only, every connection accepted explicitly."""
        return aws.ec2.VpcEndpointService(
            "inspection-service",
            acceptance_required=True,
            allowed_principals=[pulumi.Output.concat("arn:", self.ctx.partition, ":iam::", self.ctx.account_id,
                                                     ":root")],
            gateway_load_balancer_arns=[self.gateway_load_balancer.arn],
            tags=self.tags("inspection-service"),
            opts=self.child,
        )

    def _endpoints(self, group: str) -> dict[str, aws.ec2.VpcEndpoint]:
        """One GWLB endpoint per AZ in the endpoint group, accepted here, in code."""
        endpoints: dict[str, aws.ec2.VpcEndpoint] = {}
        for zone, record in self.network.subnets.of_group(group).by_zone().items():
            endpoint = aws.ec2.VpcEndpoint(
                f"gwlbe-{zone}",
                vpc_id=self.network.vpc.id,
                vpc_endpoint_type="GatewayLoadBalancer",
                service_name=self.service.service_name,
                subnet_ids=[record.subnet.id],
                tags=self.tags(f"gwlbe-{zone}"),
                opts=self.child,
            )
            aws.ec2.VpcEndpointConnectionAccepter(
                f"gwlbe-{zone}-accept", vpc_endpoint_service_id=self.service.id, vpc_endpoint_id=endpoint.id,
                opts=pulumi.ResourceOptions(parent=endpoint),
            )
            endpoints[zone] = endpoint
        return endpoints

    def _ingress_routes(self, inspected_group: str) -> None:
        """AZ-symmetric inspection: the internet gateway's edge table sends each inspected subnet's CIDR to its
        AZ's endpoint, and the inspected subnet sends 0.0.0.0/0 back through the same endpoint."""
        gateway = self.network.internet_gateway
        if gateway is None:
            raise ValueError("inspected ingress needs the network's internet gateway (a public subnet group)")
        edge = aws.ec2.RouteTable("igw-ingress-rt", vpc_id=self.network.vpc.id, tags=self.tags("igw-ingress"),
                                  opts=self.child)
        aws.ec2.RouteTableAssociation(
            "igw-ingress-rta", gateway_id=gateway.id, route_table_id=edge.id,
            opts=pulumi.ResourceOptions(parent=edge),
        )
        # With a fleet, traffic is sent through the GWLB only once the group has its healthy appliances registered
        # (``wait_for_elb_capacity``): a GWLB without targets would drop it.
        after: list[pulumi.Resource] = [self.fleet_group] if self.fleet_group is not None else []
        for zone, record in self.network.subnets.of_group(inspected_group).by_zone().items():
            aws.ec2.Route(
                f"igw-ingress-{zone}", route_table_id=edge.id,
                destination_cidr_block=record.cidr, vpc_endpoint_id=self.endpoints[zone].id,
                opts=pulumi.ResourceOptions(parent=edge, depends_on=after),
            )
            # The same route as the bypassed subnet's default route to the internet gateway (the network tier's,
            # in the same table): switching a deployed stack inline retargets it in place (ReplaceRoute) instead of
            # creating a second 0.0.0.0/0 beside it, which AWS refuses (RouteAlreadyExists).
            aws.ec2.Route(
                f"inspected-{zone}-default", route_table_id=record.route_table.id,
                destination_cidr_block="0.0.0.0/0", vpc_endpoint_id=self.endpoints[zone].id,
                opts=pulumi.ResourceOptions(parent=record.route_table, depends_on=after, aliases=[
                    pulumi.Alias(name=f"{record.group}-{record.type}-{zone}-default")]),
            )

    def _fleet(self, fleet: ApplianceFleetSettings, group: str, target_group: aws.lb.TargetGroup) \
            -> aws.autoscaling.Group:
        """The appliances: an auto scaling group over the appliance subnets of every AZ, registered with the GENEVE
        target group, from a hardened launch template."""
        subnets = self.network.subnets.of_group(group)
        zones = len(subnets.by_zone())
        sg = self._appliance_security_group(fleet, [r.cidr for r in subnets.by_zone().values()])
        profile = self._instance_profile()
        template = aws.ec2.LaunchTemplate(
            "appliance-lt",
            description="The GWLB's appliances: IMDSv2 only, encrypted gp3, no public address",
            image_id=fleet.ami,
            instance_type=fleet.instance_type,
            update_default_version=True,
            iam_instance_profile=aws.ec2.LaunchTemplateIamInstanceProfileArgs(arn=profile.arn),
            metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(
                http_endpoint="enabled", http_tokens="required", http_put_response_hop_limit=1,
                instance_metadata_tags="disabled",
            ),
            block_device_mappings=[aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
                device_name=fleet.root_device_name,
                ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
                    volume_size=fleet.volume_size, volume_type="gp3", encrypted="true",
                    delete_on_termination="true",
                ),
            )],
            network_interfaces=[aws.ec2.LaunchTemplateNetworkInterfaceArgs(
                device_index=0, associate_public_ip_address="false", delete_on_termination="true",
                security_groups=[sg.id],
            )],
            monitoring=aws.ec2.LaunchTemplateMonitoringArgs(enabled=True),
            tag_specifications=[aws.ec2.LaunchTemplateTagSpecificationArgs(
                resource_type=kind, tags=self.tags("appliance")) for kind in ("instance", "volume")],
            tags=self.tags("appliance-lt"),
            opts=self.child,
        )
        return aws.autoscaling.Group(
            "appliances-asg",
            vpc_zone_identifiers=subnets.ids,
            min_size=fleet.per_az * zones,
            desired_capacity=fleet.per_az * zones,
            max_size=fleet.max_per_az * zones,
            health_check_type="ELB",
            health_check_grace_period=fleet.boot_seconds,
            # The inspected routes wait for this: every AZ's appliances registered and healthy.
            wait_for_elb_capacity=fleet.per_az * zones,
            wait_for_capacity_timeout=f"{max(10, 2 * fleet.boot_seconds // 60)}m",
            target_group_arns=[target_group.arn],
            launch_template=aws.autoscaling.GroupLaunchTemplateArgs(id=template.id,
                                                                    version=template.latest_version.apply(str)),
            instance_refresh=aws.autoscaling.GroupInstanceRefreshArgs(
                strategy="Rolling",
                # Launch before terminating: with one appliance per AZ, an AZ never goes without one.
                preferences=aws.autoscaling.GroupInstanceRefreshPreferencesArgs(
                    min_healthy_percentage=100, max_healthy_percentage=200,
                    instance_warmup=str(fleet.boot_seconds)),
            ),
            tags=[aws.autoscaling.GroupTagArgs(key=k, value=v, propagate_at_launch=True)
                  for k, v in self.tags("appliance").items()],
            opts=self.child,
        )

    def _appliance_security_group(self, fleet: ApplianceFleetSettings, cidrs: list[str]) -> aws.ec2.SecurityGroup:
        """GENEVE and the health check from the GWLB's subnets only; out: GENEVE back to them and HTTPS to the VPC's
        interface endpoints (CloudWatch Logs)."""
        sg = aws.ec2.SecurityGroup(
            "appliance-sg", vpc_id=self.network.vpc.id,
            description="GWLB appliances: GENEVE and health checks from the GWLB subnets only",
            tags=self.tags("appliance-sg"), opts=self.child,
        )
        rule = pulumi.ResourceOptions(parent=sg)
        for cidr in cidrs:
            slug = cidr.replace(".", "-").replace("/", "-")
            aws.vpc.SecurityGroupIngressRule(
                f"appliance-geneve-from-{slug}", security_group_id=sg.id, description="GENEVE from the GWLB",
                ip_protocol="udp", from_port=GENEVE_PORT, to_port=GENEVE_PORT, cidr_ipv4=cidr, opts=rule)
            aws.vpc.SecurityGroupIngressRule(
                f"appliance-health-from-{slug}", security_group_id=sg.id, description="GWLB health checks",
                ip_protocol="tcp", from_port=fleet.health_check_port, to_port=fleet.health_check_port,
                cidr_ipv4=cidr, opts=rule)
            aws.vpc.SecurityGroupEgressRule(
                f"appliance-geneve-to-{slug}", security_group_id=sg.id, description="GENEVE back to the GWLB",
                ip_protocol="udp", from_port=GENEVE_PORT, to_port=GENEVE_PORT, cidr_ipv4=cidr, opts=rule)
        aws.vpc.SecurityGroupEgressRule(
            "appliance-https-to-endpoints", security_group_id=sg.id,
            description="HTTPS to the interface endpoints (CloudWatch Logs and metrics)", ip_protocol="tcp",
            from_port=443, to_port=443, referenced_security_group_id=self.network.endpoint_security_group.id,
            opts=rule)
        return sg

    def _instance_profile(self) -> aws.iam.InstanceProfile:
        """The appliances' role: this account's EC2 instances only; writes its own log group and metrics."""
        logs = aws.cloudwatch.LogGroup(
            "appliance-logs", name=f"/securecart/{self.ctx.environment}/appliances",
            kms_key_id=self.network.logs_key_arn, retention_in_days=self.log_retention_days,
            tags=self.tags("appliance-logs"), opts=self.child,
        )
        role = aws.iam.Role(
            "appliance-role", description="The GWLB appliances: their own log group and metrics, nothing else",
            assume_role_policy=APPLIANCE_TRUST,
            tags=self.tags("appliance-role"), opts=self.child,
        )
        aws.iam.RolePolicy("appliance-role-policy", role=role.id, policy=logs.arn.apply(appliance_role_policy),
                           opts=pulumi.ResourceOptions(parent=role))
        return aws.iam.InstanceProfile("appliance-profile", role=role.name, tags=self.tags("appliance-profile"),
                                       opts=pulumi.ResourceOptions(parent=role))
