"""The application delivery tier: the customer ALB (behind WAF and Shield), the internal payment NLB, and the ECS
Fargate services behind them, with their images, roles, logs and autoscaling for sale peaks.

How traffic reaches the load balancers:
- CloudFront connects to the customer ALB over HTTPS from its origin-facing addresses, so the ALB's security group
  admits 443 from the managed prefix list com.amazonaws.global.cloudfront.origin-facing and nothing else from the
  internet (one reference to that list weighs ~55 rules of the group's quota, so port 80 is not opened to it:
  CloudFront never speaks HTTP to the origin). The HTTP listener only redirects to HTTPS.
- Route 53's health checkers reach the same ALB through a second group (their list,
  com.amazonaws.<region>.route53-healthchecks, weighs 25 more rules than one group holds); the web ACL lets their
  GET of the health path through without CloudFront's header, and nothing else.
- Global Accelerator cannot add CloudFront's header, so the accelerated services (checkout) get a second, internal
  ALB in the tasks' private subnets with a web ACL of its own. With client IP preservation the accelerator
  delivers from the customer's address, so that ALB's group admits HTTPS from anywhere; being internal, only the
  accelerator brings the internet to it.
- The listeners serve this region's certificate, which the primary's edge requests and validates; until it is
  issued, the HTTPS and TLS listeners and the ECS services wait (ECS refuses a target group no listener uses).

What each part gets:
- ALB (``delivery.loadBalancerSubnetGroup``, internet-facing): HTTPS with an explicit TLS 1.3 policy, path rules per
  service, invalid header fields dropped, desync mitigation ``strictest``, deletion protection, access logs to a
  private SSE-S3 bucket (what ELB delivers to), a regional web ACL (AWS managed common, SQL injection, known-bad
  inputs and IP reputation rules (no per-IP rate limit: behind CloudFront it would count CloudFront's servers;
  CloudFront's web ACL limits each client), logged to a KMS-encrypted ``aws-waf-logs-`` group with the
  origin-verify header, cookies and authorization redacted) and a Shield Advanced protection. Origin
  verification: the web ACL's first rule blocks every request without the secret header CloudFront sends, so no
  other distribution reaches the ALB through the shared origin-facing addresses. The primary generates the values
  (Pulumi secrets, exported as ``originVerifyValues``); the secondary accepts what the primary exports. Rotation
  (three steps, in the primary's stack file): ``components.settings.delivery.OriginVerifySettings``.
- Payment NLB (``delivery.taskSubnetGroup``, internal): TLS with the same policy, cross-zone, access logs, its own
  security group admitting TLS only from the security groups of the services that call it (``callers``); it is
  enforced on PrivateLink traffic too.
- Services: per service an ECR repository (scan on push, immutable tags, KMS, lifecycle), a KMS-encrypted log group,
  an execution role (pull this repository, write this log group, read this service's secrets) and a task role, both
  trusting ECS tasks of this account only; a task definition with the app (non-root, read-only root file system,
  all capabilities dropped, secrets from Secrets Manager) and an X-Ray sidecar; the service without public IPs,
  its own security group admitting only its load balancer's group on its port, a circuit breaker with rollback.
  A service waits (no task, no scaling target) until its image exists: ``waiting_services``.
- Scaling: a target per service (the service ignores ``desiredCount`` changes, so a deploy never resets a
  scaled-out service), target tracking on CPU and, behind the ALB, requests per target, and for each sale window a
  raise of the minimum at its start and its restoration at its end (UTC). Application Auto Scaling refuses
  concurrent changes to one target, so policies and actions are chained. A window that is over schedules nothing;
  one in progress keeps only its end.
- Its alarms are the monitoring tier's (``components.monitoring``), with every other alarm of the stack.
"""

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_awsx as awsx
import pulumi_random as random

from components.buckets import private_bucket
from components.context import StackContext, Tier
from components.contract import DeliveryOutputs
from components.documents import policy_document
from components.network import NetworkTier, Subnets
from components.settings.capacity import capacity_tags, service_peaks
from components.settings.delivery import (
    TARGET_HEALTH_INTERVAL,
    TARGET_UNHEALTHY_THRESHOLD,
    DeliverySettings,
    LoadBalancerKind,
    ServiceSettings,
)
from components.settings.protection import WafSettings
from components.settings.types import ConfigError, Role
from components.waf import WebAclSpec, protective_rules, visibility, web_acl

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
# The X-Ray daemon comes from ECR Public through this region's pull-through cache, so tasks pull it from their own
# registry over the VPC's ECR endpoints (a service whose HTTPS egress stays inside the VPC can start it too).
PUBLIC_CACHE_PREFIX = "ecr-public"
XRAY_REPOSITORY = f"{PUBLIC_CACHE_PREFIX}/xray/aws-xray-daemon"
XRAY_TAG = "3.3.14"
CLOUDFRONT_PREFIX_LIST = "com.amazonaws.global.cloudfront.origin-facing"


def health_checker_prefix_list(region: str) -> str:
    """Route 53's health checkers (IPv4) as an AWS-managed prefix list of the load balancer's region."""
    return f"com.amazonaws.{region}.route53-healthchecks"


@dataclass(frozen=True)
class DeliveryTierArgs:
    network: NetworkTier
    # service -> why it runs no task yet (``waiting_services``: no image tag, or no image in its repository yet)
    waiting: dict[str, str] = field(default_factory=dict)
    # The listeners' certificate: the stack file's, the primary's edge's, or the one the primary validated for this
    # region (peer output). None: not issued yet, so the listeners and the services behind them wait.
    certificate_arn: pulumi.Input[str] | None = None
    # The path Route 53's health checkers request (None: no health checks yet, nothing unverified passes the WAF).
    health_check_path: str | None = None
    # secondary: the origin-verification values the primary's CloudFront sends (secret), and their header.
    peer_origin_values: list[str] | None = None
    peer_origin_header: str | None = None
    # services whose HTTPS egress goes only to AWS's endpoints in the VPC (and what adds its own rules)
    private_egress: frozenset[str] = frozenset()
    # the nlb service offered over PrivateLink: it gets an NLB of its own (an NLB serves one endpoint service, and
    # the API's VPC link is one on the payment NLB), so consumers reach that service's listener and nothing else
    endpoint_service: str | None = None
    # the peer's declared peaks per service (its export): this region's services must carry them too on a region
    # loss (securecart:capacity.absorbPeerOnRegionLoss); None until the peer has exported them
    peer_peaks: dict[str, float] | None = None


# Where each load balancer writes its access logs in the log bucket. ELB writes under
# <bucket>/<prefix>/AWSLogs/<account>/… and tests that it may when logging is switched on, so the bucket policy
# grants exactly these prefixes (log_bucket_policy) and the pack checks that the two agree (lb-log-prefix-writable).
ALB_LOG_PREFIX = "alb"
NLB_LOG_PREFIX = "payment-nlb"
ACCELERATOR_ALB_LOG_PREFIX = "accelerator-alb"
ENDPOINT_NLB_LOG_PREFIX = "endpoint-nlb"


def log_bucket_policy(bucket: str, region: str, account: str, partition: str,
                      prefixes: tuple[str, ...] = (ALB_LOG_PREFIX, NLB_LOG_PREFIX, ACCELERATOR_ALB_LOG_PREFIX,
                                                   ENDPOINT_NLB_LOG_PREFIX)) -> str:
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


def task_trust_policy(account: str, region: str, partition: str) -> str:
    return policy_document([{
        "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": account},
                      "ArnLike": {"aws:SourceArn": f"arn:{partition}:ecs:{region}:{account}:*"}},
    }])


def execution_policy(repository_arn: str, log_group_arn: str, secret_arns: list[str]) -> str:
    """Pull this service's image and the X-Ray daemon (through the pull-through cache, which may create its
    repository and import the image on the first pull), write its log group, read its own secrets: nothing
    else."""
    registry = repository_arn.split(":repository/", maxsplit=1)[0]
    statements: list[dict[str, Any]] = [
        {"Sid": "EcrAuth", "Effect": "Allow", "Action": ["ecr:GetAuthorizationToken"], "Resource": "*"},
        {"Sid": "PullImage", "Effect": "Allow",
         "Action": ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
         "Resource": [repository_arn, f"{registry}:repository/{XRAY_REPOSITORY}"]},
        {"Sid": "PullThroughCache", "Effect": "Allow",
         "Action": ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"],
         "Resource": [f"{registry}:repository/{XRAY_REPOSITORY}"]},
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
        "image": f"{image.split('/', maxsplit=1)[0]}/{XRAY_REPOSITORY}:{XRAY_TAG}",
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


def _on_alb(svc: ServiceSettings) -> bool:
    return svc.load_balancer is LoadBalancerKind.ALB


def _header_is(header: str, value: pulumi.Input[str]) -> aws.wafv2.WebAclRuleStatementArgsDict:
    """A WAF statement: the request's ``header`` is exactly ``value``."""
    return {"byte_match_statement": {
        "field_to_match": {"single_header": {"name": header}}, "positional_constraint": "EXACTLY",
        "search_string": value, "text_transformations": [{"priority": 0, "type": "NONE"}]}}


def _health_check_request(path: str) -> aws.wafv2.WebAclRuleStatementArgsDict:
    """A WAF statement: a GET of exactly ``path`` (what Route 53's health checkers send; they cannot add a
    header)."""
    def exactly(field: aws.wafv2.WebAclRuleStatementByteMatchStatementFieldToMatchArgsDict, value: str) \
            -> aws.wafv2.WebAclRuleStatementArgsDict:
        return {"byte_match_statement": {"field_to_match": field, "positional_constraint": "EXACTLY",
                                         "search_string": value,
                                         "text_transformations": [{"priority": 0, "type": "NONE"}]}}
    return {"and_statement": {"statements": [exactly({"uri_path": {}}, path), exactly({"method": {}}, "GET")]}}


# Until the primary's values arrive, nothing unverified is let through: a statement every request matches.
_EVERY_REQUEST: aws.wafv2.WebAclRuleStatementArgsDict = {"size_constraint_statement": {
    "field_to_match": {"uri_path": {}}, "comparison_operator": "GE", "size": 0,
    "text_transformations": [{"priority": 0, "type": "NONE"}]}}


def origin_verify_rule(header: str, accepted: Sequence[pulumi.Input[str]],
                       health_path: str | None) -> aws.wafv2.WebAclRuleArgsDict:
    """Block every request that carries none of the ``accepted`` values in ``header``, except the health
    checkers' GET of ``health_path``; with nothing accepted and no health path, block every request."""
    allowed = [_header_is(header, value) for value in accepted]
    if health_path is not None:
        allowed.append(_health_check_request(health_path))
    statement: aws.wafv2.WebAclRuleStatementArgsDict = _EVERY_REQUEST if not allowed else {"not_statement": {
        "statement": allowed[0] if len(allowed) == 1 else {"or_statement": {"statements": allowed}}}}
    return {"name": "origin-verify", "priority": 0, "action": {"block": {}}, "statement": statement,
            "visibility_config": visibility("origin-verify")}


def waf_rules(settings: WafSettings, header: str, accepted: Sequence[pulumi.Input[str]],
              health_path: str | None = None) -> list[aws.wafv2.WebAclRuleArgsDict]:
    """The customer ALB web ACL's rules in priority order: origin verification, then AWS's managed groups. No
    rate limit per IP: every request comes from a CloudFront server, so it would block a whole edge location's
    customers at once; CloudFront's web ACL limits each client by its real address."""
    return [origin_verify_rule(header, accepted, health_path), *protective_rules(settings, 1, None)]


PredefinedMetric = (
    aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgsDict
)


def _tracking_policy(name: str, target: aws.appautoscaling.Target, value: int, metric: PredefinedMetric, *,
                     after: list[pulumi.Resource]) -> aws.appautoscaling.Policy:
    """A target-tracking policy of ``target`` (out after a minute, in after five), changed after ``after``."""
    return aws.appautoscaling.Policy(
        name, policy_type="TargetTrackingScaling", resource_id=target.resource_id,
        scalable_dimension=target.scalable_dimension, service_namespace=target.service_namespace,
        target_tracking_scaling_policy_configuration={
            "target_value": float(value), "scale_out_cooldown": 60, "scale_in_cooldown": 300,
            "predefined_metric_specification": metric},
        opts=pulumi.ResourceOptions(parent=target, depends_on=after))


class DeliveryTier(Tier):
    """The customer ALB and the payment NLB, with the WAF, Shield, log bucket and security groups around them;
    the ECS cluster and its Fargate services (image repository, roles, logs, task definition, autoscaling); the
    alarm topic and alarms."""

    settings: DeliverySettings
    network: NetworkTier
    waiting: dict[str, str]  # service -> why it runs no task yet
    load_balancer_subnets: Subnets  # the ALB's
    task_subnets: Subnets  # the tasks' and the NLB's
    certificate_arn: pulumi.Input[str] | None  # the listeners' (None: not issued yet, the listeners wait)
    alb_security_group: aws.ec2.SecurityGroup
    health_check_security_group: aws.ec2.SecurityGroup  # Route 53's health checkers, on the ALB
    nlb_security_group: aws.ec2.SecurityGroup
    alb: aws.lb.LoadBalancer
    nlb: aws.lb.LoadBalancer
    # The internal ALB Global Accelerator reaches the accelerated services through (None: none is accelerated).
    accelerator_alb: aws.lb.LoadBalancer | None
    accelerator_security_group: aws.ec2.SecurityGroup | None
    # secret: every value the ALB accepts in origin_verify_header, current first (what CloudFront sends: ``sent``)
    origin_verify_values: pulumi.Output[list[str]]
    origin_verify_sent: pulumi.Output[str] | None  # primary: the value CloudFront sends (secret)
    # listener (or listener rule) each service's target group hangs on: its ECS service waits for it
    fronts: dict[str, list[pulumi.Resource]]
    cluster: aws.ecs.Cluster
    image_cache: aws.ecr.PullThroughCacheRule  # ECR Public, cached in this region's registry
    web_acl: aws.wafv2.WebAcl  # the ALB's
    web_acl_metric_name: str  # the ALB web ACL's metric name: the WebACL dimension of its metrics (not its name)
    # service name -> its resources
    args: DeliveryTierArgs
    target_groups: dict[str, aws.lb.TargetGroup]
    accelerator_target_groups: dict[str, aws.lb.TargetGroup]  # the accelerated services' on the accelerator ALB
    endpoint_nlb: aws.lb.LoadBalancer | None  # the PrivateLink endpoint service's
    endpoint_security_group: aws.ec2.SecurityGroup | None
    endpoint_target_group: aws.lb.TargetGroup | None
    service_security_groups: dict[str, aws.ec2.SecurityGroup]
    repositories: dict[str, awsx.ecr.Repository]
    task_roles: dict[str, aws.iam.Role]
    ecs_services: dict[str, aws.ecs.Service]

    def __init__(self, name: str, ctx: StackContext, args: DeliveryTierArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("securecart:delivery:DeliveryTier", name, ctx, opts)
        settings, placement = ctx.settings.delivery, ctx.settings.placement
        if settings is None or placement.load_balancers is None or placement.tasks is None:
            raise ValueError("the delivery tier needs securecart:delivery (validated when the settings load)")
        self.settings = settings
        self.network = args.network
        self.waiting = args.waiting
        self.args = args
        self.certificate_arn = settings.certificate_arn or args.certificate_arn
        self.load_balancer_subnets = self.network.subnets.of_group(placement.load_balancers)
        self.task_subnets = self.network.subnets.of_group(placement.tasks)
        log_bucket, log_policy = self._log_bucket()
        self.alb_security_group, self.health_check_security_group, self.nlb_security_group = \
            self._security_groups()
        self.alb, self.nlb = self._load_balancers(log_bucket, log_policy)
        self.accelerator_alb, self.accelerator_security_group = self._accelerator_alb(log_bucket, log_policy)
        self.endpoint_nlb, self.endpoint_security_group = self._endpoint_nlb(log_bucket, log_policy)
        self.origin_verify_values, self.origin_verify_sent = self._waf()
        self._accelerator_waf()
        self.cluster = self._cluster()
        self.image_cache = aws.ecr.PullThroughCacheRule(
            "ecr-public-cache", ecr_repository_prefix=PUBLIC_CACHE_PREFIX, upstream_registry_url="public.ecr.aws",
            opts=self.child)
        self.target_groups, self.accelerator_target_groups = self._target_groups()
        self.fronts = self._routes()
        self._services()
        self._nlb_callers()
        self.done()

    # --- what the tier offers the stack and the other tiers -----------------------------------------------------------

    @property
    def origin_verify_header(self) -> str:
        """The header CloudFront sends: the primary's setting (a secondary takes the primary's, once known)."""
        return self.args.peer_origin_header or self.settings.origin_verify.header

    @property
    def alb_services(self) -> list[ServiceSettings]:
        """The services behind the ALB, in the order the config lists them."""
        return [x for x in self.settings.services if _on_alb(x)]

    @property
    def service_security_group_ids(self) -> dict[str, pulumi.Output[str]]:
        return {n: sg.id for n, sg in self.service_security_groups.items()}

    @property
    def task_role_names(self) -> dict[str, pulumi.Output[str]]:
        return {n: r.name for n, r in self.task_roles.items()}

    @property
    def accelerated_services(self) -> list[ServiceSettings]:
        return [x for x in self.alb_services if x.accelerated]

    @property
    def primary(self) -> bool:
        return self.ctx.role is Role.PRIMARY

    def exports(self) -> DeliveryOutputs:
        return DeliveryOutputs(
            alb_arn=self.alb.arn, alb_dns_name=self.alb.dns_name, alb_zone_id=self.alb.zone_id,
            alb_security_group_id=self.alb_security_group.id,
            origin_verify_header=self.origin_verify_header,
            origin_verify_values=self.origin_verify_values if self.primary else None,
            accelerator_alb_arn=self.accelerator_alb.arn if self.accelerator_alb else None,
            nlb_arn=self.nlb.arn, nlb_dns_name=self.nlb.dns_name,
            target_group_arns={n: tg.arn for n, tg in self.target_groups.items()},
            service_names={n: svc.name for n, svc in self.ecs_services.items()},
            service_security_group_ids=self.service_security_group_ids,
            repository_urls={n: r.url for n, r in self.repositories.items()},
            cluster_name=self.cluster.name,
            peak_requests_per_second=service_peaks(self.ctx.settings.capacity, self.settings,
                                                   self.args.endpoint_service) or None,
        )

    def _account_policy(self, document: Callable[[str, str, str], str]) -> pulumi.Output[str]:
        """``document(account, region, partition)``, once the account and partition are known."""
        ident = pulumi.Output.all(self.ctx.account_id, self.ctx.region, self.ctx.partition)
        return ident.apply(lambda v: document(v[0], v[1], v[2]))

    # --- load balancers and their protection --------------------------------------------------------------------------

    def _log_bucket(self) -> tuple[aws.s3.Bucket, aws.s3.BucketPolicy]:
        """The load balancers' access-log bucket (SSE-S3: ELB delivers only to SSE-S3 buckets) and its policy."""
        logs_bucket = private_bucket("lb-logs", parent=self, tags=self.tags("lb-logs"), lifecycle_rules=[{
            "id": "expire-access-logs", "status": "Enabled", "filter": {"prefix": ""},
            "expiration": {"days": self.settings.access_log_days},
            "noncurrent_version_expiration": {"noncurrent_days": 7},
        }])
        logs, bucket_opts = logs_bucket.bucket, logs_bucket.settings
        log_policy = aws.s3.BucketPolicy(
            "lb-logs-policy", bucket=logs.id,
            policy=pulumi.Output.all(logs.bucket, self.ctx.region, self.ctx.account_id, self.ctx.partition).apply(
                lambda v: log_bucket_policy(v[0], v[1], v[2], v[3])),
            opts=bucket_opts,
        )
        aws.s3.BucketLogging("lb-logs-logging", bucket=logs.id, target_bucket=self.network.access_log_bucket_id,
                             target_prefix="lb-logs/", opts=bucket_opts)
        return logs, log_policy

    def _security_groups(self) -> tuple[aws.ec2.SecurityGroup, aws.ec2.SecurityGroup, aws.ec2.SecurityGroup]:
        """The ALB's groups: HTTPS from CloudFront (see the module docstring), and from Route 53's health checkers
        in a second group (the two managed lists weigh 55 + 25 rules, above one group's 60); the NLB's group
        (``_nlb_callers``)."""
        lists = {name: aws.ec2.get_managed_prefix_list_output(name=name, opts=self.ctx.invoke_options())
                 for name in (CLOUDFRONT_PREFIX_LIST, health_checker_prefix_list(self.ctx.region))}
        alb_sg = aws.ec2.SecurityGroup("alb-sg", vpc_id=self.network.vpc.id, tags=self.tags("alb-sg"),
                                       opts=self.child,
                                       description="Customer ALB: HTTPS from the CloudFront origin-facing addresses")
        aws.vpc.SecurityGroupIngressRule(
            "alb-sg-https-from-cloudfront", security_group_id=alb_sg.id, ip_protocol="tcp", from_port=443,
            to_port=443, prefix_list_id=lists[CLOUDFRONT_PREFIX_LIST].id,
            description="HTTPS from CloudFront origin-facing servers", opts=pulumi.ResourceOptions(parent=alb_sg))
        health_sg = aws.ec2.SecurityGroup(
            "alb-health-sg", vpc_id=self.network.vpc.id, tags=self.tags("alb-health-sg"), opts=self.child,
            description="Customer ALB: HTTPS from Route 53 health checkers (the WAF admits only the health path)")
        aws.vpc.SecurityGroupIngressRule(
            "alb-health-sg-https-from-route53", security_group_id=health_sg.id, ip_protocol="tcp", from_port=443,
            to_port=443, prefix_list_id=lists[health_checker_prefix_list(self.ctx.region)].id,
            description="HTTPS from Route 53 health checkers", opts=pulumi.ResourceOptions(parent=health_sg))
        nlb_sg = aws.ec2.SecurityGroup("nlb-sg", vpc_id=self.network.vpc.id, tags=self.tags("nlb-sg"),
                                       opts=self.child,
                                       description="Payment NLB: TLS from the services that call it")
        return alb_sg, health_sg, nlb_sg

    def _load_balancers(self, log_bucket: aws.s3.Bucket, log_policy: aws.s3.BucketPolicy) \
            -> tuple[aws.lb.LoadBalancer, aws.lb.LoadBalancer]:
        """The hardened customer ALB (its HTTP listener only redirects) and the internal payment NLB, both logged."""
        alb = self._hardened_alb("alb", "storefront", internal=False, subnets=self.load_balancer_subnets.ids,
                                 groups=[self.alb_security_group, self.health_check_security_group],
                                 logs=(log_bucket, log_policy, ALB_LOG_PREFIX))
        nlb = aws.lb.LoadBalancer(
            "payment-nlb",
            load_balancer_type="network",
            internal=True,
            subnets=self.task_subnets.ids,
            security_groups=[self.nlb_security_group.id],
            enable_cross_zone_load_balancing=True,
            enable_deletion_protection=True,
            # PrivateLink traffic (the partners' VPC link, the payment endpoint service's consumers) arrives from the
            # consumers' own addresses, unknown here: acceptance and allowed principals gate it, not this group.
            enforce_security_group_inbound_rules_on_private_link_traffic="off",
            access_logs={"bucket": log_bucket.bucket, "prefix": NLB_LOG_PREFIX, "enabled": True},
            tags=self.tags("payment-nlb", Purpose="payment"),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[log_policy]),
        )
        aws.lb.Listener(
            "alb-http",
            load_balancer_arn=alb.arn, port=80, protocol="HTTP",
            default_actions=[{"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443",
                                                               "status_code": "HTTP_301"}}],
            tags=self.tags("alb-http"), opts=pulumi.ResourceOptions(parent=alb),
        )
        return alb, nlb

    def _accelerator_alb(self, log_bucket: aws.s3.Bucket, log_policy: aws.s3.BucketPolicy) \
            -> tuple[aws.lb.LoadBalancer | None, aws.ec2.SecurityGroup | None]:
        """The internal ALB Global Accelerator sends the accelerated services' customers to.

        Global Accelerator cannot add CloudFront's verification header, so it cannot share the customer ALB (whose
        WAF would block it, and whose security group admits only CloudFront). This ALB is internal, in the tasks'
        private subnets: the internet reaches it only through the accelerator, which delivers with the client's
        own address (client IP preservation), so its group admits HTTPS from any address; routed internal networks
        reach it too, and everything passes its own web ACL."""
        if not self.accelerated_services:
            return None, None
        sg = aws.ec2.SecurityGroup(
            "accelerator-alb-sg", vpc_id=self.network.vpc.id, tags=self.tags("accelerator-alb-sg"), opts=self.child,
            description="Accelerator ALB (internal): HTTPS from customers through Global Accelerator")
        aws.vpc.SecurityGroupIngressRule(
            "accelerator-alb-sg-https", security_group_id=sg.id, ip_protocol="tcp", from_port=443, to_port=443,
            cidr_ipv4="0.0.0.0/0", description="HTTPS from Global Accelerator clients (client IP preservation)",
            opts=pulumi.ResourceOptions(parent=sg))
        alb = self._hardened_alb("accelerator-alb", "checkout", internal=True, subnets=self.task_subnets.ids,
                                 groups=[sg], logs=(log_bucket, log_policy, ACCELERATOR_ALB_LOG_PREFIX))
        return alb, sg

    def _endpoint_nlb(self, log_bucket: aws.s3.Bucket, log_policy: aws.s3.BucketPolicy) \
            -> tuple[aws.lb.LoadBalancer | None, aws.ec2.SecurityGroup | None]:
        """The internal NLB behind the PrivateLink endpoint service (``components.privatelink``): only the offered
        service's listener. Its group admits nothing from inside the VPC; PrivateLink consumers (whose addresses
        are their own, unknown here) are gated by the endpoint service's acceptance and principals."""
        if self.args.endpoint_service is None:
            return None, None
        sg = aws.ec2.SecurityGroup(
            "endpoint-nlb-sg", vpc_id=self.network.vpc.id, tags=self.tags("endpoint-nlb-sg"), opts=self.child,
            description="Endpoint service NLB: PrivateLink consumers only, nothing from inside the VPC")
        nlb = aws.lb.LoadBalancer(
            "endpoint-nlb", load_balancer_type="network", internal=True, subnets=self.task_subnets.ids,
            security_groups=[sg.id], enable_cross_zone_load_balancing=True, enable_deletion_protection=True,
            enforce_security_group_inbound_rules_on_private_link_traffic="off",
            access_logs={"bucket": log_bucket.bucket, "prefix": ENDPOINT_NLB_LOG_PREFIX, "enabled": True},
            tags=self.tags("endpoint-nlb", Purpose="payment-privatelink"),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[log_policy]))
        return nlb, sg

    def _hardened_alb(self, name: str, purpose: str, *, internal: bool, subnets: list[pulumi.Output[str]],
                      groups: list[aws.ec2.SecurityGroup],
                      logs: tuple[aws.s3.Bucket, aws.s3.BucketPolicy, str]) -> aws.lb.LoadBalancer:
        """An ALB that drops invalid headers, mitigates desync strictly, cannot be deleted by accident and logs
        every request under ``logs``' prefix (once the bucket policy lets ELB write there)."""
        bucket, policy, prefix = logs
        return aws.lb.LoadBalancer(
            name,
            load_balancer_type="application",
            internal=internal,
            subnets=subnets,
            security_groups=[g.id for g in groups],
            drop_invalid_header_fields=True,
            desync_mitigation_mode="strictest",
            enable_deletion_protection=True,
            enable_http2=True,
            idle_timeout=60,
            access_logs={"bucket": bucket.bucket, "prefix": prefix, "enabled": True},
            tags=self.tags(name, Purpose=purpose),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]),
        )

    def _waf(self) -> tuple[pulumi.Output[list[str]], pulumi.Output[str] | None]:
        """The ALB's web ACL and its logs; returns the values it accepts and, in the primary, the one CloudFront
        sends (secrets).

        Origin verification: CloudFront sends a secret header and the web ACL blocks every request without it
        (except the health checkers' GET of the health path), so no other distribution can reach the ALB through
        the shared origin-facing addresses. The primary generates the values, one per rotation label; a
        secondary accepts what the primary exports (until then, it accepts nothing unverified). A rotation
        (``OriginVerifySettings``) makes every region accept the new value before CloudFront sends it, and drop
        the old one only after every edge sends the new."""
        verify = self.settings.origin_verify
        if self.primary:
            generated = {label: random.RandomPassword(f"origin-verify-{label}", length=48, special=False,
                                                      opts=self.child).result for label in verify.labels}
            accepted: list[pulumi.Input[str]] = list(generated.values())
            sent: pulumi.Output[str] | None = pulumi.Output.secret(generated[verify.sent])
        else:
            accepted = [pulumi.Output.secret(v) for v in self.args.peer_origin_values or []]
            sent = None
            if not accepted:
                pulumi.log.info("delivery: the ALB admits no unverified request until the primary exports its "
                                "origin-verification values (originVerifyValues)", resource=self)
        acl = web_acl(WebAclSpec(
            name="alb-waf", scope="REGIONAL", metric_name=self.ctx.name("alb"),
            description="SecureCart ALB: origin verification, AWS managed common, SQL injection, bad inputs, "
                        "IP reputation",
            rules=waf_rules(self.ctx.settings.waf, self.origin_verify_header, accepted, self.args.health_check_path),
            log_group_name=f"aws-waf-logs-{self.ctx.name(self.ctx.region)}", logs_key_arn=self.network.logs_key_arn,
            log_retention_days=self.settings.log_retention_days,
            # The verification header's value is a secret: the logs never show it.
            redacted_headers=[self.origin_verify_header], tags=self.tags("alb-waf")),
            parent=self)
        aws.wafv2.WebAclAssociation("alb-waf-association", resource_arn=self.alb.arn, web_acl_arn=acl.arn,
                                    opts=pulumi.ResourceOptions(parent=acl))
        self.web_acl = acl
        self.web_acl_metric_name = self.ctx.name("alb")  # its CloudWatch metrics' WebACL dimension
        return pulumi.Output.secret(pulumi.Output.all(*accepted)), sent

    def _accelerator_waf(self) -> None:
        """The accelerator ALB's web ACL: the same managed groups and rate limit, no origin verification (the
        accelerator cannot add a header; the ALB is internal instead)."""
        if self.accelerator_alb is None:
            return
        acl = web_acl(WebAclSpec(
            name="accelerator-waf", scope="REGIONAL", metric_name=self.ctx.name("accelerator-alb"),
            description="SecureCart accelerator ALB: AWS managed common, SQL injection, bad inputs, IP reputation, "
                        "rate limit",
            rules=protective_rules(self.ctx.settings.waf, 1, self.ctx.settings.waf.rate_limit),
            log_group_name=f"aws-waf-logs-{self.ctx.name(self.ctx.region)}-accelerator",
            logs_key_arn=self.network.logs_key_arn, log_retention_days=self.settings.log_retention_days,
            tags=self.tags("accelerator-waf")), parent=self)
        aws.wafv2.WebAclAssociation("accelerator-waf-association", resource_arn=self.accelerator_alb.arn,
                                    web_acl_arn=acl.arn, opts=pulumi.ResourceOptions(parent=acl))

    # --- cluster --------------------------------------------------------------------------------------------------

    def _cluster(self) -> aws.ecs.Cluster:
        """The ECS cluster of every service, with enhanced Container Insights."""
        return aws.ecs.Cluster("cluster", settings=[{"name": "containerInsights", "value": "enhanced"}],
                               tags=self.tags("cluster"), opts=self.child)

    # --- services -----------------------------------------------------------------------------------------------------

    def _target_groups(self) -> tuple[dict[str, aws.lb.TargetGroup], dict[str, aws.lb.TargetGroup]]:
        """Every service's target group, and the accelerated services' second one on the accelerator ALB."""
        main = {svc.name: self._target_group(svc) for svc in self.settings.services}
        accelerated = {svc.name: self._target_group(svc, "ga-") for svc in self.accelerated_services}
        self.endpoint_target_group = next((self._target_group(svc, "pl-") for svc in self.settings.services
                                           if svc.name == self.args.endpoint_service), None)
        return main, accelerated

    def _routes(self) -> dict[str, list[pulumi.Resource]]:
        """The listeners and path rules, and for each service what its ECS service must wait for. Without a
        certificate (a secondary before the primary has validated one for its region) there is no HTTPS or TLS
        listener, and no ECS service: ECS refuses a target group no load balancer uses."""
        if self.certificate_arn is None:
            pulumi.log.info("delivery: the HTTPS and TLS listeners and the ECS services wait for this region's "
                            "certificate, which the primary stack requests and validates (certificateArns output)",
                            resource=self)
            return {}
        fronts: dict[str, list[pulumi.Resource]] = {
            svc.name: [self._nlb_listener(svc)] for svc in self.settings.services if not _on_alb(svc)}
        for name, front in self._alb_routes(self.alb, "alb", self.alb_services, self.target_groups).items():
            fronts[name] = [front]
        if self.accelerator_alb is not None:
            for name, front in self._alb_routes(self.accelerator_alb, "accelerator", self.accelerated_services,
                                                self.accelerator_target_groups).items():
                fronts[name].append(front)
        if self.endpoint_nlb is not None and self.endpoint_target_group is not None:
            name = self.args.endpoint_service or ""
            fronts[name].append(aws.lb.Listener(
                f"{name}-pl-tls", load_balancer_arn=self.endpoint_nlb.arn, port=443, protocol="TLS",
                ssl_policy=self.settings.ssl_policy, certificate_arn=self.certificate_arn,
                default_actions=[{"type": "forward", "target_group_arn": self.endpoint_target_group.arn}],
                tags=self.tags(f"{name}-pl-tls"), opts=pulumi.ResourceOptions(parent=self.endpoint_nlb)))
        return fronts

    def _services(self) -> None:
        """Every configured service, in the order the config lists them."""
        self.service_security_groups, self.repositories = {}, {}
        self.task_roles, self.ecs_services = {}, {}
        for svc in self.settings.services:
            self._service(svc)

    def _service(self, svc: ServiceSettings) -> None:
        """One Fargate service behind its load balancer(s), scaled unless it waits for its image (``waiting``)
        or its listener (``_routes``)."""
        self.service_security_groups[svc.name] = self._task_security_group(svc)
        self.repositories[svc.name] = self._repository(svc)
        task = self._task_definition(svc)
        if svc.name not in self.fronts:
            return
        waiting = self.waiting.get(svc.name)
        groups = [self.target_groups[svc.name]] + ([self.accelerator_target_groups[svc.name]]
                                                   if svc.name in self.accelerator_target_groups else [])
        if svc.name == self.args.endpoint_service and self.endpoint_target_group is not None:
            groups.append(self.endpoint_target_group)
        service = aws.ecs.Service(
            f"{svc.name}-service",
            name=svc.name,
            cluster=self.cluster.arn,
            task_definition=task.arn,
            # A service whose image is not in its repository yet starts with no task (DESIGN §7: a fresh
            # pair's repositories are empty); the scaling target brings it up once the image is there.
            desired_count=0 if waiting is not None else svc.desired_count,
            launch_type="FARGATE",
            platform_version="LATEST",
            network_configuration={"subnets": self.task_subnets.ids,
                                   "security_groups": [self.service_security_groups[svc.name].id],
                                   "assign_public_ip": False},
            load_balancers=[{"target_group_arn": tg.arn, "container_name": "app", "container_port": svc.port}
                            for tg in groups],
            deployment_circuit_breaker={"enable": True, "rollback": True},
            deployment_minimum_healthy_percent=100,
            deployment_maximum_percent=200,
            health_check_grace_period_seconds=60,
            enable_ecs_managed_tags=True,
            propagate_tags="SERVICE",
            enable_execute_command=False,
            # The declared peak, what one task serves and the headroom: the pack's capacity-covers-peak reads them.
            # A service that waits for its image runs no task and has no scaling target yet: it declares no
            # capacity until it serves (the tags arrive, in place, with its scaling target).
            tags=self.tags(f"{svc.name}-service", Service=svc.name,
                           **({} if waiting is not None else
                              capacity_tags(self.ctx.settings.capacity, self.settings, svc.name,
                                            peer_peaks=self.args.peer_peaks,
                                            private_link_service=self.args.endpoint_service))),
            # Autoscaling owns the running count; a deploy must not reset it in the middle of a sale.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[*self.fronts[svc.name], self.image_cache],
                                        ignore_changes=["desiredCount"]),
        )
        self.ecs_services[svc.name] = service
        if waiting is not None:
            # No scaling target: its minimum would start tasks that cannot pull their image.
            pulumi.log.info(f"delivery: {svc.name} runs no task yet: {waiting}", resource=self)
        else:
            self._autoscaling(svc, service)

    def _target_group(self, svc: ServiceSettings, prefix: str = "") -> aws.lb.TargetGroup:
        """The service's IP target group (HTTPS behind an ALB, TLS behind the NLB), quick to fail over: Global
        Accelerator follows this health for its ALB endpoints (``TARGET_HEALTH_*``)."""
        return aws.lb.TargetGroup(
            f"{svc.name}-{prefix}tg",
            port=svc.port,
            protocol="HTTPS" if _on_alb(svc) else "TLS",
            target_type="ip",
            vpc_id=self.network.vpc.id,
            deregistration_delay=30,
            health_check={"enabled": True, "protocol": "HTTPS", "path": svc.health_check_path,
                          "interval": TARGET_HEALTH_INTERVAL, "timeout": 5, "healthy_threshold": 2,
                          "unhealthy_threshold": TARGET_UNHEALTHY_THRESHOLD, "matcher": "200-399"},
            tags=self.tags(f"{svc.name}-{prefix}tg", Service=svc.name),
            opts=self.child,
        )

    def _task_security_group(self, svc: ServiceSettings) -> aws.ec2.SecurityGroup:
        """The tasks' group: their port from their load balancer only; out, only HTTPS and the database port."""
        front_sg = self.alb_security_group if _on_alb(svc) else self.nlb_security_group
        kind = svc.load_balancer.value.upper()
        sg = aws.ec2.SecurityGroup(
            f"{svc.name}-sg", vpc_id=self.network.vpc.id, tags=self.tags(f"{svc.name}-sg", Service=svc.name),
            opts=self.child, description=f"{svc.name} tasks: port {svc.port} from the {kind} only",
        )
        sg_opts = pulumi.ResourceOptions(parent=sg)
        database_port = self.ctx.settings.network.database_port
        aws.vpc.SecurityGroupIngressRule(
            f"{svc.name}-sg-from-lb", security_group_id=sg.id, ip_protocol="tcp", from_port=svc.port,
            to_port=svc.port, referenced_security_group_id=front_sg.id, description=f"from the {kind}", opts=sg_opts)
        self._https_egress(svc, sg)
        aws.vpc.SecurityGroupEgressRule(
            f"{svc.name}-sg-db-out", security_group_id=sg.id, ip_protocol="tcp", from_port=database_port,
            to_port=database_port, cidr_ipv4=str(self.ctx.settings.network.cidr), description="the database tier",
            opts=sg_opts)
        aws.vpc.SecurityGroupEgressRule(
            f"{svc.name}-lb-to-tasks", security_group_id=front_sg.id, ip_protocol="tcp", from_port=svc.port,
            to_port=svc.port, referenced_security_group_id=sg.id, description=f"to {svc.name} tasks",
            opts=pulumi.ResourceOptions(parent=front_sg))
        if svc.name == self.args.endpoint_service and self.endpoint_security_group is not None:
            self._admit_from(svc, sg, self.endpoint_security_group, "endpoint", "NLB")
        if svc.accelerated and self.accelerator_security_group is not None:
            self._admit_from(svc, sg, self.accelerator_security_group, "accelerator", "ALB")
        return sg

    def _admit_from(self, svc: ServiceSettings, sg: aws.ec2.SecurityGroup, front: aws.ec2.SecurityGroup,
                    what: str, kind: str) -> None:
        """The service's port from ``front``'s load balancer, and ``front``'s egress to the service."""
        aws.vpc.SecurityGroupIngressRule(
            f"{svc.name}-sg-from-{what}", security_group_id=sg.id, ip_protocol="tcp", from_port=svc.port,
            to_port=svc.port, referenced_security_group_id=front.id, description=f"from the {what} {kind}",
            opts=pulumi.ResourceOptions(parent=sg))
        aws.vpc.SecurityGroupEgressRule(
            f"{svc.name}-{what}-to-tasks", security_group_id=front.id, ip_protocol="tcp", from_port=svc.port,
            to_port=svc.port, referenced_security_group_id=sg.id, description=f"to {svc.name} tasks",
            opts=pulumi.ResourceOptions(parent=front))

    def _https_egress(self, svc: ServiceSettings, sg: aws.ec2.SecurityGroup) -> None:
        """HTTPS out: anywhere, or for a service in ``private_egress`` only AWS's endpoints in the VPC (interface
        endpoints and the S3 gateway, where images' layers come from); its other HTTPS peers add their own rules
        (``components.privatelink``)."""
        opts = pulumi.ResourceOptions(parent=sg)
        if svc.name not in self.args.private_egress:
            aws.vpc.SecurityGroupEgressRule(
                f"{svc.name}-sg-https-out", security_group_id=sg.id, ip_protocol="tcp", from_port=443, to_port=443,
                cidr_ipv4="0.0.0.0/0", description="HTTPS to AWS endpoints and partners", opts=opts)
            return
        aws.vpc.SecurityGroupEgressRule(
            f"{svc.name}-sg-https-to-endpoints", security_group_id=sg.id, ip_protocol="tcp", from_port=443,
            to_port=443, referenced_security_group_id=self.network.endpoint_security_group.id,
            description="HTTPS to the VPC interface endpoints", opts=opts)
        aws.vpc.SecurityGroupEgressRule(
            f"{svc.name}-sg-https-to-s3", security_group_id=sg.id, ip_protocol="tcp", from_port=443, to_port=443,
            prefix_list_id=self.network.gateway_endpoints["s3"].prefix_list_id,
            description="HTTPS to S3 through the gateway endpoint", opts=opts)

    def _repository(self, svc: ServiceSettings) -> awsx.ecr.Repository:
        """The service's image repository: immutable tags, scanned on push, KMS-encrypted, old images expire."""
        return awsx.ecr.Repository(
            f"{svc.name}-repo",
            name=repository_name(self.ctx.environment, svc.name),
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
            tags=self.tags(f"{svc.name}-repo", Service=svc.name),
            opts=self.child,
        )

    def _task_definition(self, svc: ServiceSettings) -> aws.ecs.TaskDefinition:
        """The service's hardened Fargate task (the app and its X-Ray daemon), its log group and roles."""
        log_group = aws.cloudwatch.LogGroup(
            f"{svc.name}-logs", name=f"/securecart/{self.ctx.environment}/ecs/{svc.name}",
            kms_key_id=self.network.logs_key_arn, retention_in_days=self.settings.log_retention_days,
            tags=self.tags(f"{svc.name}-logs", Service=svc.name), opts=self.child,
        )
        execution, task_role = self._roles(svc, log_group)
        self.task_roles[svc.name] = task_role
        return aws.ecs.TaskDefinition(
            f"{svc.name}-task",
            family=self.ctx.name(svc.name),
            network_mode="awsvpc",
            requires_compatibilities=["FARGATE"],
            cpu=str(svc.cpu),
            memory=str(svc.memory),
            execution_role_arn=execution.arn,
            task_role_arn=task_role.arn,
            runtime_platform={"operating_system_family": "LINUX", "cpu_architecture": "X86_64"},
            volumes=[{"name": "tmp"}],
            container_definitions=pulumi.Output.all(self.repositories[svc.name].url, log_group.name).apply(
                _containers_for(svc, self.ctx.region)),
            tags=self.tags(f"{svc.name}-task", Service=svc.name),
            opts=self.child,
        )

    def _roles(self, svc: ServiceSettings, log_group: aws.cloudwatch.LogGroup) -> tuple[aws.iam.Role, aws.iam.Role]:
        """Least-privilege execution role (ECS starting the task) and task role (its run time), this account's."""
        trust = self._account_policy(task_trust_policy)
        execution = aws.iam.Role(f"{svc.name}-execution", assume_role_policy=trust, opts=self.child,
                                 description=f"ECS pulls and starts {svc.name}: its image, logs, secrets")
        aws.iam.RolePolicy(
            f"{svc.name}-execution-policy", role=execution.id,
            policy=pulumi.Output.all(
                pulumi.Output.concat("arn:", self.ctx.partition, ":ecr:", self.ctx.region, ":", self.ctx.account_id,
                                     ":repository/", repository_name(self.ctx.environment, svc.name)),
                log_group.arn,
            ).apply(
                _execution_policy_for(sorted(svc.secrets.values()))),
            opts=pulumi.ResourceOptions(parent=execution))
        task_role = aws.iam.Role(f"{svc.name}-task", assume_role_policy=trust, opts=self.child,
                                 description=f"{svc.name} at run time: X-Ray (and the data it is granted)")
        aws.iam.RolePolicy(f"{svc.name}-task-policy", role=task_role.id, policy=TASK_POLICY,
                           opts=pulumi.ResourceOptions(parent=task_role))
        return execution, task_role

    def _nlb_listener(self, svc: ServiceSettings) -> aws.lb.Listener:
        """An NLB service's TLS listener, which its ECS service waits for."""
        return aws.lb.Listener(
            f"{svc.name}-tls", load_balancer_arn=self.nlb.arn, port=svc.listener_port, protocol="TLS",
            ssl_policy=self.settings.ssl_policy, certificate_arn=self.certificate_arn,
            default_actions=[{"type": "forward", "target_group_arn": self.target_groups[svc.name].arn}],
            tags=self.tags(f"{svc.name}-tls"), opts=pulumi.ResourceOptions(parent=self.nlb))

    def _nlb_callers(self) -> None:
        """The NLB admits TLS only from the security groups of the services that call its services."""
        for caller, port in sorted({(c, svc.listener_port) for svc in self.settings.services
                                    if svc.load_balancer is LoadBalancerKind.NLB for c in self.settings.callers(svc)}):
            aws.vpc.SecurityGroupIngressRule(
                f"nlb-sg-tls-from-{caller}" + ("" if port == 443 else f"-{port}"),
                security_group_id=self.nlb_security_group.id, ip_protocol="tcp", from_port=port, to_port=port,
                referenced_security_group_id=self.service_security_groups[caller].id,
                description=f"TLS from the {caller} tasks", opts=pulumi.ResourceOptions(parent=self.nlb_security_group))

    def _alb_routes(self, alb: aws.lb.LoadBalancer, name: str, services: list[ServiceSettings],
                    groups: dict[str, aws.lb.TargetGroup]) -> dict[str, pulumi.Resource]:
        """An ALB's HTTPS listener: the '/*' service is the default (else a 404); every other service gets a path
        rule, in the order the config lists them (priority 10, 20, …). Returns what each service hangs on."""
        default = next((x for x in services if "/*" in x.path_patterns), None)
        default_action: aws.lb.ListenerDefaultActionArgsDict = (
            {"type": "forward", "target_group_arn": groups[default.name].arn} if default else
            {"type": "fixed-response", "fixed_response": {"content_type": "text/plain", "status_code": "404",
                                                          "message_body": "not found"}})
        https = aws.lb.Listener(
            f"{name}-https", load_balancer_arn=alb.arn, port=443, protocol="HTTPS",
            ssl_policy=self.settings.ssl_policy, certificate_arn=self.certificate_arn,
            default_actions=[default_action], tags=self.tags(f"{name}-https"),
            opts=pulumi.ResourceOptions(parent=alb))
        fronts: dict[str, pulumi.Resource] = {default.name: https} if default else {}
        rule_prefix = "" if name == "alb" else f"{name}-"
        for i, svc in enumerate(x for x in services if x is not default):
            fronts[svc.name] = aws.lb.ListenerRule(
                f"{rule_prefix}{svc.name}-rule", listener_arn=https.arn, priority=10 * (i + 1),
                conditions=[{"path_pattern": {"values": svc.path_patterns}}],
                actions=[{"type": "forward", "target_group_arn": groups[svc.name].arn}],
                tags=self.tags(f"{rule_prefix}{svc.name}-rule"), opts=pulumi.ResourceOptions(parent=https))
        return fronts

    # --- scaling ------------------------------------------------------------------------------------------------------

    def _autoscaling(self, svc: ServiceSettings, service: aws.ecs.Service) -> None:
        """Target tracking on CPU (and, behind the ALB, requests per task) plus the sale windows' schedules.

        Application Auto Scaling refuses concurrent changes to one scalable target (ConcurrentUpdateException,
        which the provider does not reliably retry: hashicorp/terraform-provider-aws#17915), so every policy and
        scheduled action depends on the one before it and the engine creates, updates and deletes them one after
        another. A window that is over creates nothing (the program warns); a window in progress has no start
        action to wait for (its time has passed), so the target's minimum is the window's until its end action
        restores the usual one."""
        now = self.ctx.now
        current = [w for w in svc.peak_windows if w.start <= now < w.end]
        target = aws.appautoscaling.Target(
            f"{svc.name}-scaling", service_namespace="ecs", scalable_dimension="ecs:service:DesiredCount",
            resource_id=pulumi.Output.concat("service/", self.cluster.name, "/", service.name),
            min_capacity=max([svc.min_tasks, *(w.min_tasks for w in current)]), max_capacity=svc.max_tasks,
            opts=pulumi.ResourceOptions(parent=service))
        last = _tracking_policy(f"{svc.name}-cpu", target, svc.cpu_target_percent,
                                {"predefined_metric_type": "ECSServiceAverageCPUUtilization"}, after=[])
        if _on_alb(svc):
            last = _tracking_policy(f"{svc.name}-requests", target, svc.requests_per_target, {
                "predefined_metric_type": "ALBRequestCountPerTarget",
                "resource_label": pulumi.Output.concat(self.alb.arn_suffix, "/",
                                                       self.target_groups[svc.name].arn_suffix)}, after=[last])
        self._sale_windows(svc, target, last)

    def _sale_windows(self, svc: ServiceSettings, target: aws.appautoscaling.Target, last: pulumi.Resource) -> None:
        """Each sale window's raised minimum and its restoration, one change after another (``_autoscaling``)."""
        now, index = self.ctx.now, self.settings.services.index(svc)
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
                last = aws.appautoscaling.ScheduledAction(
                    f"{svc.name}-{window.name}-{edge}", name=f"{svc.name}-{window.name}-{edge}",
                    schedule=window.at(when), timezone="UTC", resource_id=target.resource_id,
                    scalable_dimension=target.scalable_dimension, service_namespace=target.service_namespace,
                    scalable_target_action={"min_capacity": low, "max_capacity": svc.max_tasks},
                    opts=pulumi.ResourceOptions(parent=target, depends_on=[last]))
