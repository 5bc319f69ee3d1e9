"""What stands in for AWS and the Pulumi engine during an offline synth.

``OfflineMocks`` answers resource registrations with deterministic IDs and plausible computed properties (ARNs,
auto-names, default tags) and invokes with region-correct answers. ``RecordingMonitor`` is the SDK's mock monitor
that also keeps what a real engine would see of each registration: parent, provider, protect, dependencies and
inputs. Both are test doubles for AWS and the engine; the program they run is the real one.
"""

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs, Mocks
from pulumi.runtime.proto import provider_pb2, resource_pb2

from components.settings.types import REGION_AZ_LETTERS

ACCOUNT_ID = "123456789012"
PARTITION = "aws"

# Resource-ID prefixes AWS uses, so that IDs in the synth read like real ones.
_ID_PREFIX = {
    "aws:ec2/vpc:Vpc": "vpc-",
    "aws:ec2/subnet:Subnet": "subnet-",
    "aws:ec2/routeTable:RouteTable": "rtb-",
    "aws:ec2/internetGateway:InternetGateway": "igw-",
    "aws:ec2/natGateway:NatGateway": "nat-",
    "aws:ec2/eip:Eip": "eipalloc-",
    "aws:ec2/securityGroup:SecurityGroup": "sg-",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "sg-",
    "aws:ec2/networkAcl:NetworkAcl": "acl-",
    "aws:ec2/networkAclAssociation:NetworkAclAssociation": "aclassoc-",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "rtbassoc-",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "vpce-",
    "aws:ec2/flowLog:FlowLog": "fl-",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "sgr-",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "sgr-",
    "aws:ec2transitgateway/transitGateway:TransitGateway": "tgw-",
    "aws:ec2transitgateway/routeTable:RouteTable": "tgw-rtb-",
    "aws:ec2transitgateway/vpcAttachment:VpcAttachment": "tgw-attach-",
    "aws:ec2transitgateway/peeringAttachment:PeeringAttachment": "tgw-attach-",
    "aws:ec2/customerGateway:CustomerGateway": "cgw-",
    "aws:ec2/vpnConnection:VpnConnection": "vpn-",
    "aws:ec2/vpcPeeringConnection:VpcPeeringConnection": "pcx-",
    "aws:ec2/managedPrefixList:ManagedPrefixList": "pl-",
    "aws:ec2/launchTemplate:LaunchTemplate": "lt-",
}

# What the offline ECR registry holds: "configured" (the repository of every service with an image tag exists and
# holds that tag: a pair whose images have been pushed), "repositories" (they exist, nothing pushed yet: between
# the first deploys of a fresh pair) or "empty" (a fresh account, before the first deploy).
OFFLINE_REGISTRY = "configured"


def _configured_images() -> dict[str, str]:
    """Repository name -> image tag, for the services of the stack being synthesized (its config is loaded)."""
    from pulumi.runtime.config import get_config  # noqa: PLC0415 - the runtime's config, set per stack

    raw = get_config("securecart:delivery")
    env = get_config("securecart:environment") or "prod"
    delivery = json.loads(raw) if isinstance(raw, str) else None
    services = delivery.get("services") if isinstance(delivery, dict) else None
    return {f"securecart/{env}/{svc['name']}": str(svc["imageTag"]) for svc in services or []
            if isinstance(svc, dict) and svc.get("name") and svc.get("imageTag")}


# Types whose name the provider invents when the program gives none (Pulumi auto-naming): property and max length.
_AUTONAMED = {
    "aws:iam/role:Role": ("name", 64),
    "aws:iam/policy:Policy": ("name", 128),
    "aws:iam/rolePolicy:RolePolicy": ("name", 128),
    "aws:rds/subnetGroup:SubnetGroup": ("name", 255),
    "aws:rds/parameterGroup:ParameterGroup": ("name", 255),
    "aws:ec2/securityGroup:SecurityGroup": ("name", 255),
    "aws:cloudwatch/logGroup:LogGroup": ("name", 512),
    "aws:lb/loadBalancer:LoadBalancer": ("name", 32),
    "aws:lb/targetGroup:TargetGroup": ("name", 32),
    "aws:s3/bucket:Bucket": ("bucket", 63),
    "aws:ecs/cluster:Cluster": ("name", 255),
    "aws:sns/topic:Topic": ("name", 256),
    "aws:wafv2/webAcl:WebAcl": ("name", 128),
    "aws:shield/protection:Protection": ("name", 128),
    "aws:cloudfront/originAccessControl:OriginAccessControl": ("name", 64),
    "aws:cloudwatch/logDeliverySource:LogDeliverySource": ("name", 60),
    "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination": ("name", 60),
    "aws:globalaccelerator/accelerator:Accelerator": ("name", 64),
    "aws:apigateway/restApi:RestApi": ("name", 255),
    "aws:apigateway/apiKey:ApiKey": ("name", 1024),
    "aws:apigateway/usagePlan:UsagePlan": ("name", 255),
    "aws:apigateway/vpcLink:VpcLink": ("name", 255),
    "aws:apigateway/requestValidator:RequestValidator": ("name", 255),
    "aws:iam/instanceProfile:InstanceProfile": ("name", 128),
    "aws:ec2/launchTemplate:LaunchTemplate": ("name", 128),
    "aws:autoscaling/group:Group": ("name", 255),
}


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


UPPER_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"
LOWER = "abcdefghijklmnopqrstuvwxyz"


def _chars(seed: str, n: int, alphabet: str) -> str:
    """``n`` characters of ``alphabet``, the same for the same seed (IDs that are not hex: E2QWRUHAPOMQZL)."""
    raw = hashlib.sha256(seed.encode()).digest()
    while len(raw) < n:
        raw += hashlib.sha256(raw).digest()
    return "".join(alphabet[b % len(alphabet)] for b in raw[:n])


def _global_arn(service: str, resource: str, account: str = ACCOUNT_ID) -> str:
    """An ARN without a region (CloudFront, Global Accelerator, Shield; Route 53's also without an account)."""
    return f"arn:{PARTITION}:{service}::{account}:{resource}"


def _service_and_kind(typ: str) -> tuple[str, str]:
    """``aws:ec2/networkAcl:NetworkAcl`` → (``ec2``, ``network-acl``)."""
    module = typ.split(":")[1].split("/", maxsplit=1)[0]
    kind = typ.rsplit(":", 1)[-1]
    dashed = "".join("-" + c.lower() if c.isupper() else c for c in kind).lstrip("-")
    return module, dashed


# --- invokes: one answer per data source the program reads (args, region) -> (result, failures) -------------------
Answer = tuple[dict[str, Any], list[tuple[str, str]]]
InvokeAnswer = Callable[[dict[str, Any], str], Answer]
_INVOKES: dict[str, InvokeAnswer] = {}


def _invoke(token: str) -> Callable[[InvokeAnswer], InvokeAnswer]:
    def register(fn: InvokeAnswer) -> InvokeAnswer:
        _INVOKES[token] = fn
        return fn
    return register


@_invoke("aws:index/getAvailabilityZones:getAvailabilityZones")
def _availability_zones(args: dict[str, Any], region: str) -> Answer:
    letters = REGION_AZ_LETTERS.get(region, "abc")
    short = "".join(w[0] for w in region.split("-")[:-1]) + region.rsplit("-", maxsplit=1)[-1]
    return {"id": region, "names": [f"{region}{x}" for x in letters],
            "zoneIds": [f"{short}-az{i + 1}" for i, _ in enumerate(letters)], "groupNames": [region],
            "state": args.get("state")}, []


@_invoke("aws:index/getCallerIdentity:getCallerIdentity")
def _caller_identity(args: dict[str, Any], region: str) -> Answer:
    return {"id": ACCOUNT_ID, "accountId": ACCOUNT_ID,
            "arn": f"arn:{PARTITION}:iam::{ACCOUNT_ID}:role/securecart-deployer",
            "userId": "AROAEXAMPLEOFFLINE:securecart-synth"}, []


@_invoke("aws:index/getPartition:getPartition")
def _partition(args: dict[str, Any], region: str) -> Answer:
    return {"id": PARTITION, "partition": PARTITION, "dnsSuffix": "amazonaws.com",
            "reverseDnsPrefix": "com.amazonaws"}, []


@_invoke("aws:index/getRegion:getRegion")
def _region(args: dict[str, Any], region: str) -> Answer:
    return {"id": region, "name": region, "region": region, "endpoint": f"ec2.{region}.amazonaws.com",
            "description": region}, []


@_invoke("aws:ec2/getVpcEndpointService:getVpcEndpointService")
def _vpc_endpoint_service(args: dict[str, Any], region: str) -> Answer:
    """A third party's endpoint service by name (com.amazonaws.vpce.<region>.vpce-svc-…): offered in the region's
    AZs, as a provider spanning every AZ would be; a service of another region is not found, as in AWS."""
    name = str(args.get("serviceName") or "")
    if not name.startswith(f"com.amazonaws.vpce.{region}.vpce-svc-"):
        return {}, [("serviceName", f"no endpoint service named {name!r} in {region}")]
    zones = [f"{region}{x}" for x in REGION_AZ_LETTERS.get(region, "abc")]
    service_id = name.rsplit(".", 1)[-1]
    return {"id": service_id, "serviceName": name, "serviceId": service_id,
            "serviceType": "Interface", "availabilityZones": zones, "acceptanceRequired": True,
            "managesVpcEndpoints": False, "owner": "111122223333", "privateDnsName": "",
            "vpcEndpointPolicySupported": False, "baseEndpointDnsNames": [f"{service_id}.{region}.vpce.amazonaws.com"],
            "supportedIpAddressTypes": ["ipv4"], "tags": {}, "region": region, "arn": "", "filters": None,
            "service": None, "serviceRegions": None, "serviceRegion": None}, []


# The AWS-managed prefix lists (name, with {region} for a regional one: address family and max entries), as the VPC
# User Guide lists them. A list's max entries is its weight in a security group's rule quota. A name AWS does not
# manage in the region asked (another region's list, or one this table lacks) fails as AWS's lookup would.
_MANAGED_PREFIX_LISTS: dict[str, tuple[str, int]] = {
    "com.amazonaws.global.cloudfront.origin-facing": ("IPv4", 55),
    "com.amazonaws.global.groundstation": ("IPv4", 5),
    "com.amazonaws.{region}.route53-healthchecks": ("IPv4", 25),
    "com.amazonaws.{region}.ipv6.route53-healthchecks": ("IPv6", 25),
    "com.amazonaws.{region}.s3": ("IPv4", 1),
    "com.amazonaws.{region}.s3express": ("IPv4", 6),
    "com.amazonaws.{region}.dynamodb": ("IPv4", 1),
    "com.amazonaws.{region}.ec2-instance-connect": ("IPv4", 2),
    "com.amazonaws.{region}.ipv6.ec2-instance-connect": ("IPv6", 2),
    "com.amazonaws.{region}.vpc-lattice": ("IPv4", 10),
    "com.amazonaws.{region}.ipv6.vpc-lattice": ("IPv6", 10),
}


def _prefix_list_id(region: str, name: str) -> str:
    return "pl-" + _digest(region, name)[:8]


@_invoke("aws:ec2/getManagedPrefixList:getManagedPrefixList")
def _managed_prefix_list(args: dict[str, Any], region: str) -> Answer:
    """By name, by a ``prefix-list-name`` filter or by ID. A customer-managed list (a name not under
    ``com.amazonaws.``) is answered as found; its entries, like an AWS-managed list's, are not known offline."""
    managed = {k.format(region=region): v for k, v in _MANAGED_PREFIX_LISTS.items()}
    filtered = [v for f in args.get("filters") or [] if isinstance(f, dict) and f.get("name") == "prefix-list-name"
                for v in f.get("values") or []]
    by_id = {_prefix_list_id(region, n): n for n in managed}
    name = args.get("name") or (filtered[0] if filtered else None) or by_id.get(str(args.get("id") or ""))
    if name is None:
        return {}, [("name", f"no AWS-managed prefix list matches {args} in {region}")]
    if str(name).startswith("com.amazonaws.") and name not in managed:
        return {}, [("name", f"no managed prefix list named {name} in {region} (automation/mocks.py knows "
                             f"{', '.join(sorted(managed))})")]
    family, max_entries = managed.get(name, ("IPv4", 10))
    pl_id = _prefix_list_id(region, name)
    owner, arn_owner = ("AWS", "aws") if name in managed else (ACCOUNT_ID, ACCOUNT_ID)
    return {"id": pl_id, "name": name, "addressFamily": family, "maxEntries": max_entries,
            "arn": f"arn:{PARTITION}:ec2:{region}:{arn_owner}:prefix-list/{pl_id}",
            "entries": [], "ownerId": owner, "version": 1, "tags": {}, "region": region}, []


# The services DescribePrefixLists lists (those with gateway endpoints): the same lists, by the same IDs.
_GATEWAY_PREFIX_LISTS = ("com.amazonaws.{region}.s3", "com.amazonaws.{region}.dynamodb",
                         "com.amazonaws.{region}.s3express")


@_invoke("aws:ec2/getPrefixList:getPrefixList")
def _prefix_list(args: dict[str, Any], region: str) -> Answer:
    """A gateway endpoint service's prefix list, by name, ID or ``prefix-list-name``/``prefix-list-id`` filter: the
    ID ``getManagedPrefixList`` answers for the same list. Its CIDR blocks are not known offline."""
    names = [n.format(region=region) for n in _GATEWAY_PREFIX_LISTS]
    by_id = {_prefix_list_id(region, n): n for n in names}
    filters = {f.get("name"): list(f.get("values") or []) for f in args.get("filters") or [] if isinstance(f, dict)}
    wanted_id = args.get("prefixListId") or next(iter(filters.get("prefix-list-id") or []), None)
    name = args.get("name") or next(iter(filters.get("prefix-list-name") or []), None) or by_id.get(str(wanted_id))
    if name not in names or (wanted_id and by_id.get(str(wanted_id)) != name):
        return {}, [("name", f"no prefix list matches {args} in {region} (automation/mocks.py knows "
                             f"{', '.join(names)})")]
    return {"id": _prefix_list_id(region, str(name)), "prefixListId": _prefix_list_id(region, str(name)),
            "name": name, "cidrBlocks": [], "region": region}, []


# CloudFront's managed policies (name -> ID: the IDs are the same in every account), for the data sources that
# look one up by name or ID. An unknown name fails as the provider's lookup would.
_CLOUDFRONT_MANAGED_POLICIES: dict[str, dict[str, str]] = {
    "aws:cloudfront/getCachePolicy:getCachePolicy": {
        "Managed-CachingOptimized": "658327ea-f89d-4fab-a63d-7e88639e58f6",
        "Managed-CachingDisabled": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
        "Managed-CachingOptimizedForUncompressedObjects": "b2884449-e4de-46a7-ac36-70bc7f1ddd6d",
        "UseOriginCacheControlHeaders": "83da9c7e-98b4-4e11-a168-04f0df8e2c65",
        "UseOriginCacheControlHeaders-QueryStrings": "4cc15a8a-d715-48a4-82b8-cc0b614638fe",
    },
    "aws:cloudfront/getOriginRequestPolicy:getOriginRequestPolicy": {
        "Managed-AllViewer": "216adef6-5c7f-47e4-b989-5492eafa07d3",
        "Managed-AllViewerExceptHostHeader": "b689b0a8-53d0-40ab-baf2-68738e2966ac",
        "Managed-AllViewerAndCloudFrontHeaders-2022-06": "33f36d7e-f396-46d9-90e0-52428a34d9dc",
        "Managed-CORS-S3Origin": "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf",
        "Managed-CORS-CustomOrigin": "59781a5b-3903-41f3-afcb-af62929ccde1",
        "Managed-UserAgentRefererHeaders": "acba4595-bd28-49b8-b9fe-13317c0390fa",
    },
    "aws:cloudfront/getResponseHeadersPolicy:getResponseHeadersPolicy": {
        "Managed-SecurityHeadersPolicy": "67f7725c-6f97-4210-82d7-5512b31e9d03",
        "Managed-CORS-and-SecurityHeadersPolicy": "e61eb60c-9c35-4d20-a928-2b84e02af89c",
        "Managed-SimpleCORS": "60669652-455b-4ae9-85a4-c4c02393f86c",
        "Managed-CORS-With-Preflight": "5cc3b908-e619-4b99-88e5-2cf7f45965bd",
        "Managed-CORS-with-preflight-and-SecurityHeadersPolicy": "eaab4381-ed33-4a86-88ca-d9558dc6cd63",
    },
}
# The managed cache policies' TTLs (min, default, max seconds).
_CACHE_POLICY_TTLS = {"Managed-CachingOptimized": (1, 86400, 31536000), "Managed-CachingDisabled": (0, 0, 0),
                      "Managed-CachingOptimizedForUncompressedObjects": (1, 86400, 31536000),
                      "UseOriginCacheControlHeaders": (0, 0, 31536000),
                      "UseOriginCacheControlHeaders-QueryStrings": (0, 0, 31536000)}


def _cloudfront_policy(token: str) -> InvokeAnswer:
    policies = _CLOUDFRONT_MANAGED_POLICIES[token]

    def answer(args: dict[str, Any], region: str) -> Answer:
        name = args.get("name") or next((n for n, i in policies.items() if i == args.get("id")), None)
        if name not in policies:
            return {}, [("name" if args.get("name") else "id",
                         f"no CloudFront managed policy {args.get('name') or args.get('id')} (automation/mocks.py "
                         f"knows {', '.join(sorted(policies))})")]
        result: dict[str, Any] = {"id": policies[name], "name": name, "comment": f"{name} (AWS managed)",
                                  "etag": "E" + _chars(name, 13, UPPER_ALNUM)}
        if token.endswith("getCachePolicy"):
            low, default, high = _CACHE_POLICY_TTLS[name]
            result.update(minTtl=low, defaultTtl=default, maxTtl=high, parametersInCacheKeyAndForwardedToOrigins=[])
        return result, []
    return answer


for _token in _CLOUDFRONT_MANAGED_POLICIES:
    _INVOKES[_token] = _cloudfront_policy(_token)


# Elastic Load Balancing's canonical hosted zones (the zone of an alias record to a load balancer), per region, as
# the ELB endpoints page lists them: application (and classic) load balancers, and network load balancers.
_ELB_ZONES: dict[str, tuple[str, str]] = {
    "us-east-1": ("Z35SXDOTRQ7X7K", "Z26RNL4JYFTOTI"),
    "us-east-2": ("Z3AADJGX6KTTL2", "ZLMOA37VPKANP"),
    "us-west-1": ("Z368ELLRRE2KJ0", "Z24FKFUX50B4VW"),
    "us-west-2": ("Z1H1FL5HABSF5", "Z18D5FSROUN65G"),
    "eu-west-1": ("Z32O12XQLNTSW2", "Z2IFOLAFXWLO4F"),
    "eu-west-2": ("ZHURV8PSTC4K8", "ZD4D7Y8KGAS4G"),
    "eu-central-1": ("Z215JYRZR1TBD5", "Z3F0SRJ5LGBH90"),
}


def elb_zone_id(region: str, load_balancer_type: str) -> str:
    """The canonical hosted zone of a load balancer of this type in this region (a gateway load balancer is
    answered as a network one). A region the table lacks gets a stand-in zone ID, stable per region and type."""
    alb, nlb = _ELB_ZONES.get(region) or ("Z" + _chars(f"{region}/app", 13, UPPER_ALNUM),
                                          "Z" + _chars(f"{region}/net", 13, UPPER_ALNUM))
    return alb if load_balancer_type in ("", "application") else nlb


@_invoke("aws:lb/getHostedZoneId:getHostedZoneId")
def _lb_hosted_zone_id(args: dict[str, Any], region: str) -> Answer:
    lb_type = str(args.get("loadBalancerType") or "application")
    return {"id": elb_zone_id(region, lb_type), "loadBalancerType": lb_type, "region": region}, []


@_invoke("aws:ecr/getRepositories:getRepositories")
def _repositories(args: dict[str, Any], region: str) -> Answer:
    names = sorted(_configured_images()) if OFFLINE_REGISTRY in ("configured", "repositories") else []
    return {"id": region, "names": names, "region": region}, []


@_invoke("aws:ecr/getImages:getImages")
def _images(args: dict[str, Any], region: str) -> Answer:
    repo = str(args.get("repositoryName"))
    tag = _configured_images().get(repo) if OFFLINE_REGISTRY == "configured" else None
    if OFFLINE_REGISTRY == "repositories" and repo in _configured_images():
        return {"id": repo, "repositoryName": repo, "region": region, "imageIds": []}, []
    if tag is None:
        return {}, [("repositoryName", f"RepositoryNotFoundException: repository {repo} does not exist")]
    return {"id": repo, "repositoryName": repo, "region": region,
            "imageIds": [{"imageDigest": "sha256:" + _digest(repo, tag), "imageTag": tag}]}, []


@dataclass
class Made:
    """A new resource's answer while the rule for its type shapes it: its ID, its ARN and its state (the inputs
    plus what AWS computes)."""

    name: str
    region: str
    digest: str
    kind: str  # the type's kind, dashed: network-acl
    state: dict[str, Any]
    rid: str
    arn: str
    made: dict[str, dict[str, Any]] = field(default_factory=dict)  # what the stack made so far: state by ID

    def uuid(self, *salt: str) -> str:
        d = _digest(self.digest, *salt) if salt else self.digest
        return f"{d[:8]}-{d[8:12]}-{d[12:16]}-{d[16:20]}-{d[20:32]}"

    def chars(self, n: int, alphabet: str, *salt: str) -> str:
        return _chars("/".join((self.digest, *salt)), n, alphabet)


# What AWS computes for a resource of a type, beyond the generic ID and ARN: one small function per type, found
# by type token (or by token prefix). A new resource type whose outputs the program reads gets a rule here.
StateRule = Callable[[Made], None]
_STATE_RULES: dict[str, StateRule] = {}
_PREFIX_RULES: list[tuple[str, StateRule]] = []


def _rule(*types: str, prefix: str | None = None) -> Callable[[StateRule], StateRule]:
    def register(fn: StateRule) -> StateRule:
        for typ in types:
            _STATE_RULES[typ] = fn
        if prefix is not None:
            _PREFIX_RULES.append((prefix, fn))
        return fn
    return register


def _arn(m: Made, service: str, resource: str, region: str | None = None) -> str:
    return f"arn:{PARTITION}:{service}:{m.region if region is None else region}:{ACCOUNT_ID}:{resource}"


@_rule("aws:kms/key:Key")
def _kms_key(m: Made) -> None:
    m.rid = m.uuid()
    m.state["keyId"] = m.rid
    m.arn = _arn(m, "kms", f"key/{m.rid}")


@_rule("aws:kms/alias:Alias")
def _kms_alias(m: Made) -> None:
    m.arn = _arn(m, "kms", str(m.state.get("name", m.name)))
    m.state["targetKeyArn"] = _arn(m, "kms", f"key/{m.state.get('targetKeyId')}")


@_rule("aws:cloudwatch/logGroup:LogGroup")
def _log_group(m: Made) -> None:
    m.arn = _arn(m, "logs", f"log-group:{m.state['name']}")


@_rule(prefix="aws:iam/")
def _iam(m: Made) -> None:
    m.arn = f"arn:{PARTITION}:iam::{ACCOUNT_ID}:{m.kind}/{m.state.get('name', m.name)}"
    m.state.setdefault("uniqueId", "AROA" + m.digest[:17].upper())


@_rule("aws:iam/instanceProfile:InstanceProfile")
def _instance_profile(m: Made) -> None:
    path = str(m.state.get("path") or "/")  # an ARN carries the path: instance-profile/<path…/>name
    m.arn = f"arn:{PARTITION}:iam::{ACCOUNT_ID}:instance-profile{path}{m.state['name']}"
    m.state.setdefault("uniqueId", "AIPA" + m.digest[:17].upper())


@_rule("aws:ec2/launchTemplate:LaunchTemplate")
def _launch_template(m: Made) -> None:
    """A new template is at version 1, its default (``latestVersion`` is what an auto scaling group names)."""
    m.arn = _arn(m, "ec2", f"launch-template/{m.rid}")
    m.state.update(latestVersion=1, defaultVersion=1)


@_rule("aws:autoscaling/group:Group")
def _autoscaling_group(m: Made) -> None:
    """Its ID is its name; its ARN carries a UUID and the name."""
    m.rid = str(m.state["name"])
    m.arn = _arn(m, "autoscaling", f"autoScalingGroup:{m.uuid()}:autoScalingGroupName/{m.rid}")


@_rule("aws:rds/subnetGroup:SubnetGroup")
def _db_subnet_group(m: Made) -> None:
    m.arn = _arn(m, "rds", f"subgrp:{m.state['name']}")


@_rule("aws:s3/bucket:Bucket")
def _bucket(m: Made) -> None:
    bucket = m.state["bucket"]
    m.rid = str(bucket)  # a bucket's ID is its name
    m.arn = f"arn:{PARTITION}:s3:::{bucket}"
    m.state.update(bucketDomainName=f"{bucket}.s3.amazonaws.com",
                   bucketRegionalDomainName=f"{bucket}.s3.{m.region}.amazonaws.com", region=m.region)


@_rule("aws:rds/instance:Instance")
def _db_instance(m: Made) -> None:
    s, d = m.state, m.digest
    ident = str(s.get("identifier") or m.name)
    m.arn = _arn(m, "rds", f"db:{ident}")
    port = int(s.get("port") or 5432)
    address = f"{ident}.c{d[:10]}.{m.region}.rds.amazonaws.com"
    s.update(address=address, endpoint=f"{address}:{port}", port=port, resourceId="db-" + d[:26].upper(),
             hostedZoneId="Z2R2ITUGPM61AM")
    if s.get("manageMasterUserPassword"):
        s["masterUserSecrets"] = [{
            "secretArn": _arn(m, "secretsmanager", f"secret:rds!db-{m.uuid()}-{d[32:38]}"),
            "kmsKeyId": s.get("masterUserSecretKmsKeyId") or "",
            "secretStatus": "active"}]


@_rule("aws:ec2transitgateway/peeringAttachmentAccepter:PeeringAttachmentAccepter")
def _tgw_peering_accepter(m: Made) -> None:
    m.rid = str(m.state["transitGatewayAttachmentId"])  # the accepter is the attachment, seen from its region


@_rule("aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter")
def _vpc_peering_accepter(m: Made) -> None:
    m.rid = str(m.state["vpcPeeringConnectionId"])


@_rule("aws:ec2/vpnConnection:VpnConnection")
def _vpn_connection(m: Made) -> None:
    s, d = m.state, m.digest
    if s.get("transitGatewayId"):
        s["transitGatewayAttachmentId"] = "tgw-attach-" + _digest(d, "vpn-attachment")[:17]
    s.update(tunnel1Address="198.51.100." + str(int(d[:2], 16) % 120 + 1),
             tunnel2Address="198.51.100." + str(int(d[2:4], 16) % 120 + 130))


@_rule("aws:directconnect/gateway:Gateway")
def _dx_gateway(m: Made) -> None:
    m.rid = m.uuid()
    m.state["ownerAccountId"] = ACCOUNT_ID


@_rule("aws:directconnect/gatewayAssociation:GatewayAssociation")
def _dx_association(m: Made) -> None:
    m.state["transitGatewayAttachmentId"] = "tgw-attach-" + _digest(m.digest, "dx-attachment")[:17]
    m.state["dxGatewayAssociationId"] = m.uuid()


@_rule("aws:dynamodb/table:Table")
def _table(m: Made) -> None:
    s = m.state
    m.arn = _arn(m, "dynamodb", f"table/{s['name']}")
    if s.get("streamEnabled"):
        s.update(streamLabel="2026-11-27T00:00:00.000", streamArn=f"{m.arn}/stream/2026-11-27T00:00:00.000")
    s["replicas"] = [{**r, "arn": _arn(m, "dynamodb", f"table/{s['name']}", region=r.get("regionName"))}
                     for r in s.get("replicas") or []]


@_rule("aws:ec2/vpc:Vpc")
def _vpc(m: Made) -> None:
    m.state.update(defaultSecurityGroupId="sg-" + _digest(m.digest, "default-sg")[:17],
                   defaultNetworkAclId="acl-" + _digest(m.digest, "default-acl")[:17],
                   mainRouteTableId="rtb-" + _digest(m.digest, "main-rt")[:17], ownerId=ACCOUNT_ID)


@_rule("aws:ec2/eip:Eip")
def _eip(m: Made) -> None:
    m.state.update(allocationId=m.rid, publicIp=f"198.51.100.{int(m.digest[:2], 16) % 254 + 1}")


@_rule("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
def _load_balancer(m: Made) -> None:
    """Its ID is its ARN, ``…:loadbalancer/app|net|gwy/<name>/<16 hex>`` (the part after ``loadbalancer/`` is its
    ``arnSuffix``). An ALB's DNS name is ``[internal-]<name>-<digits>.<region>.elb.amazonaws.com``; a network or
    gateway load balancer's is ``<name>-<16 hex>.elb.<region>.amazonaws.com``, internal or not. The zone is the
    region's canonical hosted zone for the type (what an alias record names)."""
    s = m.state
    lb_type = str(s.get("loadBalancerType") or "application")
    kind = {"network": "net", "gateway": "gwy"}.get(lb_type, "app")
    suffix = f"{kind}/{s['name']}/{m.digest[:16]}"
    m.arn = _arn(m, "elasticloadbalancing", f"loadbalancer/{suffix}")
    m.rid = m.arn
    if kind == "app":
        internal = "internal-" if s.get("internal") else ""
        dns_name = f"{internal}{s['name']}-{int(m.digest[:8], 16) % 10**10}.{m.region}.elb.amazonaws.com"
    else:
        dns_name = f"{s['name']}-{m.digest[16:32]}.elb.{m.region}.amazonaws.com"
    s.update(arnSuffix=suffix, dnsName=dns_name, zoneId=elb_zone_id(m.region, lb_type))


@_rule("aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup")
def _target_group(m: Made) -> None:
    """Its ID is its ARN, ``…:targetgroup/<name>/<16 hex>`` (from ``targetgroup/`` on, its ``arnSuffix``)."""
    suffix = f"targetgroup/{m.state['name']}/{m.digest[:16]}"
    m.arn = _arn(m, "elasticloadbalancing", suffix)
    m.rid = m.arn
    m.state["arnSuffix"] = suffix


def _elb_child_arn(m: Made, parent_arn: Any, parent_kind: str, kind: str) -> str:
    """A listener's or a listener rule's ARN: its parent's (``loadbalancer/app/<name>/<id>``,
    ``listener/app/<name>/<lb id>/<id>``) with the kind renamed and 16 hex of its own added, as ELB forms them."""
    resource = str(parent_arn or "").split(":", 5)[-1]
    if not resource.startswith(f"{parent_kind}/"):  # a parent the stack does not know: an ALB's, of its own
        resource = f"{parent_kind}/app/unknown/{_digest(m.digest, parent_kind)[:16]}"
    return _arn(m, "elasticloadbalancing", f"{kind}/{resource.split('/', 1)[1]}/{m.digest[:16]}")


@_rule("aws:lb/listener:Listener", "aws:alb/listener:Listener")
def _listener(m: Made) -> None:
    """``…:listener/app|net|gwy/<lb name>/<lb id>/<16 hex>``; its ID is its ARN."""
    m.arn = _elb_child_arn(m, m.state.get("loadBalancerArn"), "loadbalancer", "listener")
    m.rid = m.arn


@_rule("aws:lb/listenerRule:ListenerRule", "aws:alb/listenerRule:ListenerRule")
def _listener_rule(m: Made) -> None:
    """``…:listener-rule/app/<lb name>/<lb id>/<listener id>/<16 hex>``; its ID is its ARN."""
    m.arn = _elb_child_arn(m, m.state.get("listenerArn"), "listener", "listener-rule")
    m.rid = m.arn


@_rule("aws:ecr/pullThroughCacheRule:PullThroughCacheRule")
def _pull_through_cache_rule(m: Made) -> None:
    """Known by its repository prefix, in the account's registry."""
    m.rid = str(m.state.get("ecrRepositoryPrefix") or m.rid)
    m.state["registryId"] = ACCOUNT_ID


@_rule("aws:ecs/service:Service")
def _ecs_service(m: Made) -> None:
    m.arn = _arn(m, "ecs", f"service/{m.state.get('name', m.name)}")


@_rule("aws:ec2/subnet:Subnet")
def _subnet(m: Made) -> None:
    m.state.setdefault("availabilityZoneId", m.state.get("availabilityZone", ""))


# --- the edge: ACM, Route 53, CloudFront, Global Accelerator, WAF, Shield, log delivery --------------------------

def _acm_validation_option(domain: str) -> dict[str, str]:
    """The CNAME ACM asks for to validate ``domain``: the same for every certificate of that name in the account,
    in any region (a wildcard shares its base name's record)."""
    base = (domain[2:] if domain.startswith("*.") else domain).rstrip(".").lower()
    token = _digest(ACCOUNT_ID, "acm-validation", base)
    return {"domainName": domain, "resourceRecordName": f"_{token[:32]}.{base}.", "resourceRecordType": "CNAME",
            "resourceRecordValue": f"_{token[32:64]}.{_chars(token, 10, LOWER)}.acm-validations.aws."}


@_rule("aws:acm/certificate:Certificate")
def _certificate(m: Made) -> None:
    """Its ID is its ARN, in the region it is made in (an explicit ``region`` input wins). A DNS-validated
    certificate has one validation option per distinct name (the domain, then the alternative names)."""
    s = m.state
    m.arn = _arn(m, "acm", f"certificate/{m.uuid()}")
    m.rid = m.arn
    imported = bool(s.get("certificateBody"))
    private = bool(s.get("certificateAuthorityArn"))
    names = list(dict.fromkeys(str(n) for n in [s.get("domainName"), *(s.get("subjectAlternativeNames") or [])]
                               if n))
    method = s.get("validationMethod") if names and not (imported or private) else None
    mailboxes = ("admin", "administrator", "hostmaster", "postmaster", "webmaster")
    s.update(domainValidationOptions=[_acm_validation_option(n) for n in names] if method == "DNS" else [],
             validationEmails=[f"{box}@{names[0].removeprefix('*.')}" for box in mailboxes] if method == "EMAIL"
             else [],
             status="ISSUED" if imported or private else "PENDING_VALIDATION",
             type="IMPORTED" if imported else "PRIVATE" if private else "AMAZON_ISSUED",
             keyAlgorithm=s.get("keyAlgorithm") or "RSA_2048", renewalEligibility="INELIGIBLE",
             pendingRenewal=False, renewalSummaries=[])


@_rule("aws:acm/certificateValidation:CertificateValidation")
def _certificate_validation(m: Made) -> None:
    """``certificateArn`` stays the input; the ID is when ACM issued the certificate, as the provider sets it."""
    seconds = int(m.digest[:6], 16) % 3600
    m.rid = f"2026-11-27 00:{seconds // 60:02d}:{seconds % 60:02d} +0000 UTC"


@_rule("aws:route53/zone:Zone")
def _hosted_zone(m: Made) -> None:
    """A zone ID (Z + 20 upper-case letters and digits) and four name servers, one per awsdns TLD."""
    zone_id = "Z0" + m.chars(19, UPPER_ALNUM)
    m.rid = zone_id
    m.arn = f"arn:{PARTITION}:route53:::hostedzone/{zone_id}"
    servers = sorted(f"ns-{base + int(m.digest[8 * i:8 * i + 4], 16) % 512}.awsdns-"
                     f"{int(m.digest[8 * i + 4:8 * i + 8], 16) % 64:02d}.{tld}"
                     for i, (base, tld) in enumerate(((0, "com"), (512, "net"), (1024, "org"), (1536, "co.uk"))))
    m.state.update(zoneId=zone_id, nameServers=servers, primaryNameServer=servers[0])


@_rule("aws:route53/record:Record")
def _record(m: Made) -> None:
    """``fqdn`` is the name without its trailing dot, completed with the zone's name when it is relative to a zone
    this stack made. The ID is ``<zone>_<name>_<type>[_<set identifier>]``, as the provider's."""
    s = m.state
    name = str(s.get("name") or "").rstrip(".")
    zone = m.made.get(str(s.get("zoneId") or ""), {})
    zone_name = str(zone.get("name") or "").rstrip(".")
    if zone_name and name.lower() != zone_name.lower() and not name.lower().endswith("." + zone_name.lower()):
        name = f"{name}.{zone_name}" if name else zone_name
    s["fqdn"] = name
    m.rid = "_".join(str(p) for p in (s.get("zoneId"), name, s.get("type"), s.get("setIdentifier")) if p)


@_rule("aws:route53/healthCheck:HealthCheck")
def _health_check(m: Made) -> None:
    m.rid = m.uuid()
    m.arn = f"arn:{PARTITION}:route53:::healthcheck/{m.rid}"


@_rule("aws:route53/queryLog:QueryLog")
def _query_log(m: Made) -> None:
    m.rid = m.uuid()
    m.arn = f"arn:{PARTITION}:route53:::queryloggingconfig/{m.rid}"


def _cloudfront(m: Made, kind: str, rid: str) -> None:
    """A CloudFront resource: global ARN, and an ETag (what an update sends back)."""
    m.rid = rid
    m.arn = _global_arn("cloudfront", f"{kind}/{rid}")
    m.state["etag"] = "E" + m.chars(13, UPPER_ALNUM, "etag")


@_rule("aws:cloudfront/distribution:Distribution")
def _distribution(m: Made) -> None:
    _cloudfront(m, "distribution", "E" + m.chars(13, UPPER_ALNUM))
    m.state.update(domainName=f"d{m.chars(13, LOWER_ALNUM, 'domain')}.cloudfront.net",
                   hostedZoneId="Z2FDTNDATAQYW2", status="Deployed", inProgressValidationBatches=0,
                   callerReference=f"terraform-{int(m.digest[:12], 16)}", lastModifiedTime="2026-11-27T00:00:00Z",
                   trustedKeyGroups=[{"enabled": False, "items": []}],
                   trustedSigners=[{"enabled": False, "items": []}])


@_rule("aws:cloudfront/originAccessControl:OriginAccessControl")
def _origin_access_control(m: Made) -> None:
    _cloudfront(m, "origin-access-control", "E" + m.chars(13, UPPER_ALNUM))


@_rule("aws:cloudfront/cachePolicy:CachePolicy")
def _cache_policy(m: Made) -> None:
    _cloudfront(m, "cache-policy", m.uuid())


@_rule("aws:cloudfront/originRequestPolicy:OriginRequestPolicy")
def _origin_request_policy(m: Made) -> None:
    _cloudfront(m, "origin-request-policy", m.uuid())


@_rule("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy")
def _response_headers_policy(m: Made) -> None:
    _cloudfront(m, "response-headers-policy", m.uuid())


@_rule("aws:globalaccelerator/accelerator:Accelerator")
def _accelerator(m: Made) -> None:
    """Its ID is its ARN; two static anycast IPv4 addresses (documentation range), and two IPv6 ones when dual
    stack; DNS names under awsglobalaccelerator.com."""
    s = m.state
    m.arn = _global_arn("globalaccelerator", f"accelerator/{m.uuid()}")
    m.rid = m.arn
    dual = s.get("ipAddressType") == "DUAL_STACK"
    n = int(m.digest[:4], 16)
    ipv4 = list(s.get("ipAddresses") or [f"203.0.113.{n % 126 + 1}", f"203.0.113.{n % 126 + 128}"])
    ip_sets = [{"ipFamily": "IPv4", "ipAddresses": ipv4}]
    if dual:
        ip_sets.append({"ipFamily": "IPv6",
                        "ipAddresses": [f"2001:db8:{m.digest[4:8]}::1", f"2001:db8:{m.digest[8:12]}::1"]})
    s.update(dnsName=f"a{m.digest[:16]}.awsglobalaccelerator.com", hostedZoneId="Z2BJ6XQ5FK7U4H", ipSets=ip_sets,
             ipAddressType=s.get("ipAddressType") or "IPV4", enabled=s.get("enabled", True))
    if dual:
        s["dualStackDnsName"] = f"a{m.digest[:16]}.dualstack.awsglobalaccelerator.com"


@_rule("aws:globalaccelerator/listener:Listener")
def _accelerator_listener(m: Made) -> None:
    """Its ID and ARN: the accelerator's ARN + ``/listener/<8 hex>``."""
    m.arn = f"{m.state.get('acceleratorArn')}/listener/{m.digest[:8]}"
    m.rid = m.arn


@_rule("aws:globalaccelerator/endpointGroup:EndpointGroup")
def _accelerator_endpoint_group(m: Made) -> None:
    """Its ID and ARN: the listener's ARN + ``/endpoint-group/<12 hex>``."""
    m.arn = f"{m.state.get('listenerArn')}/endpoint-group/{m.digest[:12]}"
    m.rid = m.arn


@_rule("aws:wafv2/webAcl:WebAcl")
def _web_acl(m: Made) -> None:
    """``arn:…:wafv2:<region>:<account>:regional/webacl/<name>/<id>``, or ``global/webacl`` for CloudFront's scope
    (which AWS creates only in us-east-1: the ARN names the region it was made in)."""
    s = m.state
    m.rid = m.uuid()
    scope = "global" if s.get("scope") == "CLOUDFRONT" else "regional"
    m.arn = _arn(m, "wafv2", f"{scope}/webacl/{s.get('name') or m.name}/{m.rid}")
    s["lockToken"] = m.uuid("lock-token")


@_rule("aws:shield/protection:Protection")
def _shield_protection(m: Made) -> None:
    m.rid = m.uuid()
    m.arn = _global_arn("shield", f"protection/{m.rid}")


@_rule("aws:cloudwatch/logResourcePolicy:LogResourcePolicy")
def _log_resource_policy(m: Made) -> None:
    m.rid = str(m.state.get("policyName") or m.name)
    m.state.update(policyScope="RESOURCE" if m.state.get("resourceArn") else "ACCOUNT",
                   revisionId=m.digest[:32])


@_rule("aws:cloudwatch/logDeliverySource:LogDeliverySource")
def _log_delivery_source(m: Made) -> None:
    """Named by its name; ``service`` is the service of the resource whose logs it sends."""
    m.rid = str(m.state.get("name") or m.name)
    m.arn = _arn(m, "logs", f"delivery-source:{m.rid}")
    parts = str(m.state.get("resourceArn") or "").split(":")
    m.state["service"] = parts[2] if len(parts) > 2 else ""


@_rule("aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination")
def _log_delivery_destination(m: Made) -> None:
    """Named by its name; its type follows from where it delivers (S3, CloudWatch Logs, Firehose)."""
    s = m.state
    m.rid = str(s.get("name") or m.name)
    m.arn = _arn(m, "logs", f"delivery-destination:{m.rid}")
    config = s.get("deliveryDestinationConfiguration")
    config = config[0] if isinstance(config, list) and config else config
    parts = str((config or {}).get("destinationResourceArn") or "").split(":")
    kind = {"s3": "S3", "logs": "CWL", "firehose": "FH"}.get(parts[2] if len(parts) > 2 else "")
    if kind is not None:
        s.setdefault("deliveryDestinationType", kind)


@_rule("aws:cloudwatch/logDelivery:LogDelivery")
def _log_delivery(m: Made) -> None:
    m.rid = m.chars(16, UPPER_ALNUM + LOWER)
    m.arn = _arn(m, "logs", f"delivery:{m.rid}")


# --- protection and partner access: PrivateLink, Shield Advanced, API Gateway (REST) -----------------------------

# The hosted zones of interface endpoints' DNS names (``*.vpce.amazonaws.com``) per region, as the endpoints'
# ``dnsEntries`` name them. A region the table lacks gets a stand-in zone ID, stable per region.
_VPCE_ZONES = {"us-east-1": "Z7HUB22UULQXV", "us-west-2": "Z1YSA3EXCYUU9Z", "eu-west-1": "Z38GZ743OKFT7T"}


def _region_zones(region: str) -> list[str]:
    return [f"{region}{x}" for x in REGION_AZ_LETTERS.get(region, "abc")]


@_rule("aws:ec2/vpcEndpointService:VpcEndpointService")
def _endpoint_service(m: Made) -> None:
    """``vpce-svc-<17 hex>``, named ``com.amazonaws.vpce.<region>.vpce-svc-…``, in the zones of its load balancers'
    subnets (else every zone of the region). With a private DNS name, AWS asks for a TXT record to verify it
    (``privateDnsNameConfigurations``: ``_<20 characters>`` = ``vpce:<20 characters>``, pending verification)."""
    s = m.state
    m.rid = f"vpce-svc-{m.digest[:17]}"
    m.arn = _arn(m, "ec2", f"vpc-endpoint-service/{m.rid}")
    lbs = [m.made.get(str(arn)) or {} for arn in [*(s.get("networkLoadBalancerArns") or []),
                                                  *(s.get("gatewayLoadBalancerArns") or [])]]
    subnets = [sub for lb in lbs for sub in [*(lb.get("subnets") or []),
                                             *(x.get("subnetId") for x in lb.get("subnetMappings") or [])]]
    zones = sorted({str(m.made.get(str(sub), {}).get("availabilityZone") or "") for sub in subnets} - {""})
    dns_name = s.get("privateDnsName")
    s.update(serviceName=f"com.amazonaws.vpce.{m.region}.{m.rid}",
             serviceType="GatewayLoadBalancer" if s.get("gatewayLoadBalancerArns") else "Interface",
             state="Available", availabilityZones=zones or _region_zones(m.region),
             baseEndpointDnsNames=[f"{m.rid}.{m.region}.vpce.amazonaws.com"], managesVpcEndpoints=False,
             supportedIpAddressTypes=s.get("supportedIpAddressTypes") or ["ipv4"],
             privateDnsNameConfigurations=[{
                 "name": "_" + m.chars(20, LOWER_ALNUM, "dns-verification"), "type": "TXT",
                 "value": "vpce:" + m.chars(20, UPPER_ALNUM + LOWER, "dns-verification-value"),
                 "state": "pendingVerification"}] if dns_name else [])


@_rule("aws:vpc/endpointServicePrivateDnsVerification:EndpointServicePrivateDnsVerification")
def _endpoint_service_dns_verification(m: Made) -> None:
    """A request to verify a service's private DNS name: known by the service's ID."""
    m.rid = str(m.state.get("serviceId") or m.rid)


@_rule("aws:ec2/vpcEndpoint:VpcEndpoint")
def _endpoint(m: Made) -> None:
    """An interface endpoint has a network interface per subnet and DNS names of its own: a regional one and one
    per zone of its subnets, under the service's (``vpce-<id>-<8>[-<zone>].<service>.<region>.vpce.amazonaws.com``;
    a third-party service's part is its ``vpce-svc-…`` ID), plus the service's private DNS name when private DNS
    is on and the name is known (an AWS service's, or one this stack's endpoint service has). A gateway endpoint
    has its service's prefix list (the one ``getManagedPrefixList`` answers). A third-party service made in this
    stack that requires acceptance leaves the endpoint pending."""
    s = m.state
    kind = str(s.get("vpcEndpointType") or "Gateway")
    service = str(s.get("serviceName") or "")
    subnets = [str(x) for x in s.get("subnetIds") or []]
    own_service = next((v for v in m.made.values() if v.get("serviceName") == service and "serviceType" in v), {})
    s.update(ownerId=ACCOUNT_ID, requesterManaged=False,
             state="pendingAcceptance" if own_service.get("acceptanceRequired") else "available",
             cidrBlocks=[], dnsEntries=[], networkInterfaceIds=[], prefixListId="")
    if kind == "Gateway":
        s["prefixListId"] = _prefix_list_id(m.region, service)
        return
    s["networkInterfaceIds"] = ["eni-" + _digest(m.digest, sub)[:17] for sub in subnets]
    if kind != "Interface":
        return
    prefix = f".{m.region}."
    if service.startswith(f"com.amazonaws.vpce{prefix}"):
        part = service.rsplit(".", 1)[-1]  # vpce-svc-…
        private = own_service.get("privateDnsName")
    else:
        name = service.split(prefix, 1)[-1] if prefix in service else service
        part = ".".join(reversed(name.split(".")))  # ecr.api → api.ecr
        private = f"{part}{prefix}amazonaws.com"
    zone = _VPCE_ZONES.get(m.region) or "Z" + _chars(f"{m.region}/vpce", 13, UPPER_ALNUM)
    own = f"{m.rid}-{m.chars(8, LOWER_ALNUM, 'dns')}"
    zones = sorted({str(m.made.get(sub, {}).get("availabilityZone") or "") for sub in subnets} - {""})
    entries = [{"dnsName": f"{own}{suffix}.{part}{prefix}vpce.amazonaws.com", "hostedZoneId": zone}
               for suffix in ["", *(f"-{z}" for z in zones)]]
    if s.get("privateDnsEnabled") and private:
        entries.append({"dnsName": str(private), "hostedZoneId": "Z0" + m.chars(19, UPPER_ALNUM, "private-zone")})
    s["dnsEntries"] = entries


@_rule("aws:shield/subscription:Subscription")
def _shield_subscription(m: Made) -> None:
    """The account's subscription: its ID is the account's."""
    m.rid = ACCOUNT_ID
    m.state.setdefault("autoRenew", "ENABLED")


@_rule("aws:shield/protectionGroup:ProtectionGroup")
def _shield_protection_group(m: Made) -> None:
    """Known by its ``protectionGroupId``; ``protectionGroupArn`` is global."""
    m.rid = str(m.state.get("protectionGroupId") or m.name)
    m.arn = _global_arn("shield", f"protection-group/{m.rid}")
    m.state["protectionGroupArn"] = m.arn


@_rule("aws:shield/protectionHealthCheckAssociation:ProtectionHealthCheckAssociation")
def _shield_health_check_association(m: Made) -> None:
    """``<protection ID>+<health check ARN>``, as the provider forms it."""
    m.rid = f"{m.state.get('shieldProtectionId')}+{m.state.get('healthCheckArn')}"


@_rule("aws:shield/applicationLayerAutomaticResponse:ApplicationLayerAutomaticResponse")
def _shield_automatic_response(m: Made) -> None:
    """Known by the protected resource's ARN."""
    m.rid = str(m.state.get("resourceArn") or m.rid)


# API Gateway's regional endpoints' hosted zones (a custom domain's ``regionalZoneId``: the zone of an alias to it).
_APIGW_ZONES = {"us-east-1": "Z1UJRXOUMOOFQ8", "eu-west-1": "ZLY8HYME6SFDD"}
_CREATED = "2026-11-27T00:00:00Z"


def _apigw_arn(m: Made, path: str) -> str:
    """API Gateway's resource ARNs have no account: ``arn:aws:apigateway:<region>::/restapis/<id>``."""
    return f"arn:{PARTITION}:apigateway:{m.region}::{path}"


def _apigw_id(m: Made, n: int = 6) -> None:
    m.rid = m.chars(n, LOWER_ALNUM)


@_rule("aws:apigateway/restApi:RestApi")
def _rest_api(m: Made) -> None:
    """10 lower-case letters and digits, as its root resource's ID; ``executionArn`` is what permissions and
    policies name (``arn:aws:execute-api:<region>:<account>:<id>``)."""
    _apigw_id(m, 10)
    m.arn = _apigw_arn(m, f"/restapis/{m.rid}")
    root = m.chars(10, LOWER_ALNUM, "root")
    m.state.update(rootResourceId=root, executionArn=_arn(m, "execute-api", m.rid), createdDate=_CREATED)
    m.made[root] = {"path": "/", "restApi": m.rid}  # the root resource, for its children's paths


@_rule("aws:apigateway/resource:Resource")
def _api_resource(m: Made) -> None:
    """6 characters; ``path`` is its parent's path and its ``pathPart`` (the root's path is ``/``)."""
    _apigw_id(m)
    parent = str(m.made.get(str(m.state.get("parentId")), {}).get("path") or "/")
    m.state["path"] = f"{parent.rstrip('/')}/{m.state.get('pathPart')}"


@_rule("aws:apigateway/method:Method")
def _api_method(m: Made) -> None:
    m.rid = f"agm-{m.state.get('restApi')}-{m.state.get('resourceId')}-{m.state.get('httpMethod')}"


@_rule("aws:apigateway/integration:Integration")
def _api_integration(m: Made) -> None:
    m.rid = f"agi-{m.state.get('restApi')}-{m.state.get('resourceId')}-{m.state.get('httpMethod')}"


@_rule("aws:apigateway/deployment:Deployment")
def _api_deployment(m: Made) -> None:
    _apigw_id(m)
    m.state["createdDate"] = _CREATED


@_rule("aws:apigateway/stage:Stage")
def _api_stage(m: Made) -> None:
    """``ags-<api>-<stage>``; its ARN (what a web ACL is associated with), invoke URL and execution ARN."""
    api, stage = m.state.get("restApi"), m.state.get("stageName")
    m.rid = f"ags-{api}-{stage}"
    m.arn = _apigw_arn(m, f"/restapis/{api}/stages/{stage}")
    m.state.update(invokeUrl=f"https://{api}.execute-api.{m.region}.amazonaws.com/{stage}",
                   executionArn=_arn(m, "execute-api", f"{api}/{stage}"))


@_rule("aws:apigateway/methodSettings:MethodSettings")
def _api_method_settings(m: Made) -> None:
    m.rid = f"{m.state.get('restApi')}-{m.state.get('stageName')}-{m.state.get('methodPath')}"


@_rule("aws:apigateway/vpcLink:VpcLink")
def _api_vpc_link(m: Made) -> None:
    _apigw_id(m)
    m.arn = _apigw_arn(m, f"/vpclinks/{m.rid}")


@_rule("aws:apigateway/usagePlan:UsagePlan")
def _api_usage_plan(m: Made) -> None:
    _apigw_id(m)
    m.arn = _apigw_arn(m, f"/usageplans/{m.rid}")


@_rule("aws:apigateway/apiKey:ApiKey")
def _api_key(m: Made) -> None:
    """10 characters; its ``value`` (40 letters and digits unless the program gives one) is a secret."""
    _apigw_id(m, 10)
    m.arn = _apigw_arn(m, f"/apikeys/{m.rid}")
    m.state.setdefault("value", m.chars(40, UPPER_ALNUM + LOWER, "value"))
    m.state.setdefault("enabled", True)
    m.state.update(createdDate=_CREATED, lastUpdatedDate=_CREATED)


@_rule("aws:apigateway/usagePlanKey:UsagePlanKey")
def _api_usage_plan_key(m: Made) -> None:
    """Known by its key's ID; ``name`` and ``value`` are the key's."""
    m.rid = str(m.state.get("keyId"))
    key = m.made.get(m.rid, {})
    m.state.update(name=key.get("name"), value=key.get("value"))


@_rule("aws:apigateway/requestValidator:RequestValidator", "aws:apigateway/model:Model")
def _api_validator_or_model(m: Made) -> None:
    _apigw_id(m)


@_rule("aws:apigateway/domainName:DomainName")
def _api_domain_name(m: Made) -> None:
    """Known by its name. A regional one is reached at ``d-<10>.execute-api.<region>.amazonaws.com`` in the
    region's API Gateway zone; an edge-optimized one at a CloudFront name; a private one has a ``domainNameId``."""
    s = m.state
    name = str(s.get("domainName"))
    config = s.get("endpointConfiguration") or {}
    types = config.get("types") if isinstance(config, dict) else None
    kind = str((types[0] if isinstance(types, list) and types else types) or "EDGE")
    m.rid = name
    m.arn = _apigw_arn(m, f"/domainnames/{name}")
    s["certificateUploadDate"] = _CREATED
    if kind == "REGIONAL":
        s.update(regionalDomainName=f"d-{m.chars(10, LOWER_ALNUM)}.execute-api.{m.region}.amazonaws.com",
                 regionalZoneId=_APIGW_ZONES.get(m.region) or "Z" + _chars(f"{m.region}/apigw", 13, UPPER_ALNUM))
    elif kind == "EDGE":
        s.update(cloudfrontDomainName=f"d{m.chars(13, LOWER_ALNUM, 'edge')}.cloudfront.net",
                 cloudfrontZoneId="Z2FDTNDATAQYW2")
    else:
        s["domainNameId"] = m.chars(10, LOWER_ALNUM, "private")
        m.rid = f"{name}/{s['domainNameId']}"
        m.arn = _arn(m, "apigateway", f"/domainnames/{name}+{s['domainNameId']}")


@_rule("aws:apigateway/basePathMapping:BasePathMapping")
def _api_base_path_mapping(m: Made) -> None:
    m.rid = f"{m.state.get('domainName')}/{m.state.get('basePath') or ''}"


@_rule("aws:apigateway/restApiPolicy:RestApiPolicy")
def _api_policy(m: Made) -> None:
    m.rid = str(m.state.get("restApiId"))


@_rule("aws:apigateway/account:Account")
def _api_account(m: Made) -> None:
    """The region's account settings: AWS's default throttle (10,000 requests per second, bursts of 5,000)."""
    m.rid = ACCOUNT_ID
    m.state.update(apiKeyVersion="4", features=["UsagePlans"],
                   throttleSettings=[{"burstLimit": 5000, "rateLimit": 10000}])


@dataclass
class ProviderInfo:
    region: str
    default_tags: dict[str, str] = field(default_factory=dict)


class OfflineMocks(Mocks):
    """Deterministic stand-ins for AWS answers. ``peer_outputs`` answers StackReferences by stack name."""

    def __init__(self, stack: str, region: str, peer_outputs: dict[str, dict[str, Any]],
                 known_stacks: list[str]) -> None:
        self.stack = stack
        self.region = region
        self.peer_outputs = peer_outputs
        self.known_stacks = known_stacks
        self.providers: dict[str, ProviderInfo] = {}
        self.default_provider_uses: list[str] = []
        self.made: dict[str, dict[str, Any]] = {}  # each resource's state by ID, for rules that read another's

    # --- invokes -------------------------------------------------------------------------------------------
    def _region_of(self, provider_ref: str | None) -> str:
        """The region of the provider a registration or invoke names ('<urn>::<id>'), else the stack's."""
        info = self.providers.get(self._provider_urn(provider_ref))
        return info.region if info is not None else self.region

    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        token = args.token
        if token.startswith("aws:") and not args.provider:
            self.default_provider_uses.append(f"invoke {token}")
        answer = _INVOKES.get(token)
        if answer is None:
            raise NotImplementedError(
                f"the offline engine has no answer for invoke '{token}': add one to automation/mocks.py"
            )
        result, failures = answer(dict(args.args), args.args.get("region") or self._region_of(args.provider))
        return result, failures

    # --- resources -----------------------------------------------------------------------------------------
    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        typ, name, inputs = args.typ, args.name, dict(args.inputs)
        if typ == "pulumi:pulumi:StackReference":
            return self._stack_reference(inputs)
        if typ.startswith("pulumi:providers:"):
            return self._provider(typ, name, inputs)
        if args.custom and typ.startswith("aws:") and not args.provider:
            self.default_provider_uses.append(f"{typ} '{name}'")
        region = inputs.get("region") or self._region_of(args.provider)
        digest = _digest(self.stack, typ, name)
        if typ == "awsx:ecr:Repository":
            # A remote component: its outputs are its URL and references to the resources it made inside, which
            # the mock cannot create, so only the URL is answered.
            repo = str(inputs.get("name") or name)
            return f"{name}-{digest[:8]}", {"url": f"{ACCOUNT_ID}.dkr.ecr.{region}.amazonaws.com/{repo}"}
        rid = _ID_PREFIX.get(typ, "") + digest[:17] if typ in _ID_PREFIX else f"{name}-{digest[:8]}"
        state = dict(inputs)
        if typ == "random:index/randomPassword:RandomPassword":
            # A stand-in of the requested length from the allowed characters (the SDK marks it secret).
            alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
            length = int(inputs.get("length") or 16)
            stand_in = "".join(alphabet[b % len(alphabet)] for b in hashlib.sha256(digest.encode()).digest())
            state.update(result=(stand_in * (length // len(stand_in) + 1))[:length], bcryptHash="$2a$10$offline")
            return rid, state
        auto = _AUTONAMED.get(typ)
        if auto is not None and auto[0] not in state and f"{auto[0]}Prefix" not in state:
            state[auto[0]] = f"{name}-{digest[:7]}"[: auto[1]]
        service, kind = _service_and_kind(typ)
        made = Made(name=name, region=region, digest=digest, kind=kind, state=state, rid=rid,
                    arn=f"arn:{PARTITION}:{service}:{region}:{ACCOUNT_ID}:{kind}/{rid}", made=self.made)
        rule = _STATE_RULES.get(typ) or next((r for prefix, r in _PREFIX_RULES if typ.startswith(prefix)), None)
        if rule is not None:
            rule(made)
        state.setdefault("arn", made.arn)
        self.made[made.rid] = state
        if "tags" in state or typ.startswith("aws:"):
            provider = self.providers.get(self._provider_urn(args.provider))
            tags_all = dict(provider.default_tags) if provider else {}
            own = state.get("tags")
            # An auto scaling group's tags are a list (key, value, propagateAtLaunch), outside default tags.
            tags_all.update(own if isinstance(own, dict) else {})
            if tags_all:
                state["tagsAll"] = tags_all
        return made.rid, state

    @staticmethod
    def _provider_urn(provider_ref: str | None) -> str:
        return provider_ref.rsplit("::", 1)[0] if provider_ref else ""

    def _provider(self, typ: str, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return _digest(self.stack, typ, name)[:36], dict(inputs)

    def provider_info(self, inputs: dict[str, Any]) -> ProviderInfo:
        """Region and default tags of a provider, from its registered inputs."""
        default_tags = inputs.get("defaultTags") or {}
        if isinstance(default_tags, str):
            default_tags = json.loads(default_tags or "{}")
        return ProviderInfo(region=inputs.get("region") or self.region,
                            default_tags=dict(default_tags.get("tags") or {}))

    def _stack_reference(self, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        ref = str(inputs.get("name", ""))
        stack = ref.rsplit("/", 1)[-1]
        if stack not in self.known_stacks:
            raise ValueError(f"StackReference to unknown stack '{ref}': known stacks are "
                             f"{', '.join(self.known_stacks)}")
        outputs = self.peer_outputs.get(stack, {})
        return ref, {"name": ref, "outputs": outputs, "secretOutputNames": []}


@dataclass
class Registration:
    """What the engine knows of one resource registration."""

    urn: str
    type: str
    name: str
    custom: bool
    parent: str
    provider: str
    protect: bool
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    id: str
    delete_before_replace: bool | None
    ignore_changes: list[str]
    aliases: list[str]
    additional_secret_outputs: list[str]


_PLAIN_SCALARS = (str, bool, int, float, type(None))


def _is_plain(value: Any) -> bool:
    """JSON-shaped data only: what the mocks' states are unless an input carried a resource, asset or output."""
    if isinstance(value, _PLAIN_SCALARS):
        return True
    if isinstance(value, (list, tuple)):
        return all(_is_plain(v) for v in value)
    if type(value) is dict:
        return all(type(k) is str and _is_plain(v) for k, v in value.items())
    return False


def serialize_state(state: dict[str, Any]) -> struct_pb2.Struct:
    """A mock's state as the engine would answer it: ``rpc.serialize_properties`` without the event loop.

    For JSON-shaped states the SDK's serialization is the identity on values and drops top-level ``None``s, which
    is what this does directly. Anything else (a resource reference, an asset) goes through the SDK, run to its
    end at once: the monitor runs inside the program's event loop (see ``automation.synth``), so it cannot wait
    the way the SDK's mock monitor does, and a mock's state never holds anything still outstanding."""
    if _is_plain(state):
        struct = struct_pb2.Struct()
        struct.update({k: v for k, v in state.items() if v is not None})
        return struct
    awaitable = rpc.serialize_properties(state, {})
    try:
        awaitable.send(None)
    except StopIteration as done:
        return cast(struct_pb2.Struct, done.value)
    awaitable.close()
    raise RuntimeError("the mock monitor met an unresolved value while serializing a mock state")


def _secret_outputs(state: dict[str, Any], names: Any, accept: bool) -> dict[str, Any]:
    """The state as the engine answers it: each output the registration names in ``additionalSecretOutputs``
    (its own, or its type's: a RandomPassword's ``result``, an API key's ``value``) wrapped as a secret, so that
    the program sees it secret, as it would from the engine. The recorded outputs stay plain."""
    wanted = set(names) if accept else set()
    return {k: {rpc._special_sig_key: rpc._special_secret_sig, "value": v}
            if k in wanted and v is not None and not rpc.is_rpc_secret(v) else v for k, v in state.items()}


def _invoke_response(ret: struct_pb2.Struct, failures: list[Any] | None) -> Any:
    # "return" is a Python keyword, so the field goes in by name.
    return resource_pb2.ResourceInvokeResponse(failures=failures, **{"return": ret})  # type: ignore[arg-type]


def _alias(alias: Any) -> str:
    """An alias as the engine would resolve it: its URN, or what its spec changes (name, type, parent)."""
    if alias.urn:
        return str(alias.urn)
    spec = alias.spec
    parts = [f"name={spec.name}" if spec.name else "", f"type={spec.type}" if spec.type else "",
             "noParent" if spec.noParent else (f"parent={spec.parentUrn}" if spec.parentUrn else "")]
    return ",".join(p for p in parts if p)


class RecordingMonitor(MockMonitor):
    """The SDK's mock monitor, run in the program's own thread, recording each registration's options and the
    stack's outputs.

    The SDK's methods are followed step for step (URN, ``Mocks.new_resource``/``call``, the serialized answer),
    with three differences: answers are serialized synchronously (``serialize_state``), since the synth calls the
    monitor inline rather than on a worker thread; a second resource with a URN already registered or read is an
    error, as in the engine; and resource transforms are not passed on to the mocks (the program has none, and
    the engine, not the monitor, would run them)."""

    def __init__(self, mocks: OfflineMocks) -> None:
        super().__init__(mocks)
        self.offline = mocks
        self.registrations: dict[str, Registration] = {}
        self.component_outputs: dict[str, dict[str, Any]] = {}

    def Invoke(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        args = rpc.deserialize_properties(request.args)
        if request.tok == "pulumi:pulumi:getResource":
            registered = self.resources.get(args["urn"])
            if registered is None:
                raise Exception(f"unknown resource {args['urn']}")
            return _invoke_response(serialize_state(registered._asdict()), None)
        answer = self.mocks.call(MockCallArgs(token=request.tok, args=args, provider=request.provider))
        if isinstance(answer, dict):
            return _invoke_response(serialize_state(answer), None)
        values, problems = answer
        failures = [provider_pb2.CheckFailure(property=p, reason=r) for p, r in problems or []]
        return _invoke_response(serialize_state(values), failures)

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        urn = self.make_urn(request.parent, request.type, request.name)
        if request.type == "pulumi:pulumi:Stack":
            return resource_pb2.RegisterResourceResponse(urn=urn)
        if urn in self.registrations:
            raise Exception(f"Duplicate resource URN '{urn}'; try giving it a unique name")  # as the engine says
        inputs = rpc.deserialize_properties(request.object)
        rid, state = self.mocks.new_resource(MockResourceArgs(
            typ=request.type, name=request.name, inputs=inputs, provider=request.provider,
            resource_id=request.importId, custom=request.custom or False))
        obj = serialize_state(_secret_outputs(state, request.additionalSecretOutputs, request.acceptSecrets))
        self.resources[urn] = MockMonitor.ResourceRegistration(urn, rid or "", state)
        if request.type.startswith("pulumi:providers:"):
            self.offline.providers[urn] = self.offline.provider_info(inputs)
        auto = _AUTONAMED.get(request.type)
        if auto is not None and auto[0] in state and auto[0] not in inputs:
            inputs = {**inputs, auto[0]: state[auto[0]]}  # as the provider's Check would fill it in
        self.registrations[urn] = Registration(
            urn=urn,
            type=request.type,
            name=request.name,
            custom=bool(request.custom),
            parent=request.parent,
            provider=request.provider,
            protect=bool(request.protect) if request.HasField("protect") else False,
            dependencies=sorted(set(request.dependencies)),
            property_dependencies={k: sorted(set(v.urns)) for k, v in request.propertyDependencies.items()},
            inputs=inputs,
            outputs=dict(state),
            id=rid or "",
            delete_before_replace=request.deleteBeforeReplace if request.deleteBeforeReplaceDefined else None,
            ignore_changes=list(request.ignoreChanges),
            aliases=[_alias(a) for a in request.aliases],
            additional_secret_outputs=list(request.additionalSecretOutputs),
        )
        return resource_pb2.RegisterResourceResponse(urn=urn, id=rid or "", object=obj)

    def ReadResource(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        """Reads (``get`` and StackReference) are part of the stack too."""
        urn = self.make_urn(request.parent, request.type, request.name)
        if urn in self.registrations:
            raise Exception(f"Duplicate resource URN '{urn}'; try giving it a unique name")
        inputs = rpc.deserialize_properties(request.properties)
        rid, state = self.mocks.new_resource(MockResourceArgs(
            typ=request.type, name=request.name, inputs=inputs, provider=request.provider, resource_id=request.id))
        props = serialize_state(_secret_outputs(state, request.additionalSecretOutputs, request.acceptSecrets))
        self.resources[urn] = MockMonitor.ResourceRegistration(urn, rid or "", state)
        self.registrations[urn] = Registration(
            urn=urn, type=request.type, name=request.name, custom=True, parent=request.parent,
            provider=request.provider, protect=False, dependencies=sorted(set(request.dependencies)),
            property_dependencies={}, inputs=inputs, outputs=dict(state), id=request.id,
            delete_before_replace=None, ignore_changes=[], aliases=[],
            additional_secret_outputs=list(request.additionalSecretOutputs),
        )
        return resource_pb2.ReadResourceResponse(urn=urn, properties=props)

    def RegisterResourceOutputs(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        self.component_outputs[request.urn] = rpc.deserialize_properties(request.outputs)
        return empty_pb2.Empty()


class LogRecorder(logging.Handler):
    """Keeps what the program logged through ``pulumi.log``."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[tuple[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.INFO:
            self.records.append((record.levelname.lower(), record.getMessage()))
