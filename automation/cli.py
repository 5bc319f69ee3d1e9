"""``securecart``: the offline synth and policy gate for the SecureCart Network stacks, and the Automation API
driver of the real ones (``automation.driver``: preview, up, refresh, destroy, outputs).

Exit codes: 0 clean, 1 a mandatory policy violation (or, for the driver, a failed operation or changes under
``--expect-no-changes``), 2 bad config, bad arguments, a program error, an input AWS's API would refuse
(``automation.constraints``) or a missing pulumi CLI.
"""

import argparse
import gc
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from securecart_rules import PACK_ENFORCEMENT_LEVEL, POLICIES

from automation import constraints, deploytime, driver
from automation.cost import estimate_all, load_prices
from automation.cost import render as render_cost
from automation.cost import to_dict as cost_dict
from automation.diagram import write_diagrams
from automation.gate import PackConfig, PolicyConfigError, RuleError, Violation, evaluate
from automation.project import Project, ProjectError
from automation.report import graph, output_file_problems, summary, tree, write_json
from automation.resilience import render as render_resilience
from automation.resilience import report as resilience_report
from automation.synth import SynthError, SynthRun, load_all_settings, synth_all
from automation.tfplan import TfPlanError, write_plans

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
    synth.add_argument("--diagram", type=Path, metavar="DIR",
                       help="write an SVG architecture diagram per stack and global.svg to DIR")
    synth.add_argument("--tf-plan-json", type=Path, metavar="DIR",
                       help="after the gate, write each stack as Terraform plan JSON to DIR/<stack>.tfplan.json "
                            "(and DIR/<stack>.urns.json: address -> Pulumi URN) for Checkov, Trivy, KICS, conftest")
    synth.add_argument("--report", action="store_true",
                       help="after the summaries: the resilience and capacity table per path (failover times, AZ and "
                            "region losses survived, data-loss windows, capacity against peak), and the deploy-time "
                            "estimate of a fresh pair (critical path of each pass of the plan); with --json, add "
                            "them as 'report'")
    synth.add_argument("--cost", action="store_true",
                       help="print the monthly cost ESTIMATE per stack and tier (on-demand prices in "
                            "automation/data/prices.json x securecart:costs); with --json, add it as 'cost'")
    synth.add_argument("--verbose", action="store_true", help="print a program error's full traceback")
    sub.add_parser("stacks", help="list the project's stacks")
    for command, what in _DRIVER_HELP.items():
        _driver_parser(sub, command, what)
    return parser


_DRIVER_HELP = {
    "preview": "preview the stacks with the policy pack (the gate for a pull request)",
    "up": "deploy the stacks along the deployment plan's chain, with the policy pack",
    "refresh": "read the stacks' resources back from the cloud into their state",
    "destroy": "destroy the stacks in the reverse of the plan's order; protected resources stop it",
    "outputs": "print the stacks' outputs of interest (those their peers read)",
}


def _driver_parser(sub: "argparse._SubParsersAction[argparse.ArgumentParser]", command: str, what: str) -> None:
    p = sub.add_parser(command, help=f"{what} (needs the pulumi CLI)",
                       description=f"{what[0].upper()}{what[1:]}. Runs the pulumi CLI through the Automation API "
                                   f"with the project folder as the program. Exit 0 ok, 1 a mandatory violation, a "
                                   f"failed operation or changes under --expect-no-changes, 2 bad input (nothing "
                                   f"run).")
    p.add_argument("stacks", nargs="*", metavar="STACK", help="stacks (default: all)")
    p.add_argument("--backend", metavar="URL", help="state backend (default: $PULUMI_BACKEND_URL, else "
                                                    f"file://<project>/{driver.STATE_DIR})")
    p.add_argument("--secrets-provider", metavar="PROVIDER",
                   help="for new stacks (default: $PULUMI_SECRETS_PROVIDER, else passphrase, which needs "
                        "PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE)")
    p.add_argument("--policy-pack-config", type=Path, metavar="PATH",
                   help="preview and up: the policy pack's config (default: policies/policy-config.json)")
    p.add_argument("--expect-no-changes", action="store_true",
                   help="preview and refresh: exit 1 when anything would change")
    p.add_argument("--allow-protected", action="store_true",
                   help="destroy: unprotect the protected resources and destroy them too")
    p.add_argument("--keep-protected", action="store_true",
                   help="destroy: destroy everything but the protected resources (pulumi's --exclude-protected)")
    p.add_argument("--jobs", type=int, metavar="N",
                   help="preview and outputs: how many stacks run at once (default: all of them)")
    p.add_argument("--json", type=Path, metavar="PATH", help="write the result as JSON to PATH")
    p.add_argument("--summary", type=Path, metavar="PATH",
                   help="write a Markdown summary to PATH (e.g. $GITHUB_STEP_SUMMARY)")
    p.add_argument("--pulumi-root", type=Path, metavar="DIR",
                   help="use the pulumi CLI in DIR/bin (default: pulumi on PATH)")


def _error(lines: Sequence[str]) -> None:
    for line in lines:
        print(f"error: {line}", file=sys.stderr)


class _BadInputError(Exception):
    """A command-line argument or file the synth cannot use: one line per problem, exit 2."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


def _program(args: argparse.Namespace) -> Path | None:
    """``--program``: a .py file, or a folder with __main__.py."""
    if args.program is None:
        return None
    program: Path = args.program.resolve()
    if program.is_dir():
        program = program / "__main__.py"
    if not program.is_file():
        raise _BadInputError([f"--program: {args.program} is neither a .py file nor a folder with __main__.py"])
    return program


def _check_json_path(path: Path | None) -> None:
    """``--json``: a file in a folder that exists (or can be made) and is writable."""
    problems = output_file_problems("--json", path, "graph.json") if path is not None else []
    if problems:
        raise _BadInputError(problems)


def _pack_config(args: argparse.Namespace, project: Project) -> PackConfig:
    """``--policy-config``, or the project's policies/policy-config.json when present."""
    config_path = args.policy_config
    if config_path is None and (project.root / "policies" / "policy-config.json").is_file():
        config_path = project.root / "policies" / "policy-config.json"
    try:
        return PackConfig.load(config_path, POLICIES) if config_path else PackConfig.empty()
    except PolicyConfigError as exc:
        raise _BadInputError([f"--policy-config: {p}" for p in exc.problems]) from None


def _run_synth(args: argparse.Namespace, project: Project, program: Path | None) -> SynthRun:
    def on_step(stack: str, why: str) -> None:
        print(f"synth {stack}: {why}", file=sys.stderr)

    constraints.prefetch()  # AWS's service models, read in the background while the program runs
    try:
        return synth_all(project, args.stacks or None, main=program, on_step=on_step)
    except SynthError as exc:
        if exc.kind == "config":
            raise _BadInputError(exc.problems) from None
        _error([f"{exc.stack}: the program failed: {p}" for p in exc.problems])
        if args.verbose and exc.detail:
            print(exc.detail, file=sys.stderr)
        elif exc.detail:
            print("(run with --verbose for the full traceback)", file=sys.stderr)
        raise _BadInputError([]) from None


def _print(args: argparse.Namespace, run: SynthRun, violations: dict[str, list[Violation]],
           checked: dict[str, constraints.Checked]) -> None:
    for name, result in run.results.items():
        if not args.no_tree:
            print("\n".join(tree(result)))
            print()
        print("\n".join(summary(result, violations[name], len(POLICIES))))
        print(f"  AWS API constraints (botocore {constraints.botocore_version()} models, documented rules): "
              f"{checked[name].values} input value(s) checked, {len(checked[name].findings)} refused")
        print()
    print(f"synth passes (deployment plan, then until outputs settle): {' → '.join(run.passes)}")


def _write_graph(path: Path, run: SynthRun, violations: dict[str, list[Violation]],
                 checked: dict[str, constraints.Checked], project: Project, *, extras: dict[str, Any]) -> None:
    doc = graph(run.results, violations, run.passes, project.name)
    doc.update(extras)  # the reports asked for (cost, report)
    for name, check in checked.items():
        doc["stacks"][name]["inputConstraints"] = {"checked": check.values,
                                                   "refused": [f.line() for f in check.findings]}
    try:
        write_json(path, doc)
    except OSError as exc:
        raise _BadInputError([f"--json: cannot write {path} ({exc.strerror or exc}): choose a file path in a writable "
                         f"folder"]) from None
    print(f"wrote {path}")


def _write_diagrams(folder: Path, run: SynthRun, project: Project) -> None:
    try:
        paths = write_diagrams(run, load_all_settings(project, list(run.results)), folder)
    except OSError as exc:
        raise _BadInputError([f"--diagram: cannot write in {folder} ({exc.strerror or exc}): choose a writable "
                              f"folder"]) from None
    print("wrote " + ", ".join(str(p) for p in paths))


def _reports(args: argparse.Namespace, run: SynthRun, project: Project, program: Path | None) -> dict[str, Any]:
    """What the synth's report flags ask for, printed after the summaries; returned for the --json graph."""
    extras: dict[str, Any] = {}
    if not (args.cost or args.report):
        return extras
    stack_settings = load_all_settings(project, list(run.results))
    if args.report:
        report: dict[str, Any] = {}
        resilience = resilience_report(run, stack_settings, {s: st.capacity for s, st in stack_settings.items()})
        print(render_resilience(resilience))
        print()
        report["resilience"] = resilience.to_json()
        try:
            deploy = deploytime.estimate(run, project, main=program)
        except deploytime.DeployTimeError as exc:
            raise _BadInputError([f"deploy-time estimate: {exc}"]) from None
        print(deploytime.render(deploy))
        print()
        report["deployTime"] = deploy.to_dict()
        extras["report"] = report
    if args.cost:
        try:
            prices = load_prices()
        except ValueError as exc:
            raise _BadInputError([str(exc)]) from None
        estimates = estimate_all(run, stack_settings, {s: st.costs for s, st in stack_settings.items()}, prices)
        print(render_cost(estimates, prices))
        print()
        extras["cost"] = cost_dict(estimates)
    return extras


def _synth(args: argparse.Namespace, project: Project) -> int:
    try:
        program = _program(args)
        _check_json_path(args.json)
        pack_config = _pack_config(args, project)
        run = _run_synth(args, project, program)
        # Inputs AWS's API would refuse (patterns, lengths, enums, ranges), on each stack's final pass.
        try:
            checked = constraints.check_run(run, project)
        except constraints.ModelError as exc:
            raise _BadInputError([f"AWS API constraints: {exc}"]) from None
        try:
            violations = {name: evaluate(result, POLICIES, pack_config, PACK_ENFORCEMENT_LEVEL)
                          for name, result in run.results.items()}
        except RuleError as exc:
            raise _BadInputError([str(exc)]) from None
        _print(args, run, violations, checked)
        extras = _reports(args, run, project, program)
        if args.json is not None:
            _write_graph(args.json, run, violations, checked, project, extras=extras)
        if args.diagram is not None:
            _write_diagrams(args.diagram, run, project)
        if args.tf_plan_json is not None:
            try:
                written = write_plans(run, project, args.tf_plan_json)
            except TfPlanError as exc:
                raise _BadInputError([f"--tf-plan-json: {exc}"]) from None
            print("wrote " + ", ".join(str(p) for p in written if p.name.endswith(".tfplan.json")))
    except _BadInputError as exc:
        _error(exc.problems)
        return EXIT_BAD_INPUT
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
    if args.command in driver.COMMANDS:
        return driver.main(args, project)
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
