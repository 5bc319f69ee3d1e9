"""The deploy-time estimate (automation/deploytime.py): the critical path of small hand-drawn graphs, the graph the
engine would walk (components, inherited and explicit dependencies), which pass creates what, the flagged and the
required depends_on, and the estimate of the real stacks along the plan."""

import json
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from automation import deploytime
from automation.deploytime import (
    CreateTime,
    CreateTimes,
    DeployTimeError,
    RequiredDependencies,
    RequiredDependency,
    build_graph,
    critical_path,
    duration,
    estimate,
    estimate_passes,
    render,
)
from automation.mocks import Registration
from automation.project import Project
from automation.synth import StackResult, SynthRun

SLOW, FAST = "test:slow:Slow", "test:fast:Fast"
STACK = "dev"
PLAN = ["prod-eu", "prod-us", "prod-eu", "prod-us", "prod-eu"]  # automation/plan.py for one stack per role


# --- the pure core: hand-drawn graphs -------------------------------------------------------------------------

def test_chain_adds_up() -> None:
    assert critical_path({"a": 1, "b": 2, "c": 3}, {"b": ["a"], "c": ["b"]}) == (6, ["a", "b", "c"])


def test_diamond_takes_the_longer_side() -> None:
    # a(1) -> b(5) -> d(1) and a(1) -> c(2) -> d: d starts when b ends (1 + 5), so 7 through b.
    nodes = {"a": 1.0, "b": 5.0, "c": 2.0, "d": 1.0}
    assert critical_path(nodes, {"b": ["a"], "c": ["a"], "d": ["b", "c"]}) == (7, ["a", "b", "d"])


def test_parallel_branches_run_side_by_side() -> None:
    # x1(3) -> x2(4) is 7; y(10) alone is longer; z(2) waits for nobody.
    assert critical_path({"x1": 3, "x2": 4, "y": 10, "z": 2}, {"x2": ["x1"]}) == (10, ["y"])


def test_dependencies_outside_the_pass_are_done_already() -> None:
    # "vpc" was created by an earlier pass: "db" starts at 0.
    assert critical_path({"db": 20}, {"db": ["vpc"]}) == (20, ["db"])


def test_ties_are_broken_by_name_whatever_the_order_given() -> None:
    one = critical_path({"b": 2, "a": 2, "c": 1}, {"c": ["b", "a"]})
    two = critical_path({"c": 1, "a": 2, "b": 2}, {"c": ["a", "b"]})
    assert one == two == (3, ["a", "c"])


def test_empty_graph_takes_no_time() -> None:
    assert critical_path({}, {}) == (0, [])


def test_a_cycle_is_refused() -> None:
    with pytest.raises(DeployTimeError, match="cycle through: a, b"):
        critical_path({"a": 1, "b": 1, "c": 1}, {"a": ["b"], "b": ["a"]})


# --- the graph of registrations ---------------------------------------------------------------------------------

def urn(typ: str, name: str, parents: Sequence[str] = ()) -> str:
    chain = "$".join([*parents, typ])
    return f"urn:pulumi:{STACK}::proj::{chain}::{name}"


def reg(typ: str, name: str, *, custom: bool = True, parent: str = "", props: dict[str, list[str]] | None = None,
        after: Sequence[str] = (), inputs: dict[str, Any] | None = None, parents: Sequence[str] = ()) -> Registration:
    """A registration as the SDK sends it: ``dependencies`` holds the property dependencies' URNs and ``after``
    (an explicit depends_on)."""
    props = props or {}
    deps = sorted({u for us in props.values() for u in us} | set(after))
    return Registration(urn=urn(typ, name, parents), type=typ, name=name, custom=custom, parent=parent, provider="",
                        protect=False, dependencies=deps, property_dependencies=props, inputs=inputs or {},
                        outputs={}, id=name if custom else "", delete_before_replace=None, ignore_changes=[],
                        aliases=[], additional_secret_outputs=[])


def result(resources: list[Registration], stack: str = STACK) -> StackResult:
    return StackResult(stack=stack, project="proj", region="us-east-1", role="primary", stack_urn="",
                       resources=resources, outputs={})


def entry(seconds: float, when: dict[str, Any] | None = None, **extra: Any) -> CreateTime:
    return CreateTime.model_validate({"when": when or {}, "seconds": seconds, "what": "test", "source": "test",
                                      "read": "2026-12-02", "basis": "test", **extra})


TABLE = CreateTimes(about="test", default=entry(1), types={SLOW: [entry(100)]})
NOTHING_REQUIRED = RequiredDependencies(about="test", required=[])


def estimate_of(resources: list[Registration], allowed: RequiredDependencies = NOTHING_REQUIRED
                ) -> deploytime.PassEstimate:
    return estimate_passes([result(resources)], TABLE, allowed).passes[0]


def test_a_dependency_on_a_component_is_one_on_each_of_its_children() -> None:
    comp = reg("test:index:Tier", "tier", custom=False)
    slow = reg(SLOW, "slow-child", parent=comp.urn, parents=["test:index:Tier"])
    fast = reg(FAST, "fast-child", parent=comp.urn, parents=["test:index:Tier"])
    user = reg(FAST, "user", props={"input": [comp.urn]})
    graph = build_graph([comp, slow, fast, user])
    assert set(graph.nodes) == {slow.urn, fast.urn, user.urn}  # the component itself takes no time
    assert set(graph.deps[user.urn]) == {slow.urn, fast.urn}
    p = estimate_of([comp, slow, fast, user])
    assert (p.seconds, [s.name for s in p.path]) == (101, ["slow-child", "user"])
    assert [(s.start, s.end) for s in p.path] == [(0, 100), (100, 101)]


def test_a_components_depends_on_holds_for_its_children() -> None:
    slow = reg(SLOW, "slow")
    comp = reg("test:index:Tier", "tier", custom=False, after=[slow.urn])
    child = reg(FAST, "child", parent=comp.urn, parents=["test:index:Tier"])
    p = estimate_of([slow, comp, child])
    assert (p.seconds, [s.name for s in p.path]) == (101, ["slow", "child"])
    [flag] = p.lengthening
    assert (flag.dependent, flag.dependency, flag.via, flag.required) == ("child", "slow", "tier", False)


def test_a_custom_parent_is_waited_for() -> None:
    parent = reg(SLOW, "table")
    child = reg(FAST, "route", parent=parent.urn, parents=[SLOW])
    p = estimate_of([parent, child])
    assert [s.name for s in p.path] == ["table", "route"]
    assert p.lengthening == []  # a parent is not an explicit depends_on


def test_an_explicit_depends_on_that_lengthens_the_path_is_flagged() -> None:
    # lb waits for the bucket policy (100) by depends_on only, and the slow listener waits for lb through an input:
    # 100 + 1 + 100. Without the depends_on, lb waits only for its subnets' "other" (1): 1 + 1 + 100 = 102.
    slow = reg(SLOW, "bucket-policy")
    other = reg(FAST, "other")
    lb = reg(FAST, "lb", props={"subnets": [other.urn]}, after=[slow.urn])
    listener = reg(SLOW, "listener", props={"loadBalancerArn": [lb.urn]})
    p = estimate_of([slow, other, lb, listener])
    assert (p.seconds, [s.name for s in p.path]) == (201, ["bucket-policy", "lb", "listener"])
    [flag] = p.lengthening
    assert (flag.dependent, flag.dependency, flag.required, flag.saves) == ("lb", "bucket-policy", False, 99)
    assert flag.reason == deploytime.FLAGGED
    assert "FLAGGED: lb depends on bucket-policy, 1:39 of this pass" in render(estimate_passes(
        [result([slow, other, lb, listener])], TABLE, NOTHING_REQUIRED))


def test_an_explicit_depends_on_in_the_allow_list_is_required_not_flagged() -> None:
    slow = reg(SLOW, "bucket-policy")
    lb = reg(FAST, "lb", after=[slow.urn])
    listener = reg(SLOW, "listener", props={"loadBalancerArn": [lb.urn]})
    allowed = RequiredDependencies(about="test", required=[RequiredDependency(
        dependent=FAST, dependency=SLOW, reason="ELB checks the bucket policy")])
    [flag] = estimate_of([slow, lb, listener], allowed).lengthening
    assert (flag.required, flag.reason, flag.saves) == (True, "ELB checks the bucket policy", 100)
    # The names narrow an entry: one for another dependency's name does not apply.
    other = RequiredDependencies(about="test", required=[RequiredDependency.model_validate(
        {"dependent": FAST, "dependency": SLOW, "dependencyName": "logs-.*", "reason": "x"})])
    assert estimate_of([slow, lb, listener], other).lengthening[0].required is False


def test_a_dependency_an_input_carries_is_never_flagged() -> None:
    slow = reg(SLOW, "vpc")
    subnet = reg(FAST, "subnet", props={"vpcId": [slow.urn]})
    p = estimate_of([slow, subnet])
    assert [s.name for s in p.path] == ["vpc", "subnet"]
    assert p.lengthening == []
    assert build_graph([slow, subnet]).deps[subnet.urn][slow.urn].inputs == {"vpcId"}


def test_an_explicit_depends_on_off_the_critical_path_is_not_reported() -> None:
    slow = reg(SLOW, "database")
    fast = reg(FAST, "policy")
    alarm = reg(FAST, "alarm", after=[fast.urn])
    assert estimate_of([slow, fast, alarm]).lengthening == []


def test_the_same_depends_on_of_siblings_is_removed_together() -> None:
    # Three NAT gateways wait for the (here slow) internet gateway by depends_on, and a slow route waits for each:
    # dropping one NAT's edge alone leaves the other two on a 201 s path; dropping the family's leaves 101.
    igw = reg(SLOW, "igw")
    nats = [reg(FAST, f"nat-{z}", after=[igw.urn]) for z in "abc"]
    routes = [reg(SLOW, f"route-{n.name}", props={"natGatewayId": [n.urn]}) for n in nats]
    p = estimate_of([igw, *nats, *routes])
    assert p.seconds == 201
    [flag] = p.lengthening
    assert (flag.dependent, flag.siblings, flag.saves) == ("nat-a", ("nat-b", "nat-c"), 100)


# --- durations ---------------------------------------------------------------------------------------------------

def real(typ: str, **inputs: Any) -> Registration:
    return reg(typ, "x", inputs=inputs)


def test_durations_follow_the_inputs() -> None:
    seconds = {name: duration(r)[0] for name, r in {
        "replica": real("aws:rds/instance:Instance", multiAz=True, replicateSourceDb="arn:aws:rds:us-east-1:1:db:x"),
        "multi-az": real("aws:rds/instance:Instance", multiAz=True),
        "single-az": real("aws:rds/instance:Instance", multiAz=False),
        "gateway-endpoint": real("aws:ec2/vpcEndpoint:VpcEndpoint", vpcEndpointType="Gateway"),
        "interface-endpoint": real("aws:ec2/vpcEndpoint:VpcEndpoint", vpcEndpointType="Interface"),
        "global-table": real("aws:dynamodb/table:Table", replicas=[{"regionName": "eu-west-1"}]),
        "table": real("aws:dynamodb/table:Table", replicas=[]),
        "asg": real("aws:autoscaling/group:Group", waitForElbCapacity=3, healthCheckGracePeriod=900),
        "secret-wrapped": real("aws:autoscaling/group:Group", waitForElbCapacity=3, healthCheckGracePeriod={
            "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": 420}),
        "unlisted": real("aws:iam/role:Role"),
    }.items()}
    assert seconds == {"replica": 1800, "multi-az": 1200, "single-az": 600, "gateway-endpoint": 10,
                       "interface-endpoint": 120, "global-table": 360, "table": 20, "asg": 900,
                       "secret-wrapped": 420, "unlisted": 5}
    assert duration(reg("test:index:Tier", "tier", custom=False)) == (0, None)


def test_every_figure_names_its_source_and_when_it_was_read() -> None:
    table = deploytime.create_times()
    entries = [table.default, *(v for vs in table.types.values() for v in vs)]
    for e in entries:
        assert re.match(r"https://|components/", e.source), e
        assert e.read == "2026-12-02"
    assert table.default.seconds <= 10  # "a few seconds" for everything else
    for typ, variants in table.types.items():
        assert variants[-1].when == {} or typ in {"aws:vpc/endpointServicePrivateDnsVerification:"
                                                  "EndpointServicePrivateDnsVerification"}, typ


def test_a_malformed_table_is_one_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "create_times.json"
    bad.write_text(json.dumps({"about": "x", "default": {"seconds": -1, "what": "x", "source": "x",
                                                         "read": "2026-12-02", "basis": "x"}}))
    with pytest.raises(DeployTimeError, match=r"(?s)create_times.json: .*greater than or equal to 0"):
        deploytime.create_times(bad)


# --- the passes ---------------------------------------------------------------------------------------------------

def test_a_resource_is_created_in_the_first_pass_it_appears_in() -> None:
    vpc = reg(SLOW, "vpc")
    db = reg(FAST, "db", props={"vpcId": [vpc.urn]})
    late = reg(SLOW, "replica", props={"vpcId": [vpc.urn]})
    peer = reg(FAST, "peer-thing")
    passes = [result([vpc]), result([peer], "peer"), result([vpc, db]), result([vpc, db, late])]
    est = estimate_passes(passes, TABLE, NOTHING_REQUIRED)
    assert [(p.stack, p.created, p.seconds) for p in est.passes] == [
        (STACK, 1, 100), ("peer", 1, 1), (STACK, 1, 1), (STACK, 1, 100)]
    # The vpc was made in pass 1: the db waits for nothing in pass 3, the replica for nothing in pass 4.
    assert [s.name for s in est.passes[2].path] == ["db"]
    assert [s.name for s in est.passes[3].path] == ["replica"]
    assert est.seconds == 202
    assert est.per_stack() == {STACK: 201, "peer": 1}


# --- the real stacks ----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def history(project: Project) -> list[StackResult]:
    return deploytime.synth_passes(project)


@pytest.fixture(scope="module")
def real_estimate(history: list[StackResult], project: Project) -> deploytime.DeployEstimate:
    return estimate(history, project)


def test_the_passes_are_the_plans(history: list[StackResult]) -> None:
    assert [r.stack for r in history] == PLAN


def test_the_whole_plan_is_the_sum_of_its_passes(real_estimate: deploytime.DeployEstimate) -> None:
    assert real_estimate.seconds == sum(p.seconds for p in real_estimate.passes)
    per_stack = real_estimate.per_stack()
    assert per_stack["prod-eu"] == sum(real_estimate.passes[i].seconds for i in (0, 2, 4))
    assert per_stack["prod-us"] == sum(real_estimate.passes[i].seconds for i in (1, 3))
    doc = real_estimate.to_dict()
    assert doc["totalSeconds"] == sum(p["seconds"] for p in doc["passes"])
    assert doc["stacks"]["prod-eu"]["passes"] == [1, 3, 5]


def test_the_slow_resources_are_on_the_critical_paths(real_estimate: deploytime.DeployEstimate) -> None:
    def path(i: int) -> list[tuple[str, str, float]]:
        return [(s.type, s.name, s.seconds) for s in real_estimate.passes[i].path]

    # The primary's Multi-AZ writer (20 min) is its first pass's longest chain; the secondary's cross-region
    # replica (30 min) is its second pass's, which creates it once the primary's database exists.
    assert ("aws:rds/instance:Instance", "database", 1200) in path(1)
    assert ("aws:rds/instance:Instance", "database", 1800) in path(2)
    # Each path is a chain: every step starts when the one before it ends, the last ends with the pass.
    for p in real_estimate.passes:
        assert p.path[0].start == 0 and p.path[-1].end == p.seconds
        assert all(a.end == b.start for a, b in zip(p.path, p.path[1:], strict=False))


def test_what_each_pass_creates(real_estimate: deploytime.DeployEstimate, history: list[StackResult]) -> None:
    assert [p.created for p in real_estimate.passes][3:] == [2, 1]  # the late records; the DNS verification
    assert [s.name for s in real_estimate.passes[4].path] == ["payment-service-dns-verify"]
    eu_db = [r for r in history[0].resources if r.type == "aws:rds/instance:Instance"]
    assert eu_db == []  # the replica waits for the primary's database: it is created in pass 3, not pass 1


def test_every_required_dependency_is_one_the_program_declares(history: list[StackResult]) -> None:
    """No stale entry: each allow-list entry matches an explicit-only edge of the real graphs."""
    graphs = [build_graph(r.resources) for r in history]
    allowed = deploytime.required_dependencies().required
    unused = [f"{a.dependent} <- {a.dependency}" for a in allowed if not any(
        edge.explicit_only and a.matches(g.nodes[u], g.nodes[d])
        for g in graphs for u, deps in g.deps.items() for d, edge in deps.items())]
    assert unused == []


def test_the_estimate_is_deterministic(history: list[StackResult], project: Project,
                                       real_estimate: deploytime.DeployEstimate) -> None:
    again = estimate(list(history), project)
    assert json.dumps(again.to_dict(), sort_keys=True) == json.dumps(real_estimate.to_dict(), sort_keys=True)
    assert render(again) == render(real_estimate)


@pytest.fixture
def no_resynth(monkeypatch: pytest.MonkeyPatch, history: list[StackResult]) -> Iterator[list[int]]:
    calls: list[int] = []

    def fake(project: Project, main: Path | None = None) -> list[StackResult]:
        calls.append(1)
        return history

    monkeypatch.setattr(deploytime, "synth_passes", fake)
    yield calls


def test_a_synth_run_is_estimated_from_its_passes(no_resynth: list[int], history: list[StackResult],
                                                  project: Project,
                                                  real_estimate: deploytime.DeployEstimate) -> None:
    finals = {r.stack: r for r in history}
    run = SynthRun(results=finals, passes=list(PLAN))
    assert estimate(run, project).to_dict() == real_estimate.to_dict()
    assert no_resynth == [1]  # the run keeps no per-pass results: they were synthesized again
    with pytest.raises(DeployTimeError, match="differ from the run's"):
        estimate(SynthRun(results=finals, passes=["prod-us", "prod-eu"]), project)
    # A run that keeps its passes (SynthRun.history, as the lead may add it) is read, not synthesized again.
    kept = SynthRun(results=finals, passes=list(PLAN))
    setattr(kept, "history", history)  # noqa: B010 - an attribute SynthRun does not declare (yet)
    assert estimate(kept, project).to_dict() == real_estimate.to_dict()
    assert no_resynth == [1, 1]


def test_render_names_the_passes_and_the_path(real_estimate: deploytime.DeployEstimate) -> None:
    text = render(real_estimate)
    first = text.splitlines()[0]
    assert first.startswith("deploy time of a fresh pair (estimate;")
    assert deploytime.clock(real_estimate.seconds) in first
    assert re.search(r"pass 3 prod-eu \(eu-west-1\): 100 resource\(s\) created, 30:05", text), text
    assert "aws:rds/instance:Instance  database" in text


def test_clock() -> None:
    assert [deploytime.clock(s) for s in (0, 59.6, 65, 3600, 3725)] == ["0:00", "1:00", "1:05", "1:00:00",
                                                                        "1:02:05"]
