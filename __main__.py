"""SecureCart Network: wiring only. Load the settings, build the tiers, export what others need."""

import datetime
import ipaddress
from typing import Any

import pulumi
import pulumi_aws as aws

from components.connectivity import ConnectivityTier, ConnectivityTierArgs, PeerConnectivity
from components.data import DataTier, DataTierArgs, PeerData
from components.delivery import DeliveryTier, DeliveryTierArgs, waiting_services
from components.inspection import InspectionTier, InspectionTierArgs
from components.network import NetworkTier, NetworkTierArgs
from components.settings.delivery import LoadBalancerKind
from components.settings.loader import load_settings
from components.settings.network import SubnetType
from components.settings.stack import StackSettings
from components.settings.types import ConfigError, Role


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


# The peer stack's outputs each role reads (DESIGN §1: plain values known at program start, None while missing).
# A stack reads only what decides what it builds, so the synth (and the deployment plan) runs it again only when
# one of these changes.
PEER_KEYS: dict[Role, tuple[str, ...]] = {
    Role.PRIMARY: ("vpcCidr", "transitGatewayAsn", "routedNetworks", "region", "transitGatewayId",
                   "imagesBucketArn", "imagesKeyArn", "databaseKeyArn"),
    Role.SECONDARY: ("vpcCidr", "transitGatewayAsn", "routedNetworks", "tgwPeeringAttachmentId", "dxGatewayId",
                     "dxPrefixes", "databaseArn", "databaseSecretArns",
                     "sessionsTableName", "sessionsReplicaRegions"),
}


async def read_peer(settings: StackSettings) -> dict[str, Any]:
    """The peer stack's outputs that decide what this stack builds; an empty answer when there is no peer."""
    if settings.peer_stack is None:
        return {}
    ref = pulumi.StackReference(
        f"{pulumi.get_organization()}/{pulumi.get_project()}/{settings.peer_stack}",
    )
    values: dict[str, Any] = {}
    for key in PEER_KEYS[settings.role]:
        details = await ref.get_output_details(key)
        values[key] = details.value if details.value is not None else details.secret_value
    return values


def check_peer(settings: StackSettings, peer: dict[str, Any]) -> None:
    """Cross-region rules at deploy time (the synth checks them across the stack files too): our VPC CIDR and the
    networks we route to must not overlap the peer's VPC, and our ASNs must differ from the peer gateway's."""
    if settings.peer_stack is None:
        return
    peer_cidr = peer.get("vpcCidr")
    if peer_cidr is None:
        pulumi.log.info(
            f"peer stack {settings.peer_stack} has no vpcCidr output yet (first deploy of a fresh pair): "
            f"the cross-region checks run on the next deploy"
        )
        return
    peer_net = ipaddress.ip_network(peer_cidr)
    problems: list[str] = []
    if settings.network.cidr.overlaps(peer_net):
        problems.append(f"securecart:network.cidr: {settings.network.cidr} overlaps the peer stack "
                        f"{settings.peer_stack}'s VPC {peer_cidr}: give each region its own range")
    c = settings.connectivity
    if c is not None:
        for net in [*(p.cidr for p in c.vpc_peers), *c.on_premises()]:
            if net.overlaps(peer_net):
                problems.append(f"securecart:connectivity: {net} overlaps the peer stack {settings.peer_stack}'s VPC "
                                f"{peer_cidr}: routed networks must be distinct")
        for theirs in peer.get("routedNetworks") or []:
            for ours in c.on_premises():
                if ours.overlaps(ipaddress.ip_network(theirs)):
                    problems.append(f"securecart:connectivity: site prefix {ours} overlaps {theirs}, routed by the "
                                    f"peer stack {settings.peer_stack}: SecureCart's sites need distinct networks")
        raw_asn = peer.get("transitGatewayAsn")
        asn = int(raw_asn) if raw_asn is not None else None  # numbers cross stack references as floats
        if asn is not None and asn == c.transit_gateway.asn:
            problems.append(f"securecart:connectivity.transitGateway.asn: {asn} is also the peer stack "
                            f"{settings.peer_stack}'s: peered Transit Gateways need distinct ASNs")
        dx = c.gateway(settings.role)
        if asn is not None and dx is not None and asn == dx.gateway_asn:
            problems.append(f"securecart:connectivity.directConnect.gatewayAsn: {asn} is the peer stack "
                            f"{settings.peer_stack}'s Transit Gateway ASN: the two must differ")
    if problems:
        raise ConfigError(problems)


async def main() -> dict[str, Any]:
    settings = load_settings()
    provider = make_provider(settings)
    await check_availability_zones(settings, provider)
    peer = await read_peer(settings)
    check_peer(settings, peer)
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
    service_security_groups: dict[str, pulumi.Output[str]] = {}
    task_roles: dict[str, pulumi.Output[str]] = {}
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
        waiting = await waiting_services(delivery, settings.environment, f"Pulumi.{pulumi.get_stack()}.yaml",
                                         pulumi.InvokeOutputOptions(provider=provider))
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
                access_log_bucket_id=network.access_log_bucket_id,
                cloudfront_prefix_list_id=cloudfront.id,
                now=datetime.datetime.now(datetime.UTC),
                waiting=waiting,
            ),
            opts=tiers,
        )
        service_security_groups = tier.service_security_group_ids
        task_roles = tier.task_role_names
        exports = {
            "albArn": tier.alb_arn,
            "albDnsName": tier.alb_dns_name,
            "albSecurityGroupId": tier.alb_security_group_id,
            "originVerifyHeader": tier.origin_verify_header,
            "originVerifyValue": tier.origin_verify_value,
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

    if settings.connectivity is not None:
        c = settings.connectivity
        links = ConnectivityTier(
            "connectivity",
            ConnectivityTierArgs(
                settings=c,
                role=settings.role,
                environment=settings.environment,
                region=settings.region,
                account_id=identity.account_id,
                vpc_id=network.vpc_id,
                vpc_cidr=str(net.cidr),
                attachment_subnet_ids=[network.subnets[c.transit_gateway.attachment_subnet_group][z].id
                                       for z in network.zones],
                route_tables=network.route_tables,
                group_types={g.name: g.type for g in net.subnet_groups},
                logs_key_arn=network.logs_key_arn,
                peer=PeerConnectivity(
                    region=peer.get("region"),
                    vpc_cidr=peer.get("vpcCidr"),
                    transit_gateway_id=peer.get("transitGatewayId"),
                    peering_attachment_id=peer.get("tgwPeeringAttachmentId"),
                    dx_gateway_id=peer.get("dxGatewayId"),
                    dx_prefixes=list(peer.get("dxPrefixes") or []),
                ),
                peer_stack=settings.peer_stack,
                pre_shared_keys=settings.pre_shared_keys(),
            ),
            opts=tiers,
        )
        exports.update({
            "transitGatewayId": links.transit_gateway_id,
            "transitGatewayAsn": c.transit_gateway.asn,
            "transitGatewayRouteTableIds": links.route_table_ids,
            "tgwVpcAttachmentId": links.vpc_attachment_id,
            "vpnConnectionIds": links.vpn_connection_ids,
            "vpnAttachmentIds": links.vpn_attachment_ids,
            "customerGatewayIds": links.customer_gateway_ids,
            "vpcPeeringConnectionIds": links.vpc_peering_connection_ids,
            "routedNetworks": sorted({*(str(p.cidr) for p in c.vpc_peers), *(str(n) for n in c.on_premises())}),
        })
        optional_links = {"tgwPeeringAttachmentId": links.peering_attachment_id, "dxGatewayId": links.dx_gateway_id,
                          "tgwDxAttachmentId": links.dx_attachment_id}
        exports.update({k: v for k, v in optional_links.items() if v is not None})
        if links.dx_gateway_id is not None:
            exports["dxPrefixes"] = links.dx_prefixes

    if settings.data is not None:
        data = DataTier(
            "data",
            DataTierArgs(
                settings=settings.data,
                role=settings.role,
                environment=settings.environment,
                region=settings.region,
                account_id=identity.account_id,
                partition=partition.partition,
                vpc_id=network.vpc_id,
                db_subnet_group_name=network.db_subnet_group_name,
                database_port=net.database_port,
                client_security_group_ids=dict(service_security_groups),
                client_role_names=dict(task_roles),
                session_clients=settings.data.sessions.clients if settings.data.sessions.clients is not None else [
                    s.name for s in (delivery.services if delivery is not None else [])
                    if s.load_balancer is LoadBalancerKind.ALB],
                logs_key_arn=network.logs_key_arn,
                access_log_bucket_id=network.access_log_bucket_id,
                images_bucket_name=settings.images_bucket_name,
                sessions_table_name=settings.sessions_table_name,
                peer=PeerData(
                    database_arn=peer.get("databaseArn"),
                    database_key_arn=peer.get("databaseKeyArn"),
                    database_secret_arns=dict(peer.get("databaseSecretArns") or {}),
                    images_bucket_arn=peer.get("imagesBucketArn"),
                    images_key_arn=peer.get("imagesKeyArn"),
                    sessions_table_name=peer.get("sessionsTableName"),
                    sessions_replica_regions=list(peer.get("sessionsReplicaRegions") or []),
                ),
                peer_stack=settings.peer_stack,
            ),
            opts=tiers,
        )
        exports.update({
            "databaseSecurityGroupId": data.database_security_group_id,
            "databaseKeyArn": data.database_key_arn,
            "imagesBucketName": data.images_bucket_name,
            "imagesBucketArn": data.images_bucket_arn,
            "imagesBucketRegionalDomainName": data.images_bucket_regional_domain_name,
            "imagesKeyArn": data.images_key_arn,
        })
        optional = {
            "databaseArn": data.database_arn,
            "databaseEndpoint": data.database_endpoint,
            "databaseSecretArn": data.database_secret_arn,
            "sessionsTableName": data.sessions_table_name,
            "sessionsTableArn": data.sessions_table_arn,
            "imagesReplicatedTo": data.images_replicated_to,
        }
        exports.update({k: v for k, v in optional.items() if v is not None})
        if data.database_secret_arns:
            exports["databaseSecretArns"] = data.database_secret_arns
        if data.sessions_replica_regions:
            exports["sessionsReplicaRegions"] = data.sessions_replica_regions

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
