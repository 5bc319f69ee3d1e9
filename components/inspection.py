"""The inspection tier: a Gateway Load Balancer that brings WAF/IDS appliances into the inbound path.

Per AZ a GWLB endpoint sits in its own public subnet. When appliances are configured, traffic is AZ-symmetric:
- the internet gateway's edge route table sends each load-balancer subnet's CIDR to the endpoint in that AZ;
- each load-balancer subnet sends 0.0.0.0/0 back through the same endpoint (replacing its route to the IGW);
- the endpoint subnets route 0.0.0.0/0 to the internet gateway (the network tier's ordinary public route).
With no appliances the GWLB, its endpoint service and the endpoints exist, but the routes stay direct: a GWLB with
no targets would drop every packet.
"""

import ipaddress
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws


@dataclass(frozen=True)
class InspectionTierArgs:
    environment: str
    zones: list[str]
    vpc_id: pulumi.Input[str]
    internet_gateway_id: pulumi.Input[str]
    appliance_subnets: dict[str, aws.ec2.Subnet]  # zone -> subnet of the GWLB and appliances
    endpoint_subnets: dict[str, aws.ec2.Subnet]  # zone -> subnet of the GWLB endpoint
    inspected_route_tables: dict[str, aws.ec2.RouteTable]
    inspected_cidrs: dict[str, str]  # zone -> CIDR of the inspected subnet
    appliances: list[ipaddress.IPv4Address]
    account_id: pulumi.Input[str]
    partition: pulumi.Input[str]


class InspectionTier(pulumi.ComponentResource):
    gateway_load_balancer_arn: pulumi.Output[str]
    endpoint_service_name: pulumi.Output[str]
    endpoint_ids: dict[str, pulumi.Output[str]]
    inline: bool

    def __init__(self, name: str, args: InspectionTierArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("securecart:inspection:InspectionTier", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        def tags(n: str) -> dict[str, str]:
            return {"Name": f"securecart-{args.environment}-{n}", "Purpose": "inspection"}

        gwlb = aws.lb.LoadBalancer(
            "gwlb",
            load_balancer_type="gateway",
            subnets=[args.appliance_subnets[z].id for z in args.zones],
            enable_deletion_protection=True,
            tags=tags("gwlb"),
            opts=child,
        )
        target_group = aws.lb.TargetGroup(
            "appliances",
            port=6081,
            protocol="GENEVE",
            target_type="ip",
            vpc_id=args.vpc_id,
            deregistration_delay=30,
            health_check=aws.lb.TargetGroupHealthCheckArgs(
                enabled=True, protocol="TCP", port="80", interval=10, healthy_threshold=2, unhealthy_threshold=2,
            ),
            tags=tags("appliances"),
            opts=child,
        )
        for ip in args.appliances:
            aws.lb.TargetGroupAttachment(
                f"appliance-{ip}", target_group_arn=target_group.arn, target_id=str(ip),
                opts=pulumi.ResourceOptions(parent=target_group),
            )
        aws.lb.Listener(
            "gwlb-listener",
            load_balancer_arn=gwlb.arn,
            default_actions=[aws.lb.ListenerDefaultActionArgs(type="forward", target_group_arn=target_group.arn)],
            tags=tags("gwlb-listener"),
            opts=pulumi.ResourceOptions(parent=gwlb),
        )
        service = aws.ec2.VpcEndpointService(
            "inspection-service",
            acceptance_required=True,
            allowed_principals=[pulumi.Output.concat("arn:", args.partition, ":iam::", args.account_id, ":root")],
            gateway_load_balancer_arns=[gwlb.arn],
            tags=tags("inspection-service"),
            opts=child,
        )
        endpoints: dict[str, aws.ec2.VpcEndpoint] = {}
        for zone in args.zones:
            endpoint = aws.ec2.VpcEndpoint(
                f"gwlbe-{zone}",
                vpc_id=args.vpc_id,
                vpc_endpoint_type="GatewayLoadBalancer",
                service_name=service.service_name,
                subnet_ids=[args.endpoint_subnets[zone].id],
                tags=tags(f"gwlbe-{zone}"),
                opts=child,
            )
            # The service requires acceptance; our own endpoints are accepted here, in code.
            aws.ec2.VpcEndpointConnectionAccepter(
                f"gwlbe-{zone}-accept", vpc_endpoint_service_id=service.id, vpc_endpoint_id=endpoint.id,
                opts=pulumi.ResourceOptions(parent=endpoint),
            )
            endpoints[zone] = endpoint

        self.inline = bool(args.appliances)
        if self.inline:
            edge = aws.ec2.RouteTable("igw-ingress-rt", vpc_id=args.vpc_id, tags=tags("igw-ingress"), opts=child)
            aws.ec2.RouteTableAssociation(
                "igw-ingress-rta", gateway_id=args.internet_gateway_id, route_table_id=edge.id,
                opts=pulumi.ResourceOptions(parent=edge),
            )
            for zone in args.zones:
                aws.ec2.Route(
                    f"igw-ingress-{zone}", route_table_id=edge.id,
                    destination_cidr_block=args.inspected_cidrs[zone], vpc_endpoint_id=endpoints[zone].id,
                    opts=pulumi.ResourceOptions(parent=edge),
                )
                table = args.inspected_route_tables[zone]
                aws.ec2.Route(
                    f"inspected-{zone}-default", route_table_id=table.id, destination_cidr_block="0.0.0.0/0",
                    vpc_endpoint_id=endpoints[zone].id, opts=pulumi.ResourceOptions(parent=table),
                )
        else:
            pulumi.log.warn("inspection: no appliances configured: the Gateway Load Balancer and its endpoints "
                            "exist, but inbound traffic goes straight to the load balancers until "
                            "securecart:delivery.appliances lists some", self)

        self.gateway_load_balancer_arn = gwlb.arn
        self.endpoint_service_name = service.service_name
        self.endpoint_ids = {zone: ep.id for zone, ep in endpoints.items()}
        self.register_outputs({
            "gatewayLoadBalancerArn": self.gateway_load_balancer_arn,
            "endpointServiceName": self.endpoint_service_name,
            "endpointIds": self.endpoint_ids,
        })
