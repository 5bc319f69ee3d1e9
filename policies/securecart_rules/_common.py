"""What every rule module shares: the rule constructors, config with defaults and waivers, and robust readers.

Conventions (../shared/DESIGN.md §6):
- one rule, one small check function; each rule names its source in its description;
- props arrive camelCase, numbers as floats, JSON documents sometimes as strings: use the readers here;
- preview unknowns raise ``UnknownValueError`` from the props proxy, which CrossGuard (and the offline gate) turn
  into "cannot tell yet": never catch it in a rule;
- a waiver is scoped to one resource and one rule, with a written reason, in the rule's ``waivers`` config.
"""

import ipaddress
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

MANDATORY = EnforcementLevel.MANDATORY
ADVISORY = EnforcementLevel.ADVISORY

Report = Callable[[str], None]
StackReport = Callable[[str, str], None]  # (message, urn)
ResourceCheck = Callable[[ResourceValidationArgs, Report], None]
StackCheck = Callable[[StackValidationArgs, StackReport], None]

WAIVERS_SCHEMA: dict[str, Any] = {
    "type": "array",
    "description": "Accepted exceptions: each names one resource (URN or logical name) and why it is accepted.",
    "default": [],
    "items": {
        "type": "object",
        "properties": {
            "resource": {"type": "string", "minLength": 1},
            "reason": {"type": "string", "minLength": 10},
        },
        "required": ["resource", "reason"],
        "additionalProperties": False,
    },
}


@dataclass(frozen=True)
class Waived:
    """A violation a waiver accepted, kept so the gate can print it with its reason."""

    policy: str
    urn: str
    reason: str


WAIVED: list[Waived] = []  # filled as rules run; the offline gate reads and clears it
_WAIVED_CAP = 10_000  # under CrossGuard nobody reads it: keep it bounded


def _note_waiver(waived: Waived) -> None:
    if len(WAIVED) >= _WAIVED_CAP:
        del WAIVED[: _WAIVED_CAP // 2]
    WAIVED.append(waived)


def _schema(properties: Mapping[str, dict[str, Any]] | None) -> PolicyConfigSchema:
    return PolicyConfigSchema(properties={**(properties or {}), "waivers": WAIVERS_SCHEMA})


def _defaults(properties: Mapping[str, dict[str, Any]] | None) -> dict[str, Any]:
    return {k: v["default"] for k, v in (properties or {}).items() if "default" in v}


def _waiver_for(config: Mapping[str, Any], urn: str) -> str | None:
    name = urn.rsplit("::", 1)[-1]
    for waiver in config.get("waivers") or []:
        if waiver.get("resource") in (urn, name):
            return str(waiver.get("reason", ""))
    return None


class Rule:
    """Mixin: what the pack's own tooling knows of a rule beyond pulumi_policy's fields."""

    source: str
    defaults: dict[str, Any]

    def setting(self, config: Mapping[str, Any], key: str) -> Any:
        """A config value, or the schema's default (the CLI fills defaults in; tests and older CLIs may not)."""
        return config[key] if key in config else self.defaults[key]


class TypedResourcePolicy(ResourceValidationPolicy, Rule):
    """A resource rule that declares the resource types it reads. ``validate`` still filters on the type, so
    CrossGuard sees an ordinary rule; the offline gate uses ``resource_types`` to skip rules that cannot apply."""

    resource_types: frozenset[str] | None  # None: every resource type


class SecureCartStackPolicy(StackValidationPolicy, Rule):
    pass


def resource_rule(
    *,
    name: str,
    description: str,
    source: str,
    types: Iterable[str] | None,
    check: Callable[[ResourceValidationArgs, Report, Mapping[str, Any]], None],
    level: EnforcementLevel,
    severity: Severity,
    config: Mapping[str, dict[str, Any]] | None = None,
) -> TypedResourcePolicy:
    """A resource rule for the given types (None: all). ``check(args, report, settings)`` gets the rule's
    settings with defaults filled in."""
    type_set = frozenset(types) if types is not None else None
    defaults = _defaults(config)

    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if type_set is not None and args.resource_type not in type_set:
            return
        settings = {**defaults, **args.get_config()}

        def report(message: str) -> None:
            reason = _waiver_for(settings, args.urn)
            if reason is not None:
                _note_waiver(Waived(name, args.urn, reason))
                return
            report_violation(message, None)

        check(args, report, settings)

    policy = TypedResourcePolicy(
        name=name, description=f"{description} [{source}]", validate=validate, enforcement_level=level,
        severity=severity, config_schema=_schema(config),
    )
    policy.resource_types = type_set
    policy.source = source
    policy.defaults = defaults
    return policy


def stack_rule(
    *,
    name: str,
    description: str,
    source: str,
    check: Callable[[StackValidationArgs, StackReport, Mapping[str, Any]], None],
    level: EnforcementLevel,
    severity: Severity,
    config: Mapping[str, dict[str, Any]] | None = None,
) -> SecureCartStackPolicy:
    """A stack rule; ``check(args, report, settings)`` reports ``(message, urn)`` pairs."""
    defaults = _defaults(config)

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        settings = {**defaults, **args.get_config()}

        def report(message: str, urn: str) -> None:
            reason = _waiver_for(settings, urn)
            if reason is not None:
                _note_waiver(Waived(name, urn, reason))
                return
            report_violation(message, urn)

        check(args, report, settings)

    policy = SecureCartStackPolicy(
        name=name, description=f"{description} [{source}]", validate=validate, enforcement_level=level,
        severity=severity, config_schema=_schema(config),
    )
    policy.source = source
    policy.defaults = defaults
    return policy


# --- readers ---------------------------------------------------------------------------------------------------

def get(value: Any, *path: str | int) -> Any:
    """``get(props, "accessLogs", "enabled")``: None where any step is missing."""
    for step in path:
        if value is None:
            return None
        if isinstance(step, int):
            value = value[step] if isinstance(value, Sequence) and not isinstance(value, str) and \
                len(value) > step else None
        else:
            value = value.get(step) if isinstance(value, Mapping) else None
    return value


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        return list(value)  # lists arrive wrapped in pulumi_policy's unknown-checking proxy, a Sequence
    return [value]


def num(value: Any) -> float | None:
    """Numbers arrive as floats (and from stack files sometimes as strings)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes", "enabled", "enable", "on")
    return bool(value)


def document(value: Any) -> Any:
    """A JSON document prop (IAM policies, container definitions): parsed if it is a string."""
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            return json.loads(text)
        except ValueError:
            return None
    return value


WORLD = ("0.0.0.0/0", "::/0")


def is_world(cidr: Any) -> bool:
    if not isinstance(cidr, str):
        return False
    try:
        return ipaddress.ip_network(cidr.strip(), strict=False).prefixlen == 0
    except ValueError:
        return False


def tags_of(props: Mapping[str, Any], provider_props: Mapping[str, Any] | None = None) -> dict[str, str]:
    """The resource's tags merged over the provider's default tags (as AWS will apply them)."""
    merged: dict[str, str] = {}
    default_tags = document(get(provider_props, "defaultTags")) if provider_props is not None else None
    for source in (get(default_tags, "tags"), props.get("tags")):
        if isinstance(source, Mapping):
            merged.update({str(k): str(v) for k, v in source.items()})
    return merged


# --- stack helpers ---------------------------------------------------------------------------------------------

def of_type(resources: Iterable[PolicyResource], *types: str) -> list[PolicyResource]:
    wanted = set(types)
    return [r for r in resources if r.resource_type in wanted]


def attached(resources: Iterable[PolicyResource], types: Iterable[str], prop: str) -> dict[str, list[PolicyResource]]:
    """For each resource URN, the resources of the given types whose ``prop`` was computed from it (one pass, so
    a rule joins two kinds of resource in linear time)."""
    wanted = set(types)
    index: dict[str, list[PolicyResource]] = {}
    for r in resources:
        if r.resource_type in wanted:
            for dep in r.property_dependencies.get(prop, []):
                index.setdefault(dep.urn, []).append(r)
    return index


def refs(resource: PolicyResource, prop: str) -> list[PolicyResource]:
    """The resources a property was computed from (how a stack rule joins resources during a preview, when IDs
    are still unknown)."""
    return list(resource.property_dependencies.get(prop, []))


def refers_to(resource: PolicyResource, prop: str, target: PolicyResource) -> bool:
    return any(dep.urn == target.urn for dep in refs(resource, prop))

