"""The offline engine and the `securecart synth` command, end to end on the real program and stack files."""

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pulumi
import pytest
from pulumi.runtime import rpc
from securecart_rules import POLICIES

from automation import plan
from automation.cli import main
from automation.mocks import serialize_state
from automation.project import Project
from automation.synth import SynthError, SynthRun, synth_all, synth_stack
from components.contract import peer_keys
from components.settings.types import Role
from tests.conftest import ROOT, Graph

INSECURE_PROGRAM = '''
import pulumi
import pulumi_aws as aws

opts = pulumi.ResourceOptions(provider=aws.Provider("aws", region="us-east-1"))
vpc = aws.ec2.Vpc("unlogged", cidr_block="10.99.0.0/16", opts=opts)
aws.ec2.SecurityGroup(
    "bastion",
    vpc_id=vpc.id,
    description="SSH from anywhere",
    ingress=[aws.ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=22, to_port=22, cidr_blocks=["0.0.0.0/0"])],
    opts=opts,
)
aws.rds.Instance(
    "orders", engine="postgres", instance_class="db.t4g.micro", allocated_storage=20, publicly_accessible=True,
    storage_encrypted=True, multi_az=True, backup_retention_period=7, deletion_protection=True,
    db_subnet_group_name="default", username="app", manage_master_user_password=True, opts=opts,
)
'''


@pytest.fixture
def in_project() -> Iterator[None]:
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        yield
    finally:
        os.chdir(cwd)


def test_synth_follows_the_deployment_plan_and_converges(synth_run: SynthRun) -> None:
    # The plan's five steps, then nothing more: every stack read its peer's final outputs.
    assert synth_run.passes == ["prod-eu", "prod-us", "prod-eu", "prod-us", "prod-eu"]
    assert [step.role.value for step in plan.PLAN] == ["secondary", "primary", "secondary", "primary", "secondary"]
    # prod-eu's third step added outputs its first did not have (the replica needs the primary first), but none
    # that prod-us reads, so prod-us does not run again for them.
    assert "databaseArn" in synth_run.results["prod-eu"].outputs
    assert "databaseArn" not in synth_run.results["prod-us"].reads["prod-eu"]
    # Why the fourth and fifth: with its certificate and the domain (step 3), prod-eu exports its partners' API
    # domain and its endpoint service's verification record, which prod-us reads (its latency record, the TXT
    # record it writes in the zone: step 4); the names it wrote, prod-eu reads to ask AWS to verify (step 5).
    eu, us = synth_run.results["prod-eu"], synth_run.results["prod-us"]
    assert {"partnersDomainTarget", "partnersDomainZoneId", "paymentServiceDnsVerification"} <= \
        us.reads["prod-eu"] & set(eu.outputs)
    assert "verifiedDnsNames" in eu.reads["prod-us"] and "payment.eu-west-1.securecart.example" in \
        us.outputs["verifiedDnsNames"]
    assert set(synth_run.results) == {"prod-us", "prod-eu"}


def test_stack_reference_is_answered_with_the_peers_outputs(project: Project) -> None:
    first = synth_stack(project, "prod-eu")  # a fresh pair: the peer has no outputs yet
    assert any("peer stack prod-us has no vpcCidr output yet" in msg for level, msg in first.logs
               if level == "info")
    (ref,) = first.by_type("pulumi:pulumi:StackReference")
    assert ref.inputs["name"] == "organization/securecart-network/prod-us"
    later = synth_stack(project, "prod-eu", {"prod-us": {"vpcCidr": "10.10.0.0/16"}})
    assert not any("no vpcCidr output yet" in msg for _, msg in later.logs)
    (ref,) = later.by_type("pulumi:pulumi:StackReference")
    assert ref.outputs["outputs"] == {"vpcCidr": "10.10.0.0/16"}


def test_program_rejects_a_peer_whose_vpc_overlaps(project: Project) -> None:
    with pytest.raises(SynthError) as info:
        synth_stack(project, "prod-eu", {"prod-us": {"vpcCidr": "10.20.128.0/17"}})
    assert info.value.kind == "config"
    assert info.value.problems == [
        "securecart:network.cidr: prod-eu's 10.20.0.0/16 overlaps prod-us's 10.20.128.0/17: give each region its "
        "own range so routing between them works"
    ]


def test_records_what_the_engine_would_see(synth_run: SynthRun) -> None:
    us = synth_run.results["prod-us"]
    key = next(r for r in us.resources if r.name == "logs-key")
    assert key.protect and key.custom
    assert key.parent.endswith("securecart:network:NetworkTier::network")
    group = next(r for r in us.resources if r.name == "flow-logs")
    assert key.urn in group.dependencies and group.property_dependencies["kmsKeyId"] == [key.urn]
    assert us.outputs["region"] == "us-east-1" and us.outputs["role"] == "primary"
    assert set(us.outputs) >= {"vpcId", "vpcCidr", "subnetIds", "routeTableIds", "dbSubnetGroupName",
                               "endpointSecurityGroupId"}
    assert [r.urn for r in us.resources] == sorted(r.urn for r in us.resources)


def test_synth_is_deterministic(project: Project, synth_run: SynthRun) -> None:
    again = synth_all(project, ["prod-us"])
    a, b = synth_run.results["prod-us"], again.results["prod-us"]
    assert [(r.urn, r.id, r.inputs) for r in a.resources] == [(r.urn, r.id, r.inputs) for r in b.resources]
    assert a.outputs == b.outputs


def test_cli_synth_prints_tree_and_summary_and_writes_the_graph(
    in_project: None, tmp_path: Path, capsys: pytest.CaptureFixture[str], synth_run: SynthRun
) -> None:
    out = tmp_path / "graph.json"
    assert main(["synth", "--json", str(out)]) == 0
    text = capsys.readouterr().out
    assert "prod-us (us-east-1, primary)  pulumi:pulumi:Stack  securecart-network-prod-us" in text
    assert "│  ├─ aws:ec2/networkAclRule:NetworkAclRule  data-nacl-in-db-from-app" in text
    eu = synth_run.results["prod-eu"].resources
    cloud = [r for r in eu if r.custom and not r.type.startswith("pulumi:")]
    components = [r for r in eu if not r.custom]
    protected = sorted(r.name for r in eu if r.protect)
    # every key, bucket, database of prod-eu, nothing else
    assert protected == ["access-logs", "alarms-key", "database", "database-key", "images", "images-key",
                         "images-logs", "lb-logs", "logs-key", "xray-key"]
    assert f"Summary prod-eu: {len(eu)} resources ({len(cloud)} cloud, {len(components)} component(s), " \
           f"1 provider(s), 1 stack reference(s)), {sum(r.protect for r in eu)} protected" in text
    assert f"policy gate: {len(POLICIES)} rules, 0 mandatory and 0 advisory violation(s)" in text
    # The edge's failover figures, in prod-us's summary (the stack that owns the edge) only.
    assert text.count("  failover DNS (api; CloudFront's dynamic origin): detect <= 30 s, switch <= 90 s") == 1
    assert text.count("  failover accelerator (checkout): detect <= 20 s, switch <= 20 s") == 1
    assert text.index("Summary prod-us") < text.index("failover DNS")
    assert text.rstrip().endswith("OK: no mandatory policy violations")
    doc = json.loads(out.read_text())
    assert doc["passes"] == ["prod-eu", "prod-us", "prod-eu", "prod-us", "prod-eu"]
    assert "synth passes (deployment plan, then until outputs settle): prod-eu → prod-us → prod-eu → prod-us → " \
           "prod-eu" in text
    # Only the partners' body-size rule counts (securecart:waf.count is empty in both stack files).
    counted = "partners-waf/AWSManagedRulesCommonRuleSet/SizeRestrictions_BODY"
    assert text.count(f"  waf rules that only count: {counted}") == 2
    eu = doc["stacks"]["prod-eu"]
    vpc = next(r for r in eu["resources"] if r["type"] == "aws:ec2/vpc:Vpc")
    assert vpc["inputs"]["cidrBlock"] == "10.20.0.0/16" and vpc["provider"].startswith("urn:pulumi:prod-eu::")


def test_cli_one_stack_still_reads_its_peer(in_project: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["synth", "prod-us", "--no-tree"]) == 0
    out = capsys.readouterr()
    assert "Summary prod-us" in out.out and "Summary prod-eu" not in out.out
    assert "synth prod-eu" in out.err  # the peer ran first, as the plan says


def test_cli_unknown_stack_lists_the_known_ones(in_project: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["synth", "prod-ap"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "error: unknown stack 'prod-ap': known stacks are prod-eu, prod-us"


def test_cli_bad_arguments_exit_2_without_traceback(in_project: None, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["synth", "--jsn", "x"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "unrecognized arguments: --jsn" in err and "Traceback" not in err
    assert main(["synth", "--json", "/dev/null/sub/out.json"]) == 2
    assert "--json: cannot create folder /dev/null/sub (Not a directory): choose another path" in \
        capsys.readouterr().err


def test_cli_bad_stack_config_exits_2_naming_the_key(
    project_copy: Callable[..., Project], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    def edit(stack: str, config: dict[str, Any]) -> None:
        if stack == "prod-eu":
            _move_to_prod_us_range(config)
        if stack == "prod-us":
            config["securecart:network"]["availabilityZones"] = ["a"]

    project_copy(edit)
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        out = tmp_path / "graph.json"
        code = main(["synth", "--json", str(out)])
    finally:
        os.chdir(cwd)
    err = capsys.readouterr().err
    assert code == 2
    assert err.splitlines() == [
        "error: Pulumi.prod-us.yaml: securecart:network.availabilityZones: lists 1 AZ(s): at least 3 are "
        "required so the loss of one AZ still leaves two",
    ]
    assert not out.exists()  # nothing half-written


def test_overlapping_stack_cidrs_fail_before_any_synth(project_copy: Callable[..., Project]) -> None:
    def edit(stack: str, config: dict[str, Any]) -> None:
        if stack == "prod-eu":
            _move_to_prod_us_range(config)

    with pytest.raises(SynthError) as info:
        synth_all(project_copy(edit))
    assert info.value.problems == [
        "securecart:network.cidr: prod-eu's 10.10.0.0/16 overlaps prod-us's 10.10.0.0/16: give each region its "
        "own range so routing between them works"
    ]


def _move_to_prod_us_range(config: dict[str, Any]) -> None:
    """prod-eu's network plan shifted onto prod-us's 10.10.0.0/16 (a copy-paste mistake)."""
    net = config["securecart:network"]
    net["cidr"] = "10.10.0.0/16"
    for group in net["subnetGroups"]:
        group["block"] = group["block"].replace("10.20.", "10.10.")


def test_insecure_program_fails_the_gate_naming_rule_and_resource(
    in_project: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    program = tmp_path / "__main__.py"
    program.write_text(INSECURE_PROGRAM)
    assert main(["synth", "prod-us", "--no-tree", "--program", str(tmp_path)]) == 1
    out = capsys.readouterr()
    assert "MANDATORY [rds-not-public] aws:rds/instance:Instance 'orders': The database is publicly accessible" \
        in out.out
    assert "MANDATORY [sg-no-world-high-risk-ports] aws:ec2/securityGroup:SecurityGroup 'bastion': Ingress from " \
           "0.0.0.0/0 reaches high-risk port(s) 22." in out.out
    assert "MANDATORY [vpc-flow-logs-all-traffic] aws:ec2/vpc:Vpc 'unlogged'" in out.out
    mandatory = [line.split("]")[0].split("[")[1] for line in out.out.splitlines()
                 if line.strip().startswith("MANDATORY")]
    assert sorted(mandatory) == ["rds-final-snapshot", "rds-not-public", "rds-tls-enforced",
                                 "sg-no-world-high-risk-ports", "sg-no-world-ingress",
                                 "sg-world-ingress-only-on-public-load-balancers", "stateful-resources-protected",
                                 "subnet-tiers-separated", "vpc-flow-logs-all-traffic"]
    assert "FAILED: 9 mandatory policy violation(s)" in out.err


def test_a_program_using_the_default_provider_is_an_error(tmp_path: Path, project: Project) -> None:
    program = tmp_path / "__main__.py"
    program.write_text("import pulumi_aws as aws\naws.ec2.Vpc('v', cidr_block='10.9.0.0/16')\n")
    with pytest.raises(SynthError) as info:
        synth_stack(project, "prod-us", main=program)
    assert info.value.kind == "program"
    assert info.value.problems == [
        "aws:ec2/vpc:Vpc 'v' would use the default aws provider, which Pulumi.prod-us.yaml disables "
        "(pulumi:disable-default-providers): pass the stack's provider"
    ]


def test_a_crashing_program_exits_2_with_where_it_failed(
    in_project: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    program = tmp_path / "__main__.py"
    program.write_text("import pulumi\n\nraise RuntimeError('boom')\n")
    assert main(["synth", "prod-us", "--program", str(program)]) == 2
    err = capsys.readouterr().err
    assert "error: prod-eu: the program failed: RuntimeError: boom" in err
    assert "Traceback" not in err and "--verbose" in err


def test_stack_file_secure_values_become_marked_secrets(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: demo\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text(
        "config:\n  aws:region: us-east-1\n  demo:token:\n    secure: v1:abc\n  demo:n: 5\n  demo:flag: true\n"
        "  pulumi:disable-default-providers: ['aws']\n"
    )
    cfg = Project.load(tmp_path).read_stack("dev")
    assert cfg.values["demo:token"] == "offline_secret:demo:token"
    assert cfg.secret_keys == ["demo:token"]
    assert cfg.values["demo:n"] == "5" and cfg.values["demo:flag"] == "true"
    assert json.loads(cfg.values["pulumi:disable-default-providers"]) == ["aws"]


@pytest.mark.parametrize(("argv", "expected"), [
    (["synth", "prod-ap"], "error: unknown stack 'prod-ap': known stacks are prod-eu, prod-us"),
    (["synth", "--policy-config", "/no/such.json"], "error: --policy-config: /no/such.json: cannot be read"),
    (["deploy"], "invalid choice: 'deploy'"),
])
def test_the_installed_command_reports_bad_input_without_traceback(argv: list[str], expected: str) -> None:
    done = subprocess.run([sys.executable, "-m", "automation", *argv], cwd=ROOT, capture_output=True, text=True,
                          check=False)
    assert done.returncode == 2
    assert expected in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_an_unanswered_invoke_is_reported_not_hung(tmp_path: Path, project: Project) -> None:
    program = tmp_path / "__main__.py"
    program.write_text(
        "import pulumi, pulumi_aws as aws\n"
        "p = aws.Provider('p', region='us-east-1')\n"
        "aws.ec2.get_vpc_output(default=True, opts=pulumi.InvokeOutputOptions(provider=p))\n"
    )
    with pytest.raises(SynthError) as info:
        synth_stack(project, "prod-us", main=program)
    assert info.value.kind == "program"
    assert "no answer for invoke 'aws:ec2/getVpc:getVpc'" in info.value.problems[0]


@pytest.mark.parametrize("where", ["folder", "unwritable"])
def test_a_bad_json_path_exits_2_without_traceback(
    in_project: None, tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    target = tmp_path if where == "folder" else Path("/proc/securecart-graph.json")
    assert main(["synth", "prod-us", "--no-tree", "--json", str(target)]) == 2
    err = capsys.readouterr().err
    assert "error: --json:" in err and "Traceback" not in err


def _sdk_serialize(state: dict[str, Any]) -> Any:
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(rpc.serialize_properties(state, {}))
    finally:
        loop.close()


def test_the_monitors_fast_serialization_is_the_sdks(synth_run: SynthRun) -> None:
    """The mock monitor answers JSON-shaped states without the SDK's async serializer: same bytes, every state."""
    states = [r.outputs for result in synth_run.results.values() for r in result.resources]
    assert len(states) > 300
    for state in states:
        assert serialize_state(state) == _sdk_serialize(state)
    tricky: dict[str, Any] = {"a": None, "b": [None, 1, 2.5, True, "x"], "c": {"d": None, "e": {}}, "f": (1, 2)}
    assert serialize_state(tricky) == _sdk_serialize(tricky)
    assert "a" not in serialize_state(tricky)  # top-level None means "absent", as the SDK has it


def test_states_the_fast_path_cannot_take_go_through_the_sdk(tmp_path: Path) -> None:
    asset = pulumi.FileAsset(str(tmp_path / "x.txt"))
    state = {"code": asset, "name": "n"}
    expected = _sdk_serialize(state)
    assert serialize_state(state) == expected
    assert expected["code"]["path"] == str(tmp_path / "x.txt")


def test_each_stack_reads_what_the_contract_declares(synth_run: SynthRun) -> None:
    """The synth reruns a stack when one of the peer outputs it reads changes; which ones is the stack contract's
    declaration (components/contract.py), the same list the program reads through its StackReference."""
    assert synth_run.results["prod-us"].reads == {"prod-eu": {
        "vpcCidr", "transitGatewayAsn", "routedNetworks", "region", "transitGatewayId", "imagesBucketArn",
        "imagesKeyArn", "databaseKeyArn",
        # the edge (PeerEdge): the secondary's load balancers and images bucket, its partners' API domain and the
        # record that verifies its endpoint service's private DNS name (the zone's owner writes it)
        "albDnsName", "albZoneId", "acceleratorAlbArn", "imagesBucketRegionalDomainName", "partnersDomainTarget",
        "partnersDomainZoneId", "paymentServiceDnsVerification",
        # the capacity plan (PeerCapacity): the peer's peaks, which this region carries too should the peer's fail
        "peakRequestsPerSecond"}}
    assert synth_run.results["prod-eu"].reads == {"prod-us": {
        "vpcCidr", "transitGatewayAsn", "routedNetworks", "tgwPeeringAttachmentId", "dxGatewayId", "dxPrefixes",
        "databaseArn", "databaseSecretArns", "sessionsTableName", "sessionsReplicaRegions",
        # the edge (PeerEdge): its certificate, the distribution, the health path, what CloudFront sends, the
        # domain and the partners' name, the verification records written
        "certificateArns", "distributionArn", "healthCheckPath", "originVerifyHeader", "originVerifyValues",
        "domain", "partnersName", "verifiedDnsNames",
        # Shield (PeerShield): the health check its ALB's protection is associated with
        "healthCheckIds",
        # the capacity plan (PeerCapacity)
        "peakRequestsPerSecond"}}
    assert set(peer_keys(Role.PRIMARY)) == synth_run.results["prod-us"].reads["prod-eu"]
    assert set(peer_keys(Role.SECONDARY)) == synth_run.results["prod-eu"].reads["prod-us"]
    # Everything either stack reads, its peer exports after the plan's passes.
    for name, peer in (("prod-us", "prod-eu"), ("prod-eu", "prod-us")):
        assert synth_run.results[name].reads[peer] <= set(synth_run.results[peer].outputs), name


def test_the_protection_tiers_outputs(synth_run: SynthRun) -> None:
    """What the partners', PrivateLink and Shield tiers export, in both stacks, is what they built."""
    for name in ("prod-us", "prod-eu"):
        result = synth_run.results[name]
        graph, outputs = Graph(result), result.outputs
        api = graph.one("aws:apigateway/restApi:RestApi", "partners-api")
        stage = graph.one("aws:apigateway/stage:Stage", "partners-stage")
        domain = graph.one("aws:apigateway/domainName:DomainName", "partners-domain")
        assert (outputs["partnersApiId"], outputs["partnersStageArn"]) == (api.id, stage.outputs["arn"])
        assert (outputs["partnersDomainTarget"], outputs["partnersDomainZoneId"]) == \
            (domain.outputs["regionalDomainName"], domain.outputs["regionalZoneId"])
        service = graph.one("aws:ec2/vpcEndpointService:VpcEndpointService", "payment-endpoint-service")
        assert outputs["paymentEndpointServiceName"] == service.outputs["serviceName"]
        (dns,) = service.outputs["privateDnsNameConfigurations"]
        assert outputs["paymentServiceDnsVerification"] == {"name": dns["name"], "value": dns["value"]}
        assert outputs["processorEndpointId"] == graph.one("aws:ec2/vpcEndpoint:VpcEndpoint", "processor-endpoint").id
        assert outputs["shieldProtectionIds"] == {p.name: p.id for p in graph.of_type(
            "aws:shield/protection:Protection")}
    us, eu = synth_run.results["prod-us"].outputs, synth_run.results["prod-eu"].outputs
    assert (us["domain"], us["partnersName"]) == ("securecart.example", "partners.securecart.example")
    assert us["verifiedDnsNames"] == ["payment.us-east-1.securecart.example", "payment.eu-west-1.securecart.example"]
    assert not {"domain", "partnersName", "verifiedDnsNames"} & set(eu)  # the primary's edge alone says them


def test_a_program_other_than_the_projects_reruns_on_any_peer_output(tmp_path: Path, project: Project) -> None:
    (tmp_path / "__main__.py").write_text(READS_ONE)
    peer = {"prod-eu": {"vpcId": "vpc-1", "vpcCidr": "10.20.0.0/16"}}
    result = synth_stack(project, "prod-us", peer, main=tmp_path / "__main__.py")
    assert result.reads == {"prod-eu": {"*"}}
    assert result.outputs == {"one": "vpc-1"}


READS_ONE = '''
import pulumi
ref = pulumi.StackReference("organization/securecart-network/prod-eu")
pulumi.export("one", ref.get_output("vpcId"))
'''


def test_a_stack_reruns_when_an_output_it_read_changes(tmp_path: Path, project: Project) -> None:
    """prod-us exports its peer's value plus one: each stack reads the other's, so the plan's three passes are
    followed by more until the values settle (here: never, so the synth says it does not converge)."""
    (tmp_path / "__main__.py").write_text('''
import pulumi
peer = "prod-eu" if pulumi.get_stack() == "prod-us" else "prod-us"
ref = pulumi.StackReference(f"organization/securecart-network/{peer}")
pulumi.export("n", ref.get_output("n").apply(lambda n: (n or 0) + 1))
''')
    with pytest.raises(SynthError, match="outputs still changing"):
        synth_all(project, main=tmp_path / "__main__.py")


SETTLING = """
import pulumi
me = pulumi.get_stack()
peer = "prod-eu" if me == "prod-us" else "prod-us"
ref = pulumi.StackReference(f"organization/securecart-network/{peer}")
if me == "prod-eu":
    pulumi.export("echo", ref.get_output("d"))
else:
    pulumi.export("d", ref.get_output("echo").apply(lambda e: min((e or 0) + 1, 2)))
"""


def test_a_stack_reruns_while_what_it_read_changes_then_settles(tmp_path: Path, project: Project) -> None:
    (tmp_path / "__main__.py").write_text(SETTLING)
    run = synth_all(project, main=tmp_path / "__main__.py")
    # The plan, then prod-us again (prod-eu's echo changed), prod-eu again (d changed), prod-us once more (echo
    # changed again) after which d stays 2 and nothing that either read changes.
    assert run.passes == ["prod-eu", "prod-us", "prod-eu", "prod-us", "prod-eu", "prod-us"]
    assert run.results["prod-us"].outputs == {"d": 2} and run.results["prod-eu"].outputs == {"echo": 2}
