"""The policy gate: run the pack's rules over a synthesized stack, as CrossGuard would during a preview.

Rules receive the real ``pulumi_policy`` argument classes: ``ResourceValidationArgs`` for each resource and
``StackValidationArgs`` (with parents, dependencies and property dependencies resolved to ``PolicyResource``
objects) for each stack policy. Enforcement levels follow the pack's own precedence (``registry.effective_level``:
the policy-pack config, then the rule's level, then the pack's default). Each rule reports into a reporter that is
also a waiver log: the pack hands the violations its waivers accept to it, and the gate lists them as ``waived``.
"""

import asyncio
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from inspect import isawaitable
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator
from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyCustomTimeouts,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy
from securecart_rules.registry import TypedResourcePolicy, Waived, effective_level

from automation.mocks import Registration
from automation.synth import StackResult

LEVELS = {level.value: level for level in EnforcementLevel}


class RuleError(Exception):
    """A rule itself failed (a bug in the pack, not a violation)."""


class PolicyConfigError(Exception):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Violation:
    stack: str
    policy: str
    level: str  # "mandatory", "advisory", or "waived" (an accepted exception, with its reason as the message)
    severity: str
    urn: str
    message: str

    @property
    def resource_name(self) -> str:
        return self.urn.rsplit("::", 1)[-1] if self.urn else "(stack)"

    @property
    def resource_type(self) -> str:
        return self.urn.split("::")[2].rsplit("$", 1)[-1] if self.urn.count("::") >= 3 else ""


@dataclass(frozen=True)
class PackConfig:
    """Per-rule enforcement level and properties, as in ``pulumi preview --policy-pack-config``."""

    levels: Mapping[str, EnforcementLevel]
    properties: Mapping[str, Mapping[str, Any]]

    @staticmethod
    def empty() -> "PackConfig":
        return PackConfig(levels={}, properties={})

    @staticmethod
    def parse(doc: Any, policies: Sequence[Policy], source: str = "policy config") -> "PackConfig":
        """Validate a policy-pack config document against the pack's rules. Unknown rules, bad levels and
        properties that are not objects are reported, each naming the rule and the key."""
        by_name = {p.name: p for p in policies}
        names = set(by_name)
        problems: list[str] = []
        levels: dict[str, EnforcementLevel] = {}
        properties: dict[str, dict[str, Any]] = {}
        if not isinstance(doc, dict):
            raise PolicyConfigError([f"{source}: expected an object of rule names to levels or settings"])
        # 'all' first, so a rule's own entry overrides it wherever it stands in the file (as the Pulumi CLI does).
        for name, value in sorted(doc.items(), key=lambda item: item[0] != "all"):
            targets = sorted(names) if name == "all" else [name]
            if name != "all" and name not in names:
                problems.append(f"{source}: '{name}' is not a rule of the pack (known: {', '.join(sorted(names))})")
                continue
            setting = {"enforcementLevel": value} if isinstance(value, str) else value
            if not isinstance(setting, dict):
                problems.append(f"{source}: {name}: expected a level ({', '.join(LEVELS)}) or an object")
                continue
            props = {k: v for k, v in setting.items() if k != "enforcementLevel"}
            if name != "all":
                problems.extend(_schema_problems(by_name[name], props, f"{source}: {name}"))
            if "enforcementLevel" in setting:
                level = LEVELS.get(str(setting["enforcementLevel"]))
                if level is None:
                    problems.append(f"{source}: {name}.enforcementLevel: {setting['enforcementLevel']!r} is not a "
                                    f"level: use one of {', '.join(LEVELS)}")
                    continue
                for target in targets:
                    levels[target] = level
            if props:
                if name == "all":
                    problems.append(f"{source}: all: only 'enforcementLevel' may be set for all rules")
                    continue
                properties[name] = props
        if problems:
            raise PolicyConfigError(problems)
        return PackConfig(levels=levels, properties=properties)

    @staticmethod
    def load(path: Path, policies: Sequence[Policy]) -> "PackConfig":
        try:
            doc = json.loads(path.read_text())
        except OSError as exc:
            raise PolicyConfigError([f"{path}: cannot be read ({exc.strerror})"]) from None
        except ValueError as exc:
            raise PolicyConfigError([f"{path}: not valid JSON ({exc})"]) from None
        return PackConfig.parse(doc, policies, str(path))


def _schema_problems(policy: Policy, props: Mapping[str, Any], where: str) -> list[str]:
    """The rule's settings checked against its config schema, as the Pulumi CLI checks --policy-pack-config."""
    schema = policy.config_schema
    known = schema.properties if schema is not None else {}
    problems = [f"{where}.{key}: not a setting of this rule (settings: {', '.join(sorted(known)) or 'none'})"
                for key in props if key not in known]
    for key, value in props.items():
        if key not in known:
            continue
        for err in sorted(Draft7Validator(known[key]).iter_errors(value), key=lambda e: list(e.path)):
            path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err.path)
            problems.append(f"{where}.{key}{path}: {err.message}")
    return problems


@dataclass
class _Findings:
    """What one evaluation of one stack collects: its violations, and its waiver log."""

    stack: str
    violations: list[Violation] = field(default_factory=list)
    waivers: list[Waived] = field(default_factory=list)


class _Reporter:
    """The ``report_violation`` the gate hands a rule: a violation becomes a ``Violation`` at the rule's level; a
    violation the rule's waiver accepts comes back through ``waived`` (a ``registry.WaiverLog``) into the waiver
    log."""

    __slots__ = ("default_urn", "findings", "level", "policy", "severity")

    def __init__(self, findings: _Findings, policy: Policy, level: EnforcementLevel, default_urn: str) -> None:
        self.findings, self.policy, self.level, self.default_urn = findings, policy, level, default_urn
        self.severity = policy.severity.value if policy.severity is not None else "unspecified"

    def __call__(self, message: str, urn: str | None = None) -> None:
        self.findings.violations.append(Violation(self.findings.stack, self.policy.name, self.level.value,
                                                  self.severity, urn or self.default_urn,
                                                  message or self.policy.description))

    def waived(self, waiver: Waived) -> None:
        self.findings.waivers.append(waiver)


def _props(values: Mapping[str, Any]) -> Any:
    return unknown_checking_proxy(deserialize_properties(dict(values)))


def _options(r: Registration) -> PolicyResourceOptions:
    return PolicyResourceOptions(
        r.protect, r.ignore_changes, r.delete_before_replace, r.aliases, PolicyCustomTimeouts(0, 0, 0),
        r.additional_secret_outputs, r.parent or None,
    )


def _run(policy: Policy, where: str, validate: Any) -> None:
    """Run one validation; a rule's own ``not_applicable`` is honoured, any other exception is the rule's bug."""
    try:
        result = validate()
        if isawaitable(result):
            loop = asyncio.new_event_loop()
            try:
                loop.run_until_complete(result)
            finally:
                loop.close()
    except UnknownValueError:
        raise
    except Exception as exc:
        if type(exc).__name__ == "_NotApplicableError":
            return
        raise RuleError(f"rule '{policy.name}' failed on {where}: {type(exc).__name__}: {exc}") from exc


Ranked = tuple[Policy, EnforcementLevel]


def _active(policies: Iterable[Policy], config: PackConfig, default_level: EnforcementLevel) -> list[Ranked]:
    """Each rule that runs, at the level it runs at (offline, ``remediate`` counts as mandatory: nothing is
    fixed here, so what a remediation would change is a violation)."""
    active = [(p, effective_level(p, config.levels, default_level)) for p in policies]
    return [(p, lvl if lvl is not EnforcementLevel.REMEDIATE else EnforcementLevel.MANDATORY)
            for p, lvl in active if lvl is not EnforcementLevel.DISABLED]


def _by_type(active: list[Ranked]) -> tuple[dict[str, list[tuple[ResourceValidationPolicy, EnforcementLevel]]],
                                             list[tuple[ResourceValidationPolicy, EnforcementLevel]]]:
    """Rules that declare their resource types run only on those; any other resource rule runs on everything."""
    typed: dict[str, list[tuple[ResourceValidationPolicy, EnforcementLevel]]] = {}
    untyped: list[tuple[ResourceValidationPolicy, EnforcementLevel]] = []
    for p, lvl in active:
        if isinstance(p, TypedResourcePolicy) and p.resource_types is not None:
            for t in p.resource_types:
                typed.setdefault(t, []).append((p, lvl))
        elif isinstance(p, ResourceValidationPolicy):
            untyped.append((p, lvl))
    return typed, untyped


def _policy_resources(resources: list[Registration], props: dict[str, Any],
                      provider_of: Callable[[Registration], PolicyProviderResource | None]) -> list[PolicyResource]:
    """The stack as stack rules see it: parents, dependencies and property dependencies resolved."""
    policy_resources: dict[str, PolicyResource] = {
        r.urn: PolicyResource(r.type, props[r.urn], r.urn, r.name, _options(r), provider_of(r), None, [], {})
        for r in resources
    }
    for r in resources:
        pr = policy_resources[r.urn]
        pr.parent = policy_resources.get(r.parent)
        pr.dependencies = [policy_resources[d] for d in r.dependencies if d in policy_resources]
        pr.property_dependencies = {
            k: [policy_resources[d] for d in v if d in policy_resources]
            for k, v in r.property_dependencies.items()
        }
    return list(policy_resources.values())


def evaluate(
    stack: StackResult,
    policies: Iterable[Policy],
    config: PackConfig | None = None,
    default_level: EnforcementLevel = EnforcementLevel.ADVISORY,
) -> list[Violation]:
    """All violations of the rules for one stack, sorted by level, rule and resource; the violations the rules'
    waivers accepted come last, as level "waived" with the waiver's reason."""
    config = config or PackConfig.empty()
    policies = list(policies)
    findings = _Findings(stack.stack)  # the waiver log in it reaches every rule through its reporter
    violations = findings.violations
    resources = [r for r in stack.resources if r.type != "pulumi:pulumi:Stack"]
    by_urn = {r.urn: r for r in resources}
    props = {r.urn: _props(r.inputs) for r in resources}
    providers: dict[str, PolicyProviderResource | None] = {}

    def provider_of(r: Registration) -> PolicyProviderResource | None:
        urn = r.provider.rsplit("::", 1)[0] if r.provider else ""
        if urn not in providers:
            p = by_urn.get(urn)
            providers[urn] = PolicyProviderResource(p.type, props[p.urn], p.urn, p.name) if p else None
        return providers[urn]

    active = _active(policies, config, default_level)
    typed, untyped = _by_type(active)
    stack_rules = [(p, lvl) for p, lvl in active if isinstance(p, StackValidationPolicy)]

    def cannot_tell(policy: Policy, urn: str, exc: UnknownValueError) -> None:
        violations.append(Violation(stack.stack, policy.name, EnforcementLevel.ADVISORY.value, "unspecified",
                                    urn, f"cannot tell yet (a value is unknown until deployment): {exc.message}"))

    for r in resources:
        rules = typed.get(r.type, []) + untyped
        if not rules:
            continue
        opts, provider = _options(r), provider_of(r)
        for rule, level in rules:
            args = ResourceValidationArgs(r.type, props[r.urn], r.urn, r.name, opts, provider,
                                          config.properties.get(rule.name))
            try:
                _run(rule, r.urn, partial(rule.validate, args, _Reporter(findings, rule, level, r.urn)))
            except UnknownValueError as exc:
                cannot_tell(rule, r.urn, exc)

    if stack_rules:
        stack_args_resources = _policy_resources(resources, props, provider_of)
        for stack_rule, level in stack_rules:
            stack_args = StackValidationArgs(stack_args_resources, config.properties.get(stack_rule.name))
            try:
                _run(stack_rule, f"stack {stack.stack}",
                     partial(stack_rule.validate, stack_args, _Reporter(findings, stack_rule, level, "")))
            except UnknownValueError as exc:
                cannot_tell(stack_rule, "", exc)

    levels = {p.name: lvl for p, lvl in active}
    for w in findings.waivers:
        violations.append(Violation(stack.stack, w.policy, "waived", levels[w.policy].value, w.urn,
                                    f"waived ({levels[w.policy].value}): {w.reason}"))

    order = {"mandatory": 0, "advisory": 1, "waived": 2}
    return sorted(violations, key=lambda v: (order.get(v.level, 2), v.policy, v.urn, v.message))
