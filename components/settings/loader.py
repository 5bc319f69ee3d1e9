"""The one loader of the settings: reads the ``securecart:*`` keys, validates them into
:class:`~components.settings.stack.StackSettings`, and turns every problem into one line that names the key and
the fix. :class:`~components.settings.types.ConfigError` is a ``pulumi.RunError``, so ``pulumi up`` prints it
without a traceback.

The stack files (``Pulumi.<stack>.yaml``) state only what differs from the secure defaults; every field has a
description that says what happens when it is left out.
"""

import json
import re
from collections.abc import Callable, Collection, Mapping
from typing import Any

import pulumi
from pulumi.runtime.config import CONFIG, is_config_secret
from pydantic import (
    ValidationError,
)
from pydantic_core import ErrorDetails

from components.settings.stack import StackSettings
from components.settings.types import NAMESPACE, ConfigError

# Settings that hold secrets: they must be stored with `pulumi config set --secret`.
SECRET_KEYS = ("vpnPreSharedKeys",)

# Keys the loader reads (under securecart:): every StackSettings field but the region, by its alias.
_KEYS = tuple(f.alias or name for name, f in StackSettings.model_fields.items() if name != "region")


def _parse(raw: Any) -> Any:
    """Config values arrive as strings (objects as JSON text, as the Pulumi engine passes them)."""
    if not isinstance(raw, str):
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _loc_path(loc: tuple[int | str, ...]) -> str:
    """``('network', 'subnetGroups', 1, 'block')`` → ``network.subnetGroups[1].block``."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part.startswith("function-") or "[" in part:
            continue  # pydantic's validator frames, not keys
        else:
            path += f".{part}" if path else part
    return path


def _full_key(path: str) -> str:
    if path == "region":
        return "aws:region"
    return f"{NAMESPACE}:{path}" if path else NAMESPACE


# How each kind of pydantic error reads, given (value, message, the error's context).
_PHRASES: dict[str, Callable[[Any, str, dict[str, Any]], str]] = {
    "extra_forbidden": lambda v, m, c: "is not a known setting: remove it or check its spelling",
    "value_error": lambda v, m, c: m.removeprefix("Value error, "),
    "assertion_error": lambda v, m, c: m.removeprefix("Assertion failed, "),
    **dict.fromkeys(("int_parsing", "int_type", "int_from_float"),
                    lambda v, m, c: f"expected a whole number, got {v!r}"),
    "string_type": lambda v, m, c: f"expected text, got {v!r}",
    "list_type": lambda v, m, c: f"expected a list, got {v!r}",
    **dict.fromkeys(("dict_type", "model_type", "model_attributes_type"),
                    lambda v, m, c: f"expected an object (key: value pairs), got {v!r}"),
    **dict.fromkeys(("enum", "literal_error"), lambda v, m, c: f"{v!r} is not allowed: use {c.get('expected', '')}"),
    "string_pattern_mismatch": lambda v, m, c: f"{v!r} does not have the expected form ({c.get('pattern', '')})",
    **dict.fromkeys(("greater_than_equal", "less_than_equal", "greater_than", "less_than"),
                    lambda v, m, c: f"{v!r}: {m.lower()}"),
    "too_short": lambda v, m, c: m.lower(),
}
# For a secret: what shape was expected, never any part of what was given.
_SECRET_SHAPES = {"list_type": "expected a list", "string_type": "expected text",
                  "dict_type": "expected an object (key: value pairs)"}


def _describe(err: ErrorDetails, stack_file: str) -> str:
    kind = err["type"]
    if kind == "missing":
        return f"is required: set it in {stack_file}"
    if err["loc"] and err["loc"][0] in SECRET_KEYS:
        return _SECRET_SHAPES.get(kind, "is not valid (the value is not shown: it is secret)")
    phrase = _PHRASES.get(kind)
    return phrase(err.get("input"), err["msg"], dict(err.get("ctx") or {})) if phrase else err["msg"]


def format_validation_error(exc: ValidationError, stack_file: str) -> list[str]:
    problems: list[str] = []
    for err in exc.errors():
        base = _loc_path(err["loc"])
        for line in _describe(err, stack_file).split("\n"):
            # Problems found on a whole model name their sub-key first ("subnetGroups[1].block: …").
            head, sep, rest = line.partition(": ")
            if sep and re.fullmatch(r"[a-z][\w.\[\]-]*", head):  # keys are camelCase; values are not
                problems.append(f"{_full_key(f'{base}.{head}' if base else head)}: {rest}")
            else:
                problems.append(f"{_full_key(base)}: {line}")
    return problems


def parse_settings(values: Mapping[str, Any], stack_file: str = "the stack file",
                   secret_keys: Collection[str] | None = None) -> StackSettings:
    """Validate raw config (``{'aws:region': …, 'securecart:network': …}``) into :class:`StackSettings`."""
    problems: list[str] = []
    data: dict[str, Any] = {}
    region = values.get("aws:region")
    if region is None:
        problems.append(f"aws:region: is required: set it in {stack_file}")
    else:
        data["region"] = _parse(region)
    for full_key, raw in values.items():
        ns, _, key = full_key.partition(":")
        if ns != NAMESPACE:
            continue
        if key not in _KEYS:
            problems.append(f"{full_key}: is not a known setting (known: "
                            f"{', '.join(f'{NAMESPACE}:{k}' for k in _KEYS)})")
            continue
        if key in SECRET_KEYS and secret_keys is not None and full_key not in secret_keys:
            problems.append(f"{full_key}: is stored in plain text in {stack_file}: remove it and set it again "
                            f"with `pulumi config set --secret {full_key} '<json>'`")
            continue
        data[key] = _parse(raw)
    try:
        settings = StackSettings.model_validate(data)
    except ValidationError as exc:
        problems.extend(p for p in format_validation_error(exc, stack_file)
                        if not (p.startswith("aws:region: is required") and region is None))
        raise ConfigError(problems) from None
    if problems:
        raise ConfigError(problems)
    return settings


def load_settings() -> StackSettings:
    """Read this stack's settings from the Pulumi config (the one place that does)."""
    config = pulumi.Config(NAMESPACE)
    values: dict[str, Any] = {f"{NAMESPACE}:{key}": config.get(key) for key in _KEYS}
    region = pulumi.Config("aws").get("region")
    if region is not None:
        values["aws:region"] = region
    # Keys nobody reads would be silently ignored: list them as problems instead.
    present = set(pulumi.runtime.get_config_env()) | set(CONFIG.get())
    values.update({k: "" for k in present if k.startswith(f"{NAMESPACE}:") and k not in values})
    secret = {f"{NAMESPACE}:{k}" for k in SECRET_KEYS if is_config_secret(f"{NAMESPACE}:{k}")}
    return parse_settings({k: v for k, v in values.items() if v is not None}, f"Pulumi.{pulumi.get_stack()}.yaml",
                          secret_keys=secret)
