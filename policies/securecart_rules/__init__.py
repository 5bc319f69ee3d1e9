"""SecureCart's CrossGuard rules, importable without starting the policy server.

Every public module of this package is a rule module (one per service); importing them registers their rules (see
``registry``). `POLICIES` is the registry's content sorted by rule name: `policies/__main__.py` hands it to
`PolicyPack`, and the offline synth runs the same objects.
"""

import importlib
import pkgutil
from types import ModuleType

from pulumi_policy import Policy

from securecart_rules.registry import PACK_ENFORCEMENT_LEVEL, REGISTRY

PACK_NAME = "securecart-network"
SUPPORT_MODULES = frozenset({"registry", "types"})  # besides the private _modules: no rules in these


def _rule_modules() -> tuple[ModuleType, ...]:
    """Every rule module, found rather than listed, so a new one cannot be left out."""
    names = sorted(m.name for m in pkgutil.iter_modules(__path__)
                   if not m.name.startswith("_") and m.name not in SUPPORT_MODULES)
    return tuple(importlib.import_module(f"{__name__}.{name}") for name in names)


MODULES = _rule_modules()

POLICIES: tuple[Policy, ...] = REGISTRY.rules()

__all__ = ["MODULES", "PACK_ENFORCEMENT_LEVEL", "PACK_NAME", "POLICIES"]
