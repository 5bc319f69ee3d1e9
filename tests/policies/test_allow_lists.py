"""The program's allow-lists against the pack's: every value the program allows or uses must pass the pack.

The pack runs in its own virtualenv under real CrossGuard and cannot import the program, so the lists live on both
sides; this test keeps them in step. For each list it checks the pack's default (the rule's schema) and the value
the shipped policies/policy-config.json sets, since either may be the one in force. "Allows" is read from the
program's own lists (what a stack file may choose); "uses" from the synthesized stacks (what the program builds).
"""

import gzip
import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from securecart_rules import connectivity, edge, load_balancing, network, security_groups
from securecart_rules._common import is_world
from securecart_rules.types import (
    APIGATEWAY_DOMAIN_NAME,
    EC2_NETWORK_ACL,
    EC2_NETWORK_ACL_RULE,
    EC2_SECURITY_GROUP,
    EC2_SECURITY_GROUP_RULE,
    EC2_VPN_CONNECTION,
    LISTENERS,
    VPC_SECURITY_GROUP_INGRESS_RULE,
    WAFV2_WEB_ACL,
    WAFV2_WEB_ACL_LOGGING_CONFIGURATION,
)

from automation.mocks import Registration
from automation.synth import SynthRun
from components.connectivity import IKE_DH_GROUPS, IKE_ENCRYPTION, IKE_INTEGRITY
from components.network import REPLY_PORTS, WORLD
from components.settings.delivery import MODERN_TLS_POLICIES, DeliverySettings
from tests.conftest import ROOT, plain

SHIPPED = json.loads((ROOT / "policies" / "policy-config.json").read_text())


def pack_lists(rule: Any, key: str) -> dict[str, list[Any]]:
    """The rule's list setting as the pack defines it and as SecureCart's policy config sets it."""
    lists = {"pack default": list(rule.defaults[key])}
    if key in SHIPPED.get(rule.name, {}):
        lists["policy-config.json"] = list(SHIPPED[rule.name][key])
    return lists


def _resources(run: SynthRun, *types: str) -> Iterator[Registration]:
    for result in run.results.values():
        yield from (r for r in result.resources if r.type in types)


# --- TLS policies --------------------------------------------------------------------------------------------------

def test_every_tls_policy_the_program_allows_passes_the_pack() -> None:
    allowed_by_program = set(MODERN_TLS_POLICIES)
    assert DeliverySettings.model_fields["ssl_policy"].default in allowed_by_program
    for where, allowed in pack_lists(load_balancing.lb_listener_modern_tls, "allowedSslPolicies").items():
        assert allowed_by_program <= set(allowed), (where, sorted(allowed_by_program - set(allowed)))
    assert allowed_by_program <= set(load_balancing.MODERN_TLS_POLICIES)


def test_every_tls_policy_the_program_uses_passes_the_pack(synth_run: SynthRun) -> None:
    used = {str(r.inputs["sslPolicy"]) for r in _resources(synth_run, *LISTENERS) if r.inputs.get("sslPolicy")}
    assert used, "no listener sets an ssl_policy"
    assert used <= set(MODERN_TLS_POLICIES)
    for where, allowed in pack_lists(load_balancing.lb_listener_modern_tls, "allowedSslPolicies").items():
        assert used <= set(allowed), (where, sorted(used - set(allowed)))


# --- site-to-site VPN: IKE versions, phase 1 and 2 algorithms and DH groups ----------------------------------------

@pytest.mark.parametrize(("program", "key"), [
    (IKE_ENCRYPTION, "encryptionAlgorithms"),
    (IKE_INTEGRITY, "integrityAlgorithms"),
    (IKE_DH_GROUPS, "dhGroups"),
], ids=["encryption", "integrity", "dh-groups"])
def test_every_ike_proposal_the_program_allows_passes_the_pack(program: list[Any], key: str) -> None:
    assert program
    for where, allowed in pack_lists(connectivity.vpn_strong_crypto, key).items():
        assert set(program) <= set(allowed), (key, where, sorted(set(program) - set(allowed), key=str))


VPN_PHASE_SETTINGS = {"EncryptionAlgorithms": "encryptionAlgorithms", "IntegrityAlgorithms": "integrityAlgorithms",
                      "DhGroupNumbers": "dhGroups"}


def _values(kind: str, values: Any) -> set[Any]:
    """DH groups compared as numbers (they arrive as floats), algorithms as strings."""
    return {float(v) for v in values} if kind == "DhGroupNumbers" else {str(v) for v in values}


def test_every_vpn_tunnel_the_program_builds_passes_the_pack(synth_run: SynthRun) -> None:
    vpns = list(_resources(synth_run, EC2_VPN_CONNECTION))
    assert vpns, "no site-to-site VPN in either stack"
    for vpn in vpns:
        for n in (1, 2):
            assert list(vpn.inputs[f"tunnel{n}IkeVersions"]) == list(connectivity.IKE_VERSIONS), (vpn.name, n)
            for phase in (1, 2):
                for kind, key in VPN_PHASE_SETTINGS.items():
                    used = vpn.inputs[f"tunnel{n}Phase{phase}{kind}"]
                    assert used, (vpn.name, n, phase, kind)
                    for where, allowed in pack_lists(connectivity.vpn_strong_crypto, key).items():
                        assert _values(kind, used) <= _values(kind, allowed), (vpn.name, n, phase, kind, where)


# --- ports ---------------------------------------------------------------------------------------------------------

def _covers(low: float, high: float, ports: list[int]) -> list[int]:
    return [p for p in ports if low <= p <= high]


def test_the_ports_the_program_opens_to_the_internet_on_nacls_avoid_the_packs_admin_ports() -> None:
    for where, admin in pack_lists(network.nacl_no_world_admin_ports, "adminPorts").items():
        for low, high in [*REPLY_PORTS, (443, 443)]:  # replies from the internet, and HTTPS on public subnets
            assert _covers(low, high, admin) == [], (where, low, high)


def test_every_nacl_entry_the_program_opens_to_the_internet_avoids_the_packs_admin_ports(synth_run: SynthRun) -> None:
    entries: list[tuple[str, Any]] = []
    for r in _resources(synth_run, EC2_NETWORK_ACL_RULE, EC2_NETWORK_ACL):
        if r.type == EC2_NETWORK_ACL_RULE:
            if not r.inputs.get("egress") and str(r.inputs.get("ruleAction")) == "allow":
                entries.append((r.name, r.inputs))
        else:
            entries += [(r.name, e) for e in r.inputs.get("ingress") or [] if str(e.get("action")) == "allow"]
    world = [(name, e) for name, e in entries if is_world(e.get("cidrBlock") or e.get("ipv6CidrBlock"))
             and str(e.get("protocol")).lower() not in ("icmp", "1", "58", "icmpv6")]
    assert world and all(e.get("cidrBlock") in (WORLD, None) for _, e in world)
    for where, admin in pack_lists(network.nacl_no_world_admin_ports, "adminPorts").items():
        for name, e in world:
            assert str(e.get("protocol")) not in ("-1", "all"), (where, name)
            assert _covers(float(e["fromPort"]), float(e["toPort"]), admin) == [], (where, name)


def _world_ingress(r: Registration) -> list[tuple[float, float]]:
    """The port ranges a security group or rule resource opens to the world (all ports as 0-65535)."""
    props = r.inputs
    if r.type == EC2_SECURITY_GROUP:
        rules = [(e.get("protocol"), e.get("fromPort"), e.get("toPort"),
                  [*(e.get("cidrBlocks") or []), *(e.get("ipv6CidrBlocks") or [])]) for e in props.get("ingress") or []]
    elif r.type == EC2_SECURITY_GROUP_RULE:
        rules = [(props.get("protocol"), props.get("fromPort"), props.get("toPort"),
                  [*(props.get("cidrBlocks") or []), *(props.get("ipv6CidrBlocks") or [])])] \
            if props.get("type") == "ingress" else []
    else:
        rules = [(props.get("ipProtocol"), props.get("fromPort"), props.get("toPort"),
                  [props.get("cidrIpv4"), props.get("cidrIpv6")])]
    return [(0.0, 65535.0) if str(proto) in ("-1", "all") else (float(low), float(high))
            for proto, low, high, cidrs in rules if any(is_world(c) for c in cidrs)]


def test_every_port_the_program_opens_to_the_world_on_security_groups_passes_the_pack(synth_run: SynthRun) -> None:
    """Today the program opens only 443, on the accelerator ALBs' group (Global Accelerator preserves client
    addresses; the internet-facing ALB admits CloudFront's prefix list); any port it opens must be an authorised one
    and no high-risk one."""
    opened = [(r.name, rng) for r in _resources(synth_run, EC2_SECURITY_GROUP, EC2_SECURITY_GROUP_RULE,
                                                VPC_SECURITY_GROUP_INGRESS_RULE) for rng in _world_ingress(r)]
    for where, authorised in pack_lists(security_groups.sg_no_world_ingress, "authorisedPorts").items():
        for name, (low, high) in opened:
            assert len(_covers(low, high, authorised)) == high - low + 1, (where, name, low, high)
    for where, risky in pack_lists(security_groups.sg_no_world_high_risk_ports, "highRiskPorts").items():
        for name, (low, high) in opened:
            assert _covers(low, high, risky) == [], (where, name, low, high)
    assert set(security_groups.AUTHORISED_PORTS).isdisjoint(security_groups.HIGH_RISK_PORTS)


# --- WAF: managed groups in count mode, redacted headers -------------------------------------------------------------

def test_every_managed_group_the_program_runs_in_count_mode_is_one_the_pack_allows(synth_run: SynthRun) -> None:
    """A stack file may put a managed group in count mode while it is tuned (the synth summary says which); the
    pack's countAllowed must then name it too, or the gate refuses the stack."""
    groups: list[tuple[str, str, bool]] = []
    for acl in _resources(synth_run, WAFV2_WEB_ACL):
        for rule in plain(acl.inputs.get("rules")) or []:  # a secret as a whole where it holds a secret
            group = ((rule.get("statement") or {}).get("managedRuleGroupStatement") or {}).get("name")
            if group is not None:
                groups.append((acl.name, group, "count" in (rule.get("overrideAction") or {})))
    assert groups, "no web ACL runs a managed rule group"
    counted = {group for _, group, counts in groups if counts}
    for where, allowed in pack_lists(edge.waf_managed_groups_enforced, "countAllowed").items():
        assert counted <= set(allowed), (where, sorted(counted - set(allowed)))


def test_every_waf_log_the_program_writes_redacts_what_the_pack_requires(synth_run: SynthRun) -> None:
    logs = list(_resources(synth_run, WAFV2_WEB_ACL_LOGGING_CONFIGURATION))
    assert logs, "no web ACL logs"
    for where, required in pack_lists(edge.waf_logging_redaction, "requiredRedactions").items():
        assert {"authorization", "cookie"} <= {h.lower() for h in required}, where
        for log in logs:
            redacted = {str((f.get("singleHeader") or {}).get("name", "")).lower()
                        for f in plain(log.inputs.get("redactedFields")) or []}
            assert {h.lower() for h in required} <= redacted, (where, log.name)


# --- API Gateway custom domains: security policies ----------------------------------------------------------------

def _api_gateway_security_policies() -> set[str]:
    """API Gateway's SecurityPolicy values, as botocore's service model (installed with the program) lists them."""
    spec = importlib.util.find_spec("botocore")
    assert spec is not None and spec.origin is not None
    models = sorted((Path(spec.origin).parent / "data" / "apigateway").glob("*/service-2.json.gz"))
    assert models, "botocore has no API Gateway model"
    model = json.loads(gzip.decompress(models[-1].read_bytes()))
    return set(model["shapes"]["SecurityPolicy"]["enum"])


def test_every_api_domain_security_policy_the_pack_allows_is_a_regional_tls_1_2_one() -> None:
    """The pack's list is API Gateway's own (botocore's SecurityPolicy enum), without TLS 1.0 and the policies for
    edge-optimized names."""
    known = _api_gateway_security_policies()
    assert "TLS_1_2" in known and "TLS_1_0" in known
    for where, allowed in pack_lists(edge.apigateway_domain_tls, "securityPolicies").items():
        assert set(allowed) <= known, (where, sorted(set(allowed) - known))
        assert "TLS_1_0" not in allowed and not [p for p in allowed if p.endswith("_EDGE")], where
    assert set(edge.DOMAIN_SECURITY_POLICIES) == {p for p in known if p != "TLS_1_0" and not p.endswith("_EDGE")}


def test_every_api_domain_security_policy_the_program_uses_passes_the_pack(synth_run: SynthRun) -> None:
    """Holds once the program builds the partners' custom domains (none before issue 13's API lands)."""
    used = {str(plain(d.inputs.get("securityPolicy"))) for d in _resources(synth_run, APIGATEWAY_DOMAIN_NAME)}
    for where, allowed in pack_lists(edge.apigateway_domain_tls, "securityPolicies").items():
        assert used <= set(allowed), (where, sorted(used - set(allowed)))
