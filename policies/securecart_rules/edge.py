"""Edge rules: CloudFront, Route 53, ACM, Global Accelerator, Shield Advanced, API Gateway and WAF."""

from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_policy import PolicyResource, ResourceValidationArgs, Severity, StackValidationArgs

from securecart_rules._common import (
    as_list,
    attached,
    document,
    get,
    num,
    of_type,
    refs,
    truthy,
)
from securecart_rules.registry import ADVISORY, MANDATORY, Report, StackReport, resource_rule, stack_rule
from securecart_rules.types import (
    ACM_CERTIFICATE,
    ACM_CERTIFICATE_VALIDATION,
    APIGATEWAY_DOMAIN_NAME,
    APIGATEWAY_INTEGRATION,
    APIGATEWAY_METHOD,
    APIGATEWAY_METHOD_SETTINGS,
    APIGATEWAY_REST_API,
    APIGATEWAY_STAGE,
    APIGATEWAYV2_ROUTE,
    APIGATEWAYV2_STAGE,
    CLOUDFRONT_DISTRIBUTION,
    CLOUDWATCH_LOG_DELIVERY,
    CLOUDWATCH_LOG_DELIVERY_SOURCE,
    EC2_EIP,
    GLOBALACCELERATOR_ACCELERATOR,
    LISTENERS,
    LOAD_BALANCERS,
    ROUTE53_HEALTH_CHECK,
    ROUTE53_QUERY_LOG,
    ROUTE53_RECORD,
    ROUTE53_ZONE,
    SHIELD_PROTECTION,
    SHIELD_PROTECTION_HEALTH_CHECK_ASSOCIATION,
    WAFV2_WEB_ACL,
    WAFV2_WEB_ACL_ASSOCIATION,
    WAFV2_WEB_ACL_LOGGING_CONFIGURATION,
)

VIEWER_TLS_POLICIES = ("TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025")
VIEWER_TLS = {"minimumProtocolVersions": {"type": "array", "items": {"type": "string"},
                                          "default": list(VIEWER_TLS_POLICIES),
                                          "description": "Viewer TLS security policies CloudFront may use."}}


def _behaviors(props: Mapping[str, Any]) -> list[Any]:
    return [props.get("defaultCacheBehavior"), *as_list(props.get("orderedCacheBehaviors"))]


@resource_rule(
    name="cloudfront-waf",
    description="CloudFront distributions have a WAF web ACL.",
    source="seed: WAF; FSBP CloudFront.6; cdk-nag AwsSolutions-CFR2",
    types=[CLOUDFRONT_DISTRIBUTION], level=MANDATORY, severity=Severity.HIGH,
)
def cloudfront_waf(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    if not args.props.get("webAclId"):
        report("The distribution has no WAF web ACL: set web_acl_id (a WAFv2 ACL in us-east-1).")


@resource_rule(
    name="cloudfront-viewer-tls",
    description="CloudFront serves viewers with a custom certificate, SNI and TLS 1.2 (2021) or newer.",
    source="FSBP CloudFront.7, CloudFront.8, CloudFront.15; cdk-nag AwsSolutions-CFR4",
    types=[CLOUDFRONT_DISTRIBUTION], level=MANDATORY, severity=Severity.HIGH, config=VIEWER_TLS,
)
def cloudfront_viewer_tls(args: ResourceValidationArgs, report: Report, settings: Mapping[str, Any]) -> None:
    cert = args.props.get("viewerCertificate")
    if truthy(get(cert, "cloudfrontDefaultCertificate")) or not get(cert, "acmCertificateArn"):
        report("The distribution uses the default *.cloudfront.net certificate: use an ACM certificate for the "
               "shop's domain.")
        return
    if str(get(cert, "sslSupportMethod") or "") != "sni-only":
        report("The viewer certificate is not SNI-only (dedicated IPs allow legacy clients and cost more).")
    version = str(get(cert, "minimumProtocolVersion") or "TLSv1")
    if version not in settings["minimumProtocolVersions"]:
        report(f"Viewers may connect with {version}: require one of {', '.join(settings['minimumProtocolVersions'])}.")


@resource_rule(
    name="cloudfront-viewer-https-only",
    description="CloudFront never serves viewers over plain HTTP.",
    source="FSBP CloudFront.3",
    types=[CLOUDFRONT_DISTRIBUTION], level=MANDATORY, severity=Severity.HIGH,
)
def cloudfront_viewer_https_only(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    for behavior in _behaviors(args.props):
        if behavior is not None and str(get(behavior, "viewerProtocolPolicy")) == "allow-all":
            path = get(behavior, "pathPattern") or "default"
            report(f"Cache behavior '{path}' allows plain HTTP: use redirect-to-https or https-only.")


@resource_rule(
    name="cloudfront-origins-secure",
    description="CloudFront reaches custom origins over TLS 1.2 only and S3 origins through origin access control.",
    source="FSBP CloudFront.9, CloudFront.10, CloudFront.13; cdk-nag AwsSolutions-CFR5, AwsSolutions-CFR7",
    types=[CLOUDFRONT_DISTRIBUTION], level=MANDATORY, severity=Severity.HIGH,
)
def cloudfront_origins_secure(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    for origin in as_list(args.props.get("origins")):
        origin_id = get(origin, "originId")
        custom = get(origin, "customOriginConfig")
        domain = str(get(origin, "domainName") or "")
        if custom is not None and ".s3-website" not in domain:
            if str(get(custom, "originProtocolPolicy")) != "https-only":
                report(f"Origin '{origin_id}' is reached over HTTP: set origin_protocol_policy='https-only'.")
            weak = [p for p in as_list(get(custom, "originSslProtocols")) if str(p) in ("SSLv3", "TLSv1", "TLSv1.1")]
            if weak:
                report(f"Origin '{origin_id}' allows {', '.join(map(str, weak))}: allow only TLSv1.2.")
        elif (".s3." in domain or domain.endswith(".s3.amazonaws.com")) and \
                not get(origin, "originAccessControlId"):
            report(f"S3 origin '{origin_id}' has no origin access control: add an OAC and let only this "
                   f"distribution read the bucket.")


def _vended_access_logs_gap(distribution: PolicyResource, sources_of: Mapping[str, list[PolicyResource]],
                            deliveries_of: Mapping[str, list[PolicyResource]]) -> str | None:
    """What standard logging v2 lacks for the distribution, or None: an ACCESS_LOGS delivery source made from the
    distribution's ARN, and a delivery from that source to a destination."""
    sources = [s for s in sources_of.get(distribution.urn, []) if str(s.props.get("logType")) == "ACCESS_LOGS"]
    if not sources:
        return ("add a LogDeliverySource with log_type ACCESS_LOGS and resource_arn the distribution's arn, and a "
                "LogDelivery from it to a destination")
    deliveries = [d for s in sources for d in deliveries_of.get(s.urn, [])]
    if not deliveries:
        return (f"access-log source '{sources[0].name}' has no LogDelivery whose delivery_source_name is computed "
                f"from it (pass the source's name output)")
    if not any(refs(d, "deliveryDestinationArn") or d.props.get("deliveryDestinationArn") for d in deliveries):
        return f"delivery '{deliveries[0].name}' has no delivery_destination_arn"
    return None


@stack_rule(
    name="cloudfront-access-logging",
    description="CloudFront distributions log access: standard logging v2 (a CloudWatch vended-logs ACCESS_LOGS "
                "source made from the distribution, delivered to a destination) or legacy logging to a bucket.",
    source="FSBP CloudFront.5; cdk-nag AwsSolutions-CFR3",
    level=MANDATORY, severity=Severity.MEDIUM,
)
def cloudfront_access_logging(args: StackValidationArgs, report: StackReport, _: Mapping[str, Any]) -> None:
    resources = list(args.resources)
    sources_of = attached(resources, [CLOUDWATCH_LOG_DELIVERY_SOURCE], "resourceArn")
    deliveries_of = attached(resources, [CLOUDWATCH_LOG_DELIVERY], "deliverySourceName")
    for distribution in of_type(resources, CLOUDFRONT_DISTRIBUTION):
        gap = _vended_access_logs_gap(distribution, sources_of, deliveries_of)
        if gap is not None and not get(distribution.props, "loggingConfig", "bucket"):
            report(f"Access logging is off: {gap} (or set logging_config with a bucket).", distribution.urn)


@resource_rule(
    name="cloudfront-origin-failover",
    description="CloudFront distributions with origins in several regions fail over through an origin group.",
    source="FSBP CloudFront.4",
    types=[CLOUDFRONT_DISTRIBUTION], level=ADVISORY, severity=Severity.LOW,
)
def cloudfront_origin_failover(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    if len(as_list(args.props.get("origins"))) > 1 and not as_list(args.props.get("originGroups")):
        report("The distribution has several origins but no origin group to fail over between regions.")


@resource_rule(
    name="route53-routing-health-checked",
    description="Every latency, geolocation, failover or weighted record set is health-checked.",
    source="seed: Route 53 latency and geolocation routing with health-check failover; catalogue gap",
    types=[ROUTE53_RECORD], level=MANDATORY, severity=Severity.HIGH,
)
def route53_routing_health_checked(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    policies = [p for p in ("latencyRoutingPolicies", "geolocationRoutingPolicies", "failoverRoutingPolicies",
                            "geoproximityRoutingPolicy", "weightedRoutingPolicies") if as_list(args.props.get(p))]
    if not policies:
        return
    if args.props.get("healthCheckId"):
        return
    if any(truthy(get(alias, "evaluateTargetHealth")) for alias in as_list(args.props.get("aliases"))):
        return
    kind = policies[0].removesuffix("RoutingPolicies").removesuffix("RoutingPolicy")
    report(f"This {kind} record has no health check: set health_check_id (or an alias that evaluates target "
           f"health) so Route 53 fails over when the region is down.")


ENDPOINT_HEALTH_CHECKS = ("HTTP", "HTTPS", "HTTP_STR_MATCH", "HTTPS_STR_MATCH", "TCP")
HEALTH_CHECK_REQUEST_INTERVALS = (10.0, 30.0)  # the two Route 53 offers (fast and standard)
HEALTH_CHECK_MIN_REGIONS = 3  # Route 53 measures from at least three checker regions
DETECTION = {"maxDetectionSeconds": {
    "type": "integer", "minimum": 10, "default": 30,
    "description": "Longest time an endpoint may be down before Route 53 calls it unhealthy: request interval times "
                   "failure threshold (default 30 seconds, e.g. 10 s x 3)."}}


@resource_rule(
    name="route53-health-check-fast",
    description="Route 53 endpoint health checks notice a failed region quickly: a 10 or 30 second request interval, "
                "interval times failure threshold within the bound, and at least three checker regions when "
                "regions are named.",
    source="seed: Route 53 routing with health-check failover; Route 53 docs (health check request interval, "
           "failure threshold, checker regions)",
    types=[ROUTE53_HEALTH_CHECK], level=ADVISORY, severity=Severity.MEDIUM, config=DETECTION,
)
def route53_health_check_fast(args: ResourceValidationArgs, report: Report, settings: Mapping[str, Any]) -> None:
    if str(args.props.get("type")) not in ENDPOINT_HEALTH_CHECKS:
        return  # calculated, CloudWatch-alarm and recovery-control checks have no requests of their own
    interval = num(args.props.get("requestInterval"))
    threshold = num(args.props.get("failureThreshold"))
    interval = 30.0 if interval is None else interval  # Route 53's defaults
    threshold = 3.0 if threshold is None else threshold
    bound = float(settings["maxDetectionSeconds"])
    if interval not in HEALTH_CHECK_REQUEST_INTERVALS:
        report(f"The request interval is {interval:g} s: Route 53 checks every 10 or 30 seconds.")
    elif interval * threshold > bound:
        report(f"A failed endpoint is noticed after {interval * threshold:g} s (request interval {interval:g} s x "
               f"failure threshold {threshold:g}): keep it within {bound:g} s, e.g. request_interval=10 and "
               f"failure_threshold=3.")
    regions = as_list(args.props.get("regions"))
    if regions and len(regions) < HEALTH_CHECK_MIN_REGIONS:
        report(f"The check measures from {len(regions)} region(s): name at least {HEALTH_CHECK_MIN_REGIONS}, or none "
               f"for Route 53's default set.")


@stack_rule(
    name="route53-zone-query-logging",
    description="Public hosted zones log DNS queries.",
    source="FSBP Route53.2 (third-party mapping); AWS Config route53-query-logging-enabled",
    level=ADVISORY, severity=Severity.MEDIUM,
)
def route53_zone_query_logging(args: StackValidationArgs, report: StackReport, _: Mapping[str, Any]) -> None:
    resources = list(args.resources)
    logs_of = attached(resources, [ROUTE53_QUERY_LOG], "zoneId")
    for zone in of_type(resources, ROUTE53_ZONE):
        if not as_list(zone.props.get("vpcs")) and not logs_of.get(zone.urn):
            report("The public zone does not log DNS queries: add an aws.route53.QueryLog with zone_id the zone's "
                   "zone_id (to a log group in us-east-1).", zone.urn)


def _internet_facing(lb: PolicyResource, kind: str) -> bool:
    return not truthy(lb.props.get("internal")) and str(lb.props.get("loadBalancerType") or "application") == kind


def _entry_points(resources: list[PolicyResource]) -> list[PolicyResource]:
    """What Shield Advanced protects by a Protection of its own: distributions, accelerators, internet-facing ALBs,
    public zones and every Elastic IP (an EIP is an internet address: a NAT gateway's, an instance's or an NLB's)."""
    points = of_type(resources, CLOUDFRONT_DISTRIBUTION, GLOBALACCELERATOR_ACCELERATOR, EC2_EIP)
    points += [lb for lb in of_type(resources, *LOAD_BALANCERS) if _internet_facing(lb, "application")]
    points += [z for z in of_type(resources, ROUTE53_ZONE) if not as_list(z.props.get("vpcs"))]
    return points


def _nlb_without_own_addresses(nlb: PolicyResource) -> bool:
    """An internet-facing NLB that Shield cannot protect: Shield protects an NLB only through protected Elastic IPs,
    so every subnet mapping needs an allocation_id (AWS-assigned addresses cannot be protected)."""
    mappings = as_list(nlb.props.get("subnetMappings"))
    return not mappings or not all(get(m, "allocationId") for m in mappings)


@stack_rule(
    name="shield-advanced-on-entry-points",
    description="Shield Advanced protects every public entry point: CloudFront, Global Accelerator, internet-facing "
                "ALBs, public hosted zones and Elastic IPs (a Protection whose resource_arn is computed from each), "
                "and internet-facing NLBs through Elastic IPs on every subnet mapping.",
    source="seed: Shield Advanced on public endpoints; catalogue gap; Shield Advanced protected resource types "
           "(NLBs by association with protected Elastic IPs)",
    level=MANDATORY, severity=Severity.HIGH,
)
def shield_advanced_on_entry_points(args: StackValidationArgs, report: StackReport, _: Mapping[str, Any]) -> None:
    resources = list(args.resources)
    protected = {d.urn for p in of_type(resources, SHIELD_PROTECTION) for d in refs(p, "resourceArn")}
    for point in _entry_points(resources):
        if point.urn in protected:
            continue
        if point.resource_type == EC2_EIP:
            report("This Elastic IP faces the internet and has no Shield Advanced protection: add an "
                   "aws.shield.Protection whose resource_arn is arn:<partition>:ec2:<region>:<account>:"
                   "eip-allocation/<allocation id>, built from the EIP's allocation_id.", point.urn)
        else:
            report("This public entry point has no Shield Advanced protection: add an aws.shield.Protection with "
                   "resource_arn its arn.", point.urn)
    for nlb in of_type(resources, *LOAD_BALANCERS):
        if _internet_facing(nlb, "network") and _nlb_without_own_addresses(nlb):
            report("This internet-facing NLB cannot be protected by Shield Advanced: Shield protects an NLB through "
                   "its Elastic IPs, so give every subnet mapping an allocation_id (an aws.ec2.Eip under a "
                   "Shield protection).", nlb.urn)


HEALTH_DETECTED = (CLOUDFRONT_DISTRIBUTION, GLOBALACCELERATOR_ACCELERATOR)


@stack_rule(
    name="shield-health-based-detection",
    description="Every Shield Advanced protection of a CloudFront distribution, an accelerator or an internet-facing "
                "ALB is associated with a Route 53 health check (a ProtectionHealthCheckAssociation whose "
                "shield_protection_id is computed from it), so Shield detects attacks by health.",
    source="seed: Shield Advanced on public endpoints (health-based detection); catalogue gap; Shield Advanced "
           "health-based detection",
    level=ADVISORY, severity=Severity.MEDIUM,
)
def shield_health_based_detection(args: StackValidationArgs, report: StackReport, _: Mapping[str, Any]) -> None:
    resources = list(args.resources)
    associations_of = attached(resources, [SHIELD_PROTECTION_HEALTH_CHECK_ASSOCIATION], "shieldProtectionId")
    for protection in of_type(resources, SHIELD_PROTECTION):
        targets = [t for t in refs(protection, "resourceArn")
                   if t.resource_type in HEALTH_DETECTED or
                   (t.resource_type in LOAD_BALANCERS and _internet_facing(t, "application"))]
        if not targets:
            continue
        associations = associations_of.get(protection.urn, [])
        if not any(a.props.get("healthCheckArn") or refs(a, "healthCheckArn") for a in associations):
            report(f"The protection of '{targets[0].name}' has no health-based detection: add an "
                   f"aws.shield.ProtectionHealthCheckAssociation with shield_protection_id the protection's id and "
                   f"health_check_arn the Route 53 health check of what it protects.", protection.urn)


@resource_rule(
    name="global-accelerator-flow-logs",
    description="Global Accelerators write flow logs.",
    source="catalogue gap: Global Accelerator flow logs",
    types=[GLOBALACCELERATOR_ACCELERATOR], level=MANDATORY, severity=Severity.MEDIUM,
)
def global_accelerator_flow_logs(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    attributes = args.props.get("attributes")
    if not truthy(get(attributes, "flowLogsEnabled")) or not get(attributes, "flowLogsS3Bucket"):
        report("Flow logs are off: set attributes with flow_logs_enabled=True and a bucket.")


# --- ACM -------------------------------------------------------------------------------------------------------

def _issued_by_aws(props: Mapping[str, Any]) -> bool:
    """A public certificate ACM issues: not imported (a body and key) and not from a private CA."""
    return not any(props.get(k) for k in ("certificateBody", "privateKey", "privateKeyWo", "certificateAuthorityArn"))


@resource_rule(
    name="acm-certificate-dns-validated",
    description="Certificates ACM issues are DNS-validated, so ACM renews them on its own.",
    source="seed: certificates DNS-validated; catalogue #81 (FSBP ACM.1: certificates renewed in time)",
    types=[ACM_CERTIFICATE], level=MANDATORY, severity=Severity.HIGH,
)
def acm_certificate_dns_validated(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    if not _issued_by_aws(args.props):
        return
    method = str(args.props.get("validationMethod") or "")
    if method != "DNS":
        report(f"The certificate is validated by {method or 'no method'}: use validation_method='DNS' with the "
               f"validation records in the zone, so it is issued and renewed without anyone answering an email.")


def _used_before_issued(resources: list[PolicyResource],
                        validations_of: Mapping[str, list[PolicyResource]]) -> list[tuple[PolicyResource, str]]:
    """Listeners and distributions that read a certificate's ARN from the certificate itself, without depending on
    its validation: Pulumi may create them while the certificate is still pending."""
    found = []
    consumers = [(r, "certificateArn") for r in of_type(resources, *LISTENERS)]
    consumers += [(r, "viewerCertificate") for r in of_type(resources, CLOUDFRONT_DISTRIBUTION)]
    for consumer, prop in consumers:
        waits_for = {d.urn for d in consumer.dependencies} | {d.urn for d in refs(consumer, prop)}
        for cert in refs(consumer, prop):
            if cert.resource_type == ACM_CERTIFICATE and _issued_by_aws(cert.props) and \
                    not waits_for & {v.urn for v in validations_of.get(cert.urn, [])}:
                found.append((consumer, cert.name))
    return found


@stack_rule(
    name="acm-certificate-validation-awaited",
    description="Every certificate ACM issues has a CertificateValidation, and listeners and distributions take "
                "its ARN from the validation, so nothing uses a certificate before it is issued.",
    source="seed: certificates DNS-validated; catalogue gap (deploy readiness: a pending certificate cannot be "
           "served)",
    level=ADVISORY, severity=Severity.MEDIUM,
)
def acm_certificate_validation_awaited(args: StackValidationArgs, report: StackReport, _: Mapping[str, Any]) -> None:
    resources = list(args.resources)
    validations_of = attached(resources, [ACM_CERTIFICATE_VALIDATION], "certificateArn")
    for cert in of_type(resources, ACM_CERTIFICATE):
        if _issued_by_aws(cert.props) and not validations_of.get(cert.urn):
            report("Nothing waits for the certificate to be issued: add an aws.acm.CertificateValidation with "
                   "certificate_arn the certificate's arn.", cert.urn)
    for consumer, cert_name in _used_before_issued(resources, validations_of):
        report(f"'{consumer.name}' uses certificate '{cert_name}' before it is issued: pass the validation's "
               f"certificate_arn (or depend on the validation).", consumer.urn)


# --- API Gateway -----------------------------------------------------------------------------------------------

@stack_rule(
    name="apigateway-execution-logging",
    description="Every REST API stage logs execution (ERROR or INFO) for all methods.",
    source="FSBP APIGateway.1; cdk-nag AwsSolutions-APIG6",
    level=ADVISORY, severity=Severity.MEDIUM,
)
def apigateway_execution_logging(args: StackValidationArgs, report: StackReport, _: Mapping[str, Any]) -> None:
    resources = list(args.resources)
    settings_of_api = attached(resources, [APIGATEWAY_METHOD_SETTINGS], "restApi")
    for stage in of_type(resources, APIGATEWAY_STAGE):
        ok = False
        for ms in [m for api in refs(stage, "restApi") for m in settings_of_api.get(api.urn, [])]:
            names_stage = any(d.urn == stage.urn for d in refs(ms, "stageName")) or \
                ms.props.get("stageName") == stage.props.get("stageName")
            if names_stage and ms.props.get("methodPath") == "*/*" and \
                    str(get(ms.props, "settings", "loggingLevel")) in ("ERROR", "INFO"):
                ok = True
        if not ok:
            report("The stage has no execution logging for all methods: add method settings with method_path='*/*' "
                   "and logging_level ERROR or INFO.", stage.urn)


@resource_rule(
    name="apigateway-no-data-trace",
    description="API execution logs never hold full requests and responses: method settings and WebSocket route "
                "settings keep data_trace_enabled off.",
    source="FSBP APIGateway.1 (execution logging, without data tracing); API Gateway docs: do not enable data "
           "tracing for production APIs; catalogue gap",
    types=[APIGATEWAY_METHOD_SETTINGS, APIGATEWAYV2_STAGE], level=MANDATORY, severity=Severity.HIGH,
)
def apigateway_no_data_trace(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    if args.resource_type == APIGATEWAY_METHOD_SETTINGS:
        if truthy(get(args.props, "settings", "dataTraceEnabled")):
            report(f"Method settings '{args.props.get('methodPath')}' log full request and response bodies "
                   f"(payment and partner data, credentials): set data_trace_enabled=False and keep "
                   f"logging_level ERROR or INFO.")
        return
    routes = [("default route", args.props.get("defaultRouteSettings"))]
    routes += [(f"route '{get(r, 'routeKey')}'", r) for r in as_list(args.props.get("routeSettings"))]
    for what, route in routes:
        if truthy(get(route, "dataTraceEnabled")):
            report(f"The stage's {what} logs full request and response bodies: set data_trace_enabled=False.")


@resource_rule(
    name="apigateway-access-logging",
    description="REST and HTTP API stages write access logs: a destination and a format.",
    source="FSBP APIGateway.9; cdk-nag AwsSolutions-APIG1",
    types=[APIGATEWAY_STAGE, APIGATEWAYV2_STAGE], level=ADVISORY, severity=Severity.MEDIUM,
)
def apigateway_access_logging(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    settings = args.props.get("accessLogSettings")
    if not get(settings, "destinationArn"):
        report("Access logging is off: set access_log_settings with a log group and a format.")
    elif not str(get(settings, "format") or "").strip():
        report("Access logs have no format: set access_log_settings.format (a JSON line with the request id, "
               "caller, status and latency).")


@stack_rule(
    name="apigateway-waf",
    description="Every REST API stage is associated with a WAFv2 web ACL.",
    source="seed: API Gateway for third parties behind WAF; FSBP APIGateway.4; cdk-nag AwsSolutions-APIG3",
    level=MANDATORY, severity=Severity.HIGH,
)
def apigateway_waf(args: StackValidationArgs, report: StackReport, _: Mapping[str, Any]) -> None:
    resources = list(args.resources)
    protected = {d.urn for a in of_type(resources, WAFV2_WEB_ACL_ASSOCIATION) for d in refs(a, "resourceArn")}
    for stage in of_type(resources, APIGATEWAY_STAGE):
        if stage.urn not in protected:
            report("The stage has no WAF web ACL: associate one so third-party traffic is filtered.", stage.urn)


@resource_rule(
    name="apigateway-xray",
    description="REST API stages trace requests with X-Ray.",
    source="seed: X-Ray tracing on API stages; FSBP APIGateway.3; cdk-nag APIGWXrayEnabled",
    types=[APIGATEWAY_STAGE], level=ADVISORY, severity=Severity.LOW,
)
def apigateway_xray(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    if not truthy(args.props.get("xrayTracingEnabled")):
        report("X-Ray tracing is off: set xray_tracing_enabled=True.")


METHOD_AUTHORIZATIONS = ("AWS_IAM", "COGNITO_USER_POOLS", "CUSTOM")
ROUTE_AUTHORIZATIONS = ("AWS_IAM", "JWT", "CUSTOM")


def _same_target(a: PolicyResource, b: PolicyResource, prop: str) -> bool:
    """Whether two resources name the same thing in ``prop``: computed from the same resources, or (written as
    plain values) equal."""
    deps_a, deps_b = {d.urn for d in refs(a, prop)}, {d.urn for d in refs(b, prop)}
    if deps_a or deps_b:
        return deps_a == deps_b  # by dependency, so a preview (IDs unknown) can tell too
    return a.props.get(prop) is not None and a.props.get(prop) == b.props.get(prop)


def _integrations_of(method: PolicyResource, integrations: list[PolicyResource]) -> list[PolicyResource]:
    """The integrations of a method: computed from it (``http_method=method.http_method``), or on the same API,
    resource and HTTP method."""
    return [i for i in integrations
            if any(d.urn == method.urn for d in refs(i, "httpMethod")) or
            (all(_same_target(i, method, p) for p in ("restApi", "resourceId")) and
             str(i.props.get("httpMethod")) == str(method.props.get("httpMethod")))]


def _method_authorization_gap(method: PolicyResource, integrations: list[PolicyResource]) -> str | None:
    authorization = str(method.props.get("authorization") or "NONE").upper()
    if authorization in METHOD_AUTHORIZATIONS:
        return None
    if authorization != "NONE":
        return f"authorization '{authorization}' is not one of {', '.join(METHOD_AUTHORIZATIONS)}"
    if str(method.props.get("httpMethod")) == "OPTIONS":
        own = _integrations_of(method, integrations)
        if own and all(str(i.props.get("type")) == "MOCK" for i in own):
            return None  # a CORS pre-flight answered by API Gateway itself: no credentials, no backend
        reaches = "has no integration in the stack" if not own else \
            f"its integration is {', '.join(sorted({str(i.props.get('type')) for i in own}))}"
        return (f"an OPTIONS method may go without authorization only as a CORS pre-flight answered by a MOCK "
                f"integration, and this one {reaches}")
    if truthy(method.props.get("apiKeyRequired")):
        return "it requires only an API key, and an API key alone is not authorization (it identifies a partner)"
    return "it needs no authorization"


@stack_rule(
    name="apigateway-authorization",
    description="API methods and routes require authorization (IAM, Cognito or a Lambda authorizer; an API key "
                "alone is not authorization); only a CORS pre-flight OPTIONS method answered by a MOCK "
                "integration may go without.",
    source="FSBP APIGateway.8; cdk-nag AwsSolutions-APIG4, AwsSolutions-COG4",
    level=MANDATORY, severity=Severity.HIGH,
)
def apigateway_authorization(args: StackValidationArgs, report: StackReport, _: Mapping[str, Any]) -> None:
    resources = list(args.resources)
    integrations = of_type(resources, APIGATEWAY_INTEGRATION)
    for method in of_type(resources, APIGATEWAY_METHOD):
        gap = _method_authorization_gap(method, integrations)
        if gap is not None:
            report(f"The {method.props.get('httpMethod')} method is open: {gap}. Set authorization to AWS_IAM, "
                   f"COGNITO_USER_POOLS or CUSTOM (with an authorizer).", method.urn)
    for route in of_type(resources, APIGATEWAYV2_ROUTE):
        kind = str(route.props.get("authorizationType") or "NONE").upper()
        if kind not in ROUTE_AUTHORIZATIONS:
            report(f"The route needs no authorization ({kind}): set authorization_type (JWT, AWS_IAM or CUSTOM).",
                   route.urn)


PUBLIC_BACKEND_TYPES = ("HTTP", "HTTP_PROXY")


@resource_rule(
    name="apigateway-private-integration",
    description="REST API integrations with HTTP backends (HTTP, HTTP_PROXY) reach them through a VPC link "
                "(connection_type VPC_LINK with a connection_id), never over the internet; AWS, AWS_PROXY and MOCK "
                "integrations pass.",
    source="seed: API Gateway for third parties, private integration to internal services; catalogue gap",
    types=[APIGATEWAY_INTEGRATION], level=MANDATORY, severity=Severity.HIGH,
)
def apigateway_private_integration(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    kind = str(args.props.get("type") or "")
    if kind not in PUBLIC_BACKEND_TYPES:
        return
    if str(args.props.get("connectionType") or "INTERNET") != "VPC_LINK":
        report(f"This {kind} integration calls '{args.props.get('uri')}' over the internet: set "
               f"connection_type='VPC_LINK' and connection_id a VPC link to the internal load balancer.")
    elif not args.props.get("connectionId"):
        report(f"This {kind} integration uses a VPC link but names none: set connection_id.")


# API Gateway's SecurityPolicy values (botocore apigateway 2015-07-09) for regional endpoints, all TLS 1.2 or newer;
# TLS_1_0 and the *_EDGE policies (edge-optimized names only) are left out.
DOMAIN_SECURITY_POLICIES = (
    "TLS_1_2", "SecurityPolicy_TLS13_1_3_2025_09", "SecurityPolicy_TLS13_1_3_FIPS_2025_09",
    "SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09", "SecurityPolicy_TLS13_1_2_FIPS_PQ_2025_09",
    "SecurityPolicy_TLS13_1_2_FIPS_PFS_PQ_2025_09", "SecurityPolicy_TLS13_1_2_Ext2_PQ_2025_09",
    "SecurityPolicy_TLS13_1_2_Ext2_FIPS_PQ_2025_09", "SecurityPolicy_TLS13_1_2_PQ_2025_09",
    "SecurityPolicy_TLS13_1_2_2021_06")
DOMAIN_TLS = {"securityPolicies": {"type": "array", "items": {"type": "string"}, "minItems": 1,
                                   "default": list(DOMAIN_SECURITY_POLICIES),
                                   "description": "Security policies an API custom domain may use (TLS 1.2 or "
                                                  "newer, regional)."}}


@resource_rule(
    name="apigateway-domain-tls",
    description="API custom domains are REGIONAL and set a TLS 1.2 (or newer) security policy explicitly.",
    source="seed: API Gateway for third parties (custom domain per region, TLS 1.2 minimum); catalogue gap; API "
           "Gateway SecurityPolicy",
    types=[APIGATEWAY_DOMAIN_NAME], level=MANDATORY, severity=Severity.HIGH, config=DOMAIN_TLS,
)
def apigateway_domain_tls(args: ResourceValidationArgs, report: Report, settings: Mapping[str, Any]) -> None:
    policy = args.props.get("securityPolicy")
    allowed = [str(p) for p in settings["securityPolicies"]]
    if policy is None:
        report(f"The domain sets no security_policy: set one of {', '.join(allowed)} (unset, the provider does not "
               f"even detect drift).")
    elif str(policy) not in allowed:
        report(f"The domain accepts {policy}: use one of {', '.join(allowed)}.")
    types = [str(t) for t in as_list(get(args.props, "endpointConfiguration", "types"))]
    if types != ["REGIONAL"]:
        report(f"The domain's endpoint is {', '.join(types) or 'EDGE (the default)'}: use REGIONAL (a regional "
               f"certificate, latency records per region).")


@resource_rule(
    name="apigateway-regional-or-private",
    description="REST APIs are REGIONAL or PRIVATE, fronted by SecureCart's own edge.",
    source="AWSGuard apigateway-endpoint-type",
    types=[APIGATEWAY_REST_API], level=ADVISORY, severity=Severity.LOW,
)
def apigateway_regional_or_private(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    types = as_list(get(args.props, "endpointConfiguration", "types"))
    if "EDGE" in [str(t) for t in types] or not types:
        report("The API is edge-optimised (AWS's default): use REGIONAL behind CloudFront/Global Accelerator, or "
               "PRIVATE.")


# --- WAF -------------------------------------------------------------------------------------------------------------

def _acl_rules(props: Mapping[str, Any]) -> list[Any]:
    rules = as_list(props.get("rules"))
    parsed = document(props.get("ruleJson"))
    return rules + as_list(parsed)


def _statement_text(rule: Any) -> str:
    """Every managed rule group name and match-statement kind in a rule, lower-cased, for membership tests."""
    seen: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, Mapping):
            for k, v in value.items():
                seen.append(str(k).lower())
                if str(k) in ("name", "Name") and isinstance(v, str):
                    seen.append(v.lower())
                walk(v)
        elif isinstance(value, Sequence) and not isinstance(value, str):
            for v in value:
                walk(v)

    walk(get(rule, "statement") if get(rule, "statement") is not None else get(rule, "Statement"))
    return " ".join(seen)


@resource_rule(
    name="waf-blocks-sqli-and-xss",
    description="Every WAFv2 web ACL has rules, including SQL injection and cross-site scripting protection.",
    source="seed: WAF against SQL injection and XSS; FSBP WAF.10",
    types=[WAFV2_WEB_ACL], level=MANDATORY, severity=Severity.HIGH,
)
def waf_blocks_sqli_and_xss(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    rules = _acl_rules(args.props)
    if not rules:
        report("The web ACL has no rules: it filters nothing.")
        return
    text = " ".join(_statement_text(r) for r in rules)
    if "awsmanagedrulessqliruleset" not in text and "sqlimatchstatement" not in text:
        report("The web ACL has no SQL injection protection: add AWSManagedRulesSQLiRuleSet or a SQLi match rule.")
    if "awsmanagedrulescommonruleset" not in text and "xssmatchstatement" not in text:
        report("The web ACL has no cross-site scripting protection: add AWSManagedRulesCommonRuleSet or an XSS "
               "match rule.")


@resource_rule(
    name="waf-metrics",
    description="WAFv2 web ACLs and their rules emit CloudWatch metrics.",
    source="FSBP WAF.12 (third-party mapping)",
    types=[WAFV2_WEB_ACL], level=ADVISORY, severity=Severity.LOW,
)
def waf_metrics(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    if not truthy(get(args.props, "visibilityConfig", "cloudwatchMetricsEnabled")):
        report("The web ACL emits no CloudWatch metrics.")
    for rule in as_list(args.props.get("rules")):
        if not truthy(get(rule, "visibilityConfig", "cloudwatchMetricsEnabled")):
            report(f"Rule '{get(rule, 'name')}' emits no CloudWatch metrics.")


@stack_rule(
    name="waf-logging",
    description="WAFv2 web ACLs log their traffic.",
    source="FSBP WAF.11 (third-party mapping); cdk-nag WAFv2LoggingEnabled",
    level=ADVISORY, severity=Severity.MEDIUM,
)
def waf_logging(args: StackValidationArgs, report: StackReport, _: Mapping[str, Any]) -> None:
    resources = list(args.resources)
    logged = {d.urn for c in of_type(resources, WAFV2_WEB_ACL_LOGGING_CONFIGURATION) for d in refs(c, "resourceArn")}
    for acl in of_type(resources, WAFV2_WEB_ACL):
        if acl.urn not in logged:
            report("The web ACL does not log: add a logging configuration.", acl.urn)


def _field(value: Any, name: str) -> Any:
    """A field of a web ACL rule as the provider spells it (camelCase ``rules``) or as WAF's JSON does
    (PascalCase ``ruleJson``)."""
    found = get(value, name)
    return found if found is not None else get(value, name[0].upper() + name[1:])


def _managed_group(rule: Any) -> str | None:
    name = _field(_field(_field(rule, "statement"), "managedRuleGroupStatement"), "name")
    return None if name is None else str(name)


COUNT_ALLOWED = {"countAllowed": {
    "type": "array", "items": {"type": "string"}, "default": [],
    "description": "Managed rule groups (by name, e.g. AWSManagedRulesAnonymousIpList) that may run in count mode "
                   "(override_action count) while they are tuned."}}


@resource_rule(
    name="waf-managed-groups-enforced",
    description="Managed rule groups in WAFv2 web ACLs act (override_action none), never only count, unless the "
                "rule's countAllowed setting names the group.",
    source="seed: WAF against SQL injection, XSS and floods; catalogue gap (FSBP WAF.10 asks only that rules exist)",
    types=[WAFV2_WEB_ACL], level=MANDATORY, severity=Severity.HIGH, config=COUNT_ALLOWED,
)
def waf_managed_groups_enforced(args: ResourceValidationArgs, report: Report, settings: Mapping[str, Any]) -> None:
    allowed = {str(g) for g in settings["countAllowed"]}
    for rule in _acl_rules(args.props):
        group = _managed_group(rule)
        if group is not None and _field(_field(rule, "overrideAction"), "count") is not None and \
                group not in allowed:
            report(f"Managed rule group {group} (rule '{_field(rule, 'name')}') only counts: set "
                   f"override_action none so it blocks, or name it in countAllowed while it is tuned.")


ORIGIN_VERIFY_RULE = "origin-verify"
PER_CLIENT_KEYS = ("IP", "FORWARDED_IP")


def _blocks(rule: Any) -> bool:
    return _field(_field(rule, "action"), "block") is not None


def _limits_each_client(rule: Any) -> bool:
    rate = _field(_field(rule, "statement"), "rateBasedStatement")
    if rate is None or not _blocks(rule):
        return False
    key = str(_field(rate, "aggregateKeyType") or "IP")
    if key == "CUSTOM_KEYS":
        return any(_field(k, "ip") is not None or _field(k, "forwardedIp") is not None
                   for k in as_list(_field(rate, "customKeys")))
    return key in PER_CLIENT_KEYS


def _first_rule(rules: list[Any]) -> Any:
    """The rule WAF evaluates first: the lowest priority."""
    def priority(rule: Any) -> float:
        value = num(_field(rule, "priority"))
        return value if value is not None else float("inf")
    return min(rules, key=priority) if rules else None


@resource_rule(
    name="waf-rate-limit",
    description="Every WAFv2 web ACL blocks floods with a rate-based rule per client (IP or forwarded IP, action "
                "block). Exempt: a REGIONAL web ACL whose first rule is the origin-verification rule "
                "('origin-verify', action block): it fronts an origin only CloudFront may reach, where a per-IP limit "
                "would count CloudFront's servers, and CloudFront's own web ACL limits each client.",
    source="seed: WAF against floods (rate-based rule per client IP); catalogue gap",
    types=[WAFV2_WEB_ACL], level=MANDATORY, severity=Severity.HIGH,
)
def waf_rate_limit(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    rules = _acl_rules(args.props)
    if any(_limits_each_client(r) for r in rules):
        return
    first = _first_rule(rules)
    if str(args.props.get("scope")) == "REGIONAL" and _field(first, "name") == ORIGIN_VERIFY_RULE and _blocks(first):
        return
    report("The web ACL has no rate-based rule that blocks each client over its limit: add one (aggregate_key_type "
           "IP, action block), or, on an origin only CloudFront may reach, put the origin-verify block rule first.")


REDACTIONS = {"requiredRedactions": {
    "type": "array", "items": {"type": "string", "minLength": 1}, "default": ["authorization", "cookie"],
    "description": "Headers every WAF logging configuration redacts (compared case-insensitively)."}}


@resource_rule(
    name="waf-logging-redaction",
    description="WAFv2 logging configurations redact credentials: at least the authorization and cookie headers "
                "(the requiredRedactions setting) among their redacted single headers.",
    source="SecureCart issue 13 (WAF logs redact the authorization and cookie headers); catalogue gap (FSBP WAF.11 "
           "asks for logging, not redaction)",
    types=[WAFV2_WEB_ACL_LOGGING_CONFIGURATION], level=MANDATORY, severity=Severity.MEDIUM, config=REDACTIONS,
)
def waf_logging_redaction(args: ResourceValidationArgs, report: Report, settings: Mapping[str, Any]) -> None:
    redacted = {str(get(f, "singleHeader", "name") or "").lower() for f in as_list(args.props.get("redactedFields"))}
    missing = [str(h) for h in settings["requiredRedactions"] if str(h).lower() not in redacted]
    if missing:
        report(f"The WAF logs show header(s) {', '.join(missing)}: add redacted_fields single_header entries for "
               f"them (lower case).")
