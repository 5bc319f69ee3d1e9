"""What the synth prints (a resource tree and a summary per stack) and writes (the whole graph as JSON)."""

import json
import os
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from automation.gate import Violation
from automation.mocks import Registration
from automation.synth import StackResult


def _label(r: Registration) -> str:
    flags = []
    if r.protect:
        flags.append("protected")
    if r.type.startswith("pulumi:providers:"):
        flags.append("provider")
    return f"{r.type}  {r.name}" + (f"  [{', '.join(flags)}]" if flags else "")


def tree(result: StackResult) -> list[str]:
    """The stack's resources as a tree of parents and children, each level sorted by type then name."""
    children: dict[str, list[Registration]] = {}
    for r in result.resources:
        children.setdefault(r.parent or result.stack_urn, []).append(r)
    lines = [f"{result.stack} ({result.region}, {result.role})  pulumi:pulumi:Stack  "
             f"{result.project}-{result.stack}"]

    def walk(urn: str, prefix: str) -> None:
        kids = sorted(children.get(urn, []), key=lambda r: (r.type, r.name))
        for i, kid in enumerate(kids):
            last = i == len(kids) - 1
            lines.append(f"{prefix}{'└─ ' if last else '├─ '}{_label(kid)}")
            walk(kid.urn, prefix + ("   " if last else "│  "))

    walk(result.stack_urn, "")
    return lines


def summary(result: StackResult, violations: list[Violation], rule_count: int) -> list[str]:
    custom = [r for r in result.resources if r.custom and not r.type.startswith("pulumi:")]
    components = [r for r in result.resources if not r.custom]
    providers = [r for r in result.resources if r.type.startswith("pulumi:providers:")]
    references = [r for r in result.resources if r.type == "pulumi:pulumi:StackReference"]
    protected = [r for r in result.resources if r.protect]
    mandatory = [v for v in violations if v.level == "mandatory"]
    advisory = [v for v in violations if v.level == "advisory"]
    waived = [v for v in violations if v.level == "waived"]
    by_type = Counter(r.type for r in custom)
    lines = [
        f"Summary {result.stack}: {len(result.resources)} resources ({len(custom)} cloud, "
        f"{len(components)} component(s), {len(providers)} provider(s), {len(references)} stack reference(s)), "
        f"{len(protected)} protected",
        "  types: " + ", ".join(f"{t.split(':')[-1]} {n}" for t, n in sorted(by_type.items())),
        "  outputs: " + (", ".join(sorted(result.outputs)) or "none"),
        f"  policy gate: {rule_count} rules, {len(mandatory)} mandatory and {len(advisory)} advisory "
        f"violation(s)" + (f", {len(waived)} waived" if waived else ""),
    ]
    lines.extend(failover(result.outputs))
    lines.append(counted_waf_rules(result))
    lines.append(inspected_paths(result))
    lines.extend(f"  log {level}: {message}" for level, message in result.logs)
    for v in violations:
        where = f"{v.resource_type} '{v.resource_name}'" if v.urn else "the stack"
        first, *rest = v.message.splitlines() or [""]
        lines.append(f"  {v.level.upper()} [{v.policy}] {where}: {first}")
        lines.extend(f"      {line}" for line in rest)
    return lines


def _plain(value: Any) -> Any:
    """A recorded value without its secret wrapper."""
    return value.get("value") if isinstance(value, dict) and "value" in value and len(value) == 2 else value


def counted_waf_rules(result: StackResult) -> str:
    """Which web ACL rules only count (a managed group counted by ``securecart:waf.count``, a rule set to count):
    the synth says so, since such a rule protects nothing."""
    counted = []
    for acl in sorted(result.by_type("aws:wafv2/webAcl:WebAcl"), key=lambda r: r.name):
        for rule in _plain(acl.inputs.get("rules")) or []:
            if "count" in (rule.get("overrideAction") or {}) or "count" in (rule.get("action") or {}):
                counted.append(f"{acl.name}/{rule.get('name')}")
            group = (rule.get("statement") or {}).get("managedRuleGroupStatement") or {}
            counted += [f"{acl.name}/{rule.get('name')}/{o.get('name')}" for o in group.get("ruleActionOverrides") or []
                        if "count" in (o.get("actionToUse") or {})]
    return "  waf rules that only count: " + (", ".join(counted) or "none")


def inspected_paths(result: StackResult) -> str:
    """Which subnets' inbound traffic passes the GWLB's appliances: those the internet gateway's edge route table
    sends to a GWLB endpoint (the inspection tier's AZ-symmetric path), with their AZs."""
    edge = {a.inputs.get("routeTableId") for a in result.by_type("aws:ec2/routeTableAssociation:RouteTableAssociation")
            if a.inputs.get("gatewayId")}
    cidrs = {r.inputs.get("destinationCidrBlock") for r in result.by_type("aws:ec2/route:Route")
             if r.inputs.get("routeTableId") in edge and r.inputs.get("vpcEndpointId")}
    subnets = sorted(f"{s.name} ({s.inputs.get('availabilityZone')})" for s in result.by_type("aws:ec2/subnet:Subnet")
                     if s.inputs.get("cidrBlock") in cidrs)
    return "  inspected inbound (GWLB endpoints, both ways): " + (", ".join(subnets) or "none")


def failover(outputs: dict[str, Any]) -> list[str]:
    """The edge's worst-case failover figures (the ``failover`` output), one line per path."""
    figures = outputs.get("failover")
    if not isinstance(figures, dict):
        return []
    return [f"  failover {path}: detect <= {figures.get(f'{key}DetectSeconds')} s, switch <= "
            f"{figures.get(f'{key}SwitchSeconds')} s ({why})"
            for path, key, why in (
                ("DNS (api; CloudFront's dynamic origin)", "dns", "health checks, then the 60 s alias TTL"),
                ("accelerator (checkout)", "accelerator", "the ALB target groups' health, nothing cached"))]


def graph(results: dict[str, StackResult], violations: dict[str, list[Violation]], passes: list[str],
          project: str) -> dict[str, Any]:
    return {
        "project": project,
        "passes": passes,
        "stacks": {
            name: {
                "region": r.region,
                "role": r.role,
                "outputs": r.outputs,
                "logs": [{"level": lvl, "message": msg} for lvl, msg in r.logs],
                "violations": [v.__dict__ for v in violations.get(name, [])],
                "resources": [
                    {
                        "urn": x.urn, "type": x.type, "name": x.name, "id": x.id, "custom": x.custom,
                        "parent": x.parent, "provider": x.provider, "protect": x.protect,
                        "dependencies": x.dependencies, "propertyDependencies": x.property_dependencies,
                        "ignoreChanges": x.ignore_changes, "aliases": x.aliases,
                        "deleteBeforeReplace": x.delete_before_replace,
                        "additionalSecretOutputs": x.additional_secret_outputs,
                        "inputs": x.inputs, "outputs": x.outputs,
                    }
                    for x in r.resources
                ],
            }
            for name, r in results.items()
        },
    }


def output_file_problems(flag: str, path: Path, example: str | None = None) -> list[str]:
    """A file a command writes when it is done (``--json``, ``--summary``): in a folder that exists (made now if
    need be) and that, like the file if it exists, is writable. Checked before anything runs, so a long run does
    not end unable to say how it went; ``example`` names a file to suggest when a folder was given."""
    if path.is_dir():
        return [f"{flag}: {path} is a folder: give a file path" + (f" such as {path / example}" if example else "")]
    folder = path.resolve().parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return [f"{flag}: cannot create folder {folder} ({exc.strerror}): choose another path"]
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        return [f"{flag}: cannot write {path}: choose a writable path"]
    return []


def write_json(path: Path, doc: dict[str, Any]) -> None:
    """Write atomically, so a failed run never leaves a half-written graph behind."""
    fd, tmp = tempfile.mkstemp(prefix=".synth-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as fh:
            json.dump(doc, fh, indent=2, sort_keys=True)
            fh.write("\n")
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
