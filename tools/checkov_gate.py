#!/usr/bin/env python
"""Checkov over each stack's Terraform plan export, with the accepted exceptions of ``checkov-exceptions.yaml``.

    .venv/bin/securecart synth --no-tree --tf-plan-json out/tfplan
    .venv/bin/python tools/checkov_gate.py out/tfplan [--exceptions checkov-exceptions.yaml]

For each ``<stack>.tfplan.json`` in the folder it runs ``.tools/checkov/bin/checkov -f <plan> --framework
terraform_plan -o json --quiet --skip-download`` (``--skip-download``: no call to Prisma Cloud for guidelines,
the gate needs no network), maps every failed check's Terraform address back to its Pulumi URN through
``<stack>.urns.json`` (written beside the plan by ``automation.tfplan.write_plans``) and prints a table.

Exit 0: every failure is an accepted exception. Exit 1: a failure no exception covers, an exception (check,
stack, resource pattern) that matches nothing any more (stale: remove it), or a resource type the export could
not name. Exit 2, one line: bad input (no plan in the folder, no side table, an unreadable or invalid exceptions
file, an exception without a reason, Checkov missing or failing).
"""

import argparse
import fnmatch
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

ROOT = Path(__file__).resolve().parent.parent
CHECKOV = ROOT / ".tools" / "checkov" / "bin" / "checkov"
EXCEPTIONS = ROOT / "checkov-exceptions.yaml"


class GateInputError(Exception):
    """Bad input: the gate stops with exit 2 and this one line."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class CheckException(_Model):
    """One accepted Checkov failure: a check, the stacks and the resources it applies to, and why."""

    check: str = Field(pattern=r"^CKV2?_[A-Z0-9]+_\d+$",
                       description="the Checkov check id (CKV_AWS_145); required, no default")
    stacks: list[str] = Field(min_length=1, description="the stacks it applies to; required, no default")
    resources: list[str] = Field(min_length=1, description=(
        "Terraform address globs (aws_s3_bucket.lb-logs, aws_network_acl_rule.*-in-vpc) or Pulumi URN globs "
        "(urn:pulumi:*::aws:s3/bucket:Bucket::lb-logs); each must match a failure in each listed stack; "
        "required, no default"))
    reason: str = Field(min_length=1, description="why AWS or the design needs it; required, no default")

    @field_validator("reason", mode="before")
    @classmethod
    def _reason_given(cls, value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ValueError("every exception needs a reason")
        return value


class ExceptionsFile(_Model):
    exceptions: list[CheckException] = Field(default_factory=list,
                                             description="the accepted failures; default none")


@dataclass(frozen=True)
class Finding:
    stack: str
    check: str
    name: str
    address: str
    urn: str
    file: str
    lines: tuple[int, int]


@dataclass
class Verdict:
    failures: list[Finding]  # not excepted
    accepted: list[tuple[Finding, CheckException]]
    stale: list[str]  # "<check> <stack> <pattern>: matches nothing"

    @property
    def ok(self) -> bool:
        return not self.failures and not self.stale


def load_exceptions(path: Path) -> list[CheckException]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise GateInputError(f"cannot read {path}: {err.strerror or err}") from err
    except yaml.YAMLError as err:
        raise GateInputError(f"{path} is not valid YAML: {str(err).splitlines()[0]}") from err
    try:
        return ExceptionsFile.model_validate(raw or {}).exceptions
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise GateInputError(f"{path}: {where}: {first['msg']}") from err


def findings(doc: Any, stack: str, urns: dict[str, str]) -> list[Finding]:
    """The failed checks of one ``checkov -o json`` result (one report, or a list of them)."""
    reports = doc if isinstance(doc, list) else [doc]
    out = []
    for report in reports:
        if not isinstance(report, dict) or "results" not in report:
            continue  # checkov prints {"passed": 0, "failed": 0, ...} alone when the file had nothing to scan
        for item in report["results"].get("failed_checks", []):
            address = item.get("resource_address") or item["resource"]
            line_range = item.get("file_line_range") or [0, 0]
            out.append(Finding(stack=stack, check=item["check_id"], name=item.get("check_name", ""),
                               address=address, urn=urns.get(address, "?"), file=item.get("file_abs_path", ""),
                               lines=(int(line_range[0]), int(line_range[1]))))
    return sorted(out, key=lambda f: (f.stack, f.check, f.address))


def _matches(pattern: str, finding: Finding) -> bool:
    target = finding.urn if pattern.startswith("urn:") else finding.address
    return fnmatch.fnmatchcase(target, pattern)


def judge(found: list[Finding], exceptions: list[CheckException], stacks: list[str]) -> Verdict:
    """Which failures the exceptions accept, which they do not, and which exception patterns match nothing."""
    failures, accepted = [], []
    for finding in found:
        match = next((e for e in exceptions if e.check == finding.check and finding.stack in e.stacks
                      and any(_matches(p, finding) for p in e.resources)), None)
        if match is None:
            failures.append(finding)
        else:
            accepted.append((finding, match))
    stale = []
    for exc in exceptions:
        for stack in exc.stacks:
            if stack not in stacks:
                continue  # that stack was not scanned this time
            for pattern in exc.resources:
                if not any(f.check == exc.check and f.stack == stack and _matches(pattern, f) for f in found):
                    stale.append(f"{exc.check} {stack} {pattern}: matches no failure (remove it)")
    return Verdict(failures=failures, accepted=accepted, stale=stale)


def run_checkov(plan: Path, checkov: Path = CHECKOV) -> Any:
    if not checkov.exists():
        raise GateInputError(f"{checkov} is missing: `bash tools/dev setup` installs Checkov")
    proc = subprocess.run([str(checkov), "-f", str(plan), "--framework", "terraform_plan", "-o", "json",
                           "--quiet", "--skip-download"], capture_output=True, text=True, check=False)
    if proc.returncode not in (0, 1):
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise GateInputError(f"checkov failed on {plan} (exit {proc.returncode}): {tail}")
    try:
        return json.loads(proc.stdout)
    except ValueError as err:
        raise GateInputError(f"checkov printed no JSON for {plan}: {err}") from err


def plans_in(folder: Path) -> dict[str, tuple[Path, dict[str, Any]]]:
    """Stack -> (its plan, its side table)."""
    plans = sorted(folder.glob("*.tfplan.json"))
    if not folder.is_dir() or not plans:
        raise GateInputError(f"no <stack>.tfplan.json in {folder}: run `securecart synth --tf-plan-json {folder}`")
    out = {}
    for plan in plans:
        stack = plan.name.removesuffix(".tfplan.json")
        side = folder / f"{stack}.urns.json"
        try:
            table = json.loads(side.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise GateInputError(f"cannot read {side} (the export writes it beside {plan.name}): {err}") from err
        out[stack] = (plan, table)
    return out


def table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows)


def report(verdict: Verdict, unmapped: list[str]) -> str:
    head = ("check", "stack", "resource", "pulumi urn", "file:lines")

    def row(f: Finding) -> tuple[str, ...]:
        return (f.check, f.stack, f.address, f.urn, f"{f.file}:{f.lines[0]}-{f.lines[1]}")

    parts = []
    if verdict.accepted:
        parts.append(f"accepted ({len(verdict.accepted)}, checkov-exceptions.yaml):")
        parts.append(table([("check", "stack", "resource", "reason"), *[
            (f.check, f.stack, f.address, e.reason.split("\n")[0][:100]) for f, e in verdict.accepted]]))
    if verdict.failures:
        parts.append(f"FAILED ({len(verdict.failures)}, not excepted):")
        parts.append(table([head, *[row(f) for f in verdict.failures]]))
        parts.extend(f"  {f.check} {f.name}" for f in {f.check: f for f in verdict.failures}.values())
    if verdict.stale:
        parts.append(f"STALE exceptions ({len(verdict.stale)}):")
        parts.extend(f"  {s}" for s in verdict.stale)
    if unmapped:
        parts.append("NOT EXPORTED (no Terraform type in automation/data/tf_mapping.json: re-run "
                     "tools/make_tf_mapping.py):")
        parts.extend(f"  {u}" for u in unmapped)
    ok = verdict.ok and not unmapped
    parts.append("OK: every Checkov failure is an accepted exception" if ok else
                 f"checkov gate: {len(verdict.failures)} failure(s), {len(verdict.stale)} stale exception(s), "
                 f"{len(unmapped)} type(s) not exported")
    return "\n".join(parts)


def main(argv: list[str] | None = None, checkov: Path = CHECKOV) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("folder", type=Path, help="the folder `securecart synth --tf-plan-json` wrote")
    parser.add_argument("--exceptions", type=Path, default=EXCEPTIONS, help=f"default {EXCEPTIONS}")
    args = parser.parse_args(argv)
    try:
        exceptions = load_exceptions(args.exceptions)
        stacks = plans_in(args.folder)
        found: list[Finding] = []
        unmapped: list[str] = []
        for stack, (plan, side) in stacks.items():
            found += findings(run_checkov(plan, checkov), stack, side.get("addresses", {}))
            unmapped += [f"{stack}: {u}" for u in side.get("unmappedTypes", [])]
    except GateInputError as err:
        print(f"checkov gate: {err}")
        return 2
    verdict = judge(found, exceptions, sorted(stacks))
    print(report(verdict, unmapped))
    return 0 if verdict.ok and not unmapped else 1


if __name__ == "__main__":
    sys.exit(main())
