"""The pack as a whole: its rule list, levels and severities, sources, tests per rule, the config file SecureCart
runs with, waivers, preview unknowns, and rules driven through CrossGuard's own analyzer entry point."""

import importlib
import json
import runpy
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import struct_pb2
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy import EnforcementLevel, ResourceValidationPolicy, StackValidationPolicy
from pulumi_policy.policy import _PolicyAnalyzerServicer
from securecart_rules import MODULES, PACK_NAME, POLICIES, network
from securecart_rules._common import Rule

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
    ("cloudfront-access-logging", "advisory", "medium"),
    ("cloudfront-origin-failover", "advisory", "low"),
    ("route53-routing-health-checked", "mandatory", "high"),
    ("shield-advanced-on-entry-points", "mandatory", "high"),
    ("global-accelerator-flow-logs", "advisory", "medium"),
    ("apigateway-execution-logging", "advisory", "medium"),
    ("apigateway-access-logging", "advisory", "medium"),
    ("apigateway-waf", "mandatory", "high"),
    ("apigateway-xray", "advisory", "low"),
    ("apigateway-authorization", "mandatory", "high"),
    ("apigateway-regional-or-private", "advisory", "low"),
    ("waf-blocks-sqli-and-xss", "mandatory", "high"),
    ("waf-metrics", "advisory", "low"),
    ("waf-logging", "advisory", "medium"),
    ("iam-no-wildcard-admin", "mandatory", "critical"),
    ("iam-trust-not-public", "mandatory", "critical"),
    ("iam-no-decrypt-on-all-keys", "advisory", "medium"),
    ("checkout-alarms", "mandatory", "high"),
    ("alarm-has-actions", "advisory", "medium"),
    ("log-group-encrypted-and-retained", "advisory", "medium"),
    ("required-tags", "advisory", "low"),
]
TEST_MODULES = ("test_network_rules", "test_security_group_rules", "test_connectivity_rules",
                "test_load_balancing_rules", "test_compute_rules", "test_data_rules", "test_edge_rules",
                "test_identity_and_monitoring_rules")
SOURCES = ("seed", "FSBP", "cdk-nag", "AWSGuard", "catalogue gap", "SecureCart")


def test_pack_lists_every_rule_with_its_level_and_severity() -> None:
    assert PACK_NAME == "securecart-network"
    got = [(p.name, p.enforcement_level.value if p.enforcement_level else None,
            p.severity.value if p.severity else None) for p in POLICIES]
    assert got == EXPECTED
    assert len({p.name for p in POLICIES}) == len(POLICIES)


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
        "monitoring"}


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
