"""The Pulumi project on disk: its name, its stacks and their stack files as the engine would pass them."""

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from automation.offline import stand_in


class ProjectError(Exception):
    """The project or a stack file cannot be read. Each line names the file and what to fix."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class StackConfig:
    """One stack file's config, in the form the Pulumi engine hands a program: every value a string (objects
    and lists as JSON text), ``secure:`` values replaced by stand-ins (``automation.offline``) and listed as
    secret keys."""

    stack: str
    path: Path
    values: dict[str, str]
    secret_keys: list[str] = field(default_factory=list)

    def disables_default_provider(self, package: str) -> bool:
        raw = self.values.get("pulumi:disable-default-providers")
        if raw is None:
            return False
        try:
            disabled = json.loads(raw)
        except ValueError:
            disabled = [raw]
        return isinstance(disabled, list) and (package in disabled or "*" in disabled)


@dataclass(frozen=True)
class Project:
    root: Path
    name: str
    main: Path

    @staticmethod
    def find(start: Path | None = None) -> "Project":
        here = (start or Path.cwd()).resolve()
        for candidate in (here, *here.parents):
            pulumi_yaml = candidate / "Pulumi.yaml"
            if pulumi_yaml.is_file():
                return Project.load(candidate)
        raise ProjectError([f"no Pulumi.yaml in {here} or any folder above it: run from the project checkout"])

    @staticmethod
    def load(root: Path) -> "Project":
        path = root / "Pulumi.yaml"
        try:
            doc = _load_yaml(path.read_text())
        except (OSError, yaml.YAMLError) as exc:
            raise ProjectError([f"{path}: cannot be read as YAML ({exc})"]) from None
        if not isinstance(doc, dict) or not isinstance(doc.get("name"), str):
            raise ProjectError([f"{path}: needs a 'name'"])
        main = root / str(doc.get("main", "."))
        if main.is_dir():
            main = main / "__main__.py"
        return Project(root=root, name=doc["name"], main=main)

    def stacks(self) -> list[str]:
        names = []
        for p in self.root.glob("Pulumi.*.yaml"):
            m = re.fullmatch(r"Pulumi\.(.+)\.yaml", p.name)
            if m:
                names.append(m.group(1))
        return sorted(names)

    def stack_file(self, stack: str) -> Path:
        return self.root / f"Pulumi.{stack}.yaml"

    def secrets_provider(self, stack: str) -> str | None:
        """The stack file's own ``secretsprovider`` (awskms://..., passphrase, ...), if it names one."""
        try:
            doc = _load_yaml(self.stack_file(stack).read_text()) or {}
        except (OSError, yaml.YAMLError):
            return None  # read_stack says what is wrong with the file
        value = doc.get("secretsprovider") if isinstance(doc, dict) else None
        return str(value) if value else None

    def read_stack(self, stack: str) -> StackConfig:
        path = self.stack_file(stack)
        if not path.is_file():
            raise ProjectError([f"unknown stack '{stack}': known stacks are {', '.join(self.stacks()) or 'none'}"])
        try:
            doc = _load_yaml(path.read_text()) or {}
        except yaml.YAMLError as exc:
            raise ProjectError([f"{path.name}: not valid YAML ({exc})"]) from None
        if not isinstance(doc, dict):
            raise ProjectError([f"{path.name}: expected a mapping with a 'config' key"])
        config = doc.get("config") or {}
        if not isinstance(config, dict):
            raise ProjectError([f"{path.name}: 'config' must be a mapping of keys to values"])
        values: dict[str, str] = {}
        secret_keys: list[str] = []
        problems: list[str] = []
        full = {(str(k) if ":" in str(k) else f"{self.name}:{k}"): v for k, v in config.items()}
        for key, value in full.items():
            if isinstance(value, dict) and set(value) == {"secure"}:
                values[key] = stand_in(key, full)
                secret_keys.append(key)
                continue
            if _has_secure(value):
                problems.append(f"{path.name}: {key}: nested 'secure:' values are not supported; make the "
                                f"secret a top-level key")
                continue
            values[key] = _to_config_string(value)
        if problems:
            raise ProjectError(problems)
        return StackConfig(stack=stack, path=path, values=values, secret_keys=sorted(secret_keys))


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML has it: the synth reads stack files
# on every pass


def _load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_LOADER)


def _has_secure(value: Any) -> bool:
    if isinstance(value, dict):
        return "secure" in value or any(_has_secure(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_secure(v) for v in value)
    return False


def _to_config_string(value: Any) -> str:
    """How the Pulumi CLI passes a config value to a program."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    if value is None:
        return ""
    return str(value)
