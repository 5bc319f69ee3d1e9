"""``securecart``: the offline synth and policy gate for the SecureCart Network stacks.

Exit codes: 0 clean, 1 a mandatory policy violation, 2 bad config, bad arguments, a program error or an input
AWS's API would refuse (``automation.constraints``).
"""

import argparse
import gc
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from securecart_rules import PACK_ENFORCEMENT_LEVEL, POLICIES

from automation import constraints
from automation.gate import PackConfig, PolicyConfigError, RuleError, Violation, evaluate
from automation.project import Project, ProjectError
from automation.report import graph, summary, tree, write_json
from automation.synth import SynthError, synth_all

EXIT_OK, EXIT_VIOLATION, EXIT_BAD_INPUT = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="securecart",
        description="Offline synth and policy gate for the SecureCart Network Pulumi stacks (no cloud, no "
                    "pulumi CLI needed).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    synth = sub.add_parser(
        "synth",
        help="evaluate the real program for each stack under the mock runtime and run the policy pack",
        description="Evaluate __main__.py for the given stacks (default: all) with each stack file as config, "
                    "resolve StackReferences in the deployment plan's order, run the policy pack, print the "
                    "resource tree and a summary. Exit 0 clean, 1 on a mandatory violation, 2 on bad input.",
    )
    synth.add_argument("stacks", nargs="*", metavar="STACK", help="stacks to synthesize (default: all)")
    synth.add_argument("--json", type=Path, metavar="PATH", help="write the whole resource graph to PATH")
    synth.add_argument("--policy-config", type=Path, metavar="PATH",
                       help="policy-pack config (the file `pulumi preview --policy-pack-config` takes); "
                            "default: policies/policy-config.json when present")
    synth.add_argument("--program", type=Path, metavar="PATH",
                       help="evaluate this program (a folder with __main__.py, or a .py file) instead of the "
                            "project's, with the same stack files")
    synth.add_argument("--no-tree", action="store_true", help="print only the summaries")
    synth.add_argument("--verbose", action="store_true", help="print a program error's full traceback")
    sub.add_parser("stacks", help="list the project's stacks")
    return parser


def _error(lines: Sequence[str]) -> None:
    for line in lines:
        print(f"error: {line}", file=sys.stderr)


def _synth(args: argparse.Namespace, project: Project) -> int:
    program: Path | None = None
    if args.program is not None:
        program = args.program.resolve()
        if program.is_dir():
            program = program / "__main__.py"
        if not program.is_file():
            _error([f"--program: {args.program} is neither a .py file nor a folder with __main__.py"])
            return EXIT_BAD_INPUT
    if args.json is not None and args.json.is_dir():
        _error([f"--json: {args.json} is a folder: give a file path such as {args.json / 'graph.json'}"])
        return EXIT_BAD_INPUT
    if args.json is not None:
        try:
            args.json.resolve().parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            _error([f"--json: cannot create folder {args.json.resolve().parent} ({exc.strerror}): choose another "
                    f"path"])
            return EXIT_BAD_INPUT
        if not os.access(args.json.resolve().parent, os.W_OK):
            _error([f"--json: cannot write in {args.json.resolve().parent}: choose a writable folder"])
            return EXIT_BAD_INPUT
    config_path = args.policy_config
    if config_path is None and (project.root / "policies" / "policy-config.json").is_file():
        config_path = project.root / "policies" / "policy-config.json"
    try:
        pack_config = PackConfig.load(config_path, POLICIES) if config_path else PackConfig.empty()
    except PolicyConfigError as exc:
        _error([f"--policy-config: {p}" for p in exc.problems])
        return EXIT_BAD_INPUT

    def on_step(stack: str, why: str) -> None:
        print(f"synth {stack}: {why}", file=sys.stderr)

    constraints.prefetch()  # AWS's service models, read in the background while the program runs
    try:
        run = synth_all(project, args.stacks or None, main=program, on_step=on_step)
    except SynthError as exc:
        if exc.kind == "config":
            _error(exc.problems)
        else:
            _error([f"{exc.stack}: the program failed: {p}" for p in exc.problems])
            if args.verbose and exc.detail:
                print(exc.detail, file=sys.stderr)
            elif exc.detail:
                print("(run with --verbose for the full traceback)", file=sys.stderr)
        return EXIT_BAD_INPUT

    # Inputs AWS's API would refuse (patterns, lengths, enums, ranges), on each stack's final pass.
    try:
        checked = constraints.check_run(run, project)
    except constraints.ModelError as exc:
        _error([f"AWS API constraints: {exc}"])
        return EXIT_BAD_INPUT

    violations: dict[str, list[Violation]] = {}
    try:
        for name, result in run.results.items():
            violations[name] = evaluate(result, POLICIES, pack_config, PACK_ENFORCEMENT_LEVEL)
    except RuleError as exc:
        _error([str(exc)])
        return EXIT_BAD_INPUT

    for name, result in run.results.items():
        if not args.no_tree:
            print("\n".join(tree(result)))
            print()
        print("\n".join(summary(result, violations[name], len(POLICIES))))
        print(f"  AWS API constraints (botocore {constraints.botocore_version()} models, documented rules): "
              f"{checked[name].values} input value(s) checked, {len(checked[name].findings)} refused")
        print()
    print(f"synth passes (deployment plan, then until outputs settle): {' → '.join(run.passes)}")
    if args.json is not None:
        doc = graph(run.results, violations, run.passes, project.name)
        for name, check in checked.items():
            doc["stacks"][name]["inputConstraints"] = {"checked": check.values,
                                                       "refused": [f.line() for f in check.findings]}
        try:
            write_json(args.json, doc)
        except OSError as exc:
            _error([f"--json: cannot write {args.json} ({exc.strerror or exc}): choose a file path in a writable "
                    f"folder"])
            return EXIT_BAD_INPUT
        print(f"wrote {args.json}")
    mandatory = sum(1 for vs in violations.values() for v in vs if v.level == "mandatory")
    refused = [f for check in checked.values() for f in check.findings]
    if refused:
        _error([f.line() for f in refused])
        print(f"FAILED: {len(refused)} input(s) AWS's API would refuse"
              + (f", and {mandatory} mandatory policy violation(s)" if mandatory else ""), file=sys.stderr)
        return EXIT_BAD_INPUT
    if mandatory:
        print(f"FAILED: {mandatory} mandatory policy violation(s)", file=sys.stderr)
        return EXIT_VIOLATION
    print("OK: no mandatory policy violations")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        project = Project.find()
    except ProjectError as exc:
        _error(exc.problems)
        return EXIT_BAD_INPUT
    if args.command == "stacks":
        print("\n".join(project.stacks()))
        return EXIT_OK
    return _synth(args, project)


def run() -> None:
    """The console entry point. A synth is a short-lived process that allocates a great deal on top of
    pulumi_aws's hundreds of thousands of objects, so the cyclic collector stays off (collections would rescan
    them all, over and over) and the process leaves without tearing the interpreter down object by object; the
    output is flushed first and nothing else is pending by then."""
    gc.disable()
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:  # the reader went away (| head): stop quietly, as other command-line tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 141
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
