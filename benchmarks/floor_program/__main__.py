"""The synth benchmark's floor: the same imports as the real program, an empty program, the same engine.

bench_synth.py first runs the real synth once and records every module it loaded (SECURECART_FLOOR_MODULES names
that file); this program imports exactly those, then declares nothing. pulumi_aws loads its modules lazily, on
first use, so the list is what makes the imports the same. The difference between the floor and the real synth
is then the work of declaring the stacks' resources, not of loading libraries.
"""

import importlib
import os
from pathlib import Path
from typing import Any

import pulumi

_LIST = os.environ.get("SECURECART_FLOOR_MODULES")
if _LIST:
    for _name in Path(_LIST).read_text().split():
        if _name.startswith(("pulumi", "components", "google", "grpc")):
            importlib.import_module(_name)


async def main() -> dict[str, Any]:
    return {}


pulumi.run(main)
