"""The one web ACL definition every SecureCart web ACL is built from (``securecart:waf``): a geo block list, AWS's
managed rule groups (each blocking unless config says count), a rate limit per client IP, CloudWatch metrics on
every rule, and logs to a KMS-encrypted ``aws-waf-logs-`` group with the ``authorization`` and ``cookie`` headers
(and any other named) redacted.

CloudFront's (CLOUDFRONT scope, the edge's rate limit), the customer ALB's (origin verification first, no rate limit:
it sees only CloudFront's servers), the accelerator ALB's and the partners' API's (REGIONAL) are instances of it.
They are separate web ACLs because the customer ALB's first rule must not apply to the others: the accelerator
and partners cannot send CloudFront's header.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.settings.protection import WafSettings

ALWAYS_REDACTED = ("cookie", "authorization")


def visibility(name: str) -> aws.wafv2.WebAclRuleVisibilityConfigArgsDict:
    return {"cloudwatch_metrics_enabled": True, "metric_name": name, "sampled_requests_enabled": True}


def managed_rule_groups(settings: WafSettings, first_priority: int,
                        counted_rules: Mapping[str, Sequence[str]] | None = None) -> list[aws.wafv2.WebAclRuleArgsDict]:
    """The configured AWS managed groups from ``first_priority`` on, each acting as AWS set it (block) unless
    ``count`` names it; ``counted_rules``: single rules of a group that only count at this entry point."""
    rules: list[aws.wafv2.WebAclRuleArgsDict] = []
    for i, group in enumerate(settings.groups):
        statement: aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementArgsDict = {"name": group,
                                                                                     "vendor_name": "AWS"}
        overrides = (counted_rules or {}).get(group)
        if overrides:
            statement["rule_action_overrides"] = [{"name": r, "action_to_use": {"count": {}}} for r in overrides]
        rules.append({"name": group, "priority": first_priority + i,
                      "override_action": {"count": {}} if group in settings.count else {"none": {}},
                      "statement": {"managed_rule_group_statement": statement}, "visibility_config": visibility(group)})
    return rules


def geo_block_rule(priority: int, countries: Sequence[str]) -> aws.wafv2.WebAclRuleArgsDict:
    """Block requests from the listed countries."""
    return {"name": "geo-block", "priority": priority, "action": {"block": {}},
            "statement": {"geo_match_statement": {"country_codes": list(countries)}},
            "visibility_config": visibility("geo-block")}


ScopeDown = aws.wafv2.WebAclRuleStatementRateBasedStatementScopeDownStatementArgsDict


def _starts_with(prefix: str) -> ScopeDown:
    return {"byte_match_statement": {"field_to_match": {"uri_path": {}}, "positional_constraint": "STARTS_WITH",
                                     "search_string": prefix,
                                     "text_transformations": [{"priority": 0, "type": "NONE"}]}}


def rate_limit_rule(priority: int, limit: int, exempt_prefixes: Sequence[str] = ()) \
        -> aws.wafv2.WebAclRuleArgsDict:
    """Block a client IP that sends more than ``limit`` requests in 5 minutes (requests for paths starting with
    one of ``exempt_prefixes`` are not counted)."""
    rate: aws.wafv2.WebAclRuleStatementRateBasedStatementArgsDict = {"limit": limit, "aggregate_key_type": "IP"}
    if exempt_prefixes:
        exempt = [_starts_with(p) for p in exempt_prefixes]
        counted: ScopeDown = exempt[0] if len(exempt) == 1 else {"or_statement": {"statements": exempt}}
        rate["scope_down_statement"] = {"not_statement": {"statement": counted}}
    return {"name": "rate-limit-per-ip", "priority": priority, "action": {"block": {}},
            "statement": {"rate_based_statement": rate}, "visibility_config": visibility("rate-limit-per-ip")}


def protective_rules(settings: WafSettings, first_priority: int, rate_limit: int | None,
                     exempt_prefixes: Sequence[str] = (),
                     counted_rules: Mapping[str, Sequence[str]] | None = None) -> list[aws.wafv2.WebAclRuleArgsDict]:
    """The geo block (if any), the managed groups, then the rate limit per client IP (None: no rate limit: behind
    CloudFront an ALB sees CloudFront's addresses, not the clients', and CloudFront's own web ACL limits each
    client)."""
    rules = [geo_block_rule(first_priority, settings.geo_block)] if settings.geo_block else []
    rules += managed_rule_groups(settings, first_priority + len(rules), counted_rules)
    if rate_limit is not None:
        rules.append(rate_limit_rule(first_priority + len(rules), rate_limit, exempt_prefixes))
    return rules


@dataclass(frozen=True)
class WebAclSpec:
    name: str  # logical name: the ACL is <name>, its log group <name>-logs, its logging <name>-logging
    scope: str  # REGIONAL or CLOUDFRONT (which AWS creates only in us-east-1)
    description: str  # WAF refuses ';' in descriptions
    metric_name: str
    rules: list[aws.wafv2.WebAclRuleArgsDict]
    log_group_name: str  # must start with aws-waf-logs-
    logs_key_arn: pulumi.Input[str]
    log_retention_days: int
    redacted_headers: Sequence[str] = ()  # besides ALWAYS_REDACTED
    tags: dict[str, str] | None = None


def web_acl(spec: WebAclSpec, parent: pulumi.Resource) -> aws.wafv2.WebAcl:
    """The web ACL (default allow: its rules block) and its logging to an encrypted log group."""
    acl = aws.wafv2.WebAcl(
        spec.name, scope=spec.scope, default_action={"allow": {}}, rules=spec.rules, description=spec.description,
        visibility_config=visibility(spec.metric_name), tags=spec.tags, opts=pulumi.ResourceOptions(parent=parent))
    log_tags = {**spec.tags, "Name": f"{spec.tags['Name']}-logs"} if spec.tags and "Name" in spec.tags else spec.tags
    logs = aws.cloudwatch.LogGroup(
        f"{spec.name}-logs", name=spec.log_group_name, kms_key_id=spec.logs_key_arn,
        retention_in_days=spec.log_retention_days, tags=log_tags, opts=pulumi.ResourceOptions(parent=acl))
    aws.wafv2.WebAclLoggingConfiguration(
        f"{spec.name}-logging", resource_arn=acl.arn, log_destination_configs=[logs.arn],
        redacted_fields=[{"single_header": {"name": h}} for h in [*spec.redacted_headers, *ALWAYS_REDACTED]
                         if h],
        opts=pulumi.ResourceOptions(parent=acl))
    return acl
