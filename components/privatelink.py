"""The PrivateLink tier: SecureCart's payment API offered as an endpoint service, and the payment processor's
service consumed through an interface endpoint, in each region.

- Provider: an endpoint service on an internal NLB of its own that carries only the offered service's listener
  (an NLB serves one endpoint service, and the partners' VPC link is one on the payment NLB). Every connection is
  accepted by hand (``acceptance_required``), and only the principals in ``privateLink.allowedPrincipals`` may ask
  (never ``*``). PrivateLink traffic is not filtered by the NLB's group (its source is the consumer's own address,
  unknown here), so acceptance and the principals are the gate; nothing inside the VPC may use that NLB.
- Its private DNS name is ``<service>.<region>.<domain>`` (the region's certificate covers it). AWS verifies it
  by a TXT record in the domain's zone, which only the primary (the zone's owner) can write: the secondary exports
  its record (``paymentServiceDnsVerification``), the primary writes it and exports the names written
  (``verifiedDnsNames``), and the secondary's next run asks AWS to verify.
- Consumer: an interface endpoint to the processor's service in the tasks' private subnets, one per AZ, behind a
  group that admits HTTPS from the client service alone; the client service's HTTPS egress goes to this endpoint
  and to AWS's own endpoints, nowhere else (``components.delivery``: ``private_egress``).
"""

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.context import StackContext, Tier
from components.contract import PeerEdge, PrivateLinkOutputs
from components.delivery import DeliveryTier
from components.dns import DnsTier
from components.settings.protection import PrivateLinkSettings
from components.settings.types import ConfigError, Role


async def processor_zones(ctx: StackContext) -> list[str] | None:
    """The AZs the payment processor's endpoint service is offered in (an endpoint can only have subnets there),
    asked before anything is built; None without a processor."""
    settings = ctx.settings.private_link
    processor = settings.processor if settings is not None else None
    if processor is None:
        return None
    found = await aws.ec2.get_vpc_endpoint_service_output(service_name=processor.service_name,
                                                          opts=ctx.invoke_options()).future()
    offered = list(found.availability_zones) if found is not None else list(ctx.zones)
    zones = [z for z in ctx.zones if z in offered]
    if not zones:
        raise ConfigError([f"securecart:privateLink.processor.serviceName: {processor.service_name} is offered in "
                           f"{', '.join(offered) or 'no AZ'}, none of this stack's ({', '.join(ctx.zones)})"])
    return zones


@dataclass(frozen=True)
class PrivateLinkTierArgs:
    delivery: DeliveryTier
    dns: DnsTier | None  # the primary's zone (it writes the verification records)
    domain: str | None  # the shop's domain (None: no private DNS name yet)
    peer: PeerEdge
    processor_zones: list[str] | None = None  # where the processor's service is offered (``processor_zones``)


class PrivateLinkTier(Tier):
    """The payment endpoint service (and its DNS verification) and the processor's interface endpoint."""

    settings: PrivateLinkSettings
    service: aws.ec2.VpcEndpointService
    processor_endpoint: aws.ec2.VpcEndpoint | None
    verified: list[str]  # primary: the verification records written

    def __init__(self, name: str, ctx: StackContext, args: PrivateLinkTierArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("securecart:privatelink:PrivateLinkTier", name, ctx, opts)
        if ctx.settings.private_link is None:
            raise ValueError("the PrivateLink tier needs securecart:privateLink (validated when the settings load)")
        self.settings, self.args, self.verified = ctx.settings.private_link, args, []
        self.private_dns_name = f"{self.settings.service}.{ctx.region}.{args.domain}" if args.domain else None
        self.service = self._endpoint_service()
        self._verification()
        self.processor_endpoint = self._processor()
        self.done()

    def exports(self) -> PrivateLinkOutputs:
        record = self.service.private_dns_name_configurations.apply(
            lambda c: {"name": c[0].name, "value": c[0].value} if c and c[0].name and c[0].value else {}) \
            if self.private_dns_name else None
        return PrivateLinkOutputs(
            payment_endpoint_service_name=self.service.service_name, payment_service_dns_verification=record,
            processor_endpoint_id=self.processor_endpoint.id if self.processor_endpoint else None,
            verified_dns_names=self.verified or None)

    def _endpoint_service(self) -> aws.ec2.VpcEndpointService:
        nlb = self.args.delivery.endpoint_nlb
        if nlb is None:
            raise ValueError("the delivery tier builds the endpoint service's NLB (DeliveryTierArgs.endpoint_service)")
        return aws.ec2.VpcEndpointService(
            "payment-endpoint-service", network_load_balancer_arns=[nlb.arn],
            acceptance_required=True, allowed_principals=self.settings.allowed_principals,
            private_dns_name=self.private_dns_name, supported_ip_address_types=["ipv4"],
            tags=self.tags("payment-endpoint-service", Service=self.settings.service), opts=self.child)

    def _record(self, name: str, fqdn: pulumi.Input[str], value: pulumi.Input[str]) -> aws.route53.Record:
        dns = self.args.dns
        if dns is None:
            raise ValueError("only the zone's owner writes verification records")
        return aws.route53.Record(name, zone_id=dns.zone.zone_id, name=fqdn, type="TXT", records=[value], ttl=300,
                                  opts=pulumi.ResourceOptions(parent=self))

    def _verification(self) -> None:
        """The private DNS name's TXT record (the primary writes its own and the secondary's) and the request to
        verify it (each stack its own, once the record exists)."""
        if self.private_dns_name is None:
            pulumi.log.info("privatelink: the payment service gets its private DNS name once the primary exports "
                            "the domain", resource=self)
            return
        if self.ctx.role is Role.PRIMARY:
            config = self.service.private_dns_name_configurations
            own = self._record("payment-service-dns-verification",
                               config.apply(lambda c: f"{c[0].name}.{self.private_dns_name}"),
                               config.apply(lambda c: str(c[0].value)))
            self.verified.append(self.private_dns_name)
            peer_record, peer_region = self.args.peer.payment_service_dns_verification, self.args.peer.region
            if peer_record and peer_region and peer_record.get("name") and peer_record.get("value"):
                peer_name = f"{self.settings.service}.{peer_region}.{self.args.domain}"
                self._record(f"payment-service-dns-verification-{peer_region}",
                             f"{peer_record['name']}.{peer_name}", peer_record["value"])
                self.verified.append(peer_name)
            aws.vpc.EndpointServicePrivateDnsVerification(
                "payment-service-dns-verify", service_id=self.service.id, wait_for_verification=True,
                opts=pulumi.ResourceOptions(parent=self.service, depends_on=[own]))
        elif self.private_dns_name in (self.args.peer.verified_dns_names or []):
            aws.vpc.EndpointServicePrivateDnsVerification(
                "payment-service-dns-verify", service_id=self.service.id, wait_for_verification=True,
                opts=pulumi.ResourceOptions(parent=self.service))
        else:
            pulumi.log.info(f"privatelink: {self.private_dns_name} is verified once the primary has written its "
                            f"record (verifiedDnsNames)", resource=self)

    def _processor(self) -> aws.ec2.VpcEndpoint | None:
        """The processor's endpoint in every AZ of the tasks' subnets, admitting HTTPS from the client service."""
        processor, delivery = self.settings.processor, self.args.delivery
        if processor is None:
            return None
        client = delivery.service_security_groups[processor.client]
        sg = aws.ec2.SecurityGroup(
            "processor-endpoint-sg", vpc_id=delivery.network.vpc.id, tags=self.tags("processor-endpoint-sg"),
            description=f"Payment processor endpoint: HTTPS from the {processor.client} tasks only", opts=self.child)
        aws.vpc.SecurityGroupIngressRule(
            "processor-endpoint-sg-https", security_group_id=sg.id, ip_protocol="tcp", from_port=443, to_port=443,
            referenced_security_group_id=client.id, description=f"HTTPS from the {processor.client} tasks",
            opts=pulumi.ResourceOptions(parent=sg))
        aws.vpc.SecurityGroupEgressRule(
            f"{processor.client}-sg-https-to-processor", security_group_id=client.id, ip_protocol="tcp",
            from_port=443, to_port=443, referenced_security_group_id=sg.id, description="HTTPS to the processor",
            opts=pulumi.ResourceOptions(parent=client))
        return aws.ec2.VpcEndpoint(
            "processor-endpoint", vpc_id=delivery.network.vpc.id, service_name=processor.service_name,
            vpc_endpoint_type="Interface", security_group_ids=[sg.id],
            subnet_ids=[r.subnet.id for r in delivery.task_subnets.records
                        if r.zone in (self.args.processor_zones or self.ctx.zones)],
            private_dns_enabled=processor.private_dns, tags=self.tags("processor-endpoint"), opts=self.child)
