"""Fixtures for rule tests: resources as the engine would hand them to the pack (numbers as floats, joins as
property dependencies), run through the same gate and pulumi_policy argument classes as the synth."""

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from pulumi_policy import Policy

from automation.gate import PackConfig, Violation, evaluate
from automation.mocks import Registration
from automation.synth import StackResult

STACK_URN = "urn:pulumi:test::securecart-network::pulumi:pulumi:Stack::securecart-network-test"
PROVIDER_URN = "urn:pulumi:test::securecart-network::pulumi:providers:aws::aws"


def _floats(value: Any) -> Any:
    """Protobuf Structs carry every number as a double: so do the fixtures."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, dict):
        return {k: _floats(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_floats(v) for v in value]
    return value


def res(typ: str, name: str, props: dict[str, Any] | None = None,
        **joins: "Registration | Sequence[Registration]") -> Registration:
    """A resource. Each keyword joins a property to other resources: the property holds their IDs (unless props
    set it) and its property dependencies name them, as when a program passes ``other.id``."""
    inputs = dict(props or {})
    deps: dict[str, list[str]] = {}
    for prop, target in joins.items():
        targets = [target] if isinstance(target, Registration) else list(target)
        deps[prop] = [t.urn for t in targets]
        if prop not in inputs:
            ids = [t.id for t in targets]
            inputs[prop] = ids[0] if isinstance(target, Registration) else ids
    return Registration(
        urn=f"urn:pulumi:test::securecart-network::{typ}::{name}", type=typ, name=name, custom=True, parent="",
        provider=f"{PROVIDER_URN}::provider-id", protect=False,
        dependencies=sorted({u for us in deps.values() for u in us}), property_dependencies=deps,
        inputs=_floats(inputs), outputs={}, id=f"{name}-id", delete_before_replace=None, ignore_changes=[],
        aliases=[], additional_secret_outputs=[],
    )


def provider(default_tags: dict[str, str] | None = None) -> Registration:
    reg = res("pulumi:providers:aws", "aws", {"region": "us-east-1",
                                              "defaultTags": json.dumps({"tags": default_tags or {}})})
    reg.urn = PROVIDER_URN
    reg.provider = ""
    return reg


def violations(rule: Policy, resources: Sequence[Registration], config: dict[str, Any] | None = None) -> \
        list[Violation]:
    stack = StackResult(stack="test", project="securecart-network", region="us-east-1", role="primary",
                        stack_urn=STACK_URN, resources=[provider(), *resources], outputs={})
    pack_config = PackConfig.parse({rule.name: config}, [rule]) if config else None
    return [v for v in evaluate(stack, [rule], pack_config) if v.policy == rule.name]


@dataclass
class Case:
    """One rule, a compliant stack, and a non-compliant one with the resources it must flag."""

    rule: Policy
    good: list[Registration]
    bad: list[Registration]
    flagged: set[str]
    says: str = ""
    config: dict[str, Any] = field(default_factory=dict)
    label: str = ""

    @property
    def id(self) -> str:
        return f"{self.rule.name}{'-' + self.label if self.label else ''}"


def cases(*items: Case) -> list[Any]:
    return [pytest.param(c, id=c.id) for c in items]


def check(c: Case) -> None:
    clean = violations(c.rule, c.good, c.config)
    assert clean == [], f"compliant stack flagged: {[(v.resource_name, v.message) for v in clean]}"
    found = violations(c.rule, c.bad, c.config)
    assert {v.resource_name for v in found} == c.flagged, [(v.resource_name, v.message) for v in found]
    assert all(v.level != "waived" for v in found)
    if c.says:
        assert any(c.says in v.message for v in found), [v.message for v in found]
