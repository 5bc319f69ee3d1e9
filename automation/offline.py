"""Stand-ins for what the offline synth cannot know: the stack files' encrypted (``secure:``) values.

The synth has no secrets provider, so it cannot decrypt a ``secure:`` value. It hands the program a stand-in
instead, as a preview hands it an unknown, and the program never learns the difference: the settings loader
validates a stand-in like any value. A setting with a shape of its own gets a stand-in of that shape (one per place
the program needs a value), so the tiers build exactly what they would build with the real secret; any other key
gets a marked string. Every stand-in contains ``OFFLINE_SECRET``, so checks over the graph can tell it from a
value someone wrote (``automation.constraints`` skips them).
"""

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

OFFLINE_SECRET = "offline_secret"


def _pre_shared_keys(config: Mapping[str, Any]) -> Any:
    """``securecart:vpnPreSharedKeys``: two tunnel keys for every customer gateway of the stack file (in the
    key alphabet AWS accepts: letters, digits, periods and underscores)."""
    connectivity = config.get("securecart:connectivity")
    vpn = connectivity.get("vpn") if isinstance(connectivity, dict) else None
    gateways = vpn.get("customerGateways") if isinstance(vpn, dict) else None
    names = [g["name"] for g in gateways or [] if isinstance(g, dict) and isinstance(g.get("name"), str)]
    return {name: [f"{OFFLINE_SECRET}.{re.sub(r'[^A-Za-z0-9_.]', '_', name)}.{n}" for n in (1, 2)]
            for name in names}


# Settings whose stand-in has a shape: full config key -> the stand-in, made from the stack file's other values.
SHAPED: dict[str, Callable[[Mapping[str, Any]], Any]] = {
    "securecart:vpnPreSharedKeys": _pre_shared_keys,
}


def stand_in(key: str, config: Mapping[str, Any]) -> str:
    """The config string the synth passes for the encrypted value of ``key`` (``config``: the stack file's
    other values, as read from YAML)."""
    shaped = SHAPED.get(key)
    if shaped is None:
        return f"{OFFLINE_SECRET}:{key}"
    return json.dumps(shaped(config))
