"""IAM-style policy documents (identity, resource, trust, endpoint and key policies), parsed, not string-matched.

A document may arrive as a JSON string or an object; ``Statement`` may be one object or a list; ``Action``,
``Resource`` and principals may be a string or a list, in any letter case for actions.
"""

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
        """The statement limits who may use it by a condition on a caller, organisation, network or resource
        key, with concrete values (a wildcard value narrows nothing)."""
        for op_values in self.conditions.values():
            if not isinstance(op_values, Mapping):
                continue
            for key, values in op_values.items():
                if str(key).lower() in NARROWING_KEYS and all(str(v) not in ("*", "") for v in as_list(values)) \
                        and as_list(values):
                    return True
        return False

    def grants_all_actions(self) -> bool:
        return self.allows and (any(a in ("*", "*:*") for a in self.actions) or bool(self.not_actions))

    def service_wildcards(self) -> list[str]:
        return [a for a in self.actions if a.endswith(":*")]

    def on_all_resources(self) -> bool:
        return "*" in self.resources or bool(self.not_resources)


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
