"""Driver benchmark: the Automation API driver's own overhead over the raw engine calls it makes.

The driver runs `preview` (both stacks, side by side), `up` (the plan's chain of five steps) and `destroy` against
the test double of the pulumi CLI (tests/fake_pulumi/bin/pulumi: it never deploys anything), each step reporting
--resources resource events, as a real stack's step does. Every CLI invocation the driver made is recorded; the
same invocations are then replayed directly (subprocesses in the same order, the previews side by side as the
driver ran them). The difference is what the driver itself costs: the Automation API's workspace and event-log
handling, the stack selection, the policy-event and progress bookkeeping. `up`'s estimate of each step's
resources (the offline synth of the same plan) is timed apart: it runs once per `up`, not per step.

Target: at most 0.5 s of driver overhead per engine operation (a real step takes minutes).

    python benchmarks/bench_driver.py [--resources N] [--runs N] [--strict]
"""

import argparse
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from automation import cli, driver  # noqa: E402 - the project root first, as the console script has it
from automation.project import Project  # noqa: E402

_T = TypeVar("_T")
FAKE = ROOT / "tests" / "fake_pulumi"
TARGET_OVERHEAD_PER_OPERATION = 0.5
OPERATIONS = ("preview", "up", "refresh", "destroy")


def _replay(calls: list[dict[str, Any]], env: dict[str, str], scratch: Path) -> float:
    """The recorded invocations, run straight: the operations that overlapped under the driver (previews) run
    side by side again; everything else one after the other."""
    def run(call: dict[str, Any]) -> None:
        args = list(call["argv"])
        if "--event-log" in args:
            fd, log = tempfile.mkstemp(dir=scratch, suffix=".jsonl")
            os.close(fd)
            args[args.index("--event-log") + 1] = log
        # The PATH the driver's call had (the Automation API puts its Python's folder first): the double's
        # `python3` is then the same interpreter, found the same way.
        subprocess.run([str(FAKE / "bin" / "pulumi"), *args], cwd=ROOT, env={**env, "PATH": call["env"]["PATH"]},
                       check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    previews = [c for c in calls if c["argv"][0] == "preview"]
    started = time.perf_counter()
    for call in calls:
        if call["argv"][0] != "preview":
            run(call)
    with ThreadPoolExecutor(max_workers=max(len(previews), 1)) as pool:
        list(pool.map(run, previews))
    return time.perf_counter() - started


def measure(command: list[str], resources: int, scratch: Path) -> tuple[float, float, int]:
    """(driver seconds, raw seconds, engine operations) for one driver command."""
    log, script = scratch / "calls.jsonl", scratch / "script.json"
    log.unlink(missing_ok=True)
    shutil.rmtree(Path(str(log) + ".started"), ignore_errors=True)
    script.write_text(json.dumps({"steps": {f"{op}:{s}": [{"changes": {"create": resources}}]
                                            for op in OPERATIONS for s in ("prod-us", "prod-eu")}}))
    # The double as a CLI that writes the event log to a file (v3.205.0), so the replay can run it the same way;
    # a newer CLI streams the events over gRPC to a server the Automation API starts, which has no raw equivalent.
    env = {**os.environ, "FAKE_PULUMI_LOG": str(log), "FAKE_PULUMI_SCRIPT": str(script),
           "PULUMI_CONFIG_PASSPHRASE": "bench-only", "FAKE_PULUMI_VERSION": "v3.205.0"}
    os.environ.update(env)
    started = time.perf_counter()
    code = cli.main([*command, "--pulumi-root", str(FAKE), "--backend", f"file://{scratch / 'state'}"])
    took = time.perf_counter() - started
    if code != 0:
        raise SystemExit(f"bench_driver: `securecart {' '.join(command)}` exited {code}")
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    operations = sum(1 for c in calls if c["argv"][0] in OPERATIONS)
    # The replay's own log must not grow the driver's (the double counts earlier runs from it).
    env["FAKE_PULUMI_LOG"] = str(scratch / "replay.jsonl")
    raw = _replay(calls, env, scratch)
    return took, raw, operations


def _quiet(fn: Callable[[], _T]) -> _T:
    saved = sys.stdout
    sys.stdout = io.StringIO()
    try:
        return fn()
    finally:
        sys.stdout = saved


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=600, help="resource events per step (default 600)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--strict", action="store_true", help="exit 1 when the target is missed")
    args = parser.parse_args()
    os.chdir(ROOT)
    project = Project.load(ROOT)
    started = time.perf_counter()
    estimate = _quiet(lambda: driver.synth_estimate(project, driver.chain(project, "up", project.stacks())))
    estimate_seconds = time.perf_counter() - started

    def same_each_step(_project: Project, order: Sequence[str]) -> list[int | None]:
        return [args.resources] * len(order)

    driver.estimate_resources = same_each_step  # timed above, once

    print(f"driver benchmark: median of {args.runs} runs against the pulumi CLI's test double, "
          f"{args.resources} resource events per step")
    missed = False
    with tempfile.TemporaryDirectory(prefix="bench-driver-") as tmp:
        for command in (["preview"], ["up"], ["destroy"]):
            runs = [_quiet(partial(measure, command, args.resources, Path(tmp))) for _ in range(args.runs)]
            took = statistics.median(r[0] for r in runs)
            raw = statistics.median(r[1] for r in runs)
            ops = runs[0][2]
            per_op = (took - raw) / ops
            ok = per_op <= TARGET_OVERHEAD_PER_OPERATION
            missed |= not ok
            print(f"  {command[0]:8} {ops} operation(s): driver {took:6.2f} s, raw engine calls {raw:6.2f} s, "
                  f"overhead {took - raw:6.2f} s = {per_op:5.2f} s per operation "
                  f"(target <= {TARGET_OVERHEAD_PER_OPERATION:.1f} s: {'met' if ok else 'MISSED'})")
    print(f"  up's resource estimate (offline synth of the plan, once per up): {estimate_seconds:5.2f} s "
          f"for {len(estimate)} steps")
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
