"""A test-side evaluator of CloudWatch Logs space-delimited filter patterns: ``matches(pattern, line)``.

It implements the subset of the syntax that "Filter pattern syntax for metric filters, subscription filters, filter
log events, and Live Tail" documents (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html),
written from that page, not from components/flowlogs.py, and it raises ``FilterPatternError`` for anything outside
it rather than guessing:

- the pattern is enclosed in brackets and names fields separated by commas; ``...`` (once) stands for any number of
  unnamed fields (``[..., status_code, bytes]``); a name is letters, digits and underscores, not starting with a
  digit, and is not repeated;
- a field is a bare name (any value) or ``name OP value`` clauses joined by ``||`` or by ``&&`` (not both: their
  precedence is documented for JSON patterns only), each clause naming the same field
  (``status_code = 404 || status_code = 410``, ``w1!=ERROR && w1!=WARNING``); spaces around operators are optional;
- a value is a quoted string (``"..."``, no escapes), a number (``>``, ``<``, ``>=``, ``<=``, ``=``, ``!=``), a bare
  word (``ERROR``, ``4*``, ``*.html*``) or a regular expression between ``%`` signs (``ip=%127\\.0\\.0\\.[1-9]%``);
- ``*`` in a bare word is a wildcard at its start or end (``4*``, ``*.html*``); elsewhere it is literal (the
  archived guide: "Ev*ent will only match the actual string Ev*ent",
  https://github.com/awsdocs/amazon-cloudwatch-logs-user-guide/blob/master/doc_source/FilterAndPatternSyntax.md);
  wildcards inside quotes are not documented and are refused;
- a regular expression may hold only letters, digits, ``: _ # = @ / ; , -`` and ``^ $ ? [ ] { } | \\ * + .``; no
  parentheses; escapes ``\\d \\D \\s \\S \\w \\W \\xhh`` or an escaped symbol; at most 2 per pattern (the quota on that
  page). It is searched for in the field's value (``%AUTHORIZED%`` matches "UNAUTHORIZED REQUEST"; ``^``/``$``
  anchor to the field: ``url=%/service/resource/[0-9]+$%``). ``!=`` with a regular expression is not documented and
  is refused;
- a pattern longer than 1024 characters is refused (PutMetricFilter's ``filterPattern`` maximum,
  https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutMetricFilter.html).

Log events are split on spaces; characters between brackets or double quotes are one field (their delimiters are
not part of the value: the extracted fields in the archived guide show ``"$request": "GET /products/index.html
HTTP/1.0"``). With no ``...``, an event with more fields than the pattern names puts the rest of the event in the
last named field (why ``[w1=ERROR, w2]`` needs its blank ``w2`` to match "ERROR 09/25/2014 12:00:02 Failed to
process request"); an event with fewer fields never matches. A numeric clause never matches a value that is not a
number, whatever its operator.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["MAX_PATTERN_LENGTH", "Clause", "Field", "FilterPatternError", "Pattern", "matches", "parse"]

MAX_PATTERN_LENGTH = 1024
MAX_REGEX = 2

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
_WORD = re.compile(r"[A-Za-z0-9_.*:/@#+-]+")
_REGEX_CHARS = re.compile(r"[A-Za-z0-9:_#=@/;,\-^$?\[\]{}|\\*+.]+")
_OPERATORS = ("!=", ">=", "<=", "=", ">", "<")


class FilterPatternError(ValueError):
    """The pattern is malformed, or uses syntax the documentation does not describe."""


@dataclass(frozen=True)
class Clause:
    op: str
    kind: str  # "string" (quoted), "word" (bare, may carry wildcards), "number" or "regex"
    value: str

    def test(self, field: str) -> bool:
        if self.kind == "number":
            if not _NUMBER.fullmatch(field):
                return False
            a, b = float(field), float(self.value)
            return {"=": a == b, "!=": a != b, ">": a > b, "<": a < b, ">=": a >= b, "<=": a <= b}[self.op]
        if self.kind == "regex":
            hit = re.search(self.value, field, re.ASCII) is not None
        elif self.kind == "word":
            hit = _wildcard(self.value, field)
        else:
            hit = field == self.value
        return hit if self.op == "=" else not hit


def _wildcard(value: str, field: str) -> bool:
    if value == "*":
        return True
    lead, trail = value.startswith("*"), value.endswith("*")
    core = value[1 if lead else 0:len(value) - 1 if trail else len(value)]
    if lead and trail:
        return core in field
    if lead:
        return field.endswith(core)
    if trail:
        return field.startswith(core)
    return field == value


@dataclass(frozen=True)
class Field:
    name: str  # "..." for the ellipsis
    clauses: tuple[Clause, ...] = ()
    connective: str = ""  # "||", "&&" or "" (at most one clause)

    def test(self, value: str) -> bool:
        if not self.clauses:
            return True
        results = (c.test(value) for c in self.clauses)
        return all(results) if self.connective == "&&" else any(results)


@dataclass(frozen=True)
class Pattern:
    fields: tuple[Field, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.name != "...")

    @property
    def regexes(self) -> tuple[str, ...]:
        return tuple(c.value for f in self.fields for c in f.clauses if c.kind == "regex")


# -------------------------------------------------------------------------------------------------------- lexing

def _lex(body: str) -> list[tuple[str, str]]:
    """Tokens of the text between the pattern's brackets: (kind, text)."""
    tokens: list[tuple[str, str]] = []
    i = 0
    while i < len(body):
        c = body[i]
        if c.isspace():
            i += 1
        elif c == ",":
            tokens.append(("comma", c))
            i += 1
        elif body.startswith("...", i):
            tokens.append(("ellipsis", "..."))
            i += 3
        elif body.startswith(("||", "&&"), i):
            tokens.append(("connective", body[i:i + 2]))
            i += 2
        elif c in "!=<>":
            op = next((o for o in _OPERATORS if body.startswith(o, i)), None)
            if op is None:
                raise FilterPatternError(f"unknown operator at {body[i:i + 2]!r}")
            tokens.append(("op", op))
            i += len(op)
        elif c in "\"%":
            end = body.find(c, i + 1)
            if end < 0:
                raise FilterPatternError(f"unterminated {c} at {body[i:i + 20]!r}")
            tokens.append(("string" if c == '"' else "regex", body[i + 1:end]))
            i = end + 1
        else:
            m = _WORD.match(body, i)
            if not m:
                raise FilterPatternError(f"unexpected character {c!r} in {body!r}")
            tokens.append(("word", m.group()))
            i = m.end()
    return tokens


def _check_regex(expr: str) -> str:
    if not expr or not _REGEX_CHARS.fullmatch(expr):
        raise FilterPatternError(f"regular expression {expr!r}: only letters, digits, ':_#=@/;,-' and "
                                 "'^$?[]{}|\\*+.' are supported (no parentheses, no spaces in a field)")
    i = 0
    while i < len(expr):
        if expr[i] == "\\":
            nxt = expr[i + 1:i + 2]
            if nxt == "x" and re.fullmatch(r"[0-9A-Fa-f]{2}", expr[i + 2:i + 4]):
                i += 4
                continue
            if not nxt or (nxt.isalnum() and nxt not in "dDsSwW"):
                raise FilterPatternError(f"regular expression {expr!r}: unsupported escape \\{nxt}")
            i += 2
            continue
        i += 1
    try:
        re.compile(expr, re.ASCII)
    except re.error as exc:
        raise FilterPatternError(f"regular expression {expr!r}: {exc}") from exc
    return expr


# ------------------------------------------------------------------------------------------------------- parsing

def _value(kind: str, text: str, op: str) -> Clause:
    if kind == "regex":
        if op != "=":
            raise FilterPatternError(f"{op} with a regular expression is not documented")
        return Clause(op, "regex", _check_regex(text))
    if kind == "string":
        if "*" in text:
            raise FilterPatternError(f"wildcards inside quotes are not documented: {text!r}")
        clause = Clause(op, "string", text)
    elif kind == "word":
        clause = Clause(op, "number", text) if _NUMBER.fullmatch(text) else Clause(op, "word", text)
    else:
        raise FilterPatternError(f"expected a value after {op}, found {text!r}")
    if op not in ("=", "!=") and clause.kind != "number":
        raise FilterPatternError(f"{op} compares numbers, not {text!r}")
    return clause


def _field(tokens: list[tuple[str, str]]) -> Field:
    if not tokens:
        raise FilterPatternError("empty field (two commas in a row, or a leading or trailing comma)")
    if tokens == [("ellipsis", "...")]:
        return Field("...")
    kind, name = tokens[0]
    if kind != "word" or not _NAME.fullmatch(name):
        raise FilterPatternError(f"field name expected, found {name!r}")
    if len(tokens) == 1:
        return Field(name)
    clauses: list[Clause] = []
    connectives: set[str] = set()
    i = 0
    while True:
        if i + 3 > len(tokens) or tokens[i] != ("word", name) or tokens[i + 1][0] != "op":
            raise FilterPatternError(f"field {name!r}: expected '{name} OP value', found "
                                     f"{' '.join(t for _, t in tokens[i:i + 3])!r}")
        clauses.append(_value(tokens[i + 2][0], tokens[i + 2][1], tokens[i + 1][1]))
        i += 3
        if i == len(tokens):
            break
        if tokens[i][0] != "connective":
            raise FilterPatternError(f"field {name!r}: expected || or && after a clause, found {tokens[i][1]!r}")
        connectives.add(tokens[i][1])
        i += 1
    if len(connectives) > 1:
        raise FilterPatternError(f"field {name!r} mixes || and && (precedence undocumented for delimited patterns)")
    return Field(name, tuple(clauses), connectives.pop() if connectives else "")


@lru_cache(maxsize=256)
def parse(pattern: str) -> Pattern:
    """The parsed space-delimited ``pattern``; ``FilterPatternError`` if it is malformed or unsupported."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise FilterPatternError(f"pattern is {len(pattern)} characters; the maximum is {MAX_PATTERN_LENGTH}")
    text = pattern.strip()
    if not (text.startswith("[") and text.endswith("]")):
        raise FilterPatternError("only space-delimited patterns ([field, ...]) are supported")
    groups: list[list[tuple[str, str]]] = [[]]
    for token in _lex(text[1:-1]):
        if token[0] == "comma":
            groups.append([])
        else:
            groups[-1].append(token)
    fields = tuple(_field(g) for g in groups)
    names = [f.name for f in fields if f.name != "..."]
    if len(names) != len(set(names)):
        raise FilterPatternError(f"a field name is repeated: {names}")
    if len(fields) - len(names) > 1:
        raise FilterPatternError("more than one ... in a pattern")
    if not names:
        raise FilterPatternError("a pattern needs at least one named field")
    parsed = Pattern(fields)
    if len(parsed.regexes) > MAX_REGEX:
        raise FilterPatternError(f"{len(parsed.regexes)} regular expressions; at most {MAX_REGEX} per pattern")
    return parsed


# ------------------------------------------------------------------------------------------------------ matching

def _split(line: str) -> list[tuple[int, str]]:
    """The event's fields as (start offset, value); brackets and double quotes group a field."""
    out: list[tuple[int, str]] = []
    i = 0
    while i < len(line):
        if line[i].isspace():
            i += 1
            continue
        closer = {"[": "]", '"': '"'}.get(line[i])
        end = line.find(closer, i + 1) if closer else -1
        if closer and end > 0 and (end + 1 == len(line) or line[end + 1].isspace()):
            out.append((i, line[i + 1:end]))
            i = end + 1
            continue
        end = i
        while end < len(line) and not line[end].isspace():
            end += 1
        out.append((i, line[i:end]))
        i = end
    return out


def matches(pattern: str, line: str) -> bool:
    """Whether the log event ``line`` matches the space-delimited filter ``pattern``."""
    parsed = parse(pattern)
    tokens = _split(line)
    fields = parsed.fields
    if any(f.name == "..." for f in fields):
        cut = next(i for i, f in enumerate(fields) if f.name == "...")
        before, after = fields[:cut], fields[cut + 1:]
        if len(tokens) < len(before) + len(after):
            return False
        pairs = list(zip(before, (v for _, v in tokens[:len(before)]), strict=True))
        pairs += zip(after, (v for _, v in tokens[len(tokens) - len(after):]), strict=True)
    else:
        if len(tokens) < len(fields):
            return False
        values = [v for _, v in tokens[:len(fields)]]
        if len(tokens) > len(fields):  # the last named field takes the rest of the event
            values[-1] = line[tokens[len(fields) - 1][0]:].rstrip()
        pairs = list(zip(fields, values, strict=True))
    return all(f.test(v) for f, v in pairs)
