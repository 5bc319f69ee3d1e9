"""The synth benchmark's floor: the same imports as the real program, an empty program, the same engine.

bench_synth.py first runs the real synth once and records every module it loaded (SECURECART_FLOOR_MODULES names
that file); this program imports exactly those, then declares nothing. pulumi_aws loads its modules lazily, on
first use, so the list is what makes the imports the same. The difference between the floor and the real synth
is then the work of declaring the stacks' resources, not of loading libraries.
"""

from typing import Any

import pulumi

from benchmarks.floor_imports import import_recorded_modules

import_recorded_modules()


async def main() -> dict[str, Any]:
    return {}


pulumi.run(main)
