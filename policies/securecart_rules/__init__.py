"""SecureCart's CrossGuard rules, importable without starting the policy server.

`POLICIES` is the pack's rule list, grouped by service module; `policies/__main__.py` hands it to `PolicyPack`,
and the offline synth runs the same objects.
"""

from pulumi_policy import EnforcementLevel, Policy

from securecart_rules import (
    compute,
    connectivity,
    data,
    edge,
    identity,
    load_balancing,
    monitoring,
    network,
    security_groups,
)

PACK_NAME = "securecart-network"
PACK_ENFORCEMENT_LEVEL = EnforcementLevel.ADVISORY  # for a rule that sets none; every rule here sets its own

MODULES = (network, security_groups, connectivity, load_balancing, compute, data, edge, identity, monitoring)

POLICIES: tuple[Policy, ...] = tuple(p for m in MODULES for p in m.POLICIES)

__all__ = ["MODULES", "PACK_ENFORCEMENT_LEVEL", "PACK_NAME", "POLICIES"]
