"""The edge tier (primary stack, with ``securecart:edge``): CloudFront for the storefront, Route 53's latency and
geolocation routing with health checks for the regional API name, and Global Accelerator for checkout, with the
CLOUDFRONT-scope web ACL and Shield Advanced on each public entry point. Regions are reached through this stack's
delivery tier and the peer's outputs (a region whose outputs are not there yet is left out, and the program says
so); the zone and certificates come from the DNS tier.

How customers reach a region:
- ``storefront`` (www) is CloudFront. Cached paths (``cachedPaths``: images, and the JS/CSS the build publishes
  under ``static/``) come from the images buckets through origin access control, in an origin group that tries the
  primary's bucket and, on a 5xx, the secondary's replica. Every other path (the storefront pages, ``/api/*``,
  ``/checkout*``) is never cached, allows every method and forwards all headers (except Host), cookies and query
  strings to the origin ``api`` with CloudFront's verification header.
- ``api`` is the nearest healthy region: geolocation records (``geolocation``) send listed locations to their
  region; everyone else gets the default record, an alias of ``nearest.<api>``, whose latency records pick the
  closest region. Each record is bound to its region's health check, so an unhealthy region drops out and its
  customers fall through to the default (latency over the healthy ones). The ALBs admit only CloudFront (and the
  health checkers on the health path), so ``api`` is CloudFront's origin name, not a way around it.
- A POST in flight when a region fails is lost (CloudFront retries an origin only for GET/HEAD/OPTIONS, through
  origin groups); CloudFront keeps resolving ``api`` and reaches the healthy region once Route 53 stops answering
  with the failed one and the 60-second alias TTL has passed (``failover``). Checkout retries with its idempotency
  key.
- ``checkout`` is the accelerator: a TCP 443 listener with source-IP affinity, one endpoint group per region on that
  region's internal accelerator ALB with client IP preservation; the accelerator follows the ALB's target health
  and moves customers at once (its addresses never change). The accelerator ALB's own web ACL protects that path.
  That traffic arrives through the accelerator's network interfaces in the private subnets, not through the
  internet gateway, so the inspection appliances (Gateway Load Balancer, ingress routing) do not see it.

Failover figures (``components.settings.edge.failover_figures``) are exported as ``failover`` and printed by the
synth.
"""

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.buckets import private_bucket
from components.context import StackContext, Tier
from components.contract import EdgeOutputs, PeerEdge
from components.delivery import DeliveryTier
from components.dns import DnsTier
from components.documents import policy_document
from components.network import NetworkTier
from components.partners import PartnersTier
from components.settings.edge import EdgeSettings, geolocation_kind
from components.settings.types import ConfigError
from components.waf import WebAclSpec, protective_rules, web_acl

# AWS-managed CloudFront policies (stable IDs, "Use managed cache policies" / "origin request policies").
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
ALL_METHODS = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
FAILOVER_STATUS_CODES = [500, 502, 503, 504]
ACCELERATOR_LOG_PREFIX = "accelerator"
DYNAMIC_ORIGIN = "regional-api"
IMAGES_GROUP = "images"
PRIMARY_ORIGIN_ATTEMPTS, PRIMARY_ORIGIN_TIMEOUT = 1, 5  # the images group's primary: see _origins


def cached_prefixes(paths: list[str]) -> list[str]:
    """The path prefixes of the cached paths (``/images/*`` → ``/images/``): the rate limit does not count requests
    for assets, which a page asks for by the dozen (customers behind one carrier NAT share an address)."""
    return [p[:-1] for p in paths if p.endswith("*") and "*" not in p[:-1] and "?" not in p]


@dataclass(frozen=True)
class Region:
    """What the edge needs of one region's delivery: its ALB, its accelerator ALB, its images bucket."""

    name: str
    alb_dns_name: pulumi.Input[str]
    alb_zone_id: pulumi.Input[str]
    accelerator_alb_arn: pulumi.Input[str] | None
    images_domain: pulumi.Input[str] | None
    partners_target: tuple[pulumi.Input[str], pulumi.Input[str]] | None  # the partners' API domain: name, zone


def log_bucket_policy(bucket_arn: str, account: str, partition: str, delivery_source: str) -> str:
    """TLS only; the log delivery service may write CloudFront's access logs (standard logging v2, from this
    delivery source) and the accelerator's flow logs (under its prefix), for this account only."""
    def objects(prefix: str) -> str:
        return f"{bucket_arn}/{prefix}AWSLogs/{account}/*"
    owner = {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceAccount": account}
    return policy_document([
        {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": [bucket_arn, f"{bucket_arn}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        {"Sid": "CloudFrontAccessLogs", "Effect": "Allow", "Principal": {"Service": "delivery.logs.amazonaws.com"},
         "Action": "s3:PutObject", "Resource": objects(""),
         "Condition": {"StringEquals": owner, "ArnLike": {
             "aws:SourceArn": f"arn:{partition}:logs:us-east-1:{account}:delivery-source:{delivery_source}"}}},
        {"Sid": "AcceleratorFlowLogs", "Effect": "Allow", "Principal": {"Service": "delivery.logs.amazonaws.com"},
         "Action": "s3:PutObject", "Resource": objects(f"{ACCELERATOR_LOG_PREFIX}/"),
         "Condition": {"StringEquals": owner}},
        {"Sid": "LogDeliveryAcl", "Effect": "Allow", "Principal": {"Service": "delivery.logs.amazonaws.com"},
         "Action": "s3:GetBucketAcl", "Resource": bucket_arn,
         "Condition": {"StringEquals": {"aws:SourceAccount": account}}},
    ])


def log_key_policy(account: str, partition: str) -> str:
    """The account administers the edge log key; the log delivery service may encrypt with it (and decrypt, for
    the bucket key) for this account's deliveries only."""
    return policy_document([
        {"Sid": "AccountAdministers", "Effect": "Allow", "Principal": {"AWS": f"arn:{partition}:iam::{account}:root"},
         "Action": "kms:*", "Resource": "*"},
        {"Sid": "LogDeliveryEncrypts", "Effect": "Allow", "Principal": {"Service": "delivery.logs.amazonaws.com"},
         "Action": ["kms:GenerateDataKey*", "kms:Decrypt"], "Resource": "*",
         "Condition": {"StringEquals": {"aws:SourceAccount": account}}},
    ])


@dataclass(frozen=True)
class EdgeTierArgs:
    network: NetworkTier
    dns: DnsTier
    delivery: DeliveryTier
    peer: PeerEdge
    partners: PartnersTier | None = None


class EdgeTier(Tier):
    """CloudFront (with its web ACL and logs), the records and health checks, the accelerator, Shield."""

    edge: EdgeSettings
    regions: dict[str, Region]
    distribution: aws.cloudfront.Distribution
    health_checks: dict[str, aws.route53.HealthCheck]  # region -> its HTTPS check
    any_region_health_check: aws.route53.HealthCheck  # healthy while any region is (Shield's detection for the edge)
    accelerator: aws.globalaccelerator.Accelerator

    def __init__(self, name: str, ctx: StackContext, args: EdgeTierArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("securecart:edge:EdgeTier", name, ctx, opts)
        if ctx.settings.edge is None:
            raise ValueError("the edge tier needs securecart:edge (validated when the settings load)")
        if args.dns.cloudfront_certificate_arn is None:
            raise ValueError("the edge needs the DNS tier's certificates (securecart:edge.zoneDelegated)")
        self.edge, self.args = ctx.settings.edge, args
        self.certificate_arn: pulumi.Output[str] = args.dns.cloudfront_certificate_arn
        self.regions = self._regions()
        # Until the peer exports its load balancer, the routing reaches one region only, by the plan's order; the
        # health checks and the accelerator say so (SecondRegion=pending), as the images bucket's Replication tag
        # does, so the pack's path-survives-region-loss waits for the next pass instead of failing this one.
        self.pending = {"SecondRegion": "pending"} if len(self.regions) < 2 and self.ctx.peer_stack else {}
        logs, logs_policy = self._log_bucket()
        self.distribution = self._distribution(self._web_acl())
        self._access_logs(logs, logs_policy)
        self.health_checks = self._health_checks()
        self._records()
        self.accelerator = self._accelerator(logs, logs_policy)
        self.done()

    def exports(self) -> EdgeOutputs:
        return EdgeOutputs(
            distribution_arn=self.distribution.arn, distribution_domain_name=self.distribution.domain_name,
            domain=self.edge.domain, partners_name=self.edge.partners_name,
            storefront_name=self.edge.storefront_name, api_name=self.edge.api_name,
            checkout_name=self.edge.checkout_name, health_check_path=self.edge.health_check.path,
            health_check_ids={r: hc.id for r, hc in self.health_checks.items()},
            accelerator_arn=self.accelerator.arn, accelerator_dns_name=self.accelerator.dns_name,
            failover=self.edge.failover.model_dump(by_alias=True))

    # --- the regions ----------------------------------------------------------------------------------------------

    def _regions(self) -> dict[str, Region]:
        """This stack's region, and the peer's once its outputs exist (plan order: the secondary runs first)."""
        delivery, peer, home = self.args.delivery, self.args.peer, self.ctx.region
        data = self.ctx.settings.data
        partners = self.args.partners
        regions = {home: Region(
            home, delivery.alb.dns_name, delivery.alb.zone_id,
            delivery.accelerator_alb.arn if delivery.accelerator_alb else None,
            f"{self.ctx.settings.images_bucket_name}.s3.{home}.amazonaws.com" if data is not None else None,
            (partners.domain_name.regional_domain_name, partners.domain_name.regional_zone_id) if partners else None)}
        if peer.region and peer.alb_dns_name and peer.alb_zone_id:
            peer_partners = (peer.partners_domain_target, peer.partners_domain_zone_id) \
                if peer.partners_domain_target and peer.partners_domain_zone_id else None
            regions[peer.region] = Region(peer.region, peer.alb_dns_name, peer.alb_zone_id,
                                          peer.accelerator_alb_arn, peer.images_bucket_regional_domain_name,
                                          peer_partners)
        elif self.ctx.peer_stack:
            pulumi.log.info(f"edge: {self.ctx.peer_stack}'s region is left out until it exports its load "
                            f"balancer (albDnsName, albZoneId): deploy it, then this stack again", resource=self)
        unknown = [f"securecart:edge.geolocation[{i}].region: {g.region} is neither this stack's region nor its "
                   f"peer's ({', '.join(regions)})" for i, g in enumerate(self.edge.geolocation)
                   if g.region not in regions and (peer.region or not self.ctx.peer_stack)]
        if unknown:
            raise ConfigError(unknown)
        return regions

    # --- CloudFront -----------------------------------------------------------------------------------------------

    def _log_bucket(self) -> tuple[aws.s3.Bucket, aws.s3.BucketPolicy]:
        """CloudFront's access logs and the accelerator's flow logs, under a key of their own that the log
        delivery service may use."""
        key = aws.kms.Key(
            "edge-logs-key", description=f"SecureCart {self.ctx.environment}: CloudFront and accelerator logs",
            enable_key_rotation=True, deletion_window_in_days=30,
            policy=pulumi.Output.all(self.ctx.account_id, self.ctx.partition).apply(
                lambda v: log_key_policy(v[0], v[1])),
            tags=self.tags("edge-logs-key"), opts=pulumi.ResourceOptions(parent=self, protect=True))
        logs = private_bucket("edge-logs", parent=self, tags=self.tags("edge-logs"), kms_key_arn=key.arn,
                              lifecycle_rules=[{
            "id": "expire-logs", "status": "Enabled", "filter": {"prefix": ""},
            "expiration": {"days": self.edge.log_retention_days},
            "noncurrent_version_expiration": {"noncurrent_days": 7}}])
        source = self.ctx.name("cloudfront-access")
        policy = aws.s3.BucketPolicy(
            "edge-logs-policy", bucket=logs.bucket.id,
            policy=pulumi.Output.all(logs.bucket.arn, self.ctx.account_id, self.ctx.partition).apply(
                lambda v: log_bucket_policy(v[0], v[1], v[2], source)),
            opts=logs.settings)
        aws.s3.BucketLogging("edge-logs-logging", bucket=logs.bucket.id,
                             target_bucket=self.args.network.access_log_bucket_id, target_prefix="edge-logs/",
                             opts=logs.settings)
        return logs.bucket, policy

    def _web_acl(self) -> aws.wafv2.WebAcl:
        """The CLOUDFRONT-scope web ACL (this stack is in us-east-1, where AWS keeps them): AWS's managed groups
        and a rate limit per client IP."""
        return web_acl(WebAclSpec(
            name="cloudfront-waf", scope="CLOUDFRONT", metric_name=self.ctx.name("cloudfront"),
            description="SecureCart CloudFront: AWS managed common, SQL injection, bad inputs, IP reputation, "
                        "rate limit",
            rules=protective_rules(self.ctx.settings.waf, 0, self.edge.rate_limit,
                                   exempt_prefixes=cached_prefixes(self.edge.cached_paths)),
            log_group_name=f"aws-waf-logs-{self.ctx.name('cloudfront')}",
            logs_key_arn=self.args.network.logs_key_arn, log_retention_days=self.edge.log_retention_days,
            tags=self.tags("cloudfront-waf")), parent=self)

    def _policies(self) -> tuple[aws.cloudfront.CachePolicy, aws.cloudfront.ResponseHeadersPolicy]:
        """Long-lived, compressed, cookie-free caching for assets; security headers on every response."""
        cache = aws.cloudfront.CachePolicy(
            "static-cache", name=self.ctx.name("static-assets"), comment="Images, JS and CSS: a day to a year",
            min_ttl=0, default_ttl=86400, max_ttl=31536000,
            parameters_in_cache_key_and_forwarded_to_origin={
                "cookies_config": {"cookie_behavior": "none"}, "headers_config": {"header_behavior": "none"},
                "query_strings_config": {"query_string_behavior": "none"},
                "enable_accept_encoding_gzip": True, "enable_accept_encoding_brotli": True},
            opts=self.child)
        headers = aws.cloudfront.ResponseHeadersPolicy(
            "security-headers", name=self.ctx.name("security-headers"),
            comment="HSTS, nosniff, no framing, strict referrer",
            security_headers_config={
                "strict_transport_security": {"access_control_max_age_sec": 63072000, "include_subdomains": True,
                                              "preload": True, "override": True},
                "content_type_options": {"override": True},
                "frame_options": {"frame_option": "DENY", "override": True},
                "referrer_policy": {"referrer_policy": "strict-origin-when-cross-origin", "override": True},
                "xss_protection": {"protection": True, "mode_block": True, "override": True}},
            opts=self.child)
        return cache, headers

    def _origins(self) -> tuple[list[aws.cloudfront.DistributionOriginArgsDict],
                                list[aws.cloudfront.DistributionOriginGroupArgsDict], str]:
        """The images buckets (through origin access control) in a failover group, and the regional API name
        with the verification header. Returns the origins, the groups and the cached paths' target."""
        oac = aws.cloudfront.OriginAccessControl(
            "images-oac", name=self.ctx.name("images"), description="CloudFront reads the images buckets",
            origin_access_control_origin_type="s3", signing_behavior="always", signing_protocol="sigv4",
            opts=self.child)
        delivery = self.args.delivery
        sent = delivery.origin_verify_sent
        if sent is None:
            raise ValueError("the edge runs in the primary, whose delivery tier generates the verification value")
        origins: list[aws.cloudfront.DistributionOriginArgsDict] = [{
            "origin_id": DYNAMIC_ORIGIN, "domain_name": self.edge.api_name,
            "connection_attempts": 3, "connection_timeout": 10,
            "custom_origin_config": {"http_port": 80, "https_port": 443, "origin_protocol_policy": "https-only",
                                     "origin_ssl_protocols": ["TLSv1.2"], "origin_read_timeout": 30,
                                     "origin_keepalive_timeout": 5},
            "custom_headers": [{"name": delivery.origin_verify_header, "value": sent}]}]
        buckets = []
        for r in self.regions.values():
            if r.images_domain is not None:
                buckets.append(r)
                origins.append({"origin_id": f"images-{r.name}", "domain_name": r.images_domain,
                                "origin_access_control_id": oac.id, "connection_attempts": 3,
                                "connection_timeout": 10})
        if len(buckets) < 2:
            return origins, [], f"images-{buckets[0].name}"
        # Origin failover is per request: every cache miss tries the primary first. One attempt of 5 s (not 3 of
        # 10) bounds what each miss waits while the primary's region does not answer; its replica is the retry.
        primary = next(o for o in origins if o["origin_id"] == f"images-{buckets[0].name}")
        primary.update({"connection_attempts": PRIMARY_ORIGIN_ATTEMPTS, "connection_timeout": PRIMARY_ORIGIN_TIMEOUT})
        return origins, [{"origin_id": IMAGES_GROUP, "failover_criteria": {"status_codes": FAILOVER_STATUS_CODES},
                          "members": [{"origin_id": f"images-{r.name}"} for r in buckets]}], IMAGES_GROUP

    def _distribution(self, acl: aws.wafv2.WebAcl) -> aws.cloudfront.Distribution:
        """The storefront's distribution: HTTPS only with the validated certificate, HTTP/2 and 3, IPv6, the
        web ACL; cached paths from the images origin group, everything else to the nearest healthy region."""
        cache, headers = self._policies()
        origins, groups, images = self._origins()

        dynamic: aws.cloudfront.DistributionDefaultCacheBehaviorArgsDict = {
            "target_origin_id": DYNAMIC_ORIGIN, "viewer_protocol_policy": "redirect-to-https",
            "allowed_methods": ALL_METHODS, "cached_methods": ["GET", "HEAD"], "cache_policy_id": CACHING_DISABLED,
            "origin_request_policy_id": ALL_VIEWER_EXCEPT_HOST, "response_headers_policy_id": headers.id,
            "compress": True}
        ordered: list[aws.cloudfront.DistributionOrderedCacheBehaviorArgsDict] = [
            {"path_pattern": path, "target_origin_id": images, "viewer_protocol_policy": "redirect-to-https",
             "allowed_methods": ["GET", "HEAD", "OPTIONS"], "cached_methods": ["GET", "HEAD"],
             "cache_policy_id": cache.id, "response_headers_policy_id": headers.id, "compress": True}
            for path in self.edge.cached_paths]
        ordered += [{"path_pattern": path, **dynamic} for path in self.edge.dynamic_paths]
        return aws.cloudfront.Distribution(
            "distribution", enabled=True, comment=f"SecureCart {self.ctx.environment} storefront",
            aliases=[self.edge.storefront_name], price_class=self.edge.price_class, http_version="http2and3",
            is_ipv6_enabled=True, web_acl_id=acl.arn, origins=origins, origin_groups=groups,
            default_cache_behavior=dynamic, ordered_cache_behaviors=ordered,
            viewer_certificate={"acm_certificate_arn": self.certificate_arn,
                                "ssl_support_method": "sni-only", "minimum_protocol_version": "TLSv1.2_2021"},
            restrictions={"geo_restriction": {"restriction_type": "none"}},
            tags=self.tags("distribution"), opts=self.child)

    def _access_logs(self, bucket: aws.s3.Bucket, policy: aws.s3.BucketPolicy) -> None:
        """Standard logging (v2): CloudFront's access logs delivered to the log bucket by CloudWatch's log
        delivery (legacy logging would need ACLs, which every SecureCart bucket disables)."""
        opts = pulumi.ResourceOptions(parent=self.distribution)
        source = aws.cloudwatch.LogDeliverySource(
            "cloudfront-access-logs", name=self.ctx.name("cloudfront-access"), log_type="ACCESS_LOGS",
            resource_arn=self.distribution.arn, tags=self.tags("cloudfront-access-logs"), opts=opts)
        destination = aws.cloudwatch.LogDeliveryDestination(
            "cloudfront-access-logs-bucket", name=self.ctx.name("cloudfront-access-s3"), output_format="json",
            delivery_destination_configuration={"destination_resource_arn": bucket.arn},
            tags=self.tags("cloudfront-access-logs-bucket"), opts=opts)
        aws.cloudwatch.LogDelivery(
            "cloudfront-access-logs-delivery", delivery_source_name=source.name,
            delivery_destination_arn=destination.arn, tags=self.tags("cloudfront-access-logs-delivery"),
            opts=pulumi.ResourceOptions(parent=self.distribution, depends_on=[policy]))

    # --- Route 53 -------------------------------------------------------------------------------------------------

    def _health_checks(self) -> dict[str, aws.route53.HealthCheck]:
        """Per region, an HTTPS check of its ALB's health path from several checker regions (the monitoring tier
        alarms on each: Route 53's health metrics exist only in us-east-1, this stack's region)."""
        hc, checks = self.edge.health_check, {}
        for region in self.regions.values():
            check = aws.route53.HealthCheck(
                f"health-{region.name}", type="HTTPS", fqdn=region.alb_dns_name, port=443,
                resource_path=hc.path, request_interval=hc.interval_seconds, failure_threshold=hc.failure_threshold,
                regions=hc.regions, measure_latency=True, enable_sni=True,
                tags=self.tags(f"health-{region.name}", Region=region.name, **self.pending), opts=self.child)
            checks[region.name] = check
        self.any_region_health_check = aws.route53.HealthCheck(
            "health-any-region", type="CALCULATED", child_healthchecks=[c.id for c in checks.values()],
            child_health_threshold=1, tags=self.tags("health-any-region", **self.pending), opts=self.child)
        return checks

    def _alias(self, logical: str, region: Region, **routing: Any) -> aws.route53.Record:
        """An A alias of ``region``'s ALB, bound to the region's health check (and its targets' health)."""
        return aws.route53.Record(
            logical, zone_id=self.args.dns.zone.zone_id, type="A", health_check_id=self.health_checks[region.name].id,
            aliases=[{"name": region.alb_dns_name, "zone_id": region.alb_zone_id, "evaluate_target_health": True}],
            opts=self.child, **routing)

    def _records(self) -> None:
        """storefront → CloudFront; api → geolocation (default: latency over the regions); checkout is the
        accelerator's (``_accelerator``)."""
        zone, edge = self.args.dns.zone, self.edge
        for kind in ("A", "AAAA"):
            aws.route53.Record(
                f"storefront-{kind.lower()}", zone_id=zone.zone_id, name=edge.storefront_name, type=kind,
                aliases=[{"name": self.distribution.domain_name, "zone_id": self.distribution.hosted_zone_id,
                          "evaluate_target_health": False}], opts=self.child)
        nearest: list[pulumi.Resource] = [
            self._alias(f"api-nearest-{region.name}", region, name=edge.nearest_api_name, set_identifier=region.name,
                        latency_routing_policies=[{"region": region.name}]) for region in self.regions.values()]
        for g in edge.geolocation:
            if g.region not in self.regions:  # the peer's, before its outputs exist (said in ``_regions``)
                continue
            self._alias(f"api-geo-{g.location.lower()}", self.regions[g.region], name=edge.api_name,
                        set_identifier=f"geo-{g.location}",
                        geolocation_routing_policies=[{geolocation_kind(g.location): g.location}])
        for region in self.regions.values():
            if region.partners_target is not None:
                target, zone_id = region.partners_target
                aws.route53.Record(
                    f"partners-{region.name}", zone_id=zone.zone_id, name=edge.partners_name, type="A",
                    set_identifier=region.name, latency_routing_policies=[{"region": region.name}],
                    health_check_id=self.health_checks[region.name].id,
                    aliases=[{"name": target, "zone_id": zone_id, "evaluate_target_health": False}],
                    opts=self.child)
        aws.route53.Record(
            "api-geo-default", zone_id=zone.zone_id, name=edge.api_name, type="A", set_identifier="geo-default",
            geolocation_routing_policies=[{"country": "*"}],
            aliases=[{"name": edge.nearest_api_name, "zone_id": zone.zone_id, "evaluate_target_health": True}],
            # Route 53 refuses an alias to a name the zone does not hold yet.
            opts=pulumi.ResourceOptions(parent=self, depends_on=nearest))

    # --- Global Accelerator ---------------------------------------------------------------------------------------

    def _accelerator(self, logs: aws.s3.Bucket, logs_policy: aws.s3.BucketPolicy) \
            -> aws.globalaccelerator.Accelerator:
        """The checkout name's accelerator: flow logs, TCP 443 with source-IP affinity, an endpoint group per
        region on its accelerator ALB (client IP preservation), dialled from config."""
        accelerator = aws.globalaccelerator.Accelerator(
            "accelerator", name=self.ctx.name("checkout"), ip_address_type="IPV4", enabled=True,
            attributes={"flow_logs_enabled": True, "flow_logs_s3_bucket": logs.bucket,
                        "flow_logs_s3_prefix": ACCELERATOR_LOG_PREFIX},
            tags=self.tags("accelerator", **self.pending),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[logs_policy]))
        listener = aws.globalaccelerator.Listener(
            "accelerator-https", accelerator_arn=accelerator.arn, protocol="TCP", client_affinity="SOURCE_IP",
            port_ranges=[{"from_port": 443, "to_port": 443}], opts=pulumi.ResourceOptions(parent=accelerator))
        for region in self.regions.values():
            if region.accelerator_alb_arn is None:
                pulumi.log.info(f"edge: {region.name} has no accelerator ALB (no accelerated service) yet: its "
                                f"endpoint group waits", resource=self)
                continue
            # Global Accelerator follows the ALB's target health for this endpoint: its own health settings
            # (interval, threshold) do not apply to load-balancer endpoints.
            aws.globalaccelerator.EndpointGroup(
                f"accelerator-{region.name}", listener_arn=listener.arn, endpoint_group_region=region.name,
                traffic_dial_percentage=self.edge.accelerator.dial(region.name),
                endpoint_configurations=[{"endpoint_id": region.accelerator_alb_arn, "weight": 128,
                                          "client_ip_preservation_enabled": True}],
                opts=pulumi.ResourceOptions(parent=listener))
        aws.route53.Record(
            "checkout", zone_id=self.args.dns.zone.zone_id, name=self.edge.checkout_name, type="A",
            aliases=[{"name": accelerator.dns_name, "zone_id": accelerator.hosted_zone_id,
                      "evaluate_target_health": False}], opts=self.child)
        return accelerator
