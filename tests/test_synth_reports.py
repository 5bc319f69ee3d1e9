"""``securecart synth`` with the report flags (issue 17): --report, --cost, --diagram, --tf-plan-json, each printed
or written from the same offline run, and in the --json graph; a folder that cannot be written is one line, exit 2."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from automation.cli import main
from tests.conftest import ROOT


@pytest.fixture
def in_project(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.chdir(ROOT)
    yield


def test_every_report_from_one_run(in_project: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    graph, diagrams, plans = tmp_path / "graph.json", tmp_path / "diagrams", tmp_path / "tfplan"
    assert main(["synth", "--no-tree", "--report", "--cost", "--json", str(graph), "--diagram", str(diagrams),
                 "--tf-plan-json", str(plans)]) == 0
    out = capsys.readouterr().out
    # printed: the resilience table, the deploy-time estimate, the cost estimate with its date
    assert "Resilience and capacity" in out
    assert "deploy time of a fresh pair (estimate" in out
    assert "Monthly cost ESTIMATE prod-us (us-east-1, primary)" in out
    assert "TOTAL all stacks (ESTIMATE)" in out
    doc = json.loads(graph.read_text())
    # in the graph: every path of the resilience report, the plan's passes timed, each stack's cost
    resilience = doc["report"]["resilience"]
    assert {p["path"] for p in resilience["paths"]} == {"browse", "checkout", "payment", "sessions", "images"}
    deploy = doc["report"]["deployTime"]
    assert [p["stack"] for p in deploy["passes"]] == doc["passes"]
    assert deploy["totalSeconds"] == sum(p["seconds"] for p in deploy["passes"])
    assert set(doc["cost"]["stacks"]) == {"prod-us", "prod-eu"}
    # written: the diagrams and the plans, named after the stacks
    assert sorted(p.name for p in diagrams.iterdir()) == ["global.svg", "prod-eu.svg", "prod-us.svg"]
    assert sorted(p.name for p in plans.glob("*.tfplan.json")) == ["prod-eu.tfplan.json", "prod-us.tfplan.json"]
    plan = json.loads((plans / "prod-us.tfplan.json").read_text())
    assert plan["planned_values"]["root_module"]["resources"]


@pytest.mark.parametrize("flag", ["--diagram", "--tf-plan-json"])
def test_a_folder_that_cannot_be_written_is_one_line_and_exit_2(
        in_project: None, tmp_path: Path, capsys: pytest.CaptureFixture[str], flag: str) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    assert main(["synth", "--no-tree", flag, str(blocker / "sub")]) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    assert len(err) == 1
    assert err[0].startswith(f"error: {flag}: ")
