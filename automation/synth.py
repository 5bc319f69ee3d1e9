"""The offline engine: run the real program for a stack under the SDK's mock runtime and record what it builds.

This is ``cdk synth`` for the project: no CLI, no credentials, no cloud. For each stack it evaluates
``__main__.py`` with that stack's file as config, with deterministic stand-ins for AWS (see ``mocks``), and records
every resource with the options the engine would see. ``synth_all`` walks the deployment plan, answering each
StackReference with the peer's synthesized outputs, then reruns a stack only while a peer output it reads (the
stack contract's ``peer_keys``) changes.
"""

import asyncio
import contextvars
import gc
import json
import logging
import runpy
import sys
import traceback
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar, TypeVarTuple

import pulumi
from pulumi.runtime import resource as pulumi_resource
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.config import set_all_config
from pulumi.runtime.mocks import set_mocks
from pulumi.runtime.proto import source_pb2
from pulumi.runtime.stack import run_in_stack

from automation import plan
from automation.mocks import LogRecorder, OfflineMocks, RecordingMonitor, Registration
from automation.project import Project, ProjectError, StackConfig
from components.contract import peer_keys
from components.settings.cross_region import check_stack_set
from components.settings.loader import parse_settings
from components.settings.stack import StackSettings
from components.settings.types import ConfigError, Role

_T = TypeVar("_T")
_Ts = TypeVarTuple("_Ts")

ORGANIZATION = "organization"  # what a self-managed (DIY) backend calls the org in StackReference names
ALL_OUTPUTS = "*"
PROGRAM = (Path(__file__).resolve().parent.parent / "__main__.py")  # the program components/contract.py belongs to


class SynthError(Exception):
    """The synth could not evaluate a stack. ``kind`` is ``config`` (bad input) or ``program`` (a bug)."""

    def __init__(self, stack: str, kind: str, problems: list[str], detail: str = "") -> None:
        self.stack = stack
        self.kind = kind
        self.problems = problems
        self.detail = detail
        super().__init__(f"{stack}: " + "; ".join(problems))


@dataclass
class StackResult:
    stack: str
    project: str
    region: str
    role: str
    stack_urn: str
    resources: list[Registration]
    outputs: dict[str, Any]
    logs: list[tuple[str, str]] = field(default_factory=list)
    # The peer outputs the program reads, per peer stack: the contract's names (components.contract.peer_keys),
    # or "*" (all of them) for a program other than the project's.
    reads: dict[str, set[str]] = field(default_factory=dict)

    def by_type(self, typ: str) -> list[Registration]:
        return [r for r in self.resources if r.type == typ]

    def get(self, urn: str) -> Registration:
        for r in self.resources:
            if r.urn == urn:
                return r
        raise KeyError(urn)


def _jsonable(value: Any) -> Any:
    """Plain JSON data from deserialized properties (resources become their URN, assets their path)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in sorted(value.items())}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, pulumi.Resource):
        return getattr(value, "_name", str(value))
    return str(value)


class _InlineMonitorLoop(asyncio.SelectorEventLoop):
    """An event loop that runs the SDK's monitor calls at once, in its own thread. (It runs every
    ``run_in_executor`` call inline, ``asyncio.to_thread`` included: a program that blocked in such a call
    waiting for the loop would hang here. Pulumi programs do not; the SDK uses the executor only for the monitor.)

    The SDK hands every engine call (register, read, invoke) to ``run_in_executor`` because a real engine is a
    gRPC server in another process. The mock monitor is plain Python in this one: on a worker thread each call
    costs two thread switches and a wake-up of the loop, for no parallelism (the GIL). Here the call runs
    inline and the caller awaits an already-finished future, which keeps the order of registrations the
    program's own."""

    def run_in_executor(self, executor: Executor | None, func: Callable[[*_Ts], _T],
                        *args: *_Ts) -> asyncio.Future[_T]:
        future: asyncio.Future[_T] = self.create_future()
        try:
            future.set_result(func(*args))
        except Exception as exc:  # the engine's answer is an error: the awaiting SDK code handles it
            future.set_exception(exc)
        return future


def _no_stack_trace() -> source_pb2.StackTrace:
    return source_pb2.StackTrace()


def _stack_logger(stack: str, recorder: LogRecorder) -> logging.Logger:
    """The logger the program's ``pulumi.log`` writes to: kept in the result, not printed."""
    logger = logging.getLogger(f"securecart.synth.{stack}")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    logger.handlers = [recorder]
    return logger


def _finish(loop: asyncio.AbstractEventLoop) -> None:
    """A failed program leaves SDK tasks pending: end them here rather than let asyncio complain at exit.
    (After a success the SDK has awaited every RPC and output, so this walk over every task is skipped.)"""
    pending = asyncio.all_tasks(loop)
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))


def _run_program(*, main: Path, project: str, config: StackConfig, region: str,
                 peer_outputs: dict[str, dict[str, Any]], known_stacks: list[str]) -> StackResult:
    """Evaluate the program once, in a fresh context so no runtime state leaks between stacks."""
    mocks = OfflineMocks(config.stack, region, peer_outputs, known_stacks)
    monitor = RecordingMonitor(mocks)
    recorder = LogRecorder()
    logger = _stack_logger(config.stack, recorder)

    # One event loop for everything: set_mocks already schedules work (its root stack's registration).
    loop = _InlineMonitorLoop()
    asyncio.set_event_loop(loop)
    # Outputs still tracked from an earlier run that failed belong to a closed loop: the SDK keeps them in a
    # process-wide set, and waiting on them would hang this run (pulumi.runtime.mocks.test clears it the same way).
    pulumi_settings.SETTINGS.outputs.clear()
    set_all_config(dict(config.values), list(config.secret_keys))
    set_mocks(mocks, project=project, stack=config.stack, preview=False, logger=logger, monitor=monitor,
              organization=ORGANIZATION)
    # set_mocks starts a root stack of its own; the real language host starts it inside run_in_stack instead,
    # which is also what runs a ``pulumi.run(main)`` entry point.
    pulumi_settings.ROOT.set(None)
    # Each registration walks the Python stack to tell the engine where it was declared; the mock monitor never
    # reads it, so the synth skips that walk.
    real_stack_trace = pulumi_resource._get_stack_trace
    pulumi_resource._get_stack_trace = _no_stack_trace
    program_dir = str(main.parent)
    added_path = program_dir not in sys.path
    if added_path:
        sys.path.insert(0, program_dir)

    def program() -> None:
        runpy.run_path(str(main), run_name="__main__")

    try:
        loop.run_until_complete(run_in_stack(program))
    except BaseException:
        _finish(loop)
        raise
    finally:
        loop.close()
        asyncio.set_event_loop(None)
        pulumi_resource._get_stack_trace = real_stack_trace
        if added_path:
            sys.path.remove(program_dir)

    if mocks.default_provider_uses and config.disables_default_provider("aws"):
        raise SynthError(config.stack, "program", [
            f"{use} would use the default aws provider, which {config.path.name} disables "
            f"(pulumi:disable-default-providers): pass the stack's provider"
            for use in sorted(set(mocks.default_provider_uses))
        ])

    stack_urn = f"urn:pulumi:{config.stack}::{project}::pulumi:pulumi:Stack::{project}-{config.stack}"
    outputs = _jsonable(monitor.component_outputs.get(stack_urn, {}))
    resources = sorted(monitor.registrations.values(), key=lambda r: r.urn)
    for r in resources:
        r.inputs = _jsonable(r.inputs)
        r.outputs = _jsonable(r.outputs)
    return StackResult(
        stack=config.stack, project=project, region=region, role="", stack_urn=stack_urn,
        resources=resources, outputs=outputs, logs=list(recorder.records),
    )


def synth_stack(project: Project, stack: str, peer_outputs: dict[str, dict[str, Any]] | None = None,
                main: Path | None = None) -> StackResult:
    """Synthesize one stack. Bad config raises SynthError(kind='config'); a failing program kind='program'."""
    try:
        config = project.read_stack(stack)
    except ProjectError as exc:
        raise SynthError(stack, "config", exc.problems) from None
    settings = _settings(config)
    program = main or project.main
    ctx = contextvars.Context()
    try:
        result = ctx.run(partial(_run_program, main=program, project=project.name, config=config,
                                 region=settings.region, peer_outputs=peer_outputs or {},
                                 known_stacks=project.stacks()))
    except SynthError:
        raise
    except ConfigError as exc:
        raise SynthError(stack, "config", exc.problems) from None
    except Exception as exc:
        root: BaseException = exc
        seen = {id(root)}
        # The SDK chains the same exception as its own cause in places: walk the chain, never round it.
        while isinstance(root.__cause__, Exception) and not isinstance(root, ConfigError) \
                and id(root.__cause__) not in seen:
            root = root.__cause__
            seen.add(id(root))
        if isinstance(root, ConfigError):
            raise SynthError(stack, "config", root.problems) from None
        tb = traceback.extract_tb(exc.__traceback__)
        here = [f for f in tb if str(project.root) in f.filename and "/.venv/" not in f.filename
                and "/automation/" not in f.filename]  # a line of the program, not of the engine
        where = f" (at {Path(here[-1].filename).name}:{here[-1].lineno})" if here else ""
        raise SynthError(stack, "program", [f"{type(exc).__name__}: {exc}{where}"],
                         detail="".join(traceback.format_exception(exc))) from None
    result.role = str(settings.role)
    if settings.peer_stack is not None:
        # This project's program (wherever its stack files are) reads what the contract declares; another
        # program may read anything, so any change of the peer's outputs reruns it.
        ours = program.resolve() in (project.main.resolve(), PROGRAM)
        result.reads = {settings.peer_stack: set(peer_keys(settings.role)) if ours else {ALL_OUTPUTS}}
    return result


def _settings(config: StackConfig) -> StackSettings:
    try:
        return parse_settings(config.values, config.path.name, config.secret_keys)
    except ConfigError as exc:
        raise SynthError(config.stack, "config", exc.problems) from None


def load_all_settings(project: Project, stacks: list[str]) -> dict[str, StackSettings]:
    """Validate every stack file, then the rules across them; every problem of every stack at once."""
    problems: list[str] = []
    settings: dict[str, StackSettings] = {}
    for stack in stacks:
        try:
            config = project.read_stack(stack)
            settings[stack] = parse_settings(config.values, config.path.name, config.secret_keys)
        except ProjectError as exc:
            problems.extend(exc.problems)
        except ConfigError as exc:
            problems.extend(f"Pulumi.{stack}.yaml: {p}" for p in exc.problems)
    if not problems:
        problems.extend(check_stack_set(settings))
    if problems:
        raise SynthError(", ".join(stacks), "config", problems)
    return settings


@dataclass
class SynthRun:
    results: dict[str, StackResult]
    passes: list[str]  # the stacks in the order they were synthesized
    counts: list[int] = field(default_factory=list)  # per pass: the resources the program registered
    history: list[StackResult] = field(default_factory=list)  # per pass: the stack's result as that pass left it


def synth_all(project: Project, stacks: list[str] | None = None, main: Path | None = None,
              on_step: Callable[[str, str], None] | None = None) -> SynthRun:
    """Synthesize the stacks in the deployment plan's order, then again until no outputs change.

    The cyclic garbage collector is paused meanwhile: each pass allocates a great many small objects on top of
    pulumi_aws's hundreds of thousands, and the collections they trigger would rescan all of them (more than half
    the synth's time); what a pass leaves behind is collected when the collector resumes."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _synth_all(project, stacks, main, on_step)
    finally:
        if was_enabled:
            gc.enable()


def _synth_all(project: Project, stacks: list[str] | None, main: Path | None,
               on_step: Callable[[str, str], None] | None) -> SynthRun:
    all_stacks = project.stacks()
    wanted = stacks or all_stacks
    unknown = [s for s in wanted if s not in all_stacks]
    if unknown:
        raise SynthError(", ".join(unknown), "config", [
            f"unknown stack '{s}': known stacks are {', '.join(all_stacks) or 'none'}" for s in unknown
        ])
    # Peers take part too: a stack's program reads its peer's outputs.
    settings = load_all_settings(project, all_stacks)
    involved = set(wanted)
    for s in wanted:
        peer = settings[s].peer_stack
        if peer:
            involved.add(peer)
    by_role: dict[Role, list[str]] = {}
    for s in sorted(involved):
        by_role.setdefault(settings[s].role, []).append(s)

    outputs: dict[str, dict[str, Any]] = {}
    results: dict[str, StackResult] = {}
    passes: list[str] = []
    counts: list[int] = []
    history: list[StackResult] = []
    seen: dict[str, str] = {}  # per stack: the peers' outputs its last synth read

    def peers_view(stack: str) -> str:
        """What the stack's last run read of its peers' outputs, as they stand now."""
        view: dict[str, Any] = {}
        for peer, keys in (results[stack].reads if stack in results else {}).items():
            current = outputs.get(peer, {})
            view[peer] = current if ALL_OUTPUTS in keys else {k: current.get(k) for k in sorted(keys)}
        return _canonical(view)

    def step(stack: str, why: str) -> None:
        if on_step:
            on_step(stack, why)
        results[stack] = synth_stack(project, stack, outputs, main)
        outputs[stack] = results[stack].outputs
        passes.append(stack)
        counts.append(len(results[stack].resources))
        history.append(results[stack])
        # Taken after the run (which read its peers' outputs as they stood: a stack does not change its peer).
        seen[stack] = peers_view(stack)

    steps = plan.order(by_role)
    for stack, why in steps:
        step(stack, why)
    # Converge: a stack runs again only when an output it read of its peers has since changed.
    for _ in range(plan.MAX_ROUNDS):
        stale = [(stack, why) for stack, why in dict(steps).items() if seen[stack] != peers_view(stack)]
        if not stale:
            break
        for stack, _why in stale:
            step(stack, "converge: peer outputs it read changed since it last ran")
    else:
        raise SynthError(", ".join(sorted(involved)), "program", [
            f"outputs still changing after {plan.MAX_ROUNDS} extra rounds of the deployment plan: a stack's "
            f"outputs depend on themselves through its peer"
        ])
    return SynthRun(results={s: results[s] for s in wanted}, passes=passes, counts=counts, history=history)


def _canonical(outputs: dict[str, Any] | None) -> str:
    return json.dumps(outputs, sort_keys=True)
