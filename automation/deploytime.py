"""The deploy-time estimate: how long a fresh pair's ``pulumi up`` takes along the deployment plan, and why.

Pulumi creates a stack's resources in parallel as their dependencies allow (``pulumi up --parallel`` is unbounded
by default: https://pulumi.com/docs/iac/cli/commands/pulumi_up, read 2026-12-02), so one run of a stack takes as
long as the longest chain of create durations through its dependency graph: its critical path. The plan's passes
(``automation.plan``: prod-eu, prod-us, prod-eu, prod-us, prod-eu) run one after another, so the whole plan takes
the sum of its passes.

The graph is the real one, from the synthesized registrations of every pass:

* nodes are the custom resources (and opaque components, such as awsx's remote ones, that the engine waits on as
  one); a local component takes no time, and a dependency on it is a dependency on each of its custom children
  (the SDK expands it so, ``pulumi.runtime.rpc._add_dependency``), as is its own ``depends_on`` for its children
  (their registration waits for the component's);
* edges are each resource's ``dependencies``: a *property* dependency when an input carries it
  (``property_dependencies``), the *parent* when the parent is a custom resource (the child waits for its URN, so
  for its creation), and otherwise an *explicit* ``depends_on``;
* a resource is created in the first pass of its stack in which it is registered; a later pass only waits for the
  resources it creates (what earlier passes made is done).

Durations come from ``data/create_times.json`` (typical create times per resource type, each with its source and
the date it was read; a few seconds for everything else). For each pass the report names the critical path
(resource, type, duration, start, end) and every explicit ``depends_on`` on it whose removal would shorten the
pass: flagged as one no property dependency requires, unless ``data/required_dependencies.json`` lists it as one
AWS (or a first start) requires, with the reason.

What it leaves out: updates and deletions in later passes (they count as instant), API throttling, the program's
own run and the engine's overhead per pass, and retries. It is an estimate to compare plans and find slow chains,
not a promise.
"""

import gc
import itertools
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from pydantic import Field, ValidationError

from automation import plan
from automation.mocks import Registration
from automation.project import Project
from automation.synth import ALL_OUTPUTS, StackResult, SynthRun, load_all_settings, synth_stack
from components.settings.types import Model, Role

DATA = Path(__file__).resolve().parent / "data"
CREATE_TIMES = DATA / "create_times.json"
REQUIRED_DEPENDENCIES = DATA / "required_dependencies.json"
PULUMI_PARALLEL_DOC = "https://pulumi.com/docs/iac/cli/commands/pulumi_up"
STACK_TYPE = "pulumi:pulumi:Stack"
ANY = "*"  # in a variant's ``when``: the input is present and neither empty nor false

PROPERTY, EXPLICIT, PARENT = "property", "explicit", "parent"
_M = TypeVar("_M", bound=Model)


class DeployTimeError(Exception):
    """A data file of the estimate is malformed, or the dependency graph has a cycle."""


# --- the data files --------------------------------------------------------------------------------------------

class CreateTime(Model):
    """One typical create duration of a resource type (or of a variant of it, picked by its inputs)."""

    when: dict[str, Any] = Field(default_factory=dict, description=(
        "Inputs (camelCase) the resource must have for this variant to apply, each equal to the value given or, "
        "for \"*\", present and neither empty nor false; default: none (the variant always applies)."))
    from_input: str | None = Field(default=None, alias="fromInput", description=(
        "An input holding the duration in seconds (the program's own figure, e.g. a health check grace period), "
        "used when present; default: none (``seconds`` applies)."))
    seconds: float = Field(ge=0, description="The typical create duration in seconds; required, no default.")
    estimate: bool = Field(default=True, description=(
        "Whether the figure is an estimate rather than one the source states; default true."))
    what: str = Field(description="What is created and waited for; required, no default.")
    source: str = Field(description="Where the figure comes from (a URL, or a file of the project); required.")
    read: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$", description="The date the source was read; required.")
    basis: str = Field(description="What the source says that the figure rests on; required, no default.")


class CreateTimes(Model):
    """``data/create_times.json``: the default duration and the variants per Pulumi resource type."""

    about: str = Field(description="What the table is; required, no default.")
    default: CreateTime = Field(description="The duration of every type not listed; required, no default.")
    types: dict[str, list[CreateTime]] = Field(default_factory=dict, description=(
        "Variants per Pulumi type token, tried in order (the first whose ``when`` matches applies); default: none "
        "(every type takes the default)."))


class RequiredDependency(Model):
    """An explicit dependency AWS (or a first start that must not fail) requires, with its reason."""

    dependent: str = Field(description="The type token of the resource that depends; required, no default.")
    dependency: str = Field(description="The type token of the resource it depends on; required, no default.")
    dependent_name: str | None = Field(default=None, alias="dependentName", description=(
        "A regular expression the dependent's name must match in full; default: none (any name)."))
    dependency_name: str | None = Field(default=None, alias="dependencyName", description=(
        "A regular expression the dependency's name must match in full; default: none (any name)."))
    reason: str = Field(description="Why the dependency is required; required, no default.")
    where: str = Field(default="", description="The component that declares it; default: empty (unnamed).")

    def matches(self, dependent: Registration, dependency: Registration) -> bool:
        return (dependent.type == self.dependent and dependency.type == self.dependency
                and (self.dependent_name is None or re.fullmatch(self.dependent_name, dependent.name) is not None)
                and (self.dependency_name is None or re.fullmatch(self.dependency_name, dependency.name) is not None))


class RequiredDependencies(Model):
    """``data/required_dependencies.json``: the explicit dependencies that are not flagged."""

    about: str = Field(description="What the list is; required, no default.")
    required: list[RequiredDependency] = Field(default_factory=list, description=(
        "The required explicit dependencies; default: none (every lengthening depends_on is flagged)."))


def _load(model: type[_M], path: Path) -> _M:
    try:
        return model.model_validate(json.loads(path.read_text()))
    except (OSError, json.JSONDecodeError, ValidationError) as exc:
        raise DeployTimeError(f"{path.name}: {exc}") from None


@cache
def create_times(path: Path = CREATE_TIMES) -> CreateTimes:
    return _load(CreateTimes, path)


@cache
def required_dependencies(path: Path = REQUIRED_DEPENDENCIES) -> RequiredDependencies:
    return _load(RequiredDependencies, path)


def _plain(value: Any) -> Any:
    """An input without its Pulumi secret wrapper."""
    if isinstance(value, dict) and "value" in value and len(value) == 2:
        return value["value"]
    return value


def _matches(inputs: Mapping[str, Any], when: Mapping[str, Any]) -> bool:
    for key, expected in when.items():
        value = _plain(inputs.get(key))
        if expected == ANY:
            if value in (None, False, "", [], {}, 0):
                return False
        elif value != expected:
            return False
    return True


def duration(resource: Registration, table: CreateTimes | None = None) -> tuple[float, CreateTime | None]:
    """The typical create duration of a resource and the table entry it comes from. A component takes no time
    unless the table lists its type (an opaque remote component, created as one)."""
    table = table or create_times()
    variants = table.types.get(resource.type)
    if variants is None:
        return (table.default.seconds, table.default) if resource.custom else (0.0, None)
    for variant in variants:
        if _matches(resource.inputs, variant.when):
            if variant.from_input is not None:
                value = _plain(resource.inputs.get(variant.from_input))
                if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
                    return float(value), variant
            return variant.seconds, variant
    return table.default.seconds, table.default


# --- the pure core ---------------------------------------------------------------------------------------------

def critical_path(nodes: Mapping[str, float], edges: Mapping[str, Iterable[str]]) -> tuple[float, list[str]]:
    """The longest chain of durations through a DAG, and its nodes from first to last.

    ``nodes`` maps each node to its duration; ``edges`` maps a node to the nodes it depends on (dependencies that
    are not nodes are done already and ignored). Each node starts when its last dependency ends, so a node ends at
    its duration plus the latest end among its dependencies. Ties are broken by name, so the answer is the same
    on every run. An empty graph takes 0. A cycle raises DeployTimeError."""
    deps = {n: sorted({d for d in edges.get(n, ()) if d in nodes and d != n}) for n in nodes}
    dependents: dict[str, list[str]] = {n: [] for n in nodes}
    waiting = {n: len(ds) for n, ds in deps.items()}
    for n, ds in deps.items():
        for d in ds:
            dependents[d].append(n)
    ready = sorted(n for n, count in waiting.items() if count == 0)
    end: dict[str, float] = {}
    via: dict[str, str | None] = {}
    while ready:
        n = ready.pop(0)
        best: str | None = None
        for d in deps[n]:  # sorted: the first of equal ends wins
            if best is None or end[d] > end[best]:
                best = d
        via[n] = best
        end[n] = nodes[n] + (end[best] if best is not None else 0.0)
        freed = []
        for m in dependents[n]:
            waiting[m] -= 1
            if waiting[m] == 0:
                freed.append(m)
        ready = sorted(ready + freed)
    if len(end) != len(nodes):
        raise DeployTimeError("the dependency graph has a cycle through: "
                              + ", ".join(sorted(n for n in nodes if n not in end)))
    if not end:
        return 0.0, []
    last = min(end, key=lambda n: (-end[n], n))
    path = [last]
    while (prev := via[path[-1]]) is not None:
        path.append(prev)
    path.reverse()
    return end[last], path


# --- the graph of one stack ------------------------------------------------------------------------------------

@dataclass
class Edge:
    """Why ``dependent`` waits for ``dependency``: the kinds (property, explicit, parent), the inputs that carry
    it, and the component whose ``depends_on`` its children inherit, if that is where it comes from."""

    kinds: set[str] = field(default_factory=set)
    inputs: set[str] = field(default_factory=set)
    via: str | None = None

    @property
    def explicit_only(self) -> bool:
        return self.kinds == {EXPLICIT}


@dataclass
class StackGraph:
    """The nodes (URN -> registration) and, per node, its dependencies (URN -> Edge)."""

    resources: dict[str, Registration]
    nodes: dict[str, Registration]
    deps: dict[str, dict[str, Edge]]


class _Builder:
    """The lookups build_graph needs over one stack's registrations."""

    def __init__(self, resources: Sequence[Registration]) -> None:
        self.by_urn = {r.urn: r for r in resources}
        self.children: dict[str, list[str]] = {}
        for r in resources:
            self.children.setdefault(r.parent, []).append(r.urn)

    def is_node(self, r: Registration) -> bool:
        """A custom resource, or a component with no children of its own here (opaque: a remote component)."""
        return r.type != STACK_TYPE and (r.custom or not self.children.get(r.urn))

    def expand(self, urn: str) -> list[str]:
        """A dependency as the nodes it stands for: itself, or a component's custom (and opaque) descendants,
        without looking under a custom resource."""
        found: list[str] = []
        todo = [urn]
        while todo:
            r = self.by_urn.get(todo.pop())
            if r is None or r.type == STACK_TYPE:
                continue
            if self.is_node(r):
                found.append(r.urn)
            else:
                todo.extend(self.children.get(r.urn, []))
        return found

    def add(self, edges: dict[str, Edge], node: str, source: Registration, via: str | None) -> None:
        """The dependencies ``source`` registered (the node's own, or a component ancestor's), as edges."""
        carried: dict[str, set[str]] = {}
        for key, urns in source.property_dependencies.items():
            for u in urns:
                carried.setdefault(u, set()).add(key)
        for u in source.dependencies:
            kind = PROPERTY if u in carried else PARENT if u == source.parent else EXPLICIT
            for target in self.expand(u):
                if target == node:
                    continue
                edge = edges.setdefault(target, Edge())
                edge.kinds.add(kind)
                edge.inputs |= carried.get(u, set())
                if via is not None and kind == EXPLICIT and edge.via is None:
                    edge.via = via

    def edges_of(self, r: Registration) -> dict[str, Edge]:
        edges: dict[str, Edge] = {}
        self.add(edges, r.urn, r, None)
        parent = self.by_urn.get(r.parent)
        if parent is not None and parent.custom:
            edges.setdefault(parent.urn, Edge()).kinds.add(PARENT)
        # A component's own dependencies hold for its children: they register only once it has.
        ancestor = parent
        while ancestor is not None and not ancestor.custom and ancestor.type != STACK_TYPE:
            self.add(edges, r.urn, ancestor, ancestor.urn)
            ancestor = self.by_urn.get(ancestor.parent)
        return edges


def build_graph(resources: Sequence[Registration]) -> StackGraph:
    """The dependency graph of one synthesized stack (see the module docstring)."""
    builder = _Builder(resources)
    nodes = {r.urn: r for r in resources if builder.is_node(r)}
    return StackGraph(resources=builder.by_urn, nodes=nodes, deps={u: builder.edges_of(r) for u, r in nodes.items()})


# --- the passes of the plan ------------------------------------------------------------------------------------

def synth_passes(project: Project, main: Path | None = None) -> list[StackResult]:
    """Every pass of the offline synth in order, each stack's result as that pass left it: the same walk as
    ``automation.synth.synth_all`` (the plan's steps for all stacks, then again for a stack while a peer output it
    read has changed), keeping each pass's result instead of only the last. The cyclic collector is paused
    meanwhile, as synth_all does (its collections would rescan pulumi_aws's objects on every pass)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _synth_passes(project, main)
    finally:
        if was_enabled:
            gc.enable()


def _synth_passes(project: Project, main: Path | None) -> list[StackResult]:
    stacks = project.stacks()
    settings = load_all_settings(project, stacks)
    by_role: dict[Role, list[str]] = {}
    for s in sorted(stacks):
        by_role.setdefault(settings[s].role, []).append(s)
    outputs: dict[str, dict[str, Any]] = {}
    latest: dict[str, StackResult] = {}
    seen: dict[str, str] = {}
    history: list[StackResult] = []

    def peers_view(stack: str) -> str:
        view: dict[str, Any] = {}
        for peer, keys in (latest[stack].reads if stack in latest else {}).items():
            current = outputs.get(peer, {})
            view[peer] = current if ALL_OUTPUTS in keys else {k: current.get(k) for k in sorted(keys)}
        return json.dumps(view, sort_keys=True)

    def step(stack: str) -> None:
        latest[stack] = synth_stack(project, stack, outputs, main)
        outputs[stack] = latest[stack].outputs
        history.append(latest[stack])
        seen[stack] = peers_view(stack)

    steps = plan.order(by_role)
    for stack, _why in steps:
        step(stack)
    for _ in range(plan.MAX_ROUNDS):
        stale = [stack for stack in dict(steps) if seen[stack] != peers_view(stack)]
        if not stale:
            break
        for stack in stale:
            step(stack)
    return history


# --- the estimate ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PathStep:
    name: str
    type: str
    seconds: float
    start: float
    end: float
    source: str  # where the duration comes from (the table entry's source), "" for a component


@dataclass(frozen=True)
class Lengthening:
    """An explicit depends_on on a critical path whose removal would shorten its pass."""

    dependent: str
    dependent_type: str
    dependency: str
    dependency_type: str
    saves: float  # seconds the pass would take less without it
    required: bool  # in data/required_dependencies.json
    reason: str  # the allow-list's reason, or why it is flagged
    via: str = ""  # the component whose depends_on its children inherit, if it comes from one
    siblings: tuple[str, ...] = ()  # the dependent's type-mates with the same explicit dependency (removed with it)


@dataclass(frozen=True)
class PassEstimate:
    index: int  # 1-based, in the plan's order
    stack: str
    region: str
    created: int  # resources the pass creates
    seconds: float
    path: list[PathStep]
    lengthening: list[Lengthening]


@dataclass(frozen=True)
class DeployEstimate:
    passes: list[PassEstimate]

    @property
    def seconds(self) -> float:
        """The whole plan: its passes run one after another."""
        return sum(p.seconds for p in self.passes)

    def per_stack(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for p in self.passes:
            out[p.stack] = out.get(p.stack, 0.0) + p.seconds
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-able (``report.deployTime`` in ``synth --json``)."""
        return {
            "totalSeconds": self.seconds,
            "stacks": {s: {"seconds": v, "passes": [p.index for p in self.passes if p.stack == s]}
                       for s, v in sorted(self.per_stack().items())},
            "passes": [{
                "pass": p.index, "stack": p.stack, "region": p.region, "created": p.created, "seconds": p.seconds,
                "criticalPath": [{"name": s.name, "type": s.type, "seconds": s.seconds, "start": s.start,
                                  "end": s.end, "source": s.source} for s in p.path],
                "dependsOn": [{"dependent": x.dependent, "dependentType": x.dependent_type,
                               "dependency": x.dependency, "dependencyType": x.dependency_type,
                               "savesSeconds": x.saves, "required": x.required, "reason": x.reason,
                               "inheritedFrom": x.via or None, "sameFor": list(x.siblings)}
                              for x in p.lengthening],
            } for p in self.passes],
            "assumptions": ASSUMPTIONS,
            "durations": str(CREATE_TIMES.relative_to(CREATE_TIMES.parent.parent.parent)),
            "requiredDependencies": str(REQUIRED_DEPENDENCIES.relative_to(CREATE_TIMES.parent.parent.parent)),
        }


ASSUMPTIONS = [
    f"pulumi up runs operations in parallel as dependencies allow, without a cap by default (--parallel, "
    f"{PULUMI_PARALLEL_DOC}); a --parallel N run can take longer",
    "each pass waits only for what it creates; updates and deletions in later passes count as instant",
    "typical create times per type (automation/data/create_times.json), no API throttling or retries, and no time "
    "for the program's run or the engine's overhead per pass",
]

FLAGGED = "explicit depends_on: no property dependency requires it"


def _pass_estimate(index: int, result: StackResult, done: set[str], table: CreateTimes,
                   allowed: RequiredDependencies) -> PassEstimate:
    graph = build_graph(result.resources)
    created = {u: r for u, r in graph.nodes.items() if u not in done}
    durations: dict[str, float] = {}
    sources: dict[str, str] = {}
    for u, r in created.items():
        seconds, entry = duration(r, table)
        durations[u] = seconds
        sources[u] = entry.source if entry is not None else ""
    edges = {u: list(graph.deps[u]) for u in created}
    total, path = critical_path(durations, edges)
    steps: list[PathStep] = []
    at = 0.0
    for u in path:
        r = graph.nodes[u]
        steps.append(PathStep(r.name, r.type, durations[u], at, at + durations[u], sources[u]))
        at += durations[u]
    lengthening: list[Lengthening] = []
    for before, after in itertools.pairwise(path):
        edge = graph.deps[after][before]
        if not edge.explicit_only:
            continue
        # The same depends_on usually holds for a family of resources (one line in a loop: every NAT gateway on
        # the internet gateway); removing it for one of them alone would leave its siblings on the same path.
        family = sorted((u for u in created if created[u].type == created[after].type
                         and before in graph.deps[u] and graph.deps[u][before].explicit_only),
                        key=lambda u: created[u].name)
        without = {u: [d for d in ds if not (u in family and d == before)] for u, ds in edges.items()}
        shorter, _ = critical_path(durations, without)
        if shorter >= total:
            continue
        a, b = graph.nodes[after], graph.nodes[before]
        rule = next((x for x in allowed.required if x.matches(a, b)), None)
        via = graph.resources[edge.via].name if edge.via is not None else ""
        lengthening.append(Lengthening(
            dependent=a.name, dependent_type=a.type, dependency=b.name, dependency_type=b.type,
            saves=total - shorter, required=rule is not None,
            reason=rule.reason if rule is not None else FLAGGED, via=via,
            siblings=tuple(created[u].name for u in family if u != after)))
    return PassEstimate(index=index, stack=result.stack, region=result.region, created=len(created),
                        seconds=total, path=steps, lengthening=lengthening)


def estimate_passes(passes: Sequence[StackResult], table: CreateTimes | None = None,
                    allowed: RequiredDependencies | None = None) -> DeployEstimate:
    """The estimate over per-pass results in the plan's order (``synth_passes``)."""
    table = table or create_times()
    allowed = allowed or required_dependencies()
    done: dict[str, set[str]] = {}
    out = []
    for i, result in enumerate(passes, start=1):
        made = done.setdefault(result.stack, set())
        out.append(_pass_estimate(i, result, made, table, allowed))
        made.update(r.urn for r in result.resources)
    return DeployEstimate(passes=out)


def estimate(run: SynthRun | Sequence[StackResult], project: Project, main: Path | None = None) -> DeployEstimate:
    """The deploy-time estimate of a fresh pair. Given a SynthRun, its per-pass results are used when it keeps
    them (a non-empty ``history``: the StackResult of each pass, in order); otherwise the passes are synthesized
    again (``synth_passes``, with the same ``main`` program) and must be the run's."""
    if isinstance(run, SynthRun):
        history: Sequence[StackResult] | None = getattr(run, "history", None) or None
        if history is None:
            history = synth_passes(project, main)
        if [r.stack for r in history] != run.passes:
            raise DeployTimeError(f"the passes synthesized again ({' → '.join(r.stack for r in history)}) "
                                  f"differ from the run's ({' → '.join(run.passes)})")
        return estimate_passes(history)
    return estimate_passes(run)


# --- the report ------------------------------------------------------------------------------------------------

def clock(seconds: float) -> str:
    """``1:02:05`` or ``2:05``: hours only when there are any."""
    s = round(seconds)
    h, rest = divmod(s, 3600)
    m, sec = divmod(rest, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


def render(est: DeployEstimate) -> str:
    """The estimate as the synth prints it: the plan, each pass's critical path and lengthening depends_on."""
    stacks = ", ".join(f"{s} {clock(v)}" for s, v in sorted(est.per_stack().items()))
    lines = [f"deploy time of a fresh pair (estimate; pulumi up along the plan, passes one after another): "
             f"{clock(est.seconds)}  ({stacks})"]
    for p in est.passes:
        lines.append(f"  pass {p.index} {p.stack} ({p.region}): {p.created} resource(s) created, {clock(p.seconds)}")
        if p.path:
            lines.append("    critical path:")
        for s in p.path:
            lines.append(f"      {clock(s.start):>8} → {clock(s.end):>8}  {clock(s.seconds):>7}  {s.type}  {s.name}")
        for x in p.lengthening:
            what = "required" if x.required else "FLAGGED"
            inherited = f" (inherited from component {x.via})" if x.via else ""
            also = f" (and {len(x.siblings)} more {x.dependent_type.split(':')[-1]})" if x.siblings else ""
            lines.append(f"    {what}: {x.dependent}{also} depends on {x.dependency}{inherited}, "
                         f"{clock(x.saves)} of this pass: {x.reason}")
    lines.extend(f"  assumes: {a}" for a in ASSUMPTIONS)
    return "\n".join(lines)
