"""The real synth's imports, for the benchmark's reference programs (floor_program, sdk_program).

bench_synth.py first runs the real synth once and records every module it loaded (SECURECART_FLOOR_MODULES names
that file). pulumi_aws loads its modules lazily, on first use, so importing that list is what makes a reference
program pay the same for libraries as the real one.
"""

import importlib
import os
from pathlib import Path


def import_recorded_modules() -> None:
    listed = os.environ.get("SECURECART_FLOOR_MODULES")
    if listed:
        for name in Path(listed).read_text().split():
            if name.startswith(("pulumi", "components", "google", "grpc")):
                importlib.import_module(name)
