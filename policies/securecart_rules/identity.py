"""IAM rules: identity policies, inline role policies and trust policies, parsed."""

from collections.abc import Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs, Severity

from securecart_rules._common import (
    as_list,
    get,
)
from securecart_rules._iam import Statement, admin_statements, public_allows, statements
from securecart_rules.registry import ADVISORY, MANDATORY, Report, resource_rule
from securecart_rules.types import (
    IAM_GROUP_POLICY,
    IAM_POLICY,
    IAM_ROLE,
    IAM_ROLE_POLICY,
    IAM_ROLE_POLICY_ATTACHMENT,
    IAM_USER_POLICY,
)

ADMIN_POLICY_ARNS = ("arn:aws:iam::aws:policy/AdministratorAccess", "arn:aws:iam::aws:policy/PowerUserAccess",
                     "arn:aws:iam::aws:policy/IAMFullAccess")


def identity_documents(resource_type: str, props: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """(label, document) for every identity policy a resource carries."""
    if resource_type in (IAM_POLICY, IAM_ROLE_POLICY, IAM_USER_POLICY, IAM_GROUP_POLICY):
        return [("policy", props.get("policy"))]
    if resource_type == IAM_ROLE:
        return [(f"inline policy '{get(p, 'name')}'", get(p, "policy")) for p in as_list(props.get("inlinePolicies"))
                if get(p, "policy")]
    return []


def _wildcards(stmts: list[Statement]) -> list[str]:
    found = []
    for s in admin_statements(stmts):
        found.append(f"{'NotAction' if s.not_actions else ', '.join(s.actions)} on every resource")
    for s in stmts:
        if s.allows and s.on_all_resources() and not s.grants_all_actions():
            wild = s.service_wildcards()
            if wild:
                found.append(f"{', '.join(wild)} on every resource")
    return found


@resource_rule(
    name="iam-no-wildcard-admin",
    description="No IAM policy allows every action, or a whole service ('svc:*'), on every resource; no role "
                "carries an administrator managed policy.",
    source="FSBP IAM.1, IAM.21; cdk-nag AwsSolutions-IAM5",
    types=[IAM_POLICY, IAM_ROLE_POLICY, IAM_USER_POLICY, IAM_GROUP_POLICY, IAM_ROLE, IAM_ROLE_POLICY_ATTACHMENT],
    level=MANDATORY, severity=Severity.CRITICAL,
)
def iam_no_wildcard_admin(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    for where, doc in identity_documents(args.resource_type, args.props):
        stmts = statements(doc)
        if stmts is None:
            report(f"The {where} is not a policy document.")
            continue
        for finding in _wildcards(stmts):
            report(f"The {where} allows {finding}: name the actions and resources the workload needs.")
    if args.resource_type == IAM_ROLE:
        for arn in as_list(args.props.get("managedPolicyArns")):
            if str(arn) in ADMIN_POLICY_ARNS:
                report(f"The role carries {arn}.")
    if args.resource_type == IAM_ROLE_POLICY_ATTACHMENT and str(args.props.get("policyArn")) in ADMIN_POLICY_ARNS:
        report(f"The attachment grants {args.props.get('policyArn')}.")


@resource_rule(
    name="iam-trust-not-public",
    description="No role's trust policy lets any principal assume it without a narrowing condition.",
    source="FSBP IAM.21 family (least privilege); cdk-nag AwsSolutions-IAM5",
    types=[IAM_ROLE], level=MANDATORY, severity=Severity.CRITICAL,
)
def iam_trust_not_public(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    stmts = statements(args.props.get("assumeRolePolicy"))
    if stmts is None:
        report("The trust policy is not a policy document.")
        return
    for _s in public_allows(stmts):
        report("Anyone may assume this role: name the service or account principals, or narrow with a condition "
               "such as aws:PrincipalOrgID or sts:ExternalId.")


@resource_rule(
    name="iam-no-decrypt-on-all-keys",
    description="IAM policies do not allow decryption with every KMS key.",
    source="FSBP KMS.1, KMS.2",
    types=[IAM_POLICY, IAM_ROLE_POLICY, IAM_USER_POLICY, IAM_GROUP_POLICY, IAM_ROLE], level=ADVISORY,
    severity=Severity.MEDIUM,
)
def iam_no_decrypt_on_all_keys(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    for where, doc in identity_documents(args.resource_type, args.props):
        for s in statements(doc) or []:
            if s.allows and s.on_all_resources() and any(a in ("kms:decrypt", "kms:reencryptfrom", "kms:*")
                                                         for a in s.actions):
                report(f"The {where} allows kms:Decrypt on every key: name the keys.")
