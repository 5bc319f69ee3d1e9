"""Flow-log analysis (components/flowlogs.py): the metric-filter patterns, run through the documented filter-pattern
semantics (tests/cw_filter.py) against records written in network.FLOW_LOG_FORMAT order, and the Logs Insights
queries' parse of the same fields."""

import ipaddress
import re
from collections.abc import Callable

import pytest

from components import flowlogs
from components.network import FLOW_LOG_FORMAT
from tests.cw_filter import FilterPatternError, matches, parse

# The record's fields read from the format here, independently of flowlogs.FIELDS.
FORMAT_FIELDS = tuple(re.findall(r"\$\{([a-z][a-z0-9-]*)\}", FLOW_LOG_FORMAT))

DEFAULTS: dict[str, str | int] = {
    "version": 5, "account-id": "123456789012", "interface-id": "eni-0a1b2c3d4e5f60718",
    "srcaddr": "203.0.113.7", "dstaddr": "10.10.128.20", "srcport": 49152, "dstport": 5432, "protocol": 6,
    "packets": 10, "bytes": 840, "start": 1700000000, "end": 1700000060, "action": "ACCEPT", "log-status": "OK",
    "vpc-id": "vpc-0a1b2c3d4e5f60718", "subnet-id": "subnet-0a1b2c3d4e5f60718", "az-id": "use1-az1",
    "tcp-flags": 2, "flow-direction": "ingress", "traffic-path": "-",
}


def record(**values: str | int) -> str:
    """A flow-log record in FLOW_LOG_FORMAT order: DEFAULTS overridden by ``values`` (``tcp_flags`` for
    ``tcp-flags``); the packet-level addresses default to the interface-level ones."""
    fields = {**DEFAULTS, **{k.replace("_", "-"): v for k, v in values.items()}}
    unknown = set(fields) - set(FORMAT_FIELDS) - {"pkt-srcaddr", "pkt-dstaddr"}
    assert not unknown, f"not flow-log fields: {unknown}"
    fields.setdefault("pkt-srcaddr", fields["srcaddr"])
    fields.setdefault("pkt-dstaddr", fields["dstaddr"])
    return " ".join(str(fields[f]) for f in FORMAT_FIELDS)


DATABASE = ["10.10.128.0/24", "10.10.129.0/24", "10.10.130.0/24"]  # the data group's three /24s of 10.10.128.0/20
APP = "10.10.64.0/18"
ANALYTICS = "10.30.0.0/21"
ALLOWED = [APP, ANALYTICS]
PORTS = [22, 23, 3389, 445, 1433, 3306, 5900, 6379, 11211, 27017]

SSH_PROBE = record(srcaddr="198.51.100.23", dstaddr="10.10.0.12", srcport=51234, dstport=22, packets=1, bytes=44,
                   action="REJECT", tcp_flags=2)
WEB_TO_DB = record(srcaddr="10.10.0.15", dstaddr="10.10.128.20", dstport=5432, action="ACCEPT")
RDP = record(srcaddr="198.51.100.23", dstaddr="10.10.64.9", dstport=3389, action="ACCEPT", tcp_flags=3)
APP_TO_DB = record(srcaddr="10.10.64.10", dstaddr="10.10.128.20", dstport=5432, action="ACCEPT", tcp_flags=2)
HTTPS_REPLY = record(srcaddr="93.184.216.34", dstaddr="10.10.64.9", srcport=443, dstport=49152, action="ACCEPT",
                     tcp_flags=19)
NODATA = record(srcaddr="-", dstaddr="-", srcport="-", dstport="-", protocol="-", packets="-", bytes="-",
                action="-", log_status="NODATA", tcp_flags="-", flow_direction="-", pkt_srcaddr="-",
                pkt_dstaddr="-")


@pytest.fixture(scope="module")
def intrusion() -> str:
    return flowlogs.database_intrusion_pattern(DATABASE, ALLOWED)


@pytest.fixture(scope="module")
def unused_ports() -> str:
    return flowlogs.unused_ports_pattern(PORTS)


# ---------------------------------------------------------------------------------------------- fields and records

def test_fields_are_the_format_fields_in_order_as_cloudwatch_names() -> None:
    assert tuple(f.replace("-", "_") for f in FORMAT_FIELDS) == flowlogs.FIELDS
    assert all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", f) for f in flowlogs.FIELDS)
    assert len(FORMAT_FIELDS) == 22


def test_record_helper_writes_each_value_at_its_fields_position() -> None:
    values = {f: f"v{i}" for i, f in enumerate(FORMAT_FIELDS)}
    line = record(**{f.replace("-", "_"): v for f, v in values.items()})
    assert line.split(" ") == [values[f] for f in FORMAT_FIELDS]
    assert SSH_PROBE.split(" ")[FORMAT_FIELDS.index("dstport")] == "22"


PATTERNS: dict[str, Callable[[], str]] = {
    "rejected": flowlogs.rejected_pattern,
    "intrusion": lambda: flowlogs.database_intrusion_pattern(DATABASE, ALLOWED),
    "unused-ports": lambda: flowlogs.unused_ports_pattern(PORTS),
    "bare": flowlogs.pattern,
}


@pytest.mark.parametrize("label", list(PATTERNS))
def test_every_pattern_names_every_field_in_order_and_fits(label: str) -> None:
    text = PATTERNS[label]()
    parsed = parse(text)  # raises if the pattern is malformed or uses undocumented syntax
    assert parsed.names == flowlogs.FIELDS, label
    assert all(f.name != "..." for f in parsed.fields)
    assert len(text) <= 1024


def test_pattern_renders_conditions_in_place() -> None:
    assert flowlogs.pattern() == "[" + ", ".join(flowlogs.FIELDS) + "]"
    assert 'action="REJECT"' in flowlogs.rejected_pattern()
    assert flowlogs.pattern(action="REJECT") == flowlogs.rejected_pattern()
    text = flowlogs.pattern(protocol=6, dstport=flowlogs.any_of(22, 23), action=flowlogs.none_of("ACCEPT"))
    assert "protocol=6," in text and "dstport=22 || dstport=23," in text and 'action!="ACCEPT"' in text


@pytest.mark.parametrize("build", [
    lambda: flowlogs.pattern(nosuchfield="x"),
    lambda: flowlogs.pattern(action='RE"JECT'),
    lambda: flowlogs.pattern(action="REJ*"),
    lambda: flowlogs.pattern(action=""),
    lambda: flowlogs.pattern(protocol=True),
    lambda: flowlogs.pattern(srcaddr=flowlogs.Condition((("!=", "%^10%"),))),
    lambda: flowlogs.pattern(bytes=flowlogs.Condition(((">", '"x"'),))),
    lambda: flowlogs.pattern(srcaddr=flowlogs.regex("^1"), dstaddr=flowlogs.regex("^2"),
                             pkt_srcaddr=flowlogs.regex("^3")),
    lambda: flowlogs.pattern(dstport=flowlogs.any_of(*range(1, 200))),
])
def test_pattern_refuses_what_cloudwatch_would(build: Callable[[], str]) -> None:
    with pytest.raises(ValueError):
        build()


@pytest.mark.parametrize("expr", ["(a|b)", "a b", "a{1,3}", "a||b", "|a", r"\b", "50%", "x!"])
def test_regex_refuses_undocumented_syntax(expr: str) -> None:
    with pytest.raises(ValueError, match="regular expression"):
        flowlogs.regex(expr)


# ------------------------------------------------------------------------------------------------------ rejected

@pytest.mark.parametrize(("line", "expected"), [
    (SSH_PROBE, True),
    (record(action="REJECT", protocol=17, dstport=53, tcp_flags=0), True),
    (APP_TO_DB, False),
    (HTTPS_REPLY, False),
    (NODATA, False),
])
def test_rejected_pattern_matches_rejected_records_only(line: str, expected: bool) -> None:
    assert matches(flowlogs.rejected_pattern(), line) is expected


# -------------------------------------------------------------------------------------------- database intrusion

@pytest.mark.parametrize(("src", "dst", "expected"), [
    ("10.10.0.15", "10.10.128.20", True),      # the web tier is not an allowed reader
    ("203.0.113.7", "10.10.130.5", True),      # nor the internet
    ("10.10.64.10", "10.10.128.20", False),    # the application tier is
    ("10.30.3.4", "10.10.129.9", False),       # and so is the analytics block
    ("10.10.63.255", "10.10.128.1", True),     # just below the application block
    ("10.10.64.0", "10.10.128.1", False),      # its first address
    ("10.10.127.255", "10.10.128.1", False),   # its last address
    ("10.10.128.0", "10.10.129.1", True),      # just above it (a database address is not an allowed source)
    ("10.29.255.255", "10.10.128.1", True),    # just below the analytics block
    ("10.30.0.0", "10.10.128.1", False),
    ("10.30.7.255", "10.10.128.1", False),
    ("10.30.8.0", "10.10.128.1", True),        # just above it
    ("203.0.113.7", "10.10.127.255", False),   # just below the database subnets
    ("203.0.113.7", "10.10.128.0", True),
    ("203.0.113.7", "10.10.130.255", True),
    ("203.0.113.7", "10.10.131.0", False),     # in the /20 but in none of its three subnets
])
def test_intrusion_pattern_cidr_boundaries(intrusion: str, src: str, dst: str, expected: bool) -> None:
    assert matches(intrusion, record(srcaddr=src, dstaddr=dst)) is expected


@pytest.mark.parametrize(("line", "expected"), [
    (WEB_TO_DB, True),
    (record(srcaddr="10.10.0.15", dstaddr="10.10.128.20", action="REJECT"), True),
    (record(srcaddr="10.10.0.15", dstaddr="10.10.128.20", flow_direction="egress"), False),
    (APP_TO_DB, False),
    (HTTPS_REPLY, False),
    (SSH_PROBE, False),
    (NODATA, False),
])
def test_intrusion_pattern_records(intrusion: str, line: str, expected: bool) -> None:
    assert matches(intrusion, line) is expected


def sweep(*cidr_lists: list[str]) -> list[str]:
    """Addresses exercising every value of every octet the expressions distinguish: each first octet; under each
    block's first octet each second one, under its first two each third one, under its first three each last one;
    and both neighbours of every block boundary."""
    blocks = [ipaddress.IPv4Network(c) for cidrs in cidr_lists for c in cidrs]
    out = {f"{a}.{b}.{b}.{b}" for a in range(256) for b in (0, 255)}
    for net in blocks:
        o = net.network_address.packed
        out |= {f"{o[0]}.{x}.{y}.{y}" for x in range(256) for y in (0, 255)}
        out |= {f"{o[0]}.{o[1]}.{x}.{y}" for x in range(256) for y in (0, 255)}
        out |= {f"{o[0]}.{o[1]}.{o[2]}.{x}" for x in range(256)}
        out |= {str(net.network_address - 1), str(net.network_address), str(net.broadcast_address),
                str(net.broadcast_address + 1)}
    return sorted(out)


def inside(address: str, cidrs: list[str]) -> bool:
    return any(ipaddress.IPv4Address(address) in ipaddress.IPv4Network(c) for c in cidrs)


LAYOUTS = [
    (DATABASE, ALLOWED),
    (["10.10.128.0/20"], [APP, ANALYTICS]),  # the whole data block, as the isolated group's block
    (["10.10.128.0/25", "10.10.130.128/26"], [APP, "192.0.2.10/32", "10.10.128.64/27"]),  # last-octet ranges
]


@pytest.mark.parametrize(("database", "allowed"), LAYOUTS)
def test_intrusion_sources_are_exactly_those_outside_the_allowed_blocks(database: list[str],
                                                                        allowed: list[str]) -> None:
    text = flowlogs.database_intrusion_pattern(database, allowed)
    dst = str(ipaddress.IPv4Network(database[0]).network_address + 1)
    wrong = [a for a in sweep(database, allowed)
             if matches(text, record(srcaddr=a, dstaddr=dst)) is inside(a, allowed)]
    assert not wrong


@pytest.mark.parametrize(("database", "allowed"), LAYOUTS)
def test_intrusion_destinations_are_exactly_the_database_subnets(database: list[str], allowed: list[str]) -> None:
    text = flowlogs.database_intrusion_pattern(database, allowed)
    wrong = [a for a in sweep(database, allowed)
             if matches(text, record(srcaddr="198.51.100.23", dstaddr=a)) is not inside(a, database)]
    assert not wrong


@pytest.mark.parametrize(("database", "allowed"), LAYOUTS)
def test_intrusion_regexes_do_not_depend_on_how_the_service_anchors_them(database: list[str],
                                                                         allowed: list[str]) -> None:
    regexes = parse(flowlogs.database_intrusion_pattern(database, allowed)).regexes
    assert len(regexes) == 2
    for expr in regexes:
        differ = [a for a in sweep(database, allowed)
                  if bool(re.search(expr, a, re.ASCII)) != bool(re.fullmatch(expr, a, re.ASCII))]
        assert not differ, expr
        assert not re.search(expr, "-") and not re.search(expr, "2001:db8::1")


def test_intrusion_pattern_without_allowed_sources_flags_every_source() -> None:
    text = flowlogs.database_intrusion_pattern(DATABASE, [])
    assert matches(text, APP_TO_DB) and not matches(text, HTTPS_REPLY)


def test_intrusion_pattern_raises_when_it_cannot_fit() -> None:
    scattered = [f"10.{i}.{i}.{i}/32" for i in range(1, 40)]
    with pytest.raises(ValueError, match="1024"):
        flowlogs.database_intrusion_pattern(DATABASE, scattered)


@pytest.mark.parametrize(("database", "allowed", "message"), [
    ([], ALLOWED, "at least one database"),
    (["10.10.128.5/24"], ALLOWED, "host bits"),
    (["2001:db8::/64"], ALLOWED, "IPv4 CIDR"),
    (DATABASE, ["0.0.0.0/1", "128.0.0.0/1"], "cover every IPv4 address"),
])
def test_intrusion_pattern_rejects_bad_blocks(database: list[str], allowed: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        flowlogs.database_intrusion_pattern(database, allowed)


# --------------------------------------------------------------------------------------------------- unused ports

@pytest.mark.parametrize(("line", "expected"), [
    (SSH_PROBE, True),                                              # rejected SSH probe
    (RDP, True),                                                    # accepted RDP connection (SYN and FIN)
    (record(dstport=3389, action="REJECT", tcp_flags=6), True),     # SYN answered by a reset
    (record(dstport=27017, tcp_flags=7), True),
    (HTTPS_REPLY, False),                                           # a server's reply: SYN-ACK, ephemeral port
    (APP_TO_DB, False),                                             # 5432 is in use
    (record(dstport=445, protocol=17, tcp_flags=0), False),         # UDP
    (record(dstport=22, flow_direction="egress"), False),           # outbound
    (record(dstport=22, tcp_flags=0), False),                       # a later record of an open connection
    (record(dstport=22, tcp_flags=18), False),
    (record(dstport=2222), False),                                  # numeric equality, not a prefix
    (record(dstport=220), False),
    (record(dstport=33890), False),
    (record(dstport=2), False),
    (NODATA, False),
])
def test_unused_ports_pattern_records(unused_ports: str, line: str, expected: bool) -> None:
    assert matches(unused_ports, line) is expected


def test_unused_ports_pattern_covers_every_port_and_only_syn_records(unused_ports: str) -> None:
    for port in PORTS:
        for flags in range(64):
            line = record(dstport=port, tcp_flags=flags, action="REJECT")
            assert matches(unused_ports, line) is (flags in (2, 3, 6, 7)), (port, flags)


@pytest.mark.parametrize("ports", [[], [0], [65536], [True]])
def test_unused_ports_pattern_rejects_bad_ports(ports: list[int]) -> None:
    with pytest.raises(ValueError):
        flowlogs.unused_ports_pattern(ports)


# ------------------------------------------------------------------------------------------------- Logs Insights

PARSE = re.compile(r'parse @message "([^"]*)" as ([\w, ]+)\n')


def glob_extract(glob: str, names: list[str], line: str) -> dict[str, str]:
    """What a glob ``parse`` yields: each ``*`` a lazy match, the last one the rest of the message."""
    stars = glob.count("*")
    rx = "".join(f"(?P<{names[i]}>.*?)" if i < stars - 1 else f"(?P<{names[i]}>.*)"
                  for i in range(stars))
    literal = [re.escape(part) for part in glob.split("*")]
    rx = literal[0] + "".join(group + lit for group, lit in zip(re.findall(r"\(\?P<\w+>\.\*\??\)", rx), literal[1:],
                                                                     strict=True))
    m = re.fullmatch(rx, line)
    assert m, (glob, line)
    return m.groupdict()


@pytest.fixture(scope="module")
def queries() -> dict[str, str]:
    return flowlogs.insights_queries(DATABASE)


def test_insights_queries_parse_the_same_fields_in_the_same_order(queries: dict[str, str]) -> None:
    assert set(queries) == {"top-talkers", "rejects-by-source", "database-ingress"}
    for name, query in queries.items():
        m = PARSE.match(query)
        assert m, name
        glob, names = m.group(1), [n.strip() for n in m.group(2).split(",")]
        assert glob == " ".join(["*"] * len(FORMAT_FIELDS)), name
        assert tuple(names) == flowlogs.FIELDS, name
        values = glob_extract(glob, names, WEB_TO_DB)
        assert [values[n] for n in names] == WEB_TO_DB.split(" ")
        assert len(query) <= 10000


def identifiers_used(query: str) -> set[str]:
    """Field names a query reads after its parse: stats arguments and groupings, filter operands."""
    body = query.split("\n", 1)[1]
    body = re.sub(r'"[^"]*"', "", body)
    words = set(re.findall(r"\b[a-z_]+\b", body))
    keywords = {"filter", "stats", "sum", "count", "as", "by", "sort", "desc", "limit", "and", "or", "isIpv4InSubnet"}
    aliases = set(re.findall(r"\bas (\w+)", body))
    return words - keywords - aliases - {"isipv4insubnet"}


def test_insights_queries_read_only_parsed_fields(queries: dict[str, str]) -> None:
    for name, query in queries.items():
        assert identifiers_used(query) <= set(flowlogs.FIELDS), name


def test_top_talkers_sums_bytes_by_source_and_destination(queries: dict[str, str]) -> None:
    assert "| stats sum(bytes) as bytes_transferred by srcaddr, dstaddr\n" in queries["top-talkers"]
    assert "| sort bytes_transferred desc" in queries["top-talkers"]


def test_rejects_by_source_counts_rejected_records(queries: dict[str, str]) -> None:
    query = queries["rejects-by-source"]
    assert '| filter action = "REJECT"\n' in query
    assert re.search(r"\| stats count\(\*\) as (\w+) by srcaddr\n\| sort \1 desc", query)


def test_database_ingress_names_every_database_subnet(queries: dict[str, str]) -> None:
    query = queries["database-ingress"]
    assert re.findall(r'isIpv4InSubnet\(dstaddr, "([^"]+)"\)', query) == DATABASE
    assert 'filter flow_direction = "ingress" and (' in query
    assert "by srcaddr, dstaddr, dstport, action" in query
    with pytest.raises(ValueError, match="at least one database"):
        flowlogs.insights_queries([])


# ----------------------------------------------------------------- the evaluator against the documented examples

APACHE = '127.0.0.1 Prod frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534'
EVENTS = ["INFO 09/25/2014 12:00:00 GET /service/resource/67 1200",
          "INFO 09/25/2014 12:00:01 POST /service/resource/67/part/111 1310",
          "WARNING 09/25/2014 12:00:02 Invalid user request",
          "ERROR 09/25/2014 12:00:02 Failed to process request"]


@pytest.mark.parametrize(("text", "expected"), [
    (r"[ip=%127\.0\.0\.[1-9]%, user, username, timestamp, request =*.html*, status_code = 4*, bytes]", True),
    (r"[ip=%127\.0\.0\.[2-9]%, user, username, timestamp, request =*.html*, status_code = 4*, bytes]", False),
    ("[..., request =*.html*, status_code = 4*, bytes]", True),
    ("[..., request =*.htm, status_code = 4*, bytes]", False),
    ("[ip, user, username, timestamp, request =*.html*, status_code = 404 || status_code = 410, bytes]", True),
    ("[ip, user, username, timestamp, request, status_code = 410 || status_code = 500, bytes]", False),
    ("[ip, user, username, timestamp, request, status_code, bytes > 1000]", True),
    ("[ip, user, username, timestamp, request, status_code, bytes > 2000]", False),
    ('[ip, user, username, timestamp="10/Oct/2000:13:25:15 -0700", request, status_code, bytes]', True),
    ("[ip, user, ...]", True),
    ("[ip, user, username=fr*, ...]", True),        # a trailing * is a prefix match
    ("[ip, user, username=*nk, ...]", True),        # a leading * a suffix match
    ("[ip, user, username=*fr, ...]", False),
    ("[ip, user, username=nk*, ...]", False),
    ("[ip, user, username=f*k, ...]", False),       # an inner * is literal
    ("[a, b, c, d, e, f, g, h]", False),
])
def test_evaluator_follows_the_documented_apache_examples(text: str, expected: bool) -> None:
    assert matches(text, APACHE) is expected


@pytest.mark.parametrize(("text", "expected"), [
    ("[w1=ERROR, w2]", [False, False, False, True]),
    ("[w1=ERROR]", [False, False, False, False]),  # without the blank w2, w1 is the whole event
    ("[w1=ERROR || w1=WARNING, w2]", [False, False, True, True]),
    ("[w1!=ERROR && w1!=WARNING, w2]", [True, True, False, False]),
    ("[logLevel, date, time, method, url=%/service/resource/[0-9]+$%, response_time]", [True, False, False, False]),
    ("[logLevel, date, time, method, url=%/service/resource/[0-9]+/part/[0-9]+$%, response_time]",
     [False, True, False, False]),
    # The documented patterns anchor with $ only: the expression is searched for in the field.
    ("[logLevel, date, time, method, url=%resource/[0-9]+$%, response_time]", [True, False, False, False]),
])
def test_evaluator_follows_the_documented_ordered_term_examples(text: str, expected: list[bool]) -> None:
    assert [matches(text, e) for e in EVENTS] == expected


@pytest.mark.parametrize("text", [
    "w1=ERROR",                            # not space-delimited
    "(w1, w2)",
    "[w1=ERROR, w2",                       # unclosed
    "[]",
    "[w1=ERROR,, w2]",
    "[w1=ERROR, w2,]",
    "[w1, w1]",
    "[..., w1, ...]",
    "[1w, w2]",
    "[w1=ERROR || w2=WARNING, w2]",        # a clause naming another field
    "[w1=A || w1=B && w1=C, w2]",          # mixed connectives
    "[w1 == A, w2]",
    "[w1=ERROR w2]",
    "[w1=(a), w2]",
    "[w1=%(a)%, w2]",                      # no parentheses in a regex
    "[w1=%a b%, w2]",
    r"[w1=%\bx%, w2]",                     # undocumented escape
    "[w1!=%a%, w2]",                       # != with a regex is undocumented
    "[w1=%a%, w2=%b%, w3=%c%]",            # three regexes
    "[w1, w2=%abc]",                       # unterminated regex
    '[w1="abc, w2]',
    '[w1="a*", w2]',
    "[w1 > abc, w2]",
    "[" + ", ".join(f"f{i}" for i in range(300)) + "]",  # over 1024 characters
])
def test_evaluator_refuses_malformed_or_undocumented_patterns(text: str) -> None:
    with pytest.raises(FilterPatternError):
        matches(text, "a b c")
