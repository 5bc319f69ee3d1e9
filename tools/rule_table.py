"""Regenerate the README's rule table from the pack's registry (a test holds the two together).

    .venv/bin/python tools/rule_table.py

Rows are grouped by rule module, in the registry's order within each; the table is the block of rows after the
header ``| rule | module | level | severity | checks | source | settings |``.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "policies"))

from securecart_rules import MODULES  # noqa: E402 - the pack lives beside the program, not in it
from securecart_rules.registry import REGISTRY  # noqa: E402

HEADER = "| rule | module | level | severity | checks | source | settings |"


def rows() -> list[str]:
    order = [m.__name__.rsplit(".", 1)[-1] for m in MODULES]
    out = []
    for rule in sorted(REGISTRY.rules(), key=lambda r: order.index(r.module)):
        checks = rule.description.removesuffix(f" [{rule.source}]")
        schema = rule.config_schema.properties if rule.config_schema is not None else {}
        settings = ", ".join(f"`{k}`" for k in sorted(schema) if k != "waivers")
        level = rule.enforcement_level.value if rule.enforcement_level is not None else ""
        severity = rule.severity.value if rule.severity is not None else ""
        out.append(f"| `{rule.name}` | {rule.module} | {level} | {severity} | {checks} | "
                   f"{rule.source.replace(chr(10), ' ')} | {settings} |")
    return out


def main() -> int:
    readme = ROOT / "README.md"
    lines = readme.read_text().split("\n")
    if HEADER not in lines:
        print(f"README.md has no rule table (header {HEADER!r})", file=sys.stderr)
        return 1
    start = lines.index(HEADER) + 2
    end = start
    while end < len(lines) and lines[end].startswith("| `"):
        end += 1
    lines[start:end] = rows()
    readme.write_text("\n".join(lines))
    print(f"README.md: {len(REGISTRY.rules())} rules")
    return 0


if __name__ == "__main__":
    sys.exit(main())
