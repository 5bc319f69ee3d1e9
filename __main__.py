"""SecureCart Network: wiring only. Load the settings, build the tiers, export what others need."""

import ipaddress
from typing import Any

import pulumi
import pulumi_aws as aws

from components.config import ConfigError, StackSettings, SubnetType, load_settings
from components.delivery import DeliveryTier, DeliveryTierArgs
from components.inspection import InspectionTier, InspectionTierArgs
from components.network import NetworkTier, NetworkTierArgs


def make_provider(settings: StackSettings) -> aws.Provider:
    """The stack's one AWS provider: its region and default tags come from the stack file. The stack files
    disable the default provider, so nothing can land in a region by accident."""
    tags = {
        "Project": pulumi.get_project(),
        "Stack": pulumi.get_stack(),
        "Environment": settings.environment,
        "ManagedBy": "pulumi",
        **settings.tags,
    }
    return aws.Provider(
        f"aws-{settings.region}",
        region=settings.region,
        default_tags=aws.ProviderDefaultTagsArgs(tags=tags),
        allowed_account_ids=settings.allowed_account_ids or None,
    )


async def check_availability_zones(settings: StackSettings, provider: aws.Provider) -> None:
    """Fail before creating anything if the account cannot use a configured AZ."""
    result = await aws.get_availability_zones_output(
        state="available", opts=pulumi.InvokeOutputOptions(provider=provider)
    ).future()
    if result is None:  # unknown during a preview with an unconfigured provider
        return
    missing = sorted(set(settings.zones) - set(result.names))
    if missing:
        raise ConfigError([
            f"securecart:network.availabilityZones: {', '.join(missing)} not available to this account in "
            f"{settings.region} (available: {', '.join(sorted(result.names))})"
        ])


async def check_peer(settings: StackSettings) -> None:
    """Cross-region rule at deploy time: our VPC CIDR must not overlap the peer stack's."""
    if settings.peer_stack is None:
        return
    ref = pulumi.StackReference(
        f"{pulumi.get_organization()}/{pulumi.get_project()}/{settings.peer_stack}",
    )
    peer_cidr = (await ref.get_output_details("vpcCidr")).value
    if peer_cidr is None:
        pulumi.log.info(
            f"peer stack {settings.peer_stack} has no vpcCidr output yet (first deploy of a fresh pair): "
            f"the cross-region CIDR check runs on the next deploy"
        )
        return
    if settings.network.cidr.overlaps(ipaddress.ip_network(peer_cidr)):
        raise ConfigError([
            f"securecart:network.cidr: {settings.network.cidr} overlaps the peer stack "
            f"{settings.peer_stack}'s VPC {peer_cidr}: give each region its own range"
        ])


async def main() -> dict[str, Any]:
    settings = load_settings()
    provider = make_provider(settings)
    await check_availability_zones(settings, provider)
    await check_peer(settings)
    tiers = pulumi.ResourceOptions(providers={"aws": provider})

    identity = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(provider=provider))
    partition = aws.get_partition_output(opts=pulumi.InvokeOutputOptions(provider=provider))

    delivery = settings.delivery
    net = settings.network
    web = net.groups(SubnetType.PUBLIC)[0].name  # the load balancers' public group
    app = net.groups(SubnetType.PRIVATE)[0].name  # the tasks' private group
    inspected = frozenset({web}) if delivery is not None and delivery.appliances else frozenset()

    network = NetworkTier(
        "network",
        NetworkTierArgs(
            settings=net,
            region=settings.region,
            environment=settings.environment,
            account_id=identity.account_id,
            partition=partition.partition,
            inspected_groups=inspected,
        ),
        opts=tiers,
    )
    exports: dict[str, Any] = {}
    if delivery is not None:
        zones = network.zones
        web_group = next(g for g in net.subnet_groups if g.name == web)
        inspection = InspectionTier(
            "inspection",
            InspectionTierArgs(
                environment=settings.environment,
                zones=zones,
                vpc_id=network.vpc_id,
                internet_gateway_id=network.internet_gateway_id,
                appliance_subnets=network.subnets[delivery.appliance_subnet_group],
                endpoint_subnets=network.subnets[delivery.endpoint_subnet_group],
                inspected_route_tables=network.route_tables[web],
                inspected_cidrs={settings.zone(x): str(web_group.subnet_cidr(x)) for x in net.availability_zones},
                appliances=delivery.appliances,
                account_id=identity.account_id,
                partition=partition.partition,
            ),
            opts=tiers,
        )
        cloudfront = aws.ec2.get_managed_prefix_list_output(
            name="com.amazonaws.global.cloudfront.origin-facing", opts=pulumi.InvokeOutputOptions(provider=provider)
        )
        tier = DeliveryTier(
            "delivery",
            DeliveryTierArgs(
                settings=delivery,
                environment=settings.environment,
                region=settings.region,
                account_id=identity.account_id,
                partition=partition.partition,
                vpc_id=network.vpc_id,
                vpc_cidr=str(net.cidr),
                public_subnet_ids=[network.subnets[web][z].id for z in zones],
                private_subnet_ids=[network.subnets[app][z].id for z in zones],
                database_port=net.database_port,
                logs_key_arn=network.logs_key_arn,
                cloudfront_prefix_list_id=cloudfront.id,
            ),
            opts=tiers,
        )
        exports = {
            "albArn": tier.alb_arn,
            "albDnsName": tier.alb_dns_name,
            "albSecurityGroupId": tier.alb_security_group_id,
            "nlbArn": tier.nlb_arn,
            "nlbDnsName": tier.nlb_dns_name,
            "targetGroupArns": tier.target_group_arns,
            "serviceNames": tier.service_names,
            "serviceSecurityGroupIds": tier.service_security_group_ids,
            "repositoryUrls": tier.repository_urls,
            "alarmTopicArn": tier.alarm_topic_arn,
            "clusterName": tier.cluster_name,
            "gatewayLoadBalancerArn": inspection.gateway_load_balancer_arn,
            "inspectionEndpointServiceName": inspection.endpoint_service_name,
            "inspectionInline": inspection.inline,
        }

    return {
        "region": settings.region,
        "role": str(settings.role),
        "vpcId": network.vpc_id,
        "vpcCidr": network.vpc_cidr,
        "subnetIds": {str(t): ids for t, ids in network.subnet_ids.items()},
        "routeTableIds": {str(t): ids for t, ids in network.route_table_ids.items()},
        "dbSubnetGroupName": network.db_subnet_group_name,
        "endpointSecurityGroupId": network.endpoint_security_group_id,
        "flowLogGroupName": network.flow_log_group_name,
        "natGatewayIds": network.nat_gateway_ids,
        **exports,
    }


pulumi.run(main)
