"""The pack as a whole: its registry and rule list, levels and severities, sources, tests per rule, the config file
SecureCart runs with, waivers (in the gate and in a real preview), preview unknowns, and rules driven through
CrossGuard's own analyzer entry point."""

import importlib
import json
import re
import runpy
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import struct_pb2
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy import (
    EnforcementLevel,
    Policy,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationPolicy,
)
from pulumi_policy.policy import _PolicyAnalyzerServicer
from securecart_rules import MODULES, PACK_NAME, POLICIES, SUPPORT_MODULES, network, registry, types
from securecart_rules.registry import REGISTRY, Registry, Report, Rule, effective_level

from automation.gate import PackConfig, PolicyConfigError, evaluate
from tests.conftest import ROOT
from tests.policies.harness import Case, res, violations

EXPECTED = [
    ("vpc-flow-logs-all-traffic", "mandatory", "high"),
    ("default-security-group-closed", "mandatory", "high"),
    ("subnet-no-auto-public-ip", "mandatory", "high"),
    ("subnet-tiers-separated", "mandatory", "high"),
    ("database-subnets-no-internet-route", "mandatory", "critical"),
    ("subnet-tiers-span-azs", "mandatory", "high"),
    ("nat-gateway-per-az", "mandatory", "medium"),
    ("gwlb-ingress-az-symmetric", "mandatory", "high"),
    ("vpc-peering-private-tiers-only", "mandatory", "high"),
    ("analytics-vpc-no-internet-path", "mandatory", "high"),
    ("gateway-endpoints-on-private-route-tables", "advisory", "medium"),
    ("vpc-endpoint-policy-restrictive", "mandatory", "high"),
    ("vpc-endpoint-has-policy", "mandatory", "high"),
    ("endpoint-service-restricted", "mandatory", "high"),
    ("nacl-no-world-admin-ports", "advisory", "medium"),
    ("subnet-has-own-nacl", "mandatory", "medium"),
    ("sg-no-world-ingress", "mandatory", "high"),
    ("sg-no-world-high-risk-ports", "mandatory", "critical"),
    ("sg-world-ingress-only-on-public-load-balancers", "mandatory", "high"),
    ("sg-has-description", "advisory", "low"),
    ("sg-rules-managed-one-way", "advisory", "medium"),
    ("tgw-no-auto-accept", "mandatory", "high"),
    ("tgw-segmented", "mandatory", "high"),
    ("tgw-peering-accepted-in-code", "mandatory", "medium"),
    ("inter-vpc-through-transit-gateway", "mandatory", "medium"),
    ("vpc-peering-no-overlap", "mandatory", "high"),
    ("vpn-tunnel-logging", "mandatory", "medium"),
    ("vpn-strong-crypto", "mandatory", "high"),
    ("dx-allowed-prefixes-restricted", "mandatory", "high"),
    ("tgw-attachment-in-dedicated-subnets", "mandatory", "medium"),
    ("tgw-attachments-associated", "mandatory", "medium"),
    ("vpn-on-transit-gateway-with-bgp", "mandatory", "medium"),
    ("vpc-peering-dns-resolution", "advisory", "low"),
    ("analytics-vpc-not-transit", "mandatory", "high"),
    ("lb-log-prefix-writable", "mandatory", "high"),
    ("alb-http-redirects-to-https", "mandatory", "high"),
    ("alb-http-listener-rules-redirect", "mandatory", "high"),
    ("lb-listener-modern-tls", "mandatory", "high"),
    ("lb-access-logs", "advisory", "medium"),
    ("lb-deletion-protection", "advisory", "medium"),
    ("alb-request-hardening", "mandatory", "medium"),
    ("lb-multi-az", "mandatory", "high"),
    ("alb-waf-associated", "mandatory", "high"),
    ("lb-by-purpose", "mandatory", "medium"),
    ("target-group-health-checks", "advisory", "medium"),
    ("target-group-encrypted", "advisory", "low"),
    ("ecs-service-no-public-ip", "mandatory", "high"),
    ("ec2-launch-imdsv2-no-public-ip", "mandatory", "high"),
    ("gwlb-fleet-spans-azs", "mandatory", "high"),
    ("ecs-service-multi-az", "mandatory", "high"),
    ("ecs-fargate-latest-platform", "advisory", "low"),
    ("ecs-no-plain-secrets", "mandatory", "critical"),
    ("ecs-container-logging", "advisory", "medium"),
    ("ecs-no-privileged-containers", "mandatory", "high"),
    ("ecs-container-least-privilege", "advisory", "medium"),
    ("ecs-tasks-traced", "advisory", "low"),
    ("ecs-container-insights", "advisory", "medium"),
    ("ecr-repository-hardened", "mandatory", "medium"),
    ("ecs-service-autoscaled", "mandatory", "high"),
    ("autoscaling-changes-serialized", "mandatory", "high"),
    ("rds-storage-encrypted", "mandatory", "high"),
    ("rds-multi-az", "mandatory", "high"),
    ("rds-not-public", "mandatory", "critical"),
    ("rds-backup-retention", "mandatory", "high"),
    ("rds-deletion-protection", "mandatory", "high"),
    ("rds-iam-authentication", "advisory", "medium"),
    ("rds-log-exports", "advisory", "medium"),
    ("rds-tls-enforced", "mandatory", "high"),
    ("rds-master-password-secret", "mandatory", "high"),
    ("rds-replica-source-credentials", "mandatory", "high"),
    ("rds-final-snapshot", "mandatory", "high"),
    ("rds-enhanced-monitoring", "advisory", "low"),
    ("rds-auto-minor-version-upgrade", "advisory", "medium"),
    ("rds-copy-tags-to-snapshot", "advisory", "low"),
    ("dynamodb-pitr", "mandatory", "high"),
    ("dynamodb-encrypted-with-cmk", "mandatory", "high"),
    ("dynamodb-deletion-protection", "mandatory", "high"),
    ("dynamodb-scales", "advisory", "medium"),
    ("dynamodb-global-table-current", "advisory", "medium"),
    ("s3-block-public-access", "mandatory", "critical"),
    ("s3-no-public-grants", "mandatory", "critical"),
    ("s3-tls-only", "mandatory", "high"),
    ("s3-access-logging", "advisory", "medium"),
    ("s3-default-encryption-kms", "mandatory", "high"),
    ("s3-versioning", "mandatory", "high"),
    ("s3-cross-region-replication", "mandatory", "high"),
    ("s3-replication-encrypted", "mandatory", "high"),
    ("s3-replication-time-control", "advisory", "medium"),
    ("s3-replication-keeps-deletes", "mandatory", "high"),
    ("s3-noncurrent-version-expiry", "advisory", "low"),
    ("kms-key-rotation", "mandatory", "high"),
    ("kms-key-policy-not-public", "mandatory", "critical"),
    ("kms-key-deletion-window", "advisory", "medium"),
    ("stateful-resources-protected", "mandatory", "high"),
    ("cloudfront-waf", "mandatory", "high"),
    ("cloudfront-viewer-tls", "mandatory", "high"),
    ("cloudfront-viewer-https-only", "mandatory", "high"),
    ("cloudfront-origins-secure", "mandatory", "high"),
    ("cloudfront-access-logging", "mandatory", "medium"),
    ("cloudfront-origin-failover", "advisory", "low"),
    ("route53-routing-health-checked", "mandatory", "high"),
    ("route53-health-check-fast", "advisory", "medium"),
    ("route53-zone-query-logging", "advisory", "medium"),
    ("shield-advanced-on-entry-points", "mandatory", "high"),
    ("shield-health-based-detection", "advisory", "medium"),
    ("global-accelerator-flow-logs", "mandatory", "medium"),
    ("acm-certificate-dns-validated", "mandatory", "high"),
    ("acm-certificate-validation-awaited", "advisory", "medium"),
    ("apigateway-execution-logging", "advisory", "medium"),
    ("apigateway-no-data-trace", "mandatory", "high"),
    ("apigateway-access-logging", "advisory", "medium"),
    ("apigateway-waf", "mandatory", "high"),
    ("apigateway-xray", "advisory", "low"),
    ("apigateway-authorization", "mandatory", "high"),
    ("apigateway-private-integration", "mandatory", "high"),
    ("apigateway-domain-tls", "mandatory", "high"),
    ("apigateway-regional-or-private", "advisory", "low"),
    ("waf-blocks-sqli-and-xss", "mandatory", "high"),
    ("waf-metrics", "advisory", "low"),
    ("waf-logging", "advisory", "medium"),
    ("waf-logging-redaction", "mandatory", "medium"),
    ("waf-managed-groups-enforced", "mandatory", "high"),
    ("waf-rate-limit", "mandatory", "high"),
    ("iam-no-wildcard-admin", "mandatory", "critical"),
    ("iam-trust-not-public", "mandatory", "critical"),
    ("iam-no-decrypt-on-all-keys", "advisory", "medium"),
    ("checkout-alarms", "mandatory", "high"),
    ("alarm-has-actions", "mandatory", "medium"),
    ("sns-topic-encrypted-cmk", "mandatory", "high"),
    ("sns-topic-policy-restricted", "mandatory", "high"),
    ("sns-subscription-secure", "mandatory", "medium"),
    ("xray-encrypted-cmk", "mandatory", "medium"),
    ("xray-sampling-rule-sane", "advisory", "low"),
    ("metric-filter-has-alarm", "advisory", "medium"),
    ("log-group-encrypted-and-retained", "advisory", "medium"),
    ("required-tags", "advisory", "low"),
    ("path-survives-az-loss", "mandatory", "high"),
    ("path-survives-region-loss", "mandatory", "high"),
    ("capacity-covers-peak", "mandatory", "high"),
]
TEST_MODULES = ("test_network_rules", "test_security_group_rules", "test_connectivity_rules",
                "test_load_balancing_rules", "test_compute_rules", "test_data_rules", "test_edge_rules",
                "test_identity_and_monitoring_rules", "test_inspection_rules", "test_resilience_rules")
SOURCES = ("seed", "FSBP", "cdk-nag", "AWSGuard", "catalogue gap", "SecureCart")


def test_pack_lists_every_rule_with_its_level_and_severity() -> None:
    assert PACK_NAME == "securecart-network"
    got = [(p.name, p.enforcement_level.value if p.enforcement_level else None,
            p.severity.value if p.severity else None) for p in POLICIES]
    assert got == sorted(EXPECTED)  # one registry, sorted by rule name
    assert len({p.name for p in POLICIES}) == len(POLICIES)
    assert REGISTRY.rules() == POLICIES and len(REGISTRY) == len(POLICIES)


def test_every_rule_a_module_defines_is_in_the_pack() -> None:
    """Nothing can be defined and forgotten: every rule object in a rule module is registered, every module of the
    package is a rule module or one of the named support modules, and every rule module has rules."""
    registered = {id(p) for p in POLICIES}
    for module in MODULES:
        rules = [v for v in vars(module).values() if isinstance(v, Policy)]
        assert rules, module.__name__
        assert all(id(r) in registered for r in rules), module.__name__
        name = module.__name__.rsplit(".", 1)[-1]
        assert {r.name for r in rules} == {p.name for p in POLICIES if isinstance(p, Rule) and p.module == name}
    files = {f.stem for f in (ROOT / "policies" / "securecart_rules").glob("*.py") if not f.stem.startswith("_")}
    assert files == {m.__name__.rsplit(".", 1)[-1] for m in MODULES} | SUPPORT_MODULES


TYPE_TOKEN = re.compile(r"""["']([a-z0-9]+:[a-zA-Z0-9]+(?:/[a-zA-Z0-9]+)?:[A-Z][a-zA-Z0-9]*)["']""")


def test_rule_modules_name_resource_types_only_through_the_types_module() -> None:
    """One spelling of each type token: no rule module writes one as a literal, types.py names each token once, and
    each of its names is read by some rule module."""
    sources = {f.name: f.read_text() for f in (ROOT / "policies" / "securecart_rules").glob("*.py")}
    for name, text in sources.items():
        if name != "types.py":
            assert TYPE_TOKEN.findall(text) == [], name
    tokens = {k: v for k, v in vars(types).items() if k.isupper() and isinstance(v, str) and v != types.AWS_PACKAGE}
    assert tokens and all(TYPE_TOKEN.fullmatch(f'"{v}"') for v in tokens.values())
    assert len(set(tokens.values())) == len(tokens)
    rules_text = " ".join(t for n, t in sources.items() if n != "types.py")
    read = {k for k in vars(types) if k.isupper() and re.search(rf"\b{k}\b", rules_text)}
    read_values: set[str] = set()
    for k in read:
        value = getattr(types, k)
        read_values |= set(value) if isinstance(value, tuple) else {value}
    assert {k for k, v in tokens.items() if v not in read_values} == set()


def _noop(args: ResourceValidationArgs, report: Report, settings: Mapping[str, Any]) -> None:
    pass


def test_the_registry_refuses_a_second_rule_of_the_same_name() -> None:
    rules = Registry()
    declare = rules.resource_rule(name="r", description="d", source="test", types=None,
                                  level=EnforcementLevel.ADVISORY, severity=Severity.LOW)
    first = declare(_noop)
    with pytest.raises(ValueError, match="two rules are named 'r'"):
        declare(_noop)
    assert rules.rules() == (first,)
    assert "r" not in {p.name for p in POLICIES}  # a registry of its own leaves the pack alone


def test_levels_come_from_the_config_then_the_rule_then_the_pack() -> None:
    rule = network.vpc_flow_logs_all_traffic
    assert effective_level(rule, {}) is EnforcementLevel.MANDATORY
    assert effective_level(rule, {rule.name: EnforcementLevel.DISABLED}) is EnforcementLevel.DISABLED
    bare = StackValidationPolicy(name="bare", description="b", validate=lambda args, report: None)
    assert effective_level(bare, {}) is registry.PACK_ENFORCEMENT_LEVEL
    assert effective_level(bare, {}, EnforcementLevel.MANDATORY) is EnforcementLevel.MANDATORY


def test_every_rule_names_its_source_and_takes_waivers() -> None:
    for p in POLICIES:
        assert isinstance(p, Rule)
        assert any(s in p.source for s in SOURCES), p.name
        assert p.description.endswith(f"[{p.source}]")
        assert p.config_schema is not None and "waivers" in p.config_schema.properties


def test_every_rule_has_a_compliant_and_a_non_compliant_case() -> None:
    covered: set[str] = set()
    for name in TEST_MODULES:
        module = importlib.import_module(f"tests.policies.{name}")
        for param in module.CASES:
            case = param.values[0]
            assert isinstance(case, Case) and case.good and case.bad and case.flagged
            covered.add(case.rule.name)
    assert covered == {p.name for p in POLICIES}
    assert {m.__name__.rsplit(".", 1)[-1] for m in MODULES} == {
        "network", "security_groups", "connectivity", "load_balancing", "compute", "data", "edge", "identity",
        "monitoring", "resilience"}


def test_the_policy_config_securecart_runs_with_is_valid_and_complete() -> None:
    doc = json.loads((ROOT / "policies" / "policy-config.json").read_text())
    config = PackConfig.parse(doc, POLICIES, "policy-config.json")
    assert set(doc) == {p.name for p in POLICIES}
    assert config.properties["rds-backup-retention"]["minBackupDays"] >= 7
    assert config.properties["sg-no-world-ingress"]["authorisedPorts"] == [80, 443]
    assert set(config.levels.values()) <= {EnforcementLevel.MANDATORY, EnforcementLevel.ADVISORY}


@pytest.mark.parametrize(("doc", "expected"), [
    ({"rds-backups": {"minBackupDays": 7}}, "cfg: 'rds-backups' is not a rule of the pack"),
    ({"rds-backup-retention": {"enforcementLevel": "fatal"}},
     "cfg: rds-backup-retention.enforcementLevel: 'fatal' is not a level"),
    ({"rds-backup-retention": {"minBackupDays": "seven"}},
     "cfg: rds-backup-retention.minBackupDays: 'seven' is not of type 'integer'"),
    ({"rds-backup-retention": {"minBackupDays": 0}},
     "cfg: rds-backup-retention.minBackupDays: 0 is less than the minimum of 1"),
    ({"rds-backup-retention": {"minDays": 7}},
     "cfg: rds-backup-retention.minDays: not a setting of this rule (settings: minBackupDays, waivers)"),
    ({"sg-no-world-ingress": {"waivers": [{"resource": "x"}]}},
     "cfg: sg-no-world-ingress.waivers[0]: 'reason' is a required property"),
    ({"lb-listener-modern-tls": {"allowedSslPolicies": "ELBSecurityPolicy-TLS13-1-2-2021-06"}},
     "cfg: lb-listener-modern-tls.allowedSslPolicies: 'ELBSecurityPolicy-TLS13-1-2-2021-06' is not of type"),
])
def test_malformed_policy_config_names_the_rule_and_key(doc: dict[str, Any], expected: str) -> None:
    with pytest.raises(PolicyConfigError) as info:
        PackConfig.parse(doc, POLICIES, "cfg")
    assert any(p.startswith(expected) for p in info.value.problems), info.value.problems


def test_a_waiver_accepts_one_resource_for_one_rule_and_is_reported() -> None:
    open_a = res("aws:ec2/subnet:Subnet", "legacy-a", {"mapPublicIpOnLaunch": True})
    open_b = res("aws:ec2/subnet:Subnet", "legacy-b", {"mapPublicIpOnLaunch": True})
    waiver = {"waivers": [{"resource": "legacy-a", "reason": "vendor appliance needs it until Q3 (CHG-1042)"}]}
    found = violations(network.subnet_no_auto_public_ip, [open_a, open_b], waiver)
    assert [(v.resource_name, v.level) for v in found] == [("legacy-b", "mandatory"), ("legacy-a", "waived")]
    assert found[1].message == "waived (mandatory): vendor appliance needs it until Q3 (CHG-1042)"
    # The waiver log belongs to one evaluation: the next one starts empty and reports only its own.
    assert [v.level for v in violations(network.subnet_no_auto_public_ip, [open_b], waiver)] == ["mandatory"]


def test_a_stack_rule_waiver_names_the_resource_it_accepts() -> None:
    vpc = res("aws:ec2/vpc:Vpc", "legacy-vpc", {"cidrBlock": "10.9.0.0/16"})
    other = res("aws:ec2/vpc:Vpc", "vpc", {"cidrBlock": "10.8.0.0/16"})
    waiver = {"waivers": [{"resource": vpc.urn, "reason": "migrated next quarter (CHG-77)"}]}
    found = violations(network.vpc_flow_logs_all_traffic, [vpc, other], waiver)
    assert [(v.resource_name, v.level, v.severity) for v in found] == [
        ("vpc", "mandatory", "high"), ("legacy-vpc", "waived", "mandatory")]
    assert found[1].message == "waived (mandatory): migrated next quarter (CHG-77)"


class _Collector:
    """A caller's waiver log: what the registry hands waived violations to."""

    def __init__(self) -> None:
        self.reported: list[tuple[str, str | None]] = []
        self.waived_: list[registry.Waived] = []

    def __call__(self, message: str, urn: str | None = None) -> None:
        self.reported.append((message, urn))

    def waived(self, waiver: registry.Waived) -> None:
        self.waived_.append(waiver)


def test_waivers_are_honoured_without_a_waiver_log_and_kept_nowhere() -> None:
    """In a real preview CrossGuard's plain callback gets nothing for a waived resource, and the pack keeps no log
    of its own (nothing to grow while the policy server runs); a caller that hands a log in receives each one."""
    waiver = {"waivers": [{"resource": "legacy-a", "reason": "vendor appliance needs it until Q3 (CHG-1042)"}]}
    urn = "urn:pulumi:s::p::aws:ec2/subnet:Subnet::legacy-a"
    args = ResourceValidationArgs("aws:ec2/subnet:Subnet", {"mapPublicIpOnLaunch": True}, urn, "legacy-a",
                                  None, None, waiver)  # type: ignore[arg-type]
    plain: list[tuple[str, str | None]] = []
    before = {k: repr(v) for k, v in vars(registry).items() if isinstance(v, (list, dict, set))}
    for _ in range(3):
        network.subnet_no_auto_public_ip.validate(args, lambda message, urn: plain.append((message, urn)))
    assert plain == []
    assert {k: repr(v) for k, v in vars(registry).items() if isinstance(v, (list, dict, set))} == before
    log = _Collector()
    network.subnet_no_auto_public_ip.validate(args, log)
    assert log.reported == []
    assert log.waived_ == [registry.Waived("subnet-no-auto-public-ip", urn,
                                           "vendor appliance needs it until Q3 (CHG-1042)")]


def test_preview_unknowns_mean_cannot_tell_yet() -> None:
    unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # the engine's unknown-value sentinel
    subnet = res("aws:ec2/subnet:Subnet", "s", {"mapPublicIpOnLaunch": unknown})
    (v,) = violations(network.subnet_no_auto_public_ip, [subnet])
    assert v.level == "advisory" and v.message.startswith("cannot tell yet")
    assert "mapPublicIpOnLaunch" in v.message


def _struct(value: dict[str, Any]) -> struct_pb2.Struct:
    s = struct_pb2.Struct()
    s.update(value)
    return s


def test_rules_through_crossguards_analyzer_entry_point() -> None:
    """The servicer the pack's PolicyPack starts for `pulumi preview`: protobuf in, diagnostics out."""
    servicer = _PolicyAnalyzerServicer(PACK_NAME, "0.1.0", list(POLICIES), EnforcementLevel.ADVISORY)
    servicer.Configure(analyzer_pb2.ConfigureAnalyzerRequest(policyConfig={
        "rds-backup-retention": analyzer_pb2.PolicyConfig(enforcementLevel=analyzer_pb2.MANDATORY,
                                                          properties=_struct({"minBackupDays": 14})),
        "rds-iam-authentication": analyzer_pb2.PolicyConfig(enforcementLevel=analyzer_pb2.DISABLED),
    }), None)  # type: ignore[no-untyped-call]
    db = {"storageEncrypted": True, "multiAz": True, "publiclyAccessible": True, "dbSubnetGroupName": "db",
          "backupRetentionPeriod": 10, "deletionProtection": True, "enabledCloudwatchLogsExports": ["postgresql"],
          "manageMasterUserPassword": True, "skipFinalSnapshot": False, "finalSnapshotIdentifier": "db-final",
          "monitoringInterval": 60, "monitoringRoleArn": "arn:aws:iam::1:role/m", "copyTagsToSnapshot": True}
    request = analyzer_pb2.AnalyzeRequest(type="aws:rds/instance:Instance", properties=_struct(db), name="db",
                                          urn="urn:pulumi:s::p::aws:rds/instance:Instance::db",
                                          options=analyzer_pb2.AnalyzerResourceOptions(protect=True))
    response = servicer.Analyze(request, None)  # type: ignore[no-untyped-call]
    got = sorted((d.policyName, d.enforcementLevel) for d in response.diagnostics)
    # Numbers crossed as protobuf doubles (10.0 < 14); the config raised the threshold; IAM auth was disabled.
    assert got == [("rds-backup-retention", analyzer_pb2.MANDATORY), ("rds-not-public", analyzer_pb2.MANDATORY)]

    vpc = analyzer_pb2.AnalyzerResource(type="aws:ec2/vpc:Vpc", urn="urn:pulumi:s::p::aws:ec2/vpc:Vpc::vpc",
                                        name="vpc", properties=_struct({"cidrBlock": "10.0.0.0/16"}))
    stack_request = analyzer_pb2.AnalyzeStackRequest(resources=[vpc])
    stack = servicer.AnalyzeStack(stack_request, None)  # type: ignore[no-untyped-call]
    assert {(d.policyName, d.urn) for d in stack.diagnostics} >= {("vpc-flow-logs-all-traffic", vpc.urn)}

    info = servicer.GetAnalyzerInfo(None, None)  # type: ignore[no-untyped-call]
    assert [p.name for p in info.policies] == [p.name for p in POLICIES]
    kinds = {p.name: p.policy_type for p in info.policies}
    assert kinds["rds-not-public"] == analyzer_pb2.POLICY_TYPE_RESOURCE
    assert kinds["vpc-flow-logs-all-traffic"] == analyzer_pb2.POLICY_TYPE_STACK


def test_policies_main_builds_the_pack_from_the_rule_list(monkeypatch: pytest.MonkeyPatch) -> None:
    built: dict[str, Any] = {}

    def fake_pack(**kwargs: Any) -> None:  # PolicyPack itself would start a server and block
        built.update(kwargs)

    monkeypatch.setattr("pulumi_policy.PolicyPack", fake_pack)
    runpy.run_path(str(ROOT / "policies" / "__main__.py"), run_name="__main__")
    assert built["name"] == PACK_NAME and built["policies"] == list(POLICIES)
    assert all(isinstance(p, (ResourceValidationPolicy, StackValidationPolicy)) for p in built["policies"])
    assert "  name: python" in (ROOT / "policies" / "PulumiPolicy.yaml").read_text()
    requirements = (ROOT / "policies" / "requirements.txt").read_text()
    assert "pulumi-policy==" in requirements and "pulumi==" in requirements


def test_both_stacks_pass_with_the_shipped_config(synth_run: Any) -> None:
    config = PackConfig.load(Path(ROOT / "policies" / "policy-config.json"), POLICIES)
    for result in synth_run.results.values():
        assert [v for v in evaluate(result, POLICIES, config) if v.level != "advisory"] == []


def test_readme_lists_every_rule() -> None:
    readme = (ROOT / "README.md").read_text()
    for p in POLICIES:
        assert f"| `{p.name}` |" in readme, p.name


def test_readme_rule_table_matches_the_registry() -> None:
    """Each row of the README's rule table says what the registry holds: module, level, severity, description,
    source and settings."""
    rows = {}
    for line in (ROOT / "README.md").read_text().splitlines():
        m = re.fullmatch(r"\| `([a-z0-9-]+)` \| (\w+) \| (\w+) \| (\w+) \| (.*?) \| (.*?) \| (.*?) \|", line)
        if m:
            rows[m.group(1)] = m.groups()[1:]
    assert set(rows) == {p.name for p in POLICIES}
    for p in POLICIES:
        assert isinstance(p, Rule) and p.enforcement_level is not None and p.severity is not None
        module, level, severity, checks, source, settings = rows[p.name]
        assert (module, level, severity) == (p.module, p.enforcement_level.value, p.severity.value), p.name
        assert f"{checks} [{source}]" == p.description, p.name
        schema = p.config_schema.properties if p.config_schema is not None else {}
        assert sorted(re.findall(r"`(\w+)`", settings)) == sorted(k for k in schema if k != "waivers"), p.name
