"""AWS's own input constraints, checked offline: what a real deploy would refuse as a bad request.

Every input AWS validates against a documented pattern, length, enum or range is checked here, for every resource
type the program uses, from AWS's service models as the installed ``botocore`` ships them (``model``), plus the
few rules AWS states only in prose (``documented``, each with its source). ``mapping`` says which API request member
each Pulumi input becomes. ``check_run`` runs over each stack's final pass of a synth.

Which value is checked. A resource's recorded inputs (``Registration.inputs``) are what the program registered,
so what the provider would send, with one exception: for an auto-named resource the mock monitor copies the
mock's stand-in name (``<logical>-<7 hex>``, ``automation.mocks._AUTONAMED``) into the inputs, as the provider's
Check would. A real provider picks its own name within the resource's limits (it shortens the logical part to
fit its random suffix, where the mock just cuts the whole), so a stand-in is never the program's value: a failing
value equal to the mock's stand-in for that resource and property is skipped. So is a failing value that holds
what the mock made for a resource its property depends on (an ID, an ARN or other computed output, a stand-in
name: the engine's values, here the mock's). Everything else in the inputs is the program's own, and is checked;
a program's own value copied into another resource is checked there too.

Unknown values (``None``, the engine's unknown marker), secret stand-ins for ``secure:`` config and empty strings
or lists (which the provider leaves unset) are skipped; secret envelopes are opened; a secret input (a VPN
pre-shared key) is checked but never printed. Patterns are matched against the whole value, translated from
Java's regex dialect so that they only ever admit more (``model.python_pattern``); enums are case-sensitive. The
provider's default tags are merged into each tagged resource's tags as the provider sends them, and a default tag
AWS refuses is reported once, on the provider. When the offending part of a value comes from a ``securecart:*``
config string, the finding names that key in the stack file.
"""

import functools
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pulumi.runtime.rpc import UNKNOWN
from securecart_rules._common import num as _number  # the pack's reader of numbers

from automation.constraints import model
from automation.constraints.documented import Problem
from automation.constraints.mapping import RESOURCES, Nothing, Prop
from automation.constraints.model import (
    Member,
    ModelError,
    Shape,
    botocore_version,
    python_pattern,
    resolve,
    shape_of,
)
from automation.mocks import _AUTONAMED, Registration, _digest
from automation.offline import OFFLINE_SECRET
from automation.project import Project, ProjectError, StackConfig
from automation.synth import StackResult, SynthRun

__all__ = ["RESOURCES", "Checked", "Finding", "ModelError", "Nothing", "Prop", "botocore_version", "check_run",
           "check_stack", "config_entries", "prefetch"]

_SIG_KEY, _SECRET_SIG = "4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270"  # the SDK's
_MAX_SHOWN = 120


@dataclass(frozen=True)
class Finding:
    stack: str
    resource: str
    type: str
    path: str
    value: Any
    says: str  # the constraint, readable after "AWS requires"
    detail: str = ""
    secret: bool = False
    origin: str = ""  # the config key(s) and stack file the offending part came from

    def line(self) -> str:
        if self.secret:
            shown = "(a secret: not shown)"
        else:
            shown = json.dumps(self.value, ensure_ascii=False, default=str)
            if len(shown) > _MAX_SHOWN:
                shown = f"{shown[:_MAX_SHOWN - 20]}… ({len(shown)} characters)"
        detail = f" ({self.detail})" if self.detail else ""
        origin = f" (from {self.origin}: fix it there)" if self.origin else ""
        return (f"{self.stack}: {self.type} '{self.resource}' {self.path} = {shown}: AWS requires "
                f"{self.says}{detail}{origin}")


@dataclass
class Checked:
    """One stack's check: how many input values were checked, and what AWS would refuse."""

    values: int = 0
    findings: list[Finding] = field(default_factory=list)
    by_type: Counter[str] = field(default_factory=Counter)  # values checked, per resource type


# --- reading the inputs ---------------------------------------------------------------------------------------

def _known(value: Any) -> Any:
    """The value, or None when the synth does not know it (or knows only a secret's stand-in)."""
    if isinstance(value, dict) and value.get(_SIG_KEY) == _SECRET_SIG:
        value = value.get("value")
    if value is None or value == UNKNOWN:
        return None
    if isinstance(value, str) and OFFLINE_SECRET in value:
        return None
    return value


_STEP = re.compile(r"([^.\[@]+)(@json)?(\[\])?")


@functools.cache
def _steps(path: str) -> tuple[tuple[str, bool, bool], ...]:
    """A mapping path's steps: (name, a JSON document, a list), or ("*keys"|"*values", False, False)."""
    out = []
    for step in path.split("."):
        match = _STEP.fullmatch(step)
        if step in ("*keys", "*values") or match is None:
            out.append((step, False, False))
        else:
            out.append((match.group(1), bool(match.group(2)), bool(match.group(3))))
    return tuple(out)


def values_at(inputs: dict[str, Any], path: str) -> Iterator[tuple[str, Any]]:
    """Each (concrete path, value) at a mapping path, e.g. ``rules[].name`` → (``rules[2].name``, "x")."""
    return _walk(inputs, _steps(path), "")


def _walk_mapping(value: Any, keys: bool, rest: tuple[tuple[str, bool, bool], ...],
                  where: str) -> Iterator[tuple[str, Any]]:
    """A map's keys (``*keys``) or values (``*values``)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if keys:
                yield from _walk(key, rest, f"{where} key {json.dumps(key)}")
            else:
                yield from _walk(item, rest, f"{where}[{json.dumps(key)}]")


def _walk(value: Any, steps: tuple[tuple[str, bool, bool], ...], where: str) -> Iterator[tuple[str, Any]]:
    value = _known(value)
    if value is None:
        return
    if not steps:
        yield where, value
        return
    (name, as_json, as_list), rest = steps[0], steps[1:]
    if name in ("*keys", "*values"):
        yield from _walk_mapping(value, name == "*keys", rest, where)
        return
    if not isinstance(value, dict):
        return
    here = f"{where}.{name}" if where else name
    item = _known(value.get(name))
    if as_json and isinstance(item, str):
        try:
            item = json.loads(item)
        except ValueError:
            return
    if as_list:
        if isinstance(item, list):
            for i, element in enumerate(item):
                yield from _walk(element, rest, f"{here}[{i}]")
        return
    yield from _walk(item, rest, here)


# --- checking a value against a shape -------------------------------------------------------------------------

def _bounds(low: float | None, high: float | None) -> str:
    fmt = [(str(int(x)) if float(x).is_integer() else str(x)) if x is not None else "" for x in (low, high)]
    if low is not None and high is not None:
        return f"{fmt[0]}-{fmt[1]}"
    return f"at least {fmt[0]}" if low is not None else f"at most {fmt[1]}"


_CLASS = re.compile(r"\[\^?\]?(?:\\.|[^\]\\])*\]")
_SHORTHAND = re.compile(r"\\[wWdDsS]")


def _alphabet(pattern: re.Pattern[str]) -> tuple[list[re.Pattern[str]], set[str]] | None:
    """The character classes and literal characters a translated pattern is made of; None when it admits any
    character somewhere (``.``), so that no single character can be blamed."""
    text = pattern.pattern
    classes = [re.compile(c) for c in _CLASS.findall(text)]
    outside = _CLASS.sub("", text)
    classes += [re.compile(s) for s in _SHORTHAND.findall(outside)]
    outside = _SHORTHAND.sub("", outside)
    if re.search(r"(?<!\\)\.", outside):
        return None
    literals = set(re.findall(r"\\(.)", outside)) | set(re.sub(r"\\.|[\^$()?*+{}|,0-9]", "", outside))
    return classes, literals


def _bad_chars(pattern: re.Pattern[str], value: str) -> frozenset[str]:
    alphabet = _alphabet(pattern)
    if alphabet is None:
        return frozenset()
    classes, literals = alphabet
    return frozenset(c for c in set(value)
                     if c not in literals and not any(k.fullmatch(c) for k in classes))


def _shape_problem(shape: Shape, value: Any, where: str) -> Problem | None:
    if shape.type == "string":
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            return None
        text = value if isinstance(value, str) else f"{value:g}" if isinstance(value, float) else str(value)
        if text == "":
            return None
        if shape.enum and text not in shape.enum:
            listed = ", ".join(shape.enum[:12]) + (f", … ({len(shape.enum)} values)" if len(shape.enum) > 12 else "")
            return Problem(f"enum {shape.name} ({listed}) of {where}", whole_value=True)
        if (shape.min is not None and len(text) < shape.min) or (shape.max is not None and len(text) > shape.max):
            return Problem(f"length {_bounds(shape.min, shape.max)} of {where}", detail=f"{len(text)} characters")
        if shape.pattern:
            compiled = python_pattern(shape.pattern)
            if compiled is not None and not compiled.fullmatch(text):
                bad = _bad_chars(compiled, text)
                detail = f"{', '.join(repr(c) for c in sorted(bad))} not allowed" if bad else ""
                return Problem(f"pattern {shape.pattern} of {where}", bad, detail=detail)
        return None
    if shape.type in ("integer", "long", "float", "double"):
        number = _number(value)
        if number is None:
            return None
        if (shape.min is not None and number < shape.min) or (shape.max is not None and number > shape.max):
            return Problem(f"range {_bounds(shape.min, shape.max)} of {where}", whole_value=True)
        return None
    if shape.type in ("list", "map") and isinstance(value, (list, dict)) and value and (
            (shape.min is not None and len(value) < shape.min) or (shape.max is not None and len(value) > shape.max)):
        return Problem(f"{_bounds(shape.min, shape.max)} items in {where}", detail=f"{len(value)} items")
    return None


def _mirror(shape: Shape, value: Any, path: str, where: str) -> Iterator[tuple[str, Any, Problem]]:
    """Check a value that has the member's own structure, all the way down."""
    value = _known(value)
    if value is None:
        return
    if shape.type == "structure":
        for item_path, item in ([(f"{path}[{i}]", v) for i, v in enumerate(value)] if isinstance(value, list)
                                else [(path, value)]):
            if not isinstance(item, dict):
                continue
            for key, sub in item.items():
                child = shape.child(key)
                if child is not None:
                    yield from _mirror(child[1], sub, f"{item_path}.{key}", f"{where}.{child[0]}")
        return
    problem = _shape_problem(shape, value, where)
    if problem is not None:
        yield path, value, problem
    if shape.type == "list" and shape.member is not None:
        member = shape_of(shape.service, shape.member)
        items = value if isinstance(value, list) else [value]
        for i, item in enumerate(items):
            yield from _mirror(member, item, f"{path}[{i}]" if isinstance(value, list) else path, f"{where}[]")


def problems(prop: Prop, path: str, value: Any) -> Iterator[tuple[str, Any, Problem]]:
    """What AWS would refuse in one input value: (concrete path, offending value, problem)."""
    if value in prop.provider_values and not isinstance(value, bool):
        return
    if isinstance(value, (str, list, dict)) and not value:
        return
    if prop.member is not None:
        resolved = resolve(prop.member)
        if prop.mirror:
            yield from _mirror(resolved.shape, value, path, str(prop.member))
        else:
            problem = _shape_problem(resolved.shape, value, str(prop.member))
            if problem is not None:
                yield path, value, problem
    for rule in prop.documented:
        problem = rule.check(value)
        if problem is not None:
            yield path, value, problem


# --- where a value came from ----------------------------------------------------------------------------------

def config_entries(config: StackConfig) -> list[tuple[str, Any]]:
    """Every scalar of the stack's ``securecart:*`` config, by key path (``securecart:delivery.services[0].name``),
    secrets left out."""
    out: list[tuple[str, Any]] = []

    def flatten(key: str, value: Any) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                flatten(f"{key}.{k}", v)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                flatten(f"{key}[{i}]", v)
        elif value is not None and not isinstance(value, bool):
            out.append((key, value))

    for key, raw in sorted(config.values.items()):
        if not key.startswith("securecart:") or key in config.secret_keys:
            continue
        value: Any = raw
        if raw[:1] in ("{", "["):
            try:
                value = json.loads(raw)
            except ValueError:
                value = raw
        flatten(key, value)
    return out


def _origin(problem: Problem, value: Any, entries: list[tuple[str, Any]], file: str) -> str:
    text = value if isinstance(value, str) else None
    if problem.bad_chars and text is not None:
        keys = [k for k, s in entries if isinstance(s, str) and s and s in text
                and any(c in s for c in problem.bad_chars)]
    elif problem.whole_value:
        number = _number(value)
        keys = [k for k, s in entries
                if (number is not None and _number(s) == number) or (number is None and s == value)]
    elif text is not None:
        found = [(k, s) for k, s in entries if isinstance(s, str) and len(s) >= 3 and s in text]
        longest = max((len(s) for _, s in found), default=0)
        keys = [k for k, s in found if len(s) == longest]
    else:
        keys = []
    if not keys or len(keys) > 3:  # none, or too many to say which
        return ""
    return f"{', '.join(keys)} in {file}"


# --- the check ------------------------------------------------------------------------------------------------

def _mock_stand_in(stack: str, r: Registration, path: str, value: Any) -> bool:
    auto = _AUTONAMED.get(r.type)
    return auto is not None and path == auto[0] and value == f"{r.name}-{_digest(stack, r.type, r.name)[:7]}"[
        : auto[1]]


def _from_dependency(stack: str, r: Registration, path: str, value: Any, by_urn: dict[str, Registration]) -> bool:
    """Whether a value holds something the mock made for a resource its property depends on: its ID, a computed
    output (an ARN, an endpoint) or its stand-in name."""
    top = re.split(r"[.\[ ]", path, maxsplit=1)[0]
    deps = r.property_dependencies.get(top) or []
    if not deps:
        return False
    text = json.dumps(value) if not isinstance(value, str) else value
    for urn in deps:
        dep = by_urn.get(urn)
        if dep is None:
            continue
        made = [dep.id] + [v for k, v in dep.outputs.items() if isinstance(v, str) and (
            k not in dep.inputs or _mock_stand_in(stack, dep, k, v))]
        if any(len(s) >= 3 and s in text for s in made):
            return True
    return False


def _default_tags(result: StackResult) -> dict[str, tuple[Registration, dict[str, Any]]]:
    """Per provider reference (``urn::id``), the provider and its default tags."""
    out: dict[str, tuple[Registration, dict[str, Any]]] = {}
    for r in result.resources:
        if not r.type.startswith("pulumi:providers:"):
            continue
        raw = r.inputs.get("defaultTags")
        try:
            parsed = json.loads(raw) if isinstance(raw, str) else raw
        except ValueError:
            parsed = None
        tags = parsed.get("tags") if isinstance(parsed, dict) else None
        out[f"{r.urn}::{r.id}"] = (r, dict(tags) if isinstance(tags, dict) else {})
    return out


def check_stack(result: StackResult, config: StackConfig | None = None) -> Checked:
    """Every input of the stack that AWS would refuse, one finding per value and constraint."""
    by_urn = {r.urn: r for r in result.resources}
    entries = config_entries(config) if config is not None else []
    file = config.path.name if config is not None else ""
    providers = _default_tags(result)
    checked = Checked()
    findings = checked.findings
    seen_default_tags: set[tuple[str, str]] = set()
    for r in result.resources:
        mapping = RESOURCES.get(r.type)
        if not isinstance(mapping, tuple):
            continue
        inputs = r.inputs
        provider, defaults = providers.get(r.provider, (None, {}))
        own_tags: dict[str, Any] = inputs["tags"] if isinstance(inputs.get("tags"), dict) else {}
        if defaults and any(prop.path.startswith("tags.") for prop in mapping):
            inputs = {**inputs, "tags": {**defaults, **own_tags}}
        for prop in mapping:
            for path, value in values_at(inputs, prop.path):
                checked.values += 1
                checked.by_type[r.type] += 1
                for where, bad, problem in problems(prop, path, value):
                    if _mock_stand_in(result.stack, r, where, bad) or _from_dependency(
                            result.stack, r, where, bad, by_urn):
                        continue
                    owner, shown_path = r, where
                    tag = re.match(r"tags(?: key |\[)(\"(?:[^\"\\]|\\.)*\")", where)
                    if provider is not None and tag is not None and json.loads(tag.group(1)) not in own_tags:
                        owner, shown_path = provider, f"defaultTags.{where}"  # one line, on the provider
                        if (owner.urn, shown_path) in seen_default_tags:
                            continue
                        seen_default_tags.add((owner.urn, shown_path))
                    findings.append(Finding(
                        stack=result.stack, resource=owner.name, type=owner.type, path=shown_path, value=bad,
                        says=problem.says, detail=problem.detail, secret=prop.secret,
                        origin="" if prop.secret else _origin(problem, bad, entries, file)))
    return checked


def check_run(run: SynthRun, project: Project) -> dict[str, Checked]:
    """The check over each stack's final pass (``run.results`` holds each stack as its last pass left it)."""
    out: dict[str, Checked] = {}
    for name, result in run.results.items():
        try:
            config: StackConfig | None = project.read_stack(name)
        except ProjectError:  # the synth read it already; naming a config key is a courtesy, never a failure
            config = None
        out[name] = check_stack(result, config)
    return out


def prefetch() -> None:
    """Start reading the mapped services' models in the background (call before a synth: see model.prefetch)."""
    model.prefetch({member.service for _, _, member in mapped_members()})


def mapped_members() -> list[tuple[str, Prop, Member]]:
    """Every (type, prop, member) of the mapping (for the tests and the coverage figures)."""
    return [(typ, prop, prop.member) for typ, mapping in RESOURCES.items() if isinstance(mapping, tuple)
            for prop in mapping if prop.member is not None]
