"""Which API request member each Pulumi input becomes, for every resource type the program uses.

A ``Prop`` names a path in a resource's inputs (the camelCase names the synth records) and the request member
(service, operation, member path in botocore's model) the provider sends it as, plus any documentation-only
constraints (``documented``). Path steps: ``a.b`` a nested key, ``a[]`` each item of a list, ``a@json`` a JSON
document held in a string, ``a.*keys`` / ``a.*values`` the keys / values of a map (Pulumi's ``tags``).
``mirror=True`` means the value has the member's own structure (a WAF rule, an S3 lifecycle rule, an ECS
container definition): it is checked all the way down, its keys matched to the member names without regard to
case; keys the API does not have are left alone.

A type with nothing AWS constrains gets ``Nothing(reason)``, so that a new type forces a decision (a test fails on
any type the program uses that has no entry). Only inputs the program sets itself matter: a property that only
ever holds another resource's ID or ARN is left out (those are the engine's, or the mock's, values).
"""

from dataclasses import dataclass
from typing import Any

from automation.constraints import documented as doc
from automation.constraints.documented import Documented
from automation.constraints.model import Member


@dataclass(frozen=True)
class Prop:
    path: str
    member: Member | None
    documented: tuple[Documented, ...] = ()
    mirror: bool = False
    provider_values: tuple[Any, ...] = ()  # values the provider takes and translates: never sent to AWS as such
    secret: bool = False  # never print the value


@dataclass(frozen=True)
class Nothing:
    reason: str


def p(path: str, member: str | None, *documented: Documented, mirror: bool = False,
      provider_values: tuple[Any, ...] = (), secret: bool = False) -> Prop:
    return Prop(path, Member.parse(member) if member else None, documented, mirror, provider_values, secret)


def tags(prefix: str, key: str = "Key", value: str = "Value") -> tuple[Prop, ...]:
    """A ``tags`` map as the API's tag list (``prefix`` is e.g. ``elbv2 CreateLoadBalancer Tags``)."""
    return (p("tags.*keys", f"{prefix}[].{key}"), p("tags.*values", f"{prefix}[].{value}"))


def _sg_rules(direction: str) -> tuple[Prop, ...]:
    op = f"ec2 AuthorizeSecurityGroup{direction.capitalize()}"
    return (p(f"{direction}[].description", f"{op} IpPermissions[].IpRanges[].Description",
              doc.EC2_RULE_DESCRIPTION),)


def _vpn_tunnel(n: int) -> tuple[Prop, ...]:
    t = "ec2 CreateVpnConnection Options.TunnelOptions[]"
    return (
        p(f"tunnel{n}DpdTimeoutAction", f"{t}.DPDTimeoutAction", doc.VPN_DPD_TIMEOUT_ACTION),
        p(f"tunnel{n}StartupAction", f"{t}.StartupAction", doc.VPN_STARTUP_ACTION),
        p(f"tunnel{n}IkeVersions[]", f"{t}.IKEVersions[].Value", doc.VPN_IKE_VERSION),
        p(f"tunnel{n}Phase1EncryptionAlgorithms[]", f"{t}.Phase1EncryptionAlgorithms[].Value", doc.VPN_ENCRYPTION),
        p(f"tunnel{n}Phase2EncryptionAlgorithms[]", f"{t}.Phase2EncryptionAlgorithms[].Value", doc.VPN_ENCRYPTION),
        p(f"tunnel{n}Phase1IntegrityAlgorithms[]", f"{t}.Phase1IntegrityAlgorithms[].Value", doc.VPN_INTEGRITY),
        p(f"tunnel{n}Phase2IntegrityAlgorithms[]", f"{t}.Phase2IntegrityAlgorithms[].Value", doc.VPN_INTEGRITY),
        p(f"tunnel{n}Phase1DhGroupNumbers[]", f"{t}.Phase1DHGroupNumbers[].Value", doc.VPN_PHASE1_DH),
        p(f"tunnel{n}Phase2DhGroupNumbers[]", f"{t}.Phase2DHGroupNumbers[].Value", doc.VPN_PHASE2_DH),
        p(f"tunnel{n}LogOptions.cloudwatchLogOptions.logOutputFormat",
          f"{t}.LogOptions.CloudWatchLogOptions.LogOutputFormat", doc.VPN_LOG_FORMAT),
        p(f"tunnel{n}PresharedKey", f"{t}.PreSharedKey", doc.VPN_PRESHARED_KEY, secret=True),
    )


def _lb_actions(path: str, member: str) -> tuple[Prop, ...]:
    return (
        p(f"{path}[].type", f"{member}[].Type"),
        p(f"{path}[].order", f"{member}[].Order"),
        p(f"{path}[].redirect.protocol", f"{member}[].RedirectConfig.Protocol"),
        p(f"{path}[].redirect.host", f"{member}[].RedirectConfig.Host"),
        p(f"{path}[].redirect.path", f"{member}[].RedirectConfig.Path"),
        p(f"{path}[].redirect.query", f"{member}[].RedirectConfig.Query"),
        p(f"{path}[].redirect.statusCode", f"{member}[].RedirectConfig.StatusCode"),
        p(f"{path}[].fixedResponse.statusCode", f"{member}[].FixedResponseConfig.StatusCode"),
        p(f"{path}[].fixedResponse.contentType", f"{member}[].FixedResponseConfig.ContentType"),
        p(f"{path}[].fixedResponse.messageBody", f"{member}[].FixedResponseConfig.MessageBody"),
    )


def _cache_behavior(path: str, member: str) -> tuple[Prop, ...]:
    """A CloudFront cache behavior: Pulumi flattens the API's ``{Quantity, Items}`` wrappers into plain lists."""
    return (
        p(f"{path}.viewerProtocolPolicy", f"{member}.ViewerProtocolPolicy"),
        p(f"{path}.allowedMethods[]", f"{member}.AllowedMethods.Items[]"),
        p(f"{path}.cachedMethods[]", f"{member}.AllowedMethods.CachedMethods.Items[]"),
        p(f"{path}.functionAssociations[].eventType", f"{member}.FunctionAssociations.Items[].EventType"),
        p(f"{path}.lambdaFunctionAssociations[].eventType", f"{member}.LambdaFunctionAssociations.Items[].EventType"),
        p(f"{path}.forwardedValues.cookies.forward", f"{member}.ForwardedValues.Cookies.Forward"),
    )


def _policy_parameters(path: str, member: str, header_behavior: bool = True) -> tuple[Prop, ...]:
    """The headers, cookies and query strings of a cache or origin request policy."""
    return (
        *((p(f"{path}headersConfig.headerBehavior", f"{member}HeadersConfig.HeaderBehavior"),) if header_behavior
          else ()),
        p(f"{path}cookiesConfig.cookieBehavior", f"{member}CookiesConfig.CookieBehavior"),
        p(f"{path}queryStringsConfig.queryStringBehavior", f"{member}QueryStringsConfig.QueryStringBehavior"),
    )


_LT = "ec2 CreateLaunchTemplate LaunchTemplateData"
_ASG = "autoscaling CreateAutoScalingGroup"
# Rules the EC2 and Auto Scaling models state only in prose (the appliance fleet's launch template and group).
LT_HOP_LIMIT = doc.rule(
    "an integer from 1 to 64", "EC2 API reference, LaunchTemplateInstanceMetadataOptionsRequest "
    "HttpPutResponseHopLimit", f"{doc.API}/AWSEC2/latest/APIReference/"
    "API_LaunchTemplateInstanceMetadataOptionsRequest.html",
    quote="Possible values: Integers from 1 to 64", ranges=((1, 64),))
ASG_NAME = doc.rule(
    "ASCII characters 33 to 126 but no colon, at most 255 of them",
    "Auto Scaling API reference, CreateAutoScalingGroup AutoScalingGroupName",
    f"{doc.API}/autoscaling/ec2/APIReference/API_CreateAutoScalingGroup.html",
    quote="You cannot use a colon (:) in the name.", alphabet=r"\x21-\x39\x3b-\x7e", max_len=255)
ASG_HEALTH_CHECK_TYPE = doc.rule(
    "a comma-separated list of EC2, EBS, ELB, VPC_LATTICE",
    "Auto Scaling API reference, CreateAutoScalingGroup HealthCheckType",
    f"{doc.API}/autoscaling/ec2/APIReference/API_CreateAutoScalingGroup.html",
    quote="The valid values are EC2 , EBS , ELB , and VPC_LATTICE .",
    pattern=r"(EC2|EBS|ELB|VPC_LATTICE)(,(EC2|EBS|ELB|VPC_LATTICE))*")

_TGW_ENUMS = ("autoAcceptSharedAttachments", "defaultRouteTableAssociation", "defaultRouteTablePropagation",
              "dnsSupport", "vpnEcmpSupport", "multicastSupport", "securityGroupReferencingSupport")
_ALARM = "cloudwatch PutMetricAlarm"
_RRSET = "route53 ChangeResourceRecordSets ChangeBatch.Changes[].ResourceRecordSet"
_HEALTH = "route53 CreateHealthCheck HealthCheckConfig"
_DIST = "cloudfront CreateDistribution DistributionConfig"
_ORIGIN = f"{_DIST}.Origins.Items[]"
_R53_TAGS = "route53 ChangeTagsForResource AddTags"
_HEADERS_POLICY = "cloudfront CreateResponseHeadersPolicy ResponseHeadersPolicyConfig"
_SECURITY_HEADERS = f"{_HEADERS_POLICY}.SecurityHeadersConfig"
_SCALING = "application-autoscaling"

RESOURCES: dict[str, tuple[Prop, ...] | Nothing] = {
    # --- EC2: VPC, subnets, routing --------------------------------------------------------------------------
    "aws:ec2/vpc:Vpc": (p("instanceTenancy", "ec2 CreateVpc InstanceTenancy"),),
    "aws:ec2/subnet:Subnet": Nothing("CreateSubnet constrains none of its members (CIDRs and zones are checked by "
                                     "the config models)"),
    "aws:ec2/internetGateway:InternetGateway": Nothing("only the VPC it attaches to, and tags"),
    "aws:ec2/eip:Eip": (p("domain", "ec2 AllocateAddress Domain"),),
    "aws:ec2/natGateway:NatGateway": (
        p("connectivityType", "ec2 CreateNatGateway ConnectivityType"),
        p("secondaryPrivateIpAddressCount", "ec2 CreateNatGateway SecondaryPrivateIpAddressCount"),
    ),
    "aws:ec2/routeTable:RouteTable": Nothing("only the VPC, tags and routes to other resources' IDs"),
    "aws:ec2/route:Route": Nothing("CreateRoute constrains none of its members: a CIDR and a target's ID"),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": Nothing("two resource IDs"),
    "aws:ec2/networkAcl:NetworkAcl": (
        p("ingress[].ruleNo", "ec2 CreateNetworkAclEntry RuleNumber", doc.EC2_NACL_RULE_NUMBER),
        p("egress[].ruleNo", "ec2 CreateNetworkAclEntry RuleNumber", doc.EC2_NACL_RULE_NUMBER),
        p("ingress[].action", "ec2 CreateNetworkAclEntry RuleAction"),
        p("egress[].action", "ec2 CreateNetworkAclEntry RuleAction"),
    ),
    "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl": (
        p("ingress[].ruleNo", "ec2 CreateNetworkAclEntry RuleNumber", doc.EC2_NACL_RULE_NUMBER),
        p("egress[].ruleNo", "ec2 CreateNetworkAclEntry RuleNumber", doc.EC2_NACL_RULE_NUMBER),
        p("ingress[].action", "ec2 CreateNetworkAclEntry RuleAction"),
        p("egress[].action", "ec2 CreateNetworkAclEntry RuleAction"),
    ),
    "aws:ec2/networkAclRule:NetworkAclRule": (
        p("ruleNumber", "ec2 CreateNetworkAclEntry RuleNumber", doc.EC2_NACL_RULE_NUMBER),
        p("ruleAction", "ec2 CreateNetworkAclEntry RuleAction"),
    ),
    "aws:ec2/networkAclAssociation:NetworkAclAssociation": Nothing("two resource IDs"),
    "aws:ec2/flowLog:FlowLog": (
        p("trafficType", "ec2 CreateFlowLogs TrafficType"),
        p("logDestinationType", "ec2 CreateFlowLogs LogDestinationType"),
        p("maxAggregationInterval", "ec2 CreateFlowLogs MaxAggregationInterval", doc.EC2_FLOW_LOG_INTERVAL),
        p("destinationOptions.fileFormat", "ec2 CreateFlowLogs DestinationOptions.FileFormat"),
    ),
    # --- EC2: security groups --------------------------------------------------------------------------------
    "aws:ec2/securityGroup:SecurityGroup": (
        p("name", "ec2 CreateSecurityGroup GroupName", doc.EC2_SG_NAME),
        p("description", "ec2 CreateSecurityGroup Description", doc.EC2_SG_DESCRIPTION),
        *_sg_rules("ingress"), *_sg_rules("egress"),
    ),
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": (*_sg_rules("ingress"), *_sg_rules("egress")),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": (
        p("description", "ec2 AuthorizeSecurityGroupIngress IpPermissions[].IpRanges[].Description",
          doc.EC2_RULE_DESCRIPTION),
    ),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": (
        p("description", "ec2 AuthorizeSecurityGroupEgress IpPermissions[].IpRanges[].Description",
          doc.EC2_RULE_DESCRIPTION),
    ),
    "aws:ec2/securityGroupRule:SecurityGroupRule": (
        p("description", "ec2 AuthorizeSecurityGroupIngress IpPermissions[].IpRanges[].Description",
          doc.EC2_RULE_DESCRIPTION),
    ),
    # --- EC2: endpoints, prefix lists -------------------------------------------------------------------------
    "aws:ec2/vpcEndpoint:VpcEndpoint": (
        p("serviceName", "ec2 CreateVpcEndpoint ServiceName", doc.EC2_ENDPOINT_SERVICE_NAME),
        p("vpcEndpointType", "ec2 CreateVpcEndpoint VpcEndpointType"),
        p("ipAddressType", "ec2 CreateVpcEndpoint IpAddressType"),
        p("dnsOptions.dnsRecordIpType", "ec2 CreateVpcEndpoint DnsOptions.DnsRecordIpType"),
    ),
    "aws:ec2/vpcEndpointService:VpcEndpointService": (
        # acceptanceRequired is a boolean; whether it is on, and whom the principals name, is the pack's to judge
        p("privateDnsName", "ec2 CreateVpcEndpointServiceConfiguration PrivateDnsName", doc.ROUTE53_DNS_NAME),
        p("supportedIpAddressTypes[]", "ec2 CreateVpcEndpointServiceConfiguration SupportedIpAddressTypes[]",
          doc.EC2_ENDPOINT_IP_TYPE),
        p("allowedPrincipals[]", "ec2 ModifyVpcEndpointServicePermissions AddAllowedPrincipals[]",
          doc.EC2_ENDPOINT_PRINCIPAL),
    ),
    "aws:vpc/endpointServicePrivateDnsVerification:EndpointServicePrivateDnsVerification": Nothing(
        "the endpoint service's ID (StartVpcEndpointServicePrivateDnsVerification constrains nothing else)"),
    "aws:ec2/vpcEndpointConnectionAccepter:VpcEndpointConnectionAccepter": Nothing("two resource IDs"),
    "aws:ec2/vpcPeeringConnection:VpcPeeringConnection": Nothing(
        "two VPC IDs, an account ID and a region (the settings check those), and tags: CreateVpcPeeringConnection "
        "constrains none of its members"),
    "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter": Nothing(
        "the peering's ID and the provider's own auto_accept (AcceptVpcPeeringConnection takes only the ID)"),
    "aws:ec2/peeringConnectionOptions:PeeringConnectionOptions": Nothing(
        "the peering's ID and booleans (ModifyVpcPeeringConnectionOptions constrains none of its members)"),
    "aws:ec2/managedPrefixList:ManagedPrefixList": (
        p("name", "ec2 CreateManagedPrefixList PrefixListName", doc.EC2_PREFIX_LIST_NAME),
        p("entries", "ec2 CreateManagedPrefixList Entries"),
        p("entries[].description", "ec2 CreateManagedPrefixList Entries[].Description", doc.EC2_PREFIX_LIST_ENTRY),
    ),
    # --- EC2: VPN, Transit Gateway ----------------------------------------------------------------------------
    "aws:ec2/customerGateway:CustomerGateway": (
        p("type", "ec2 CreateCustomerGateway Type"),
        p("deviceName", "ec2 CreateCustomerGateway DeviceName", doc.EC2_CUSTOMER_GATEWAY_DEVICE),
        p("bgpAsn", "ec2 CreateCustomerGateway BgpAsn", doc.EC2_CUSTOMER_GATEWAY_ASN),
    ),
    "aws:ec2/vpnConnection:VpnConnection": (
        p("tunnelInsideIpVersion", "ec2 CreateVpnConnection Options.TunnelInsideIpVersion"),
        *_vpn_tunnel(1), *_vpn_tunnel(2),
    ),
    "aws:ec2transitgateway/transitGateway:TransitGateway": (
        p("amazonSideAsn", "ec2 CreateTransitGateway Options.AmazonSideAsn", doc.TGW_ASN),
        *(p(name, f"ec2 CreateTransitGateway Options.{name[0].upper()}{name[1:]}") for name in _TGW_ENUMS),
    ),
    "aws:ec2transitgateway/vpcAttachment:VpcAttachment": tuple(
        p(name, f"ec2 CreateTransitGatewayVpcAttachment Options.{name[0].upper()}{name[1:]}")
        for name in ("dnsSupport", "applianceModeSupport", "ipv6Support", "securityGroupReferencingSupport")),
    "aws:ec2transitgateway/peeringAttachment:PeeringAttachment": (
        p("options.dynamicRouting", "ec2 CreateTransitGatewayPeeringAttachment Options.DynamicRouting"),
    ),
    "aws:ec2transitgateway/peeringAttachmentAccepter:PeeringAttachmentAccepter": Nothing("an attachment's ID"),
    "aws:ec2transitgateway/route:Route": Nothing("a CIDR and two resource IDs"),
    "aws:ec2transitgateway/routeTable:RouteTable": Nothing("a Transit Gateway's ID and tags"),
    "aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation": Nothing("two resource IDs"),
    "aws:ec2transitgateway/routeTablePropagation:RouteTablePropagation": Nothing("two resource IDs"),
    # --- Direct Connect ---------------------------------------------------------------------------------------
    "aws:directconnect/gateway:Gateway": (
        p("amazonSideAsn", "directconnect CreateDirectConnectGateway amazonSideAsn", doc.DX_ASN),
        *tags("directconnect CreateDirectConnectGateway tags", "key", "value"),
    ),
    "aws:directconnect/gatewayAssociation:GatewayAssociation": Nothing(
        "CreateDirectConnectGatewayAssociation constrains none of its members: IDs and CIDR prefixes"),
    # --- Elastic Load Balancing v2 ----------------------------------------------------------------------------
    "aws:lb/loadBalancer:LoadBalancer": (
        p("name", "elbv2 CreateLoadBalancer Name", doc.ELB_NAME),
        p("loadBalancerType", "elbv2 CreateLoadBalancer Type"),
        p("ipAddressType", "elbv2 CreateLoadBalancer IpAddressType"),
        p("customerOwnedIpv4Pool", "elbv2 CreateLoadBalancer CustomerOwnedIpv4Pool"),
        *tags("elbv2 CreateLoadBalancer Tags"),
    ),
    "aws:lb/targetGroup:TargetGroup": (
        p("name", "elbv2 CreateTargetGroup Name", doc.ELB_TARGET_GROUP_NAME),
        p("protocol", "elbv2 CreateTargetGroup Protocol"),
        p("port", "elbv2 CreateTargetGroup Port"),
        p("targetType", "elbv2 CreateTargetGroup TargetType"),
        p("ipAddressType", "elbv2 CreateTargetGroup IpAddressType"),
        p("healthCheck.protocol", "elbv2 CreateTargetGroup HealthCheckProtocol"),
        p("healthCheck.path", "elbv2 CreateTargetGroup HealthCheckPath"),
        p("healthCheck.interval", "elbv2 CreateTargetGroup HealthCheckIntervalSeconds"),
        p("healthCheck.timeout", "elbv2 CreateTargetGroup HealthCheckTimeoutSeconds"),
        p("healthCheck.healthyThreshold", "elbv2 CreateTargetGroup HealthyThresholdCount"),
        p("healthCheck.unhealthyThreshold", "elbv2 CreateTargetGroup UnhealthyThresholdCount"),
        *tags("elbv2 CreateTargetGroup Tags"),
    ),
    "aws:lb/listener:Listener": (
        p("port", "elbv2 CreateListener Port"),
        p("protocol", "elbv2 CreateListener Protocol"),
        p("sslPolicy", "elbv2 CreateListener SslPolicy", doc.ELB_SSL_POLICY),
        *_lb_actions("defaultActions", "elbv2 CreateListener DefaultActions"),
        *tags("elbv2 CreateListener Tags"),
    ),
    "aws:lb/listenerRule:ListenerRule": (
        p("priority", "elbv2 CreateRule Priority"),
        *_lb_actions("actions", "elbv2 CreateRule Actions"),
        *tags("elbv2 CreateRule Tags"),
    ),
    # --- WAFv2, Shield ----------------------------------------------------------------------------------------
    "aws:wafv2/webAcl:WebAcl": (
        p("name", "wafv2 CreateWebACL Name"),
        p("description", "wafv2 CreateWebACL Description"),
        p("scope", "wafv2 CreateWebACL Scope"),
        p("tokenDomains[]", "wafv2 CreateWebACL TokenDomains[]"),
        p("defaultAction", "wafv2 CreateWebACL DefaultAction", mirror=True),
        p("rules", "wafv2 CreateWebACL Rules", mirror=True),
        p("visibilityConfig", "wafv2 CreateWebACL VisibilityConfig", mirror=True),
        *tags("wafv2 CreateWebACL Tags"),
    ),
    "aws:wafv2/webAclAssociation:WebAclAssociation": Nothing("two ARNs of other resources"),
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": (
        p("logDestinationConfigs", "wafv2 PutLoggingConfiguration LoggingConfiguration.LogDestinationConfigs"),
    ),
    "aws:shield/protection:Protection": (
        p("name", "shield CreateProtection Name"),
        *tags("shield CreateProtection Tags"),
    ),
    "aws:shield/subscription:Subscription": (p("autoRenew", "shield UpdateSubscription AutoRenew"),),
    "aws:shield/protectionGroup:ProtectionGroup": (
        p("protectionGroupId", "shield CreateProtectionGroup ProtectionGroupId"),
        p("aggregation", "shield CreateProtectionGroup Aggregation"),
        p("pattern", "shield CreateProtectionGroup Pattern"),
        p("resourceType", "shield CreateProtectionGroup ResourceType"),
        p("members", "shield CreateProtectionGroup Members"),
        *tags("shield CreateProtectionGroup Tags"),
    ),
    "aws:shield/protectionHealthCheckAssociation:ProtectionHealthCheckAssociation": Nothing(
        "a protection's ID and a health check's ARN, both other resources' (AssociateHealthCheck's patterns hold "
        "for what the engine makes)"),
    "aws:shield/applicationLayerAutomaticResponse:ApplicationLayerAutomaticResponse": (
        # the provider sends BLOCK or COUNT as the Action structure's one member ({"Block": {}} or {"Count": {}})
        p("action", "shield EnableApplicationLayerAutomaticResponse Action", doc.SHIELD_AUTOMATIC_RESPONSE_ACTION),
    ),
    # --- ACM, Route 53 ----------------------------------------------------------------------------------------
    "aws:acm/certificate:Certificate": (
        p("domainName", "acm RequestCertificate DomainName", doc.ACM_COMMON_NAME),
        p("subjectAlternativeNames", "acm RequestCertificate SubjectAlternativeNames"),
        p("subjectAlternativeNames[]", "acm RequestCertificate SubjectAlternativeNames[]"),
        p("validationMethod", "acm RequestCertificate ValidationMethod"),
        p("keyAlgorithm", "acm RequestCertificate KeyAlgorithm"),
        p("options.certificateTransparencyLoggingPreference",
          "acm RequestCertificate Options.CertificateTransparencyLoggingPreference"),
        p("options.export", "acm RequestCertificate Options.Export"),
        p("validationOptions[].domainName", "acm RequestCertificate DomainValidationOptions[].DomainName"),
        p("validationOptions[].validationDomain", "acm RequestCertificate DomainValidationOptions[].ValidationDomain"),
        *tags("acm RequestCertificate Tags"),
    ),
    "aws:acm/certificateValidation:CertificateValidation": Nothing(
        "no API request of its own: it waits for ACM to issue a certificate (its inputs are that certificate's ARN "
        "and its validation records' names)"),
    "aws:route53/zone:Zone": (
        p("name", "route53 CreateHostedZone Name", doc.ROUTE53_DNS_NAME),
        p("comment", "route53 CreateHostedZone HostedZoneConfig.Comment"),
        p("vpcs[].vpcRegion", "route53 CreateHostedZone VPC.VPCRegion"),
        *tags(_R53_TAGS),
    ),
    "aws:route53/record:Record": (
        p("name", f"{_RRSET}.Name", doc.ROUTE53_DNS_NAME),
        p("type", f"{_RRSET}.Type"),
        p("ttl", f"{_RRSET}.TTL"),
        p("setIdentifier", f"{_RRSET}.SetIdentifier"),
        p("records", f"{_RRSET}.ResourceRecords"),
        p("records[]", f"{_RRSET}.ResourceRecords[].Value"),
        p("weightedRoutingPolicies[].weight", f"{_RRSET}.Weight"),
        p("failoverRoutingPolicies[].type", f"{_RRSET}.Failover"),
        p("latencyRoutingPolicies[].region", f"{_RRSET}.Region"),
        p("geolocationRoutingPolicies[].continent", f"{_RRSET}.GeoLocation.ContinentCode", doc.ROUTE53_CONTINENT),
        p("geolocationRoutingPolicies[].country", f"{_RRSET}.GeoLocation.CountryCode", doc.ROUTE53_COUNTRY),
        p("geolocationRoutingPolicies[].subdivision", f"{_RRSET}.GeoLocation.SubdivisionCode"),
        p("geoproximityRoutingPolicy.awsRegion", f"{_RRSET}.GeoProximityLocation.AWSRegion"),
        p("geoproximityRoutingPolicy.bias", f"{_RRSET}.GeoProximityLocation.Bias"),
        p("geoproximityRoutingPolicy.coordinates[].latitude", f"{_RRSET}.GeoProximityLocation.Coordinates.Latitude"),
        p("geoproximityRoutingPolicy.coordinates[].longitude",
          f"{_RRSET}.GeoProximityLocation.Coordinates.Longitude"),
        p("cidrRoutingPolicy.locationName", f"{_RRSET}.CidrRoutingConfig.LocationName"),
    ),
    "aws:route53/healthCheck:HealthCheck": (
        p("type", f"{_HEALTH}.Type"),
        p("fqdn", f"{_HEALTH}.FullyQualifiedDomainName", doc.ROUTE53_DNS_NAME),
        p("ipAddress", f"{_HEALTH}.IPAddress"),
        p("port", f"{_HEALTH}.Port"),
        p("resourcePath", f"{_HEALTH}.ResourcePath", doc.ROUTE53_RESOURCE_PATH),
        p("searchString", f"{_HEALTH}.SearchString"),
        p("requestInterval", f"{_HEALTH}.RequestInterval", doc.ROUTE53_REQUEST_INTERVAL),
        p("failureThreshold", f"{_HEALTH}.FailureThreshold"),
        p("regions", f"{_HEALTH}.Regions"),
        p("regions[]", f"{_HEALTH}.Regions[]"),
        p("childHealthThreshold", f"{_HEALTH}.HealthThreshold"),
        p("childHealthchecks", f"{_HEALTH}.ChildHealthChecks"),
        p("cloudwatchAlarmName", f"{_HEALTH}.AlarmIdentifier.Name"),
        p("cloudwatchAlarmRegion", f"{_HEALTH}.AlarmIdentifier.Region"),
        p("insufficientDataHealthStatus", f"{_HEALTH}.InsufficientDataHealthStatus"),
        *tags(_R53_TAGS),
    ),
    "aws:route53/queryLog:QueryLog": Nothing("a hosted zone's ID and a log group's ARN (the pack checks that the "
                                             "group is in us-east-1)"),
    # --- CloudFront -------------------------------------------------------------------------------------------
    "aws:cloudfront/distribution:Distribution": (
        p("comment", f"{_DIST}.Comment", doc.CLOUDFRONT_COMMENT),
        p("priceClass", f"{_DIST}.PriceClass"),
        p("httpVersion", f"{_DIST}.HttpVersion"),
        p("viewerCertificate.minimumProtocolVersion", f"{_DIST}.ViewerCertificate.MinimumProtocolVersion"),
        p("viewerCertificate.sslSupportMethod", f"{_DIST}.ViewerCertificate.SSLSupportMethod"),
        p("restrictions.geoRestriction.restrictionType", f"{_DIST}.Restrictions.GeoRestriction.RestrictionType"),
        *_cache_behavior("defaultCacheBehavior", f"{_DIST}.DefaultCacheBehavior"),
        *_cache_behavior("orderedCacheBehaviors[]", f"{_DIST}.CacheBehaviors.Items[]"),
        p("origins", f"{_DIST}.Origins.Items"),
        p("origins[].connectionAttempts", f"{_ORIGIN}.ConnectionAttempts", doc.CLOUDFRONT_CONNECTION_ATTEMPTS),
        p("origins[].connectionTimeout", f"{_ORIGIN}.ConnectionTimeout", doc.CLOUDFRONT_CONNECTION_TIMEOUT),
        p("origins[].customOriginConfig.originProtocolPolicy", f"{_ORIGIN}.CustomOriginConfig.OriginProtocolPolicy"),
        p("origins[].customOriginConfig.originSslProtocols[]",
          f"{_ORIGIN}.CustomOriginConfig.OriginSslProtocols.Items[]"),
        p("origins[].customOriginConfig.ipAddressType", f"{_ORIGIN}.CustomOriginConfig.IpAddressType"),
        p("origins[].originShield.originShieldRegion", f"{_ORIGIN}.OriginShield.OriginShieldRegion"),
        p("originGroups[].members", f"{_DIST}.OriginGroups.Items[].Members.Items"),
        p("originGroups[].failoverCriteria.statusCodes", f"{_DIST}.OriginGroups.Items[].FailoverCriteria.StatusCodes"
          ".Items"),
        p("originGroups[].failoverCriteria.statusCodes[]", f"{_DIST}.OriginGroups.Items[].FailoverCriteria"
          ".StatusCodes.Items[]", doc.CLOUDFRONT_FAILOVER_STATUS),
        *tags("cloudfront CreateDistributionWithTags DistributionConfigWithTags.Tags.Items"),
    ),
    "aws:cloudfront/originAccessControl:OriginAccessControl": (
        p("name", "cloudfront CreateOriginAccessControl OriginAccessControlConfig.Name", doc.CLOUDFRONT_OAC_NAME),
        p("originAccessControlOriginType",
          "cloudfront CreateOriginAccessControl OriginAccessControlConfig.OriginAccessControlOriginType"),
        p("signingBehavior", "cloudfront CreateOriginAccessControl OriginAccessControlConfig.SigningBehavior"),
        p("signingProtocol", "cloudfront CreateOriginAccessControl OriginAccessControlConfig.SigningProtocol"),
    ),
    "aws:cloudfront/cachePolicy:CachePolicy": (
        p("comment", "cloudfront CreateCachePolicy CachePolicyConfig.Comment", doc.CLOUDFRONT_COMMENT),
        *_policy_parameters("parametersInCacheKeyAndForwardedToOrigin.",
                            "cloudfront CreateCachePolicy CachePolicyConfig.ParametersInCacheKeyAndForwardedToOrigin."),
    ),
    "aws:cloudfront/originRequestPolicy:OriginRequestPolicy": (
        p("comment", "cloudfront CreateOriginRequestPolicy OriginRequestPolicyConfig.Comment", doc.CLOUDFRONT_COMMENT),
        *_policy_parameters("", "cloudfront CreateOriginRequestPolicy OriginRequestPolicyConfig."),
    ),
    "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": (
        p("comment", f"{_HEADERS_POLICY}.Comment", doc.CLOUDFRONT_COMMENT),
        p("corsConfig.accessControlAllowMethods.items[]",
          f"{_HEADERS_POLICY}.CorsConfig.AccessControlAllowMethods.Items[]"),
        p("securityHeadersConfig.frameOptions.frameOption", f"{_SECURITY_HEADERS}.FrameOptions.FrameOption"),
        p("securityHeadersConfig.referrerPolicy.referrerPolicy", f"{_SECURITY_HEADERS}.ReferrerPolicy.ReferrerPolicy"),
        p("serverTimingHeadersConfig.samplingRate", f"{_HEADERS_POLICY}.ServerTimingHeadersConfig.SamplingRate"),
    ),
    # --- Global Accelerator -----------------------------------------------------------------------------------
    "aws:globalaccelerator/accelerator:Accelerator": (
        p("name", "globalaccelerator CreateAccelerator Name", doc.GA_ACCELERATOR_NAME),
        p("ipAddressType", "globalaccelerator CreateAccelerator IpAddressType"),
        p("ipAddresses", "globalaccelerator CreateAccelerator IpAddresses"),
        p("attributes.flowLogsS3Prefix", "globalaccelerator UpdateAcceleratorAttributes FlowLogsS3Prefix"),
        *tags("globalaccelerator CreateAccelerator Tags"),
    ),
    "aws:globalaccelerator/listener:Listener": (
        p("protocol", "globalaccelerator CreateListener Protocol"),
        p("clientAffinity", "globalaccelerator CreateListener ClientAffinity"),
        p("portRanges", "globalaccelerator CreateListener PortRanges"),
        p("portRanges[].fromPort", "globalaccelerator CreateListener PortRanges[].FromPort"),
        p("portRanges[].toPort", "globalaccelerator CreateListener PortRanges[].ToPort"),
    ),
    "aws:globalaccelerator/endpointGroup:EndpointGroup": (
        p("endpointGroupRegion", "globalaccelerator CreateEndpointGroup EndpointGroupRegion"),
        p("trafficDialPercentage", "globalaccelerator CreateEndpointGroup TrafficDialPercentage"),
        p("healthCheckIntervalSeconds", "globalaccelerator CreateEndpointGroup HealthCheckIntervalSeconds",
          doc.GA_HEALTH_CHECK_INTERVAL),
        p("thresholdCount", "globalaccelerator CreateEndpointGroup ThresholdCount"),
        p("healthCheckPath", "globalaccelerator CreateEndpointGroup HealthCheckPath"),
        p("healthCheckPort", "globalaccelerator CreateEndpointGroup HealthCheckPort"),
        p("healthCheckProtocol", "globalaccelerator CreateEndpointGroup HealthCheckProtocol"),
        p("endpointConfigurations", "globalaccelerator CreateEndpointGroup EndpointConfigurations"),
        p("endpointConfigurations[].weight", "globalaccelerator CreateEndpointGroup EndpointConfigurations[].Weight"),
        p("portOverrides", "globalaccelerator CreateEndpointGroup PortOverrides"),
        p("portOverrides[].listenerPort", "globalaccelerator CreateEndpointGroup PortOverrides[].ListenerPort"),
        p("portOverrides[].endpointPort", "globalaccelerator CreateEndpointGroup PortOverrides[].EndpointPort"),
    ),
    # --- API Gateway (REST) -----------------------------------------------------------------------------------
    # Names, descriptions, policies and most other strings are unconstrained in the model and undocumented: only
    # what AWS states (the model's enums, the rules in its prose and guides) is checked.
    "aws:apigateway/restApi:RestApi": (
        # the provider takes the endpoint type as one string (types) and sends it as the list's one item
        p("endpointConfiguration.types", "apigateway CreateRestApi endpointConfiguration.types[]"),
        p("endpointConfiguration.types[]", "apigateway CreateRestApi endpointConfiguration.types[]"),
        p("endpointConfiguration.ipAddressType", "apigateway CreateRestApi endpointConfiguration.ipAddressType"),
        p("apiKeySource", "apigateway CreateRestApi apiKeySource"),
        p("securityPolicy", "apigateway CreateRestApi securityPolicy"),
        p("endpointAccessMode", "apigateway CreateRestApi endpointAccessMode"),
        p("minimumCompressionSize", "apigateway CreateRestApi minimumCompressionSize", doc.APIGW_MIN_COMPRESSION,
          provider_values=(-1, "-1")),  # the provider's "turn compression off": it sends no size
    ),
    "aws:apigateway/resource:Resource": (
        p("pathPart", "apigateway CreateResource pathPart", doc.APIGW_PATH_PART),
    ),
    "aws:apigateway/method:Method": (
        p("httpMethod", "apigateway PutMethod httpMethod", doc.APIGW_HTTP_METHOD),
        p("authorization", "apigateway PutMethod authorizationType", doc.APIGW_AUTHORIZATION),
    ),
    "aws:apigateway/integration:Integration": (
        p("type", "apigateway PutIntegration type"),
        p("connectionType", "apigateway PutIntegration connectionType"),
        p("httpMethod", "apigateway PutIntegration httpMethod", doc.APIGW_HTTP_METHOD),
        p("integrationHttpMethod", "apigateway PutIntegration integrationHttpMethod", doc.APIGW_HTTP_METHOD),
        p("uri", "apigateway PutIntegration uri", doc.APIGW_INTEGRATION_URI),
        p("timeoutMilliseconds", "apigateway PutIntegration timeoutInMillis", doc.APIGW_INTEGRATION_TIMEOUT),
        p("passthroughBehavior", "apigateway PutIntegration passthroughBehavior", doc.APIGW_PASSTHROUGH),
        p("contentHandling", "apigateway PutIntegration contentHandling"),
    ),
    "aws:apigateway/deployment:Deployment": Nothing("a description and the API's ID: CreateDeployment constrains "
                                                    "neither"),
    "aws:apigateway/stage:Stage": (
        p("stageName", "apigateway CreateStage stageName", doc.APIGW_STAGE_NAME),
        p("cacheClusterSize", "apigateway CreateStage cacheClusterSize"),
        p("variables.*keys", "apigateway CreateStage variables{key}", doc.APIGW_STAGE_VARIABLE_NAME),
        p("variables.*values", "apigateway CreateStage variables{value}", doc.APIGW_STAGE_VARIABLE_VALUE),
    ),
    "aws:apigateway/methodSettings:MethodSettings": (
        # sent as UpdateStage patch operations (/<method path>/logging/loglevel = INFO, …): the model constrains
        # no patch value, the API reference's MethodSetting states these
        p("settings.loggingLevel", "apigateway UpdateStage patchOperations[].value", doc.APIGW_LOGGING_LEVEL),
        p("settings.cacheTtlInSeconds", "apigateway UpdateStage patchOperations[].value", doc.APIGW_CACHE_TTL),
    ),
    "aws:apigateway/vpcLink:VpcLink": (
        p("targetArn", "apigateway CreateVpcLink targetArns[]", doc.APIGW_VPC_LINK_TARGET),
    ),
    "aws:apigateway/usagePlan:UsagePlan": (
        p("throttleSettings.burstLimit", "apigateway CreateUsagePlan throttle.burstLimit", doc.APIGW_THROTTLE_BURST),
        p("throttleSettings.rateLimit", "apigateway CreateUsagePlan throttle.rateLimit", doc.APIGW_THROTTLE_RATE),
        p("quotaSettings.period", "apigateway CreateUsagePlan quota.period"),
        p("apiStages[].throttles[].burstLimit", "apigateway CreateUsagePlan apiStages[].throttle{value}.burstLimit",
          doc.APIGW_THROTTLE_BURST),
        p("apiStages[].throttles[].rateLimit", "apigateway CreateUsagePlan apiStages[].throttle{value}.rateLimit",
          doc.APIGW_THROTTLE_RATE),
    ),
    "aws:apigateway/apiKey:ApiKey": (
        p("name", "apigateway CreateApiKey name", doc.APIGW_API_KEY_NAME),
        p("value", "apigateway CreateApiKey value", doc.APIGW_API_KEY_VALUE, secret=True),
    ),
    "aws:apigateway/usagePlanKey:UsagePlanKey": (
        p("keyType", "apigateway CreateUsagePlanKey keyType", doc.APIGW_USAGE_PLAN_KEY_TYPE),
    ),
    "aws:apigateway/requestValidator:RequestValidator": Nothing("a name and two booleans: CreateRequestValidator "
                                                                "constrains none"),
    "aws:apigateway/model:Model": (
        p("name", "apigateway CreateModel name", doc.APIGW_MODEL_NAME),
        p("schema", "apigateway CreateModel schema", doc.APIGW_MODEL_SCHEMA),
    ),
    "aws:apigateway/domainName:DomainName": (
        p("domainName", "apigateway CreateDomainName domainName", doc.ROUTE53_DNS_NAME),
        p("securityPolicy", "apigateway CreateDomainName securityPolicy"),
        p("endpointConfiguration.types", "apigateway CreateDomainName endpointConfiguration.types[]"),
        p("endpointConfiguration.types[]", "apigateway CreateDomainName endpointConfiguration.types[]"),
        p("endpointConfiguration.ipAddressType", "apigateway CreateDomainName endpointConfiguration.ipAddressType"),
        p("endpointAccessMode", "apigateway CreateDomainName endpointAccessMode"),
        p("routingMode", "apigateway CreateDomainName routingMode"),
    ),
    "aws:apigateway/basePathMapping:BasePathMapping": Nothing(
        "a base path (no form documented) and the stage's name, which the stage's own entry checks"),
    "aws:apigateway/restApiPolicy:RestApiPolicy": Nothing("a policy document: the model states no pattern or size "
                                                          "for it (the policy pack reads its content)"),
    "aws:apigateway/account:Account": Nothing("the CloudWatch Logs role's ARN, another resource's"),
    # --- ECS, ECR, Application Auto Scaling -------------------------------------------------------------------
    "aws:ecs/cluster:Cluster": (
        p("name", "ecs CreateCluster clusterName", doc.ECS_CLUSTER_NAME),
        p("settings[].name", "ecs CreateCluster settings[].name"),
        *tags("ecs CreateCluster tags", "key", "value"),
    ),
    "aws:ecs/service:Service": (
        p("name", "ecs CreateService serviceName", doc.ECS_SERVICE_NAME),
        p("launchType", "ecs CreateService launchType"),
        p("propagateTags", "ecs CreateService propagateTags"),
        p("schedulingStrategy", "ecs CreateService schedulingStrategy"),
        p("availabilityZoneRebalancing", "ecs CreateService availabilityZoneRebalancing"),
        p("capacityProviderStrategies[].weight", "ecs CreateService capacityProviderStrategy[].weight"),
        p("capacityProviderStrategies[].base", "ecs CreateService capacityProviderStrategy[].base"),
        p("deploymentController.type", "ecs CreateService deploymentController.type"),
        p("orderedPlacementStrategies[].type", "ecs CreateService placementStrategy[].type"),
        p("placementConstraints[].type", "ecs CreateService placementConstraints[].type"),
        *tags("ecs CreateService tags", "key", "value"),
    ),
    "aws:ecs/taskDefinition:TaskDefinition": (
        p("family", "ecs RegisterTaskDefinition family", doc.ECS_FAMILY),
        p("networkMode", "ecs RegisterTaskDefinition networkMode"),
        p("pidMode", "ecs RegisterTaskDefinition pidMode"),
        p("ipcMode", "ecs RegisterTaskDefinition ipcMode"),
        p("requiresCompatibilities[]", "ecs RegisterTaskDefinition requiresCompatibilities[]"),
        p("runtimePlatform.cpuArchitecture", "ecs RegisterTaskDefinition runtimePlatform.cpuArchitecture"),
        p("runtimePlatform.operatingSystemFamily", "ecs RegisterTaskDefinition runtimePlatform.operatingSystemFamily"),
        p("containerDefinitions@json", "ecs RegisterTaskDefinition containerDefinitions", mirror=True),
        p("containerDefinitions@json[].name", "ecs RegisterTaskDefinition containerDefinitions[].name",
          doc.ECS_CONTAINER_NAME),
        p("volumes[].efsVolumeConfiguration.transitEncryption",
          "ecs RegisterTaskDefinition volumes[].efsVolumeConfiguration.transitEncryption"),
        *tags("ecs RegisterTaskDefinition tags", "key", "value"),
    ),
    "awsx:ecr:Repository": (
        p("name", "ecr CreateRepository repositoryName"),
        p("imageTagMutability", "ecr CreateRepository imageTagMutability"),
        p("encryptionConfigurations[].encryptionType", "ecr CreateRepository encryptionConfiguration.encryptionType"),
    ),
    "aws:ecr/pullThroughCacheRule:PullThroughCacheRule": (
        p("ecrRepositoryPrefix", "ecr CreatePullThroughCacheRule ecrRepositoryPrefix"),
        p("upstreamRepositoryPrefix", "ecr CreatePullThroughCacheRule upstreamRepositoryPrefix"),
        p("credentialArn", "ecr CreatePullThroughCacheRule credentialArn"),
        p("customRoleArn", "ecr CreatePullThroughCacheRule customRoleArn"),
    ),
    "aws:appautoscaling/target:Target": (
        p("serviceNamespace", f"{_SCALING} RegisterScalableTarget ServiceNamespace"),
        p("scalableDimension", f"{_SCALING} RegisterScalableTarget ScalableDimension"),
        p("resourceId", f"{_SCALING} RegisterScalableTarget ResourceId"),
    ),
    "aws:appautoscaling/policy:Policy": (
        p("name", f"{_SCALING} PutScalingPolicy PolicyName"),
        p("policyType", f"{_SCALING} PutScalingPolicy PolicyType"),
        p("serviceNamespace", f"{_SCALING} PutScalingPolicy ServiceNamespace"),
        p("scalableDimension", f"{_SCALING} PutScalingPolicy ScalableDimension"),
        p("resourceId", f"{_SCALING} PutScalingPolicy ResourceId"),
        p("targetTrackingScalingPolicyConfiguration",
          f"{_SCALING} PutScalingPolicy TargetTrackingScalingPolicyConfiguration", mirror=True),
        p("stepScalingPolicyConfiguration", f"{_SCALING} PutScalingPolicy StepScalingPolicyConfiguration",
          mirror=True),
    ),
    "aws:appautoscaling/scheduledAction:ScheduledAction": (
        p("name", f"{_SCALING} PutScheduledAction ScheduledActionName"),
        p("schedule", f"{_SCALING} PutScheduledAction Schedule"),
        p("timezone", f"{_SCALING} PutScheduledAction Timezone"),
        p("serviceNamespace", f"{_SCALING} PutScheduledAction ServiceNamespace"),
        p("scalableDimension", f"{_SCALING} PutScheduledAction ScalableDimension"),
        p("resourceId", f"{_SCALING} PutScheduledAction ResourceId"),
    ),
    # --- IAM, KMS ---------------------------------------------------------------------------------------------
    "aws:iam/role:Role": (
        p("name", "iam CreateRole RoleName"),
        p("path", "iam CreateRole Path"),
        p("description", "iam CreateRole Description"),
        p("maxSessionDuration", "iam CreateRole MaxSessionDuration"),
        p("assumeRolePolicy", "iam CreateRole AssumeRolePolicyDocument"),
        p("inlinePolicies[].name", "iam PutRolePolicy PolicyName"),
        *tags("iam CreateRole Tags"),
    ),
    "aws:iam/rolePolicy:RolePolicy": (
        p("name", "iam PutRolePolicy PolicyName"),
        p("policy", "iam PutRolePolicy PolicyDocument"),
    ),
    "aws:kms/key:Key": (
        p("description", "kms CreateKey Description"),
        p("keyUsage", "kms CreateKey KeyUsage"),
        p("customerMasterKeySpec", "kms CreateKey KeySpec"),
        p("policy", "kms CreateKey Policy"),
        p("deletionWindowInDays", "kms ScheduleKeyDeletion PendingWindowInDays", doc.KMS_DELETION_WINDOW),
        *tags("kms CreateKey Tags", "TagKey", "TagValue"),
    ),
    "aws:kms/alias:Alias": (p("name", "kms CreateAlias AliasName", doc.KMS_ALIAS_PREFIX),),
    # --- Secrets Manager ------------------------------------------------------------------------------------
    "aws:secretsmanager/secret:Secret": (
        p("name", "secretsmanager CreateSecret Name", doc.SECRET_NAME),
        p("description", "secretsmanager CreateSecret Description"),
        # 0 is the provider's "delete without a recovery window" (ForceDeleteWithoutRecovery)
        p("recoveryWindowInDays", "secretsmanager DeleteSecret RecoveryWindowInDays", doc.SECRET_RECOVERY_WINDOW,
          provider_values=(0,)),
        p("replicas[].region", "secretsmanager CreateSecret AddReplicaRegions[].Region"),
        *tags("secretsmanager CreateSecret Tags"),
    ),
    "aws:secretsmanager/secretVersion:SecretVersion": (
        p("secretString", "secretsmanager PutSecretValue SecretString", secret=True),
        p("versionStages", "secretsmanager PutSecretValue VersionStages"),
        p("versionStages[]", "secretsmanager PutSecretValue VersionStages[]"),
    ),
    # --- RDS --------------------------------------------------------------------------------------------------
    "aws:rds/instance:Instance": (
        p("identifier", "rds CreateDBInstance DBInstanceIdentifier", doc.RDS_INSTANCE_IDENTIFIER),
        p("engine", "rds CreateDBInstance Engine", doc.RDS_ENGINE),
        p("port", "rds CreateDBInstance Port", doc.RDS_PORT),
        p("storageType", "rds CreateDBInstance StorageType", doc.RDS_STORAGE_TYPE),
        p("backupRetentionPeriod", "rds CreateDBInstance BackupRetentionPeriod", doc.RDS_BACKUP_RETENTION),
        p("monitoringInterval", "rds CreateDBInstance MonitoringInterval", doc.RDS_MONITORING_INTERVAL),
        p("performanceInsightsRetentionPeriod", "rds CreateDBInstance PerformanceInsightsRetentionPeriod",
          doc.RDS_PI_RETENTION),
        p("finalSnapshotIdentifier", "rds DeleteDBInstance FinalDBSnapshotIdentifier", doc.RDS_SNAPSHOT_IDENTIFIER),
        p("databaseInsightsMode", "rds CreateDBInstance DatabaseInsightsMode"),
        p("replicaMode", "rds CreateDBInstanceReadReplica ReplicaMode"),
    ),
    "aws:rds/parameterGroup:ParameterGroup": (
        p("name", "rds CreateDBParameterGroup DBParameterGroupName", doc.RDS_PARAMETER_GROUP_NAME),
        p("parameters[].applyMethod", "rds ModifyDBParameterGroup Parameters[].ApplyMethod"),
    ),
    "aws:rds/subnetGroup:SubnetGroup": (
        p("name", "rds CreateDBSubnetGroup DBSubnetGroupName", doc.RDS_SUBNET_GROUP_NAME),
    ),
    # --- DynamoDB, S3 -----------------------------------------------------------------------------------------
    "aws:dynamodb/table:Table": (
        p("name", "dynamodb CreateTable TableName", doc.DYNAMODB_TABLE_NAME),
        p("billingMode", "dynamodb CreateTable BillingMode"),
        p("attributes[].name", "dynamodb CreateTable AttributeDefinitions[].AttributeName"),
        p("attributes[].type", "dynamodb CreateTable AttributeDefinitions[].AttributeType"),
        p("hashKey", "dynamodb CreateTable KeySchema[].AttributeName"),
        p("rangeKey", "dynamodb CreateTable KeySchema[].AttributeName"),
        p("streamViewType", "dynamodb CreateTable StreamSpecification.StreamViewType"),
        p("tableClass", "dynamodb CreateTable TableClass"),
        p("readCapacity", "dynamodb CreateTable ProvisionedThroughput.ReadCapacityUnits"),
        p("writeCapacity", "dynamodb CreateTable ProvisionedThroughput.WriteCapacityUnits"),
        p("globalSecondaryIndexes[].name", "dynamodb CreateTable GlobalSecondaryIndexes[].IndexName"),
        p("globalSecondaryIndexes[].projectionType",
          "dynamodb CreateTable GlobalSecondaryIndexes[].Projection.ProjectionType"),
        p("localSecondaryIndexes[].name", "dynamodb CreateTable LocalSecondaryIndexes[].IndexName"),
        p("ttl.attributeName", "dynamodb UpdateTimeToLive TimeToLiveSpecification.AttributeName"),
        p("pointInTimeRecovery.recoveryPeriodInDays",
          "dynamodb UpdateContinuousBackups PointInTimeRecoverySpecification.RecoveryPeriodInDays"),
        *tags("dynamodb CreateTable Tags"),
    ),
    "aws:s3/bucket:Bucket": (p("bucket", "s3 CreateBucket Bucket", doc.S3_BUCKET_NAME),),
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": (
        p("rules", "s3 PutBucketLifecycleConfiguration LifecycleConfiguration.Rules", mirror=True),
    ),
    "aws:s3/bucketLogging:BucketLogging": (
        p("targetObjectKeyFormat.partitionedPrefix.partitionDateSource",
          "s3 PutBucketLogging BucketLoggingStatus.LoggingEnabled.TargetObjectKeyFormat.PartitionedPrefix"
          ".PartitionDateSource"),
    ),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": (
        p("rule.objectOwnership", "s3 PutBucketOwnershipControls OwnershipControls.Rules[].ObjectOwnership"),
    ),
    "aws:s3/bucketPolicy:BucketPolicy": Nothing("a policy document: the model states no pattern or size for it "
                                                "(the policy pack reads its content)"),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": Nothing("four booleans"),
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig": (
        p("rules", "s3 PutBucketReplication ReplicationConfiguration.Rules", mirror=True),
    ),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
        p("rules", "s3 PutBucketEncryption ServerSideEncryptionConfiguration.Rules", mirror=True),
    ),
    "aws:s3/bucketVersioning:BucketVersioning": (
        # "Disabled" is the provider's own value for a bucket that never had versioning: it sends nothing
        p("versioningConfiguration.status", "s3 PutBucketVersioning VersioningConfiguration.Status",
          provider_values=("Disabled",)),
        p("versioningConfiguration.mfaDelete", "s3 PutBucketVersioning VersioningConfiguration.MFADelete"),
    ),
    # --- CloudWatch, CloudWatch Logs, SNS ---------------------------------------------------------------------
    "aws:cloudwatch/logGroup:LogGroup": (
        p("name", "logs CreateLogGroup logGroupName"),
        p("logGroupClass", "logs CreateLogGroup logGroupClass"),
        # 0 is the provider's "never expire": it deletes the retention policy instead of putting one
        p("retentionInDays", "logs PutRetentionPolicy retentionInDays", doc.LOGS_RETENTION_DAYS,
          provider_values=(0,)),
        p("tags", "logs CreateLogGroup tags"),
        p("tags.*keys", "logs CreateLogGroup tags{key}"),
        p("tags.*values", "logs CreateLogGroup tags{value}"),
    ),
    "aws:cloudwatch/metricAlarm:MetricAlarm": (
        p("name", f"{_ALARM} AlarmName"),
        p("alarmDescription", f"{_ALARM} AlarmDescription"),
        p("alarmActions", f"{_ALARM} AlarmActions"),
        p("okActions", f"{_ALARM} OKActions"),
        p("insufficientDataActions", f"{_ALARM} InsufficientDataActions"),
        p("metricName", f"{_ALARM} MetricName"),
        p("namespace", f"{_ALARM} Namespace"),
        p("statistic", f"{_ALARM} Statistic"),
        p("unit", f"{_ALARM} Unit"),
        p("period", f"{_ALARM} Period"),
        p("evaluationPeriods", f"{_ALARM} EvaluationPeriods"),
        p("datapointsToAlarm", f"{_ALARM} DatapointsToAlarm"),
        p("comparisonOperator", f"{_ALARM} ComparisonOperator"),
        p("treatMissingData", f"{_ALARM} TreatMissingData", doc.CLOUDWATCH_TREAT_MISSING_DATA),
        p("evaluateLowSampleCountPercentiles", f"{_ALARM} EvaluateLowSampleCountPercentile"),
        p("thresholdMetricId", f"{_ALARM} ThresholdMetricId"),
        p("dimensions", f"{_ALARM} Dimensions"),
        p("dimensions.*keys", f"{_ALARM} Dimensions[].Name"),
        p("dimensions.*values", f"{_ALARM} Dimensions[].Value"),
        p("metricQueries[].id", f"{_ALARM} Metrics[].Id"),
        p("metricQueries[].expression", f"{_ALARM} Metrics[].Expression"),
        p("metricQueries[].period", f"{_ALARM} Metrics[].Period"),
        p("metricQueries[].metric.metricName", f"{_ALARM} Metrics[].MetricStat.Metric.MetricName"),
        p("metricQueries[].metric.namespace", f"{_ALARM} Metrics[].MetricStat.Metric.Namespace"),
        p("metricQueries[].metric.period", f"{_ALARM} Metrics[].MetricStat.Period"),
        p("metricQueries[].metric.unit", f"{_ALARM} Metrics[].MetricStat.Unit"),
        p("metricQueries[].metric.dimensions.*keys", f"{_ALARM} Metrics[].MetricStat.Metric.Dimensions[].Name"),
        p("metricQueries[].metric.dimensions.*values", f"{_ALARM} Metrics[].MetricStat.Metric.Dimensions[].Value"),
        *tags(f"{_ALARM} Tags"),
    ),
    "aws:cloudwatch/compositeAlarm:CompositeAlarm": (
        p("alarmName", "cloudwatch PutCompositeAlarm AlarmName"),
        p("alarmRule", "cloudwatch PutCompositeAlarm AlarmRule"),
        p("alarmDescription", "cloudwatch PutCompositeAlarm AlarmDescription"),
        p("alarmActions", "cloudwatch PutCompositeAlarm AlarmActions"),
        p("okActions", "cloudwatch PutCompositeAlarm OKActions"),
        *tags("cloudwatch PutCompositeAlarm Tags"),
    ),
    "aws:cloudwatch/dashboard:Dashboard": (
        p("dashboardName", "cloudwatch PutDashboard DashboardName", doc.CLOUDWATCH_DASHBOARD_NAME),
    ),
    "aws:cloudwatch/logMetricFilter:LogMetricFilter": (
        p("name", "logs PutMetricFilter filterName"),
        p("pattern", "logs PutMetricFilter filterPattern"),
        p("logGroupName", "logs PutMetricFilter logGroupName"),
        p("metricTransformation.name", "logs PutMetricFilter metricTransformations[].metricName"),
        p("metricTransformation.namespace", "logs PutMetricFilter metricTransformations[].metricNamespace"),
        p("metricTransformation.value", "logs PutMetricFilter metricTransformations[].metricValue"),
        p("metricTransformation.unit", "logs PutMetricFilter metricTransformations[].unit"),
    ),
    "aws:cloudwatch/queryDefinition:QueryDefinition": (
        p("name", "logs PutQueryDefinition name"),
        p("queryString", "logs PutQueryDefinition queryString"),
        p("logGroupNames[]", "logs PutQueryDefinition logGroupNames[]"),
    ),
    "aws:xray/samplingRule:SamplingRule": (
        p("ruleName", "xray CreateSamplingRule SamplingRule.RuleName"),
        p("priority", "xray CreateSamplingRule SamplingRule.Priority"),
        p("fixedRate", "xray CreateSamplingRule SamplingRule.FixedRate"),
        p("reservoirSize", "xray CreateSamplingRule SamplingRule.ReservoirSize"),
        p("serviceName", "xray CreateSamplingRule SamplingRule.ServiceName"),
        p("serviceType", "xray CreateSamplingRule SamplingRule.ServiceType"),
        p("host", "xray CreateSamplingRule SamplingRule.Host"),
        p("httpMethod", "xray CreateSamplingRule SamplingRule.HTTPMethod"),
        p("urlPath", "xray CreateSamplingRule SamplingRule.URLPath"),
        p("resourceArn", "xray CreateSamplingRule SamplingRule.ResourceARN"),
        p("version", "xray CreateSamplingRule SamplingRule.Version"),
        *tags("xray CreateSamplingRule Tags"),
    ),
    "aws:xray/group:Group": (
        p("groupName", "xray CreateGroup GroupName"),
        *tags("xray CreateGroup Tags"),
    ),
    "aws:xray/encryptionConfig:EncryptionConfig": (
        p("type", "xray PutEncryptionConfig Type"),
        p("keyId", "xray PutEncryptionConfig KeyId"),
    ),
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": (
        p("policyDocument", "logs PutResourcePolicy policyDocument"),
    ),
    "aws:cloudwatch/logDeliverySource:LogDeliverySource": (
        p("name", "logs PutDeliverySource name"),
        p("logType", "logs PutDeliverySource logType"),
        p("tags", "logs PutDeliverySource tags"),
        p("tags.*keys", "logs PutDeliverySource tags{key}"),
        p("tags.*values", "logs PutDeliverySource tags{value}"),
    ),
    "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination": (
        p("name", "logs PutDeliveryDestination name"),
        p("outputFormat", "logs PutDeliveryDestination outputFormat"),
        p("deliveryDestinationType", "logs PutDeliveryDestination deliveryDestinationType"),
        p("tags", "logs PutDeliveryDestination tags"),
        p("tags.*keys", "logs PutDeliveryDestination tags{key}"),
        p("tags.*values", "logs PutDeliveryDestination tags{value}"),
    ),
    "aws:cloudwatch/logDelivery:LogDelivery": (
        p("deliverySourceName", "logs CreateDelivery deliverySourceName"),
        p("recordFields", "logs CreateDelivery recordFields"),
        p("recordFields[]", "logs CreateDelivery recordFields[]"),
        p("fieldDelimiter", "logs CreateDelivery fieldDelimiter"),
        p("s3DeliveryConfigurations[].suffixPath", "logs CreateDelivery s3DeliveryConfiguration.suffixPath"),
        p("tags", "logs CreateDelivery tags"),
        p("tags.*keys", "logs CreateDelivery tags{key}"),
        p("tags.*values", "logs CreateDelivery tags{value}"),
    ),
    # --- the appliance fleet (EC2 launch template, auto scaling group, instance profile) ------------------------
    # Names, image IDs, sizes and EC2 tags: the models constrain none of them (the settings check the AMI's form).
    "aws:ec2/launchTemplate:LaunchTemplate": (
        p("description", "ec2 CreateLaunchTemplate VersionDescription"),
        p("instanceType", f"{_LT}.InstanceType"),
        p("metadataOptions.httpTokens", f"{_LT}.MetadataOptions.HttpTokens"),
        p("metadataOptions.httpEndpoint", f"{_LT}.MetadataOptions.HttpEndpoint"),
        p("metadataOptions.httpPutResponseHopLimit", f"{_LT}.MetadataOptions.HttpPutResponseHopLimit", LT_HOP_LIMIT),
        p("metadataOptions.instanceMetadataTags", f"{_LT}.MetadataOptions.InstanceMetadataTags"),
        p("blockDeviceMappings[].ebs.volumeType", f"{_LT}.BlockDeviceMappings[].Ebs.VolumeType"),
        p("tagSpecifications[].resourceType", f"{_LT}.TagSpecifications[].ResourceType"),
    ),
    "aws:autoscaling/group:Group": (
        p("name", f"{_ASG} AutoScalingGroupName", ASG_NAME),
        p("healthCheckType", f"{_ASG} HealthCheckType", ASG_HEALTH_CHECK_TYPE),
        p("instanceRefresh.strategy", "autoscaling StartInstanceRefresh Strategy"),
        p("instanceRefresh.preferences.minHealthyPercentage",
          "autoscaling StartInstanceRefresh Preferences.MinHealthyPercentage"),
        p("tags[].key", f"{_ASG} Tags[].Key"),
        p("tags[].value", f"{_ASG} Tags[].Value"),
    ),
    "aws:iam/instanceProfile:InstanceProfile": (
        p("name", "iam CreateInstanceProfile InstanceProfileName"),
        p("path", "iam CreateInstanceProfile Path"),
        *tags("iam CreateInstanceProfile Tags"),
    ),
    "aws:sns/topicSubscription:TopicSubscription": (
        p("protocol", "sns Subscribe Protocol", doc.SNS_SUBSCRIPTION_PROTOCOL),
    ),
    "aws:sns/topicPolicy:TopicPolicy": Nothing(
        "the topic's ARN and its policy document (SetTopicAttributes takes any string; the pack reads the policy)"),
    "aws:sns/topic:Topic": (
        p("name", "sns CreateTopic Name", doc.SNS_TOPIC_NAME),
        *tags("sns CreateTopic Tags"),
    ),
}
