"""The Shield tier: Shield Advanced on every public entry point of the stack, with health-based detection.

- The subscription is the account's (a one-year commitment): the primary stack owns it when
  ``shield.subscribe`` is true; with false, the account already has one. Either way it must exist before any
  protection: in a new account the plan's first step (prod-eu) would protect its load balancer before prod-us has
  subscribed, so subscribe first (README, Deploy). Waiting for it instead would leave prod-eu's entry points
  unprotected, which the policy gate refuses.
- Protections, each in the stack of what it protects: the internet-facing ALB, the NAT gateways' Elastic IPs (the
  VPC's internet-facing addresses), and in the primary the CloudFront distribution, the accelerator and the hosted
  zone. The API Gateway stage is not a resource Shield Advanced protects; its web ACL and throttling are its
  defence (and partners reach it only by its custom domain).
- Health-based detection: each ALB's protection is associated with its region's Route 53 health check (a
  secondary reads the primary's ``healthCheckIds``), the distribution's and the accelerator's with the calculated
  "any region healthy" check; NAT addresses and the zone have no health check of their own.
- The primary adds a protection group of every protection in the account (aggregated by the maximum) and the
  application-layer automatic response on the distribution (``shield.automaticResponse``: count or block).
"""

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.context import StackContext, Tier
from components.contract import PeerShield, ShieldOutputs
from components.delivery import DeliveryTier
from components.dns import DnsTier
from components.edge import EdgeTier
from components.network import NetworkTier
from components.settings.types import Role


@dataclass(frozen=True)
class ShieldTierArgs:
    network: NetworkTier
    delivery: DeliveryTier | None
    dns: DnsTier | None
    edge: EdgeTier | None
    peer: PeerShield


class ShieldTier(Tier):
    """The subscription (primary), a protection per public entry point, health associations, the group and the
    distribution's automatic response."""

    subscription: aws.shield.Subscription | None
    protections: dict[str, aws.shield.Protection]

    def __init__(self, name: str, ctx: StackContext, args: ShieldTierArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("securecart:shield:ShieldTier", name, ctx, opts)
        self.args, self.protections = args, {}
        primary = ctx.role is Role.PRIMARY
        self.subscription = self._subscription() if primary and ctx.settings.shield.subscribe else None
        self._addresses()
        self._load_balancer()
        self._edge()
        self._health()
        if primary:
            self._group()
        self.done()

    def exports(self) -> ShieldOutputs:
        return ShieldOutputs(shield_protection_ids={n: p.id for n, p in self.protections.items()})

    def _subscription(self) -> aws.shield.Subscription:
        """The account's Shield Advanced subscription, renewed automatically (cancelling it is a decision, not a
        deploy: it is protected). It is the stack's own child, not this tier's, so that a new account can make it
        alone first (``pulumi up --target`` with its URN and the provider's: README, Deploy)."""
        return aws.shield.Subscription("subscription", auto_renew="ENABLED", skip_destroy=True,
                                       opts=pulumi.ResourceOptions(provider=self.ctx.provider, protect=True))

    def _shielded(self, name: str, what: str, arn: pulumi.Input[str], *, old_parent: pulumi.Resource | None = None) \
            -> aws.shield.Protection:
        """A protection of ``arn`` named ``securecart-<env>-<what>``, after the subscription (``old_parent``: where
        it was declared before this tier owned it, so its URN carries over)."""
        protection = aws.shield.Protection(
            name, name=self.ctx.name(what), resource_arn=arn, tags=self.tags(name),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.subscription] if self.subscription else [],
                                        aliases=[pulumi.Alias(parent=old_parent)] if old_parent else None))
        self.protections[name] = protection
        return protection

    def _addresses(self) -> None:
        """The NAT gateways' Elastic IPs: what the VPC shows the internet."""
        for zone, eip in self.args.network.public_ips.items():
            self._shielded(f"nat-{zone}-eip-shield", f"nat-{zone}", pulumi.Output.concat(
                "arn:", self.ctx.partition, ":ec2:", self.ctx.region, ":", self.ctx.account_id, ":eip-allocation/",
                eip.allocation_id))

    def _load_balancer(self) -> None:
        delivery = self.args.delivery
        if delivery is not None:
            self._shielded("alb-shield", f"{self.ctx.region}-alb", delivery.alb.arn, old_parent=delivery.alb)

    def _edge(self) -> None:
        """The primary's global entry points."""
        dns, edge = self.args.dns, self.args.edge
        if dns is not None:
            self._shielded("zone-shield", "zone", dns.zone.arn, old_parent=dns)
        if edge is None:
            return
        cloudfront = self._shielded("cloudfront-shield", "cloudfront", edge.distribution.arn, old_parent=edge)
        self._shielded("accelerator-shield", "accelerator", edge.accelerator.arn, old_parent=edge)
        aws.shield.ApplicationLayerAutomaticResponse(
            "cloudfront-automatic-response", resource_arn=edge.distribution.arn,
            action=self.ctx.settings.shield.automatic_response.value.upper(),
            opts=pulumi.ResourceOptions(parent=cloudfront, depends_on=[cloudfront]))

    def _health(self) -> None:
        """Health-based detection: each protection with the health check of what it protects."""
        edge, region = self.args.edge, self.ctx.region
        checks: dict[str, pulumi.Input[str]] = {}
        if edge is not None:
            checks["cloudfront-shield"] = checks["accelerator-shield"] = edge.any_region_health_check.arn
            if region in edge.health_checks:
                checks["alb-shield"] = edge.health_checks[region].arn
        elif (peer_id := (self.args.peer.health_check_ids or {}).get(region)) is not None:
            checks["alb-shield"] = pulumi.Output.concat("arn:", self.ctx.partition, ":route53:::healthcheck/",
                                                        peer_id)
        elif "alb-shield" in self.protections:
            pulumi.log.info("shield: the ALB's protection gets health-based detection once the primary exports "
                            "this region's health check (healthCheckIds)", resource=self)
        for name, arn in checks.items():
            if name in self.protections:
                aws.shield.ProtectionHealthCheckAssociation(
                    f"{name}-health", shield_protection_id=self.protections[name].id, health_check_arn=arn,
                    opts=pulumi.ResourceOptions(parent=self.protections[name]))

    def _group(self) -> None:
        """One protection group of every protection in the account, so Shield's detection sees an attack on
        the shop as a whole."""
        aws.shield.ProtectionGroup(
            "protection-group", protection_group_id=self.ctx.name("all"), aggregation="MAX", pattern="ALL",
            tags=self.tags("protection-group"),
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(self.protections.values()) +
                                        ([self.subscription] if self.subscription else [])))
