"""What every rule module shares besides the registry: robust readers of props and stack helpers.

Conventions (../shared/DESIGN.md §6):
- one rule, one small check function, registered with ``registry.resource_rule`` or ``registry.stack_rule``; each
  rule names its source in its description;
- props arrive camelCase, numbers as floats, JSON documents sometimes as strings: use the readers here;
- preview unknowns raise ``UnknownValueError`` from the props proxy, which CrossGuard (and the offline gate) turn
  into "cannot tell yet": never catch it in a rule;
- a waiver is scoped to one resource and one rule, with a written reason, in the rule's ``waivers`` config; the
  registry applies it.
"""

import ipaddress
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pulumi_policy import PolicyResource

# --- readers ---------------------------------------------------------------------------------------------------

def get(value: Any, *path: str | int) -> Any:
    """``get(props, "accessLogs", "enabled")``: None where any step is missing."""
    for step in path:
        if value is None:
            return None
        if isinstance(step, int):
            value = value[step] if isinstance(value, Sequence) and not isinstance(value, str) and \
                len(value) > step else None
        else:
            value = value.get(step) if isinstance(value, Mapping) else None
    return value


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        return list(value)  # lists arrive wrapped in pulumi_policy's unknown-checking proxy, a Sequence
    return [value]


def num(value: Any) -> float | None:
    """Numbers arrive as floats (and from stack files sometimes as strings)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes", "enabled", "enable", "on")
    return bool(value)


def document(value: Any) -> Any:
    """A JSON document prop (IAM policies, container definitions): parsed if it is a string."""
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            return json.loads(text)
        except ValueError:
            return None
    return value


WORLD = ("0.0.0.0/0", "::/0")


def is_world(cidr: Any) -> bool:
    if not isinstance(cidr, str):
        return False
    try:
        return ipaddress.ip_network(cidr.strip(), strict=False).prefixlen == 0
    except ValueError:
        return False


def tags_of(props: Mapping[str, Any], provider_props: Mapping[str, Any] | None = None) -> dict[str, str]:
    """The resource's tags merged over the provider's default tags (as AWS will apply them)."""
    merged: dict[str, str] = {}
    default_tags = document(get(provider_props, "defaultTags")) if provider_props is not None else None
    for source in (get(default_tags, "tags"), props.get("tags")):
        if isinstance(source, Mapping):
            merged.update({str(k): str(v) for k, v in source.items()})
    return merged


# --- stack helpers ---------------------------------------------------------------------------------------------

def of_type(resources: Iterable[PolicyResource], *types: str) -> list[PolicyResource]:
    wanted = set(types)
    return [r for r in resources if r.resource_type in wanted]


def attached(resources: Iterable[PolicyResource], types: Iterable[str], prop: str) -> dict[str, list[PolicyResource]]:
    """For each resource URN, the resources of the given types whose ``prop`` was computed from it (one pass, so
    a rule joins two kinds of resource in linear time)."""
    wanted = set(types)
    index: dict[str, list[PolicyResource]] = {}
    for r in resources:
        if r.resource_type in wanted:
            for dep in r.property_dependencies.get(prop, []):
                index.setdefault(dep.urn, []).append(r)
    return index


def refs(resource: PolicyResource, prop: str) -> list[PolicyResource]:
    """The resources a property was computed from (how a stack rule joins resources during a preview, when IDs
    are still unknown)."""
    return list(resource.property_dependencies.get(prop, []))


def refers_to(resource: PolicyResource, prop: str, target: PolicyResource) -> bool:
    return any(dep.urn == target.urn for dep in refs(resource, prop))

