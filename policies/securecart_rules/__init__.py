"""SecureCart's CrossGuard rules, importable without starting the policy server.

`POLICIES` is the pack's rule list; `policies/__main__.py` hands it to `PolicyPack`, and the offline synth runs
the same objects.
"""

from pulumi_policy import EnforcementLevel, Policy

from securecart_rules import network

PACK_NAME = "securecart-network"
PACK_ENFORCEMENT_LEVEL = EnforcementLevel.ADVISORY  # for a rule that sets none; every rule here sets its own

POLICIES: tuple[Policy, ...] = (
    *network.POLICIES,
)

__all__ = ["PACK_ENFORCEMENT_LEVEL", "PACK_NAME", "POLICIES"]
