"""The partners tier: the regional API Gateway REST API third parties (payment, fraud, shipping) call, in each
region, reaching SecureCart's internal services privately.

- Routes (``partners.routes``) are private integrations: HTTP proxy over a VPC link to the internal NLB, on the
  service's own listener and name (``<service>.<region>.<domain>``, which the region's certificate covers), so no
  backend is public.
- Every method needs AWS_IAM authorization (SigV4 by the partner's principals, which the API's resource policy
  names) and an API key (its usage plan throttles and caps the partner); bodies are validated as JSON objects.
- The stage ``v1``: access logs (JSON with the request id, caller, status and latency) and execution logs (no
  request bodies) in KMS-encrypted groups with a retention, X-Ray, detailed metrics, stage throttling, and the
  regional web ACL (``securecart:waf``, a per-IP rate limit: partners call from their own addresses).
- A custom domain per region (``partners.<domain>``, TLS 1.2) with the regional certificate; the default
  execute-api endpoint is off, so partners come only through it. The primary's edge routes the name by latency to
  the nearest healthy region.
- The API needs the region's certificate and the domain: a secondary builds it once the primary has exported them
  (the program says so until then).
"""

import hashlib
import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.context import StackContext, Tier
from components.contract import PartnersOutputs
from components.delivery import DeliveryTier
from components.dns import EdgeFacts
from components.documents import policy_document
from components.network import NetworkTier
from components.settings.protection import PartnerRoute, PartnersSettings
from components.waf import WebAclSpec, protective_rules, web_acl

STAGE = "v1"
ACCESS_LOG_FORMAT = json.dumps({
    "requestId": "$context.requestId", "extendedRequestId": "$context.extendedRequestId",
    "caller": "$context.identity.caller", "userArn": "$context.identity.userArn",
    "accountId": "$context.identity.accountId", "apiKeyId": "$context.identity.apiKeyId",
    "sourceIp": "$context.identity.sourceIp", "httpMethod": "$context.httpMethod",
    "resourcePath": "$context.resourcePath", "status": "$context.status",
    "responseLatency": "$context.responseLatency", "integrationLatency": "$context.integrationLatency",
    "integrationStatus": "$context.integration.status", "wafResponse": "$context.wafResponseCode",
    "requestTime": "$context.requestTime",
}, sort_keys=True)
BODY_METHODS = ("POST", "PUT", "PATCH")


def api_policy(principals: list[str], execution_arn: str) -> str:
    """Only the partners' principals may invoke the API (AWS_IAM authorization checks their signatures)."""
    return policy_document([{
        "Sid": "PartnersInvoke", "Effect": "Allow", "Principal": {"AWS": sorted(set(principals))},
        "Action": "execute-api:Invoke", "Resource": f"{execution_arn}/*",
    }])


# API Gateway's account-level logging role: AWS documents its trust without conditions, and API Gateway does not
# set aws:SourceAccount when it assumes it (a condition makes UpdateAccount refuse the role).
LOGS_ROLE_TRUST = policy_document([{
    "Effect": "Allow", "Principal": {"Service": "apigateway.amazonaws.com"}, "Action": "sts:AssumeRole"}])


def logs_role_policy(account: str, partition: str, region: str) -> str:
    """What API Gateway needs to write execution logs in this region (the managed policy's actions, scoped to
    this account and region)."""
    return policy_document([{
        "Sid": "ExecutionLogs", "Effect": "Allow",
        "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogGroups", "logs:DescribeLogStreams",
                   "logs:PutLogEvents", "logs:GetLogEvents", "logs:FilterLogEvents"],
        "Resource": f"arn:{partition}:logs:{region}:{account}:*",
    }])


@dataclass(frozen=True)
class PartnersTierArgs:
    network: NetworkTier
    delivery: DeliveryTier
    certificate_arn: pulumi.Input[str]  # the region's (issued)
    domain: str  # the shop's domain (internal names)
    partners_name: str  # the custom domain


def build_partners(ctx: StackContext, network: NetworkTier, delivery: DeliveryTier | None,
                   facts: EdgeFacts) -> "PartnersTier | None":
    """The partners' API, once this region's certificate and the domain exist (the program says what it waits
    for); None without ``securecart:partners``."""
    if ctx.settings.partners is None or delivery is None:
        return None
    if facts.certificate_arn is None or facts.domain is None or facts.partners_name is None:
        pulumi.log.info("partners: the API waits for this region's certificate and the domain (the primary's "
                        "edge: certificateArns, domain, partnersName)")
        return None
    return PartnersTier("partners", ctx, PartnersTierArgs(network, delivery, facts.certificate_arn, facts.domain,
                                                          facts.partners_name))


class PartnersTier(Tier):
    """The partners' REST API, its stage, logs, web ACL, usage plans and custom domain."""

    settings: PartnersSettings
    api: aws.apigateway.RestApi
    stage: aws.apigateway.Stage
    domain_name: aws.apigateway.DomainName

    def __init__(self, name: str, ctx: StackContext, args: PartnersTierArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("securecart:partners:PartnersTier", name, ctx, opts)
        if ctx.settings.partners is None:
            raise ValueError("the partners tier needs securecart:partners (validated when the settings load)")
        self.settings, self.args = ctx.settings.partners, args
        self.api = self._api()
        deployment = self._routes(self._vpc_link())
        self.stage = self._stage(deployment, self._logging())
        self._web_acl()
        self._usage_plans()
        self.domain_name = self._domain()
        self.done()

    def exports(self) -> PartnersOutputs:
        return PartnersOutputs(partners_api_id=self.api.id, partners_stage_arn=self.stage.arn,
                               partners_domain_target=self.domain_name.regional_domain_name,
                               partners_domain_zone_id=self.domain_name.regional_zone_id)

    def _ident(self) -> pulumi.Output[list[str]]:
        return pulumi.Output.all(self.ctx.account_id, self.ctx.partition, self.ctx.region)

    def _api(self) -> aws.apigateway.RestApi:
        """The regional API, reachable only through its custom domain, invocable only by the partners."""
        self.api_policy: aws.apigateway.RestApiPolicy | None = None
        api = aws.apigateway.RestApi(
            "partners-api", name=self.ctx.name("partners"), description="SecureCart partner integrations",
            endpoint_configuration={"types": "REGIONAL"}, disable_execute_api_endpoint=True,
            api_key_source="HEADER", tags=self.tags("partners-api"), opts=self.child)
        principals = sorted({p for partner in self.settings.partners for p in partner.principals})
        self.api_policy = aws.apigateway.RestApiPolicy(
            "partners-api-policy", rest_api_id=api.id,
            policy=api.execution_arn.apply(lambda arn: api_policy(principals, arn)),
            opts=pulumi.ResourceOptions(parent=api))
        return api

    def _vpc_link(self) -> aws.apigateway.VpcLink:
        """The private way to the internal NLB (its PrivateLink traffic is gated by the link, not the NLB's group:
        ``components.delivery``)."""
        return aws.apigateway.VpcLink(
            "partners-vpc-link", name=self.ctx.name("partners"), description="Partners API to the internal NLB",
            target_arn=self.args.delivery.nlb.arn, tags=self.tags("partners-vpc-link"), opts=self.child)

    def _resource(self, path: str, made: dict[str, aws.apigateway.Resource]) -> pulumi.Output[str]:
        """The API resource of ``path`` (and its parents), each made once."""
        parent: pulumi.Output[str] = self.api.root_resource_id
        walked = ""
        for part in path.strip("/").split("/"):
            walked += f"/{part}"
            if walked not in made:
                made[walked] = aws.apigateway.Resource(
                    f"partners{walked.replace('/', '-')}", rest_api=self.api.id, parent_id=parent, path_part=part,
                    opts=pulumi.ResourceOptions(parent=self.api))
            parent = made[walked].id
        return parent

    def _routes(self, link: aws.apigateway.VpcLink) -> aws.apigateway.Deployment:
        """Each route: an AWS_IAM method needing an API key, validated, proxied over the VPC link to its
        service's listener. Returns the deployment of them all."""
        validator = aws.apigateway.RequestValidator(
            "partners-validator", rest_api=self.api.id, name="body-and-parameters", validate_request_body=True,
            validate_request_parameters=True, opts=pulumi.ResourceOptions(parent=self.api))
        model = aws.apigateway.Model(
            "partners-event-model", rest_api=self.api.id, name="PartnerEvent", content_type="application/json",
            schema=json.dumps({"$schema": "http://json-schema.org/draft-04/schema#", "type": "object"}),
            opts=pulumi.ResourceOptions(parent=self.api))
        made: dict[str, aws.apigateway.Resource] = {}
        parts: list[pulumi.Resource] = [validator, model, *([self.api_policy] if self.api_policy else [])]
        integrations: list[aws.apigateway.Integration] = []
        for route in self.settings.routes:
            method, integration = self._route(route, self._resource(route.path, made), link, validator, model)
            parts += [method, integration]
            integrations.append(integration)
        # A change of the routes, their targets or the resource policy takes effect only when redeployed.
        routes = json.dumps([r.model_dump(mode="json") for r in self.settings.routes], sort_keys=True)
        snapshot = pulumi.Output.all(
            self.api_policy.policy if self.api_policy else "", *[i.uri for i in integrations],
            *[i.connection_id for i in integrations]).apply(
            lambda v: hashlib.sha256(json.dumps([routes, *v]).encode()).hexdigest())
        return aws.apigateway.Deployment(
            "partners-deployment", rest_api=self.api.id, description="SecureCart partner routes",
            triggers={"routes": snapshot},
            opts=pulumi.ResourceOptions(parent=self.api, depends_on=parts))

    def _route(self, route: PartnerRoute, resource_id: pulumi.Output[str], link: aws.apigateway.VpcLink,
               validator: aws.apigateway.RequestValidator, model: aws.apigateway.Model) \
            -> tuple[aws.apigateway.Method, aws.apigateway.Integration]:
        name = f"partners{route.path.replace('/', '-')}-{route.method.value.lower()}"
        service = next(s for s in self.args.delivery.settings.services if s.name == route.service)
        host = f"{route.service}.{self.ctx.region}.{self.args.domain}"
        method = aws.apigateway.Method(
            name, rest_api=self.api.id, resource_id=resource_id, http_method=route.method.value,
            authorization="AWS_IAM", api_key_required=True, request_validator_id=validator.id,
            request_models={"application/json": model.name} if route.method.value in BODY_METHODS else None,
            opts=pulumi.ResourceOptions(parent=self.api))
        integration = aws.apigateway.Integration(
            f"{name}-integration", rest_api=self.api.id, resource_id=resource_id, http_method=method.http_method,
            type="HTTP_PROXY", integration_http_method=route.method.value, connection_type="VPC_LINK",
            connection_id=link.id, uri=f"https://{host}:{service.listener_port}{route.path}",
            timeout_milliseconds=29000,
            opts=pulumi.ResourceOptions(parent=method))
        return method, integration

    def _logging(self) -> list[pulumi.Resource]:
        """The account's API Gateway logging role in this region, and the execution log group API Gateway would
        otherwise make itself (unencrypted, kept forever)."""
        ident = self._ident()
        role = aws.iam.Role("partners-api-logs", description="API Gateway writes execution logs to CloudWatch",
                            assume_role_policy=LOGS_ROLE_TRUST, opts=self.child)
        policy = aws.iam.RolePolicy("partners-api-logs-policy", role=role.id,
                                    policy=ident.apply(lambda v: logs_role_policy(v[0], v[1], v[2])),
                                    opts=pulumi.ResourceOptions(parent=role))
        account = aws.apigateway.Account("apigateway-account", cloudwatch_role_arn=role.arn,
                                         opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]))
        execution = aws.cloudwatch.LogGroup(
            "partners-execution-logs",
            name=pulumi.Output.concat("API-Gateway-Execution-Logs_", self.api.id, "/", STAGE),
            kms_key_id=self.args.network.logs_key_arn, retention_in_days=self.settings.log_retention_days,
            tags=self.tags("partners-execution-logs"), opts=pulumi.ResourceOptions(parent=self.api))
        return [account, execution]

    def _stage(self, deployment: aws.apigateway.Deployment, after: list[pulumi.Resource]) -> aws.apigateway.Stage:
        """The stage partners call: access logs, X-Ray, metrics, execution logs without bodies, throttling."""
        access = aws.cloudwatch.LogGroup(
            "partners-access-logs", name=f"/securecart/{self.ctx.environment}/apigateway/partners",
            kms_key_id=self.args.network.logs_key_arn, retention_in_days=self.settings.log_retention_days,
            tags=self.tags("partners-access-logs"), opts=pulumi.ResourceOptions(parent=self.api))
        stage = aws.apigateway.Stage(
            "partners-stage", rest_api=self.api.id, deployment=deployment.id, stage_name=STAGE,
            xray_tracing_enabled=True,
            access_log_settings={"destination_arn": access.arn, "format": ACCESS_LOG_FORMAT},
            tags=self.tags("partners-stage"), opts=pulumi.ResourceOptions(parent=self.api, depends_on=after))
        aws.apigateway.MethodSettings(
            "partners-stage-settings", rest_api=self.api.id, stage_name=stage.stage_name, method_path="*/*",
            settings={"metrics_enabled": True, "logging_level": "INFO", "data_trace_enabled": False,
                      "throttling_rate_limit": self.settings.stage_rate_limit,
                      "throttling_burst_limit": self.settings.stage_burst},
            opts=pulumi.ResourceOptions(parent=stage))
        return stage

    def _web_acl(self) -> None:
        """The regional web ACL on the stage: the shared definition, with the partners' own rate limit (their
        plans' pace, not the shoppers')."""
        waf = self.ctx.settings.waf
        acl = web_acl(WebAclSpec(
            name="partners-waf", scope="REGIONAL", metric_name=self.ctx.name("partners"),
            description="SecureCart partners API: AWS managed rule groups, rate limit",
            # Partners' webhooks may carry bodies above the common group's 8 KB limit: that one rule only counts.
            rules=protective_rules(waf, 0, self.settings.web_acl_rate_limit,
                                   counted_rules={"AWSManagedRulesCommonRuleSet": ["SizeRestrictions_BODY"]}),
            log_group_name=f"aws-waf-logs-{self.ctx.name(self.ctx.region)}-partners",
            logs_key_arn=self.args.network.logs_key_arn, log_retention_days=self.settings.log_retention_days,
            tags=self.tags("partners-waf")), parent=self)
        aws.wafv2.WebAclAssociation("partners-waf-association", resource_arn=self.stage.arn, web_acl_arn=acl.arn,
                                    opts=pulumi.ResourceOptions(parent=acl))

    def _usage_plans(self) -> None:
        """Per partner: an API key and a usage plan throttling and capping it."""
        for partner in self.settings.partners:
            plan = aws.apigateway.UsagePlan(
                f"partner-{partner.name}", name=self.ctx.name(f"partner-{partner.name}"),
                description=f"{partner.name}: throttle and daily quota",
                api_stages=[{"api_id": self.api.id, "stage": self.stage.stage_name}],
                throttle_settings={"rate_limit": partner.rate_limit, "burst_limit": partner.burst},
                quota_settings={"limit": partner.daily_quota, "period": "DAY"},
                tags=self.tags(f"partner-{partner.name}"), opts=self.child)
            key = aws.apigateway.ApiKey(
                f"partner-{partner.name}-key", name=self.ctx.name(f"partner-{partner.name}"), enabled=True,
                description=f"{partner.name}'s API key (its value: aws apigateway get-api-key --include-value)",
                tags=self.tags(f"partner-{partner.name}-key"), opts=pulumi.ResourceOptions(parent=plan))
            aws.apigateway.UsagePlanKey(f"partner-{partner.name}-plan-key", key_id=key.id, key_type="API_KEY",
                                        usage_plan_id=plan.id, opts=pulumi.ResourceOptions(
                                            parent=plan, additional_secret_outputs=["value"]))

    def _domain(self) -> aws.apigateway.DomainName:
        """``partners.<domain>`` in this region: TLS 1.2, the region's certificate, mapped to the stage."""
        domain = aws.apigateway.DomainName(
            "partners-domain", domain_name=self.args.partners_name, regional_certificate_arn=self.args.certificate_arn,
            endpoint_configuration={"types": "REGIONAL"}, security_policy="TLS_1_2",
            tags=self.tags("partners-domain"), opts=self.child)
        aws.apigateway.BasePathMapping("partners-mapping", rest_api=self.api.id, stage_name=self.stage.stage_name,
                                       domain_name=domain.domain_name, opts=pulumi.ResourceOptions(parent=domain))
        return domain

