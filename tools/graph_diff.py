"""Compare two synthesized graphs (`securecart synth --json PATH`) resource by resource and input by input.

    python tools/graph_diff.py BEFORE.json AFTER.json [--outputs]

Prints every resource added, removed, or changed (type, parent, provider, protect, inputs, dependencies and the
other resource options the engine sees: ignoreChanges, aliases, deleteBeforeReplace, additionalSecretOutputs) per
stack, and with --outputs the stack outputs too; exits 1 when anything differs. A refactor that must not move a
URN or change an input (a real stack would see no replacement) compares the graphs before and after with it.
"""

import json
import sys
from typing import Any

FIELDS = ("type", "parent", "provider", "protect", "custom", "inputs", "dependencies", "propertyDependencies",
          "ignoreChanges", "aliases", "deleteBeforeReplace", "additionalSecretOutputs")


def _resources(doc: dict[str, Any], stack: str) -> dict[str, dict[str, Any]]:
    return {r["urn"]: r for r in doc["stacks"].get(stack, {}).get("resources", [])}


def diff(before: dict[str, Any], after: dict[str, Any], outputs: bool) -> list[str]:
    lines: list[str] = []
    for stack in sorted(set(before["stacks"]) | set(after["stacks"])):
        old, new = _resources(before, stack), _resources(after, stack)
        lines += [f"{stack}: removed {urn}" for urn in sorted(old.keys() - new.keys())]
        lines += [f"{stack}: added {urn}" for urn in sorted(new.keys() - old.keys())]
        for urn in sorted(old.keys() & new.keys()):
            for f in FIELDS:
                if f not in old[urn] or f not in new[urn]:
                    continue  # a graph written before the field was recorded
                if old[urn][f] != new[urn][f]:
                    lines.append(f"{stack}: {urn}: {f} differs:\n  before {json.dumps(old[urn].get(f))[:400]}"
                                 f"\n  after  {json.dumps(new[urn].get(f))[:400]}")
        if outputs:
            a, b = before["stacks"].get(stack, {}).get("outputs"), after["stacks"].get(stack, {}).get("outputs")
            for key in sorted(set(a or {}) | set(b or {})):
                if (a or {}).get(key) != (b or {}).get(key):
                    lines.append(f"{stack}: output {key} differs")
    return lines


def main(argv: list[str]) -> int:
    paths = [a for a in argv if not a.startswith("--")]
    if len(paths) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    docs = []
    for path in paths:
        with open(path) as f:
            docs.append(json.load(f))
    lines = diff(docs[0], docs[1], "--outputs" in argv)
    print("\n".join(lines) if lines else "identical: every resource, input and option")
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
