"""SecureCart Network: wiring only. Load the settings, build the tiers, export what others need."""

import ipaddress
from typing import Any

import pulumi
import pulumi_aws as aws

from components.config import ConfigError, StackSettings, load_settings
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

    network = NetworkTier(
        "network",
        NetworkTierArgs(
            settings=settings.network,
            region=settings.region,
            environment=settings.environment,
            account_id=identity.account_id,
            partition=partition.partition,
        ),
        opts=tiers,
    )

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
    }


pulumi.run(main)
