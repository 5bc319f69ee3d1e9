"""Settings of protection and partner access: the web ACLs' common definition (``securecart:waf``), Shield
Advanced (``securecart:shield``), the partners' API (``securecart:partners``) and PrivateLink for payments
(``securecart:privateLink``).
"""

import math
import re
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, Field, field_validator, model_validator

from components.settings.edge import COUNTRIES
from components.settings.types import AuditRetentionDays, Model

# AWS managed rule groups a SecureCart web ACL may run (AWS WAF "AWS Managed Rules rule groups list"), besides the
# anonymous-IP list, which ``anonymousIp`` adds.
MANAGED_RULE_GROUPS = (
    "AWSManagedRulesCommonRuleSet", "AWSManagedRulesSQLiRuleSet", "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesAnonymousIpList", "AWSManagedRulesAdminProtectionRuleSet",
    "AWSManagedRulesLinuxRuleSet", "AWSManagedRulesUnixRuleSet", "AWSManagedRulesBotControlRuleSet",
    "AWSManagedRulesATPRuleSet", "AWSManagedRulesACFPRuleSet", "AWSManagedRulesPHPRuleSet",
    "AWSManagedRulesWordPressRuleSet", "AWSManagedRulesWindowsRuleSet", "AWSManagedRulesDNSRuleSet",
)
DEFAULT_RULE_GROUPS = MANAGED_RULE_GROUPS[:4]
ANONYMOUS_IP = "AWSManagedRulesAnonymousIpList"

# A principal an endpoint service may allow: an account root, a role or a user (never "*").
_PRINCIPAL = re.compile(r"^arn:aws[\w-]*:iam::\d{12}:(root|role/[\w+=,.@/-]{1,512}|user/[\w+=,.@/-]{1,512})$")
_ENDPOINT_SERVICE = re.compile(r"^com\.amazonaws\.vpce\.[a-z0-9-]+\.vpce-svc-[0-9a-f]{17}$")


def principal_problem(arn: str) -> str | None:
    if arn.strip() == "*":
        return "'*' would admit every AWS account: name the accounts or roles"
    if not _PRINCIPAL.match(arn):
        return (f"{arn!r} is not an IAM principal ARN: use arn:aws:iam::<account>:root, …:role/<name> or "
                f"…:user/<name>")
    return None


def principals(arns: list[str]) -> list[str]:
    """``arns`` if each is an IAM principal ARN (never '*'), else every problem at once."""
    problems = [p for p in (principal_problem(a) for a in arns) if p]
    if problems:
        raise ValueError("; ".join(problems))
    return arns


# IAM principal ARNs, each checked (``principals``)
Principals = Annotated[list[str], AfterValidator(principals)]


class WafSettings(Model):
    rule_groups: list[str] = Field(
        default_factory=lambda: list(DEFAULT_RULE_GROUPS), alias="ruleGroups", min_length=1,
        description="AWS managed rule groups every web ACL runs, in this order; default the common, SQL-injection, "
                    "known-bad-inputs and IP-reputation groups.")
    anonymous_ip: bool = Field(
        default=False, alias="anonymousIp",
        description="Also block anonymizing services (VPNs, proxies, Tor, hosting providers: "
                    "AWSManagedRulesAnonymousIpList); default false (partners and shoppers behind corporate proxies "
                    "would be refused).")
    count: list[str] = Field(
        default_factory=list,
        description="Rule groups that only count (to tune them before they block); default none: every group "
                    "blocks. The synth summary lists them.")
    rate_limit: int = Field(
        default=2000, ge=10, le=2_000_000_000, alias="rateLimit",
        description="Requests per client IP per 5 minutes at the regional entry points that see client addresses "
                    "(the accelerator ALB, the partners' API) before WAF blocks it (10-2,000,000,000); default 2000.")
    geo_block: list[str] = Field(
        default_factory=list, alias="geoBlock",
        description="ISO country codes whose requests are blocked everywhere; default none.")

    @field_validator("rule_groups")
    @classmethod
    def _known(cls, v: list[str]) -> list[str]:
        unknown = [g for g in v if g not in MANAGED_RULE_GROUPS]
        if unknown:
            raise ValueError(f"{', '.join(unknown)}: not an AWS managed rule group SecureCart runs: use one of "
                             f"{', '.join(MANAGED_RULE_GROUPS)}")
        if len(set(v)) != len(v):
            raise ValueError("a rule group is listed twice")
        return v

    @field_validator("geo_block")
    @classmethod
    def _countries(cls, v: list[str]) -> list[str]:
        unknown = [c for c in v if c not in COUNTRIES]
        if unknown:
            raise ValueError(f"{', '.join(unknown)}: not an ISO 3166 country code (e.g. KP)")
        return v

    @model_validator(mode="after")
    def _counted(self) -> "WafSettings":
        unknown = [g for g in self.count if g not in self.groups]
        if unknown:
            raise ValueError(f"count: {', '.join(unknown)} is not a group the web ACLs run ({', '.join(self.groups)})")
        return self

    @property
    def groups(self) -> list[str]:
        """The managed groups every web ACL runs, in order."""
        return [*self.rule_groups, *([ANONYMOUS_IP] if self.anonymous_ip and ANONYMOUS_IP not in self.rule_groups
                                     else [])]


class AutomaticResponse(StrEnum):
    COUNT = "count"
    BLOCK = "block"


class ShieldSettings(Model):
    subscribe: bool = Field(
        default=True,
        description="Primary only: subscribe the account to Shield Advanced (a one-year commitment); default true. "
                    "Set false where the account already has a subscription.")
    automatic_response: AutomaticResponse = Field(
        default=AutomaticResponse.COUNT, alias="automaticResponse",
        description="Shield's application-layer automatic mitigation on the CloudFront distribution: count (watch "
                    "what it would block) or block; default count.")


class HttpMethod(StrEnum):
    GET = "GET"
    POST = "POST"
    PUT = "PUT"
    PATCH = "PATCH"
    DELETE = "DELETE"


class PartnerRoute(Model):
    path: str = Field(pattern=r"^(/[a-z0-9][a-z0-9_-]{0,63}){1,6}$",
                      description="Required. The route's path, e.g. /payments/notifications (lowercase segments).")
    method: HttpMethod = Field(default=HttpMethod.POST, description="HTTP method; default POST.")
    service: str = Field(description="Required. The nlb service (securecart:delivery.services) that handles it, "
                                     "reached through the VPC link: never a public backend.")


class Partner(Model):
    name: str = Field(pattern=r"^[a-z][a-z0-9-]{1,40}$", description="Required. The partner, e.g. acme-payments.")
    principals: Principals = Field(
        min_length=1, description="Required. IAM principals (account root, role or user ARNs) of the partner that "
                                  "may sign calls (AWS_IAM authorization); never '*'.")
    rate_limit: float = Field(default=50, gt=0, le=10000, alias="rateLimit",
                              description="Steady requests per second of the partner's key; default 50.")
    burst: int = Field(default=100, ge=1, le=5000, description="Burst of the partner's key; default 100.")
    daily_quota: int = Field(default=500_000, ge=1, alias="dailyQuota",
                             description="Requests per day of the partner's key; default 500,000.")



class PartnersSettings(Model):
    routes: list[PartnerRoute] = Field(min_length=1, description="Required. What partners may call.")
    partners: list[Partner] = Field(min_length=1, description="Required. Who may call, each with a usage plan.")
    rate_limit: int | None = Field(
        default=None, ge=10, le=2_000_000_000, alias="rateLimit",
        description="Requests per client IP per 5 minutes the partners' web ACL allows; default what the most "
                    "generous partner's plan allows in 5 minutes (a partner calls from few addresses, so the "
                    "shoppers' limit would refuse it far below its plan).")
    stage_rate_limit: float = Field(default=500, gt=0, le=10000, alias="stageRateLimit",
                                    description="Requests per second the whole stage accepts; default 500.")
    stage_burst: int = Field(default=1000, ge=1, le=5000, alias="stageBurst",
                             description="Burst of the whole stage; default 1000.")
    log_retention_days: AuditRetentionDays = Field(
        default=365, alias="logRetentionDays",
        description="Days access and execution logs are kept; default 365, at least 365 (PCI DSS 10.5.1).")

    @model_validator(mode="after")
    def _distinct(self) -> "PartnersSettings":
        problems = []
        seen: dict[tuple[str, str], int] = {}
        for i, r in enumerate(self.routes):
            key = (r.path, str(r.method))
            if key in seen:
                problems.append(f"routes[{i}]: {r.method} {r.path} collides with routes[{seen[key]}]")
            seen.setdefault(key, i)
        names = [p.name for p in self.partners]
        problems += [f"partners: '{n}' is listed twice" for n in sorted({n for n in names if names.count(n) > 1})]
        planned = self.plan_rate_limit
        if self.rate_limit is not None and self.rate_limit < planned:
            problems.append(f"rateLimit: {self.rate_limit} per 5 minutes is below what a partner's plan allows "
                            f"({planned}): raise it, or lower that partner's rateLimit")
        if problems:
            raise ValueError("\n".join(problems))
        return self


    @property
    def plan_rate_limit(self) -> int:
        """What the most generous partner's plan allows from one address in 5 minutes (at least WAF's 10)."""
        return max(10, math.ceil(max(p.rate_limit for p in self.partners) * 300))

    @property
    def web_acl_rate_limit(self) -> int:
        return self.rate_limit if self.rate_limit is not None else self.plan_rate_limit


class ProcessorSettings(Model):
    service_name: str = Field(
        alias="serviceName",
        description="Required. The payment processor's endpoint service (com.amazonaws.vpce.<region>.vpce-svc-…).")
    client: str = Field(default="payment",
                        description="The service (securecart:delivery.services) that calls the processor: the only "
                                    "one the endpoint admits, and its HTTPS egress goes nowhere else but AWS's "
                                    "endpoints; default payment.")
    private_dns: bool = Field(default=False, alias="privateDns",
                              description="Whether the processor's service offers private DNS (the endpoint then "
                                          "answers for its public name inside the VPC); default false.")

    @field_validator("service_name")
    @classmethod
    def _service_name(cls, v: str) -> str:
        if not _ENDPOINT_SERVICE.match(v):
            raise ValueError(f"{v!r} is not a PrivateLink endpoint service name: "
                             f"com.amazonaws.vpce.<region>.vpce-svc-<17 hex digits>")
        return v


class PrivateLinkSettings(Model):
    service: str = Field(default="payment",
                         description="The nlb service offered over PrivateLink (its NLB becomes an endpoint "
                                     "service); default payment.")
    allowed_principals: Principals = Field(
        default_factory=list, alias="allowedPrincipals",
        description="IAM principals (account root, role or user ARNs) that may request a connection, each accepted "
                    "by hand; default none; never '*'.")
    processor: ProcessorSettings | None = Field(
        default=None, description="The third-party payment processor reached over PrivateLink; default none.")


