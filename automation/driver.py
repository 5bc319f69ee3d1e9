"""The Automation API driver: ``securecart preview|up|refresh|destroy|outputs`` over the real stacks.

The project folder is the program (a local ``LocalWorkspace``), the deployment plan (``automation.plan``, the one
the offline synth walks) gives the order, and the policy pack in ``policies/`` runs on every preview and update.
Everything a run is given is checked before the pulumi CLI is first called: bad input is one line per problem and
exit 2 with nothing run. Exit 1: a mandatory violation, a failed operation, or changes under
``--expect-no-changes``.
"""

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pulumi.automation import (
    CommandError,
    EngineEvent,
    InvalidVersionError,
    LocalWorkspace,
    PulumiCommand,
    Stack,
    StackNotFoundError,
)
from securecart_rules import POLICIES
from semver import VersionInfo

from automation import plan
from automation.driver_report import StepResult, markdown, outcome, progress_line, result_document, write_text
from automation.gate import PackConfig, PolicyConfigError
from automation.progress import OnEvent, Progress, Write
from automation.project import Project, ProjectError
from automation.report import output_file_problems
from automation.synth import SynthError, synth_all
from components.contract import peer_keys
from components.settings.types import Role

COMMANDS = ("preview", "up", "refresh", "destroy", "outputs")
CONCURRENT = ("preview", "outputs")  # read-only: the stacks run side by side (a preview reads its peer, writes nothing)
EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2
STATE_DIR = ".pulumi-state"  # the default backend: a file backend inside the project (git-ignored)
POLICY_PACK = "policies"
DEFAULT_POLICY_CONFIG = "policies/policy-config.json"  # the levels the synth gate uses too
SECRET = "[secret]"
# The oldest pulumi CLI the driver runs with: Pulumi.yaml's `toolchain: uv` arrived in 3.139.0.
MINIMUM_CLI = "3.139.0"
TOOLS_BIN = ".tools/bin"  # tools/dev setup puts uv here; the CLI's Python language host runs it
ROLE_KEY = "securecart:role"  # the stack file's role decides its place in the plan
Estimate = Callable[[Project, Sequence[str]], list[int | None]]


class DriverInputError(Exception):
    """What the driver was given cannot be used: one line per problem, exit 2, nothing run."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class Request:
    command: str
    stacks: tuple[str, ...]  # the stacks asked for; all the project's when none were named
    order: tuple[str, ...]  # the steps: the stacks in the order the command visits them (``chain``)
    backend: str
    secrets_providers: dict[str, str]  # per stack: the provider a new stack is created with
    policy_pack: Path
    policy_pack_config: Path | None
    expect_no_changes: bool
    protected: str  # destroy: refuse (default), keep (--exclude-protected) or delete (unprotect, then destroy)
    json_path: Path | None
    summary_path: Path | None
    pulumi_root: Path | None
    jobs: int = 1  # preview and outputs: how many stacks run at once


# --- input, all checked before anything runs -------------------------------------------------------------------


def _stacks(project: Project, named: Sequence[str]) -> tuple[str, ...]:
    known = project.stacks()
    unknown = [s for s in named if s not in known]
    if unknown:
        raise DriverInputError([f"unknown stack '{s}': known stacks are {', '.join(known) or 'none'}"
                                for s in unknown])
    return tuple(dict.fromkeys(named)) if named else tuple(known)


def _conflicts(command: str, args: Any) -> list[str]:
    problems = []
    if args.expect_no_changes and command not in ("preview", "refresh"):
        problems.append(f"--expect-no-changes: not with {command} (it changes stacks by design); use "
                        f"`securecart preview --expect-no-changes` to check that nothing would change")
    if args.policy_pack_config is not None and command not in ("preview", "up"):
        problems.append(f"--policy-pack-config: the policy pack runs on preview and up only, not on {command}")
    if (args.allow_protected or args.keep_protected) and command != "destroy":
        problems.append(f"--allow-protected/--keep-protected: only destroy deletes resources, not {command}")
    if args.jobs is not None and command not in CONCURRENT:
        problems.append(f"--jobs: only {' and '.join(CONCURRENT)} run stacks side by side; {command} follows "
                        f"the plan one stack at a time")
    if args.jobs is not None and args.jobs < 1:
        problems.append(f"--jobs: {args.jobs} is not a number of stacks: give 1 or more")
    if args.allow_protected and args.keep_protected:
        problems.append("--allow-protected and --keep-protected: choose one (delete the protected resources "
                        "too, or keep them)")
    return problems


def _policy_config(project: Project, given: Path | None) -> Path | None:
    """``--policy-pack-config``, or policies/policy-config.json when present: checked as the synth's gate checks
    it (JSON, known rules, levels, each rule's settings against its schema) before any stack is touched."""
    path = given if given is not None else project.root / DEFAULT_POLICY_CONFIG
    if given is None and not path.is_file():
        return None
    try:
        PackConfig.load(path, POLICIES)
    except PolicyConfigError as exc:
        raise DriverInputError([f"--policy-pack-config: {p}" for p in exc.problems]) from None
    return path.resolve()


def _backend(project: Project, given: str | None, environ: Mapping[str, str]) -> str:
    """The backend URL. A file backend's folder is absolute here: the CLI runs in the project folder, so a
    relative one is the project's, and ``~`` is the home folder (as the CLI reads it)."""
    url = given or environ.get("PULUMI_BACKEND_URL") or f"file://{project.root / STATE_DIR}"
    if "://" not in url:
        raise DriverInputError([f"backend: '{url}' is not a backend URL (file://PATH, s3://BUCKET, "
                                f"https://api.pulumi.com, ...)"])
    if url.startswith("file://"):
        folder = Path(url.removeprefix("file://")).expanduser()
        url = f"file://{folder if folder.is_absolute() else project.root / folder}"
    return url


def _secrets_providers(project: Project, stacks: Sequence[str], given: str | None,
                       environ: Mapping[str, str]) -> dict[str, str]:
    """Per stack: --secrets-provider, else PULUMI_SECRETS_PROVIDER, else the stack file's own
    ``secretsprovider``, else passphrase, which needs a passphrase that is not empty."""
    chosen = {s: given or environ.get("PULUMI_SECRETS_PROVIDER") or project.secrets_provider(s) or "passphrase"
              for s in stacks}
    passphrase = [s for s, p in chosen.items() if p == "passphrase"]
    if passphrase and not (environ.get("PULUMI_CONFIG_PASSPHRASE") or environ.get("PULUMI_CONFIG_PASSPHRASE_FILE")):
        raise DriverInputError([f"secrets: {', '.join(passphrase)} use the passphrase provider, which needs "
                                f"PULUMI_CONFIG_PASSPHRASE (not empty) or PULUMI_CONFIG_PASSPHRASE_FILE (or choose "
                                f"another with --secrets-provider, e.g. awskms://alias/securecart)"])
    return chosen


def _output_path(flag: str, path: Path | None) -> Path | None:
    """``--json``/``--summary``: checked now rather than after hours of ``up`` (``output_file_problems``)."""
    problems = output_file_problems(flag, path) if path is not None else []
    if problems:
        raise DriverInputError(problems)
    return path


def _environment(project: Project) -> None:
    """What the CLI needs of the project to run its program and the pack: the locked environment
    (Pulumi.yaml's and PulumiPolicy.yaml's virtualenv, .venv) and uv (Pulumi.yaml's toolchain)."""
    problems = []
    if not (project.root / ".venv" / "bin" / "python").exists():
        problems.append(f"{project.root / '.venv'} is missing: the program and the policy pack run in it; make "
                        f"it with `bash tools/dev setup`")
    if not (project.root / TOOLS_BIN / "uv").exists() and shutil.which("uv") is None:
        problems.append(f"uv is not installed: Pulumi.yaml's toolchain is uv; `bash tools/dev setup` installs it "
                        f"into {TOOLS_BIN}, or put uv on PATH")
    if problems:
        raise DriverInputError(problems)


def request_from_args(args: Any, project: Project, environ: Mapping[str, str]) -> Request:
    """The command line and environment as a checked request; every problem found at once."""
    command: str = args.command
    problems = _conflicts(command, args)
    checks: list[Callable[[], Any]] = [
        lambda: _stacks(project, args.stacks),
        lambda: _policy_config(project, args.policy_pack_config) if command in ("preview", "up") else None,
        lambda: _backend(project, args.backend, environ),
        lambda: _secrets_providers(project, [s for s in args.stacks or project.stacks() if s in project.stacks()],
                                   args.secrets_provider, environ),
        lambda: _output_path("--json", args.json),
        lambda: _output_path("--summary", args.summary),
    ]
    values: list[Any] = []
    for check in checks:
        try:
            values.append(check())
        except DriverInputError as exc:
            problems += exc.problems
            values.append(None)
    if not (project.root / POLICY_PACK / "PulumiPolicy.yaml").is_file():
        problems.append(f"policy pack: {project.root / POLICY_PACK} has no PulumiPolicy.yaml")
    try:
        _environment(project)
    except DriverInputError as exc:
        problems += exc.problems
    if problems:
        raise DriverInputError(problems)
    stacks, config, backend, secrets, json_path, summary_path = values
    order = tuple(chain(project, command, stacks))  # reads each stack file's role: a broken one stops here
    protected = "delete" if args.allow_protected else "keep" if args.keep_protected else "refuse"
    return Request(command=command, stacks=stacks, order=order, backend=backend, secrets_providers=secrets,
                   policy_pack=(project.root / POLICY_PACK).resolve(), policy_pack_config=config,
                   expect_no_changes=bool(args.expect_no_changes), protected=protected, json_path=json_path,
                   summary_path=summary_path, pulumi_root=args.pulumi_root,
                   jobs=args.jobs if args.jobs is not None else max(len(order), 1))


def locate_cli(root: Path | None) -> PulumiCommand:
    """The pulumi CLI (``ROOT/bin/pulumi``, or ``pulumi`` on PATH) at the version the Automation API needs."""
    where = str(root / "bin" / "pulumi") if root else shutil.which("pulumi")
    if where is None or not os.access(where, os.X_OK):
        raise DriverInputError([f"the pulumi CLI is needed for this command and {where or 'pulumi'} was not found "
                                f"(install it: https://www.pulumi.com/docs/install/, or give --pulumi-root); "
                                f"`securecart synth` works without it"])
    try:
        return PulumiCommand(root=str(root) if root else None, version=VersionInfo.parse(MINIMUM_CLI))
    except InvalidVersionError as exc:
        raise DriverInputError([f"the pulumi CLI at {where} will not do: {exc} `securecart synth` works "
                                f"without it"]) from None
    except (OSError, ValueError, subprocess.SubprocessError) as exc:
        raise DriverInputError([f"the pulumi CLI at {where} does not run ({exc}); `securecart synth` works "
                                f"without it"]) from None


# --- the order ---------------------------------------------------------------------------------------------------


def _roles(project: Project, stacks: Sequence[str]) -> dict[Role, list[str]]:
    by_role: dict[Role, list[str]] = {}
    for s in stacks:
        raw = project.read_stack(s).values.get(ROLE_KEY, "")
        try:
            by_role.setdefault(Role(raw), []).append(s)
        except ValueError:
            continue
    return by_role


def chain(project: Project, command: str, stacks: Sequence[str]) -> list[str]:
    """The stacks in the order the command visits them. up: the plan's chain (repeats kept, a stack never twice
    in a row); destroy: each stack once, in the reverse of the order the plan first deploys them; the rest:
    each stack once, in the plan's order."""
    steps = [s for s, _why in plan.order(_roles(project, stacks))]
    steps += [s for s in stacks if s not in steps]  # a stack with no role in the plan comes last
    if command == "up":
        return [s for i, s in enumerate(steps) if i == 0 or steps[i - 1] != s]
    once = list(dict.fromkeys(steps))
    return once[::-1] if command == "destroy" else once


# --- the engine calls -------------------------------------------------------------------------------------------


def _error_line(exc: CommandError) -> str:
    text = str(exc)
    stderr = text.split(" stderr: ", 1)[-1] if " stderr: " in text else text
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.lower().startswith("error")]
    return (errors or lines or ["the pulumi CLI failed"])[-1]


def _interesting(outputs: Mapping[str, Any]) -> dict[str, Any]:
    """The outputs the peer stacks read (the stack contract), secrets masked."""
    keys = {k for role in Role for k in peer_keys(role)}
    return {k: (SECRET if getattr(v, "secret", False) else getattr(v, "value", v))
            for k, v in sorted(outputs.items()) if k in keys}


def _operate(stack: Stack, request: Request, step: StepResult, on_event: OnEvent, unprotect: bool) -> None:
    packs = [str(request.policy_pack)]
    configs = [str(request.policy_pack_config)] if request.policy_pack_config else None
    common: dict[str, Any] = {"on_event": on_event, "color": "never"}
    if request.command == "preview":
        stack.preview(policy_packs=packs, policy_pack_configs=configs,
                      expect_no_changes=request.expect_no_changes or None, diff=False, **common)
    elif request.command == "up":
        result = stack.up(policy_packs=packs, policy_pack_configs=configs, **common)
        step.outputs = _interesting(result.outputs)
    elif request.command == "refresh":
        stack.refresh(expect_no_changes=request.expect_no_changes or None, **common)
    elif request.command == "destroy":
        if unprotect:
            # Unprotected only now, just before its own destroy: a stack after a failed one stays protected.
            _unprotect(stack)
        stack.destroy(exclude_protected=request.protected == "keep" or None, **common)
    else:
        step.outputs = _interesting(stack.outputs())


def run_step(stack: Stack, request: Request, live: OnEvent | None = None, unprotect: bool = False) -> StepResult:
    step = StepResult(stack.name, request.command)

    def on_event(event: EngineEvent) -> None:
        step.on_event(event)
        if live is not None:
            live(event)

    try:
        _operate(stack, request, step, on_event, unprotect)
    except CommandError as exc:
        # The engine's own error diagnostic says why; the CLI prints nothing more when it bails out (a failed
        # resource, a mandatory violation), so stderr is the last resort, and violations speak for themselves.
        step.error = step.engine_error or (None if step.blocking else _error_line(exc))
    step.finish()
    if request.expect_no_changes and step.changed and step.error is None:
        step.error = f"{step.changed} change(s) where none were expected"
    return step


def _open(workspace: LocalWorkspace, name: str, command: str) -> Stack:
    """preview, up and refresh create a stack the backend does not have yet; destroy and outputs never do."""
    backend = workspace.env_vars.get("PULUMI_BACKEND_URL")
    try:
        if command in ("preview", "up", "refresh"):
            return Stack.create_or_select(name, workspace)
        return Stack.select(name, workspace)
    except StackNotFoundError:
        raise DriverInputError([f"stack '{name}' does not exist in the backend {backend}: nothing to "
                                f"{command}"]) from None
    except CommandError as exc:
        raise DriverInputError([f"stack '{name}' in the backend {backend}: {_error_line(exc)}"]) from None


def _protected(state: list[dict[str, Any]]) -> list[str]:
    return [str(r.get("urn")) for r in state if r.get("protect")]


def _check_protected(states: dict[str, list[dict[str, Any]]], request: Request) -> None:
    """destroy: a protected resource stops it before anything is deleted, unless a flag says what to do."""
    if request.protected != "refuse":
        return
    problems = []
    for name, state in states.items():
        urns = _protected(state)
        if urns:
            shown = ", ".join(u.rsplit("::", 1)[-1] for u in urns[:5]) + (", ..." if len(urns) > 5 else "")
            problems.append(f"{name}: {len(urns)} protected resource(s) ({shown}): nothing destroyed; "
                            f"--keep-protected destroys the rest and keeps them, --allow-protected unprotects "
                            f"and destroys them too")
    if problems:
        raise DriverInputError(problems)


def _unprotect(stack: Stack) -> None:
    workspace = stack.workspace
    assert isinstance(workspace, LocalWorkspace)
    workspace.pulumi_command.run(["state", "unprotect", "--all", "--yes", "--stack", stack.name],
                                 workspace.work_dir, dict(workspace.env_vars))  # raises CommandError on failure


def _needed(name: str, ran: dict[str, int], changed_at: dict[str, int]) -> bool:
    """up: a stack runs again only when another stack changed something after its last run."""
    if name not in ran:
        return True
    return any(at > ran[name] for other, at in changed_at.items() if other != name)


def _label(request: Request, i: int, name: str) -> str:
    steps = len(request.order)
    chained = steps > 1 and request.command not in CONCURRENT
    return f"{request.command} {name}" + (f" (step {i + 1} of {steps})" if chained else "")


def _step(i: int, name: str, stack: Stack, request: Request, progress: Progress, *,
          expected: int | None, unprotect: bool = False) -> StepResult:
    """One engine operation with its live line; its violations (and for outputs, the outputs) are said when it
    ends."""
    on_event = progress.begin(str(i), _label(request, i, name), expected, planning=request.command == "preview")
    step = run_step(stack, request, on_event, unprotect)
    progress.end(str(i), outcome(step))
    for v in step.violations:
        progress.say(f"  {name}: {v.line()}")
    if request.command == "outputs":
        for key, value in step.outputs.items():
            progress.say(f"  {name}: {key} = {json.dumps(value)}")
    return step


SKIPPED = "converged: no other stack changed a resource or an output since its last run"


def _run_chain(stacks: dict[str, Stack], request: Request, progress: Progress,
               expected: Sequence[int | None], outputs: dict[str, dict[str, Any]], *,
               unprotect: frozenset[str] = frozenset()) -> list[StepResult]:
    """up, refresh, destroy: one step after another in the request's order. up: a step counts as a change for
    its peer when it changed a resource or an output the peer reads (``outputs``: those outputs per stack as
    they stood before the chain). destroy: the stacks in ``unprotect`` are unprotected just before theirs."""
    steps: list[StepResult] = []
    ran: dict[str, int] = {}
    changed_at: dict[str, int] = {}
    for i, name in enumerate(request.order):
        if request.command == "up" and not _needed(name, ran, changed_at):
            steps.append(StepResult(name, "up", skipped=SKIPPED))
            progress.say(progress_line(steps[-1]))
            continue
        step = _step(i, name, stacks[name], request, progress, expected=expected[i], unprotect=name in unprotect)
        steps.append(step)
        ran[name] = i
        if request.command == "up" and step.error is None:
            step.outputs_changed = sorted(k for k in {*step.outputs, *outputs.get(name, {})}
                                          if step.outputs.get(k) != outputs.get(name, {}).get(k))
            outputs[name] = step.outputs
        if step.changed or step.outputs_changed:
            changed_at[name] = i
        if not step.passed and request.command in ("up", "destroy"):
            break  # the next step would build on (or tear down around) a stack left half-done
    return steps


def _run_side_by_side(stacks: dict[str, Stack], request: Request, progress: Progress) -> list[StepResult]:
    """preview, outputs: up to ``jobs`` stacks at once, each on its own thread (the engine runs in a pulumi
    process of its own); the results in the request's order whatever order they finish in."""
    with ThreadPoolExecutor(max_workers=min(request.jobs, len(request.order)),
                            thread_name_prefix="securecart") as pool:
        futures = [pool.submit(_step, i, name, stacks[name], request, progress, expected=None)
                   for i, name in enumerate(request.order)]
        return [f.result() for f in futures]


def exit_code(steps: list[StepResult]) -> int:
    return EXIT_OK if all(s.passed for s in steps) else EXIT_FAILED


def _state(stack: Stack) -> list[dict[str, Any]]:
    """The resources in the stack's state (none for a stack never deployed), read once per run."""
    try:
        deployment = stack.export_stack().deployment or {}
    except CommandError as exc:
        raise DriverInputError([f"{stack.name}: its state cannot be read: {_error_line(exc)}"]) from None
    return list(deployment.get("resources") or [])


def _outputs_now(stacks: dict[str, Stack]) -> dict[str, dict[str, Any]]:
    """up: the outputs each stack's peer reads, as they stand before the chain (none for a new stack)."""
    found = {}
    for name, stack in stacks.items():
        try:
            found[name] = _interesting(stack.outputs())
        except CommandError as exc:
            raise DriverInputError([f"{name}: its outputs cannot be read: {_error_line(exc)}"]) from None
    return found


def _expected(request: Request, states: dict[str, list[dict[str, Any]]],
              estimate: Sequence[int | None] | None) -> list[int | None]:
    """Per step, the resources it is expected to touch. up: the offline synth's pass for a stack not yet
    deployed, its last pass for one that is (the program then registers everything at once); destroy: what the
    state holds."""
    if request.command == "destroy":
        return [len(states[name]) for name in request.order]
    if request.command != "up" or estimate is None:
        return [None] * len(request.order)
    last = {name: n for name, n in zip(request.order, estimate, strict=True)}
    deployed = {name for name, state in states.items() if state}
    return [last[name] if name in deployed else n for name, n in zip(request.order, estimate, strict=True)]


def synth_estimate(project: Project, order: Sequence[str]) -> list[int | None]:
    """up: per step, the resources the offline synth's matching pass registers (the plan is the same), plus the
    stack resource itself. The program runs here as `securecart synth` runs it: a stack file or the program that
    fails offline fails the same way in a real update, so it is bad input and nothing runs."""
    try:
        run = synth_all(project, list(dict.fromkeys(order)))
    except SynthError as exc:
        why = "" if exc.kind == "config" else f"{exc.stack}: the program fails offline (`securecart synth`): "
        raise DriverInputError([why + p for p in exc.problems]) from None
    per_stack: dict[str, list[int]] = {}
    for name, count in zip(run.passes, run.counts, strict=True):
        per_stack.setdefault(name, []).append(count + 1)
    seen: dict[str, int] = {}
    found: list[int | None] = []
    for name in order:
        k = seen[name] = seen.get(name, -1) + 1
        counts = per_stack.get(name)
        found.append(counts[min(k, len(counts) - 1)] if counts else None)
    return found


def execute(request: Request, project: Project, command: PulumiCommand, progress: Progress,
            estimate: Sequence[int | None] | None = None) -> int:
    """Run a checked request with the given pulumi CLI. Returns the exit code; bad input raises before any
    change is made."""
    if request.backend.startswith("file://"):
        Path(request.backend.removeprefix("file://")).mkdir(parents=True, exist_ok=True)
    env = {"PULUMI_BACKEND_URL": request.backend}
    tools = project.root / TOOLS_BIN
    if (tools / "uv").exists():  # the CLI's language host runs uv (Pulumi.yaml's toolchain)
        env["PATH"] = f"{tools}{os.pathsep}{os.environ.get('PATH', '')}"
    # One workspace per stack: each creates its stack with its own secrets provider.
    stacks = {name: _open(LocalWorkspace(work_dir=str(project.root), env_vars=env, pulumi_command=command,
                                         secrets_provider=request.secrets_providers[name]), name, request.command)
              for name in dict.fromkeys(request.order)}
    # Each stack's state, read once: what destroy must not delete, what each step is expected to touch.
    states = {name: _state(stack) for name, stack in stacks.items()} if request.command in ("up", "destroy") \
        else {}
    if request.command == "destroy":
        _check_protected(states, request)
    unprotect = frozenset(name for name, state in states.items()
                          if request.command == "destroy" and request.protected == "delete" and _protected(state))
    outputs = _outputs_now(stacks) if request.command == "up" else {}
    expected = _expected(request, states, estimate)
    try:
        if request.command in CONCURRENT:
            steps = _run_side_by_side(stacks, request, progress)
        else:
            steps = _run_chain(stacks, request, progress, expected, outputs, unprotect=unprotect)
    finally:
        progress.close()
    code = exit_code(steps)
    code = _write_reports(request, steps, code, progress)
    ran = " → ".join(s.stack for s in steps if not s.skipped)
    progress.say(f"{request.command}: {'OK' if code == EXIT_OK else 'FAILED'} ({ran})")
    return code


def _write_reports(request: Request, steps: list[StepResult], code: int, progress: Progress) -> int:
    """The JSON result and the Markdown summary. A file that cannot be written is said and fails the run (the
    operations themselves are done)."""
    writes: list[tuple[Path | None, Callable[[], str]]] = [
        (request.json_path, lambda: json.dumps(result_document(request.command, request.backend, steps, code),
                                               indent=2, sort_keys=True) + "\n"),
        (request.summary_path, lambda: markdown(request.command, steps, code)),
    ]
    for path, text in writes:
        if path is None:
            continue
        try:
            write_text(path, text())
        except OSError as exc:
            progress.say(f"error: cannot write {path} ({exc.strerror or exc})")
            code = EXIT_FAILED
    return code


def _stdout(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def _stderr(line: str) -> None:
    print(line, file=sys.stderr)


def live_terminal(environ: Mapping[str, str]) -> bool:
    """Live lines only on a terminal that can move its cursor; plain lines in CI logs and pipes."""
    return sys.stdout.isatty() and environ.get("TERM", "") not in ("", "dumb")


def main(args: Any, project: Project, *, environ: Mapping[str, str] | None = None, out: Write = _stdout,
         error: Callable[[str], None] = _stderr, live: bool | None = None) -> int:
    """``securecart preview|up|refresh|destroy|outputs``: check the input, find the CLI, run."""
    env = os.environ if environ is None else environ
    try:
        request = request_from_args(args, project, env)
        command = locate_cli(request.pulumi_root)
        estimate = None
        if request.command == "up":
            out("up: each step's resources, from the offline synth of the same plan ...\n")
            estimate = estimate_resources(project, request.order)
        progress = Progress(out, live_terminal(env) if live is None else live)
        return execute(request, project, command, progress, estimate)
    except (DriverInputError, ProjectError) as exc:
        for problem in exc.problems:
            error(f"error: {problem}")
        return EXIT_BAD_INPUT


estimate_resources: Estimate = synth_estimate  # tests put a cheaper one in its place
