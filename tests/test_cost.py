"""The monthly cost estimate (automation/cost.py): arithmetic on small hand-made resource sets against a price
table of round test prices (every expected figure below is computed by hand), then the real stacks."""

import json
import random
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from automation.cost import (
    COVERED,
    CostEstimate,
    PriceTable,
    estimate,
    estimate_all,
    load_prices,
    render,
    to_dict,
)
from automation.mocks import Registration
from automation.project import Project
from automation.synth import StackResult, SynthRun, load_all_settings
from components.settings.costs import CostSettings
from components.settings.stack import StackSettings

STACK_URN = "urn:pulumi:t::p::pulumi:pulumi:Stack::p-t"


def _price(value: dict[str, float], unit: str = "unit") -> dict[str, Any]:
    return {"unit": unit, "description": unit, "regions": value, "source": "https://aws.amazon.com/x/pricing/",
            "readFrom": "test", "read": "2026-01-01", "status": "confirmed", "note": ""}


US, EU = "us-east-1", "eu-west-1"
TEST_PRICES = PriceTable.model_validate({
    "asOf": "2026-01-02", "currency": "USD", "hoursPerMonth": 730, "hoursPerMonthSource": "test", "note": "test",
    "prices": {
        "natGateway.hour": _price({US: 0.05, EU: 0.06}),
        "natGateway.gb": _price({US: 0.04, EU: 0.05}),
        "publicIpv4.hour": _price({US: 0.005, EU: 0.005}),
        "interfaceEndpoint.hour": _price({US: 0.01, EU: 0.02}),
        "interfaceEndpoint.gb": _price({US: 0.01, EU: 0.01}),
        "alb.hour": _price({US: 0.02, EU: 0.03}),
        "alb.lcuHour": _price({US: 0.008, EU: 0.008}),
        "rds.postgres.db.r6g.large.hour": _price({US: 0.2, EU: 0.3}),
        "rds.gp3.gbMonth": _price({US: 0.1, EU: 0.2}),
        "shieldAdvanced.month": _price({"global": 3000.0}),
        "waf.webAclMonth": _price({"global": 5.0}),
        "waf.ruleMonth": _price({"global": 1.0}),
        "waf.millionRequests": _price({"global": 0.6}),
        "fargate.vcpuHour": _price({US: 0.04, EU: 0.05}),
        "fargate.gbHour": _price({US: 0.004, EU: 0.005}),
        "transitGateway.attachmentHour": _price({US: 0.05, EU: 0.07}),
        "transitGateway.gb": _price({US: 0.02, EU: 0.02}),
        "dynamodb.millionReads": _price({US: 0.1}),
        "dynamodb.millionWrites": _price({US: 0.5}),
        "dynamodb.millionReplicatedWrites": _price({US: 0.5, EU: 0.8}),
        "dynamodb.gbMonth": _price({US: 0.25, EU: 0.3}),
    },
})


def _tier(name: str) -> Registration:
    return _reg(f"securecart:{name}:{name.title()}Tier", name, custom=False, parent=STACK_URN)


def _reg(typ: str, name: str, inputs: dict[str, Any] | None = None, *, tier: str = "network",
         custom: bool = True, parent: str | None = None, outputs: dict[str, Any] | None = None,
         rid: str = "") -> Registration:
    parent_urn = parent if parent is not None else f"{STACK_URN}$securecart:{tier}:{tier.title()}Tier::{tier}"
    urn = f"{parent_urn}${typ}::{name}" if parent is None else f"{STACK_URN}${typ}::{name}"
    return Registration(urn=urn, type=typ, name=name, custom=custom, parent=parent_urn, provider="", protect=False,
                        dependencies=[], property_dependencies={}, inputs=inputs or {}, outputs=outputs or {},
                        id=rid, delete_before_replace=None, ignore_changes=[], aliases=[],
                        additional_secret_outputs=[])


def _result(resources: list[Registration], *, region: str = US, role: str = "primary",
            stack: str = "t") -> StackResult:
    tiers = [_tier(t) for t in ("network", "delivery", "data", "connectivity", "shield")]
    return StackResult(stack=stack, project="p", region=region, role=role, stack_urn=STACK_URN,
                       resources=tiers + resources, outputs={})


@pytest.fixture(scope="module")
def settings(project: Project) -> dict[str, StackSettings]:
    return load_all_settings(project, project.stacks())


def _network_set() -> list[Registration]:
    """Two NAT gateways with their Elastic IPs, an interface endpoint in three AZs, a gateway endpoint (free),
    an internet-facing ALB in two subnets."""
    return [
        _reg("aws:ec2/natGateway:NatGateway", "nat-a", {"connectivityType": "public"}),
        _reg("aws:ec2/natGateway:NatGateway", "nat-b", {"connectivityType": "public"}),
        _reg("aws:ec2/eip:Eip", "nat-a-eip", {"domain": "vpc"}),
        _reg("aws:ec2/eip:Eip", "nat-b-eip", {"domain": "vpc"}),
        _reg("aws:ec2/vpcEndpoint:VpcEndpoint", "kms-endpoint",
             {"vpcEndpointType": "Interface", "subnetIds": ["s1", "s2", "s3"]}),
        _reg("aws:ec2/vpcEndpoint:VpcEndpoint", "s3-gateway-endpoint", {"vpcEndpointType": "Gateway"}),
        _reg("aws:lb/loadBalancer:LoadBalancer", "alb",
             {"loadBalancerType": "application", "internal": False, "subnets": ["s1", "s2"]}, tier="delivery"),
    ]


COSTS = CostSettings.model_validate({"natDataGb": 1000, "interfaceEndpointDataGb": 100, "albLcus": 5})


def test_small_set_arithmetic(settings: dict[str, StackSettings]) -> None:
    est = estimate(_result(_network_set()), settings["prod-us"], COSTS, TEST_PRICES)
    # NAT: 2 x 730 h x $0.05 = $73.00; data 1000 GB x $0.04 = $40.00
    assert est.line("network", "natGateway.hour").quantity == 1460
    assert est.line("network", "natGateway.hour").monthly == pytest.approx(73.0)
    assert est.line("network", "natGateway.gb").monthly == pytest.approx(40.0)
    # two Elastic IPs: 2 x 730 x $0.005 = $7.30
    assert est.line("network", "publicIpv4.hour").monthly == pytest.approx(7.3)
    # the interface endpoint in 3 AZs: 3 x 730 x $0.01 = $21.90, and its 100 GB x $0.01 = $1.00
    assert est.line("network", "interfaceEndpoint.hour").monthly == pytest.approx(21.9)
    assert est.line("network", "interfaceEndpoint.gb").monthly == pytest.approx(1.0)
    # the ALB: 730 x $0.02 = $14.60, 5 LCU x 730 x $0.008 = $29.20, one public address per AZ 2 x 730 x $0.005
    assert est.line("delivery", "alb.hour").monthly == pytest.approx(14.6)
    assert est.line("delivery", "alb.lcuHour").monthly == pytest.approx(29.2)
    assert est.line("delivery", "publicIpv4.hour").monthly == pytest.approx(7.3)
    assert est.tier_total("network") == pytest.approx(73 + 40 + 7.3 + 21.9 + 1)
    assert est.tier_total("delivery") == pytest.approx(14.6 + 29.2 + 7.3)
    assert est.total == pytest.approx(143.2 + 51.1)
    assert est.no_charge == {"aws:ec2/vpcEndpoint:VpcEndpoint": 1}  # the gateway endpoint
    assert est.unpriced == []


def test_region_prices_follow_the_stack(settings: dict[str, StackSettings]) -> None:
    est = estimate(_result(_network_set(), region=EU, role="secondary"), settings["prod-eu"], COSTS, TEST_PRICES)
    # the same NATs at the eu-west-1 test prices: 1460 x $0.06 + 1000 x $0.05
    assert est.line("network", "natGateway.hour").monthly == pytest.approx(87.6)
    assert est.line("network", "natGateway.gb").monthly == pytest.approx(50.0)
    assert est.line("network", "interfaceEndpoint.hour").monthly == pytest.approx(43.8)


def _database(multi_az: bool) -> Registration:
    return _reg("aws:rds/instance:Instance", "database",
                {"engine": "postgres", "instanceClass": "db.r6g.large", "multiAz": multi_az,
                 "allocatedStorage": 100, "storageType": "gp3"}, tier="data")


def test_multi_az_doubles_instance_hours_and_storage(settings: dict[str, StackSettings]) -> None:
    single = estimate(_result([_database(False)]), settings["prod-us"], COSTS, TEST_PRICES)
    multi = estimate(_result([_database(True)]), settings["prod-us"], COSTS, TEST_PRICES)
    # Single-AZ: 730 x $0.20 = $146.00 and 100 GB x $0.10 = $10.00
    assert single.line("data", "rds.postgres.db.r6g.large.hour").monthly == pytest.approx(146.0)
    assert single.line("data", "rds.gp3.gbMonth").monthly == pytest.approx(10.0)
    # Multi-AZ: the standby doubles both
    assert multi.line("data", "rds.postgres.db.r6g.large.hour", "Multi-AZ").quantity == 1460
    assert multi.line("data", "rds.gp3.gbMonth", "Multi-AZ").monthly == pytest.approx(20.0)
    assert multi.total == pytest.approx(2 * single.total)


def test_replica_without_engine_or_storage_takes_the_settings(settings: dict[str, StackSettings]) -> None:
    replica = _reg("aws:rds/instance:Instance", "database",
                   {"replicateSourceDb": "arn:source", "instanceClass": "db.r6g.large", "multiAz": True,
                    "storageType": "gp3"}, tier="data")
    est = estimate(_result([replica], region=EU, role="secondary"), settings["prod-eu"], COSTS, TEST_PRICES)
    db = settings["prod-us"].data
    assert db is not None and db.database.allocated_storage == 100
    # postgres from securecart:data, 100 GB from allocatedStorage: 2 x 100 x $0.20 (eu) and 2 x 730 x $0.30
    assert est.line("data", "rds.gp3.gbMonth", "Multi-AZ").monthly == pytest.approx(40.0)
    assert est.line("data", "rds.postgres.db.r6g.large.hour", "Multi-AZ").monthly == pytest.approx(438.0)


@pytest.mark.parametrize("zones", [1, 2, 3, 6])
def test_interface_endpoints_are_billed_per_az(zones: int, settings: dict[str, StackSettings]) -> None:
    endpoint = _reg("aws:ec2/vpcEndpoint:VpcEndpoint", "sts-endpoint",
                    {"vpcEndpointType": "Interface", "subnetIds": [f"s{i}" for i in range(zones)]})
    est = estimate(_result([endpoint]), settings["prod-us"], COSTS, TEST_PRICES)
    line = est.line("network", "interfaceEndpoint.hour")
    assert line.quantity == zones * 730
    assert line.monthly == pytest.approx(zones * 7.3)


def _shield_set(stack: str) -> list[Registration]:
    alb_arn = f"arn:aws:elasticloadbalancing:{stack}:alb"
    return [
        _reg("aws:shield/subscription:Subscription", "subscription", {"autoRenew": "ENABLED"}, parent=STACK_URN),
        _reg("aws:shield/protection:Protection", "alb-shield", {"resourceArn": alb_arn}, tier="shield"),
        _reg("aws:wafv2/webAcl:WebAcl", "alb-waf", {"rules": [{"name": "a"}, {"name": "b"}, {"name": "c"}]},
             tier="delivery", outputs={"arn": f"arn:waf:{stack}:alb-waf"}),
        _reg("aws:wafv2/webAclAssociation:WebAclAssociation", "alb-waf-association",
             {"resourceArn": alb_arn, "webAclArn": f"arn:waf:{stack}:alb-waf"}, tier="delivery"),
        _reg("aws:wafv2/webAcl:WebAcl", "api-waf", {"rules": [{"name": "a"}, {"name": "b"}]}, tier="delivery",
             outputs={"arn": f"arn:waf:{stack}:api-waf"}),
    ]


def test_shield_is_counted_once_and_waives_waf_of_protected_resources(settings: dict[str, StackSettings]) -> None:
    run = SynthRun(results={"b-eu": _result(_shield_set("eu"), region=EU, role="secondary", stack="b-eu"),
                            "a-us": _result(_shield_set("us"), stack="a-us")}, passes=[])
    costs = CostSettings.model_validate({"wafRequestsMillions": 10})
    est = estimate_all(run, {"a-us": settings["prod-us"], "b-eu": settings["prod-eu"]},
                       {"a-us": costs, "b-eu": costs}, TEST_PRICES)
    assert list(est) == ["a-us", "b-eu"]  # the primary first
    assert est["a-us"].line("stack", "shieldAdvanced.month").monthly == 3000  # the subscription is a root child
    with pytest.raises(KeyError):
        est["b-eu"].line("stack", "shieldAdvanced.month")
    assert any("counted in a-us" in n for n in est["b-eu"].notes)
    for stack in est.values():
        # the unprotected ACL pays: $5 + 2 rules x $1 + its half of 10 M requests x $0.60 = $10.00
        assert stack.line("delivery", "waf.webAclMonth").resources == ("api-waf",)
        assert stack.tier_total("delivery") == pytest.approx(5 + 2 + 3)
        # the one guarding the protected ALB is listed, at $0
        covered = stack.line("delivery", "waf.ruleMonth", COVERED)
        assert (covered.quantity, covered.monthly) == (3, 0)
    assert sum(e.total for e in est.values()) == pytest.approx(3000 + 2 * 10)


def test_without_a_subscription_nothing_is_waived(settings: dict[str, StackSettings]) -> None:
    resources = [r for r in _shield_set("us") if r.type != "aws:shield/subscription:Subscription"]
    est = estimate(_result(resources), settings["prod-us"], CostSettings(), TEST_PRICES)
    assert est.line("delivery", "waf.ruleMonth").quantity == 5  # both ACLs' rules, nothing covered
    assert est.line("delivery", "waf.webAclMonth").monthly == 10


def test_a_usage_assumption_moves_the_total_by_its_price(settings: dict[str, StackSettings]) -> None:
    base = estimate(_result(_network_set()), settings["prod-us"], COSTS, TEST_PRICES)
    more = estimate(_result(_network_set()), settings["prod-us"],
                    COSTS.model_copy(update={"nat_data_gb": 1500.0}), TEST_PRICES)
    assert more.total - base.total == pytest.approx(500 * 0.04)  # 500 GB more through NAT at $0.04
    more_lcus = estimate(_result(_network_set()), settings["prod-us"],
                         COSTS.model_copy(update={"alb_lcus": 7.0}), TEST_PRICES)
    assert more_lcus.total - base.total == pytest.approx(2 * 730 * 0.008)


def _service_set() -> list[Registration]:
    return [
        _reg("aws:ecs/taskDefinition:TaskDefinition", "checkout-task",
             {"family": "securecart-prod-checkout", "cpu": "1024", "memory": "2048"}, tier="delivery"),
        _reg("aws:ecs/service:Service", "checkout-service", {"name": "checkout", "launchType": "FARGATE"},
             tier="delivery"),
    ]


def test_fargate_at_minimum_and_at_peak(settings: dict[str, StackSettings]) -> None:
    delivery = settings["prod-us"].delivery
    assert delivery is not None
    checkout = next(s for s in delivery.services if s.name == "checkout")
    assert (checkout.min_tasks, checkout.max_tasks, checkout.cpu, checkout.memory) == (3, 55, 1024, 2048)
    est = estimate(_result(_service_set()), settings["prod-us"], CostSettings.model_validate({"peakHours": 60}),
                   TEST_PRICES)
    # 1 vCPU, 2 GB: 3 tasks x (730 - 60) h = 2010 task-hours; 55 tasks x 60 h = 3300 task-hours
    assert est.line("delivery", "fargate.vcpuHour", "at minTasks").monthly == pytest.approx(2010 * 0.04)
    assert est.line("delivery", "fargate.gbHour", "at minTasks").quantity == pytest.approx(4020)
    assert est.line("delivery", "fargate.vcpuHour", "at maxTasks, peak hours").quantity == pytest.approx(3300)
    assert est.line("delivery", "fargate.gbHour", "at maxTasks, peak hours").monthly == pytest.approx(6600 * 0.004)
    assert est.total == pytest.approx(2010 * 0.04 + 4020 * 0.004 + 3300 * 0.04 + 6600 * 0.004)
    assert est.no_charge == {"aws:ecs/taskDefinition:TaskDefinition": 1}


def test_dynamodb_replicas_are_charged_in_their_region(settings: dict[str, StackSettings]) -> None:
    table = _reg("aws:dynamodb/table:Table", "sessions",
                 {"billingMode": "PAY_PER_REQUEST", "replicas": [{"regionName": EU}]}, tier="data")
    costs = CostSettings.model_validate({"dynamodbReadsMillions": 100, "dynamodbWritesMillions": 10,
                                         "dynamodbStorageGb": 20})
    est = estimate(_result([table]), settings["prod-us"], costs, TEST_PRICES)
    replicated = est.line("data", "dynamodb.millionReplicatedWrites", f"replica {EU}")
    assert replicated.region == EU
    assert replicated.monthly == pytest.approx(8.0)  # 10 M x $0.80 in eu-west-1
    # 100 M reads x $0.10 + 10 M writes x $0.50 + 20 GB x $0.25 here and 20 GB x $0.30 in the replica + $8
    assert est.total == pytest.approx(10 + 5 + 5 + 6 + 8)


def test_what_the_table_does_not_price_is_listed_with_its_count(settings: dict[str, StackSettings]) -> None:
    resources = [
        _reg("aws:kms/key:Key", "images-key", tier="data"),
        _reg("aws:kms/key:Key", "db-key", tier="data"),
        _reg("awsx:ecr:Repository", "checkout-repo", custom=False, tier="delivery"),
        _reg("aws:rds/instance:Instance", "database",
             {"engine": "mysql", "instanceClass": "db.m5.large", "storageType": "gp3", "allocatedStorage": 50},
             tier="data"),
        _reg("aws:dynamodb/table:Table", "orders", {"billingMode": "PROVISIONED"}, tier="data"),
    ]
    est = estimate(_result(resources), settings["prod-us"], COSTS, TEST_PRICES)
    listed = {(u.type, u.count, u.reason) for u in est.unpriced}
    assert listed == {
        ("aws:kms/key:Key", 2, "not in the price table"),
        ("awsx:ecr:Repository", 1, "a remote component: its resources are not visible offline"),
        ("aws:rds/instance:Instance", 1, "no rds.mysql.db.m5.large.hour price for us-east-1 in the price table"),
        ("aws:dynamodb/table:Table", 1, "provisioned capacity is not priced (only on-demand tables)"),
    }
    # the MySQL instance's storage is still priced (50 GB x $0.10): only what has no price is left out
    assert est.total == pytest.approx(5.0)
    text = render({"t": est}, TEST_PRICES)
    assert "not priced (not in the price table): aws:kms/key:Key x2" in text


def test_the_estimate_is_deterministic(settings: dict[str, StackSettings]) -> None:
    resources = _network_set() + _service_set() + _shield_set("us") + [_database(True)]
    first = estimate(_result(resources), settings["prod-us"], COSTS, TEST_PRICES)
    shuffled = list(resources)
    random.Random(7).shuffle(shuffled)
    second = estimate(_result(shuffled), settings["prod-us"], COSTS, TEST_PRICES)
    assert json.dumps(first.to_dict(), sort_keys=True) == json.dumps(second.to_dict(), sort_keys=True)
    assert render({"t": first}, TEST_PRICES) == render({"t": second}, TEST_PRICES)


def test_rendering_says_estimate_and_the_date(settings: dict[str, StackSettings]) -> None:
    est = estimate(_result(_network_set()), settings["prod-us"], COSTS, TEST_PRICES)
    text = render({"t": est}, TEST_PRICES)
    assert "Monthly cost ESTIMATE t (us-east-1, primary)" in text
    assert "as of 2026-01-02" in text
    assert "TOTAL t (ESTIMATE)" in text and "$194.30" in text
    assert to_dict({"t": est})["total"] == pytest.approx(194.3)


# --- the table and the settings ------------------------------------------------------------------------------------

def test_the_price_table_is_dated_and_cited() -> None:
    table = load_prices()
    assert table.hours_per_month == 730
    for key, price in table.prices.items():
        assert price.source.startswith("https://aws.amazon.com/"), key
        assert price.read <= table.as_of, key
        if price.status == "unverified":
            assert "ESTIMATE" in price.note or "estimate" in price.note, key
        # both regions are priced (or the price is global), except where the note says why not
        assert {US, EU} <= set(price.regions) or "global" in price.regions or "no eu-west-1" in price.note, key


def test_a_broken_price_table_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "prices.json"
    bad.write_text(json.dumps({"asOf": "2026-01-01", "currency": "EUR"}))
    with pytest.raises(ValueError, match=r"prices\.json: not a valid price table"):
        load_prices(bad)


def test_cost_settings_defaults_and_validation() -> None:
    for name, f in {**CostSettings.model_fields}.items():
        assert f.description and "default" in f.description, name
    assert CostSettings().peak_hours == 60
    with pytest.raises(ValidationError, match="less than or equal to 730"):
        CostSettings.model_validate({"peakHours": 731})
    with pytest.raises(ValidationError, match="Extra inputs"):
        CostSettings.model_validate({"natDataGB": 1})
    with pytest.raises(ValidationError):
        CostSettings.model_validate({"natDataGb": -1})


# --- the real stacks ------------------------------------------------------------------------------------------------

PRICED_ONE_EACH = ("aws:ec2/natGateway:NatGateway", "aws:ec2/eip:Eip", "aws:lb/loadBalancer:LoadBalancer",
                   "aws:ec2transitgateway/vpcAttachment:VpcAttachment", "aws:rds/instance:Instance",
                   "aws:s3/bucket:Bucket", "aws:ecs/service:Service", "aws:wafv2/webAcl:WebAcl")


@pytest.fixture(scope="module")
def real(synth_run: SynthRun, settings: dict[str, StackSettings]) -> dict[str, CostEstimate]:
    return estimate_all(synth_run, settings, {})


def test_real_stacks_price_every_resource_of_the_priced_kinds(real: dict[str, CostEstimate], synth_run: SynthRun,
                                                               settings: dict[str, StackSettings]) -> None:
    for stack, est in real.items():
        result = synth_run.results[stack]
        assert est.priced["aws:ec2/natGateway:NatGateway"] == len(settings[stack].network.availability_zones) == 3
        for typ in PRICED_ONE_EACH:
            assert est.priced.get(typ, 0) == len(result.by_type(typ)) > 0, (stack, typ)
        endpoints = result.by_type("aws:ec2/vpcEndpoint:VpcEndpoint")
        billed = [e for e in endpoints if e.inputs.get("vpcEndpointType") != "Gateway"]
        assert est.priced["aws:ec2/vpcEndpoint:VpcEndpoint"] == len(billed)
        zones = sum(len(e.inputs["subnetIds"]) for e in billed if e.inputs["vpcEndpointType"] == "Interface")
        assert sum(ln.quantity for ln in est.lines if ln.key == "interfaceEndpoint.hour") == zones * 730
        assert sum(ln.quantity for ln in est.lines if ln.key == "natGateway.hour") == 3 * 730
        # nothing is silently ignored: every cloud resource is priced, free of charge or listed as not priced
        accounted = (sum(est.priced.values()) + sum(est.no_charge.values()) + sum(u.count for u in est.unpriced))
        cloud = [r for r in result.resources if not r.type.startswith(("pulumi:", "securecart:"))]
        assert accounted == len(cloud), stack


def test_real_stacks_shield_once_and_the_primary_owns_the_global_kinds(real: dict[str, CostEstimate]) -> None:
    assert list(real) == ["prod-us", "prod-eu"]
    shield = [ln for e in real.values() for ln in e.lines if ln.key == "shieldAdvanced.month"]
    assert [(ln.quantity, ln.monthly) for ln in shield] == [(1, 3000)]
    for key in ("cloudfront.gb", "globalAccelerator.hour", "dynamodb.millionWrites"):
        assert [s for s, e in real.items() if any(ln.key == key for ln in e.lines)] == ["prod-us"], key
    # the secondary's side of the Transit Gateway peering is accepted by the primary, and billed in eu-west-1
    accepter = [ln for ln in real["prod-us"].lines if ln.key == "transitGateway.attachmentHour" and ln.region == EU]
    assert [ln.resources for ln in accepter] == [("tgw-peering-accepter",)]
    # the appliances in eu-west-1 have no price in the table: listed, not dropped
    assert any(u.type == "aws:autoscaling/group:Group" for u in real["prod-eu"].unpriced)
    assert all(e.total > 0 for e in real.values())


def test_a_bucket_named_in_the_usage_but_absent_is_said(settings: dict[str, StackSettings]) -> None:
    buckets = [_reg("aws:s3/bucket:Bucket", "images", tier="data"), _reg("aws:s3/bucket:Bucket", "lb-logs")]
    costs = CostSettings.model_validate({"s3": {"defaultStorageGb": 10, "storageGb": {"images": 1000, "imgaes": 5},
                                                "putThousands": {"lb-logs": 200}}})
    prices = TEST_PRICES.model_copy(update={"prices": {**TEST_PRICES.prices, **PriceTable.model_validate({
        **TEST_PRICES.model_dump(by_alias=True), "prices": {
            "s3.standardGbMonth": _price({US: 0.02}), "s3.thousandPuts": _price({US: 0.005})}}).prices}})
    est = estimate(_result(buckets), settings["prod-us"], costs, prices)
    # images 1000 GB x $0.02 = $20; lb-logs the default 10 GB x $0.02 = $0.20 and 200 x $0.005 = $1
    assert est.line("data", "s3.standardGbMonth").monthly == pytest.approx(20.0)
    assert est.tier_total("network") == pytest.approx(1.2)
    assert est.notes == ["securecart:costs.s3.storageGb: no bucket named 'imgaes' in this stack (buckets: images, "
                         "lb-logs): its figure is unused"]


def test_transit_gateway_data_is_priced_per_gateway(settings: dict[str, StackSettings]) -> None:
    """The data a Transit Gateway processes (securecart:costs.transitGatewayDataGb) is charged on the gateway, beside
    its attachments' hours."""
    tgw = _reg("aws:ec2transitgateway/transitGateway:TransitGateway", "tgw", tier="connectivity")
    attachment = _reg("aws:ec2transitgateway/vpcAttachment:VpcAttachment", "vpc-attachment", tier="connectivity")
    costs = CostSettings.model_validate({"transitGatewayDataGb": 1500})
    est = estimate(_result([tgw, attachment]), settings["prod-us"], costs, TEST_PRICES)
    data = est.line("connectivity", "transitGateway.gb", "")
    assert data.quantity == pytest.approx(1500)
    assert data.monthly == pytest.approx(30.0)
    assert est.total == pytest.approx(1500 * 0.02 + 730 * 0.05)
    assert "aws:ec2transitgateway/transitGateway:TransitGateway" not in est.no_charge


def test_charges_priced_only_in_part_are_said(real: dict[str, CostEstimate]) -> None:
    """prod-us replicates images with RTC and keeps the sessions table's point-in-time recovery: neither extra fee
    is in the table, and the estimate says so rather than staying silent; so does the even WAF split."""
    us = real["prod-us"].notes
    assert "not included: S3 Replication Time Control's own per-GB fee on the replicated data" in us
    assert "not included: DynamoDB point-in-time recovery storage (per GB-month, per replica)" in us
    assert "WAF requests are split evenly over the stack's 4 web ACLs" in us
    assert not [n for n in real["prod-eu"].notes if "Replication Time Control" in n]  # the destination's side
