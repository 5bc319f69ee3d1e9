"""The Automation API driver (``securecart preview|up|refresh|destroy|outputs``) against a test double of the
pulumi CLI (tests/fake_pulumi/bin/pulumi), injected through the Automation API's ``pulumi_command`` hook
(``--pulumi-root``). The double records every invocation and writes the engine events a script tells it to."""

import json
import os
import shutil
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from automation import driver
from automation.cli import main
from automation.project import Project
from automation.synth import synth_all

ROOT = Path(__file__).resolve().parent.parent
FAKE = Path(__file__).resolve().parent / "fake_pulumi"
POLICIES = str(ROOT / "policies")


@dataclass
class Fake:
    """The test double's log and script, and the backend the driver is told to use."""

    log: Path
    script_path: Path
    backend: str

    def script(self, doc: dict[str, Any]) -> None:
        self.script_path.write_text(json.dumps(doc))

    def calls(self) -> list[dict[str, Any]]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines()]

    def ops(self) -> list[tuple[str, str]]:
        """(operation, stack) for every engine operation, in the order the driver ran them."""
        return [(c["argv"][0], c["argv"][c["argv"].index("--stack") + 1]) for c in self.calls()
                if c["argv"][0] in driver.COMMANDS]

    def argv(self, op: str, stack: str) -> list[str]:
        found = [c["argv"] for c in self.calls() if c["argv"][0] == op and "--stack" in c["argv"]
                 and c["argv"][c["argv"].index("--stack") + 1] == stack]
        assert len(found) == 1, found
        return list(found[0])

    def run(self, *argv: str) -> int:
        return main([*argv, "--pulumi-root", str(FAKE), "--backend", self.backend])


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Fake]:
    monkeypatch.chdir(ROOT)
    for var in ("PULUMI_BACKEND_URL", "PULUMI_SECRETS_PROVIDER", "PULUMI_CONFIG_PASSPHRASE_FILE",
                "FAKE_PULUMI_VERSION", "PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "test-only")
    monkeypatch.setenv("FAKE_PULUMI_LOG", str(tmp_path / "calls.jsonl"))
    monkeypatch.setenv("FAKE_PULUMI_PYTHON", sys.executable)  # grpc for the engine events of a newer CLI
    monkeypatch.setenv("FAKE_PULUMI_SCRIPT", str(tmp_path / "script.json"))
    f = Fake(tmp_path / "calls.jsonl", tmp_path / "script.json", f"file://{tmp_path / 'state'}")
    f.script({})
    # up's estimate of each step's resources runs the offline synth (seconds); the tests of the driver's engine
    # calls take a stand-in: step i expects 10 * (i + 1). test_up_expects_what_the_offline_synth_registers
    # tests the real one.
    monkeypatch.setattr(driver, "estimate_resources", _ten_per_step)
    yield f


def _ten_per_step(project: Project, order: Sequence[str]) -> list[int | None]:
    return [10 * (i + 1) for i in range(len(order))]


def _changed(n: int) -> dict[str, Any]:
    return {"changes": {"create": n, "same": 1}}


SAME: dict[str, Any] = {"changes": {"same": 4}}


# --- the arguments the engine gets -------------------------------------------------------------------------------


def test_preview_passes_the_stack_the_policy_pack_its_config_and_the_backend(fake: Fake, tmp_path: Path) -> None:
    config = tmp_path / "levels.json"
    config.write_text('{"vpc-flow-logs-all-traffic": {"enforcementLevel": "advisory"}}')
    assert fake.run("preview", "prod-us", "--policy-pack-config", str(config)) == 0
    assert [_events(c["argv"]) for c in fake.calls()] == [
        ["version"],
        ["stack", "select", "--stack", "prod-us"],
        ["preview", "--policy-pack", POLICIES, "--policy-pack-config", str(config), "--color", "never",
         "--exec-kind", "auto.local", "--event-log", "<events>", "--stack", "prod-us"],
    ]
    assert fake.argv("preview", "prod-us")[-3].startswith("tcp://127.0.0.1:")  # this CLI streams them over gRPC
    for call in fake.calls()[1:]:  # every call after `version` is in the project with the backend
        assert call["cwd"] == str(ROOT)
        assert call["env"]["PULUMI_BACKEND_URL"] == fake.backend
        assert call["passphrase"]
        # The program's language host runs uv (Pulumi.yaml's toolchain): the one tools/dev setup installed.
        uvs = [d for d in call["env"]["PATH"].split(os.pathsep) if (Path(d) / "uv").exists()]
        assert uvs[0] == str(ROOT / ".tools" / "bin")
    assert (ROOT / ".tools" / "bin" / "uv").exists()
    assert Path(fake.backend.removeprefix("file://")).is_dir()


def _events(argv: list[str]) -> list[str]:
    """The argv with the event-log target (a temporary file or a gRPC address) as a placeholder."""
    return ["<events>" if i and argv[i - 1] == "--event-log" else a for i, a in enumerate(argv)]


def test_up_and_destroy_pass_exactly_what_they_need(fake: Fake) -> None:
    fake.script({"steps": {"up:prod-us": [_changed(1)]}, "deployed": {"prod-us": 3}})
    assert fake.run("up", "prod-us") == 0
    assert _events(fake.argv("up", "prod-us")) == [
        "up", "--yes", "--skip-preview", "--policy-pack", POLICIES, "--policy-pack-config",
        str(ROOT / "policies" / "policy-config.json"), "--color", "never", "--exec-kind", "auto.local",
        "--event-log", "<events>", "--stack", "prod-us"]
    assert fake.run("destroy", "prod-us", "--keep-protected") == 0
    assert _events(fake.argv("destroy", "prod-us")) == [
        "destroy", "--skip-preview", "--yes", "--color", "never", "--exclude-protected", "--exec-kind",
        "auto.local", "--event-log", "<events>", "--stack", "prod-us"]


def test_a_cli_that_writes_the_event_log_to_a_file_works_too(fake: Fake, monkeypatch: pytest.MonkeyPatch,
                                                              tmp_path: Path) -> None:
    monkeypatch.setenv("FAKE_PULUMI_VERSION", "v3.205.0")  # the newest that writes events to a file
    fake.script({"steps": {"preview:prod-us": [_violation("mandatory")]}})
    out = tmp_path / "result.json"
    assert fake.run("preview", "prod-us", "--json", str(out)) == 1
    assert not fake.argv("preview", "prod-us")[-3].startswith("tcp://")
    doc = json.loads(out.read_text())["stacks"]["prod-us"]
    assert doc["steps"][0]["changes"] == {"create": 1}
    assert [v["rule"] for v in doc["violations"]] == ["s3-bucket-encrypted"]


def test_the_synth_gates_policy_config_is_the_default(fake: Fake) -> None:
    assert fake.run("preview", "prod-eu") == 0
    argv = fake.argv("preview", "prod-eu")
    assert argv[argv.index("--policy-pack-config") + 1] == str(ROOT / "policies" / "policy-config.json")


def test_the_backend_comes_from_the_flag_then_the_environment_then_the_project(
        fake: Fake, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"file://{tmp_path / 'from-env'}"
    monkeypatch.setenv("PULUMI_BACKEND_URL", url)
    assert main(["outputs", "prod-us", "--pulumi-root", str(FAKE)]) == 0
    assert {c["env"].get("PULUMI_BACKEND_URL") for c in fake.calls()[1:]} == {url}
    project = Project.load(ROOT)
    assert driver._backend(project, None, {}) == f"file://{ROOT / '.pulumi-state'}"
    assert driver._backend(project, "s3://bucket", {"PULUMI_BACKEND_URL": url}) == "s3://bucket"
    assert ".pulumi-state/" in (ROOT / ".gitignore").read_text().splitlines()


def test_expect_no_changes_is_passed_and_changes_fail_the_gate(fake: Fake) -> None:
    fake.script({"steps": {"preview:prod-us": [_changed(2)], "preview:prod-eu": [SAME]}})
    assert fake.run("preview", "--expect-no-changes") == 1
    assert "--expect-no-changes" in fake.argv("preview", "prod-us")
    assert "--expect-no-changes" in fake.argv("preview", "prod-eu")
    fake.log.unlink()
    assert fake.run("preview", "prod-eu", "--expect-no-changes") == 0


# --- the order ---------------------------------------------------------------------------------------------------


def test_up_runs_the_plans_chain_in_order(fake: Fake) -> None:
    fake.script({"steps": {"up:prod-eu": [_changed(3)], "up:prod-us": [_changed(5)]}})
    assert fake.run("up") == 0
    assert fake.ops() == [("up", "prod-eu"), ("up", "prod-us"), ("up", "prod-eu"), ("up", "prod-us"),
                          ("up", "prod-eu")]
    ups = [c["argv"] for c in fake.calls() if c["argv"][0] == "up"]
    assert all(a[a.index("--policy-pack") + 1] == POLICIES for a in ups)


def test_up_stops_early_once_a_step_changes_nothing(fake: Fake, tmp_path: Path) -> None:
    fake.script({"steps": {"up:prod-eu": [_changed(3), SAME], "up:prod-us": [_changed(5)]}})
    out = tmp_path / "result.json"
    assert fake.run("up", "--json", str(out)) == 0
    assert fake.ops() == [("up", "prod-eu"), ("up", "prod-us"), ("up", "prod-eu")]
    doc = json.loads(out.read_text())
    assert doc["order"] == ["prod-eu", "prod-us", "prod-eu"]
    assert [s["skipped"] is not None for s in doc["stacks"]["prod-us"]["steps"]] == [False, True]


def test_up_of_one_stack_runs_it_once_when_nothing_else_changes(fake: Fake) -> None:
    fake.script({"steps": {"up:prod-us": [_changed(5)]}})
    assert fake.run("up", "prod-us") == 0
    assert fake.ops() == [("up", "prod-us")]


def test_destroy_runs_in_reverse_without_target_dependents(fake: Fake) -> None:
    assert fake.run("destroy") == 0
    assert fake.ops() == [("destroy", "prod-us"), ("destroy", "prod-eu")]
    for stack in ("prod-us", "prod-eu"):
        argv = fake.argv("destroy", stack)
        assert "--target-dependents" not in argv
        assert "--exclude-protected" not in argv
        assert "--policy-pack" not in argv


def test_a_changed_output_the_peer_reads_runs_the_peer_again(fake: Fake, tmp_path: Path) -> None:
    # prod-eu's second step changes no resource but an output prod-us reads (vpcCidr): prod-us must run again.
    fake.script({"steps": {"up:prod-eu": [_changed(3), {"changes": {"same": 4}, "outputs": {"vpcCidr": "10.20.0.0/16"}},
                                          SAME],
                           "up:prod-us": [_changed(5), SAME]}})
    out = tmp_path / "result.json"
    assert fake.run("up", "--json", str(out)) == 0
    assert fake.ops() == [("up", "prod-eu"), ("up", "prod-us"), ("up", "prod-eu"), ("up", "prod-us")]
    steps = json.loads(out.read_text())["stacks"]["prod-eu"]["steps"]
    assert [s["outputsChanged"] for s in steps] == [[], ["vpcCidr"], []]


def test_an_output_no_peer_reads_does_not(fake: Fake) -> None:
    fake.script({"steps": {"up:prod-eu": [_changed(3), {"changes": {"same": 4}, "outputs": {"internal": "x"}}],
                           "up:prod-us": [_changed(5)]}})
    assert fake.run("up") == 0
    assert fake.ops() == [("up", "prod-eu"), ("up", "prod-us"), ("up", "prod-eu")]


def test_relative_and_home_file_backends_are_made_absolute() -> None:
    project = Project.load(ROOT)
    assert driver._backend(project, "file://state/here", {}) == f"file://{ROOT / 'state' / 'here'}"
    assert driver._backend(project, "file://~/pulumi", {}) == f"file://{Path.home() / 'pulumi'}"
    assert driver._backend(project, "file:///srv/state", {}) == "file:///srv/state"


def test_a_result_file_that_cannot_be_written_exits_2_before_anything_runs(
        fake: Fake, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    assert fake.run("up", "--json", str(blocker / "result.json")) == 2
    assert capsys.readouterr().err.startswith(f"error: --json: cannot create folder {blocker}")
    assert fake.calls() == []


def test_the_policy_pack_runs_in_the_projects_locked_environment() -> None:
    doc = yaml.safe_load((ROOT / "policies" / "PulumiPolicy.yaml").read_text())
    assert doc["runtime"]["options"]["toolchain"] == "pip"
    venv = (ROOT / "policies" / doc["runtime"]["options"]["virtualenv"]).resolve()
    assert venv == (ROOT / ".venv").resolve()
    assert (venv / "bin" / "python").exists()


# --- protected resources -----------------------------------------------------------------------------------------

DB = "urn:pulumi:prod-eu::securecart-network::aws:rds/instance:Instance::replica"


def test_destroy_refuses_protected_resources_before_deleting_anything(
        fake: Fake, capsys: pytest.CaptureFixture[str]) -> None:
    fake.script({"protected": {"prod-eu": [DB]}})
    assert fake.run("destroy") == 2
    assert fake.ops() == []
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1
    assert err[0].startswith("error: prod-eu: 1 protected resource(s) (replica): nothing destroyed")
    assert "--allow-protected" in err[0]


def test_keep_protected_destroys_the_rest(fake: Fake) -> None:
    fake.script({"protected": {"prod-eu": [DB]}})
    assert fake.run("destroy", "--keep-protected") == 0
    assert all("--exclude-protected" in fake.argv("destroy", s) for s in ("prod-us", "prod-eu"))


def test_allow_protected_unprotects_only_the_protected_stack_just_before_its_destroy(fake: Fake) -> None:
    # prod-us has no protected resource (its state is empty: the real CLI refuses to unprotect nothing).
    fake.script({"protected": {"prod-eu": [DB]}})
    assert fake.run("destroy", "--allow-protected") == 0
    argvs = [c["argv"][:2] if c["argv"][0] != "destroy" else ["destroy", c["argv"][-1]] for c in fake.calls()
             if c["argv"][0] in ("destroy", "state")]
    assert argvs == [["destroy", "prod-us"], ["state", "unprotect"], ["destroy", "prod-eu"]]
    assert fake.calls()[[c["argv"][0] for c in fake.calls()].index("state")]["argv"][-1] == "prod-eu"
    # each stack's state is read once, before anything is destroyed, and serves every decision
    assert [c["argv"][-1] for c in fake.calls() if c["argv"][:2] == ["stack", "export"]] == ["prod-us", "prod-eu"]


def test_a_failed_destroy_leaves_the_next_stack_protected(fake: Fake) -> None:
    fake.script({"protected": {"prod-eu": [DB]}, "steps": {"destroy:prod-us": [{"fail": "error: in use"}]}})
    assert fake.run("destroy", "--allow-protected") == 1
    assert not [c for c in fake.calls() if c["argv"][0] == "state"]


def test_allow_protected_unprotects_then_destroys(fake: Fake) -> None:
    fake.script({"protected": {"prod-eu": [DB]}})
    assert fake.run("destroy", "prod-eu", "--allow-protected") == 0
    argvs = [c["argv"] for c in fake.calls()]
    unprotect = argvs.index(["state", "unprotect", "--all", "--yes", "--stack", "prod-eu"])
    destroy = next(i for i, a in enumerate(argvs) if a[0] == "destroy")
    assert unprotect < destroy
    assert "--exclude-protected" not in argvs[destroy]


# --- the gate ----------------------------------------------------------------------------------------------------


def _violation(level: str) -> dict[str, Any]:
    return {"changes": {"create": 1}, "policies": [
        {"level": level, "rule": "s3-bucket-encrypted", "message": "bucket is not encrypted",
         "urn": "urn:pulumi:prod-us::securecart-network::aws:s3/bucketV2:BucketV2::images"}]}


@pytest.mark.parametrize(("level", "code"), [("mandatory", 1), ("advisory", 0)])
def test_the_gate_fails_on_mandatory_violations_only(fake: Fake, level: str, code: int) -> None:
    fake.script({"steps": {"preview:prod-us": [_violation(level)]}})
    assert fake.run("preview") == code
    assert sorted(fake.ops()) == [("preview", "prod-eu"), ("preview", "prod-us")]  # a failure hides nothing


def test_a_failed_update_exits_1_and_stops_the_chain(fake: Fake, capsys: pytest.CaptureFixture[str]) -> None:
    fake.script({"steps": {"up:prod-eu": [{"changes": {"create": 1}, "fail": "error: creating VPC: denied"}]}})
    assert fake.run("up") == 1
    assert fake.ops() == [("up", "prod-eu")]
    # The reason is the engine's error diagnostic, with the resource it names: the real CLI says nothing on
    # stderr when the engine bails out, and the test double does not either.
    assert ("up prod-eu (step 1 of 5): 1 create; 0 violation(s); FAILED: create-0: creating VPC: denied [0m00s]"
            in capsys.readouterr().out.splitlines())


def test_the_markdown_summary_tells_changes_violations_and_verdict(fake: Fake, tmp_path: Path) -> None:
    step = _violation("mandatory")
    step["changes"] = {"create": 2, "update": 1, "same": 3}
    step["policies"].append({"level": "advisory", "rule": "alarm-has-actions", "urn": "", "message": "x"})
    fake.script({"steps": {"preview:prod-us": [step]}})
    summary, result = tmp_path / "out" / "summary.md", tmp_path / "out" / "result.json"
    assert fake.run("preview", "--summary", str(summary), "--json", str(result)) == 1
    text = summary.read_text()
    assert text.startswith("## securecart preview: FAILED\n")
    us = text[text.index("### prod-us: FAIL"):]
    assert "| 2 preview | 2 | 1 | 0 | 0 | 3 | FAIL: mandatory or remediate violation(s) |" in us
    assert "Policy violations: 1 mandatory, 1 advisory" in us
    assert ("| 2 | mandatory | `s3-bucket-encrypted` | "
            "`urn:pulumi:prod-us::securecart-network::aws:s3/bucketV2:BucketV2::images` | "
            "bucket is not encrypted |") in us
    assert "| 2 | advisory | `alarm-has-actions` | `(stack)` | x |" in us
    eu = text[text.index("### prod-eu: pass"):text.index("### prod-us")]
    assert "| 1 preview | 0 | 0 | 0 | 0 | 2 | pass |" in eu
    assert "No policy violations." in eu
    doc = json.loads(result.read_text())
    assert doc["exitCode"] == 1
    assert doc["stacks"]["prod-us"]["steps"][0]["changes"] == {"create": 2, "update": 1, "same": 3}
    assert [v["level"] for v in doc["stacks"]["prod-us"]["violations"]] == ["mandatory", "advisory"]


def test_outputs_are_those_the_peers_read_with_secrets_masked(
        fake: Fake, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fake.script({"outputs": {"prod-us": {"vpcCidr": "10.0.0.0/16", "internalOnly": "x",
                                         "transitGatewayAsn": "[secret]"}}})
    out, summary = tmp_path / "outputs.json", tmp_path / "outputs.md"
    assert fake.run("outputs", "prod-us", "--json", str(out), "--summary", str(summary)) == 0
    outputs = json.loads(out.read_text())["stacks"]["prod-us"]["outputs"]
    assert outputs == {"vpcCidr": "10.0.0.0/16", "transitGatewayAsn": "[secret]"}
    printed = capsys.readouterr().out.splitlines()
    assert '  prod-us: vpcCidr = "10.0.0.0/16"' in printed
    assert '  prod-us: transitGatewayAsn = "[secret]"' in printed
    assert not [line for line in printed if "internalOnly" in line]
    text = summary.read_text()
    assert "| `vpcCidr` | `\"10.0.0.0/16\"` |" in text
    assert "| `transitGatewayAsn` | `\"[secret]\"` |" in text


# --- bad input and a missing CLI: exit 2, nothing run ------------------------------------------------------------


@pytest.mark.parametrize(("argv", "expected"), [
    (["preview", "prod-ap"], "error: unknown stack 'prod-ap': known stacks are prod-eu, prod-us"),
    (["up", "--expect-no-changes"], "error: --expect-no-changes: not with up"),
    (["preview", "--allow-protected"], "error: --allow-protected/--keep-protected: only destroy deletes"),
    (["destroy", "--allow-protected", "--keep-protected"], "error: --allow-protected and --keep-protected"),
    (["refresh", "--policy-pack-config", "x.json"], "error: --policy-pack-config: the policy pack runs on"),
])
def test_bad_input_exits_2_with_one_line_and_runs_nothing(
        fake: Fake, capsys: pytest.CaptureFixture[str], argv: list[str], expected: str) -> None:
    assert fake.run(*argv) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1
    assert err[0].startswith(expected)
    assert fake.calls() == []


def test_a_policy_config_that_does_not_parse_exits_2(fake: Fake, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "levels.json"
    bad.write_text("{not json")
    assert fake.run("preview", "--policy-pack-config", str(bad)) == 2
    assert capsys.readouterr().err.startswith(f"error: --policy-pack-config: {bad}: not valid JSON")
    assert fake.calls() == []


def test_a_policy_config_naming_an_unknown_rule_exits_2(fake: Fake, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "levels.json"
    bad.write_text('{"no-such-rule": {"enforcementLevel": "advisory"}}')
    assert fake.run("up", "--policy-pack-config", str(bad)) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1
    assert err[0].startswith("error: --policy-pack-config: ")
    assert "no-such-rule" in err[0]
    assert fake.calls() == []


def test_the_passphrase_provider_needs_a_passphrase(fake: Fake, capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE")
    assert fake.run("preview") == 2
    expected = ["error: secrets: prod-eu, prod-us use the passphrase provider, which needs PULUMI_CONFIG_PASSPHRASE "
                "(not empty) or PULUMI_CONFIG_PASSPHRASE_FILE (or choose another with --secrets-provider, e.g. "
                "awskms://alias/securecart)"]
    assert capsys.readouterr().err.splitlines() == expected
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "")  # an unset CI secret comes as an empty string
    assert fake.run("preview") == 2
    assert capsys.readouterr().err.splitlines() == expected
    assert fake.calls() == []
    assert fake.run("preview", "--secrets-provider", "awskms://alias/securecart") == 0


def test_the_secrets_provider_comes_from_the_stack_file_when_no_flag_or_variable_says(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: p\nruntime: python\n")
    (tmp_path / "Pulumi.a.yaml").write_text("secretsprovider: awskms://alias/a\nconfig: {}\n")
    (tmp_path / "Pulumi.b.yaml").write_text("config: {}\n")
    project = Project.load(tmp_path)
    with pytest.raises(driver.DriverInputError) as refused:
        driver._secrets_providers(project, ["a", "b"], None, {})
    assert refused.value.problems[0].startswith("secrets: b use the passphrase provider")  # a has its own
    assert driver._secrets_providers(project, ["a", "b"], None, {"PULUMI_CONFIG_PASSPHRASE": "p"}) == {
        "a": "awskms://alias/a", "b": "passphrase"}
    assert driver._secrets_providers(project, ["a"], None, {"PULUMI_SECRETS_PROVIDER": "gcpkms://k"}) == {
        "a": "gcpkms://k"}
    assert driver._secrets_providers(project, ["a"], "hashivault://k", {"PULUMI_SECRETS_PROVIDER": "x"}) == {
        "a": "hashivault://k"}


def test_a_missing_cli_says_what_is_needed_and_that_synth_works(
        fake: Fake, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no pulumi anywhere
    assert main(["preview", "--backend", fake.backend]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1
    assert "the pulumi CLI is needed" in err[0]
    assert "https://www.pulumi.com/docs/install/" in err[0]
    assert "`securecart synth` works without it" in err[0]
    assert fake.calls() == []


@pytest.mark.parametrize("version", ["v3.0.1", "v3.138.0"])  # too old for the Automation API; for uv
def test_a_cli_too_old_exits_2(fake: Fake, capsys: pytest.CaptureFixture[str], version: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_PULUMI_VERSION", version)
    assert fake.run("preview") == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1
    assert version[1:] in err[0]
    assert "Minimum version requirement failed" in err[0]
    assert ">= 3.139.0" in err[0] or "3.139.0" in err[0]
    assert "`securecart synth` works without it" in err[0]
    assert [c["argv"] for c in fake.calls()] == [["version"]]


def test_destroy_or_outputs_of_a_stack_the_backend_lacks_exits_2(fake: Fake,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    fake.script({"missing": ["prod-eu"]})
    assert fake.run("outputs", "prod-eu") == 2
    assert capsys.readouterr().err.splitlines() == [
        f"error: stack 'prod-eu' does not exist in the backend {fake.backend}: nothing to outputs"]
    assert [c["argv"][:2] for c in fake.calls()] == [["version"], ["stack", "select"]]


# --- speed and progress ------------------------------------------------------------------------------------------


def test_previews_of_several_stacks_run_at_the_same_time(fake: Fake) -> None:
    # Each preview waits, inside the test double, until the other has started: run one after the other, the
    # first would wait in vain and fail.
    fake.script({"steps": {"preview:prod-us": [{"together": ["preview:prod-eu"]}],
                           "preview:prod-eu": [{"together": ["preview:prod-us"]}]}})
    assert fake.run("preview") == 0
    assert sorted(fake.ops()) == [("preview", "prod-eu"), ("preview", "prod-us")]


def test_jobs_1_previews_one_stack_after_another_in_the_plans_order(fake: Fake, tmp_path: Path) -> None:
    fake.script({"steps": {"preview:prod-eu": [{"together": ["preview:prod-us"], "together_timeout": 1}]}})
    out = tmp_path / "result.json"
    assert fake.run("preview", "--jobs", "1", "--json", str(out)) == 1  # prod-eu waited for prod-us in vain
    assert fake.ops() == [("preview", "prod-eu"), ("preview", "prod-us")]
    steps = json.loads(out.read_text())["stacks"]
    assert "never started while preview:prod-eu ran" in steps["prod-eu"]["steps"][0]["error"]
    assert steps["prod-us"]["passed"]


def test_concurrent_results_keep_the_plans_order(fake: Fake, tmp_path: Path) -> None:
    # prod-us finishes first (prod-eu waits for it to start); the result still lists prod-eu first.
    fake.script({"steps": {"preview:prod-eu": [{"together": ["preview:prod-us"], "changes": {"create": 2}}]}})
    out = tmp_path / "result.json"
    assert fake.run("preview", "--json", str(out)) == 0
    doc = json.loads(out.read_text())
    assert doc["order"] == ["prod-eu", "prod-us"]
    assert doc["stacks"]["prod-eu"]["steps"][0]["changes"] == {"create": 2}


def test_progress_is_plain_lines_when_output_is_not_a_terminal(
        fake: Fake, capsys: pytest.CaptureFixture[str]) -> None:
    fake.script({"steps": {"up:prod-eu": [{"changes": {"create": 2, "same": 1}},
                                          {"changes": {"update": 1, "create": 1}, "fail": "error: quota exceeded"}],
                           "up:prod-us": [_changed(1)]}})
    assert fake.run("up") == 1
    out = capsys.readouterr().out.splitlines()
    assert "\x1b" not in "".join(out)  # no cursor movement in a log
    first = "up prod-eu (step 1 of 5)"
    assert out[out.index(f"{first}: running; about 10 resources") + 1:][:3] == [
        f"{first} [1/10 resources 0m00s] created aws:test/thing:Thing create-0",
        f"{first} [2/10 resources 0m00s] created aws:test/thing:Thing create-1",
        f"{first}: 2 create, 1 same; 0 violation(s); ok [0m00s]",  # the `same` one counts but says nothing
    ]
    third = "up prod-eu (step 3 of 5)"
    assert out[out.index(f"{third}: running; about 30 resources") + 1:][:4] == [
        f"{third} [1/30 resources 0m00s] updated aws:test/thing:Thing update-0",
        f"{third} [2/30 resources 0m00s] FAILED creating aws:test/thing:Thing create-0",
        f"{third} [2/30 resources 0m00s] error: quota exceeded",
        f"{third}: 1 create, 1 update; 0 violation(s); FAILED: create-0: quota exceeded [0m00s]",
    ]
    assert out[-1] == "up: FAILED (prod-eu → prod-us → prod-eu)"


def test_a_preview_says_what_would_change(fake: Fake, capsys: pytest.CaptureFixture[str]) -> None:
    fake.script({"steps": {"preview:prod-us": [{"changes": {"delete": 1}}]}})
    assert fake.run("preview", "prod-us") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:2] == ["preview prod-us: running",
                       "preview prod-us [1 resource(s) 0m00s] would delete aws:test/thing:Thing delete-0"]


def test_a_deployed_stack_expects_its_whole_program_from_the_first_step(
        fake: Fake, capsys: pytest.CaptureFixture[str]) -> None:
    # prod-us already has resources: its first up registers all of them, so both its steps expect the synth's
    # last pass of it (step 4: 40); prod-eu has none, so each of its steps expects its own pass.
    fake.script({"deployed": {"prod-us": 35}, "steps": {"up:prod-eu": [_changed(1)], "up:prod-us": [_changed(1)]}})
    assert fake.run("up") == 0
    running = [line for line in capsys.readouterr().out.splitlines() if line.endswith(" resources")]
    assert running == ["up prod-eu (step 1 of 5): running; about 10 resources",
                       "up prod-us (step 2 of 5): running; about 40 resources",
                       "up prod-eu (step 3 of 5): running; about 30 resources",
                       "up prod-us (step 4 of 5): running; about 40 resources",
                       "up prod-eu (step 5 of 5): running; about 50 resources"]


def test_destroy_expects_what_the_state_holds(fake: Fake, capsys: pytest.CaptureFixture[str]) -> None:
    fake.script({"deployed": {"prod-us": 35, "prod-eu": 12}})
    assert fake.run("destroy") == 0
    out = capsys.readouterr().out
    assert "destroy prod-us (step 1 of 2): running; about 35 resources" in out
    assert "destroy prod-eu (step 2 of 2): running; about 12 resources" in out


def test_up_expects_what_the_offline_synth_registers() -> None:
    """The real estimate: the synth's passes of the same plan, one per up step, plus the stack resource."""
    project = Project.load(ROOT)
    order = driver.chain(project, "up", project.stacks())
    expected = driver.synth_estimate(project, order)
    run = synth_all(project)
    assert run.passes == order
    assert expected == [n + 1 for n in run.counts]
    final = {s: len(r.resources) + 1 for s, r in run.results.items()}
    assert expected[-1] == final["prod-eu"]
    assert expected[order.index("prod-us", 2)] == final["prod-us"]
    first = expected[0]
    assert first is not None
    assert first < final["prod-eu"]  # the secondary's first step builds less: its peer is not there yet


def test_up_of_a_program_that_fails_offline_runs_nothing(
        fake: Fake, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "project"
    _copy_project(project)
    stack_file = project / "Pulumi.prod-eu.yaml"
    stack_file.write_text(stack_file.read_text().replace("securecart:role:", "securecart:nosuchkey: 1\n  "
                                                         "securecart:role:"))
    monkeypatch.chdir(project)
    monkeypatch.setattr(driver, "estimate_resources", driver.synth_estimate)
    assert fake.run("up") == 2
    err = capsys.readouterr().err.splitlines()
    assert err and all(line.startswith("error: ") for line in err)
    assert any("securecart:nosuchkey" in line for line in err)
    assert [c["argv"] for c in fake.calls()] == [["version"]]


def _copy_project(project: Path, environment: bool = True) -> None:
    """The project's files in another folder, its locked environment and uv linked in (or left out)."""
    shutil.copytree(ROOT, project, ignore=shutil.ignore_patterns(".venv", ".git", ".tools", "tests", ".pulumi-state",
                                                                  "__pycache__", "benchmarks", "out"))
    if environment:
        (project / ".venv").symlink_to(ROOT / ".venv")
        (project / ".tools").symlink_to(ROOT / ".tools")


def test_a_project_without_its_environment_exits_2(
        fake: Fake, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "project"
    _copy_project(project, environment=False)
    monkeypatch.chdir(project)
    monkeypatch.setenv("PATH", str(FAKE / "bin"))  # no uv anywhere
    assert fake.run("preview") == 2
    assert capsys.readouterr().err.splitlines() == [
        f"error: {project / '.venv'} is missing: the program and the policy pack run in it; make it with "
        f"`bash tools/dev setup`",
        "error: uv is not installed: Pulumi.yaml's toolchain is uv; `bash tools/dev setup` installs it into "
        ".tools/bin, or put uv on PATH"]
    assert fake.calls() == []


def test_the_driver_judges_the_levels_itself(fake: Fake) -> None:
    """The test double exits 0 whatever it reported: the verdict is the driver's own count of the levels."""
    for level, code in (("mandatory", 1), ("remediate", 1), ("advisory", 0)):
        step = _violation(level)
        step["exit"] = 0
        fake.script({"steps": {"preview:prod-us": [step]}})
        assert fake.run("preview", "prod-us") == code, level


@pytest.mark.parametrize(("argv", "expected"), [
    (["up", "--jobs", "2"], "error: --jobs: only preview and outputs run stacks side by side"),
    (["preview", "--jobs", "0"], "error: --jobs: 0 is not a number of stacks: give 1 or more"),
])
def test_bad_jobs_exit_2(fake: Fake, capsys: pytest.CaptureFixture[str], argv: list[str], expected: str) -> None:
    assert fake.run(*argv) == 2
    assert capsys.readouterr().err.splitlines() == [expected + (
        "; up follows the plan one stack at a time" if argv[0] == "up" else "")]
    assert fake.calls() == []
