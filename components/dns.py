"""The DNS tier (primary stack, with ``securecart:edge``): the shop's public hosted zone, its query logs, and every
certificate the edge and the load balancers serve, DNS-validated in that zone.

Who writes what, and when:
- The primary owns the zone, so it owns every validation record, and therefore every certificate: CloudFront's in
  us-east-1, and one per region for that region's load balancers (the API and checkout names). The secondary's
  certificate is created in the secondary's region by the primary (``region=``: the one place this stack owns a
  resource in the other region, because the records that validate it can only be written by the zone's owner).
- ACM gives the same validation record to every certificate of a name in one account, so each name gets one
  record, shared by the certificates in both regions.
- Plan order: the secondary's first pass has no certificate, so its listeners (and the ECS services behind them)
  wait; the primary then requests and validates the secondary's certificate and exports ``certificateArns``; the
  secondary's next pass serves it. The exported ARNs come from the validations, so they exist only once ACM has
  issued the certificates.
- Route 53 validates through public DNS, so nothing validates before the domain is delegated to the new zone:
  until ``edge.zoneDelegated`` says it is, the tier makes the zone and logs its name servers, and requests no
  certificate (the listeners, CloudFront and the rest of the edge wait, rather than a validation hanging).
- Query logs go to an encrypted log group in us-east-1 (Route 53 writes query logs only there), which Route 53
  may write through a CloudWatch Logs resource policy scoped to this account's hosted zones.
"""

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.context import StackContext, Tier
from components.contract import DnsOutputs, PeerEdge
from components.documents import policy_document
from components.network import NetworkTier
from components.settings import StackSettings
from components.settings.edge import EdgeSettings


def query_log_policy(account: str, partition: str) -> str:
    """Route 53 may write query logs into ``/aws/route53/`` groups, for this account's hosted zones only."""
    return policy_document([{
        "Sid": "Route53QueryLogs", "Effect": "Allow", "Principal": {"Service": "route53.amazonaws.com"},
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": f"arn:{partition}:logs:us-east-1:{account}:log-group:/aws/route53/*",
        "Condition": {"StringEquals": {"aws:SourceAccount": account},
                      "ArnLike": {"aws:SourceArn": f"arn:{partition}:route53:::hostedzone/*"}},
    }])


def _label(name: str) -> str:
    """A DNS name as part of a logical name: ``*.eu-west-1.securecart.example`` → ``wildcard-eu-west-1-…``."""
    return name.replace("*", "wildcard").replace(".", "-")


@dataclass(frozen=True)
class EdgeFacts:
    """What a stack knows of the edge: its own (the primary's DNS tier and settings) or the primary's outputs
    (a secondary), ``None`` where it is not there yet."""

    certificate_arn: pulumi.Input[str] | None  # this region's, once issued
    health_check_path: str | None
    domain: str | None
    partners_name: str | None

    @staticmethod
    def of(settings: StackSettings, dns: "DnsTier | None", peer: PeerEdge) -> "EdgeFacts":
        if settings.edge is not None:
            # Names in the domain are usable once it is delegated (zoneDelegated): before, nothing could verify
            # or validate them.
            edge, ready = settings.edge, dns is not None and dns.ready
            return EdgeFacts(dns.certificate_arns.get(settings.region) if dns else None, edge.health_check.path,
                             edge.domain if ready else None, edge.partners_name if ready else None)
        return EdgeFacts((peer.certificate_arns or {}).get(settings.region), peer.health_check_path, peer.domain,
                         peer.partners_name)


@dataclass(frozen=True)
class DnsTierArgs:
    network: NetworkTier
    regions: list[str]  # the regions whose load balancers get a certificate: this stack's, and the peer's once known


class DnsTier(Tier):
    """The public zone (query-logged), the certificates and their validation records."""

    edge: EdgeSettings
    zone: aws.route53.Zone
    certificates: dict[str, aws.acm.Certificate]  # region -> the load balancers' certificate there
    validations: dict[str, aws.acm.CertificateValidation]
    cloudfront_certificate_arn: pulumi.Output[str] | None  # issued (or the stack file's); None: not delegated yet

    def __init__(self, name: str, ctx: StackContext, args: DnsTierArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("securecart:dns:DnsTier", name, ctx, opts)
        if ctx.settings.edge is None:
            raise ValueError("the DNS tier needs securecart:edge (validated when the settings load)")
        self.edge = ctx.settings.edge
        self.zone = self._zone()
        self._query_logging(args.network)
        self.certificates, self.validations, self.cloudfront_certificate_arn = {}, {}, None
        if self.edge.zone_delegated:
            self.cloudfront_certificate_arn = self._certificates(args.regions)
        else:
            self.zone.name_servers.apply(lambda servers: pulumi.log.info(
                f"dns: no certificate is requested until {self.edge.domain} is delegated to this zone: delegate it "
                f"at the registrar to {', '.join(servers or [])}, then set securecart:edge.zoneDelegated: true in "
                f"{ctx.stack_file} and deploy again (the listeners, CloudFront and the edge wait until then)",
                resource=self))
        self.done()

    @property
    def ready(self) -> bool:
        """Whether the certificates exist (the zone is delegated), so the edge can be built."""
        return self.cloudfront_certificate_arn is not None

    @property
    def certificate_arns(self) -> dict[str, pulumi.Output[str]]:
        """Region -> the load balancers' certificate there, once ACM has issued it."""
        return {region: v.certificate_arn for region, v in self.validations.items()}

    def exports(self) -> DnsOutputs:
        return DnsOutputs(hosted_zone_id=self.zone.zone_id, name_servers=self.zone.name_servers,
                          certificate_arns=self.certificate_arns or None,
                          cloudfront_certificate_arn=self.cloudfront_certificate_arn)

    def _zone(self) -> aws.route53.Zone:
        """The shop's public hosted zone (Shield protects it: ``components.shield``). Delegate the domain to its
        name servers (``nameServers`` output)."""
        return aws.route53.Zone(
            "zone", name=self.edge.domain, comment=f"SecureCart {self.ctx.environment} public zone (Pulumi)",
            force_destroy=False, tags=self.tags("zone"), opts=pulumi.ResourceOptions(parent=self, protect=True))

    def _query_logging(self, network: NetworkTier) -> None:
        """Every query the zone answers, logged to an encrypted group in us-east-1 that Route 53 may write."""
        group = aws.cloudwatch.LogGroup(
            "zone-query-logs", name=f"/aws/route53/{self.edge.domain}", kms_key_id=network.logs_key_arn,
            retention_in_days=self.edge.log_retention_days, tags=self.tags("zone-query-logs"),
            opts=pulumi.ResourceOptions(parent=self.zone))
        policy = aws.cloudwatch.LogResourcePolicy(
            "zone-query-logs-policy", policy_name=self.ctx.name("route53-query-logs"),
            policy_document=pulumi.Output.all(self.ctx.account_id, self.ctx.partition).apply(
                lambda v: query_log_policy(v[0], v[1])),
            opts=pulumi.ResourceOptions(parent=group))
        aws.route53.QueryLog("zone-query-logging", zone_id=self.zone.zone_id, cloudwatch_log_group_arn=group.arn,
                             opts=pulumi.ResourceOptions(parent=self.zone, depends_on=[policy]))

    def _certificates(self, regions: list[str]) -> pulumi.Output[str]:
        """The load balancers' certificate per region and CloudFront's; one validation record per name, shared
        by every certificate of that name. Returns CloudFront's certificate ARN, once issued."""
        edge, home = self.edge, self.ctx.region
        certs: dict[str, tuple[aws.acm.Certificate, list[str]]] = {}
        if edge.cloudfront_certificate_arn is None:
            certs["cloudfront"] = (self._certificate("cert-cloudfront", [edge.storefront_name], home),
                                   [edge.storefront_name])
        for region in regions:
            names = edge.regional_names(region)
            certs[region] = (self._certificate(f"cert-{region}", names, region), names)
        records: dict[str, aws.route53.Record] = {}
        for cert, names in certs.values():
            for domain in names:
                if domain not in records:
                    records[domain] = self._validation_record(domain, cert)
        validations = {
            key: aws.acm.CertificateValidation(
                f"cert-{key}-validation", certificate_arn=cert.arn,
                validation_record_fqdns=[records[n].fqdn for n in names],
                region=None if key in ("cloudfront", home) else key,  # the secondary's, in its region
                opts=pulumi.ResourceOptions(parent=cert))
            for key, (cert, names) in certs.items()}
        self.certificates = {key: cert for key, (cert, _) in certs.items() if key != "cloudfront"}
        self.validations = {key: v for key, v in validations.items() if key != "cloudfront"}
        if "cloudfront" in validations:
            return validations["cloudfront"].certificate_arn
        return pulumi.Output.from_input(edge.cloudfront_certificate_arn or "")

    def _certificate(self, name: str, domains: list[str], region: str) -> aws.acm.Certificate:
        """A DNS-validated public certificate for ``domains`` in ``region`` (a region other than this stack's is
        the secondary's: see the module docstring)."""
        return aws.acm.Certificate(
            name, domain_name=domains[0], subject_alternative_names=domains[1:] or None, validation_method="DNS",
            key_algorithm="RSA_2048", options={"certificate_transparency_logging_preference": "ENABLED"},
            region=None if region == self.ctx.region else region, tags=self.tags(name),
            opts=self.child)

    def _validation_record(self, domain: str, cert: aws.acm.Certificate) -> aws.route53.Record:
        """The CNAME ACM checks for ``domain`` (the same for every certificate of that name in the account)."""
        def option(field: str) -> pulumi.Output[str]:
            return cert.domain_validation_options.apply(
                lambda opts: next(str(getattr(o, field)) for o in opts if o.domain_name == domain))
        return aws.route53.Record(
            f"validation-{_label(domain)}", zone_id=self.zone.zone_id, name=option("resource_record_name"),
            type=option("resource_record_type"), records=[option("resource_record_value")], ttl=300,
            allow_overwrite=False, opts=pulumi.ResourceOptions(parent=self.zone))

