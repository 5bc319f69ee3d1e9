"""The driver's progress lines (automation/progress.py) as a terminal shows them: the live block is fed to a
terminal emulator (pyte) and the screen is read back; the engine events are the Automation API's own types."""

import threading
import time
from typing import Any

import pyte
import pytest
from pulumi.automation import EngineEvent

from automation.progress import Progress, elapsed

WIDTH = 100
THING = "aws:ec2/vpc:Vpc"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Terminal:
    def __init__(self, width: int = WIDTH) -> None:
        self.screen = pyte.Screen(width, 12)
        self.stream = pyte.Stream(self.screen)
        self.lock = threading.Lock()

    def write(self, text: str) -> None:
        with self.lock:
            self.stream.feed(text.replace("\n", "\r\n"))  # the tty's ONLCR: a newline returns the carriage

    def lines(self) -> list[str]:
        with self.lock:
            return [line.rstrip() for line in self.screen.display if line.strip()]


def _event(kind: str, op: str, name: str, **extra: Any) -> EngineEvent:
    meta = {"op": op, "urn": f"urn:pulumi:prod-us::securecart-network::{THING}::{name}", "type": THING,
            "provider": ""}
    return EngineEvent.from_json({"sequence": 1, "timestamp": 1, kind: {"metadata": meta, **extra}})


def pre(op: str, name: str) -> EngineEvent:
    return _event("resourcePreEvent", op, name)


def done(op: str, name: str) -> EngineEvent:
    return _event("resOutputsEvent", op, name)


def test_each_step_has_one_line_redrawn_in_place() -> None:
    term, clock = Terminal(), Clock()
    p = Progress(term.write, live=True, clock=clock, width=WIDTH, tick=0)
    eu = p.begin("0", "preview prod-eu", None, planning=True)
    us = p.begin("1", "preview prod-us", 700, planning=True)
    assert term.lines() == ["preview prod-eu: 0 resource(s), starting [0m00s]",
                            "preview prod-us: 0/700 resources, starting [0m00s]"]
    us(pre("create", "app-vpc"))
    clock.now += 65
    eu(pre("same", "edge"))
    eu(done("same", "edge"))
    assert term.lines() == ["preview prod-eu: 1 resource(s), checking aws:ec2/vpc:Vpc edge [1m05s]",
                            "preview prod-us: 0/700 resources, creating aws:ec2/vpc:Vpc app-vpc [1m05s]"]
    p.say("  prod-eu: [advisory] some-rule: edge: a finding")  # above the live lines, which stay below it
    us(done("create", "app-vpc"))
    p.end("1", "1 create; 0 violation(s); ok")
    assert term.lines() == ["  prod-eu: [advisory] some-rule: edge: a finding",
                            "preview prod-eu: 1 resource(s), checking aws:ec2/vpc:Vpc edge [1m05s]",
                            "preview prod-us: 1 create; 0 violation(s); ok [1m05s]"]
    clock.now += 3600
    p.end("0", "1 same; 0 violation(s); ok")
    p.close()
    p.say("preview: OK (prod-eu → prod-us)")  # after close: below the block, which is kept
    assert term.lines() == ["  prod-eu: [advisory] some-rule: edge: a finding",
                            "preview prod-eu: 1 same; 0 violation(s); ok [1h01m05s]",
                            "preview prod-us: 1 create; 0 violation(s); ok [1m05s]",
                            "preview: OK (prod-eu → prod-us)"]


def test_done_never_reads_more_than_expected_and_failures_show() -> None:
    term, clock = Terminal(), Clock()
    p = Progress(term.write, live=True, clock=clock, width=WIDTH, tick=0)
    up = p.begin("0", "up prod-us (step 2 of 5)", 1)
    up(done("create", "a"))
    up(_event("resOpFailedEvent", "create", "b", status=1, steps=1))
    assert term.lines() == ["up prod-us (step 2 of 5): 2/2 resources, 1 failed, starting [0m00s]"]


def test_a_line_longer_than_the_terminal_is_cut_not_wrapped() -> None:
    term = Terminal(width=40)
    p = Progress(term.write, live=True, clock=Clock(), width=40, tick=0)
    one = p.begin("0", "up prod-us (step 2 of 5)", 10)
    two = p.begin("1", "up prod-eu (step 3 of 5)", 10)
    for _ in range(3):  # redraws of wrapped lines would creep down the screen
        one(pre("create", "a-very-long-resource-name-indeed"))
        two(pre("update", "another-long-name"))
    lines = term.lines()
    assert len(lines) == 2
    assert lines[0].startswith("up prod-us (step 2 of 5): 0/10 resou")
    assert all(len(line) < 40 for line in lines)


def test_elapsed_time_moves_while_no_event_comes() -> None:
    term, clock = Terminal(), Clock()
    p = Progress(term.write, live=True, clock=clock, width=WIDTH, tick=0.01)
    on = p.begin("0", "up prod-us", 10)
    on(pre("create", "db"))
    clock.now += 600  # a Multi-AZ database takes its time; the engine says nothing meanwhile
    deadline = time.monotonic() + 5
    while "10m00s" not in "".join(term.lines()) and time.monotonic() < deadline:
        time.sleep(0.01)
    p.close()
    assert term.lines() == ["up prod-us: 0/10 resources, creating aws:ec2/vpc:Vpc db [10m00s]"]


def test_plain_lines_say_each_change_and_nothing_for_unchanged() -> None:
    written: list[str] = []
    clock = Clock()
    p = Progress(written.append, live=False, clock=clock, tick=0)
    on = p.begin("0", "up prod-us", 3)
    on(pre("same", "a"))
    on(done("same", "a"))
    on(pre("create", "b"))
    clock.now += 2
    on(done("create", "b"))
    on(EngineEvent.from_json({"sequence": 3, "timestamp": 1, "diagnosticEvent": {
        "prefix": "error: ", "message": "creating b: AccessDenied\nmore detail", "color": "never",
        "severity": "error"}}))
    on(EngineEvent.from_json({"sequence": 4, "timestamp": 1, "diagnosticEvent": {
        "message": "a warning", "color": "never", "severity": "warning"}}))
    p.end("0", "1 create, 1 same; 0 violation(s); ok")
    p.close()
    assert "".join(written).splitlines() == [
        "up prod-us: running; about 3 resources",
        "up prod-us [2/3 resources 0m02s] created aws:ec2/vpc:Vpc b",
        "up prod-us [2/3 resources 0m02s] error: creating b: AccessDenied",
        "up prod-us: 1 create, 1 same; 0 violation(s); ok [0m02s]",
    ]


@pytest.mark.parametrize(("seconds", "shown"), [(0, "0m00s"), (59.9, "0m59s"), (61, "1m01s"),
                                                 (3599, "59m59s"), (3600, "1h00m00s"), (7384, "2h03m04s")])
def test_elapsed(seconds: float, shown: str) -> None:
    assert elapsed(seconds) == shown


def test_a_resource_counts_once_whatever_steps_it_takes() -> None:
    """A replacement's three steps, a component's second outputs event (a preview) and the engine's default
    provider: each resource of the program is one of `done`."""
    written: list[str] = []
    p = Progress(written.append, live=False, clock=Clock(), tick=0)
    on = p.begin("0", "up prod-us", 3)
    for op in ("create-replacement", "replace", "delete-replaced"):
        on(pre(op, "db"))
        on(done(op, "db"))
    on(done("create", "tier"))
    on(done("create", "tier"))  # a component: the step, then its RegisterResourceOutputs
    on(EngineEvent.from_json({"sequence": 1, "timestamp": 1, "resOutputsEvent": {"metadata": {
        "op": "same", "urn": "urn:pulumi:prod-us::securecart-network::pulumi:providers:aws::default_7_1_0",
        "type": "pulumi:providers:aws", "provider": ""}}}))
    on(done("update", "sg"))
    p.end("0", "ok")
    assert "".join(written).splitlines() == [
        "up prod-us: running; about 3 resources",
        "up prod-us [1/3 resources 0m00s] replaced aws:ec2/vpc:Vpc db",
        "up prod-us [2/3 resources 0m00s] created aws:ec2/vpc:Vpc tier",
        "up prod-us [3/3 resources 0m00s] updated aws:ec2/vpc:Vpc sg",
        "up prod-us: ok [0m00s]",
    ]
