"""The synth benchmark's floor: the same imports as the real program, an empty program, the same engine.

pulumi_aws loads its modules lazily, on first attribute access, so importing a package is not enough: the floor
reads the program and its components and touches every ``aws.<module>.<Name>`` and ``aws.<Name>`` they use. The
difference between the floor and the real synth is then the work of declaring the stacks' resources, not of
loading libraries.
"""

import re
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws

import components.config
import components.network  # imported for its cost

_ROOT = Path(components.config.__file__).parent.parent
_SOURCES = [_ROOT / "__main__.py", *sorted((_ROOT / "components").glob("*.py"))]
for _text in (p.read_text() for p in _SOURCES):
    for _module, _name in re.findall(r"\baws\.([a-z]\w*)\.([A-Za-z_]\w*)", _text):
        getattr(getattr(pulumi_aws, _module), _name)
    for _name in re.findall(r"\baws\.([A-Z]\w*|get_\w+)\b", _text):
        getattr(pulumi_aws, _name)


async def main() -> dict[str, Any]:
    return {}


pulumi.run(main)
