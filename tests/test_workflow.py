"""The CI workflow (.github/workflows/securecart.yml) cannot run here; what can be held is that it runs the
README's commands, that every `securecart` command line in it is one the CLI accepts, and that AWS credentials come
only from OIDC role assumption."""

import re
import shlex
from typing import Any

import yaml

from automation.cli import _parser
from tests.conftest import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "securecart.yml"


def _workflow() -> dict[Any, Any]:
    doc = yaml.safe_load(WORKFLOW.read_text())
    assert isinstance(doc, dict)
    return doc


def _runs(job: dict[str, Any]) -> list[str]:
    return [str(step["run"]) for step in job["steps"] if "run" in step]


def test_pull_requests_check_and_preview_main_deploys_behind_an_approval() -> None:
    doc = _workflow()
    triggers = doc["on"] if "on" in doc else doc[True]  # YAML 1.1 reads the key `on` as true
    assert set(triggers) == {"pull_request", "push"} and triggers["push"]["branches"] == ["main"]
    jobs = doc["jobs"]
    # Not for a fork's pull request: it gets no secrets and no OIDC token.
    assert jobs["preview"]["if"] == ("github.event_name == 'pull_request' && "
                                     "github.event.pull_request.head.repo.full_name == github.repository")
    assert jobs["deploy"]["if"] == "github.event_name == 'push' && github.ref == 'refs/heads/main'"
    assert jobs["deploy"]["environment"] == "production"
    assert jobs["preview"]["needs"] == jobs["deploy"]["needs"] == "checks"
    # The README's two commands, as .ci/run runs them.
    assert _runs(jobs["checks"])[:2] == ["bash tools/dev test", "bash tools/dev synth --no-tree --json synth.json"]
    # Checkov over the Terraform plan export, as .ci/run runs it
    assert ".venv/bin/python tools/checkov_gate.py out/tfplan" in _runs(jobs["checks"])[2]
    assert "tools/checkov_gate.py out/tfplan" in (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "bash tools/dev test" in readme and "bash tools/dev synth" in readme


def test_aws_credentials_come_only_from_oidc() -> None:
    doc = _workflow()
    text = WORKFLOW.read_text()
    assert not re.search(r"AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN)", text)
    assert doc["permissions"] == {"contents": "read"}
    for name in ("preview", "deploy"):
        job = doc["jobs"][name]
        assert job["permissions"]["id-token"] == "write"
        (creds,) = [s for s in job["steps"]
                    if str(s.get("uses", "")).startswith("aws-actions/configure-aws-credentials")]
        assert set(creds["with"]) >= {"role-to-assume", "aws-region"}
        assert "secrets." not in str(creds["with"]["role-to-assume"])


def test_every_securecart_command_line_is_one_the_cli_accepts() -> None:
    parser = _parser()
    seen = []
    for job in _workflow()["jobs"].values():
        for run in _runs(job):
            for line in (part for ln in run.splitlines() for part in ln.split("&&")):
                if ".venv/bin/securecart" not in line:
                    continue
                argv = shlex.split(line.split(".venv/bin/securecart", 1)[1])
                parser.parse_args(argv)  # SystemExit (a test failure) on an unknown command or flag
                seen.append(argv[0])
    assert sorted(seen) == ["preview", "synth", "up"]


def test_the_driver_jobs_have_the_environment_and_uv_before_the_cli_runs() -> None:
    """The CLI's Python language host runs uv (Pulumi.yaml's toolchain) and the program and the pack run in .venv:
    both come from tools/dev setup, and uv is put on PATH for the later steps."""
    for name in ("preview", "deploy"):
        runs = _runs(_workflow()["jobs"][name])
        setup = runs.index('bash tools/dev setup && echo "$PWD/.tools/bin" >> "$GITHUB_PATH"')
        driver = next(i for i, r in enumerate(runs) if ".venv/bin/securecart" in r)
        assert setup < driver
