"""AWS's service models, read from the installed ``botocore`` package: the constraints of an API request member.

botocore ships each service's API model as data (``botocore/data/<service>/<api-version>/service-2.json.gz``).
A member of an operation's request has a shape; a shape may carry a ``pattern``, a ``min``/``max`` (a string's
length, a list's item count, or a number's range) and an ``enum``. Nothing here imports botocore or uses its
loader: the files are read directly, only for the services asked for, once per process.

EC2's model alone is 4 MB of JSON, mostly documentation, and the synth needs a few dozen of its shapes. So a
model's text is indexed rather than parsed whole: botocore writes its models pretty-printed, operations and shapes
as keys indented by four spaces under ``"operations"`` and ``"shapes"``; one scan finds where each starts, and a
shape is decoded from there when first asked for. A model laid out otherwise is parsed whole (slower, same
answers).
"""

import contextlib
import functools
import gzip
import html
import importlib.util
import json
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_DECODER = json.JSONDecoder()


class ModelError(Exception):
    """A mapped service, operation or member does not exist in the installed botocore models."""


@functools.cache
def data_dir() -> Path:
    spec = importlib.util.find_spec("botocore")
    if spec is None or spec.origin is None:
        raise ModelError("botocore is not installed: run `bash tools/dev setup`")
    return Path(spec.origin).parent / "data"


@functools.cache
def botocore_version() -> str:
    text = (data_dir().parent / "__init__.py").read_text()
    found = re.search(r"__version__ = ['\"]([^'\"]+)", text)
    return found.group(1) if found else "unknown"


_KEY = b'\n    "'  # an operation or a shape: a key indented by four spaces (a deeper key has more spaces)


def _section(data: bytes, name: bytes) -> int:
    """Where a top-level section (``"operations"``, ``"shapes"``) starts, or -1."""
    for key in (b'\n  "' + name + b'":{', b'\n  "' + name + b'": {'):
        at = data.find(key)
        if at >= 0:
            return at + 1
    return -1


class _Model:
    """One service's model, decoded a shape at a time.

    A key is looked up by bisecting its section (botocore sorts them; each probe reads the first key after a
    midpoint), and if that misses (a section that is not sorted) by a plain search; the object that follows it
    is decoded alone."""

    def __init__(self, service: str, data: bytes) -> None:
        self.service = service
        self._data = data
        operations, shapes = _section(data, b"operations"), _section(data, b"shapes")
        after = data.rfind(b'\n  "')  # the top-level key after the shapes, if any (searched from the end: fast)
        self._bounds = {"operations": (operations, shapes),
                        "shapes": (shapes, after if after > shapes else len(data))}
        self._whole: dict[str, Any] | None = None
        if operations < 0 or shapes < operations:
            self._whole = json.loads(data)

    def _find(self, name: bytes, low: int, high: int) -> int:
        data, key = self._data, _KEY + name + b'"'
        lo, hi = low, high
        while lo < hi:
            at = data.find(_KEY, (lo + hi) // 2, high)
            if at < 0:
                hi = (lo + hi) // 2
                continue
            end = data.find(b'"', at + len(_KEY))
            found = data[at + len(_KEY):end]
            if found == name:
                return at
            if found < name:
                lo = end
            else:
                hi = (lo + hi) // 2
        return data.find(key, low, high)

    def _lookup(self, section: str, name: str) -> dict[str, Any] | None:
        if self._whole is not None:
            found = self._whole.get(section, {}).get(name)
            return found if isinstance(found, dict) else None
        low, high = self._bounds[section]
        at = self._find(name.encode(), low, high)
        if at < 0:
            return None
        start = self._data.find(b"{", at + len(_KEY) + len(name) + 1)
        end = self._data.find(_KEY, start, high)
        value, _ = _DECODER.raw_decode(self._data[start:end if end >= 0 else high].decode())
        return value if isinstance(value, dict) else None

    @functools.cache  # noqa: B019 - one instance per service, kept for the process (see _model)
    def operation(self, name: str) -> dict[str, Any]:
        found = self._lookup("operations", name)
        if found is None:
            raise ModelError(f"botocore {botocore_version()} has no operation {self.service} {name}")
        return found

    @functools.cache  # noqa: B019 - one instance per service, kept for the process (see _model)
    def shape(self, name: str) -> dict[str, Any]:
        found = self._lookup("shapes", name)
        if found is None:
            raise ModelError(f"botocore {botocore_version()} has no shape {name} in {self.service}")
        return found


def _model_path(service: str) -> Path:
    folder = data_dir() / service
    versions = sorted((p for p in folder.iterdir() if p.is_dir()), reverse=True) if folder.is_dir() else []
    for version in versions:  # the newest API version, as botocore itself picks by default
        for name in ("service-2.json.gz", "service-2.json"):
            if (version / name).is_file():
                return version / name
    raise ModelError(f"botocore {botocore_version()} has no model for service '{service}'")


def _read(service: str) -> bytes:
    path = _model_path(service)
    raw = path.read_bytes()
    return gzip.decompress(raw) if path.name.endswith(".gz") else raw


_prefetched: dict[str, bytes] = {}
_requested: set[str] = set()
_prefetching: list[threading.Thread] = []


def prefetch(services: Iterable[str]) -> None:
    """Read and decompress these services' models in a background thread (zlib works without the GIL), so
    that a check after a synth finds them ready. Call it before the synth; ``_model`` waits for it. Each service
    is read once per process."""
    wanted = sorted(set(services) - _requested)
    if not wanted:
        return
    _requested.update(wanted)

    def work() -> None:
        for service in wanted:
            with contextlib.suppress(OSError, ModelError):  # reported when the service is asked for
                _prefetched[service] = _read(service)

    thread = threading.Thread(target=work, name="botocore-models", daemon=True)
    _prefetching.append(thread)
    thread.start()


@functools.cache
def _model(service: str) -> _Model:
    _requested.add(service)
    for thread in _prefetching:
        thread.join()
    data = _prefetched.pop(service, None)
    return _Model(service, data if data is not None else _read(service))


def plain_text(documentation: str) -> str:
    """A model's HTML documentation as one line of text."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", documentation)).split())


@dataclass(frozen=True)
class Shape:
    """A shape's constraints, as the model states them."""

    service: str
    name: str
    type: str
    pattern: str | None
    min: float | None
    max: float | None
    enum: tuple[str, ...]
    member: str | None  # a list's member shape
    members: tuple[tuple[str, str], ...]  # a structure's members: (name, shape)
    documentation: str

    def child(self, key: str) -> "tuple[str, Shape] | None":
        """A structure's member and its shape, matched without regard to case (Pulumi's camelCase keys against
        the API's member names)."""
        wanted = key.lower()
        for name, shape in self.members:
            if name.lower() == wanted:
                return name, shape_of(self.service, shape)
        return None

    @property
    def constrained(self) -> bool:
        return bool(self.pattern or self.enum or self.min is not None or self.max is not None)


@functools.cache
def shape_of(service: str, name: str) -> Shape:
    raw = _model(service).shape(name)
    members = tuple((k, str(v["shape"])) for k, v in (raw.get("members") or {}).items())
    member = raw.get("member", {}).get("shape") if raw.get("type") == "list" else None
    return Shape(service=service, name=name, type=str(raw.get("type", "")), pattern=raw.get("pattern"),
                 min=raw.get("min"), max=raw.get("max"), enum=tuple(raw.get("enum") or ()), member=member,
                 members=members, documentation=str(raw.get("documentation", "")))


@dataclass(frozen=True)
class Member:
    """A request member: ``service``, ``operation`` and the path of member names from the request's top
    (``Rules[].VisibilityConfig.MetricName``: ``[]`` steps into a list's items, ``{key}``/``{value}`` into a
    map's keys or values)."""

    service: str
    operation: str
    path: str

    @staticmethod
    def parse(text: str) -> "Member":
        service, operation, path = text.split(" ")
        return Member(service, operation, path)

    def __str__(self) -> str:
        return f"{self.service} {self.operation} {self.path}"


@dataclass(frozen=True)
class Resolved:
    member: Member
    shape: Shape
    documentation: str  # the documentation of each member along the path (where the model states rules in prose)


@functools.cache
def resolve(member: Member) -> Resolved:
    """The shape a request member has; ModelError when the operation or any step of the path does not exist."""
    operation = _model(member.service).operation(member.operation)
    current = shape_of(member.service, str(operation["input"]["shape"]))
    documentation = ""
    for step in member.path.split("."):
        name, _, suffix = step.partition("[") if "[" in step else step.partition("{")
        found = dict(current.members).get(name)
        if found is None:
            raise ModelError(f"botocore {botocore_version()}: {member.service} {member.operation} has no member "
                             f"{member.path} ({current.name} has no {name})")
        documentation += " " + str(_model(member.service).shape(current.name)["members"][name].get("documentation", ""))
        current = shape_of(member.service, found)
        if suffix == "]":
            if current.member is None:
                raise ModelError(f"{member}: {name} is a {current.type}, not a list")
            current = shape_of(member.service, current.member)
        elif suffix in ("key}", "value}"):
            raw = _model(member.service).shape(current.name)
            if current.type != "map":
                raise ModelError(f"{member}: {name} is a {current.type}, not a map")
            current = shape_of(member.service, str(raw[suffix[:-1]]["shape"]))
        elif suffix:
            raise ModelError(f"{member}: unknown step {step}")
    return Resolved(member, current, documentation)


# --- Java regular expressions (the models' dialect) as Python ones -------------------------------------------
# Translations only ever widen what a pattern admits, so a translated pattern can miss a bad value but never
# refuse a good one: \p{L} and \p{N} become \w, \p{Z} becomes \s, a class with any other Unicode property admits
# everything, \p{Print} admits all but control characters, and UTF-16 surrogate ranges admit every astral
# character (Python strings hold those as single code points).

_WIDE_PROPERTIES = {"L": r"\w", "N": r"\w", "Z": r"\s", "Zs": r"\s", "IsAlphabetic": r"\w", "Alnum": r"\w"}
_ANY = r"\s\S"
_SURROGATE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _translate_class(body: str) -> str:
    """The inside of one ``[...]`` (without the brackets), widened as above."""
    if _SURROGATE.search(body):
        body = re.sub(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}(?:-\\u[dD][89a-fA-F][0-9a-fA-F]{2})?", "", body)
        body += r"\U00010000-\U0010FFFF"
    out: list[str] = []
    i = 0
    while i < len(body):
        if body.startswith(r"\p{", i):
            end = body.index("}", i)
            name = body[i + 3:end]
            if name not in _WIDE_PROPERTIES:
                return _ANY
            out.append(_WIDE_PROPERTIES[name])
            i = end + 1
        elif body[i] == "\\" and i + 1 < len(body):
            token = body[i:i + 2]
            out.append(token)
            i += 2
            # Java reads '-' after a class escape (\w-_) as a literal; Python refuses it as a range
            if token in (r"\w", r"\W", r"\d", r"\D", r"\s", r"\S") and body[i:i + 1] == "-":
                out.append(r"\-")
                i += 1
        else:
            out.append(body[i])
            i += 1
    return "".join(out)


@functools.cache
def python_pattern(java: str) -> re.Pattern[str] | None:
    """A model's pattern as a compiled Python regex, or None when it cannot be expressed (then it is not
    checked). Matched against the whole value, with ``.`` matching newlines too (as tflint-ruleset-aws does)."""
    out: list[str] = []
    i = 0
    while i < len(java):
        if java[i] == "\\" and i + 1 < len(java):
            if java.startswith(r"\p{", i):
                end = java.index("}", i)
                name = java[i + 3:end]
                out.append(r"[^\x00-\x1f\x7f]" if name == "Print" else
                           f"[{_WIDE_PROPERTIES.get(name, _ANY)}]")
                i = end + 1
            else:
                out.append(java[i:i + 2])
                i += 2
        elif java[i] == "[":
            depth_end = i + 1
            if java[depth_end:depth_end + 1] == "^":
                depth_end += 1
            if java[depth_end:depth_end + 1] == "]":
                depth_end += 1
            while depth_end < len(java) and java[depth_end] != "]":
                depth_end += 2 if java[depth_end] == "\\" else 1
            negated = java[i + 1:i + 2] == "^"
            body = java[i + (2 if negated else 1):depth_end]
            translated = _translate_class(body)
            if negated and translated == _ANY:
                return None
            out.append(f"[{'^' if negated else ''}{translated}]")
            i = depth_end + 1
        else:
            out.append(java[i])
            i += 1
    try:
        return re.compile("".join(out), re.DOTALL)
    except re.error:
        return None
