"""Shared fixtures: the real project, both stacks synthesized once through the offline engine, and helpers to
join resources the way AWS would (by the IDs the mocks handed out)."""

import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from automation.mocks import Registration
from automation.project import Project
from automation.synth import StackResult, SynthRun, synth_all

ROOT = Path(__file__).resolve().parent.parent
STACKS = ("prod-us", "prod-eu")


@pytest.fixture(scope="session")
def project() -> Project:
    return Project.load(ROOT)


@pytest.fixture(scope="session")
def synth_run(project: Project) -> SynthRun:
    return synth_all(project)


@pytest.fixture(scope="session", params=STACKS)
def stack(request: pytest.FixtureRequest, synth_run: SynthRun) -> StackResult:
    """Each stack in turn: every property test runs for both regions."""
    return synth_run.results[request.param]


ANALYTICS = "analytics-"  # the prefix of everything the analytics tier names (components/analytics.py)


class Graph:
    """Lookups over one synthesized stack."""

    def __init__(self, result: StackResult) -> None:
        self.result = result
        self.by_id = {r.id: r for r in result.resources if r.id}

    def of_type(self, typ: str) -> list[Registration]:
        return self.result.by_type(typ)

    def one(self, typ: str, name: str) -> Registration:
        found = [r for r in self.of_type(typ) if r.name == name]
        assert len(found) == 1, f"expected one {typ} named {name}, found {len(found)}"
        return found[0]

    def ref(self, resource_id: str) -> Registration:
        return self.by_id[resource_id]

    def application(self, typ: str) -> list[Registration]:
        """The resources of a type outside the analytics tier (the application network's and the other tiers')."""
        return [r for r in self.of_type(typ) if not r.name.startswith(ANALYTICS)]

    def analytics(self, typ: str) -> list[Registration]:
        """The resources of a type the analytics tier made (its VPC, subnets, tables, ACLs, endpoints, peering)."""
        return [r for r in self.of_type(typ) if r.name.startswith(ANALYTICS)]

    def subnets(self, tier: str, group: str | None = None, *, analytics: bool = False) -> list[Registration]:
        """The application network's subnets of a tier (or the analytics VPC's)."""
        pick = self.analytics if analytics else self.application
        return [s for s in pick("aws:ec2/subnet:Subnet") if s.inputs["tags"]["Tier"] == tier
                and (group is None or s.inputs["tags"]["SubnetGroup"] == group)]

    def route_table_of(self, subnet: Registration) -> Registration:
        assocs = [a for a in self.of_type("aws:ec2/routeTableAssociation:RouteTableAssociation")
                  if a.inputs.get("subnetId") == subnet.id]
        assert len(assocs) == 1, f"{subnet.name} has {len(assocs)} route table associations"
        return self.ref(assocs[0].inputs["routeTableId"])

    def routes_of(self, table: Registration) -> list[Registration]:
        return [r for r in self.of_type("aws:ec2/route:Route") if r.inputs["routeTableId"] == table.id]


@pytest.fixture(scope="session")
def graph(stack: StackResult) -> Graph:
    return Graph(stack)


def policy_doc(value: Any) -> dict[str, Any]:
    doc = json.loads(value) if isinstance(value, str) else value
    assert isinstance(doc, dict)
    return doc


def copy_project(where: Path, edit: Callable[[str, dict[str, Any]], None]) -> Project:
    """The project's stack files copied to `where` and edited by a callback; the program is the real one."""
    shutil.copy(ROOT / "Pulumi.yaml", where / "Pulumi.yaml")
    for name in STACKS:
        doc = yaml.safe_load((ROOT / f"Pulumi.{name}.yaml").read_text())
        edit(name, doc["config"])
        (where / f"Pulumi.{name}.yaml").write_text(yaml.safe_dump(doc))
    return Project(root=where, name="securecart-network", main=ROOT / "__main__.py")


def synth_in(where: Path, *args: str) -> int:
    """``securecart synth`` run from ``where`` (a project copy's folder), as a platform engineer runs it there."""
    from automation.cli import main  # noqa: PLC0415 - the CLI, imported where it is run

    cwd = os.getcwd()
    os.chdir(where)
    try:
        return main(["synth", *args])
    finally:
        os.chdir(cwd)


@pytest.fixture
def project_copy(tmp_path: Path) -> Iterator[Callable[[Callable[[str, dict[str, Any]], None]], Project]]:
    """A copy of the project's stack files in tmp_path, edited by a callback, running the real program."""
    yield lambda edit: copy_project(tmp_path, edit)


SECRET_SIG, SECRET_VALUE = "4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270"  # Pulumi's


def plain(value: Any) -> Any:
    """``value`` with every Pulumi secret wrapper ({sig: secret, "value": v}) replaced by its value, at any depth:
    a recorded input may be secret as a whole (a secret list of rules) or at a leaf (one header value)."""
    if isinstance(value, dict):
        if value.get(SECRET_SIG) == SECRET_VALUE:
            return plain(value.get("value"))
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def is_secret(value: Any) -> bool:
    """Whether ``value`` is recorded as a Pulumi secret (as a whole)."""
    return isinstance(value, dict) and value.get(SECRET_SIG) == SECRET_VALUE


def assert_refused(project_copy: Callable[[Callable[[str, dict[str, Any]], None]], Project], where: Path,
                   capsys: pytest.CaptureFixture[str], edit: Callable[[str, dict[str, Any]], None],
                   line: str) -> None:
    """The stack files edited by ``edit``: ``securecart synth`` exits 2 and prints exactly ``line``."""
    project_copy(edit)
    assert synth_in(where, "--no-tree") == 2
    assert capsys.readouterr().err.splitlines() == [line]
