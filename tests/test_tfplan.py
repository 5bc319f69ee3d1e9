"""The Terraform plan export (automation/tfplan.py) and the Checkov gate (tools/checkov_gate.py).

Structure on the real stacks' export, hand-picked values as Terraform writes them, determinism, the export read
back by Checkov's own plan parser and graph, and the gate's exception logic on hand-made Checkov results."""

import importlib.util
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from automation import tfplan
from automation.mocks import Registration
from automation.project import Project
from automation.synth import StackResult, SynthRun

ROOT = Path(__file__).resolve().parent.parent
CHECKOV_PYTHON = ROOT / ".tools" / "checkov" / "bin" / "python"
SECRET = {tfplan.SECRET_SIG: "1b47061264138c4ac30d75fd1eb44270"}


def _gate() -> ModuleType:
    spec = importlib.util.spec_from_file_location("checkov_gate", ROOT / "tools" / "checkov_gate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["checkov_gate"] = module
    spec.loader.exec_module(module)
    return module


gate = _gate()


@pytest.fixture(scope="module")
def exports(synth_run: SynthRun, project: Project) -> dict[str, tfplan.PlanExport]:
    return tfplan.export_all(synth_run, project)


def planned(export: tfplan.PlanExport, address: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [r for r in export.plan["planned_values"]["root_module"]["resources"]
                                   if r["address"] == address]
    assert len(found) == 1, f"{address}: {len(found)} in the plan"
    return found[0]


def configured(export: tfplan.PlanExport, address: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [r for r in export.plan["configuration"]["root_module"]["resources"]
                                   if r["address"] == address]
    assert len(found) == 1, f"{address}: {len(found)} in the configuration"
    return found[0]


def one(result: StackResult, typ: str, name: str) -> Registration:
    found = [r for r in result.resources if r.type == typ and r.name == name]
    assert len(found) == 1
    return found[0]


# -- structure ---------------------------------------------------------------------------------------------------

def test_every_custom_resource_once_with_its_terraform_type(synth_run: SynthRun,
                                                            exports: dict[str, tfplan.PlanExport]) -> None:
    mapping = tfplan.load_mapping()
    for stack, export in exports.items():
        result = synth_run.results[stack]
        custom = {r.urn: r for r in result.resources if r.custom and not r.type.startswith("pulumi:")}
        by_urn = Counter(export.urns.values())
        for urn, reg in custom.items():
            assert by_urn[urn] == 1, f"{stack}: {urn} exported {by_urn[urn]} times"
            address = next(a for a, u in export.urns.items() if u == urn)
            assert address.split(".")[0] == mapping["resources"][reg.type]["tf"]
        # the awsx repositories: a repository and a lifecycle policy each; nothing else (components, engine types)
        awsx = {r.urn for r in result.resources if r.type == tfplan.AWSX_REPOSITORY}
        assert len(awsx) == 4
        assert sorted(a.split(".")[0] for a, u in export.urns.items() if u in awsx) == (
            ["aws_ecr_lifecycle_policy"] * 4 + ["aws_ecr_repository"] * 4)
        assert set(by_urn) == set(custom) | awsx
        addresses = [r["address"] for r in export.plan["planned_values"]["root_module"]["resources"]]
        assert len(addresses) == len(set(addresses)) == len(custom) + 8
        assert [c["address"] for c in export.plan["resource_changes"]] == addresses
        assert [c["address"] for c in export.plan["configuration"]["root_module"]["resources"]] == addresses
        assert all(c["change"]["actions"] == ["create"] and c["change"]["before"] is None
                   for c in export.plan["resource_changes"])
        assert export.fallbacks == [] and export.unmapped_types == []
        assert export.plan["terraform_version"] and export.plan["format_version"] == "1.2"


def test_bucket_versioning_is_its_own_resource_referencing_the_bucket(
        synth_run: SynthRun, exports: dict[str, tfplan.PlanExport]) -> None:
    result, export = synth_run.results["prod-eu"], exports["prod-eu"]
    bucket = one(result, "aws:s3/bucket:Bucket", "access-logs")
    tags = {"CostCenter": "ecommerce-platform", "Environment": "prod", "ManagedBy": "pulumi",  # the provider's
            "Owner": "platform-engineering", "Project": "securecart-network", "Stack": "prod-eu"}  # default tags
    versioning = planned(export, "aws_s3_bucket_versioning.access-logs-versioning")
    assert versioning["values"] == {"bucket": bucket.id, "versioning_configuration": [{"status": "Enabled"}],
                                    "tags_all": tags}
    assert versioning["provider_name"] == "registry.terraform.io/hashicorp/aws"
    assert configured(export, "aws_s3_bucket_versioning.access-logs-versioning")["expressions"] == {
        "bucket": {"references": ["aws_s3_bucket.access-logs.id", "aws_s3_bucket.access-logs"]},
        "versioning_configuration": [{"status": {"constant_value": "Enabled"}}],
    }
    change = next(c for c in export.plan["resource_changes"]
                  if c["address"] == "aws_s3_bucket_versioning.access-logs-versioning")["change"]
    assert change["after"] == versioning["values"]
    assert change["after_unknown"] == {"arn": True, "id": True}  # the outputs AWS knows only after the apply


def test_pluralized_fields_are_singular_and_max_items_one_wrapped(
        synth_run: SynthRun, exports: dict[str, tfplan.PlanExport]) -> None:
    result, export = synth_run.results["prod-us"], exports["prod-us"]
    # apigateway VpcLink: Pulumi's scalar targetArn is TF's target_arns (a list of at most one)
    link = one(result, "aws:apigateway/vpcLink:VpcLink", "partners-vpc-link")
    assert planned(export, "aws_api_gateway_vpc_link.partners-vpc-link")["values"]["target_arns"] == [
        link.inputs["targetArn"]]
    # lb Listener: Pulumi's defaultActions is TF's default_action blocks, keys renamed inside
    listener = one(result, "aws:lb/listener:Listener", "alb-https")
    values = planned(export, "aws_lb_listener.alb-https")["values"]
    assert "default_actions" not in values
    assert values["default_action"] == [{"target_group_arn": a["targetGroupArn"], "type": a["type"]}
                                        for a in listener.inputs["defaultActions"]]
    # awsx ECR repository: imageScanningConfiguration is a MaxItems-1 block, encryptionConfigurations pluralized
    repo = planned(export, "aws_ecr_repository.checkout-repo")["values"]
    assert repo["image_scanning_configuration"] == [{"scan_on_push": True}]
    assert repo["encryption_configuration"] == [{"encryption_type": "KMS"}]
    assert repo["name"] == "securecart/prod/checkout"


def test_awsx_lifecycle_policy_as_awsx_writes_it(exports: dict[str, tfplan.PlanExport]) -> None:
    export = exports["prod-us"]
    policy = planned(export, "aws_ecr_lifecycle_policy.checkout-repo")["values"]
    assert policy["repository"] == "securecart/prod/checkout"
    assert json.loads(policy["policy"]) == {"rules": [
        {"rulePriority": 1, "description": "untagged layers: a week", "action": {"type": "expire"},
         "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days",
                       "countNumber": 7}},
        {"rulePriority": 2, "description": "keep the last 50 releases", "action": {"type": "expire"},
         "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 50}},
    ]}
    assert configured(export, "aws_ecr_lifecycle_policy.checkout-repo")["expressions"]["repository"] == {
        "references": ["aws_ecr_repository.checkout-repo.name", "aws_ecr_repository.checkout-repo"]}
    # any-tag rules go last even when listed first; no rules: untagged beyond one image
    assert [r["selection"]["tagStatus"] for r in json.loads(tfplan.awsx_lifecycle_policy(
        [{"tagStatus": "any", "maximumNumberOfImages": 5}, {"tagStatus": "untagged", "maximumAgeLimit": 1}]))[
        "rules"]] == ["untagged", "any"]
    assert json.loads(tfplan.awsx_lifecycle_policy([]))["rules"] == [
        {"rulePriority": 1, "action": {"type": "expire"},
         "selection": {"tagStatus": "untagged", "countType": "imageCountMoreThan", "countNumber": 1}}]


def test_secrets_unwrapped_and_marked_sensitive(synth_run: SynthRun,
                                                exports: dict[str, tfplan.PlanExport]) -> None:
    result, export = synth_run.results["prod-us"], exports["prod-us"]
    db = one(result, "aws:rds/instance:Instance", "database")
    assert tfplan.SECRET_SIG in db.inputs["password"]
    resource = planned(export, "aws_db_instance.database")
    assert resource["values"]["password"] == db.inputs["password"]["value"]
    assert resource["sensitive_values"] == {"password": True}
    change = next(c for c in export.plan["resource_changes"] if c["address"] == "aws_db_instance.database")
    assert change["change"]["after_sensitive"] == {"password": True}
    # a secret inside a block list (the ALB's web ACL rules carry the origin-verify header value)
    assert planned(export, "aws_wafv2_web_acl.alb-waf")["sensitive_values"] == {"rule": True}
    assert planned(export, "aws_wafv2_web_acl.cloudfront-waf")["sensitive_values"] == {}


def test_provider_config_is_the_stacks_provider(exports: dict[str, tfplan.PlanExport]) -> None:
    for stack, region in (("prod-us", "us-east-1"), ("prod-eu", "eu-west-1")):
        config = exports[stack].plan["configuration"]
        aws = config["provider_config"]["aws"]
        assert aws["expressions"]["region"] == {"constant_value": region}
        assert aws["expressions"]["default_tags"][0]["tags"]["constant_value"]["Stack"] == stack
        keys = {r["provider_config_key"] for r in config["root_module"]["resources"]}
        assert keys == {"aws", "random"} if stack == "prod-us" else keys <= {"aws", "random"}
        assert keys <= set(config["provider_config"])


def test_names_sanitized_and_traced_to_urns(synth_run: SynthRun, exports: dict[str, tfplan.PlanExport]) -> None:
    route = one(synth_run.results["prod-us"], "aws:ec2transitgateway/route:Route",
                "tgw-route-vpc-to-analytics-172.20.0.0")
    assert exports["prod-us"].urns["aws_ec2_transit_gateway_route.tgw-route-vpc-to-analytics-172_20_0_0"] == route.urn
    assert tfplan.sanitize("a.b/c") == "a_b_c"
    assert tfplan.sanitize("1st") == "_1st"
    assert tfplan.sanitize("-x") == "_-x"


def _registration(name: str, inputs: dict[str, Any], typ: str = "aws:s3/bucket:Bucket") -> Registration:
    return Registration(urn=f"urn:pulumi:s::p::{typ}::{name}", type=typ, name=name, custom=True, parent="",
                        provider="", protect=False, dependencies=[], property_dependencies={}, inputs=inputs,
                        outputs={}, id=name, delete_before_replace=None, ignore_changes=[], aliases=[],
                        additional_secret_outputs=[])


def test_clashing_names_made_unique_and_unknown_inputs_reported() -> None:
    result = StackResult(stack="s", project="p", region="us-east-1", role="primary", stack_urn="", outputs={},
                         resources=[_registration("logs.a", {"bucket": "x", "newFieldName": {"innerKey": 1}}),
                                    _registration("logs/a", {"bucket": "y", "tags": {"someTag": SECRET | {
                                        "value": "v"}}}),
                                    _registration("thing", {}, typ="aws:new/thing:Thing")])
    export = tfplan.export_stack(result)
    assert export.urns == {"aws_s3_bucket.logs_a": "urn:pulumi:s::p::aws:s3/bucket:Bucket::logs.a",
                           "aws_s3_bucket.logs_a_2": "urn:pulumi:s::p::aws:s3/bucket:Bucket::logs/a"}
    first = planned(export, "aws_s3_bucket.logs_a")["values"]
    assert first == {"bucket": "x", "new_field_name": {"inner_key": 1}}
    assert export.fallbacks == ["aws_s3_bucket.logs_a: newFieldName -> new_field_name",
                                "aws_s3_bucket.logs_a: newFieldName.innerKey -> inner_key"]
    second = planned(export, "aws_s3_bucket.logs_a_2")
    assert second["values"]["tags"] == {"someTag": "v"}  # map keys are data: never renamed
    assert second["sensitive_values"] == {"tags": {"someTag": True}}
    assert export.unmapped_types == ["aws:new/thing:Thing (urn:pulumi:s::p::aws:new/thing:Thing::thing)"]


def test_export_is_deterministic(synth_run: SynthRun, project: Project, tmp_path: Path) -> None:
    first = tfplan.write_plans(synth_run, project, tmp_path / "a")
    second = tfplan.write_plans(synth_run, project, tmp_path / "b")
    assert [p.name for p in first] == ["prod-eu.tfplan.json", "prod-eu.urns.json",
                                       "prod-us.tfplan.json", "prod-us.urns.json"]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes()
    text = first[0].read_text()
    assert text == tfplan.dumps(json.loads(text))  # pretty-printed with sorted keys


# -- read back by Checkov -----------------------------------------------------------------------------------------

_CHECKOV_READ = """
import json, sys
from checkov.runner_filter import RunnerFilter
from checkov.terraform.plan_parser import parse_tf_plan
from checkov.terraform.plan_runner import Runner
path = sys.argv[1]
definitions, _ = parse_tf_plan(path, {})
resources = {f"{t}.{n}": conf for block in definitions.get("resource", []) for t, named in block.items()
             for n, conf in named.items()}
runner = Runner()
runner.run(root_folder=None, files=[path], runner_filter=RunnerFilter(framework=["terraform_plan"],
                                                                      checks=["CKV_AWS_20"]))
graph = runner.tf_plan_local_graph
edges = sorted({(graph.vertices[e.origin].attributes.get("__address__"),
                 graph.vertices[e.dest].attributes.get("__address__")) for e in graph.edges})
print(json.dumps({"resources": resources, "edges": edges}, default=str))
"""


def checkov_python() -> Path:
    assert CHECKOV_PYTHON.exists(), f"{CHECKOV_PYTHON} is missing: `bash tools/dev setup` installs Checkov"
    return CHECKOV_PYTHON


def test_checkov_reads_the_plan_and_its_references(synth_run: SynthRun, project: Project, tmp_path: Path) -> None:
    python = checkov_python()
    tfplan.write_plans(synth_run, project, tmp_path)
    plan = tmp_path / "prod-eu.tfplan.json"
    proc = subprocess.run([str(python), "-c", _CHECKOV_READ, str(plan)], capture_output=True, text=True,
                          check=False, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    ours = json.loads(plan.read_text())["planned_values"]["root_module"]["resources"]
    assert set(seen["resources"]) == {r["address"] for r in ours}
    bucket = one(synth_run.results["prod-eu"], "aws:s3/bucket:Bucket", "access-logs")
    versioning = seen["resources"]["aws_s3_bucket_versioning.access-logs-versioning"]
    assert versioning["bucket"] == [bucket.id]  # Checkov's HCL shape: every attribute wrapped once
    assert versioning["versioning_configuration"][0]["status"] == ["Enabled"]
    assert versioning["references_"] == [["aws_s3_bucket.access-logs.id", "aws_s3_bucket.access-logs"]]
    edges = {tuple(e) for e in seen["edges"]}
    assert ("aws_s3_bucket_public_access_block.access-logs-bpa", "aws_s3_bucket.access-logs") in edges
    assert ("aws_wafv2_web_acl_association.alb-waf-association", "aws_lb.alb") in edges
    assert ("aws_wafv2_web_acl_association.alb-waf-association", "aws_wafv2_web_acl.alb-waf") in edges


# -- the gate -----------------------------------------------------------------------------------------------------

def _checkov_result(*failed: tuple[str, str]) -> dict[str, Any]:
    return {"check_type": "terraform_plan", "summary": {"failed": len(failed)}, "results": {"failed_checks": [
        {"check_id": check, "check_name": f"name of {check}", "resource": address, "resource_address": address,
         "file_abs_path": "/x/prod-us.tfplan.json", "file_line_range": [10, 20]} for check, address in failed]}}


def _exceptions(tmp_path: Path, text: str) -> list[Any]:
    path = tmp_path / "exceptions.yaml"
    path.write_text(text)
    result: list[Any] = gate.load_exceptions(path)
    return result


def test_gate_exceptions_are_narrow_and_stale_ones_fail(tmp_path: Path) -> None:
    exceptions = _exceptions(tmp_path, """
exceptions:
  - check: CKV_AWS_145
    stacks: [prod-us]
    resources: [aws_s3_bucket.lb-logs, "aws_s3_bucket.access-*"]
    reason: log buckets take SSE-S3 only
  - check: CKV_AWS_2
    stacks: [prod-us]
    resources: ["urn:pulumi:*::gwlb-listener"]
    reason: a GWLB listener names no protocol
""")
    found = gate.findings(_checkov_result(("CKV_AWS_145", "aws_s3_bucket.lb-logs"),
                                          ("CKV_AWS_145", "aws_s3_bucket.images"),
                                          ("CKV_AWS_144", "aws_s3_bucket.lb-logs"),
                                          ("CKV_AWS_2", "aws_lb_listener.gwlb-listener")), "prod-us",
                          {"aws_lb_listener.gwlb-listener": "urn:pulumi:prod-us::p::aws:lb/listener:Listener::"
                                                            "gwlb-listener"})
    verdict = gate.judge(found, exceptions, ["prod-us"])
    # the bucket the exception names is accepted; another bucket, or another check on it, is not
    assert [(f.check, f.address) for f, _ in verdict.accepted] == [("CKV_AWS_145", "aws_s3_bucket.lb-logs"),
                                                                   ("CKV_AWS_2", "aws_lb_listener.gwlb-listener")]
    assert [(f.check, f.address) for f in verdict.failures] == [("CKV_AWS_144", "aws_s3_bucket.lb-logs"),
                                                                ("CKV_AWS_145", "aws_s3_bucket.images")]
    assert verdict.stale == ["CKV_AWS_145 prod-us aws_s3_bucket.access-*: matches no failure (remove it)"]
    assert not verdict.ok
    # the same exception in another stack's failures does not apply
    other = gate.findings(_checkov_result(("CKV_AWS_145", "aws_s3_bucket.lb-logs")), "prod-eu", {})
    assert [f.stack for f in gate.judge(other, exceptions, ["prod-eu"]).failures] == ["prod-eu"]
    clean = gate.findings(_checkov_result(("CKV_AWS_145", "aws_s3_bucket.lb-logs"),
                                          ("CKV_AWS_145", "aws_s3_bucket.access-logs")), "prod-us", {})
    assert gate.judge(clean, exceptions[:1], ["prod-us"]).ok


@pytest.mark.parametrize(("text", "line"), [
    ("exceptions:\n  - check: CKV_AWS_145\n    stacks: [prod-us]\n    resources: [aws_s3_bucket.x]\n",
     "exceptions.0.reason: Field required"),
    ("exceptions:\n  - check: CKV_AWS_145\n    stacks: [prod-us]\n    resources: [aws_s3_bucket.x]\n"
     "    reason: ''\n", "exceptions.0.reason: Value error, every exception needs a reason"),
    ("exceptions:\n  - check: CKV_AWS_145\n    stacks: [prod-us]\n    resources: []\n    reason: r\n",
     "exceptions.0.resources: List should have at least 1 item after validation, not 0"),
    ("exceptions: [\n", "is not valid YAML"),
])
def test_gate_refuses_bad_exceptions(tmp_path: Path, text: str, line: str) -> None:
    with pytest.raises(gate.GateInputError) as err:
        _exceptions(tmp_path, text)
    assert line in str(err.value)


def test_the_projects_exceptions_file_is_valid() -> None:
    exceptions = gate.load_exceptions(ROOT / "checkov-exceptions.yaml")
    assert exceptions and all(e.reason for e in exceptions)
    assert all("*" not in e.resources for e in exceptions)  # never a blanket skip


def _fake_checkov(tmp_path: Path, result: dict[str, Any]) -> Path:
    out = tmp_path / "result.json"
    out.write_text(json.dumps(result))
    script = tmp_path / "checkov"
    script.write_text(f"#!/bin/sh\ncat {out}\nexit 1\n")
    script.chmod(0o755)
    return script


def test_gate_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plans = tmp_path / "plans"
    plans.mkdir()
    exceptions = tmp_path / "exceptions.yaml"
    exceptions.write_text("exceptions:\n  - check: CKV_AWS_145\n    stacks: [prod-us]\n"
                          "    resources: [aws_s3_bucket.lb-logs]\n    reason: SSE-S3 only\n")
    args = [str(plans), "--exceptions", str(exceptions)]
    checkov = _fake_checkov(tmp_path, _checkov_result(("CKV_AWS_145", "aws_s3_bucket.lb-logs")))
    assert gate.main(args, checkov) == 2
    assert capsys.readouterr().out.startswith("checkov gate: no <stack>.tfplan.json in")
    (plans / "prod-us.tfplan.json").write_text("{}")
    assert gate.main(args, checkov) == 2  # no side table
    assert "prod-us.urns.json" in capsys.readouterr().out
    (plans / "prod-us.urns.json").write_text(json.dumps({"addresses": {"aws_s3_bucket.lb-logs": "urn:x"}}))
    assert gate.main(args, checkov) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "OK: every Checkov failure is an accepted exception"
    failing = _fake_checkov(tmp_path, _checkov_result(("CKV_AWS_145", "aws_s3_bucket.lb-logs"),
                                                      ("CKV_AWS_18", "aws_s3_bucket.lb-logs")))
    assert gate.main(args, failing) == 1
    out = capsys.readouterr().out
    assert ["CKV_AWS_18", "prod-us", "aws_s3_bucket.lb-logs", "urn:x", "/x/prod-us.tfplan.json:10-20"] in [
        line.split() for line in out.splitlines()]
    assert gate.main(args, tmp_path / "missing") == 2
    assert "`bash tools/dev setup` installs Checkov" in capsys.readouterr().out
