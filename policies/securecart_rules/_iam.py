"""IAM-style policy documents (identity, resource, trust, endpoint and key policies), parsed, not string-matched.

A document may arrive as a JSON string or an object; ``Statement`` may be one object or a list; ``Action``,
``Resource`` and principals may be a string or a list, in any letter case for actions.
"""

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from securecart_rules._common import as_list, document

# Condition keys that narrow a statement with a wildcard principal to known callers, networks or resources.
NARROWING_KEYS = frozenset(k.lower() for k in (
    "aws:PrincipalAccount", "aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:PrincipalArn",
    "aws:SourceAccount", "aws:SourceArn", "aws:SourceOrgID", "aws:SourceOrgPaths", "aws:SourceVpc",
    "aws:SourceVpce", "aws:SourceIp", "aws:VpcSourceIp", "aws:ResourceAccount", "aws:ResourceOrgID",
    "aws:CalledVia", "kms:CallerAccount", "kms:ViaService", "aws:userid", "aws:username", "sts:ExternalId",
))


@dataclass(frozen=True)
class Statement:
    effect: str
    actions: tuple[str, ...]
    not_actions: tuple[str, ...]
    resources: tuple[str, ...]
    not_resources: tuple[str, ...]
    principals: tuple[str, ...]  # every principal value, "*" for a public one; empty when no Principal
    has_principal: bool
    conditions: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def allows(self) -> bool:
        return self.effect == "allow"

    @property
    def public_principal(self) -> bool:
        return "*" in self.principals

    def condition_values(self, key: str) -> list[str]:
        """Every value of a condition key, whatever the operator (keys compared case-insensitively)."""
        found: list[str] = []
        for op_values in self.conditions.values():
            if isinstance(op_values, Mapping):
                for k, v in op_values.items():
                    if str(k).lower() == key.lower():
                        found.extend(str(x) for x in as_list(v))
        return found

    @property
    def narrowed(self) -> bool:
        """The statement limits who may use it: a positive condition (StringEquals, ArnLike, IpAddress, …; not a
        negated, IfExists or Null one) on a caller, organisation, network or resource key, whose every value is
        concrete (no bare wildcard, no world-wide network, no wildcard standing in for the account)."""
        for operator, op_values in self.conditions.items():
            if not isinstance(op_values, Mapping) or not _positive(operator):
                continue
            for key, values in op_values.items():
                vals = [str(v) for v in as_list(values)]
                if str(key).lower() in NARROWING_KEYS and vals and all(_concrete(v) for v in vals):
                    return True
        return False

    def grants_all_actions(self) -> bool:
        return self.allows and (any(a in ("*", "*:*") for a in self.actions) or bool(self.not_actions))

    def service_wildcards(self) -> list[str]:
        return [a for a in self.actions if a.endswith(":*")]

    def on_all_resources(self) -> bool:
        return any(is_all_resources(r) for r in self.resources) or bool(self.not_resources)


_POSITIVE = ("stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike", "ipaddress",
             "numericequals", "bool")


def _positive(operator: str) -> bool:
    op = operator.lower().removeprefix("foranyvalue:")
    return op in _POSITIVE  # excludes Not*, *IfExists, Null and ForAllValues (true when the key is absent)


def _concrete(value: str) -> bool:
    if value in ("", "*", "?"):
        return False
    if "/" in value and value.replace(".", "").replace("/", "").replace(":", "").isalnum():
        try:
            return ipaddress.ip_network(value, strict=False).prefixlen > 0
        except ValueError:
            pass
    if "*" in value or "?" in value:
        # A wildcard is fine inside a value that still pins an account or an organisation.
        return bool(re.search(r"\d{12}", value) or re.search(r"\bo-[a-z0-9]{10,32}\b", value))
    return True


def is_all_resources(resource: str) -> bool:
    """'*', and ARNs whose account and resource parts are all wildcards ('arn:aws:s3:::*', 'arn:aws:iam::*:*',
    'arn:*'), cover every resource of a service or of all services."""
    if resource == "*":
        return True
    parts = resource.split(":", 5)
    if parts[0] != "arn":
        return False
    if len(parts) < 6:
        return all(p in ("*", "") for p in parts[1:]) or parts[-1] == "*"
    _, _, _, _, account, rest = parts
    return account in ("", "*") and all(seg in ("", "*") for seg in re.split(r"[/:]", rest))


def _principals(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Mapping):
        out: list[str] = []
        for v in value.values():
            out.extend(str(x) for x in as_list(v))
        return tuple(out)
    return tuple(str(x) for x in as_list(value))


def _conditions(value: Any) -> dict[str, Mapping[str, Any]]:
    if not isinstance(value, Mapping):
        return {}
    return {str(op): v for op, v in value.items() if isinstance(v, Mapping)}


def statements(doc: Any) -> list[Statement] | None:
    """The statements of a policy document, or None if it is not one (unparseable or no Statement)."""
    parsed = document(doc)
    if not isinstance(parsed, Mapping) or "Statement" not in parsed:
        return None
    out: list[Statement] = []
    for raw in as_list(parsed["Statement"]):
        if not isinstance(raw, Mapping):
            return None
        principal = raw.get("Principal", raw.get("NotPrincipal"))
        out.append(Statement(
            effect=str(raw.get("Effect", "")).lower(),
            actions=tuple(str(a).lower() for a in as_list(raw.get("Action"))),
            not_actions=tuple(str(a).lower() for a in as_list(raw.get("NotAction"))),
            resources=tuple(str(r) for r in as_list(raw.get("Resource"))),
            not_resources=tuple(str(r) for r in as_list(raw.get("NotResource"))),
            principals=("*",) if "NotPrincipal" in raw else _principals(principal),
            has_principal="Principal" in raw or "NotPrincipal" in raw,
            conditions=_conditions(raw.get("Condition")),
        ))
    return out


def admin_statements(stmts: list[Statement]) -> list[Statement]:
    """Allow statements granting every action (or NotAction) on every resource."""
    return [s for s in stmts if s.grants_all_actions() and s.on_all_resources()]


def public_allows(stmts: list[Statement]) -> list[Statement]:
    """Allow statements open to any principal with no condition that narrows who."""
    return [s for s in stmts if s.allows and s.public_principal and not s.narrowed]
