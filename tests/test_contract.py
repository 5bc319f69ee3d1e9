"""The stack contract (components/contract.py): outputs declared once, peer reads declared per role."""

from typing import Any

import pytest
from pydantic.alias_generators import to_camel

from automation.project import Project
from automation.synth import SynthError, SynthRun, synth_stack
from components import contract
from components.contract import Outputs, PeerConnectivity, PeerData, PeerRegion, PeerView, peer_keys
from components.settings import Role
from tests.conftest import ROOT


def declared() -> set[str]:
    return {to_camel(n) for model in Outputs.registry for n in model.model_fields}


def test_every_output_a_stack_exports_is_declared_and_every_declared_one_is_exported(synth_run: SynthRun) -> None:
    exported = set().union(*(set(r.outputs) for r in synth_run.results.values()))
    assert exported == declared()


def test_each_role_reads_only_what_the_peer_of_the_other_role_exports(synth_run: SynthRun) -> None:
    by_role = {Role(r.role): r for r in synth_run.results.values()}
    for role, other in ((Role.PRIMARY, Role.SECONDARY), (Role.SECONDARY, Role.PRIMARY)):
        assert set(peer_keys(role)) <= set(by_role[other].outputs), role


def test_a_view_keeps_only_what_its_role_reads_and_validates_it() -> None:
    peer: dict[str, Any] = {"vpcCidr": "10.20.0.0/16", "transitGatewayAsn": 64513.0, "databaseArn": "arn:x",
                            "imagesBucketArn": "arn:b", "routedNetworks": ["172.16.16.0/20"]}
    region = PeerRegion.of(peer, Role.PRIMARY)
    assert region.transit_gateway_asn == 64513 and str(region.vpc_cidr) == "10.20.0.0/16"
    assert PeerData.of(peer, Role.PRIMARY).database_arn is None  # the primary does not read databaseArn
    assert PeerData.of(peer, Role.SECONDARY).database_arn == "arn:x"
    assert PeerData.of(peer, Role.SECONDARY).images_bucket_arn is None
    assert PeerConnectivity.of({}, Role.SECONDARY) == PeerConnectivity()


def test_export_leaves_out_what_does_not_exist_yet() -> None:
    outputs = contract.export(contract.StackOutputs(region="eu-west-1", role="secondary"), None)
    assert outputs == {"region": "eu-west-1", "role": "secondary"}


def test_a_view_reading_an_undeclared_output_fails_at_import() -> None:
    class Stray(PeerView):
        no_such_output: str | None = contract.read_by(Role.PRIMARY)

    try:
        with pytest.raises(TypeError, match="Stray reads noSuchOutput, which no stack exports"):
            contract._check_views()
    finally:
        PeerView.registry.remove(Stray)


def test_a_malformed_peer_output_is_a_config_error_naming_it(project: Project) -> None:
    """An output of another shape (an older program exported it) stops the deploy with one line, no traceback."""
    with pytest.raises(SynthError) as info:
        synth_stack(project, "prod-us", {"prod-eu": {"vpcCidr": "10.20.0.0/16", "transitGatewayAsn": "many"}})
    assert info.value.kind == "config"
    (problem,) = info.value.problems
    assert problem.startswith("prod-eu's output transitGatewayAsn: ")
    assert problem.endswith("deploy prod-eu from this program first")
    assert "many" not in problem  # a peer output may be secret: its value is never repeated


def test_the_projects_program_reads_the_contracts_keys_wherever_its_stack_files_are(project_copy: Any) -> None:
    copied = project_copy(lambda stack, config: None)
    result = synth_stack(copied, "prod-eu", {}, main=ROOT / "__main__.py")
    assert result.reads == {"prod-us": set(peer_keys(Role.SECONDARY))}
