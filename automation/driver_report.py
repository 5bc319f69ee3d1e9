"""What the Automation API driver gathers from the engine and writes: changes by kind and policy violations per
step (from the engine events), the JSON result and the Markdown summary (a pull-request comment or
``$GITHUB_STEP_SUMMARY``)."""

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pulumi.automation import EngineEvent, OpType

KINDS = ("create", "update", "delete", "replace", "same")
# A replacement is announced as replace, then create-replacement and delete-replaced: count it once.
_COUNTED = {OpType.CREATE: "create", OpType.UPDATE: "update", OpType.DELETE: "delete",
            OpType.REPLACE: "replace", OpType.SAME: "same"}
LEVELS = ("mandatory", "remediate", "advisory")
BLOCKING = ("mandatory", "remediate")


@dataclass(frozen=True)
class PolicyViolation:
    level: str  # mandatory, remediate or advisory
    rule: str
    resource: str  # the resource's URN, "" for a stack policy
    message: str

    def line(self) -> str:
        where = self.resource.rsplit("::", 1)[-1] if self.resource else "(stack)"
        return f"[{self.level}] {self.rule}: {where}: {self.message.splitlines()[0] if self.message else ''}"


def _level(raw: str) -> str:
    """The engine says mandatory, remediate, advisory (older engines: warning)."""
    level = raw.lower()
    return level if level in ("mandatory", "remediate") else "advisory"


@dataclass
class StepResult:
    """One engine operation on one stack: what it changed (or would), the policy pack's findings, how it ended."""

    stack: str
    command: str
    changes: dict[str, int] = field(default_factory=dict)
    violations: list[PolicyViolation] = field(default_factory=list)
    error: str | None = None  # the engine's last error line when the operation failed
    skipped: str | None = None  # why the plan did not need this step
    outputs: dict[str, Any] = field(default_factory=dict)
    outputs_changed: list[str] = field(default_factory=list)  # up: the peer-read outputs this step changed
    engine_error: str | None = None  # the engine's first error diagnostic: why the operation failed
    _pre_events: dict[str, int] = field(default_factory=dict)
    _summary: dict[str, int] | None = None

    def on_event(self, event: EngineEvent) -> None:
        """The Automation API's ``on_event``: counts resource operations and collects policy events."""
        if event.resource_pre_event is not None:
            kind = _COUNTED.get(event.resource_pre_event.metadata.op)
            if kind is not None:
                self._pre_events[kind] = self._pre_events.get(kind, 0) + 1
        if event.summary_event is not None:
            self._summary = {str(getattr(k, "value", k)): int(v)
                             for k, v in event.summary_event.resource_changes.items()}
        diag = event.diagnostic_event
        if diag is not None and diag.severity == "error" and self.engine_error is None:
            lines = [ln.strip() for ln in diag.message.strip().splitlines() if ln.strip()]
            if lines:
                where = f"{diag.urn.rsplit('::', 1)[-1]}: " if diag.urn else ""
                self.engine_error = f"{where}{lines[0].removeprefix('error: ')}"
        if event.policy_event is not None:
            p = event.policy_event
            self.violations.append(PolicyViolation(_level(p.enforcement_level), p.policy_name,
                                                   p.resource_urn or "", p.message))

    def finish(self) -> None:
        """The summary event is the engine's own count; the resource events stand in when it never came."""
        self.changes = dict(self._summary if self._summary is not None else self._pre_events)

    @property
    def changed(self) -> int:
        return sum(n for kind, n in self.changes.items() if kind != "same")

    @property
    def blocking(self) -> int:
        """Violations that fail the gate: mandatory, and remediate (the engine reports a remediate-level policy
        only when it could not remediate: a validation-only rule at that level blocks as mandatory does)."""
        return sum(1 for v in self.violations if v.level in BLOCKING)

    @property
    def passed(self) -> bool:
        return self.error is None and self.blocking == 0


def _counts(changes: dict[str, int]) -> str:
    shown = [f"{changes[k]} {k}" for k in KINDS if changes.get(k)]
    shown += [f"{n} {k}" for k, n in sorted(changes.items()) if k not in KINDS and n]
    return ", ".join(shown) or "nothing"


def outcome(step: StepResult) -> str:
    """How a step went: its changes by kind, its violations, its verdict."""
    if step.skipped:
        return f"skipped ({step.skipped})"
    verdict = "ok" if step.passed else "FAILED: " + (step.error or "mandatory or remediate violation(s)")
    return f"{_counts(step.changes)}; {len(step.violations)} violation(s); {verdict}"


def progress_line(step: StepResult) -> str:
    return f"{step.command} {step.stack}: {outcome(step)}"


def result_document(command: str, backend: str, steps: list[StepResult], exit_code: int) -> dict[str, Any]:
    stacks: dict[str, Any] = {}
    for i, step in enumerate(steps, 1):
        entry = stacks.setdefault(step.stack, {"steps": [], "violations": [], "outputs": {}})
        entry["steps"].append({"step": i, "command": step.command, "changes": step.changes,
                               "outputsChanged": step.outputs_changed, "error": step.error,
                               "skipped": step.skipped, "passed": step.passed})
        entry["violations"] += [{"step": i, "level": v.level, "rule": v.rule, "resource": v.resource,
                                 "message": v.message} for v in step.violations]
        if step.outputs:
            entry["outputs"] = step.outputs
    for entry in stacks.values():
        entry["passed"] = all(s["passed"] for s in entry["steps"])
    return {"command": command, "backend": backend, "exitCode": exit_code, "passed": exit_code == 0,
            "order": [s.stack for s in steps if not s.skipped], "stacks": stacks}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _changes_table(steps: list[tuple[int, StepResult]]) -> list[str]:
    lines = ["| step | " + " | ".join(KINDS) + " | result |", "|---:|" + "---:|" * len(KINDS) + "---|"]
    for i, step in steps:
        if step.skipped:
            result = f"skipped: {step.skipped}"
        else:
            result = "pass" if step.passed else f"FAIL: {step.error or 'mandatory or remediate violation(s)'}"
        counts = " | ".join(str(step.changes.get(k, 0)) for k in KINDS)
        lines.append(f"| {i} {step.command} | {counts} | {_cell(result)} |")
    return lines


def _violations_table(steps: list[tuple[int, StepResult]]) -> list[str]:
    found = [(i, v) for i, s in steps for v in s.violations]
    if not found:
        return ["No policy violations."]
    by_level = {lv: sum(1 for _, v in found if v.level == lv) for lv in LEVELS}
    lines = ["Policy violations: " + ", ".join(f"{n} {lv}" for lv, n in by_level.items() if n), "",
             "| step | level | rule | resource | message |", "|---:|---|---|---|---|"]
    for i, v in sorted(found, key=lambda f: (LEVELS.index(f[1].level), f[1].rule, f[1].resource)):
        msg = v.message.splitlines()[0] if v.message else ""
        lines.append(f"| {i} | {v.level} | `{v.rule}` | `{_cell(v.resource) or '(stack)'}` | {_cell(msg)} |")
    return lines


def markdown(command: str, steps: list[StepResult], exit_code: int) -> str:
    verdict = "passed" if exit_code == 0 else "FAILED"
    lines = [f"## securecart {command}: {verdict}", ""]
    numbered = list(enumerate(steps, 1))
    for stack in dict.fromkeys(s.stack for s in steps):
        mine = [(i, s) for i, s in numbered if s.stack == stack]
        ok = all(s.passed for _, s in mine)
        lines += [f"### {stack}: {'pass' if ok else 'FAIL'}", "", *_changes_table(mine), "",
                  *_violations_table(mine), ""]
        outputs = next((s.outputs for _, s in reversed(mine) if s.outputs), {})
        if outputs:
            lines += ["Outputs its peer reads:", "", "| output | value |", "|---|---|"]
            lines += [f"| `{k}` | `{_cell(json.dumps(v))}` |" for k, v in sorted(outputs.items())]
            lines.append("")
    return "\n".join(lines)


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)



