"""The resilience and capacity report (automation/resilience.py), the capacity settings
(components/settings/capacity.py) and the pack's resilience rules (policies/securecart_rules/resilience.py):
figures for hand-computed configs, and the gate failing for one AZ, one region and a peak above capacity."""

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from securecart_rules.resilience import capacity_covers_peak, path_survives_az_loss, path_survives_region_loss
from securecart_rules.types import (
    APPAUTOSCALING_TARGET,
    EC2_NAT_GATEWAY,
    EC2_ROUTE,
    EC2_ROUTE_TABLE_ASSOCIATION,
    EC2_SUBNET,
    ECS_SERVICE,
    GLOBALACCELERATOR_ENDPOINT_GROUP,
    LB_LISTENER,
    LB_LOAD_BALANCER,
    LB_TARGET_GROUP,
    RDS_INSTANCE,
    ROUTE53_HEALTH_CHECK,
    ROUTE53_RECORD,
)

from automation.gate import evaluate
from automation.mocks import Registration
from automation.project import Project
from automation.resilience import FACTS, ResilienceReport, render, report
from automation.synth import SynthRun, load_all_settings, synth_all, synth_stack
from components.settings.capacity import (
    TAG_HEADROOM,
    TAG_PEAK,
    TAG_PER_TASK,
    TAG_REGION_LOSS_PEAK,
    CapacitySettings,
    CustomerPath,
    capacity_problems,
    capacity_tags,
    path_services,
    service_peaks,
)
from tests.policies.harness import Case, cases, check, res, violations

PATHS = ("browse", "checkout", "payment", "sessions", "images")

# Load-test figures and peaks consistent with the stack files' maxTasks (storefront 45, checkout 55, payment 26).
US = {"peakRequestsPerSecond": {"browse": 1000, "checkout": 500, "payment": 300},
      "requestsPerTask": {"storefront": 50, "checkout": 20, "payment": 25, "integrations": 30}}
EU = {"peakRequestsPerSecond": {"browse": 600, "checkout": 300, "payment": 180},
      "requestsPerTask": {"storefront": 50, "checkout": 20, "payment": 25, "integrations": 30}}


def capacity(us: dict[str, Any] = US, eu: dict[str, Any] = EU) -> dict[str, CapacitySettings]:
    return {"prod-us": CapacitySettings.model_validate(us), "prod-eu": CapacitySettings.model_validate(eu)}


@pytest.fixture(scope="module")
def real(project: Project, synth_run: SynthRun) -> ResilienceReport:
    return report(synth_run, load_all_settings(project, project.stacks()), capacity())


# --- the report on the real stacks -----------------------------------------------------------------------------------

def test_every_path_has_its_figures_in_the_json(real: ResilienceReport) -> None:
    doc = json.loads(json.dumps(real.to_json()))
    assert [p["path"] for p in doc["paths"]] == list(PATHS)
    for p in doc["paths"]:
        assert p["entry"] and p["az"] and p["survivesAzLoss"] is True, p["path"]
        assert p["region"]["survives"] is True and p["region"]["regions"] == ["eu-west-1", "us-east-1"], p["path"]
    for name in ("browse", "checkout", "payment", "images"):
        assert next(p for p in doc["paths"] if p["path"] == name)["timings"], name
    assert doc["problems"] == []
    assert {k for p in real.paths for t in p.timings for k in t.facts} <= set(doc["facts"])
    assert all(f["url"].startswith("https://docs.aws.amazon.com/") and f["read"] for f in doc["facts"].values())


def test_failover_figures_match_the_health_checks(real: ResilienceReport, project: Project) -> None:
    """10 s x 3 failures = 30 s to detect, + the 60 s alias TTL = 90 s; the accelerator follows the target groups'
    10 s x 2 = 20 s, with nothing cached; the same figures the edge settings export (failover_figures)."""
    browse = {t.mechanism: t for t in real.path("browse").timings}
    checkout = {t.mechanism: t for t in real.path("checkout").timings}
    assert (browse["dns"].detect_seconds, browse["dns"].switch_seconds) == (30, 90)
    assert (checkout["accelerator"].detect_seconds, checkout["accelerator"].switch_seconds) == (20, 20)
    assert (browse["target-health"].detect_seconds, browse["target-health"].scope) == (20, "task")
    edge = load_all_settings(project, project.stacks())["prod-us"].edge
    assert edge is not None
    figures = edge.failover
    assert (figures.dns_detect, figures.dns_switch) == (30, 90)
    assert (figures.accelerator_detect, figures.accelerator_switch) == (20, 20)
    images = {t.mechanism: t for t in real.path("images").timings}
    # the group's primary: 1 connection attempt x 5 s, paid per cache miss (failover is per request)
    assert images["origin-group"].detect_seconds == 1 * 5
    assert images["origin-group"].scope == "request"


def test_data_loss_windows_per_store(real: ResilienceReport) -> None:
    stores = {s.store: s for s in real.stores}
    assert set(stores) == {"database", "sessions", "images"}
    db = stores["database"]
    assert (db.stack, db.az_rpo_seconds, db.region_rpo_seconds) == ("prod-us", 0, FACTS["rds-cross-region-replica"]
                                                                    .seconds)
    assert "14 days" in db.backups and "promote the replica in prod-eu" in db.recovery
    assert (stores["sessions"].az_rpo_seconds, stores["sessions"].region_rpo_seconds) == (0, 1)
    assert (stores["images"].az_rpo_seconds, stores["images"].region_rpo_seconds) == (0, 15 * 60)
    assert real.path("checkout").region.needs == "writes need the eu-west-1 replica promoted (by hand)"


def test_capacity_against_peak_hand_computed(real: ResilienceReport) -> None:
    lines = {(c.stack, c.service): c for c in real.capacity}
    us = lines[("prod-us", "storefront")]
    # 45 tasks x 50 rps = 2250 rps >= 1000 x 1.3 = 1300
    assert (us.max_tasks, us.capacity_rps, us.required_rps, us.ok) == (45, 2250, 1300, True)
    checkout = lines[("prod-us", "checkout")]
    assert (checkout.capacity_rps, checkout.required_rps, checkout.ok) == (1100, 650, True)
    # on region loss prod-us carries both peaks: (1000 + 600) x 1.3 = 2080 <= 2250 (the stack files size for it)
    assert (us.region_loss_peak_rps, us.region_loss_required_rps, us.region_loss_ok) == (1600, 2080, True)
    assert lines[("prod-us", "integrations")].ok is None  # serves no path with a declared peak
    text = render(real)
    assert "short (not gated)" not in text and "problems: none" in text


def test_peak_above_capacity_is_a_problem(synth_run: SynthRun, project: Project) -> None:
    settings = load_all_settings(project, project.stacks())
    over = {**US, "peakRequestsPerSecond": {"browse": 1800, "checkout": 500, "payment": 300}}
    rep = report(synth_run, settings, capacity(us=over))
    line = next(c for c in rep.capacity if (c.stack, c.service) == ("prod-us", "storefront"))
    assert (line.capacity_rps, line.required_rps, line.ok) == (2250, 2340, False)  # 1800 x 1.3 = 2340
    assert rep.problems == ("capacity: prod-us: storefront: 45 tasks x 50 rps = 2250 rps < peak 1800 x (1 + 0.3) = "
                            "2340 rps",)
    # 1200 alone fits (1560 <= 2250), but not with prod-eu's 600 on a region loss: (1200 + 600) x 1.3 = 2340
    busier = {**US, "peakRequestsPerSecond": {"browse": 1200, "checkout": 500, "payment": 300}}
    assert report(synth_run, settings, capacity(us=busier)).problems == ()
    absorb = report(synth_run, settings, capacity(us={**busier, "absorbPeerOnRegionLoss": True}))
    assert absorb.problems == ("capacity: prod-us: storefront: 2250 rps < both regions' peak 1800 x (1 + 0.3) = "
                               "2340 rps",)


def test_a_slower_health_check_moves_detection_by_interval_times_threshold(
        project_copy: Callable[[Callable[[str, dict[str, Any]], None]], Project], real: ResilienceReport) -> None:
    def slower(stack: str, config: dict[str, Any]) -> None:
        if stack == "prod-us":
            config["securecart:edge"]["healthCheck"] = {"intervalSeconds": 30, "failureThreshold": 2}
            config["securecart:edge"]["failoverBoundSeconds"] = 60

    copy = project_copy(slower)
    rep = report(synth_all(copy), load_all_settings(copy, copy.stacks()), capacity())
    before = next(t for t in real.path("browse").timings if t.mechanism == "dns")
    after = next(t for t in rep.path("browse").timings if t.mechanism == "dns")
    assert after.detect_seconds - before.detect_seconds == 30 * 2 - 10 * 3  # 60 - 30
    assert after.switch_seconds == after.detect_seconds + 60  # the alias TTL
    accelerator = next(t for t in rep.path("checkout").timings if t.mechanism == "accelerator")
    assert accelerator.detect_seconds == 20  # the accelerator does not read Route 53's checks


# --- capacity settings ------------------------------------------------------------------------------------------------

def test_capacity_settings_are_checked_against_the_services(project: Project) -> None:
    delivery = load_all_settings(project, project.stacks())["prod-us"].delivery
    assert delivery is not None
    assert path_services(delivery, "payment") == {CustomerPath.BROWSE: ["storefront"],
                                                  CustomerPath.CHECKOUT: ["checkout"],
                                                  CustomerPath.PAYMENT: ["payment"]}
    assert capacity_problems(CapacitySettings.model_validate(US), delivery, "payment") == []
    bad = CapacitySettings.model_validate({"peakRequestsPerSecond": {"checkout": 500},
                                           "requestsPerTask": {"chekout": 20}})
    assert capacity_problems(bad, delivery, "payment") == [
        "capacity.requestsPerTask.chekout: 'chekout' is not a delivery service of this stack: use one of "
        "storefront, checkout, payment, integrations",
        "capacity.requestsPerTask: no figure for checkout, which serves the checkout path's declared peak: "
        "add checkout: <requests per second one task serves>"]
    with pytest.raises(ValueError, match="basket"):
        CapacitySettings.model_validate({"peakRequestsPerSecond": {"basket": 1}})
    assert CapacitySettings().headroom == 0.3 and "default 0.3" in str(CapacitySettings.model_fields["headroom"]
                                                                        .description)


def test_capacity_tags_for_the_delivery_tier(project: Project) -> None:
    settings = load_all_settings(project, project.stacks())
    us, eu = settings["prod-us"].delivery, settings["prod-eu"].delivery
    assert us is not None and eu is not None
    caps = capacity()
    assert capacity_tags(caps["prod-us"], us, "checkout") == {TAG_PEAK: "500", TAG_PER_TASK: "20",
                                                              TAG_HEADROOM: "0.3"}
    assert capacity_tags(caps["prod-us"], us, "integrations", private_link_service="payment") == {}
    # without PrivateLink, payment is every nlb service checkout calls: integrations too (300 rps at 30 per task)
    assert capacity_tags(caps["prod-us"], us, "integrations")[TAG_PEAK] == "300"
    absorbing = CapacitySettings.model_validate({**US, "absorbPeerOnRegionLoss": True})
    eu_peaks = service_peaks(caps["prod-eu"], eu)
    assert capacity_tags(absorbing, us, "storefront", peer_peaks=eu_peaks)[TAG_REGION_LOSS_PEAK] == "1600"
    assert TAG_REGION_LOSS_PEAK not in capacity_tags(absorbing, us, "storefront")  # the peer has not exported yet
    assert TAG_REGION_LOSS_PEAK not in capacity_tags(caps["prod-us"], us, "storefront", peer_peaks=eu_peaks)


# --- the rules on the real graph ----------------------------------------------------------------------------------

RULES = [path_survives_az_loss, path_survives_region_loss, capacity_covers_peak]


def test_both_stacks_pass_the_resilience_rules(synth_run: SynthRun) -> None:
    for result in synth_run.results.values():
        assert evaluate(result, RULES) == []


def test_the_capacity_rule_reads_the_tags_on_the_real_services(synth_run: SynthRun) -> None:
    """With the tags the delivery tier adds, the real checkout service (55 tasks at most) passes at 20 rps per task
    for a 500 rps peak (1100 >= 650) and fails at 900 (1100 < 1170)."""
    result = synth_run.results["prod-us"]

    def tagged(peak: str) -> list[str]:
        resources = [dataclasses.replace(r, inputs={**r.inputs, "tags": {**r.inputs["tags"], TAG_PEAK: peak,
                                                                         TAG_PER_TASK: "20", TAG_HEADROOM: "0.3"}})
                     if r.name == "checkout-service" else r for r in result.resources]
        return [v.message for v in evaluate(dataclasses.replace(result, resources=resources), [capacity_covers_peak])]

    assert tagged("500") == []
    assert tagged("900") == ["Service checkout: 55 tasks at most x 20 rps = 1100 rps, below its declared peak 900 rps "
                             "x (1 + 0.3 headroom) = 1170 rps: raise maxTasks to at least 59 or lower the peak."]


# --- the rules on hand-built resources --------------------------------------------------------------------------------

def subnet(name: str, az: str) -> Registration:
    return res(EC2_SUBNET, name, {"availabilityZone": az})


def service_stack(task_azs: list[str], lb_azs: list[str], nat_az: dict[str, str] | None = None,
                  multi_az: bool = True) -> list[Registration]:
    """A service behind an ALB (target group, listener), its task subnets leaving through NAT gateways, a database."""
    tasks = [subnet(f"app-{az}", az) for az in task_azs]
    public = {az: subnet(f"web-{az}", az) for az in sorted(set(lb_azs) | set((nat_az or {}).values()) | set(task_azs))}
    tg = res(LB_TARGET_GROUP, "checkout-tg", {"port": 8080})
    lb = res(LB_LOAD_BALANCER, "alb", {"loadBalancerType": "application"}, subnets=[public[a] for a in lb_azs])
    listener = res(LB_LISTENER, "alb-https", {"port": 443, "protocol": "HTTPS"}, loadBalancerArn=lb,
                   defaultActions=[tg])
    svc = res(ECS_SERVICE, "checkout-service",
              {"name": "checkout", "desiredCount": 3, "networkConfiguration": {"subnets": [t.id for t in tasks]}},
              networkConfiguration=tasks, loadBalancers=[tg])
    network: list[Registration] = []
    nats = {az: res(EC2_NAT_GATEWAY, f"nat-{az}", subnetId=public[az]) for az in sorted(set((nat_az or {}).values()))}
    for t in tasks:
        az = t.inputs["availabilityZone"]
        table = res("aws:ec2/routeTable:RouteTable", f"{t.name}-rt")
        network += [table, res(EC2_ROUTE_TABLE_ASSOCIATION, f"{t.name}-rta", subnetId=t, routeTableId=table)]
        if nat_az is not None:
            network.append(res(EC2_ROUTE, f"{t.name}-default", {"destinationCidrBlock": "0.0.0.0/0"},
                               routeTableId=table, natGatewayId=nats[nat_az[az]]))
    db = res(RDS_INSTANCE, "database", {"multiAz": multi_az})
    return [*tasks, *public.values(), tg, lb, listener, svc, *nats.values(), *network, db]


def names(found: list[Any]) -> set[str]:
    return {v.resource_name for v in found}


def test_one_az_fails_the_gate() -> None:
    assert violations(path_survives_az_loss, service_stack(["us-east-1a", "us-east-1b"],
                                                           ["us-east-1a", "us-east-1b"])) == []
    one = violations(path_survives_az_loss, service_stack(["us-east-1a"], ["us-east-1a"]))
    assert names(one) == {"checkout-service", "alb"}
    assert any("its tasks run in 1 AZ(s) (us-east-1a)" in v.message for v in one)
    assert violations(path_survives_az_loss, service_stack(["us-east-1a", "us-east-1b"], ["us-east-1a", "us-east-1b"],
                                                           multi_az=False))[0].resource_name == "database"


def test_one_nat_for_several_azs_fails_the_gate() -> None:
    own = {"us-east-1a": "us-east-1a", "us-east-1b": "us-east-1b"}
    shared = {"us-east-1a": "us-east-1a", "us-east-1b": "us-east-1a"}
    azs = ["us-east-1a", "us-east-1b"]
    assert violations(path_survives_az_loss, service_stack(azs, azs, own)) == []
    found = violations(path_survives_az_loss, service_stack(azs, azs, shared))
    assert [(v.resource_name, v.message) for v in found] == [(
        "nat-us-east-1a", "Service checkout: task subnet app-us-east-1b (us-east-1b) leaves through NAT gateway "
        "nat-us-east-1a in us-east-1a: losing us-east-1a cuts us-east-1b's egress too; give each AZ its own NAT "
        "gateway.")]


def records(regions: list[str]) -> list[Registration]:
    out: list[Registration] = []
    for region in regions:
        hc = res(ROUTE53_HEALTH_CHECK, f"health-{region}", {"type": "HTTPS", "requestInterval": 10,
                                                            "failureThreshold": 3})
        out += [hc, res(ROUTE53_RECORD, f"api-{region}", {
            "name": "api.securecart.example", "type": "A", "setIdentifier": region,
            "latencyRoutingPolicy": {"region": region},
            "aliases": [{"name": f"alb.{region}.elb.amazonaws.com", "evaluateTargetHealth": True}]},
            healthCheckId=hc)]
    return out


def endpoint_groups(regions: list[str], weight: int = 128) -> list[Registration]:
    listener = res("aws:globalaccelerator/listener:Listener", "accelerator-https", {"protocol": "TCP"})
    return [listener, *(res(GLOBALACCELERATOR_ENDPOINT_GROUP, f"accelerator-{r}", {
        "endpointGroupRegion": r, "trafficDialPercentage": 100,
        "endpointConfigurations": [{"endpointId": f"arn:aws:elasticloadbalancing:{r}:1:loadbalancer/app/x/1",
                                    "weight": weight}]}, listenerArn=listener) for r in regions)]


def test_one_region_fails_the_gate() -> None:
    both = ["us-east-1", "eu-west-1"]
    assert violations(path_survives_region_loss, records(both) + endpoint_groups(both)) == []
    found = violations(path_survives_region_loss, records(["us-east-1"]) + endpoint_groups(["us-east-1"]))
    assert names(found) == {"api-us-east-1", "accelerator-us-east-1"}
    assert any("api.securecart.example (A) has 1 health-checked target(s)" in v.message for v in found)
    # an endpoint group whose only endpoint weighs 0 takes no traffic: the accelerator has one region left
    drained = endpoint_groups(["us-east-1"]) + endpoint_groups(["eu-west-1"], weight=0)[1:]
    assert names(violations(path_survives_region_loss, drained)) == {"accelerator-eu-west-1"}


def tagged_service(tags: dict[str, str], max_capacity: int = 40) -> list[Registration]:
    svc = res(ECS_SERVICE, "checkout-service", {"name": "checkout", "desiredCount": 3, "tags": tags})
    return [svc, res(APPAUTOSCALING_TARGET, "checkout-scaling", {"maxCapacity": max_capacity, "minCapacity": 3},
                     resourceId=[svc])]


def test_peak_above_capacity_fails_the_gate_below_passes() -> None:
    below = {TAG_PEAK: "600", TAG_PER_TASK: "20", TAG_HEADROOM: "0.3"}  # 600 x 1.3 = 780 <= 40 x 20 = 800
    above = {**below, TAG_PEAK: "620"}  # 620 x 1.3 = 806 > 800
    assert violations(capacity_covers_peak, tagged_service(below)) == []
    found = violations(capacity_covers_peak, tagged_service(above))
    assert [v.message for v in found] == [
        "Service checkout: 40 tasks at most x 20 rps = 800 rps, below its declared peak 620 rps x (1 + 0.3 headroom) "
        "= 806 rps: raise maxTasks to at least 41 or lower the peak."]
    region_loss = violations(capacity_covers_peak, tagged_service({**below, TAG_REGION_LOSS_PEAK: "900"}))
    assert len(region_loss) == 1 and "both regions' peak (region loss) 900 rps" in region_loss[0].message
    assert violations(capacity_covers_peak, tagged_service({})) == []  # nothing declared, nothing to check


AZS = ["us-east-1a", "us-east-1b"]
CASES = cases(
    Case(path_survives_az_loss, service_stack(AZS, AZS, dict(zip(AZS, AZS, strict=True))),
         service_stack(["us-east-1a"], ["us-east-1a"]), {"checkout-service", "alb"}, says="1 AZ(s)"),
    Case(path_survives_region_loss, records(["us-east-1", "eu-west-1"]), records(["us-east-1"]), {"api-us-east-1"},
         says="1 health-checked target(s)"),
    Case(capacity_covers_peak, tagged_service({TAG_PEAK: "600", TAG_PER_TASK: "20", TAG_HEADROOM: "0.3"}),
         tagged_service({TAG_PEAK: "620", TAG_PER_TASK: "20", TAG_HEADROOM: "0.3"}), {"checkout-service"},
         says="806 rps"),
)


@pytest.mark.parametrize("case", CASES)
def test_rule_cases(case: Case) -> None:
    check(case)


def test_report_renders_every_path_and_source(real: ResilienceReport, tmp_path: Path) -> None:
    text = render(real)
    for name in PATHS:
        assert f"\n{name} " in text
    for key in FACTS:
        assert f"  {key}: " in text
    assert "health-us-east-1: 10 s x 3 failures, then a 60 s TTL" in text


@pytest.mark.parametrize(("stack", "service", "peak"), [
    ("prod-us", "checkout", "500"), ("prod-us", "storefront", "1000"), ("prod-eu", "payment", "180")])
def test_the_real_services_carry_their_declared_capacity(synth_run: SynthRun, stack: str, service: str,
                                                         peak: str) -> None:
    """The delivery tier tags each running service with what the pack's capacity-covers-peak reads, so the rule
    gates a real preview too; the real stacks pass it with their maxTasks."""
    result = synth_run.results[stack]
    (svc,) = [r for r in result.by_type("aws:ecs/service:Service") if r.name == f"{service}-service"]
    per_task = {"checkout": "20", "storefront": "50", "payment": "25"}[service]
    assert {k: svc.inputs["tags"][k] for k in (TAG_PEAK, TAG_PER_TASK, TAG_HEADROOM)} == {
        TAG_PEAK: peak, TAG_PER_TASK: per_task, TAG_HEADROOM: "0.3"}
    assert evaluate(result, [capacity_covers_peak]) == []
    # both regions' peak, from the peer's exported peaks (absorbPeerOnRegionLoss in both stack files)
    both = {"checkout": "800", "storefront": "1600", "payment": "480"}[service]
    assert svc.inputs["tags"][TAG_REGION_LOSS_PEAK] == both


def test_a_region_too_small_for_both_peaks_fails_the_gate(
        project_copy: Callable[[Callable[[str, dict[str, Any]], None]], Project]) -> None:
    """prod-eu's storefront at 35 tasks carries its own peak (600 x 1.3 = 780 <= 1750) but not both regions'
    ((600 + 1000) x 1.3 = 2080 > 1750): the region-loss tag it gets from prod-us's exported peaks fails the pack."""
    def smaller(stack: str, config: dict[str, Any]) -> None:
        if stack == "prod-eu":
            (storefront,) = [s for s in config["securecart:delivery"]["services"] if s["name"] == "storefront"]
            storefront["maxTasks"] = 35

    result = synth_all(project_copy(smaller)).results["prod-eu"]
    (svc,) = [r for r in result.by_type("aws:ecs/service:Service") if r.name == "storefront-service"]
    assert svc.inputs["tags"][TAG_REGION_LOSS_PEAK] == "1600"
    assert [v.message for v in evaluate(result, [capacity_covers_peak])] == [
        "Service storefront: 35 tasks at most x 50 rps = 1750 rps, below both regions' peak (region loss) 1600 rps "
        "x (1 + 0.3 headroom) = 2080 rps: raise maxTasks to at least 42 or lower the peak."]


def test_the_primarys_first_pass_says_its_second_region_is_pending(project: Project, synth_run: SynthRun) -> None:
    """Before its peer exports its side, the primary reaches one region only (the plan's order): its health checks
    and accelerator carry SecondRegion=pending, so path-survives-region-loss waits for the next pass. Without the
    tag the same resources fail it, and the converged stack carries no such tag."""
    def second_region(r: Registration) -> Any:
        tags = r.inputs.get("tags")
        return tags.get("SecondRegion") if isinstance(tags, dict) else None

    first = synth_stack(project, "prod-us", {})
    marked = [r for r in first.resources if second_region(r) == "pending"]
    assert sorted(r.type for r in marked) == ["aws:globalaccelerator/accelerator:Accelerator",
                                              "aws:route53/healthCheck:HealthCheck",
                                              "aws:route53/healthCheck:HealthCheck"]
    assert evaluate(first, [path_survives_region_loss]) == []
    unmarked = [dataclasses.replace(r, inputs={**r.inputs, "tags": {k: v for k, v in r.inputs["tags"].items()
                                                                    if k != "SecondRegion"}})
                if r in marked else r for r in first.resources]
    found = evaluate(dataclasses.replace(first, resources=unmarked), [path_survives_region_loss])
    assert len(found) >= 2 and any("Accelerator listener" in v.message for v in found)
    converged = synth_run.results["prod-us"].resources
    assert not [r.name for r in converged if second_region(r)]


def test_a_health_check_of_another_endpoint_is_called_a_proxy(real: ResilienceReport) -> None:
    """The partners' API records follow the region's ALB health: the report says that check is a proxy, and says
    nothing of the kind where the check watches the records' own target."""
    payment = next(t for t in real.path("payment").timings if t.mechanism == "dns")
    browse = next(t for t in real.path("browse").timings if t.mechanism == "dns")
    assert "a proxy: it checks alb-" in payment.derivation and "execute-api" in payment.derivation
    assert "proxy" not in browse.derivation
