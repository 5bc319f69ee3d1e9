"""Flow-log analysis: CloudWatch Logs metric-filter patterns and Logs Insights queries for the network tier's
custom VPC flow-log format (``network.FLOW_LOG_FORMAT``). Pure Python: nothing here creates a resource.

Metric-filter patterns are space-delimited patterns naming every field of the record in order (``FIELDS``) and
putting conditions on some of them. The syntax relied on, all from "Filter pattern syntax for metric filters,
subscription filters, filter log events, and Live Tail"
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html):

- a space-delimited pattern is enclosed in brackets and names the fields positionally, separated by commas
  (``[ip, user, username, timestamp, request, status_code, bytes]``); a field name is letters, digits and
  underscores (``status_code``, ``w1``);
- a condition follows the name: ``=`` / ``!=`` on strings, ``=``, ``!=``, ``>``, ``<``, ``>=``, ``<=`` on numbers;
  strings with characters other than letters, digits and underscores go in double quotes, so every string value
  here is quoted (``action="REJECT"``);
- ``||`` and ``&&`` join conditions on one field, each repeating the field's name
  (``status_code = 404 || status_code = 410``, ``w1!=ERROR && w1!=WARNING``); this module never mixes the two in one
  field (their precedence is documented for JSON patterns only);
- a value between ``%`` signs is a regular expression (``ip=%127\\.0\\.0\\.[1-9]%``), matched against the field's
  value (``url=%/service/resource/[0-9]+$%``: ``^`` and ``$`` anchor to the field). Only letters, digits, the
  symbols ``: _ # = @ / ; , -`` and the operators ``^ $ ? [ ] { } | \\ * + .`` are allowed; ``(`` and ``)`` are
  not (no sub-patterns), so ``|`` alternates whole expressions (``%^starting|^initializing%``); ``\\d`` is
  ``[0-9]``; a literal dot is ``\\.``. At most 2 regular expressions per space-delimited pattern, and at most 5
  regex-bearing filter patterns per log group (both quotas on that page).

Not relied on, because that page does not document them: ``!=`` with a regular expression (an address outside a
set of blocks is matched with ``=`` and a regular expression for the complement instead), wildcards inside quoted
strings, and commas or spaces inside a regular expression within a space-delimited pattern. A filter pattern is at
most 1024 characters (``filterPattern``, "Length Constraints: Maximum length of 1024",
https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutMetricFilter.html; the same bound is in
botocore's model of the service, shape ``FilterPattern``); ``pattern`` raises ``ValueError`` past it.

Address regular expressions are exact for dotted-decimal IPv4 addresses (which is what ``srcaddr``/``dstaddr``
hold for IPv4 traffic): every alternative is anchored at the start (``^10\\.10\\.12[89]\\.``) and ends either with
``$`` (a range in the last octet) or with ``.*`` after the octet's dot, so the result is the same whether the
service searches the field or matches it whole. Octet values above 255 never occur, so a range reaching 255 is
written up to 999 (``[2-9]\\d\\d`` rather than ``2[0-4]\\d|25[0-5]``).

Logs Insights queries (``insights_queries``) first split ``@message`` with ``parse`` in glob mode, one ``*`` per
field, in ``FIELDS`` order (``parse @message "* [*] *" as loggingTime, loggingType, loggingMessage``:
https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Parse.html and the sample queries at
https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-examples.html), then filter with
``isIpv4InSubnet(field, "cidr")`` ("Returns true if the field is a valid IPv4 address within the specified v4
subnet", https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-operations-functions.html) and
aggregate with ``stats``.

Flow-log field semantics (https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html): ``tcp-flags``
is a bitmask of FIN 1, SYN 2, RST 4 and SYN-ACK 18, OR-ed over the aggregation interval; NODATA and SKIPDATA
records carry ``-`` in the address, port and action fields.
"""

import ipaddress
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from components.network import FLOW_LOG_FORMAT

__all__ = ["FIELDS", "MAX_PATTERN_LENGTH", "MAX_REGEX_PER_PATTERN", "PARSE_COMMAND", "SYN_WITHOUT_SYN_ACK",
           "Condition", "address_regex", "any_of", "database_intrusion_pattern", "insights_queries", "none_of",
           "pattern", "regex", "rejected_pattern", "unused_ports_pattern"]

MAX_PATTERN_LENGTH = 1024
MAX_REGEX_PER_PATTERN = 2

_FORMAT_FIELD = re.compile(r"\$\{([a-z][a-z0-9-]*)\}")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _format_fields(log_format: str) -> tuple[str, ...]:
    """The AWS field names of a flow-log format, in order; the format must be exactly ``${a} ${b} ...``."""
    fields = tuple(_FORMAT_FIELD.findall(log_format))
    if not fields or " ".join("${" + f + "}" for f in fields) != log_format:
        raise ValueError(f"not a space-separated list of ${{field}} references: {log_format!r}")
    return fields


# One pattern field name per record field, in record order: the AWS name with '-' turned into '_' (a CloudWatch
# field name is letters, digits and underscores).
FIELDS: tuple[str, ...] = tuple(f.replace("-", "_") for f in _format_fields(FLOW_LOG_FORMAT))

# The record layout the patterns and queries below were written against. Every pattern names FIELDS positionally,
# so a reordered format would still produce consistent patterns; this check makes any change to the format a
# deliberate one, reviewed against the conditions below (which fields exist, what their values look like).
_EXPECTED_FIELDS = ("version", "account_id", "interface_id", "srcaddr", "dstaddr", "srcport", "dstport", "protocol",
                    "packets", "bytes", "start", "end", "action", "log_status", "vpc_id", "subnet_id", "az_id",
                    "pkt_srcaddr", "pkt_dstaddr", "tcp_flags", "flow_direction", "traffic_path")
if FIELDS != _EXPECTED_FIELDS:  # not an assert statement: it must hold under python -O too
    raise AssertionError(f"network.FLOW_LOG_FORMAT changed: fields are {FIELDS}, the flow-log patterns assume "
                         f"{_EXPECTED_FIELDS}; review components/flowlogs.py before updating _EXPECTED_FIELDS")
if not all(_NAME.fullmatch(f) for f in FIELDS) or len(set(FIELDS)) != len(FIELDS):
    raise AssertionError(f"flow-log field names are not distinct CloudWatch field names: {FIELDS}")

# tcp-flags values of a record holding a connection's opening SYN but no SYN-ACK (2 plus any of FIN 1, RST 4):
# the client side of a connection attempt, never a server's reply (18 and up).
SYN_WITHOUT_SYN_ACK = (2, 3, 6, 7)

TCP = 6


# ---------------------------------------------------------------------------------------------------- conditions

_REGEX_ALLOWED = re.compile(r"[A-Za-z0-9:_#=@/;\-^$?\[\]{}|\\*+.]+")  # the documented characters, minus ',' (see above)
_REGEX_ESCAPES = frozenset("dDsSwW")


def _check_regex(expr: str) -> str:
    """``expr`` if it only uses what the filter-pattern regex syntax documents; ``ValueError`` otherwise."""
    if not _REGEX_ALLOWED.fullmatch(expr):
        raise ValueError(f"regular expression {expr!r} uses characters a CloudWatch filter pattern does not allow "
                         "(allowed: letters, digits, : _ # = @ / ; - and the operators ^ $ ? [ ] { } | \\ * + .; "
                         "no parentheses, spaces or commas)")
    if "||" in expr or expr.startswith("|") or expr.endswith("|"):
        raise ValueError(f"regular expression {expr!r} has an empty alternative")
    i = 0
    while i < len(expr):
        if expr[i] == "\\":
            nxt = expr[i + 1:i + 2]
            if nxt == "x":
                if not re.fullmatch(r"[0-9A-Fa-f]{2}", expr[i + 2:i + 4]):
                    raise ValueError(f"regular expression {expr!r}: \\x takes two hexadecimal digits")
                i += 4
                continue
            if not nxt or (nxt.isalnum() and nxt not in _REGEX_ESCAPES):
                raise ValueError(f"regular expression {expr!r}: undocumented escape \\{nxt}")
            i += 2
            continue
        i += 1
    try:
        re.compile(expr)
    except re.error as exc:
        raise ValueError(f"regular expression {expr!r} does not compile: {exc}") from exc
    return expr


def _string_literal(value: str) -> str:
    if not value or any(c in value for c in '"*\\') or not value.isprintable() or value.strip() != value:
        raise ValueError(f"string value {value!r}: must be non-empty, printable, without surrounding spaces, "
                         "double quotes, backslashes or '*' (wildcards inside quotes are not documented)")
    return f'"{value}"'


def _number_literal(value: int) -> str:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"numeric value {value!r} is not an integer")
    return str(value)


def _literal(value: str | int) -> str:
    return _string_literal(value) if isinstance(value, str) else _number_literal(value)


@dataclass(frozen=True)
class Condition:
    """Conditions on one field, joined by one connective: ``clauses`` are (operator, rendered value) pairs."""

    clauses: tuple[tuple[str, str], ...]
    connective: str = "||"

    def __post_init__(self) -> None:
        if not self.clauses:
            raise ValueError("a condition needs at least one clause")
        if self.connective not in ("||", "&&"):
            raise ValueError(f"connective must be || or &&, not {self.connective!r}")
        for op, value in self.clauses:
            if op not in ("=", "!=", ">", "<", ">=", "<="):
                raise ValueError(f"unknown operator {op!r}")
            if value.startswith("%") and op != "=":
                raise ValueError(f"{op} with a regular expression is not documented; only = is")
            if value.startswith("%"):
                if len(value) < 3 or not value.endswith("%"):
                    raise ValueError(f"a regular expression value is %...%, not {value!r}")
                _check_regex(value[1:-1])
            elif not re.fullmatch(r'-?\d+|"[^"*\\]+"', value):
                raise ValueError(f"a value is a quoted string, an integer or %regex%, not {value!r}")
            if op in (">", "<", ">=", "<=") and not re.fullmatch(r"-?\d+", value):
                raise ValueError(f"{op} compares numbers, not {value!r}")

    @property
    def regex_count(self) -> int:
        return sum(1 for _, value in self.clauses if value.startswith("%"))

    def render(self, name: str) -> str:
        return f" {self.connective} ".join(f"{name}{op}{value}" for op, value in self.clauses)


def any_of(*values: str | int) -> Condition:
    """The field equals one of ``values`` (strings compared as quoted strings, integers as numbers)."""
    if not values:
        raise ValueError("any_of needs at least one value")
    return Condition(tuple(("=", _literal(v)) for v in dict.fromkeys(values)), "||")


def none_of(*values: str | int) -> Condition:
    """The field equals none of ``values``."""
    if not values:
        raise ValueError("none_of needs at least one value")
    return Condition(tuple(("!=", _literal(v)) for v in dict.fromkeys(values)), "&&")


def regex(expr: str) -> Condition:
    """The field matches the regular expression ``expr`` (written without the surrounding ``%``)."""
    return Condition((("=", f"%{_check_regex(expr)}%"),))


def pattern(**conditions: str | int | Condition) -> str:
    """A space-delimited filter pattern naming every flow-log field in order, with ``conditions`` on some of them:
    a string means "equals this string", an integer "equals this number", a ``Condition`` anything else
    (``any_of``, ``none_of``, ``regex``). ``pattern(action="REJECT")`` is
    ``[version, account_id, ..., action="REJECT", ..., traffic_path]``.

    Raises ``ValueError`` for an unknown field, an invalid value, more than ``MAX_REGEX_PER_PATTERN`` regular
    expressions or a pattern longer than ``MAX_PATTERN_LENGTH`` characters.
    """
    unknown = sorted(set(conditions) - set(FIELDS))
    if unknown:
        raise ValueError(f"unknown flow-log field(s) {unknown}; the fields are {list(FIELDS)}")
    parts: list[str] = []
    regexes = 0
    for name in FIELDS:
        if name not in conditions:
            parts.append(name)
            continue
        value = conditions[name]
        cond = value if isinstance(value, Condition) else Condition((("=", _literal(value)),))
        regexes += cond.regex_count
        parts.append(cond.render(name))
    if regexes > MAX_REGEX_PER_PATTERN:
        raise ValueError(f"{regexes} regular expressions in one filter pattern; CloudWatch allows "
                         f"{MAX_REGEX_PER_PATTERN} per space-delimited pattern")
    text = "[" + ", ".join(parts) + "]"
    if len(text) > MAX_PATTERN_LENGTH:
        raise ValueError(f"the filter pattern is {len(text)} characters; CloudWatch allows {MAX_PATTERN_LENGTH}")
    return text


# ------------------------------------------------------------------------------------------- address expressions

def _networks(cidrs: Iterable[str], what: str) -> list[ipaddress.IPv4Network]:
    nets: list[ipaddress.IPv4Network] = []
    for cidr in cidrs:
        try:
            nets.append(ipaddress.IPv4Network(cidr, strict=True))
        except ValueError as exc:
            raise ValueError(f"{what}: {cidr!r} is not an IPv4 CIDR block with its host bits clear ({exc})") from exc
    return list(ipaddress.collapse_addresses(nets))


def _digit_class(lo: int, hi: int) -> str:
    if lo == hi:
        return str(lo)
    if (lo, hi) == (0, 9):
        return r"\d"
    return f"[{lo}{hi}]" if hi == lo + 1 else f"[{lo}-{hi}]"


def _same_length(lo: str, hi: str) -> list[str]:
    """Regex pieces (no alternation inside) matching exactly the decimal strings from ``lo`` to ``hi``, both of the
    same length."""
    if not lo:
        return [""]
    if lo[0] == hi[0]:
        return [lo[0] + rest for rest in _same_length(lo[1:], hi[1:])]
    width = len(lo) - 1
    first_lo, first_hi = int(lo[0]), int(hi[0])
    head: list[str] = []
    tail: list[str] = []
    if lo[1:] != "0" * width:
        head = [lo[0] + rest for rest in _same_length(lo[1:], "9" * width)]
        first_lo += 1
    if hi[1:] != "9" * width:
        tail = [hi[0] + rest for rest in _same_length("0" * width, hi[1:])]
        first_hi -= 1
    middle = [_digit_class(first_lo, first_hi) + r"\d" * width] if first_lo <= first_hi else []
    return head + middle + tail


def _octet_pieces(lo: int, hi: int) -> list[str]:
    """Regex pieces matching exactly the octet values ``lo``..``hi`` as written in an address (no leading zeros).
    A range reaching 255 is written up to 999: larger values never occur in an address, and the pieces get fewer."""
    if hi == 255:
        hi = 999
    pieces: list[str] = []
    for start, end in ((0, 9), (10, 99), (100, 999)):
        a, b = max(lo, start), min(hi, end)
        if a <= b:
            pieces += _same_length(str(a), str(b))
    return pieces


def address_regex(networks: Sequence[ipaddress.IPv4Network]) -> str:
    """A filter-pattern regular expression (without the ``%``) matching exactly the dotted-decimal IPv4 addresses
    inside ``networks``: one ``^``-anchored alternative per octet range, the octets before it written out."""
    if not networks:
        raise ValueError("no address block to match")
    # Key: the octets fixed by the prefix before the octet holding its last bit; value: that octet's ranges.
    groups: dict[tuple[int, ...], list[tuple[int, int]]] = {}
    for net in ipaddress.collapse_addresses(networks):
        octets = net.network_address.packed
        k = 0 if net.prefixlen == 0 else (net.prefixlen - 1) // 8
        lo = octets[k]
        hi = lo + (1 << (8 * (k + 1) - net.prefixlen)) - 1
        groups.setdefault(tuple(octets[:k]), []).append((lo, hi))
    alternatives: list[str] = []
    for fixed in sorted(groups):
        merged: list[tuple[int, int]] = []
        for lo, hi in sorted(groups[fixed]):
            if merged and lo <= merged[-1][1] + 1:
                merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
            else:
                merged.append((lo, hi))
        head = "^" + "".join(rf"{o}\." for o in fixed)
        end = "$" if len(fixed) == 3 else r"\..*"
        alternatives += [head + piece + end for lo, hi in merged for piece in _octet_pieces(lo, hi)]
    return "|".join(alternatives)


def _complement(networks: Sequence[ipaddress.IPv4Network]) -> list[ipaddress.IPv4Network]:
    """The IPv4 blocks outside every one of ``networks``."""
    rest = [ipaddress.IPv4Network("0.0.0.0/0")]
    for net in ipaddress.collapse_addresses(networks):
        nxt: list[ipaddress.IPv4Network] = []
        for block in rest:
            if net.subnet_of(block):
                nxt += block.address_exclude(net)
            elif not block.subnet_of(net):
                nxt.append(block)
        rest = nxt
    return list(ipaddress.collapse_addresses(rest))


# ----------------------------------------------------------------------------------------------------- patterns

def rejected_pattern() -> str:
    """Every record the security groups or network ACLs rejected (``action`` REJECT)."""
    return pattern(action="REJECT")


def database_intrusion_pattern(database_subnet_cidrs: list[str], allowed_source_cidrs: list[str]) -> str:
    """Inbound records (``flow-direction`` ingress, accepted or rejected) whose ``dstaddr`` lies in a database
    subnet and whose ``srcaddr`` lies outside every allowed source block (the application tier's and any other
    allowed reader's, such as an analytics block).

    Both address conditions are regular expressions (the pattern's quota of two): ``dstaddr`` must match the
    database blocks, ``srcaddr`` the complement of the allowed blocks (``!=`` with a regular expression is not
    documented). Exact for IPv4 addresses; raises ``ValueError`` if a block is not an IPv4 CIDR, if no database
    block is given, if the allowed blocks cover every address, or if the result exceeds 1024 characters.
    """
    if not database_subnet_cidrs:
        raise ValueError("database_intrusion_pattern needs at least one database subnet CIDR")
    database = _networks(database_subnet_cidrs, "database subnet")
    allowed = _networks(allowed_source_cidrs, "allowed source block")
    conditions: dict[str, str | int | Condition] = {
        "dstaddr": regex(address_regex(database)),
        "flow_direction": "ingress",
    }
    if allowed:
        outside = _complement(allowed)
        if not outside:
            raise ValueError(f"the allowed source blocks {allowed_source_cidrs} cover every IPv4 address: "
                             "no source could be an intruder")
        conditions["srcaddr"] = regex(address_regex(outside))
    try:
        return pattern(**conditions)
    except ValueError as exc:
        raise ValueError(f"database intrusion pattern for database subnets {database_subnet_cidrs} and allowed "
                         f"sources {allowed_source_cidrs} cannot be expressed as one CloudWatch filter pattern: "
                         f"{exc}. Use fewer or larger (octet-aligned) blocks, or split the allowed sources over "
                         "several metric filters") from exc


def unused_ports_pattern(ports: list[int]) -> str:
    """Inbound TCP connection attempts, accepted or rejected, to any of ``ports`` (ports nothing here should
    listen on: 22, 23, 3389, 445, 1433, 3306, 5900, 6379, 11211, 27017, ...).

    A connection attempt is an ingress record of protocol 6 whose ``tcp-flags`` hold the opening SYN but no SYN-ACK
    (``SYN_WITHOUT_SYN_ACK``): later records of a long-lived connection and replies from a server are not counted.
    Every such record has ``action`` ACCEPT or REJECT (NODATA/SKIPDATA records carry ``-`` in the port fields, which
    a numeric condition never matches), so the action is not constrained.
    """
    if not ports:
        raise ValueError("unused_ports_pattern needs at least one port")
    for port in ports:
        if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
            raise ValueError(f"{port!r} is not a TCP port (1-65535)")
    return pattern(dstport=any_of(*ports), protocol=TCP, tcp_flags=any_of(*SYN_WITHOUT_SYN_ACK),
                   flow_direction="ingress")


# ------------------------------------------------------------------------------------------------ Logs Insights

# Splits a record into FIELDS, one glob per space-separated field.
PARSE_COMMAND = 'parse @message "' + " ".join("*" for _ in FIELDS) + '" as ' + ", ".join(FIELDS)


def insights_queries(database_subnet_cidrs: list[str]) -> dict[str, str]:
    """Saved Logs Insights queries over the flow-log group, by name: the top talkers (bytes by source and
    destination), rejected records by source, and inbound traffic into the database subnets (by source,
    destination, port and action)."""
    if not database_subnet_cidrs:
        raise ValueError("insights_queries needs at least one database subnet CIDR")
    _networks(database_subnet_cidrs, "database subnet")  # validates them; the query names them as given
    in_database = " or ".join(f'isIpv4InSubnet(dstaddr, "{cidr}")' for cidr in dict.fromkeys(database_subnet_cidrs))
    return {
        "top-talkers": (f'{PARSE_COMMAND}\n| filter log_status = "OK"\n'
                        "| stats sum(bytes) as bytes_transferred by srcaddr, dstaddr\n"
                        "| sort bytes_transferred desc\n| limit 25"),
        "rejects-by-source": (f'{PARSE_COMMAND}\n| filter action = "REJECT"\n'
                              "| stats count(*) as rejected_records by srcaddr\n"
                              "| sort rejected_records desc\n| limit 25"),
        "database-ingress": (f'{PARSE_COMMAND}\n| filter flow_direction = "ingress" and ({in_database})\n'
                             "| stats sum(bytes) as bytes_transferred, count(*) as records "
                             "by srcaddr, dstaddr, dstport, action\n"
                             "| sort bytes_transferred desc\n| limit 50"),
    }
