"""The inspection tier: a Gateway Load Balancer that brings WAF/IDS appliances into the inbound path.

Per AZ a GWLB endpoint sits in its own public subnet. When appliances are configured, traffic is AZ-symmetric:
- the internet gateway's edge route table sends each load-balancer subnet's CIDR to the endpoint in that AZ;
- each load-balancer subnet sends 0.0.0.0/0 back through the same endpoint (replacing its route to the IGW);
- the endpoint subnets route 0.0.0.0/0 to the internet gateway (the network tier's ordinary public route).
With no appliances the GWLB, its endpoint service and the endpoints exist, but the routes stay direct: a GWLB with
no targets would drop every packet.
"""

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.context import StackContext, Tier
from components.contract import InspectionOutputs
from components.network import NetworkTier


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
        self.gateway_load_balancer = self._gateway_load_balancer(placement.appliances)
        self.service = self._endpoint_service()
        self.endpoints = self._endpoints(placement.gwlb_endpoints)
        self.inline = bool(self.appliances)
        if self.inline:
            self._ingress_routes(placement.load_balancers)
        else:
            pulumi.log.warn("inspection: no appliances configured: the Gateway Load Balancer and its endpoints "
                            "exist, but inbound traffic goes straight to the load balancers until "
                            "securecart:delivery.appliances lists some", self)
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
            enable_deletion_protection=True,
            tags=self.tags("gwlb"),
            opts=self.child,
        )
        target_group = aws.lb.TargetGroup(
            "appliances",
            port=6081,
            protocol="GENEVE",
            target_type="ip",
            vpc_id=self.network.vpc.id,
            deregistration_delay=30,
            health_check=aws.lb.TargetGroupHealthCheckArgs(
                enabled=True, protocol="TCP", port="80", interval=10, healthy_threshold=2, unhealthy_threshold=2,
            ),
            tags=self.tags("appliances"),
            opts=self.child,
        )
        for ip in self.appliances:
            aws.lb.TargetGroupAttachment(
                f"appliance-{ip}", target_group_arn=target_group.arn, target_id=str(ip),
                opts=pulumi.ResourceOptions(parent=target_group),
            )
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
        edge = aws.ec2.RouteTable("igw-ingress-rt", vpc_id=self.network.vpc.id, tags=self.tags("igw-ingress"),
                                  opts=self.child)
        aws.ec2.RouteTableAssociation(
            "igw-ingress-rta", gateway_id=self.network.internet_gateway.id, route_table_id=edge.id,
            opts=pulumi.ResourceOptions(parent=edge),
        )
        for zone, record in self.network.subnets.of_group(inspected_group).by_zone().items():
            aws.ec2.Route(
                f"igw-ingress-{zone}", route_table_id=edge.id,
                destination_cidr_block=record.cidr, vpc_endpoint_id=self.endpoints[zone].id,
                opts=pulumi.ResourceOptions(parent=edge),
            )
            aws.ec2.Route(
                f"inspected-{zone}-default", route_table_id=record.route_table.id,
                destination_cidr_block="0.0.0.0/0", vpc_endpoint_id=self.endpoints[zone].id,
                opts=pulumi.ResourceOptions(parent=record.route_table),
            )
