"""Calling the offline engine's answers directly (the engine-level tests): the primary stack's mocks with its own
provider and one for eu-west-1, a registration and an invoke through them."""

from typing import Any

from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs

from automation.mocks import OfflineMocks

US_PROVIDER = "urn:pulumi:prod-us::securecart-network::pulumi:providers:aws::aws-us-east-1"
EU_PROVIDER = "urn:pulumi:prod-us::securecart-network::pulumi:providers:aws::aws-eu-west-1"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def mocks() -> OfflineMocks:
    """The primary stack's mocks, with its own provider (us-east-1) and one for eu-west-1 registered."""
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


def call(m: OfflineMocks, token: str, args: dict[str, Any],
         provider: str = US_PROVIDER) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
    return m.call(MockCallArgs(token=token, args=args, provider=f"{provider}::p"))
