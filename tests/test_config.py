"""Typed stack settings: the real stack files parse, defaults are secure and described, bad input gets one clear
line naming the key."""

import contextvars
import copy
import datetime
import json
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from pydantic import BaseModel

from automation.project import Project, StackConfig
from automation.synth import _run_program
from components.settings.analytics import AnalyticsPort, AnalyticsSettings
from components.settings.connectivity import (
    ConnectivitySettings,
    CustomerGatewaySettings,
    DirectConnectSettings,
    TransitGatewaySettings,
    VpcPeerSettings,
    VpnSettings,
)
from components.settings.cross_region import check_stack_set
from components.settings.data import (
    DatabaseSettings,
    DataSettings,
    ImagesSettings,
    SessionsSettings,
    bucket_name_problems,
)
from components.settings.loader import parse_settings
from components.settings.monitoring import (
    FlowLogAnalysis,
    LatencyTarget,
    MonitoringSettings,
    Subscription,
    Thresholds,
    XRaySettings,
)
from components.settings.network import FlowLogSettings, NatStrategy, NetworkSettings, SubnetGroup
from components.settings.stack import StackSettings
from components.settings.types import ConfigError

GOOD_NETWORK: dict[str, Any] = {
    "cidr": "10.10.0.0/16",
    "availabilityZones": ["a", "b", "c"],
    "subnetGroups": [
        {"name": "web", "type": "public", "block": "10.10.0.0/20", "cidrMask": 24},
        {"name": "app", "type": "private", "block": "10.10.64.0/18", "cidrMask": 21},
        {"name": "data", "type": "isolated", "block": "10.10.128.0/20", "cidrMask": 24},
    ],
}


def values(**overrides: Any) -> dict[str, str]:
    """Config as the engine passes it: strings, objects as JSON text."""
    base: dict[str, Any] = {
        "aws:region": "us-east-1",
        "securecart:role": "primary",
        "securecart:network": GOOD_NETWORK,
    }
    base.update(overrides)
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in base.items() if v is not None}


def network(**changes: Any) -> dict[str, Any]:
    net = copy.deepcopy(GOOD_NETWORK)
    net.update(changes)
    return net


def problems_of(raw: dict[str, str]) -> list[str]:
    with pytest.raises(ConfigError) as info:
        parse_settings(raw, "Pulumi.test.yaml")
    return info.value.problems


def test_both_stack_files_parse_and_differ_only_where_they_should(project: Project) -> None:
    us = parse_settings(project.read_stack("prod-us").values)
    eu = parse_settings(project.read_stack("prod-eu").values)
    assert (us.region, us.role, us.peer_stack) == ("us-east-1", "primary", "prod-eu")
    assert (eu.region, eu.role, eu.peer_stack) == ("eu-west-1", "secondary", "prod-us")
    assert check_stack_set({"prod-us": us, "prod-eu": eu}) == []
    for s in (us, eu):
        assert s.network.nat is NatStrategy.PER_AZ
        assert s.network.flow_logs.retention_days == 365
        assert len(s.network.availability_zones) == 3
    assert project.read_stack("prod-us").disables_default_provider("aws")
    assert project.read_stack("prod-eu").disables_default_provider("aws")


def test_defaults_are_secure() -> None:
    s = parse_settings(values())
    assert s.environment == "prod"
    assert s.network.nat is NatStrategy.PER_AZ
    assert s.network.database_port == 5432
    assert s.network.flow_logs.max_aggregation_interval == 60
    assert "secretsmanager" in s.network.interface_endpoints and "ecr.dkr" in s.network.interface_endpoints
    assert s.peer_stack is None and s.tags == {}


@pytest.mark.parametrize("model", [StackSettings, NetworkSettings, SubnetGroup, FlowLogSettings, DataSettings,
                                   DatabaseSettings, SessionsSettings, ImagesSettings, ConnectivitySettings,
                                   TransitGatewaySettings, VpnSettings, CustomerGatewaySettings,
                                   DirectConnectSettings, VpcPeerSettings, AnalyticsSettings, AnalyticsPort,
                                   MonitoringSettings, Thresholds, XRaySettings, FlowLogAnalysis, Subscription,
                                   LatencyTarget])
def test_every_field_describes_its_default_as_behaviour(model: type[BaseModel]) -> None:
    for name, field in model.model_fields.items():
        text = (field.description or "").lower()
        assert len(text) > 20, f"{model.__name__}.{name} has no description"
        if field.is_required():
            assert text.startswith("required"), f"{model.__name__}.{name} should say it is required"
        else:
            assert "default" in text, f"{model.__name__}.{name} should state its default"


def test_subnet_plan_is_stable_per_az_letter() -> None:
    g = SubnetGroup.model_validate({"name": "app", "type": "private", "block": "10.10.64.0/18", "cidrMask": 21})
    assert [str(g.subnet_cidr(x)) for x in "abcd"] == ["10.10.64.0/21", "10.10.72.0/21", "10.10.80.0/21",
                                                      "10.10.88.0/21"]


MALFORMED = [
    ("bad CIDR", values(**{"securecart:network": network(cidr="10.0.0.0/33")}),
     "securecart:network.cidr: '10.0.0.0/33' is not an IPv4 network"),
    ("host bits set", values(**{"securecart:network": network(cidr="10.10.0.1/16")}),
     "securecart:network.cidr: '10.10.0.1/16' has host bits set: did you mean '10.10.0.0/16'?"),
    ("public VPC range", values(**{"securecart:network": network(cidr="8.8.0.0/16")}),
     "securecart:network.cidr: 8.8.0.0/16 is not in a private (RFC 1918) range"),
    ("AZ count 1", values(**{"securecart:network": network(availabilityZones=["a"])}),
     "securecart:network.availabilityZones: lists 1 AZ(s): at least 3 are required"),
    ("AZ not in region", values(**{"aws:region": "eu-west-1", "securecart:network": network(
        availabilityZones=["a", "b", "d"])}),
     "securecart:network.availabilityZones: d not in eu-west-1"),
    ("unknown region", values(**{"aws:region": "us-moon-1"}),
     "aws:region: 'us-moon-1' is not an AWS region SecureCart deploys to"),
    ("missing region", values(**{"aws:region": None}),
     "aws:region: is required: set it in Pulumi.test.yaml"),
    ("unknown top-level key", values(**{"securecart:netwrok": GOOD_NETWORK}),
     "securecart:netwrok: is not a known setting (known: securecart:role"),
    ("unknown nested key", values(**{"securecart:network": network(natGateways=3)}),
     "securecart:network.natGateways: is not a known setting: remove it or check its spelling"),
    ("wrong type", values(**{"securecart:network": network(databasePort="five")}),
     "securecart:network.databasePort: expected a whole number, got 'five'"),
    ("bad role", values(**{"securecart:role": "tertiary"}),
     "securecart:role: 'tertiary' is not allowed: use 'primary' or 'secondary'"),
    ("missing network", values(**{"securecart:network": None}),
     "securecart:network: is required: set it in Pulumi.test.yaml"),
    ("overlapping groups", values(**{"securecart:network": network(subnetGroups=[
        {"name": "web", "type": "public", "block": "10.10.0.0/20", "cidrMask": 24},
        {"name": "app", "type": "private", "block": "10.10.8.0/21", "cidrMask": 24},
        {"name": "data", "type": "isolated", "block": "10.10.128.0/20", "cidrMask": 24}])}),
     "securecart:network.subnetGroups[1].block: 10.10.8.0/21 overlaps subnetGroups[0]"),
    ("group outside VPC", values(**{"securecart:network": network(subnetGroups=[
        *GOOD_NETWORK["subnetGroups"][:2],
        {"name": "data", "type": "isolated", "block": "10.11.0.0/20", "cidrMask": 24}])}),
     "securecart:network.subnetGroups[2].block: 10.11.0.0/20 is outside the VPC CIDR 10.10.0.0/16"),
    ("missing tier", values(**{"securecart:network": network(subnetGroups=GOOD_NETWORK["subnetGroups"][:2])}),
     "securecart:network.subnetGroups: no group of type 'isolated'"),
    ("block too small for the AZ letters", values(**{"securecart:network": network(subnetGroups=[
        {"name": "web", "type": "public", "block": "10.10.0.0/23", "cidrMask": 24},
        *GOOD_NETWORK["subnetGroups"][1:]])}),
     "securecart:network.subnetGroups[0].block: 10.10.0.0/23 holds 2 /24 subnet(s), but AZ 'c' needs slot 2"),
    ("mask shorter than block", values(**{"securecart:network": network(subnetGroups=[
        {"name": "web", "type": "public", "block": "10.10.0.0/20", "cidrMask": 16},
        *GOOD_NETWORK["subnetGroups"][1:]])}),
     "securecart:network.subnetGroups[0]: cidrMask /16 is larger than the group's block 10.10.0.0/20"),
    ("bad retention", values(**{"securecart:network": network(flowLogs={"retentionDays": 100})}),
     "securecart:network.flowLogs.retentionDays: 100 is not a retention CloudWatch Logs accepts"),
    ("nat none with private tier", values(**{"securecart:network": network(nat="none")}),
     "securecart:network.nat: 'none' leaves the private groups without egress"),
    ("unknown endpoint", values(**{"securecart:network": network(interfaceEndpoints=["ecr.api", "s4"])}),
     "securecart:network.interfaceEndpoints: 's4' is not a supported interface endpoint"),
    ("reserved tag", values(**{"securecart:tags": {"aws:owner": "me"}}),
     "securecart:tags: tag key 'aws:owner' starts with 'aws:', which AWS reserves"),
    ("bad account id", values(**{"securecart:allowedAccountIds": ["12345"]}),
     "securecart:allowedAccountIds[0]: '12345' does not have the expected form"),
]


@pytest.mark.parametrize(("case", "raw", "expected"), MALFORMED, ids=[c[0] for c in MALFORMED])
def test_malformed_config_names_the_key_and_the_fix(case: str, raw: dict[str, str], expected: str) -> None:
    problems = problems_of(raw)
    assert any(p.startswith(expected) for p in problems), f"{case}: got {problems}"
    assert all(p.startswith(("securecart:", "aws:")) for p in problems), problems


def test_every_problem_is_reported_at_once() -> None:
    raw = values(**{"securecart:role": "tertiary", "securecart:network": network(cidr="300.0.0.0/16")})
    problems = problems_of(raw)
    assert len(problems) == 2
    assert {p.split(":")[1].split(" ")[0] for p in problems} == {"role", "network.cidr"}


def test_stacks_with_overlapping_cidrs_are_rejected() -> None:
    us = parse_settings(values(**{"securecart:peerStack": "eu"}))
    eu = parse_settings(values(**{"aws:region": "eu-west-1", "securecart:role": "secondary",
                                  "securecart:network": network(cidr="10.10.128.0/17", subnetGroups=[
                                      {"name": "web", "type": "public", "block": "10.10.128.0/20", "cidrMask": 24},
                                      {"name": "app", "type": "private", "block": "10.10.192.0/18", "cidrMask": 21},
                                      {"name": "data", "type": "isolated", "block": "10.10.144.0/20",
                                       "cidrMask": 24}])}))
    problems = check_stack_set({"us": us, "eu": eu})
    assert problems == [
        "securecart:network.cidr: eu's 10.10.128.0/17 overlaps us's 10.10.0.0/16: give each region its own "
        "range so routing between them works"
    ]


def test_stack_set_needs_one_primary_distinct_regions_and_known_peers() -> None:
    a = parse_settings(values(**{"securecart:peerStack": "nowhere"}))
    b = parse_settings(values(**{"securecart:network": network(cidr="10.20.0.0/16", subnetGroups=[
        {"name": "web", "type": "public", "block": "10.20.0.0/20", "cidrMask": 24},
        {"name": "app", "type": "private", "block": "10.20.64.0/18", "cidrMask": 21},
        {"name": "data", "type": "isolated", "block": "10.20.128.0/20", "cidrMask": 24}])}))
    problems = check_stack_set({"a": a, "b": b})
    assert any(p.startswith("securecart:role: exactly one stack must be primary, found 2") for p in problems)
    assert any(p.startswith("securecart:peerStack: Pulumi.a.yaml names 'nowhere'") for p in problems)
    assert any(p.startswith("aws:region: stacks a and b are both in us-east-1") for p in problems)


def test_the_programs_own_loader_rejects_unknown_keys(project: Project) -> None:
    """`pulumi up` reads config through `load_settings`, not the synth's pre-check: it too names unknown keys."""
    real = project.read_stack("prod-us")
    config = StackConfig(stack=real.stack, path=real.path,
                         values={**real.values, "securecart:netwrok": "{}"}, secret_keys=[])
    run = partial(_run_program, main=project.main, project=project.name, config=config, region="us-east-1",
                  peer_outputs={}, known_stacks=project.stacks())
    with pytest.raises(ConfigError) as info:
        contextvars.Context().run(run)
    assert info.value.problems == [
        "securecart:netwrok: is not a known setting (known: securecart:role, securecart:environment, "
        "securecart:peerStack, securecart:allowedAccountIds, securecart:tags, securecart:network, "
        "securecart:delivery, securecart:data, securecart:connectivity, securecart:edge, securecart:waf, "
        "securecart:shield, securecart:partners, securecart:privateLink, securecart:analytics, "
        "securecart:monitoring, securecart:capacity, securecart:costs, securecart:vpnPreSharedKeys)"
    ]


NETWORK_FOR_DELIVERY: dict[str, Any] = network(natSubnetGroup="web", subnetGroups=[
    *GOOD_NETWORK["subnetGroups"][:1],
    {"name": "gwlbe", "type": "public", "block": "10.10.16.0/22", "cidrMask": 28},
    {"name": "inspect", "type": "attachment", "block": "10.10.20.0/22", "cidrMask": 26},
    *GOOD_NETWORK["subnetGroups"][1:],
])
CERT = "arn:aws:acm:us-east-1:123456789012:certificate/abc-123"


def delivery(*services: dict[str, Any], **extra: Any) -> dict[str, str]:
    base = {"name": "storefront", "loadBalancer": "alb", "imageTag": "1.0.0"}
    return values(**{"securecart:network": NETWORK_FOR_DELIVERY, "securecart:delivery": {
        "certificateArn": CERT, "loadBalancerSubnetGroup": "web", "services": [{**base, **s} for s in services]
        or [base], **extra}})


def test_delivery_defaults_scale_safely() -> None:
    s = parse_settings(delivery())
    assert s.delivery is not None
    svc = s.delivery.services[0]
    assert (svc.cpu, svc.memory, svc.port) == (512, 1024, 8080)
    assert (svc.min_tasks, svc.desired_count, svc.max_tasks) == (3, 3, 12)
    assert s.delivery.appliances == [] and s.delivery.ssl_policy.startswith("ELBSecurityPolicy-TLS13")
    # Placement: named where the network has two public groups, else the only group of the type; the GWLB
    # endpoints take the public group the load balancers do not.
    p = s.placement
    assert (p.nat, p.load_balancers, p.gwlb_endpoints) == ("web", "web", "gwlbe")
    assert (p.tasks, p.interface_endpoints, p.appliances) == ("app", "app", "inspect")


DELIVERY_MALFORMED = [
    ("fargate pair", delivery({"cpu": 256, "memory": 4096}),
     "securecart:delivery.services[0].memory: 4096 MiB is not offered with 256 CPU units: use 512 to 2048"),
    ("fargate cpu", delivery({"cpu": 300}),
     "securecart:delivery.services[0].cpu: 300 is not a Fargate size"),
    ("max below min", delivery({"minTasks": 6, "maxTasks": 4, "desiredCount": 6}),
     "securecart:delivery.services[0].maxTasks: 4 is below minTasks 6"),
    ("port out of range", delivery({"port": 80}),
     "securecart:delivery.services[0].port: 80: input should be greater than or equal to 1024"),
    ("port too high", delivery({"port": 70000}),
     "securecart:delivery.services[0].port: 70000: input should be less than or equal to 65535"),
    ("peak ends before it starts", delivery({"peakWindows": [
        {"name": "black-friday", "start": "2026-11-28T00:00:00Z", "end": "2026-11-27T00:00:00Z", "minTasks": 6}]}),
     "securecart:delivery.services[0].peakWindows[0]: end 2026-11-27T00:00:00+00:00 is not after start"),
    ("peak above max", delivery({"maxTasks": 10, "peakWindows": [
        {"name": "black-friday", "start": "2026-11-27T00:00:00Z", "end": "2026-11-28T00:00:00Z", "minTasks": 20}]}),
     "securecart:delivery.services[0].peakWindows[0].minTasks: 20 is above maxTasks 10"),
    ("latest tag", delivery({"imageTag": "latest"}),
     "securecart:delivery.services[0].imageTag: 'latest' cannot be pinned in an immutable repository"),
    ("secret in plain env", delivery({"environment": {"DB_PASSWORD": "hunter2"}}),
     "securecart:delivery.services[0].environment.DB_PASSWORD: looks like a secret"),
    ("bad secret arn", delivery({"secrets": {"PSP_API_KEY": "plain-text-key"}}),
     "securecart:delivery.services[0].secrets.PSP_API_KEY: 'plain-text-key' is not a Secrets Manager secret ARN"),
    ("certificate in another region", values(**{"securecart:network": NETWORK_FOR_DELIVERY, "securecart:delivery": {
        "certificateArn": CERT.replace("us-east-1", "eu-west-1"),
        "services": [{"name": "storefront", "loadBalancer": "alb", "imageTag": "1"}]}}),
     "securecart:delivery.certificateArn: the certificate is in eu-west-1; the listeners need one in us-east-1"),
    ("old tls policy", delivery(sslPolicy="ELBSecurityPolicy-2016-08"),
     "securecart:delivery.sslPolicy: 'ELBSecurityPolicy-2016-08' is not a TLS 1.3 policy"),
    ("appliance outside its subnets", delivery(appliances=["10.10.64.5"]),
     "securecart:delivery.appliances: 10.10.64.5 is outside the appliance subnet group's 10.10.20.0/22"),
    ("two catch-alls", delivery({}, {"name": "checkout"}),
     "securecart:delivery.services: storefront, checkout all claim '/*'"),
    ("no inspection groups", values(**{"securecart:delivery": {
        "certificateArn": CERT, "services": [{"name": "storefront", "loadBalancer": "alb", "imageTag": "1"}]}}),
     "securecart:delivery.applianceSubnetGroup: the network has no attachment subnet group: add one to "
     "network.subnetGroups"),
    ("ambiguous load-balancer group", delivery(loadBalancerSubnetGroup=None),
     "securecart:delivery.loadBalancerSubnetGroup: the network has 2 public subnet groups (web, gwlbe): name the "
     "one to use"),
    ("load balancers in a private group", delivery(loadBalancerSubnetGroup="app"),
     "securecart:delivery.loadBalancerSubnetGroup: 'app' is of type private; this needs one of type public (web, "
     "gwlbe)"),
    ("unknown task group", delivery(taskSubnetGroup="tasks"),
     "securecart:delivery.taskSubnetGroup: 'tasks' is not a network subnet group (known: web, gwlbe, inspect, app, "
     "data)"),
    ("endpoints with the load balancers", delivery(endpointSubnetGroup="web"),
     "securecart:delivery.endpointSubnetGroup: 'web' holds the load balancers, whose traffic the GWLB endpoints "
     "inspect: give the endpoints a public group of their own"),
    ("ambiguous NAT group", values(**{"securecart:network": network(natSubnetGroup=None, subnetGroups=
                                                                    NETWORK_FOR_DELIVERY["subnetGroups"])}),
     "securecart:network.natSubnetGroup: the network has 2 public subnet groups (web, gwlbe): name the one to use"),
    ("no public group left for the endpoints", values(**{
        "securecart:network": network(subnetGroups=[g for g in NETWORK_FOR_DELIVERY["subnetGroups"]
                                                    if g["name"] != "gwlbe"]),
        "securecart:delivery": {"certificateArn": CERT, "services": [
            {"name": "storefront", "loadBalancer": "alb", "imageTag": "1"}]}}),
     "securecart:delivery.endpointSubnetGroup: the network has no public subnet group for it ('web' holds the "
     "load balancers (delivery.loadBalancerSubnetGroup)): add one to network.subnetGroups"),
    ("a typo in a placement of nothing", values(**{"securecart:network": network(
        interfaceEndpoints=[], interfaceEndpointSubnetGroup="nosuch")}),
     "securecart:network.interfaceEndpointSubnetGroup: 'nosuch' is not a network subnet group (known: web, app, "
     "data)"),
]


def test_every_problem_between_tiers_is_reported_at_once() -> None:
    """A placement problem is not hidden behind another tier's: one run names them all."""
    raw = delivery(applianceSubnetGroup="web")
    settings = json.loads(raw["securecart:delivery"])
    settings["certificateArn"] = CERT.replace("us-east-1", "us-west-2")
    problems = problems_of({**raw, "securecart:delivery": json.dumps(settings)})
    assert problems == [
        "securecart:delivery.certificateArn: the certificate is in us-west-2; the listeners need one in us-east-1",
        "securecart:delivery.applianceSubnetGroup: 'web' is of type public; this needs one of type attachment "
        "(inspect)",
    ]


def test_the_load_balancers_take_the_public_group_the_endpoints_do_not() -> None:
    s = parse_settings(delivery(loadBalancerSubnetGroup=None, endpointSubnetGroup="gwlbe"))
    assert (s.placement.load_balancers, s.placement.gwlb_endpoints) == ("web", "gwlbe")


@pytest.mark.parametrize(("case", "raw", "expected"), DELIVERY_MALFORMED, ids=[c[0] for c in DELIVERY_MALFORMED])
def test_malformed_delivery_settings_name_the_key(case: str, raw: dict[str, str], expected: str) -> None:
    problems = problems_of(raw)
    assert any(p.startswith(expected) for p in problems), f"{case}: got {problems}"


@pytest.mark.parametrize(("raw", "expected"), [
    (values(**{"securecart:network": network(databasePort=True)}),
     "securecart:network.databasePort: expected a number, got true"),
    (values(**{"securecart:network": network(flowLogs={"retentionDays": True})}),
     "securecart:network.flowLogs.retentionDays: expected a number, got true"),
])
def test_yaml_booleans_are_not_numbers(raw: dict[str, str], expected: str) -> None:
    assert problems_of(raw) == [expected]


def data(**sections: Any) -> dict[str, str]:
    return values(**{"securecart:data": sections})


def test_data_defaults_keep_data_safe() -> None:
    s = parse_settings(data())
    assert s.data is not None
    db = s.data.database
    assert (db.engine, db.engine_version, db.parameter_family) == ("postgres", "16", "postgres16")
    assert db.backup_retention_days >= 7 and db.monitoring_interval == 60
    assert db.log_exports == ("postgresql", "upgrade")
    assert s.images_bucket_name == "securecart-prod-product-images-us-east-1"
    assert s.sessions_table_name == "securecart-prod-sessions"
    assert s.data.sessions.replica_regions == []


DATA_MALFORMED = [
    ("backup retention too short", data(database={"backupRetentionDays": 3}),
     "securecart:data.database.backupRetentionDays: 3 is out of range: keep 7 to 35 days"),
    ("backup retention too long", data(database={"backupRetentionDays": 40}),
     "securecart:data.database.backupRetentionDays: 40 is out of range"),
    ("unknown engine", data(database={"engine": "oracle"}),
     "securecart:data.database.engine: 'oracle' is not allowed: use 'postgres' or 'mysql'"),
    ("engine version of another engine", data(database={"engine": "mysql", "engineVersion": "16"}),
     "securecart:data.database.engineVersion: 16 is not a mysql major version RDS supports: use 8.0, 8.4"),
    ("pinned minor version", data(database={"engineVersion": "16.4"}),
     "securecart:data.database.engineVersion: 16.4 pins a minor version, but minor upgrades are automatic"),
    ("performance insights days", data(database={"performanceInsightsDays": 30}),
     "securecart:data.database.performanceInsightsDays: 30 is not 7, a multiple of 31 up to 713, or 731"),
    ("table named by the secondary", values(**{"aws:region": "eu-west-1", "securecart:role": "secondary",
                                               "securecart:network": network(cidr="10.10.0.0/16"),
                                               "securecart:data": {"sessions": {"tableName": "mine"}}}),
     "securecart:data.sessions.tableName: only the primary stack names the global table"),
    ("well-known master user", data(database={"masterUsername": "postgres"}),
     "securecart:data.database.masterUsername: 'postgres' is a well-known name"),
    ("storage ceiling below storage", data(database={"allocatedStorage": 200, "maxAllocatedStorage": 100}),
     "securecart:data.database.maxAllocatedStorage: 100 is below allocatedStorage 200"),
    ("monitoring interval", data(database={"monitoringInterval": 45}),
     "securecart:data.database.monitoringInterval: 45 is not one of 1, 5, 10, 15, 30, 60"),
    ("replica in our own region", data(sessions={"replicaRegions": ["us-east-1"]}),
     "securecart:data.sessions.replicaRegions[0]: us-east-1 is this stack's own region"),
    ("replica in an unknown region", data(sessions={"replicaRegions": ["mars-north-1"]}),
     "securecart:data.sessions.replicaRegions[0]: 'mars-north-1' is not an AWS region"),
    ("replica listed twice", data(sessions={"replicaRegions": ["eu-west-1", "eu-west-1"]}),
     "securecart:data.sessions.replicaRegions: eu-west-1 is listed twice"),
    ("replicas on the secondary", values(**{"aws:region": "eu-west-1", "securecart:role": "secondary",
                                            "securecart:network": network(cidr="10.10.0.0/16"),
                                            "securecart:data": {"sessions": {"replicaRegions": ["us-east-1"]}}}),
     "securecart:data.sessions.replicaRegions: only the primary stack owns the global table"),
    ("bucket name with capitals", data(images={"bucketName": "SecureCart-Images"}),
     "securecart:data.images.bucketName: 'SecureCart-Images' may contain only lowercase letters"),
    ("bucket name too short", data(images={"bucketName": "ab"}),
     "securecart:data.images.bucketName: 'ab' has 2 characters: bucket names have 3 to 63"),

    ("bucket name reserved suffix", data(images={"bucketName": "images-s3alias"}),
     "securecart:data.images.bucketName: 'images-s3alias' ends with '-s3alias', which S3 reserves"),
    ("bucket name reserved prefix", data(images={"bucketName": "xn--images"}),
     "securecart:data.images.bucketName: 'xn--images' starts with 'xn--', which S3 reserves"),
    ("unknown database client", data(database={"clients": ["billing"]}),
     "securecart:data.database.clients: 'billing' is not a service of securecart:delivery"),
]


@pytest.mark.parametrize(("case", "raw", "expected"), DATA_MALFORMED, ids=[c[0] for c in DATA_MALFORMED])
def test_malformed_data_settings_name_the_key(case: str, raw: dict[str, str], expected: str) -> None:
    problems = problems_of(raw)
    assert any(p.startswith(expected) for p in problems), f"{case}: got {problems}"


def _pair(us_data: dict[str, Any] | None, eu_data: dict[str, Any] | None) -> dict[str, StackSettings]:
    us = parse_settings(values(**{"securecart:peerStack": "eu", "securecart:data": us_data}))
    eu = parse_settings(values(**{
        "aws:region": "eu-west-1", "securecart:role": "secondary", "securecart:peerStack": "us",
        "securecart:network": json.loads(json.dumps(GOOD_NETWORK).replace("10.10.", "10.20.")),
        "securecart:data": eu_data}))
    return {"us": us, "eu": eu}


def test_a_bucket_name_like_an_ip_address_says_so() -> None:
    assert "'192.168.5.4' looks like an IP address, which S3 refuses" in bucket_name_problems("192.168.5.4")
    assert bucket_name_problems("securecart-prod-product-images-us-east-1") == []


def test_the_two_stacks_must_run_one_engine_and_name_their_own_buckets() -> None:
    problems = check_stack_set(_pair(
        {"database": {"engineVersion": "16"}, "images": {"bucketName": "securecart-images"},
         "sessions": {"replicaRegions": ["eu-west-1"]}},
        {"database": {"engineVersion": "15"}, "images": {"bucketName": "securecart-images"}}))
    assert any(p.startswith("securecart:data.database.engineVersion: eu runs postgres 15 but us runs postgres "
                            "16") for p in problems), problems
    assert any(p.startswith("securecart:data.images.bucketName: eu and us both name 'securecart-images'")
               for p in problems), problems


def test_the_primary_must_replicate_sessions_into_the_secondarys_region() -> None:
    problems = check_stack_set(_pair({"sessions": {"replicaRegions": ["eu-west-2"]}}, {}))
    assert problems == ["securecart:data.sessions.replicaRegions: us lists no replica in eu's region eu-west-1, "
                        "where its services read sessions: add eu-west-1"]
    assert check_stack_set(_pair({"sessions": {"replicaRegions": ["eu-west-1"]}}, {})) == []


def test_both_stacks_have_a_data_tier_or_neither() -> None:
    problems = check_stack_set(_pair({"sessions": {"replicaRegions": ["eu-west-1"]}}, None))
    assert problems and all(p.startswith("securecart:data: us has a data tier and its peer eu has none")
                            for p in problems), problems


NETWORK_WITH_TGW: dict[str, Any] = {**GOOD_NETWORK, "subnetGroups": [
    *GOOD_NETWORK["subnetGroups"], {"name": "tgw", "type": "attachment", "block": "10.10.24.0/24", "cidrMask": 28}]}
SITE = {"name": "dev-office", "ipAddress": "203.0.113.10", "bgpAsn": 65010, "prefixes": ["172.16.0.0/20"]}


def links(**sections: Any) -> dict[str, str]:
    return values(**{"securecart:network": NETWORK_WITH_TGW,
                     "securecart:connectivity": {"transitGateway": {"asn": 64512}, **sections}})


def test_connectivity_defaults() -> None:
    s = parse_settings(links())
    assert s.connectivity is not None
    assert s.connectivity.transit_gateway.attachment_subnet_group is None
    assert s.placement.tgw_attachments == "tgw"  # the only attachment group
    assert s.connectivity.vpn.customer_gateways == [] and s.connectivity.vpc_peers == []


CONNECTIVITY_MALFORMED = [
    ("tgw asn not private", links(transitGateway={"asn": 7224}),
     "securecart:connectivity.transitGateway.asn: 7224 is not a private ASN"),
    ("customer gateway private ip", links(vpn={"customerGateways": [{**SITE, "ipAddress": "10.1.2.3"}]}),
     "securecart:connectivity.vpn.customerGateways[0].ipAddress: 10.1.2.3 is not a public IPv4 address"),
    ("customer gateway not an ip", links(vpn={"customerGateways": [{**SITE, "ipAddress": "office.example.com"}]}),
     "securecart:connectivity.vpn.customerGateways[0].ipAddress:"),
    ("customer gateway asn reserved", links(vpn={"customerGateways": [{**SITE, "bgpAsn": 7224}]}),
     "securecart:connectivity.vpn.customerGateways[0].bgpAsn: 7224 is reserved by AWS"),
    ("customer gateway asn is the tgw's", links(vpn={"customerGateways": [{**SITE, "bgpAsn": 64512}]}),
     "securecart:connectivity.vpn.customerGateways[0].bgpAsn: 64512 is the Transit Gateway's ASN"),
    ("site overlaps the vpc", links(vpn={"customerGateways": [{**SITE, "prefixes": ["10.10.64.0/20"]}]}),
     "securecart:connectivity.vpn.customerGateways[0].prefixes[0]: 10.10.64.0/20 overlaps network.cidr"),
    ("peer overlaps a site", links(vpn={"customerGateways": [SITE]}, vpcPeers=[
        {"name": "pa", "region": "us-east-1", "vpcId": "vpc-0a1b2c3d", "cidr": "172.16.0.0/16"}]),
     "securecart:connectivity.vpn.customerGateways[0].prefixes[0]: 172.16.0.0/20 overlaps "
     "connectivity.vpcPeers[0].cidr"),
    ("peers overlap each other", links(vpcPeers=[
        {"name": "pa", "region": "us-east-1", "vpcId": "vpc-0a1b2c3d", "cidr": "10.50.0.0/16"},
        {"name": "qa", "region": "us-east-1", "vpcId": "vpc-0a1b2c3e", "cidr": "10.50.128.0/17"}]),
     "securecart:connectivity.vpcPeers[1].cidr: 10.50.128.0/17 overlaps connectivity.vpcPeers[0].cidr"),
    ("dx asn is the tgw's", links(directConnect={"gatewayAsn": 64512}),
     "securecart:connectivity.directConnect.gatewayAsn: 64512 is the Transit Gateway's ASN"),
    ("dx on the secondary", values(**{
        "aws:region": "eu-west-1", "securecart:role": "secondary",
        "securecart:network": json.loads(json.dumps(NETWORK_WITH_TGW)),
        "securecart:connectivity": {"transitGateway": {"asn": 64513}, "directConnect": {}}}),
     "securecart:connectivity.directConnect: the Direct Connect gateway is global and belongs to the primary"),
    ("no attachment subnets", values(**{"securecart:connectivity": {"transitGateway": {"asn": 64512}}}),
     "securecart:connectivity.transitGateway.attachmentSubnetGroup: the network has no attachment subnet group: "
     "add one to network.subnetGroups"),
    ("bad connection id", links(directConnect={"connectionId": "dx-123"}),
     "securecart:connectivity.directConnect.connectionId: 'dx-123' does not have the expected form"),
    ("keys for an unknown site", {**links(), "securecart:vpnPreSharedKeys": json.dumps({"nowhere": ["a" * 8] * 2})},
     "securecart:vpnPreSharedKeys.nowhere: no customer gateway of that name"),
]


@pytest.mark.parametrize(("case", "raw", "expected"), CONNECTIVITY_MALFORMED,
                         ids=[c[0] for c in CONNECTIVITY_MALFORMED])
def test_malformed_connectivity_settings_name_the_key(case: str, raw: dict[str, str], expected: str) -> None:
    problems = problems_of(raw)
    assert any(p.startswith(expected) for p in problems), f"{case}: got {problems}"


def test_a_plain_text_secret_setting_is_refused() -> None:
    raw = {**links(vpn={"customerGateways": [SITE]}),
           "securecart:vpnPreSharedKeys": json.dumps({"dev-office": ["k3yForTunnel.one", "k3yForTunnel_two"]})}
    with pytest.raises(ConfigError) as info:
        parse_settings(raw, "Pulumi.test.yaml", secret_keys=[])
    assert info.value.problems == [
        "securecart:vpnPreSharedKeys: is stored in plain text in Pulumi.test.yaml: remove it and set it again with "
        "`pulumi config set --secret securecart:vpnPreSharedKeys '<json>'`"]
    assert parse_settings(raw, secret_keys=["securecart:vpnPreSharedKeys"]).vpn_pre_shared_keys


# --- issue 10: audit retention, callers, origin verification, image tags ----------------------------------------

@pytest.mark.parametrize(("raw", "key"), [
    (lambda: delivery(logRetentionDays=90), "securecart:delivery.logRetentionDays"),
    (lambda: delivery(accessLogDays=90), "securecart:delivery.accessLogDays"),
    (lambda: data(database={"logRetentionDays": 180}), "securecart:data.database.logRetentionDays"),
    (lambda: data(images={"accessLogDays": 30}), "securecart:data.images.accessLogDays"),
    (lambda: values(**{"securecart:network": network(flowLogs={"retentionDays": 90})}),
     "securecart:network.flowLogs.retentionDays"),
    (lambda: values(**{"securecart:network": network(accessLogDays=200)}), "securecart:network.accessLogDays"),
])
def test_audit_logs_are_kept_at_least_a_year(raw: Callable[[], dict[str, str]], key: str) -> None:
    (problem,) = problems_of(raw())
    assert problem.startswith(f"{key}: ") and "below 365" in problem and "PCI DSS 10.5.1" in problem


def test_audit_defaults_keep_a_year() -> None:
    s = parse_settings(delivery())
    assert s.delivery is not None
    assert (s.delivery.log_retention_days, s.delivery.access_log_days, s.network.access_log_days) == (365, 365, 365)


def test_nlb_callers_must_be_services_and_only_nlb_services_have_them() -> None:
    payment = {"name": "payment", "loadBalancer": "nlb", "imageTag": "1.0.0", "port": 8443}
    s = parse_settings(delivery({}, {**payment, "callers": ["storefront"]}))
    assert s.delivery is not None and s.delivery.callers(s.delivery.services[1]) == ["storefront"]
    s = parse_settings(delivery({}, {"name": "checkout", "pathPatterns": ["/checkout"]}, payment))
    assert s.delivery is not None and s.delivery.callers(s.delivery.services[2]) == ["storefront", "checkout"]
    assert any("services[1].callers: 'fraud' is not a service" in p
               for p in problems_of(delivery({}, {**payment, "callers": ["fraud"]})))
    assert any("callers: only nlb services have callers" in p
               for p in problems_of(delivery({"callers": ["storefront"]})))


def test_origin_verify_rotation_labels() -> None:
    (problem,) = problems_of(delivery(originVerify={"rotation": "a", "previousRotation": "a"}))
    assert problem.startswith("securecart:delivery.originVerify") and "also the current rotation" in problem
    s = parse_settings(delivery(originVerify={"rotation": "2027-03", "previousRotation": "initial"}))
    assert s.delivery is not None and s.delivery.origin_verify.labels == ["2027-03", "initial"]


def test_image_tag_is_optional_and_peak_windows_without_a_zone_are_utc() -> None:
    s = parse_settings(delivery({"imageTag": None, "peakWindows": [
        {"name": "sale", "start": "2027-11-26T00:00:00", "end": "2027-11-27T00:00:00", "minTasks": 4}]}))
    assert s.delivery is not None
    svc = s.delivery.services[0]
    assert svc.image_tag is None and svc.peak_windows[0].start.utcoffset() == datetime.timedelta(0)


def test_a_service_a_peak_reaches_must_scale_with_it_or_say_why(project: Project) -> None:
    """Payment follows checkout: a called service without a window covering its caller's is refused, naming the
    key; peakExemption (a reason) lets it be."""
    values = project.read_stack("prod-us").values
    delivery = json.loads(values["securecart:delivery"])
    payment = next(i for i, s in enumerate(delivery["services"]) if s["name"] == "payment")
    delivery["services"][payment].pop("peakWindows")
    with pytest.raises(ConfigError) as info:
        parse_settings({**values, "securecart:delivery": json.dumps(delivery)}, "Pulumi.prod-us.yaml")
    assert info.value.problems == [
        f"securecart:delivery.services[{payment}].peakWindows: payment is called by checkout, whose window "
        "'holiday-rush' (2026-12-14T00:00:00+00:00 to 2026-12-24T18:00:00+00:00) no window of payment covers: add "
        "one with its own minTasks, or set peakExemption to say why it need not scale"]
    delivery["services"][payment]["peakExemption"] = "the PSP queues payments: checkout never waits on it"
    assert parse_settings({**values, "securecart:delivery": json.dumps(delivery)}, "Pulumi.prod-us.yaml")
