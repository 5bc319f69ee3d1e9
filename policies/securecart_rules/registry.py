"""The pack's one registry of rules, and the one place a rule's level and its waivers are applied.

A rule module declares each rule with a decorator where its check is defined::

    @resource_rule(name="subnet-no-auto-public-ip", description="…", source="FSBP EC2.15",
                   types=[EC2_SUBNET], level=MANDATORY, severity=Severity.HIGH)
    def subnet_no_auto_public_ip(args: ResourceValidationArgs, report: Report, settings: Mapping[str, Any]) -> None:
        ...

The decorator turns the check into a ``pulumi_policy`` policy and registers it; ``securecart_rules.POLICIES`` is
the registry's content sorted by rule name, so a rule cannot be written and left out of the pack (AWSGuard's
``registerPolicy`` / ``getPolicies`` work this way). Every rule runs through the same wrapper (cdk-nag's
``applyRule``): it fills the rule's settings with their defaults and honours the waivers in its config. A waived
violation is handed to the caller's waiver log when the caller passes one (the offline gate does); in a real preview
there is none, so the waiver is honoured and nothing is kept. The level a rule runs at is decided by
``effective_level``: the policy-pack config, then the rule's own level, then the pack's.
"""

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

MANDATORY = EnforcementLevel.MANDATORY
ADVISORY = EnforcementLevel.ADVISORY
PACK_ENFORCEMENT_LEVEL = EnforcementLevel.ADVISORY  # for a rule that sets none; every rule here sets its own

Report = Callable[[str], None]
StackReport = Callable[[str, str], None]  # (message, urn)
ResourceCheck = Callable[[ResourceValidationArgs, Report, Mapping[str, Any]], None]
StackCheck = Callable[[StackValidationArgs, StackReport, Mapping[str, Any]], None]

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


# --- levels ------------------------------------------------------------------------------------------------------

def effective_level(policy: Policy, configured: Mapping[str, EnforcementLevel],
                    default: EnforcementLevel = PACK_ENFORCEMENT_LEVEL) -> EnforcementLevel:
    """The level a rule runs at: the policy-pack config's level for it (``all`` already resolved), else the rule's
    own level, else the pack's default, the precedence the Pulumi CLI applies."""
    if policy.name in configured:
        return configured[policy.name]
    return policy.enforcement_level if policy.enforcement_level is not None else default


# --- waivers -----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Waived:
    """A violation a waiver accepted, with the waiver's reason."""

    policy: str
    urn: str
    reason: str


@runtime_checkable
class WaiverLog(Protocol):
    """What a caller that wants to see waived violations hands in as (part of) its ``report_violation``: the
    offline gate's reporter is one. CrossGuard's own callback is not, so a real preview keeps nothing."""

    def waived(self, waiver: Waived) -> None: ...


def waiver_reason(settings: Mapping[str, Any], urn: str) -> str | None:
    """The reason of the rule's waiver for this resource (named by URN or logical name), or None."""
    name = urn.rsplit("::", 1)[-1]
    for waiver in settings.get("waivers") or []:
        if waiver.get("resource") in (urn, name):
            return str(waiver.get("reason", ""))
    return None


def _report_or_waive(rule: str, settings: Mapping[str, Any], report_violation: ReportViolation, message: str, *,
                     urn: str, reported_urn: str | None) -> None:
    """Report a violation of ``rule`` on ``urn``, unless a waiver accepts it: then it goes to the caller's waiver
    log, if the caller handed one in."""
    reason = waiver_reason(settings, urn)
    if reason is None:
        report_violation(message, reported_urn)
    elif isinstance(report_violation, WaiverLog):
        report_violation.waived(Waived(rule, urn, reason))


# --- rules -------------------------------------------------------------------------------------------------------

class Rule:
    """Mixin: what the pack's own tooling knows of a rule beyond pulumi_policy's fields."""

    source: str
    module: str  # the rule module that defines it (network, data, …)
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


SecureCartRule = TypedResourcePolicy | SecureCartStackPolicy


def _schema(properties: Mapping[str, dict[str, Any]] | None) -> PolicyConfigSchema:
    return PolicyConfigSchema(properties={**(properties or {}), "waivers": WAIVERS_SCHEMA})


def _defaults(properties: Mapping[str, dict[str, Any]] | None) -> dict[str, Any]:
    return {k: v["default"] for k, v in (properties or {}).items() if "default" in v}


def _module_of(check: Callable[..., None]) -> str:
    return str(getattr(check, "__module__", "")).rsplit(".", 1)[-1]


class Registry:
    """Rules by name. ``resource_rule`` and ``stack_rule`` are decorators that build a rule from its check and
    register it; a name can be registered once."""

    def __init__(self) -> None:
        self._rules: dict[str, SecureCartRule] = {}

    def register(self, rule: SecureCartRule) -> None:
        if rule.name in self._rules:
            raise ValueError(f"two rules are named '{rule.name}' (in {self._rules[rule.name].module} and "
                             f"{rule.module})")
        self._rules[rule.name] = rule

    def rules(self) -> tuple[SecureCartRule, ...]:
        """Every registered rule, sorted by name."""
        return tuple(self._rules[name] for name in sorted(self._rules))

    def __iter__(self) -> Iterator[SecureCartRule]:
        return iter(self.rules())

    def __len__(self) -> int:
        return len(self._rules)

    def resource_rule(
        self,
        *,
        name: str,
        description: str,
        source: str,
        types: Iterable[str] | None,
        level: EnforcementLevel,
        severity: Severity,
        config: Mapping[str, dict[str, Any]] | None = None,
    ) -> Callable[[ResourceCheck], TypedResourcePolicy]:
        """A resource rule for the given types (None: all). The decorated ``check(args, report, settings)`` gets
        the rule's settings with defaults filled in and reports messages about ``args``' resource."""
        type_set = frozenset(types) if types is not None else None
        defaults = _defaults(config)

        def register(check: ResourceCheck) -> TypedResourcePolicy:
            def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
                if type_set is not None and args.resource_type not in type_set:
                    return
                settings = {**defaults, **args.get_config()}

                def report(message: str) -> None:
                    _report_or_waive(name, settings, report_violation, message, urn=args.urn, reported_urn=None)

                check(args, report, settings)

            policy = TypedResourcePolicy(
                name=name, description=f"{description} [{source}]", validate=validate, enforcement_level=level,
                severity=severity, config_schema=_schema(config),
            )
            policy.resource_types = type_set
            policy.source, policy.module, policy.defaults = source, _module_of(check), defaults
            self.register(policy)
            return policy

        return register

    def stack_rule(
        self,
        *,
        name: str,
        description: str,
        source: str,
        level: EnforcementLevel,
        severity: Severity,
        config: Mapping[str, dict[str, Any]] | None = None,
    ) -> Callable[[StackCheck], SecureCartStackPolicy]:
        """A stack rule. The decorated ``check(args, report, settings)`` reports ``(message, urn)`` pairs."""
        defaults = _defaults(config)

        def register(check: StackCheck) -> SecureCartStackPolicy:
            def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
                settings = {**defaults, **args.get_config()}

                def report(message: str, urn: str) -> None:
                    _report_or_waive(name, settings, report_violation, message, urn=urn, reported_urn=urn)

                check(args, report, settings)

            policy = SecureCartStackPolicy(
                name=name, description=f"{description} [{source}]", validate=validate, enforcement_level=level,
                severity=severity, config_schema=_schema(config),
            )
            policy.source, policy.module, policy.defaults = source, _module_of(check), defaults
            self.register(policy)
            return policy

        return register


REGISTRY = Registry()  # the pack's rules: securecart_rules.POLICIES is REGISTRY.rules()
resource_rule = REGISTRY.resource_rule
stack_rule = REGISTRY.stack_rule
