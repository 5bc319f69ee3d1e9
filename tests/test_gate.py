"""The policy gate's plumbing: real pulumi_policy argument classes, stack joins, levels and pack config."""

from typing import Any

import pytest
from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from securecart_rules import POLICIES
from securecart_rules.network import default_security_group_closed, vpc_flow_logs_all_traffic

from automation.gate import PackConfig, PolicyConfigError, RuleError, evaluate
from automation.mocks import Registration
from automation.synth import StackResult, SynthRun

STACK_URN = "urn:pulumi:t::p::pulumi:pulumi:Stack::p-t"


def reg(typ: str, name: str, inputs: dict[str, Any], **extra: Any) -> Registration:
    fields: dict[str, Any] = {
        "urn": f"urn:pulumi:t::p::{typ}::{name}", "type": typ, "name": name, "custom": True, "parent": "",
        "provider": "", "protect": False, "dependencies": [], "property_dependencies": {}, "inputs": inputs,
        "outputs": {}, "id": f"{name}-id", "delete_before_replace": None, "ignore_changes": [], "aliases": [],
        "additional_secret_outputs": [],
    }
    fields.update(extra)
    return Registration(**fields)


def stack_of(*resources: Registration) -> StackResult:
    return StackResult(stack="t", project="p", region="us-east-1", role="primary", stack_urn=STACK_URN,
                       resources=list(resources), outputs={})


VPC_A = reg("aws:ec2/vpc:Vpc", "a", {"cidrBlock": "10.0.0.0/16"})
VPC_B = reg("aws:ec2/vpc:Vpc", "b", {"cidrBlock": "10.1.0.0/16"})


def flow_log(name: str, vpc: Registration, traffic: str = "ALL") -> Registration:
    return reg("aws:ec2/flowLog:FlowLog", name, {"vpcId": vpc.id, "trafficType": traffic},
               dependencies=[vpc.urn], property_dependencies={"vpcId": [vpc.urn]})


def test_flow_log_rule_joins_through_property_dependencies() -> None:
    violations = evaluate(stack_of(VPC_A, VPC_B, flow_log("fa", VPC_A), flow_log("fb", VPC_B, "REJECT")),
                          [vpc_flow_logs_all_traffic])
    assert [(v.policy, v.level, v.urn) for v in violations] == [
        ("vpc-flow-logs-all-traffic", "mandatory", VPC_B.urn)
    ]
    assert "no flow log capturing ALL traffic" in violations[0].message


def test_flow_log_rule_passes_when_every_vpc_is_covered() -> None:
    stack = stack_of(VPC_A, VPC_B, flow_log("fa", VPC_A), flow_log("fb", VPC_B))
    assert evaluate(stack, [vpc_flow_logs_all_traffic]) == []


@pytest.mark.parametrize(("ingress", "egress", "violates"), [
    ([], [], False),
    ([{"protocol": "tcp", "fromPort": 22.0, "toPort": 22.0, "cidrBlocks": ["0.0.0.0/0"]}], [], True),
    ([], [{"protocol": "-1", "fromPort": 0.0, "toPort": 0.0, "cidrBlocks": ["0.0.0.0/0"]}], True),
])
def test_default_security_group_rule(ingress: list[Any], egress: list[Any], violates: bool) -> None:
    sg = reg("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "d", {"ingress": ingress, "egress": egress})
    violations = evaluate(stack_of(VPC_A, sg), [default_security_group_closed])
    assert [v.urn for v in violations] == ([sg.urn] if violates else [])


def test_resource_rules_get_the_real_argument_classes() -> None:
    seen: list[ResourceValidationArgs] = []

    def spy(args: ResourceValidationArgs, report: ReportViolation) -> None:
        seen.append(args)
        if args.resource_type == "aws:ec2/vpc:Vpc" and args.get_config().get("flag"):
            report("second VPC", None)

    rule = ResourceValidationPolicy(name="spy", description="spy", validate=spy,
                                    enforcement_level=EnforcementLevel.ADVISORY,
                                    config_schema=PolicyConfigSchema(properties={"flag": {"type": "boolean"}}))
    provider = reg("pulumi:providers:aws", "aws", {"region": "us-east-1"})
    vpc = reg("aws:ec2/vpc:Vpc", "b", {"cidrBlock": "10.1.0.0/16"}, protect=True,
              provider=f"{provider.urn}::prov-id")
    violations = evaluate(stack_of(provider, vpc), [rule], PackConfig.parse({"spy": {"flag": True}}, [rule]))
    assert [(v.policy, v.level, v.message) for v in violations] == [("spy", "advisory", "second VPC")]
    args = next(a for a in seen if a.resource_type == "aws:ec2/vpc:Vpc")
    assert isinstance(args, ResourceValidationArgs)
    assert args.opts.protect is True
    assert args.provider is not None and args.provider.props["region"] == "us-east-1"


def test_stack_rules_see_parents_and_dependencies() -> None:
    captured: list[StackValidationArgs] = []

    def spy(args: StackValidationArgs, report: ReportViolation) -> None:
        captured.append(args)

    child = reg("aws:ec2/subnet:Subnet", "s", {"vpcId": VPC_A.id}, parent=VPC_A.urn, dependencies=[VPC_A.urn])
    evaluate(stack_of(VPC_A, child), [StackValidationPolicy(name="s", description="s", validate=spy)])
    (args,) = captured
    sub = next(r for r in args.resources if r.name == "s")
    assert sub.parent is not None and sub.parent.urn == VPC_A.urn
    assert [d.urn for d in sub.dependencies] == [VPC_A.urn]


def test_pack_config_overrides_levels() -> None:
    stack = stack_of(VPC_A)
    rules = [vpc_flow_logs_all_traffic, default_security_group_closed]
    assert [v.level for v in evaluate(stack, rules)] == ["mandatory"]
    config = PackConfig.parse({"vpc-flow-logs-all-traffic": "advisory"}, rules)
    assert [v.level for v in evaluate(stack, rules, config)] == ["advisory"]
    config = PackConfig.parse({"all": "disabled"}, rules)
    assert evaluate(stack, rules, config) == []
    config = PackConfig.parse({"all": {"enforcementLevel": "disabled"},
                               "vpc-flow-logs-all-traffic": {"enforcementLevel": "mandatory"}}, rules)
    assert [v.level for v in evaluate(stack, rules, config)] == ["mandatory"]


@pytest.mark.parametrize(("doc", "expected"), [
    ({"no-such-rule": "mandatory"}, "cfg: 'no-such-rule' is not a rule of the pack"),
    ({"vpc-flow-logs-all-traffic": "fatal"},
     "cfg: vpc-flow-logs-all-traffic.enforcementLevel: 'fatal' is not a level: use one of advisory"),
    ({"vpc-flow-logs-all-traffic": 3}, "cfg: vpc-flow-logs-all-traffic: expected a level"),
    ([1, 2], "cfg: expected an object of rule names"),
])
def test_bad_pack_config_names_the_rule_and_key(doc: Any, expected: str) -> None:
    with pytest.raises(PolicyConfigError) as info:
        PackConfig.parse(doc, POLICIES, "cfg")
    assert info.value.problems[0].startswith(expected), info.value.problems


def test_a_crashing_rule_is_reported_as_the_rules_bug() -> None:
    def broken(args: ResourceValidationArgs, report: ReportViolation) -> None:
        raise KeyError("cidr")

    rule = ResourceValidationPolicy(name="broken", description="b", validate=broken)
    with pytest.raises(RuleError, match=r"rule 'broken' failed on urn:pulumi:t::p::aws:ec2/vpc:Vpc::a"):
        evaluate(stack_of(VPC_A), [rule])


def test_real_stacks_pass_the_gate(synth_run: SynthRun) -> None:
    for result in synth_run.results.values():
        assert evaluate(result, POLICIES) == []


def test_a_rules_own_level_overrides_all_wherever_it_stands() -> None:
    for doc in ({"vpc-flow-logs-all-traffic": "mandatory", "all": "advisory"},
                {"all": "advisory", "vpc-flow-logs-all-traffic": "mandatory"}):
        config = PackConfig.parse(doc, POLICIES)
        assert config.levels["vpc-flow-logs-all-traffic"] is EnforcementLevel.MANDATORY
        assert config.levels["default-security-group-closed"] is EnforcementLevel.ADVISORY


@pytest.mark.parametrize(("configured", "reported"), [
    ("remediate", "mandatory"),  # the offline gate cannot remediate: a remediate rule blocks like a mandatory one
    ("mandatory", "mandatory"),
    ("advisory", "advisory"),
    ("disabled", None),
])
def test_configured_levels_decide_how_a_violation_counts(configured: str, reported: str | None) -> None:
    config = PackConfig.parse({"vpc-flow-logs-all-traffic": configured}, [vpc_flow_logs_all_traffic])
    violations = evaluate(stack_of(VPC_A), [vpc_flow_logs_all_traffic], config)
    assert [v.level for v in violations] == ([reported] if reported else [])
