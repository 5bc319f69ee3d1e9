"""AWS's API constraints, checked offline (automation/constraints): the mapping covers every type the program uses
and names members that exist in the installed botocore models, the hand-written rules still say what the models'
documentation says, and the check refuses what AWS would refuse (and nothing the mocks invented)."""

import gzip
import json
import random
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pulumi.runtime.rpc import UNKNOWN

from automation.constraints import (
    RESOURCES,
    Checked,
    Finding,
    Nothing,
    check_run,
    check_stack,
    config_entries,
    documented,
    mapped_members,
)
from automation.constraints.model import (
    Member,
    ModelError,
    _model,
    _model_path,
    plain_text,
    prefetch,
    python_pattern,
    resolve,
    shape_of,
)
from automation.mocks import Registration, _digest
from automation.offline import OFFLINE_SECRET
from automation.project import Project, StackConfig
from automation.synth import StackResult, SynthRun, synth_stack
from tests.conftest import ROOT, synth_in

PROVIDER = "urn:pulumi:prod-us::securecart-network::pulumi:pulumi:Stack$pulumi:providers:aws::aws-us-east-1"
WAF = "aws:wafv2/webAcl:WebAcl"
SG = "aws:ec2/securityGroup:SecurityGroup"
LB = "aws:lb/loadBalancer:LoadBalancer"
TG = "aws:lb/targetGroup:TargetGroup"
WAF_DESCRIPTION = r"pattern ^[\w+=:#@/\-,\.][\w+=:#@/\-,\.\s]+[\w+=:#@/\-,\.]$ of wafv2 CreateWebACL Description"
EC2_CHARS = "characters a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*"


def reg(typ: str, name: str, inputs: dict[str, Any], *, outputs: dict[str, Any] | None = None,
        deps: dict[str, list[str]] | None = None, provider: str = "", rid: str = "") -> Registration:
    return Registration(
        urn=f"urn:pulumi:prod-us::securecart-network::{typ}::{name}", type=typ, name=name, custom=True,
        parent="", provider=provider, protect=False, dependencies=[], property_dependencies=deps or {},
        inputs=inputs, outputs=outputs if outputs is not None else dict(inputs), id=rid or f"{name}-id",
        delete_before_replace=None, ignore_changes=[], aliases=[], additional_secret_outputs=[])


def stack_of(*resources: Registration) -> StackResult:
    return StackResult(stack="prod-us", project="securecart-network", region="us-east-1", role="primary",
                       stack_urn="urn:pulumi:prod-us::securecart-network::pulumi:pulumi:Stack::x",
                       resources=list(resources), outputs={})


def findings(*resources: Registration, config: StackConfig | None = None) -> list[Finding]:
    return check_stack(stack_of(*resources), config).findings


def lines(*resources: Registration, config: StackConfig | None = None) -> list[str]:
    return [f.line() for f in findings(*resources, config=config)]


# --- the mapping ----------------------------------------------------------------------------------------------

def test_every_aws_type_the_program_uses_has_a_mapping_entry(synth_run: SynthRun) -> None:
    used = {r.type for result in synth_run.results.values() for r in result.resources
            if r.type.startswith(("aws:", "awsx:"))}
    assert len(used) > 50  # both stacks' whole program, not a fragment of it
    missing = sorted(used - set(RESOURCES))
    assert missing == [], f"give these types an entry in automation/constraints/mapping.py: {missing}"


def test_every_mapped_member_exists_in_the_installed_botocore_models() -> None:
    missing = []
    for typ, prop, member in mapped_members():
        try:
            resolve(member)
        except ModelError as exc:
            missing.append(f"{typ} {prop.path}: {exc}")
    assert missing == []
    assert len(mapped_members()) > 200


def test_a_misspelt_member_fails_to_resolve() -> None:
    with pytest.raises(ModelError, match="has no member"):
        resolve(Member.parse("elbv2 CreateTargetGroup Prot"))
    with pytest.raises(ModelError, match="no operation"):
        resolve(Member.parse("elbv2 CreateTargetGroups Port"))
    with pytest.raises(ModelError, match="no model"):
        resolve(Member.parse("elbv3 CreateTargetGroup Port"))


def test_models_read_in_the_background_answer_as_read_at_once() -> None:
    prefetch(["shield", "no-such-service"])
    prefetch(["shield"])  # read once per process
    assert resolve(Member.parse("shield CreateProtection Name")).shape.max == 128
    with pytest.raises(ModelError, match="no model for service 'no-such-service'"):
        resolve(Member.parse("no-such-service CreateThing Name"))


def test_every_entry_constrains_something_or_says_why_not() -> None:
    for typ, mapping in RESOURCES.items():
        if isinstance(mapping, Nothing):
            assert len(mapping.reason) > 5, typ
            continue
        assert mapping, typ
        for prop in mapping:
            assert prop.member is not None or prop.documented, (typ, prop.path)
            if prop.member is not None and not (prop.mirror or prop.documented):
                shape = resolve(prop.member).shape
                assert shape.constrained, f"{typ} {prop.path}: {prop.member} ({shape.name}) constrains nothing"


def test_every_pattern_the_mapping_reaches_has_a_python_translation() -> None:
    patterns: set[str] = set()

    def collect(service: str, name: str, seen: set[str]) -> None:
        if name in seen:
            return
        seen.add(name)
        shape = shape_of(service, name)
        if shape.pattern:
            patterns.add(shape.pattern)
        for _, child in shape.members:
            collect(service, child, seen)
        if shape.member:
            collect(service, shape.member, seen)

    for _, prop, member in mapped_members():
        shape = resolve(member).shape
        if prop.mirror:
            collect(member.service, shape.name, set())
        elif shape.pattern:
            patterns.add(shape.pattern)
    assert len(patterns) > 20
    assert [p for p in patterns if python_pattern(p) is None] == []


def test_hand_written_rules_still_say_what_the_models_documentation_says() -> None:
    used: set[str] = set()
    for typ, prop, member in mapped_members():
        resolved = resolve(member)
        text = plain_text(resolved.documentation + " " + resolved.shape.documentation)
        for rule in prop.documented:
            used.add(rule.says + rule.source)
            if rule.quote:
                assert rule.quote in text, f"{typ} {prop.path}: {member} no longer says {rule.quote!r}"
            if rule.quote and rule.values and all(isinstance(v, str) for v in rule.values):
                assert [v for v in rule.values if v not in text] == [], f"{typ} {prop.path}"
    for name, rule in documented.ALL.items():
        assert rule.url.startswith("https://docs.aws.amazon.com/"), name
        assert rule.says + rule.source in used, f"{name} is used by no mapping entry"
    # The two rules the model states only in prose, and AWS enforces all the same.
    assert resolve(Member.parse("ec2 CreateSecurityGroup Description")).shape.pattern is None
    assert resolve(Member.parse("elbv2 CreateLoadBalancer Name")).shape.max is None


def test_the_rds_engine_list_is_the_models_list_exactly() -> None:
    """A hand-written enum must not lag behind AWS: a new engine in the model fails this test, not a deploy."""
    resolved = resolve(Member.parse("rds CreateDBInstance Engine"))
    assert sorted(re.findall(r"<code>([^<]+)</code>", resolved.documentation)) == sorted(
        documented.RDS_ENGINE.values)


def test_the_shape_index_agrees_with_a_full_parse() -> None:
    """Shapes are decoded from their own offsets (found by bisection, or by search where a model is not
    sorted): the answers equal json.loads of the whole model, for a sorted model, an unsorted one (s3) and one
    laid out with spaces (iam)."""
    rng = random.Random(7)
    for service in ("elbv2", "s3", "iam", "ec2"):
        whole = json.loads(gzip.decompress(_model_path(service).read_bytes()))
        names = sorted(whole["shapes"])
        sample = names if len(names) < 1500 else rng.sample(names, 300)
        for name in sample:
            assert _model(service).shape(name) == whole["shapes"][name], (service, name)
        for name in rng.sample(sorted(whole["operations"]), 20):
            assert _model(service).operation(name) == whole["operations"][name], (service, name)


def test_java_patterns_are_widened_never_narrowed() -> None:
    tag = python_pattern(r"^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$")
    assert tag is not None and tag.fullmatch("Ünïcode 名前 2026 a_b.c:d/e=f+g-h@i")
    assert not tag.fullmatch("a;b") and not tag.fullmatch("it's")
    xml = python_pattern(r"[\u0020-\uD7FF\uE000-\uFFFD\uD800\uDC00-\uDBFF\uDFFF\r\n\t]*")
    assert xml is not None and xml.fullmatch("emoji 😀 and\ttabs\n") and not xml.fullmatch("bell \x07")
    loose = python_pattern(r"[\w-_]*")  # Java reads the '-' after \w as a literal
    assert loose is not None and loose.fullmatch("a-b_c")
    printable = python_pattern(r"\p{Print}+")
    assert printable is not None and printable.fullmatch("Café policy") and not printable.fullmatch("a\nb")
    anything = python_pattern(r"[\p{L}\p{M}\p{N}\p{P}\p{S}\p{Zs}]+")
    assert anything is not None and anything.fullmatch("¿Qué? ✓")


# --- what AWS refuses -----------------------------------------------------------------------------------------

def test_a_waf_description_with_a_semicolon_is_refused_by_the_wafv2_pattern() -> None:
    bad = reg(WAF, "alb-waf", {"description": "managed rules; rate limit", "scope": "REGIONAL"})
    [line] = lines(bad)
    assert line == (f'prod-us: {WAF} \'alb-waf\' description = "managed rules; rate limit": AWS requires '
                    f"{WAF_DESCRIPTION} (';' not allowed)")
    assert lines(reg(WAF, "alb-waf", {"description": "managed rules, rate limit", "scope": "REGIONAL"})) == []


def test_waf_rules_are_checked_all_the_way_down_from_the_model() -> None:
    rule = {"name": "rate limit", "priority": -1, "statement": {"rateBasedStatement": {"limit": 5}},
            "visibilityConfig": {"metricName": "rate limit!", "sampledRequestsEnabled": True}}
    found = {(f.path, f.says) for f in findings(reg(WAF, "waf", {"rules": [rule], "scope": "REGIONAL"}))}
    assert found == {
        ("rules[0].name", r"pattern ^[\w\-]+$ of wafv2 CreateWebACL Rules[].Name"),
        ("rules[0].priority", "range at least 0 of wafv2 CreateWebACL Rules[].Priority"),
        ("rules[0].statement.rateBasedStatement.limit",
         "range 10-2000000000 of wafv2 CreateWebACL Rules[].Statement.RateBasedStatement.Limit"),
        ("rules[0].visibilityConfig.metricName",
         r"pattern ^[\w#:\.\-/]+$ of wafv2 CreateWebACL Rules[].VisibilityConfig.MetricName"),
    }


def test_an_apostrophe_in_a_security_group_description_is_refused_by_the_hand_written_ec2_rule() -> None:
    bad = reg(SG, "alb-sg", {"description": "HTTPS from CloudFront's edge", "name": "alb"})
    [line] = lines(bad)
    assert line == (f'prod-us: {SG} \'alb-sg\' description = "HTTPS from CloudFront\'s edge": AWS requires '
                    f"{EC2_CHARS} and at most 255 of them (EC2 API reference, CreateSecurityGroup GroupDescription) "
                    f"(\"'\" not allowed)")
    every_allowed = "aZ09. _-:/()#,@[]+=&;{}!$*"
    assert lines(reg(SG, "ok", {"description": every_allowed, "name": every_allowed})) == []
    assert [f.detail for f in findings(reg(SG, "long", {"description": "x" * 256}))] == ["256 characters"]


def test_security_group_rule_descriptions_and_names_follow_the_ec2_rules() -> None:
    rules = [
        reg("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "in", {"description": "caller's port"}),
        reg("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "out", {"description": "to tasks <8080>"}),
        reg("aws:ec2/securityGroupRule:SecurityGroupRule", "rule", {"description": "naïve"}),
        reg(SG, "inline", {"description": "ok", "ingress": [{"description": "ok"}, {"description": "50%"}]}),
        reg(SG, "named", {"description": "ok", "name": "sg-web"}),
    ]
    found = [(f.resource, f.path, f.detail) for f in findings(*rules)]
    assert found == [("in", "description", "\"'\" not allowed"), ("out", "description", "'<', '>' not allowed"),
                     ("rule", "description", "'ï' not allowed"), ("inline", "ingress[1].description",
                                                                   "'%' not allowed"),
                     ("named", "name", "starts with sg-")]
    assert all("IpRange Description" in f.says for f in findings(*rules[:4]))


def test_elb_and_target_group_names_follow_the_documented_rules() -> None:
    ok = "a" * 32
    assert lines(reg(LB, "lb", {"name": ok}), reg(TG, "tg", {"name": ok})) == []
    bad = [reg(LB, "long", {"name": "a" * 33}), reg(LB, "hyphen", {"name": "-alb"}),
           reg(LB, "internal", {"name": "internal-alb"}), reg(TG, "underscore", {"name": "checkout_tg"}),
           reg(TG, "trailing", {"name": "checkout-"})]
    found = {f.resource: f for f in findings(*bad)}
    assert set(found) == {"long", "hyphen", "internal", "underscore", "trailing"}
    assert found["long"].detail == "33 characters" and "ELBv2 API reference, CreateLoadBalancer Name" in \
        found["long"].says
    assert found["internal"].detail == "starts with internal-"
    assert found["underscore"].detail == "'_' not allowed" and "CreateTargetGroup Name" in found["underscore"].says


def test_ports_and_health_check_settings_outside_the_models_ranges_are_refused() -> None:
    tg = reg(TG, "tg", {"port": 70000, "protocol": "HTTPS", "healthCheck": {"interval": 1, "healthyThreshold": 2}})
    listener = reg("aws:lb/listener:Listener", "l", {"port": 0, "protocol": "HTTPS"})
    found = {(f.resource, f.path): f.says for f in findings(tg, listener)}
    assert found == {
        ("tg", "port"): "range 1-65535 of elbv2 CreateTargetGroup Port",
        ("tg", "healthCheck.interval"): "range 5-300 of elbv2 CreateTargetGroup HealthCheckIntervalSeconds",
        ("l", "port"): "range 1-65535 of elbv2 CreateListener Port",
    }
    assert lines(reg(TG, "tg", {"port": 65535, "healthCheck": {"interval": 300}})) == []


def test_values_outside_an_enum_are_refused_case_sensitively() -> None:
    lb = reg(LB, "lb", {"loadBalancerType": "classic"})
    tg = reg(TG, "tg", {"protocol": "https"})
    found = {f.resource: f.says for f in findings(lb, tg)}
    assert found["lb"] == "enum LoadBalancerTypeEnum (application, network, gateway) of elbv2 CreateLoadBalancer Type"
    assert found["tg"].startswith("enum ProtocolEnum (HTTP, HTTPS, TCP,") and found["tg"].endswith(
        "of elbv2 CreateTargetGroup Protocol")
    assert lines(reg(LB, "lb", {"loadBalancerType": "network"}), reg(TG, "tg", {"protocol": "HTTPS"})) == []


def test_documented_enums_and_ranges_from_prose() -> None:
    db = reg("aws:rds/instance:Instance", "db", {"identifier": "2db--x-", "engine": "postgresql", "port": 443,
                                                  "backupRetentionPeriod": 36, "monitoringInterval": 45,
                                                  "performanceInsightsRetentionPeriod": 62})
    vpn = reg("aws:ec2/vpnConnection:VpnConnection", "vpn", {"tunnel1IkeVersions": ["ikev3"],
                                                             "tunnel2Phase1DhGroupNumbers": [14, 5]})
    found = {(f.resource, f.path): f.says for f in findings(db, vpn)}
    assert set(found) == {("db", "identifier"), ("db", "engine"), ("db", "port"), ("db", "backupRetentionPeriod"),
                          ("db", "monitoringInterval"), ("vpn", "tunnel1IkeVersions[0]"),
                          ("vpn", "tunnel2Phase1DhGroupNumbers[1]")}
    assert found[("db", "port")] == "a port from 1150 to 65535 (RDS API reference, CreateDBInstance Port)"
    assert found[("vpn", "tunnel1IkeVersions[0]")].startswith("one of ikev1, ikev2 (EC2 API reference")


def test_ecs_container_definitions_are_read_from_their_json() -> None:
    containers = [{"name": "app server", "logConfiguration": {"logDriver": "cloudwatch"},
                   "portMappings": [{"containerPort": 8080, "protocol": "TCP"}]}]
    task = reg("aws:ecs/taskDefinition:TaskDefinition", "task", {"family": "checkout",
                                                                 "containerDefinitions": json.dumps(containers)})
    found = {(f.path, f.says.split(" (")[0]) for f in findings(task)}
    assert found == {
        ("containerDefinitions[0].name", "up to 255 letters, digits, underscores and hyphens"),
        ("containerDefinitions[0].logConfiguration.logDriver", "enum LogDriver"),
        ("containerDefinitions[0].portMappings[0].protocol", "enum TransportProtocol"),
    }


def test_provider_values_and_empty_values_are_not_sent_to_aws() -> None:
    quiet = [reg("aws:s3/bucketVersioning:BucketVersioning", "v", {"versioningConfiguration": {"status": "Disabled"}}),
             reg("aws:cloudwatch/logGroup:LogGroup", "lg", {"name": "/a/b", "retentionInDays": 0}),
             reg(SG, "sg", {"description": "", "ingress": []})]
    assert lines(*quiet) == []
    loud = [reg("aws:s3/bucketVersioning:BucketVersioning", "v", {"versioningConfiguration": {"status": "Paused"}}),
            reg("aws:cloudwatch/logGroup:LogGroup", "lg", {"name": "/a/b c", "retentionInDays": 2})]
    assert [(f.resource, f.path) for f in findings(*loud)] == [
        ("v", "versioningConfiguration.status"), ("lg", "name"), ("lg", "retentionInDays")]


def test_unknown_missing_and_secret_values_are_skipped_or_unwrapped() -> None:
    secret = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}
    skipped = [reg(WAF, "none", {"description": None, "rules": [None, {"name": None}]}),
               reg(WAF, "unknown", {"description": UNKNOWN}),
               reg(WAF, "stand-in", {"description": f"{OFFLINE_SECRET}:securecart:x;y"}),
               reg(WAF, "missing", {}),
               reg(WAF, "odd", {"rules": "not a list", "defaultAction": [1, 2]}),
               reg(WAF, "wrapped-ok", {"description": {**secret, "value": "fine"}})]
    assert lines(*skipped) == []
    [line] = lines(reg(WAF, "wrapped-bad", {"description": {**secret, "value": "semi;colon"}}))
    assert "'wrapped-bad' description" in line and "';' not allowed" in line


def test_a_secret_input_is_checked_but_never_printed() -> None:
    vpn = reg("aws:ec2/vpnConnection:VpnConnection", "vpn", {"tunnel1PresharedKey": "0hunter2-is-bad"})
    [line] = lines(vpn)
    assert "hunter2" not in line and "(a secret: not shown)" in line and "PreSharedKey" in line


def test_mock_stand_in_names_are_never_refused(project: Project, tmp_path: Path) -> None:
    """The mocks fill in `<logical>-<7 hex>`, cut at the type's limit, for a name the program leaves to the
    provider: for a 31-character logical name that leaves a target group name ending in a hyphen, which ELB
    refuses, where a real provider shortens the logical part to fit its random suffix. The same value given by the
    program itself is refused."""
    logical = "checkout-target-group-for-cards"
    program = tmp_path / "__main__.py"
    program.write_text(
        "import pulumi_aws as aws, pulumi\n"
        "opts = pulumi.ResourceOptions(provider=aws.Provider('aws', region='us-east-1'))\n"
        f"aws.lb.TargetGroup('{logical}', port=80, protocol='HTTP', vpc_id='vpc-1', opts=opts)\n"
        f"aws.lb.TargetGroup('named', name='{logical}-', port=80, protocol='HTTP', vpc_id='vpc-1', opts=opts)\n")
    result = synth_stack(project, "prod-us", main=program)
    stand_in = next(r for r in result.resources if r.name == logical)
    assert stand_in.inputs["name"] == f"{logical}-"  # the mock's stand-in, recorded as an input
    found = check_stack(result).findings
    assert [(f.resource, f.path) for f in found] == [("named", "name")]
    assert "not starting or ending with a hyphen" in found[0].says


def test_a_value_built_from_what_the_mock_made_for_a_dependency_is_not_refused() -> None:
    """A role policy named after its role's stand-in name (or ID) holds the mock's value, not the program's; a role
    name the program set itself, copied into the policy's name, is the program's (and refused on both)."""
    stand_in = "Flow_Role-" + _digest("prod-us", "aws:iam/role:Role", "Flow_Role")[:7]
    mock_named = reg("aws:iam/role:Role", "Flow_Role", {"name": stand_in})
    policy = reg("aws:iam/rolePolicy:RolePolicy", "policy", {"name": f"{stand_in} policy"},
                 deps={"name": [mock_named.urn]})
    assert lines(mock_named, policy) == []
    by_id = reg("aws:iam/rolePolicy:RolePolicy", "policy", {"name": f"{mock_named.id}!"},
                deps={"name": [mock_named.urn]})
    assert lines(mock_named, by_id) == []
    own = reg("aws:iam/role:Role", "role", {"name": "bad role"})
    copied = reg("aws:iam/rolePolicy:RolePolicy", "policy", {"name": "bad role-policy"}, deps={"name": [own.urn]})
    assert [(f.resource, f.path) for f in findings(own, copied)] == [("role", "name"), ("policy", "name")]


def test_a_bad_default_tag_is_reported_once_on_the_provider() -> None:
    provider = reg("pulumi:providers:aws", "aws-us-east-1", {
        "defaultTags": json.dumps({"tags": {"Owner": "platform; ops", "Team": "web"}})}, rid="p1")
    provider.urn = PROVIDER
    lbs = [reg(LB, f"lb{i}", {"tags": {"Name": f"lb{i}"}}, provider=f"{PROVIDER}::p1") for i in range(3)]
    overridden = reg(LB, "own", {"tags": {"Owner": "web team"}}, provider=f"{PROVIDER}::p1")
    found = findings(provider, *lbs, overridden)
    assert [(f.resource, f.type, f.path) for f in found] == [
        ("aws-us-east-1", "pulumi:providers:aws", 'defaultTags.tags["Owner"]')]
    assert found[0].detail == "';' not allowed"


# --- where the offending part came from -------------------------------------------------------------------------

def _config(values: dict[str, Any], secret: tuple[str, ...] = ()) -> StackConfig:
    return StackConfig(stack="prod-us", path=Path("Pulumi.prod-us.yaml"),
                       values={k: v if isinstance(v, str) else json.dumps(v) for k, v in values.items()},
                       secret_keys=list(secret))


def test_config_is_flattened_into_key_paths_without_secrets() -> None:
    config = _config({"securecart:delivery": {"services": [{"name": "web", "port": 8443}]}, "aws:region": "x",
                      "securecart:environment": "prod", "securecart:vpnPreSharedKeys": "secret;value"},
                     secret=("securecart:vpnPreSharedKeys",))
    assert config_entries(config) == [("securecart:delivery.services[0].name", "web"),
                                      ("securecart:delivery.services[0].port", 8443),
                                      ("securecart:environment", "prod")]


def test_a_finding_names_the_config_key_its_offending_part_came_from() -> None:
    config = _config({"securecart:delivery": {"services": [{"name": "check;out", "port": 70000}]},
                      "securecart:environment": "production-environment-name"})
    waf = reg(WAF, "waf", {"description": "rules for check;out"})
    tg = reg(TG, "tg", {"port": 70000, "name": "production-environment-name-target-group"})
    by_path = {f.path: f.line() for f in findings(waf, tg, config=config)}
    tail = "in Pulumi.prod-us.yaml: fix it there)"
    assert by_path["description"].endswith(f"(from securecart:delivery.services[0].name {tail}")
    assert by_path["port"].endswith(f"(from securecart:delivery.services[0].port {tail}")
    assert by_path["name"].endswith(f"(from securecart:environment {tail}")  # too long: the config part named
    # A character the config string does not hold is the program's own: no key is named.
    assert "(from" not in lines(reg(WAF, "waf", {"description": "check;out, 'quoted'"}),
                                config=_config({"securecart:x": "check"}))[0]


def test_the_program_passes_every_aws_constraint(synth_run: SynthRun, project: Project) -> None:
    checked = check_run(synth_run, project)
    assert set(checked) == {"prod-us", "prod-eu"}
    for name, check in checked.items():
        assert isinstance(check, Checked)
        assert [f.line() for f in check.findings] == [], name
        assert check.values > 500
        for typ in (SG, WAF, LB, TG, "aws:ecs/taskDefinition:TaskDefinition", "aws:rds/instance:Instance",
                    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "awsx:ecr:Repository"):
            assert check.by_type[typ] > 0, (name, typ)


def test_the_cli_refuses_a_config_value_aws_would_refuse_naming_the_key(
    project_copy: Callable[..., Project], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    def edit(stack: str, config: dict[str, Any]) -> None:
        if stack == "prod-us":
            config["securecart:tags"]["Owner"] = "platform-engineering; on-call"

    project_copy(edit)
    code = synth_in(tmp_path, "--no-tree", "--program", str(ROOT))
    out = capsys.readouterr()
    assert code == 2
    errors = [line for line in out.err.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, errors
    assert errors[0].startswith("error: prod-us: pulumi:providers:aws 'aws-us-east-1' defaultTags.tags[\"Owner\"] "
                                "= \"platform-engineering; on-call\": AWS requires pattern ")
    assert errors[0].endswith("(';' not allowed) (from securecart:tags.Owner in Pulumi.prod-us.yaml: fix it there)")
    assert "Traceback" not in out.err
    assert "FAILED: 1 input(s) AWS's API would refuse" in out.err
    assert "0 refused" in out.out and "1 refused" in out.out  # prod-eu clean, prod-us not


# --- the edge tier ----------------------------------------------------------------------------------------------

EDGE_TYPES = (
    "aws:acm/certificate:Certificate", "aws:acm/certificateValidation:CertificateValidation",
    "aws:route53/zone:Zone", "aws:route53/record:Record", "aws:route53/healthCheck:HealthCheck",
    "aws:route53/queryLog:QueryLog", "aws:cloudwatch/logResourcePolicy:LogResourcePolicy",
    "aws:cloudfront/distribution:Distribution", "aws:cloudfront/originAccessControl:OriginAccessControl",
    "aws:cloudfront/cachePolicy:CachePolicy", "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy",
    "aws:cloudfront/originRequestPolicy:OriginRequestPolicy", "aws:cloudwatch/logDeliverySource:LogDeliverySource",
    "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination", "aws:cloudwatch/logDelivery:LogDelivery",
    "aws:globalaccelerator/accelerator:Accelerator", "aws:globalaccelerator/listener:Listener",
    "aws:globalaccelerator/endpointGroup:EndpointGroup", WAF, "aws:shield/protection:Protection",
)


def test_every_edge_type_has_an_entry_whose_members_resolve() -> None:
    """Whether or not the program registers them yet: an entry for each, every member in the botocore models."""
    assert [t for t in EDGE_TYPES if t not in RESOURCES] == []
    edge = [(typ, prop, member) for typ, prop, member in mapped_members() if typ in EDGE_TYPES]
    assert {typ for typ, _, _ in edge} == {t for t in EDGE_TYPES if not isinstance(RESOURCES[t], Nothing)}
    for _, _, member in edge:
        resolve(member)  # raises ModelError on a member the model does not have
    assert {m.service for _, _, m in edge} >= {"acm", "route53", "cloudfront", "globalaccelerator", "logs", "wafv2",
                                               "shield"}


def test_edge_inputs_aws_would_refuse_from_the_models() -> None:
    rules = [
        reg("aws:acm/certificate:Certificate", "cert", {"domainName": "-bad-.example.com", "validationMethod": "dns",
                                                        "subjectAlternativeNames": ["ok.example.com", "sp ace.com"]}),
        reg("aws:route53/record:Record", "rec", {"type": "ALIAS", "ttl": -1, "setIdentifier": "x" * 129,
                                                 "weightedRoutingPolicies": [{"weight": 256}],
                                                 "failoverRoutingPolicies": [{"type": "primary"}]}),
        reg("aws:route53/healthCheck:HealthCheck", "hc", {"type": "HTTPS", "failureThreshold": 11,
                                                          "regions": ["us-east-1", "eu-west-1"]}),
        reg("aws:cloudfront/distribution:Distribution", "cf", {
            "priceClass": "PriceClass_50", "httpVersion": "http2",
            "viewerCertificate": {"minimumProtocolVersion": "TLSv1.2_2099"},
            "defaultCacheBehavior": {"viewerProtocolPolicy": "https", "allowedMethods": ["GET", "TRACE"]},
            "originGroups": [{"members": [{"originId": "only-one"}]}]}),
        reg("aws:globalaccelerator/listener:Listener", "l", {"protocol": "HTTPS", "portRanges": [{"fromPort": 0}]}),
        reg("aws:globalaccelerator/endpointGroup:EndpointGroup", "g", {"trafficDialPercentage": 101,
                                                                       "endpointConfigurations": [{"weight": 256}]}),
        reg("aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination", "d", {"name": "cf access",
                                                                                  "outputFormat": "csv"}),
    ]
    found = {(f.resource, f.path) for f in findings(*rules)}
    assert found == {
        ("cert", "domainName"), ("cert", "validationMethod"), ("cert", "subjectAlternativeNames[1]"),
        ("rec", "type"), ("rec", "ttl"), ("rec", "setIdentifier"), ("rec", "weightedRoutingPolicies[0].weight"),
        ("rec", "failoverRoutingPolicies[0].type"),
        ("hc", "failureThreshold"), ("hc", "regions"),
        ("cf", "priceClass"), ("cf", "viewerCertificate.minimumProtocolVersion"),
        ("cf", "defaultCacheBehavior.viewerProtocolPolicy"), ("cf", "defaultCacheBehavior.allowedMethods[1]"),
        ("cf", "originGroups[0].members"),
        ("l", "protocol"), ("l", "portRanges[0].fromPort"),
        ("g", "trafficDialPercentage"), ("g", "endpointConfigurations[0].weight"),
        ("d", "name"), ("d", "outputFormat"),
    }


def test_edge_inputs_aws_would_refuse_from_its_documentation() -> None:
    long_label = "a" * 64
    rules = [
        reg("aws:acm/certificate:Certificate", "cert", {"domainName": f"{'a' * 60}.example.com"}),
        reg("aws:route53/record:Record", "rec", {"name": f"{long_label}.example.com.", "geolocationRoutingPolicies": [
            {"continent": "EUR"}, {"country": "usa"}]}),
        reg("aws:route53/zone:Zone", "zone", {"name": "a..example.com"}),
        reg("aws:route53/healthCheck:HealthCheck", "hc", {"resourcePath": "healthz", "requestInterval": 20}),
        reg("aws:cloudfront/distribution:Distribution", "cf", {
            "comment": "c" * 129, "origins": [{"connectionAttempts": 4, "connectionTimeout": 11}],
            "originGroups": [{"failoverCriteria": {"statusCodes": [500, 501]}}]}),
        reg("aws:cloudfront/originAccessControl:OriginAccessControl", "oac", {"name": "o" * 65}),
        reg("aws:cloudfront/cachePolicy:CachePolicy", "cache", {"comment": "c" * 129}),
        reg("aws:globalaccelerator/accelerator:Accelerator", "acc", {"name": "checkout_accelerator"}),
        reg("aws:globalaccelerator/endpointGroup:EndpointGroup", "g", {"healthCheckIntervalSeconds": 20}),
    ]
    found = {(f.resource, f.path): f.says for f in findings(*rules)}
    assert set(found) == {
        ("cert", "domainName"), ("rec", "name"), ("rec", "geolocationRoutingPolicies[0].continent"),
        ("rec", "geolocationRoutingPolicies[1].country"), ("zone", "name"), ("hc", "resourcePath"),
        ("hc", "requestInterval"), ("cf", "comment"), ("cf", "origins[0].connectionAttempts"),
        ("cf", "origins[0].connectionTimeout"), ("cf", "originGroups[0].failoverCriteria.statusCodes[1]"),
        ("oac", "name"), ("cache", "comment"), ("acc", "name"), ("g", "healthCheckIntervalSeconds"),
    }
    assert found[("cert", "domainName")].startswith("at most 64 characters (the certificate's common name")
    assert found[("hc", "requestInterval")] == ("10 or 30 seconds (fast or standard) (Route 53 Developer Guide, "
                                                "values for health checks (Request interval))")
    assert "a path starting with /" in found[("hc", "resourcePath")]


def test_edge_inputs_as_the_tier_sets_them_pass() -> None:
    rules = [
        reg("aws:acm/certificate:Certificate", "cert", {
            "domainName": "api.securecart.example", "subjectAlternativeNames": ["checkout.securecart.example"],
            "validationMethod": "DNS", "keyAlgorithm": "RSA_2048",
            "options": {"certificateTransparencyLoggingPreference": "ENABLED"}, "tags": {"Name": "cert"}}),
        reg("aws:route53/record:Record", "geo", {"name": "api.securecart.example", "type": "A",
                                                 "setIdentifier": "geo-default",
                                                 "geolocationRoutingPolicies": [{"country": "*"}]}),
        reg("aws:route53/record:Record", "eu", {"name": "api.securecart.example.", "type": "A",
                                                "geolocationRoutingPolicies": [{"continent": "EU"}]}),
        reg("aws:route53/record:Record", "validation", {"name": "_abc.www.securecart.example.", "type": "CNAME",
                                                        "ttl": 300, "records": ["_x.abc.acm-validations.aws."]}),
        reg("aws:route53/healthCheck:HealthCheck", "hc", {
            "type": "HTTPS", "fqdn": "alb-1.eu-west-1.elb.amazonaws.com", "port": 443, "resourcePath": "/healthz",
            "requestInterval": 10, "failureThreshold": 3, "regions": ["us-east-1", "us-west-2", "eu-west-1"]}),
        reg("aws:cloudfront/distribution:Distribution", "cf", {
            "comment": "SecureCart prod storefront", "priceClass": "PriceClass_100", "httpVersion": "http2and3",
            "viewerCertificate": {"minimumProtocolVersion": "TLSv1.2_2021", "sslSupportMethod": "sni-only"},
            "defaultCacheBehavior": {"viewerProtocolPolicy": "redirect-to-https", "allowedMethods": ["GET", "HEAD"],
                                     "cachedMethods": ["GET", "HEAD"]},
            "origins": [{"connectionAttempts": 3, "connectionTimeout": 10,
                         "customOriginConfig": {"originProtocolPolicy": "https-only",
                                                "originSslProtocols": ["TLSv1.2"]}}],
            "originGroups": [{"members": [{"originId": "a"}, {"originId": "b"}],
                              "failoverCriteria": {"statusCodes": [500, 502, 503, 504]}}],
            "restrictions": {"geoRestriction": {"restrictionType": "none"}}}),
        reg("aws:globalaccelerator/accelerator:Accelerator", "acc", {"name": "securecart-prod-checkout",
                                                                     "ipAddressType": "IPV4",
                                                                     "attributes": {"flowLogsS3Prefix": "ga/"}}),
        reg("aws:globalaccelerator/endpointGroup:EndpointGroup", "g", {
            "endpointGroupRegion": "eu-west-1", "trafficDialPercentage": 100, "healthCheckIntervalSeconds": 30,
            "endpointConfigurations": [{"weight": 128}]}),
    ]
    assert lines(*rules) == []


# --- the protection tier: PrivateLink, Shield Advanced, API Gateway -------------------------------------------

PROTECTION_TYPES = (
    "aws:shield/subscription:Subscription", "aws:shield/protectionGroup:ProtectionGroup",
    "aws:shield/protectionHealthCheckAssociation:ProtectionHealthCheckAssociation",
    "aws:shield/applicationLayerAutomaticResponse:ApplicationLayerAutomaticResponse",
    "aws:shield/protection:Protection", "aws:apigateway/restApi:RestApi", "aws:apigateway/resource:Resource",
    "aws:apigateway/method:Method", "aws:apigateway/integration:Integration", "aws:apigateway/deployment:Deployment",
    "aws:apigateway/stage:Stage", "aws:apigateway/methodSettings:MethodSettings", "aws:apigateway/vpcLink:VpcLink",
    "aws:apigateway/usagePlan:UsagePlan", "aws:apigateway/apiKey:ApiKey", "aws:apigateway/usagePlanKey:UsagePlanKey",
    "aws:apigateway/requestValidator:RequestValidator", "aws:apigateway/model:Model",
    "aws:apigateway/domainName:DomainName", "aws:apigateway/basePathMapping:BasePathMapping",
    "aws:apigateway/restApiPolicy:RestApiPolicy", "aws:apigateway/account:Account",
    "aws:vpc/endpointServicePrivateDnsVerification:EndpointServicePrivateDnsVerification",
    "aws:ec2/vpcEndpointService:VpcEndpointService", "aws:ec2/vpcEndpoint:VpcEndpoint",
    "aws:route53/healthCheck:HealthCheck",
)


def test_every_protection_type_has_an_entry_whose_members_resolve() -> None:
    """Whether or not the program registers them yet: an entry for each, every member in the botocore models."""
    assert [t for t in PROTECTION_TYPES if t not in RESOURCES] == []
    mapped = [(typ, prop, member) for typ, prop, member in mapped_members() if typ in PROTECTION_TYPES]
    assert {typ for typ, _, _ in mapped} == {t for t in PROTECTION_TYPES if not isinstance(RESOURCES[t], Nothing)}
    for _, _, member in mapped:
        resolve(member)  # raises ModelError on a member the model does not have
    assert {m.service for _, _, m in mapped} >= {"apigateway", "shield", "ec2", "route53"}
    nothing = {t for t in PROTECTION_TYPES if isinstance(RESOURCES[t], Nothing)}
    assert nothing == {"aws:shield/protectionHealthCheckAssociation:ProtectionHealthCheckAssociation",
                       "aws:apigateway/deployment:Deployment", "aws:apigateway/requestValidator:RequestValidator",
                       "aws:apigateway/basePathMapping:BasePathMapping", "aws:apigateway/restApiPolicy:RestApiPolicy",
                       "aws:apigateway/account:Account",
                       "aws:vpc/endpointServicePrivateDnsVerification:EndpointServicePrivateDnsVerification"}


def test_protection_inputs_aws_would_refuse_from_the_models() -> None:
    rules = [
        reg("aws:shield/protection:Protection", "p", {"name": "alb; prod"}),
        reg("aws:shield/subscription:Subscription", "sub", {"autoRenew": "ON"}),
        reg("aws:shield/protectionGroup:ProtectionGroup", "g", {
            "protectionGroupId": "securecart prod", "aggregation": "AVERAGE", "pattern": "BY_TYPE",
            "resourceType": "NETWORK_LOAD_BALANCER"}),
        reg("aws:apigateway/restApi:RestApi", "api", {"endpointConfiguration": {"types": "REGION"},
                                                      "apiKeySource": "QUERY"}),
        reg("aws:apigateway/integration:Integration", "i", {"type": "HTTP_PRIVATE", "connectionType": "PRIVATE_LINK",
                                                            "contentHandling": "BINARY"}),
        reg("aws:apigateway/stage:Stage", "stage", {"cacheClusterSize": "2.0"}),
        reg("aws:apigateway/usagePlan:UsagePlan", "plan", {"quotaSettings": {"limit": 10, "period": "HOUR"}}),
        reg("aws:apigateway/domainName:DomainName", "domain", {"securityPolicy": "TLS_1_1",
                                                               "endpointConfiguration": {"types": ["GLOBAL"]}}),
        reg("aws:route53/healthCheck:HealthCheck", "any", {"type": "CALCULATED", "childHealthThreshold": 257,
                                                           "childHealthchecks": [f"c{i}" for i in range(257)]}),
    ]
    found = {(f.resource, f.path) for f in findings(*rules)}
    assert found == {
        ("p", "name"), ("sub", "autoRenew"),
        ("g", "protectionGroupId"), ("g", "aggregation"), ("g", "pattern"), ("g", "resourceType"),
        ("api", "endpointConfiguration.types"), ("api", "apiKeySource"),
        ("i", "type"), ("i", "connectionType"), ("i", "contentHandling"), ("stage", "cacheClusterSize"),
        ("plan", "quotaSettings.period"), ("domain", "securityPolicy"), ("domain", "endpointConfiguration.types[0]"),
        ("any", "childHealthThreshold"), ("any", "childHealthchecks"),
    }


def test_protection_inputs_aws_would_refuse_from_its_documentation() -> None:
    third_party = "com.amazonaws.vpce.us-east-1.vpce-svc-0a1b2c3d4e5f60718"
    rules = [
        reg("aws:apigateway/resource:Resource", "res", {"pathPart": "payments/{id}"}),
        reg("aws:apigateway/resource:Resource", "colon", {"pathPart": "events:batch"}),  # AWS takes colons
        reg("aws:apigateway/method:Method", "m", {"httpMethod": "post", "authorization": "JWT"}),
        reg("aws:apigateway/integration:Integration", "i", {
            "integrationHttpMethod": "FETCH", "uri": "payments.internal:8443/pay", "timeoutMilliseconds": 30000,
            "passthroughBehavior": "WHEN_NO_TEMPLATE"}),
        reg("aws:apigateway/stage:Stage", "stage", {"stageName": "v1.0", "variables": {"env-name": "prod us"}}),
        reg("aws:apigateway/methodSettings:MethodSettings", "settings", {
            "methodPath": "*/*", "settings": {"loggingLevel": "DEBUG", "cacheTtlInSeconds": 7200}}),
        reg("aws:apigateway/vpcLink:VpcLink", "link", {
            "targetArn": f"arn:aws:elasticloadbalancing:us-east-1:{'1' * 12}:loadbalancer/app/alb/0123456789abcdef"}),
        reg("aws:apigateway/usagePlan:UsagePlan", "plan", {
            "throttleSettings": {"rateLimit": 20000, "burstLimit": -1},
            "apiStages": [{"throttles": [{"path": "/pay/POST", "burstLimit": 6000}]}]}),
        reg("aws:apigateway/apiKey:ApiKey", "key", {"name": "k" * 1025, "value": "short"}),
        reg("aws:apigateway/usagePlanKey:UsagePlanKey", "pk", {"keyType": "API"}),
        reg("aws:apigateway/model:Model", "model", {"name": "partner-event", "schema": "x" * (400 * 1024 + 1)}),
        reg("aws:apigateway/restApi:RestApi", "api", {"minimumCompressionSize": "20000000"}),
        reg("aws:ec2/vpcEndpointService:VpcEndpointService", "svc", {
            "allowedPrincipals": ["123456789012", "arn:aws:iam::12345:root"], "supportedIpAddressTypes": ["IPv4"],
            "privateDnsName": "pay..securecart.example"}),
        reg("aws:ec2/vpcEndpoint:VpcEndpoint", "ep", {"serviceName": third_party.replace("vpce-svc-", "svc-")}),
        reg("aws:shield/applicationLayerAutomaticResponse:ApplicationLayerAutomaticResponse", "r",
            {"action": "count"}),
    ]
    found = {(f.resource, f.path): f for f in findings(*rules)}
    assert set(found) == {
        ("res", "pathPart"), ("m", "httpMethod"), ("m", "authorization"), ("i", "integrationHttpMethod"),
        ("i", "uri"), ("i", "timeoutMilliseconds"), ("i", "passthroughBehavior"), ("stage", "stageName"),
        ("stage", 'variables key "env-name"'), ("stage", 'variables["env-name"]'),
        ("settings", "settings.loggingLevel"), ("settings", "settings.cacheTtlInSeconds"), ("link", "targetArn"),
        ("plan", "throttleSettings.rateLimit"), ("plan", "throttleSettings.burstLimit"),
        ("plan", "apiStages[0].throttles[0].burstLimit"), ("key", "name"), ("key", "value"),
        ("pk", "keyType"), ("model", "name"), ("model", "schema"), ("api", "minimumCompressionSize"),
        ("svc", "allowedPrincipals[0]"), ("svc", "allowedPrincipals[1]"), ("svc", "supportedIpAddressTypes[0]"),
        ("svc", "privateDnsName"), ("ep", "serviceName"), ("r", "action"),
    }
    assert found[("stage", "stageName")].detail == "'.' not allowed"
    assert found[("model", "name")].says.startswith("letters and digits only")
    assert found[("key", "value")].secret and "short" not in found[("key", "value")].line()
    assert "10,000 requests per second" in found[("plan", "throttleSettings.rateLimit")].line()


def test_protection_inputs_as_the_tier_sets_them_pass() -> None:
    account = "123456789012"
    nlb = f"arn:aws:elasticloadbalancing:us-east-1:{account}:loadbalancer/net/payment/0123456789abcdef"
    rules = [
        reg("aws:shield/subscription:Subscription", "sub", {"autoRenew": "ENABLED", "skipDestroy": True}),
        reg("aws:shield/protection:Protection", "p", {"name": "securecart-prod-us-east-1-alb"}),
        reg("aws:shield/protectionGroup:ProtectionGroup", "g", {"protectionGroupId": "securecart-prod-all",
                                                                "aggregation": "MAX", "pattern": "ALL"}),
        reg("aws:shield/applicationLayerAutomaticResponse:ApplicationLayerAutomaticResponse", "r",
            {"action": "BLOCK"}),
        reg("aws:apigateway/restApi:RestApi", "api", {
            "name": "securecart-prod-partners", "endpointConfiguration": {"types": "REGIONAL"},
            "apiKeySource": "HEADER", "disableExecuteApiEndpoint": True, "minimumCompressionSize": "-1"}),
        reg("aws:apigateway/resource:Resource", "res", {"pathPart": "payments"}),
        reg("aws:apigateway/resource:Resource", "param", {"pathPart": "{proxy+}"}),
        reg("aws:apigateway/method:Method", "m", {"httpMethod": "POST", "authorization": "AWS_IAM",
                                                  "apiKeyRequired": True}),
        reg("aws:apigateway/integration:Integration", "i", {
            "httpMethod": "POST", "type": "HTTP_PROXY", "integrationHttpMethod": "POST", "connectionType": "VPC_LINK",
            "uri": "https://payment.us-east-1.securecart.example:8443/payments", "timeoutMilliseconds": 29000}),
        reg("aws:apigateway/stage:Stage", "stage", {"stageName": "v1", "xrayTracingEnabled": True}),
        reg("aws:apigateway/methodSettings:MethodSettings", "settings", {
            "methodPath": "*/*", "settings": {"loggingLevel": "INFO", "metricsEnabled": True,
                                              "throttlingRateLimit": 500, "throttlingBurstLimit": 1000}}),
        reg("aws:apigateway/vpcLink:VpcLink", "link", {"name": "securecart-prod-partners", "targetArn": nlb}),
        reg("aws:apigateway/usagePlan:UsagePlan", "plan", {
            "throttleSettings": {"rateLimit": 50, "burstLimit": 100}, "quotaSettings": {"limit": 100000,
                                                                                       "period": "DAY"}}),
        reg("aws:apigateway/apiKey:ApiKey", "key", {"name": "securecart-prod-partner-acme", "enabled": True}),
        reg("aws:apigateway/usagePlanKey:UsagePlanKey", "pk", {"keyType": "API_KEY"}),
        reg("aws:apigateway/model:Model", "model", {"name": "PartnerEvent", "contentType": "application/json",
                                                    "schema": json.dumps({"type": "object"})}),
        reg("aws:apigateway/domainName:DomainName", "domain", {
            "domainName": "partners.securecart.example", "securityPolicy": "TLS_1_2",
            "endpointConfiguration": {"types": "REGIONAL"}}),
        reg("aws:ec2/vpcEndpointService:VpcEndpointService", "svc", {
            "acceptanceRequired": True, "supportedIpAddressTypes": ["ipv4"],
            "privateDnsName": "payments.us-east-1.securecart.example",
            "allowedPrincipals": [f"arn:aws:iam::{account}:root", f"arn:aws:iam::{account}:role/partner-payments",
                                  "arn:aws:organizations::210987654321:ou/o-abc123defg/ou-ab12-cdef3456"]}),
        reg("aws:ec2/vpcEndpoint:VpcEndpoint", "processor", {
            "serviceName": "com.amazonaws.vpce.us-east-1.vpce-svc-0a1b2c3d4e5f60718", "vpcEndpointType": "Interface",
            "privateDnsEnabled": True}),
        reg("aws:ec2/vpcEndpoint:VpcEndpoint", "s3", {"serviceName": "com.amazonaws.us-east-1.s3",
                                                     "vpcEndpointType": "Gateway"}),
        reg("aws:ec2/vpcEndpoint:VpcEndpoint", "sagemaker", {"serviceName": "aws.sagemaker.us-east-1.notebook",
                                                            "vpcEndpointType": "Interface"}),
        reg("aws:route53/healthCheck:HealthCheck", "any", {"type": "CALCULATED", "childHealthThreshold": 1,
                                                           "childHealthchecks": ["a", "b"]}),
    ]
    assert lines(*rules) == []


def test_a_pull_through_cache_rule_follows_ecrs_model() -> None:
    bad = reg("aws:ecr/pullThroughCacheRule:PullThroughCacheRule", "cache", {
        "ecrRepositoryPrefix": "ECR_Public", "upstreamRegistryUrl": "public.ecr.aws",
        "credentialArn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:dockerhub-AbCdEf"})
    assert {f.path for f in findings(bad)} == {"ecrRepositoryPrefix", "credentialArn"}
    ok = reg("aws:ecr/pullThroughCacheRule:PullThroughCacheRule", "cache", {
        "ecrRepositoryPrefix": "ecr-public", "upstreamRegistryUrl": "public.ecr.aws"})
    assert lines(ok) == []
