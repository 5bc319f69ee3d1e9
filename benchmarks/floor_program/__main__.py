"""The synth benchmark's floor: the same imports as the real program, an empty program, the same engine.

It imports every pulumi_aws module the components use (found by reading them), so the difference between the
floor and the real synth is the work of declaring the stacks' resources, not of loading libraries.
"""

import importlib
import re
from pathlib import Path
from typing import Any

import pulumi

import components.config
import components.network  # imported for its cost

_COMPONENTS = Path(components.config.__file__).parent
for _module in sorted({m for f in _COMPONENTS.glob("*.py") for m in re.findall(r"\baws\.(\w+)\.", f.read_text())}):
    importlib.import_module(f"pulumi_aws.{_module}")


async def main() -> dict[str, Any]:
    return {}


pulumi.run(main)
