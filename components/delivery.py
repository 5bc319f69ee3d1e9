"""The application delivery tier: the customer ALB (behind WAF and Shield), the internal payment NLB, and the ECS
Fargate services behind them, with their images, roles, logs, autoscaling for sale peaks and alarms.

How traffic reaches the ALB: CloudFront connects to it over HTTPS from its origin-facing addresses, so the ALB's
security group admits 443 from the managed prefix list com.amazonaws.global.cloudfront.origin-facing and nothing
else from the internet (one reference to that list weighs ~55 rules of the group's quota, so port 80 is not opened
to it: CloudFront never speaks HTTP to the origin). Global Accelerator, which the edge tier adds for the checkout
API, reaches the ALB with client IP preservation through its own ENIs in the VPC; AWS puts those behind a security
group named "GlobalAccelerator", which the edge tier will admit here. The HTTP listener only redirects to HTTPS.
"""

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_awsx as awsx
import pulumi_random as random

from components.buckets import private_bucket
from components.context import StackContext, Tier
from components.contract import DeliveryOutputs
from components.documents import policy_document
from components.network import NetworkTier
from components.settings.delivery import DeliverySettings, LoadBalancerKind, ServiceSettings
from components.settings.types import ConfigError

# Elastic Load Balancing's log-delivery account per region (regions opened before August 2022 deliver ALB access
# logs as this account); newer regions use the logdelivery.elasticloadbalancing.amazonaws.com service principal.
ELB_LOG_ACCOUNTS = {
    "us-east-1": "127311923021", "us-east-2": "033677994240", "us-west-1": "027434742980",
    "us-west-2": "797873946194", "eu-west-1": "156460612806", "eu-west-2": "652711504416",
    "eu-west-3": "009996457667", "eu-central-1": "054676820928", "eu-north-1": "897822967062",
    "ap-south-1": "718504428378", "ap-southeast-1": "114774131450", "ap-southeast-2": "783225319266",
    "ap-northeast-1": "582318560864", "ap-northeast-2": "600734575887", "ap-northeast-3": "383597477331",
    "sa-east-1": "507241528517", "ca-central-1": "985666609251",
}
XRAY_IMAGE = "public.ecr.aws/xray/aws-xray-daemon:3.3.14"
CLOUDFRONT_PREFIX_LIST = "com.amazonaws.global.cloudfront.origin-facing"
WAF_MANAGED_RULES = ("AWSManagedRulesCommonRuleSet", "AWSManagedRulesSQLiRuleSet",
                     "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesAmazonIpReputationList")


@dataclass(frozen=True)
class DeliveryTierArgs:
    network: NetworkTier
    # service -> why it runs no task yet (``waiting_services``: no image tag, or no image in its repository yet)
    waiting: dict[str, str] = field(default_factory=dict)


# Where each load balancer writes its access logs in the log bucket. ELB writes under
# <bucket>/<prefix>/AWSLogs/<account>/… and tests that it may when logging is switched on, so the bucket policy
# grants exactly these prefixes (log_bucket_policy) and the pack checks that the two agree (lb-log-prefix-writable).
ALB_LOG_PREFIX = "alb"
NLB_LOG_PREFIX = "payment-nlb"


def log_bucket_policy(bucket: str, region: str, account: str, partition: str,
                      prefixes: tuple[str, ...] = (ALB_LOG_PREFIX, NLB_LOG_PREFIX)) -> str:
    """TLS only; ALB access logs from ELB's delivery account (or service principal); NLB logs from the log
    delivery service, for this account's load balancers only, each under its load balancer's prefix."""
    arn = f"arn:{partition}:s3:::{bucket}"
    objects = [f"{arn}/{prefix}/AWSLogs/{account}/*" for prefix in prefixes]
    statements: list[dict[str, Any]] = [
        {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": [arn, f"{arn}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        {"Sid": "AlbLogDeliveryService", "Effect": "Allow",
         "Principal": {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}, "Action": "s3:PutObject",
         "Resource": objects, "Condition": {"StringEquals": {"aws:SourceAccount": account}}},
        {"Sid": "NlbLogDelivery", "Effect": "Allow", "Principal": {"Service": "delivery.logs.amazonaws.com"},
         "Action": "s3:PutObject", "Resource": objects,
         "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceAccount": account}}},
        {"Sid": "NlbLogDeliveryAcl", "Effect": "Allow", "Principal": {"Service": "delivery.logs.amazonaws.com"},
         "Action": "s3:GetBucketAcl", "Resource": arn, "Condition": {"StringEquals": {"aws:SourceAccount": account}}},
    ]
    if region in ELB_LOG_ACCOUNTS:
        statements.append({"Sid": "AlbLogDeliveryAccount", "Effect": "Allow",
                           "Principal": {"AWS": f"arn:{partition}:iam::{ELB_LOG_ACCOUNTS[region]}:root"},
                           "Action": "s3:PutObject", "Resource": objects})
    return policy_document(statements)


def alarms_key_policy(account: str, region: str, partition: str) -> str:
    return policy_document([
        {"Sid": "AccountAdministers", "Effect": "Allow", "Principal": {"AWS": f"arn:{partition}:iam::{account}:root"},
         "Action": "kms:*", "Resource": "*"},
        {"Sid": "CloudWatchAlarmsPublish", "Effect": "Allow", "Principal": {"Service": "cloudwatch.amazonaws.com"},
         "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*",
         "Condition": {"StringEquals": {"aws:SourceAccount": account},
                       "ArnLike": {"aws:SourceArn": f"arn:{partition}:cloudwatch:{region}:{account}:alarm:*"}}},
    ])


def task_trust_policy(account: str, region: str, partition: str) -> str:
    return policy_document([{
        "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": account},
                      "ArnLike": {"aws:SourceArn": f"arn:{partition}:ecs:{region}:{account}:*"}},
    }])


def execution_policy(repository_arn: str, log_group_arn: str, secret_arns: list[str]) -> str:
    """Pull this service's image, write its log group, read its own secrets: nothing else."""
    statements: list[dict[str, Any]] = [
        {"Sid": "EcrAuth", "Effect": "Allow", "Action": ["ecr:GetAuthorizationToken"], "Resource": "*"},
        {"Sid": "PullImage", "Effect": "Allow",
         "Action": ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
         "Resource": [repository_arn]},
        {"Sid": "WriteLogs", "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": [f"{log_group_arn}:*"]},
    ]
    if secret_arns:
        statements.append({"Sid": "ReadSecrets", "Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"],
                           "Resource": sorted(secret_arns)})
    return policy_document(statements)


TASK_POLICY = policy_document([{"Sid": "XRay", "Effect": "Allow",
                     "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules",
                                "xray:GetSamplingTargets", "xray:GetSamplingStatisticSummaries"],
                     "Resource": "*"}])


def container_definitions(service: ServiceSettings, image: str, log_group: str, region: str) -> str:
    logging = {"logDriver": "awslogs", "options": {"awslogs-group": log_group, "awslogs-region": region,
                                                   "awslogs-stream-prefix": service.name}}
    environment = [{"name": k, "value": v} for k, v in sorted(service.environment.items())]
    environment.append({"name": "AWS_XRAY_DAEMON_ADDRESS", "value": "127.0.0.1:2000"})
    app = {
        "name": "app",
        "image": image,
        "essential": True,
        "user": "1000:1000",
        "readonlyRootFilesystem": True,
        "privileged": False,
        "portMappings": [{"containerPort": service.port, "protocol": "tcp"}],
        "environment": environment,
        "secrets": [{"name": k, "valueFrom": v} for k, v in sorted(service.secrets.items())],
        "mountPoints": [{"sourceVolume": "tmp", "containerPath": "/tmp", "readOnly": False}],
        "linuxParameters": {"initProcessEnabled": True, "capabilities": {"drop": ["ALL"]}},
        "stopTimeout": 30,
        "logConfiguration": logging,
        "dependsOn": [{"containerName": "xray", "condition": "START"}],
    }
    xray = {
        "name": "xray",
        "image": XRAY_IMAGE,
        "essential": False,
        "user": "1337",
        "readonlyRootFilesystem": True,
        "privileged": False,
        "cpu": 32,
        "memoryReservation": 64,
        "portMappings": [{"containerPort": 2000, "protocol": "udp"}],
        "linuxParameters": {"capabilities": {"drop": ["ALL"]}},
        "logConfiguration": logging,
    }
    return json.dumps([app, xray], sort_keys=True)


def repository_name(environment: str, service: str) -> str:
    return f"securecart/{environment}/{service}"


async def waiting_services(ctx: StackContext) -> dict[str, str]:
    """Which services must run no task yet, and why, decided before anything is built (DESIGN §1, §7).

    A service waits while it has no image tag, or while its repository does not exist or holds no image (a fresh
    pair: the first deploy creates it, the image is pushed, the next deploy starts the service; the plan's steps
    in between must not fail). A tag that is configured but missing from a repository holding other images is an
    error, not a reason to wait: scaling a running service down to nothing
    because an image went missing would take the shop offline."""
    settings, stack_file, opts = ctx.settings.delivery, ctx.stack_file, ctx.invoke_options()
    waiting: dict[str, str] = {}
    names: set[str] | None = None
    for i, svc in enumerate(settings.services if settings is not None else []):
        repo = repository_name(ctx.environment, svc.name)
        if svc.image_tag is None:
            waiting[svc.name] = (f"no image tag: push an image to {repo}, set securecart:delivery.services[{i}]"
                                 f".imageTag in {stack_file} and deploy again")
            continue
        if names is None:
            listed = await aws.ecr.get_repositories_output(opts=opts).future()
            names = set(listed.names) if listed is not None else set()
        if repo not in names:
            waiting[svc.name] = (f"its repository {repo} does not exist yet (this deploy creates it): push image "
                                 f"{svc.image_tag} to it and deploy again")
            continue
        images = await aws.ecr.get_images_output(repository_name=repo, opts=opts).future()
        tags = {i.image_tag for i in (images.image_ids if images is not None else []) if i.image_tag}
        if not tags:
            # Created by an earlier deploy, nothing pushed yet (a fresh pair between the plan's steps).
            waiting[svc.name] = (f"its repository {repo} holds no image yet: push image {svc.image_tag} to it and "
                                 f"deploy again")
            continue
        if svc.image_tag not in tags:
            raise ConfigError([
                f"securecart:delivery.services[{i}].imageTag: {svc.image_tag} is not in {repo} (tags there: "
                f"{', '.join(sorted(tags)[-5:]) or 'none'}): push it first, or set a tag that is there"])
    return waiting


def _execution_policy_for(secret_arns: list[str]) -> Callable[[list[Any]], str]:
    return lambda v: execution_policy(v[0], v[1], secret_arns)


def _containers_for(svc: ServiceSettings, region: str) -> Callable[[list[Any]], str]:
    # With no tag configured the service runs no task, so the definition names a tag that is never pulled.
    return lambda v: container_definitions(svc, f"{v[0]}:{svc.image_tag or 'unset'}", v[1], region)


class DeliveryTier(Tier):
    alb_arn: pulumi.Output[str]
    alb_dns_name: pulumi.Output[str]
    alb_security_group_id: pulumi.Output[str]
    origin_verify_header: str
    origin_verify_value: pulumi.Output[str]  # secret: what CloudFront must send in origin_verify_header
    nlb_arn: pulumi.Output[str]
    nlb_dns_name: pulumi.Output[str]
    target_group_arns: dict[str, pulumi.Output[str]]
    service_names: dict[str, pulumi.Output[str]]
    service_security_group_ids: dict[str, pulumi.Output[str]]
    task_role_names: dict[str, pulumi.Output[str]]
    repository_urls: dict[str, pulumi.Output[str]]
    alarm_topic_arn: pulumi.Output[str]
    cluster_name: pulumi.Output[str]

    def __init__(self, name: str, ctx: StackContext, tier_args: DeliveryTierArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("securecart:delivery:DeliveryTier", name, ctx, opts)
        settings, placement, network = ctx.settings.delivery, ctx.settings.placement, tier_args.network
        if settings is None or placement.load_balancers is None or placement.tasks is None:
            raise ValueError("the delivery tier needs securecart:delivery (validated when the settings load)")
        cloudfront = aws.ec2.get_managed_prefix_list_output(
            name="com.amazonaws.global.cloudfront.origin-facing", opts=ctx.invoke_options())
        args = SimpleNamespace(  # TODO(issue 11): shim until the constructor is split into methods
            settings=settings, environment=ctx.environment, region=ctx.region, account_id=ctx.account_id,
            partition=ctx.partition, vpc_id=network.vpc.id, vpc_cidr=str(ctx.settings.network.cidr),
            public_subnet_ids=network.subnets.of_group(placement.load_balancers).ids,
            private_subnet_ids=network.subnets.of_group(placement.tasks).ids,
            database_port=ctx.settings.network.database_port, logs_key_arn=network.logs_key_arn,
            access_log_bucket_id=network.access_log_bucket_id, cloudfront_prefix_list_id=cloudfront.id,
            now=ctx.now, waiting=tier_args.waiting)
        s = args.settings
        env = args.environment
        child = pulumi.ResourceOptions(parent=self)
        ident = pulumi.Output.all(args.account_id, args.region, args.partition)
        tags = self.tags

        # --- access-log bucket (SSE-S3: ELB delivers only to SSE-S3 buckets) --------------------------------------
        logs_bucket = private_bucket("lb-logs", parent=self, tags=tags("lb-logs"), lifecycle_rules=[{
            "id": "expire-access-logs", "status": "Enabled", "filter": {"prefix": ""},
            "expiration": {"days": s.access_log_days},
            "noncurrent_version_expiration": {"noncurrent_days": 7},
        }])
        logs, bucket_opts = logs_bucket.bucket, logs_bucket.settings
        log_policy = aws.s3.BucketPolicy(
            "lb-logs-policy", bucket=logs.id,
            policy=pulumi.Output.all(logs.bucket, args.region, args.account_id, args.partition).apply(
                lambda v: log_bucket_policy(v[0], v[1], v[2], v[3])),
            opts=bucket_opts,
        )
        aws.s3.BucketLogging("lb-logs-logging", bucket=logs.id, target_bucket=args.access_log_bucket_id,
                             target_prefix="lb-logs/", opts=bucket_opts)

        # --- security groups ---------------------------------------------------------------------------------------
        alb_sg = aws.ec2.SecurityGroup("alb-sg", vpc_id=args.vpc_id, tags=tags("alb-sg"), opts=child,
                                       description="Customer ALB: HTTPS from the CloudFront origin-facing addresses")
        aws.vpc.SecurityGroupIngressRule(
            "alb-sg-https-from-cloudfront", security_group_id=alb_sg.id, ip_protocol="tcp", from_port=443,
            to_port=443, prefix_list_id=args.cloudfront_prefix_list_id,
            description="HTTPS from CloudFront origin-facing servers", opts=pulumi.ResourceOptions(parent=alb_sg))
        nlb_sg = aws.ec2.SecurityGroup("nlb-sg", vpc_id=args.vpc_id, tags=tags("nlb-sg"), opts=child,
                                       description="Payment NLB: TLS from the services that call it")

        # --- load balancers ----------------------------------------------------------------------------------------
        alb = aws.lb.LoadBalancer(
            "alb",
            load_balancer_type="application",
            internal=False,
            subnets=args.public_subnet_ids,
            security_groups=[alb_sg.id],
            drop_invalid_header_fields=True,
            desync_mitigation_mode="strictest",
            enable_deletion_protection=True,
            enable_http2=True,
            idle_timeout=60,
            access_logs={"bucket": logs.bucket, "prefix": ALB_LOG_PREFIX, "enabled": True},
            tags=tags("alb", Purpose="storefront"),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[log_policy]),
        )
        nlb = aws.lb.LoadBalancer(
            "payment-nlb",
            load_balancer_type="network",
            internal=True,
            subnets=args.private_subnet_ids,
            security_groups=[nlb_sg.id],
            enable_cross_zone_load_balancing=True,
            enable_deletion_protection=True,
            enforce_security_group_inbound_rules_on_private_link_traffic="on",
            access_logs={"bucket": logs.bucket, "prefix": NLB_LOG_PREFIX, "enabled": True},
            tags=tags("payment-nlb", Purpose="payment"),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[log_policy]),
        )
        aws.lb.Listener(
            "alb-http",
            load_balancer_arn=alb.arn, port=80, protocol="HTTP",
            default_actions=[{"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443",
                                                               "status_code": "HTTP_301"}}],
            tags=tags("alb-http"), opts=pulumi.ResourceOptions(parent=alb),
        )

        # --- WAF and Shield on the ALB -----------------------------------------------------------------------------
        # Origin verification: CloudFront sends a secret header and the web ACL blocks every request without it,
        # so no other distribution can reach the ALB through the shared origin-facing addresses. Each rotation
        # label names its own generated value; during a rotation both the current and the previous are accepted.
        verify = s.origin_verify
        values = {label: random.RandomPassword(f"origin-verify-{label}", length=48, special=False, opts=child)
                  for label in verify.labels}

        def header_is(value: pulumi.Output[str]) -> aws.wafv2.WebAclRuleStatementArgsDict:
            return {"byte_match_statement": {
                "field_to_match": {"single_header": {"name": verify.header}}, "positional_constraint": "EXACTLY",
                "search_string": value, "text_transformations": [{"priority": 0, "type": "NONE"}]}}

        accepted = [header_is(v.result) for v in values.values()]
        waf_rules: list[aws.wafv2.WebAclRuleArgsDict] = [{
            "name": "origin-verify", "priority": 0, "action": {"block": {}},
            "statement": {"not_statement": {"statement": accepted[0] if len(accepted) == 1 else
                                            {"or_statement": {"statements": accepted}}}},
            "visibility_config": {"cloudwatch_metrics_enabled": True, "metric_name": "origin-verify",
                                  "sampled_requests_enabled": True},
        }]
        waf_rules += [
            {"name": rule, "priority": i + 1, "override_action": {"none": {}},
             "statement": {"managed_rule_group_statement": {"name": rule, "vendor_name": "AWS"}},
             "visibility_config": {"cloudwatch_metrics_enabled": True, "metric_name": rule,
                                   "sampled_requests_enabled": True}}
            for i, rule in enumerate(WAF_MANAGED_RULES)
        ]
        waf_rules.append({
            "name": "rate-limit-per-ip", "priority": len(WAF_MANAGED_RULES) + 1, "action": {"block": {}},
            "statement": {"rate_based_statement": {"limit": 20000, "aggregate_key_type": "IP"}},
            "visibility_config": {"cloudwatch_metrics_enabled": True, "metric_name": "rate-limit-per-ip",
                                  "sampled_requests_enabled": True},
        })
        acl = aws.wafv2.WebAcl(
            "alb-waf", scope="REGIONAL", default_action={"allow": {}}, rules=waf_rules,
            description="SecureCart ALB: origin verification, AWS managed common, SQL injection, bad inputs, "
                        "IP reputation, rate limit",
            visibility_config={"cloudwatch_metrics_enabled": True, "metric_name": f"securecart-{env}-alb",
                               "sampled_requests_enabled": True},
            tags=tags("alb-waf"), opts=child,
        )
        aws.wafv2.WebAclAssociation("alb-waf-association", resource_arn=alb.arn, web_acl_arn=acl.arn,
                                    opts=pulumi.ResourceOptions(parent=acl))
        waf_logs = aws.cloudwatch.LogGroup(
            "alb-waf-logs", name=f"aws-waf-logs-securecart-{env}-{args.region}", kms_key_id=args.logs_key_arn,
            retention_in_days=s.log_retention_days, tags=tags("alb-waf-logs"), opts=pulumi.ResourceOptions(parent=acl),
        )
        # The verification header's value is a secret: the logs never show it.
        aws.wafv2.WebAclLoggingConfiguration("alb-waf-logging", resource_arn=acl.arn,
                                             log_destination_configs=[waf_logs.arn],
                                             redacted_fields=[{"single_header": {"name": verify.header}}],
                                             opts=pulumi.ResourceOptions(parent=acl))
        aws.shield.Protection("alb-shield", name=f"securecart-{env}-{args.region}-alb", resource_arn=alb.arn,
                              tags=tags("alb-shield"), opts=pulumi.ResourceOptions(parent=alb))

        # --- cluster and alarm topic -------------------------------------------------------------------------------
        cluster = aws.ecs.Cluster("cluster", settings=[{"name": "containerInsights", "value": "enhanced"}],
                                  tags=tags("cluster"), opts=child)
        # CloudWatch cannot publish to a topic under the AWS-managed aws/sns key, so the topic gets a key of its own
        # that lets CloudWatch (for this account's alarms) encrypt to it.
        alarms_key = aws.kms.Key(
            "alarms-key", description=f"SecureCart {env} {args.region}: alarm topic encryption",
            enable_key_rotation=True, deletion_window_in_days=30,
            policy=ident.apply(lambda v: alarms_key_policy(v[0], v[1], v[2])),
            tags=tags("alarms-key"), opts=pulumi.ResourceOptions(parent=self, protect=True))
        topic = aws.sns.Topic("alarms", kms_master_key_id=alarms_key.arn, tags=tags("alarms"), opts=child)
        if s.alarm_email:
            aws.sns.TopicSubscription("alarms-email", topic=topic.arn, protocol="email", endpoint=s.alarm_email,
                                      opts=pulumi.ResourceOptions(parent=topic))

        # --- services ----------------------------------------------------------------------------------------------
        target_groups: dict[str, aws.lb.TargetGroup] = {}
        services: dict[str, aws.ecs.Service] = {}
        service_sgs: dict[str, aws.ec2.SecurityGroup] = {}
        task_roles: dict[str, aws.iam.Role] = {}
        repos: dict[str, awsx.ecr.Repository] = {}
        alb_services = [x for x in s.services if x.load_balancer is LoadBalancerKind.ALB]
        for svc in s.services:
            on_alb = svc.load_balancer is LoadBalancerKind.ALB
            front_sg = alb_sg if on_alb else nlb_sg
            tg = aws.lb.TargetGroup(
                f"{svc.name}-tg",
                port=svc.port,
                protocol="HTTPS" if on_alb else "TLS",
                target_type="ip",
                vpc_id=args.vpc_id,
                deregistration_delay=30,
                health_check={"enabled": True, "protocol": "HTTPS", "path": svc.health_check_path,
                              "interval": 10, "timeout": 5, "healthy_threshold": 2, "unhealthy_threshold": 2,
                              "matcher": "200-399"},
                tags=tags(f"{svc.name}-tg", Service=svc.name),
                opts=child,
            )
            target_groups[svc.name] = tg
            sg = aws.ec2.SecurityGroup(
                f"{svc.name}-sg", vpc_id=args.vpc_id, tags=tags(f"{svc.name}-sg", Service=svc.name), opts=child,
                description=f"{svc.name} tasks: port {svc.port} from the {svc.load_balancer.value.upper()} only",
            )
            sg_opts = pulumi.ResourceOptions(parent=sg)
            aws.vpc.SecurityGroupIngressRule(
                f"{svc.name}-sg-from-lb", security_group_id=sg.id, ip_protocol="tcp", from_port=svc.port,
                to_port=svc.port, referenced_security_group_id=front_sg.id,
                description=f"from the {svc.load_balancer.value.upper()}", opts=sg_opts)
            aws.vpc.SecurityGroupEgressRule(
                f"{svc.name}-sg-https-out", security_group_id=sg.id, ip_protocol="tcp", from_port=443, to_port=443,
                cidr_ipv4="0.0.0.0/0", description="HTTPS to AWS endpoints and partners", opts=sg_opts)
            aws.vpc.SecurityGroupEgressRule(
                f"{svc.name}-sg-db-out", security_group_id=sg.id, ip_protocol="tcp", from_port=args.database_port,
                to_port=args.database_port, cidr_ipv4=args.vpc_cidr, description="the database tier", opts=sg_opts)
            aws.vpc.SecurityGroupEgressRule(
                f"{svc.name}-lb-to-tasks", security_group_id=front_sg.id, ip_protocol="tcp", from_port=svc.port,
                to_port=svc.port, referenced_security_group_id=sg.id, description=f"to {svc.name} tasks",
                opts=pulumi.ResourceOptions(parent=front_sg))
            service_sgs[svc.name] = sg

            repo = awsx.ecr.Repository(
                f"{svc.name}-repo",
                name=repository_name(env, svc.name),
                image_tag_mutability="IMMUTABLE",
                image_scanning_configuration={"scan_on_push": True},
                encryption_configurations=[{"encryption_type": "KMS"}],
                force_delete=False,
                lifecycle_policy=awsx.ecr.LifecyclePolicyArgs(rules=[
                    awsx.ecr.LifecyclePolicyRuleArgs(tag_status=awsx.ecr.LifecycleTagStatus.UNTAGGED,
                                                     maximum_age_limit=7, description="untagged layers: a week"),
                    awsx.ecr.LifecyclePolicyRuleArgs(tag_status=awsx.ecr.LifecycleTagStatus.ANY,
                                                     maximum_number_of_images=50,
                                                     description="keep the last 50 releases"),
                ]),
                tags=tags(f"{svc.name}-repo", Service=svc.name),
                opts=child,
            )
            repos[svc.name] = repo
            log_group = aws.cloudwatch.LogGroup(
                f"{svc.name}-logs", name=f"/securecart/{env}/ecs/{svc.name}", kms_key_id=args.logs_key_arn,
                retention_in_days=s.log_retention_days, tags=tags(f"{svc.name}-logs", Service=svc.name), opts=child,
            )
            trust = ident.apply(lambda v: task_trust_policy(v[0], v[1], v[2]))
            execution = aws.iam.Role(f"{svc.name}-execution", assume_role_policy=trust, opts=child,
                                     description=f"ECS pulls and starts {svc.name}: its image, logs, secrets")
            aws.iam.RolePolicy(
                f"{svc.name}-execution-policy", role=execution.id,
                policy=pulumi.Output.all(
                    pulumi.Output.concat("arn:", args.partition, ":ecr:", args.region, ":", args.account_id,
                                         ":repository/", repository_name(env, svc.name)),
                    log_group.arn,
                ).apply(
                    _execution_policy_for(sorted(svc.secrets.values()))),
                opts=pulumi.ResourceOptions(parent=execution))
            task_role = aws.iam.Role(f"{svc.name}-task", assume_role_policy=trust, opts=child,
                                     description=f"{svc.name} at run time: X-Ray (and the data it is granted)")
            task_roles[svc.name] = task_role
            aws.iam.RolePolicy(f"{svc.name}-task-policy", role=task_role.id, policy=TASK_POLICY,
                               opts=pulumi.ResourceOptions(parent=task_role))
            task = aws.ecs.TaskDefinition(
                f"{svc.name}-task",
                family=f"securecart-{env}-{svc.name}",
                network_mode="awsvpc",
                requires_compatibilities=["FARGATE"],
                cpu=str(svc.cpu),
                memory=str(svc.memory),
                execution_role_arn=execution.arn,
                task_role_arn=task_role.arn,
                runtime_platform={"operating_system_family": "LINUX", "cpu_architecture": "X86_64"},
                volumes=[{"name": "tmp"}],
                container_definitions=pulumi.Output.all(repo.url, log_group.name).apply(
                    _containers_for(svc, args.region)),
                tags=tags(f"{svc.name}-task", Service=svc.name),
                opts=child,
            )
            listener_deps: list[pulumi.Resource] = []
            if on_alb:
                listener_deps.append(alb)
            else:
                nlb_listener = aws.lb.Listener(
                    f"{svc.name}-tls", load_balancer_arn=nlb.arn, port=443, protocol="TLS",
                    ssl_policy=s.ssl_policy, certificate_arn=s.certificate_arn,
                    default_actions=[{"type": "forward", "target_group_arn": tg.arn}],
                    tags=tags(f"{svc.name}-tls"), opts=pulumi.ResourceOptions(parent=nlb))
                listener_deps.append(nlb_listener)
            service = aws.ecs.Service(
                f"{svc.name}-service",
                name=svc.name,
                cluster=cluster.arn,
                task_definition=task.arn,
                # A service whose image is not in its repository yet starts with no task (DESIGN §7: a fresh
                # pair's repositories are empty); the scaling target brings it up once the image is there.
                desired_count=0 if svc.name in args.waiting else svc.desired_count,
                launch_type="FARGATE",
                platform_version="LATEST",
                network_configuration={"subnets": args.private_subnet_ids, "security_groups": [sg.id],
                                       "assign_public_ip": False},
                load_balancers=[{"target_group_arn": tg.arn, "container_name": "app",
                                 "container_port": svc.port}],
                deployment_circuit_breaker={"enable": True, "rollback": True},
                deployment_minimum_healthy_percent=100,
                deployment_maximum_percent=200,
                health_check_grace_period_seconds=60,
                enable_ecs_managed_tags=True,
                propagate_tags="SERVICE",
                enable_execute_command=False,
                tags=tags(f"{svc.name}-service", Service=svc.name),
                # Autoscaling owns the running count; a deploy must not reset it in the middle of a sale.
                opts=pulumi.ResourceOptions(parent=self, depends_on=listener_deps, ignore_changes=["desiredCount"]),
            )
            services[svc.name] = service
            if svc.name in args.waiting:
                # No scaling target: its minimum would start tasks that cannot pull their image.
                pulumi.log.info(f"delivery: {svc.name} runs no task yet: {args.waiting[svc.name]}", resource=self)
            else:
                self._autoscaling(svc, cluster, service, alb if on_alb else None, tg, now=args.now,
                                  index=s.services.index(svc))

        # The NLB admits TLS only from the security groups of the services that call its services.
        for caller in sorted({c for svc in s.services if svc.load_balancer is LoadBalancerKind.NLB
                              for c in s.callers(svc)}):
            aws.vpc.SecurityGroupIngressRule(
                f"nlb-sg-tls-from-{caller}", security_group_id=nlb_sg.id, ip_protocol="tcp", from_port=443,
                to_port=443, referenced_security_group_id=service_sgs[caller].id,
                description=f"TLS from the {caller} tasks", opts=pulumi.ResourceOptions(parent=nlb_sg))

        self._alb_routes(s, alb, alb_services, target_groups, tags)
        self._alarms(alb, alb_services, target_groups, topic, tags)

        self.alb_arn = alb.arn
        self.alb_dns_name = alb.dns_name
        self.alb_security_group_id = alb_sg.id
        self.origin_verify_header = verify.header
        self.origin_verify_value = pulumi.Output.secret(values[verify.rotation].result)
        self.nlb_arn = nlb.arn
        self.nlb_dns_name = nlb.dns_name
        self.target_group_arns = {n: tg.arn for n, tg in target_groups.items()}
        self.service_names = {n: svc.name for n, svc in services.items()}
        self.service_security_group_ids = {n: sg.id for n, sg in service_sgs.items()}
        self.task_role_names = {n: r.name for n, r in task_roles.items()}
        self.repository_urls = {n: r.url for n, r in repos.items()}
        self.alarm_topic_arn = topic.arn
        self.cluster_name = cluster.name
        self.done()

    def exports(self) -> DeliveryOutputs:
        return DeliveryOutputs(
            alb_arn=self.alb_arn, alb_dns_name=self.alb_dns_name, alb_security_group_id=self.alb_security_group_id,
            origin_verify_header=self.origin_verify_header, origin_verify_value=self.origin_verify_value,
            nlb_arn=self.nlb_arn, nlb_dns_name=self.nlb_dns_name, target_group_arns=self.target_group_arns,
            service_names=self.service_names, service_security_group_ids=self.service_security_group_ids,
            repository_urls=self.repository_urls, alarm_topic_arn=self.alarm_topic_arn,
            cluster_name=self.cluster_name,
        )

    def _alb_routes(self, s: DeliverySettings, alb: aws.lb.LoadBalancer, alb_services: list[ServiceSettings],
                    target_groups: dict[str, aws.lb.TargetGroup], tags: Any) -> None:
        """HTTPS listener: the '/*' service is the default; every other ALB service gets a path rule, in the
        order the config lists them (rule priority 10, 20, …)."""
        default = next((x for x in alb_services if "/*" in x.path_patterns), None)
        default_action: aws.lb.ListenerDefaultActionArgsDict = (
            {"type": "forward", "target_group_arn": target_groups[default.name].arn} if default else
            {"type": "fixed-response", "fixed_response": {"content_type": "text/plain", "status_code": "404",
                                                          "message_body": "not found"}})
        https = aws.lb.Listener(
            "alb-https", load_balancer_arn=alb.arn, port=443, protocol="HTTPS", ssl_policy=s.ssl_policy,
            certificate_arn=s.certificate_arn, default_actions=[default_action], tags=tags("alb-https"),
            opts=pulumi.ResourceOptions(parent=alb))
        for i, svc in enumerate(x for x in alb_services if x is not default):
            aws.lb.ListenerRule(
                f"{svc.name}-rule", listener_arn=https.arn, priority=10 * (i + 1),
                conditions=[{"path_pattern": {"values": svc.path_patterns}}],
                actions=[{"type": "forward", "target_group_arn": target_groups[svc.name].arn}],
                tags=tags(f"{svc.name}-rule"), opts=pulumi.ResourceOptions(parent=https))

    def _autoscaling(self, svc: ServiceSettings, cluster: aws.ecs.Cluster, service: aws.ecs.Service,
                     alb: aws.lb.LoadBalancer | None, tg: aws.lb.TargetGroup, *, now: datetime.datetime,
                     index: int) -> None:
        """Target tracking on CPU (and, behind the ALB, requests per task) plus the sale windows' schedules.

        Application Auto Scaling refuses concurrent changes to one scalable target (ConcurrentUpdateException,
        which the provider does not reliably retry: hashicorp/terraform-provider-aws#17915), so every policy and
        scheduled action depends on the one before it and the engine creates, updates and deletes them one after
        another. A window that is over creates nothing (the program warns); a window in progress has no start
        action to wait for (its time has passed), so the target's minimum is the window's until its end action
        restores the usual one."""
        opts = pulumi.ResourceOptions(parent=service)
        current = [w for w in svc.peak_windows if w.start <= now < w.end]
        target = aws.appautoscaling.Target(
            f"{svc.name}-scaling", service_namespace="ecs", scalable_dimension="ecs:service:DesiredCount",
            resource_id=pulumi.Output.concat("service/", cluster.name, "/", service.name),
            min_capacity=max([svc.min_tasks, *(w.min_tasks for w in current)]), max_capacity=svc.max_tasks,
            opts=opts)
        previous: list[pulumi.Resource] = []

        def one_at_a_time() -> pulumi.ResourceOptions:
            return pulumi.ResourceOptions(parent=target, depends_on=list(previous))

        previous.append(aws.appautoscaling.Policy(
            f"{svc.name}-cpu", policy_type="TargetTrackingScaling", resource_id=target.resource_id,
            scalable_dimension=target.scalable_dimension, service_namespace=target.service_namespace,
            target_tracking_scaling_policy_configuration={
                "target_value": float(svc.cpu_target_percent), "scale_out_cooldown": 60, "scale_in_cooldown": 300,
                "predefined_metric_specification": {"predefined_metric_type": "ECSServiceAverageCPUUtilization"}},
            opts=one_at_a_time()))
        if alb is not None:
            previous[:] = [aws.appautoscaling.Policy(
                f"{svc.name}-requests", policy_type="TargetTrackingScaling", resource_id=target.resource_id,
                scalable_dimension=target.scalable_dimension, service_namespace=target.service_namespace,
                target_tracking_scaling_policy_configuration={
                    "target_value": float(svc.requests_per_target), "scale_out_cooldown": 60,
                    "scale_in_cooldown": 300,
                    "predefined_metric_specification": {
                        "predefined_metric_type": "ALBRequestCountPerTarget",
                        "resource_label": pulumi.Output.concat(alb.arn_suffix, "/", tg.arn_suffix)}},
                opts=one_at_a_time())]
        for j, window in enumerate(svc.peak_windows):
            if window.end <= now:
                pulumi.log.warn(
                    f"delivery: securecart:delivery.services[{index}].peakWindows[{j}] ({svc.name}, "
                    f"'{window.name}') ended {window.end.isoformat()} and schedules nothing: remove it from the "
                    f"stack file", resource=self)
                continue
            edges = [("end", window.end, svc.min_tasks)]
            if window.start > now:
                edges.insert(0, ("start", window.start, window.min_tasks))
            for edge, when, low in edges:
                previous[:] = [aws.appautoscaling.ScheduledAction(
                    f"{svc.name}-{window.name}-{edge}", name=f"{svc.name}-{window.name}-{edge}",
                    schedule=window.at(when), timezone="UTC", resource_id=target.resource_id,
                    scalable_dimension=target.scalable_dimension, service_namespace=target.service_namespace,
                    scalable_target_action={"min_capacity": low, "max_capacity": svc.max_tasks},
                    opts=one_at_a_time())]

    def _alarms(self, alb: aws.lb.LoadBalancer, alb_services: list[ServiceSettings],
                target_groups: dict[str, aws.lb.TargetGroup], topic: aws.sns.Topic, tags: Any) -> None:
        """Per ALB service, a p99 latency alarm; for the ALB, an anomaly band on requests and a 5XX alarm."""
        opts = pulumi.ResourceOptions(parent=alb)
        for svc in alb_services:
            aws.cloudwatch.MetricAlarm(
                f"{svc.name}-latency", namespace="AWS/ApplicationELB", metric_name="TargetResponseTime",
                extended_statistic="p99", period=60, evaluation_periods=5, datapoints_to_alarm=3, threshold=1.5,
                comparison_operator="GreaterThanThreshold", treat_missing_data="notBreaching",
                dimensions={"LoadBalancer": alb.arn_suffix, "TargetGroup": target_groups[svc.name].arn_suffix},
                alarm_description=f"{svc.name}: p99 response time above 1.5 s in 3 of 5 minutes",
                alarm_actions=[topic.arn], ok_actions=[topic.arn], tags=tags(f"{svc.name}-latency"), opts=opts)
        aws.cloudwatch.MetricAlarm(
            "alb-traffic-anomaly", comparison_operator="GreaterThanUpperThreshold", evaluation_periods=3,
            datapoints_to_alarm=2, threshold_metric_id="band", treat_missing_data="notBreaching",
            alarm_description="Requests outside the expected band (a surge, or an attack)",
            metric_queries=[
                {"id": "requests", "return_data": True, "metric": {
                    "namespace": "AWS/ApplicationELB", "metric_name": "RequestCount", "period": 300, "stat": "Sum",
                    "dimensions": {"LoadBalancer": alb.arn_suffix}}},
                {"id": "band", "expression": "ANOMALY_DETECTION_BAND(requests, 3)", "label": "expected requests",
                 "return_data": True},
            ],
            alarm_actions=[topic.arn], ok_actions=[topic.arn], tags=tags("alb-traffic-anomaly"), opts=opts)
        aws.cloudwatch.MetricAlarm(
            "alb-5xx", namespace="AWS/ApplicationELB", metric_name="HTTPCode_ELB_5XX_Count", statistic="Sum",
            period=60, evaluation_periods=5, datapoints_to_alarm=3, threshold=50,
            comparison_operator="GreaterThanThreshold", treat_missing_data="notBreaching",
            dimensions={"LoadBalancer": alb.arn_suffix}, alarm_description="The ALB itself returns 5XX errors",
            alarm_actions=[topic.arn], tags=tags("alb-5xx"), opts=opts)
