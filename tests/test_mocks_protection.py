"""The offline engine's answers that the edge and delivery tiers share with the protection tier, called directly:
ELB's ARNs as ELB forms them, and the outputs the engine keeps secret."""

import re
from typing import Any

import pytest
from google.protobuf import struct_pb2
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockResourceArgs
from pulumi.runtime.proto import resource_pb2

from automation.mocks import ACCOUNT_ID, OfflineMocks, RecordingMonitor

US_PROVIDER = "urn:pulumi:prod-us::securecart-network::pulumi:providers:aws::aws-us-east-1"
EU_PROVIDER = "urn:pulumi:prod-us::securecart-network::pulumi:providers:aws::aws-eu-west-1"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
ELB = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT_ID}"
APIGW = "aws:apigateway"


def mocks() -> OfflineMocks:
    m = OfflineMocks("prod-us", "us-east-1", {}, ["prod-us", "prod-eu"])
    m.providers[US_PROVIDER] = m.provider_info({"region": "us-east-1"})
    m.providers[EU_PROVIDER] = m.provider_info({"region": "eu-west-1"})
    return m


def make(m: OfflineMocks, typ: str, name: str, inputs: dict[str, Any],
         provider: str = US_PROVIDER) -> tuple[str, dict[str, Any]]:
    rid, state = m.new_resource(MockResourceArgs(typ=typ, name=name, inputs=inputs, provider=f"{provider}::p",
                                                 custom=True))
    assert rid is not None
    return rid, state


# --- Elastic Load Balancing: ARNs as ELB forms them ----------------------------------------------------------

@pytest.mark.parametrize(("lb_type", "kind"), [("application", "app"), ("network", "net"), ("gateway", "gwy")])
def test_load_balancers_listeners_and_rules_nest_their_arns(lb_type: str, kind: str) -> None:
    m = mocks()
    lb_id, lb = make(m, "aws:lb/loadBalancer:LoadBalancer", "lb", {"name": "web", "loadBalancerType": lb_type})
    assert re.fullmatch(rf"{ELB}:loadbalancer/{kind}/web/[0-9a-f]{{16}}", lb["arn"]) and lb_id == lb["arn"]
    assert lb["arn"].endswith(":loadbalancer/" + lb["arnSuffix"])
    listener_id, listener = make(m, "aws:lb/listener:Listener", "l", {"loadBalancerArn": lb["arn"], "port": 443})
    lb_part = lb["arnSuffix"]  # app/web/<16 hex>
    assert re.fullmatch(rf"{ELB}:listener/{re.escape(lb_part)}/[0-9a-f]{{16}}", listener["arn"])
    assert listener_id == listener["arn"] and "arn:aws:lb:" not in listener["arn"]
    rule_id, rule = make(m, "aws:lb/listenerRule:ListenerRule", "r", {"listenerArn": listener["arn"],
                                                                     "priority": 10})
    listener_part = listener["arn"].split(":listener/", 1)[1]
    assert re.fullmatch(rf"{ELB}:listener-rule/{re.escape(listener_part)}/[0-9a-f]{{16}}", rule["arn"])
    assert rule_id == rule["arn"]


def test_a_target_group_is_known_by_its_arn_whose_suffix_it_outputs() -> None:
    rid, tg = make(mocks(), "aws:lb/targetGroup:TargetGroup", "tg", {"name": "checkout", "port": 8443})
    assert re.fullmatch(rf"{ELB}:targetgroup/checkout/[0-9a-f]{{16}}", tg["arn"]) and rid == tg["arn"]
    assert tg["arn"].endswith(":" + tg["arnSuffix"]) and tg["arnSuffix"].startswith("targetgroup/checkout/")


def test_a_listener_of_a_load_balancer_in_another_region_is_made_in_its_providers() -> None:
    m = mocks()
    _, lb = make(m, "aws:lb/loadBalancer:LoadBalancer", "lb", {"name": "web"}, provider=EU_PROVIDER)
    _, listener = make(m, "aws:lb/listener:Listener", "l", {"loadBalancerArn": lb["arn"]}, provider=EU_PROVIDER)
    assert listener["arn"].startswith(f"arn:aws:elasticloadbalancing:eu-west-1:{ACCOUNT_ID}:listener/app/web/")


# --- outputs the engine keeps secret ------------------------------------------------------------------------------

def register(monitor: RecordingMonitor, typ: str, name: str, inputs: dict[str, Any],
             secret_outputs: list[str], *, accept_secrets: bool = True) -> tuple[dict[str, Any], Any]:
    """A registration as the SDK sends it; returns what the program gets back (deserialized) and the record."""
    request = resource_pb2.RegisterResourceRequest(
        type=typ, name=name, custom=True, object=struct_pb2.Struct(), acceptSecrets=accept_secrets,
        additionalSecretOutputs=secret_outputs)
    request.object.update(inputs)
    response = monitor.RegisterResource(request)
    urn = f"urn:pulumi:prod-us::securecart-network::{typ}::{name}"
    return rpc.deserialize_properties(response.object), monitor.registrations[urn]


@pytest.fixture
def monitor(monkeypatch: pytest.MonkeyPatch) -> RecordingMonitor:
    recording = RecordingMonitor(mocks())
    monkeypatch.setattr(recording, "make_urn",
                        lambda parent, typ, name: f"urn:pulumi:prod-us::securecart-network::{typ}::{name}")
    return recording


def test_outputs_a_registration_names_secret_come_back_secret(monitor: RecordingMonitor) -> None:
    """As the engine marks them (RandomPassword's ``result`` and ``bcryptHash`` are secret by its schema), so
    that whatever the program derives from them is secret too; the recorded outputs stay plain."""
    answer, record = register(monitor, "random:index/randomPassword:RandomPassword", "pw", {"length": 24},
                              ["bcryptHash", "result"])
    assert rpc.is_rpc_secret(answer["result"]) and rpc.is_rpc_secret(answer["bcryptHash"])
    assert len(rpc.unwrap_rpc_secret(answer["result"])) == 24
    assert not rpc.is_rpc_secret(answer["length"])
    assert isinstance(record.outputs["result"], str) and record.additional_secret_outputs == ["bcryptHash",
                                                                                               "result"]
    plain, _ = register(monitor, "random:index/randomPassword:RandomPassword", "pw2", {"length": 24}, [])
    assert not rpc.is_rpc_secret(plain["result"])
    unaccepted, _ = register(monitor, "random:index/randomPassword:RandomPassword", "pw3", {"length": 24},
                             ["result"], accept_secrets=False)
    assert not rpc.is_rpc_secret(unaccepted["result"])
