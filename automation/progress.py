"""Progress of the driver's engine operations, from the engine events: one line per stack.

On a terminal each running step has a live line, redrawn in place (resources done of expected, the operation
under way, elapsed time) and kept as the step's result line when it ends. Anywhere else (a CI log, a pipe) the
same events come out as plain lines: one per resource operation that changes something, one per failure or
engine error, and the step's result line. Several steps may run at once (concurrent previews): everything here is
guarded by one lock.
"""

import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from pulumi.automation import EngineEvent, OpType

Write = Callable[[str], None]  # writes text as given (and flushes)
Clock = Callable[[], float]
OnEvent = Callable[[EngineEvent], None]

# The words for an operation under way and done; `same` is counted but never shown.
_DOING = {OpType.CREATE: "creating", OpType.UPDATE: "updating", OpType.DELETE: "deleting",
          OpType.REPLACE: "replacing", OpType.CREATE_REPLACEMENT: "creating replacement",
          OpType.DELETE_REPLACED: "deleting replaced", OpType.READ: "reading", OpType.REFRESH: "refreshing",
          OpType.IMPORT: "importing", OpType.DISCARD: "discarding", OpType.SAME: "checking"}
_DONE = {OpType.CREATE: "created", OpType.UPDATE: "updated", OpType.DELETE: "deleted", OpType.REPLACE: "replaced",
         OpType.CREATE_REPLACEMENT: "created replacement", OpType.DELETE_REPLACED: "deleted replaced",
         OpType.READ: "read", OpType.REFRESH: "refreshed", OpType.IMPORT: "imported", OpType.DISCARD: "discarded"}
# A preview plans: the same operations, said as what would happen.
_PLANNED = {OpType.CREATE: "would create", OpType.UPDATE: "would update", OpType.DELETE: "would delete",
            OpType.REPLACE: "would replace", OpType.READ: "would read", OpType.IMPORT: "would import",
            OpType.DISCARD: "would discard"}


def elapsed(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600}h{s // 60 % 60:02d}m{s % 60:02d}s" if s >= 3600 else f"{s // 60}m{s % 60:02d}s"


def resource(urn: str, typ: str) -> str:
    """A resource as a person reads it: its type and name (the URN's last part)."""
    return f"{typ} {urn.rsplit('::', 1)[-1]}"


def _default_provider(urn: str) -> bool:
    kind, _, name = urn.rpartition("::")
    return kind.endswith("pulumi:providers:aws") and name.startswith("default")


@dataclass
class _Step:
    label: str  # "up prod-eu (step 3 of 5)"
    planning: bool  # a preview: the operations are planned, not done
    expected: int | None  # resources the step is expected to touch, when known
    started: float
    done: int = 0
    failed: int = 0
    current: str = "starting"
    result: str | None = None  # the step's result line once it has ended
    seen: set[str] = field(default_factory=set)  # the resources counted as done

    def count(self, urn: str, op: OpType) -> bool:
        """A resource is done once, whatever steps it took: a replacement's create-replacement and
        delete-replaced steps and a component's second outputs event (a preview) count with it, and the
        engine's default providers are not the program's resources. True when it counted now."""
        if op in (OpType.CREATE_REPLACEMENT, OpType.DELETE_REPLACED) or urn in self.seen or _default_provider(urn):
            return False
        self.seen.add(urn)
        self.done += 1
        return True

    def counter(self) -> str:
        if self.expected is None:
            return f"{self.done} resource(s)"
        return f"{self.done}/{max(self.expected, self.done)} resources"


class Progress:
    """One line per step. ``live``: redraw the lines in place (a terminal); otherwise print plain lines."""

    def __init__(self, out: Write, live: bool, clock: Clock = time.monotonic, width: int | None = None,
                 tick: float = 1.0) -> None:
        self._out = out  # raw text: the lines carry their own newlines
        self._live = live
        self._clock = clock
        self._width = width
        self._tick = tick
        self._lock = threading.RLock()
        self._steps: dict[str, _Step] = {}
        self._drawn = 0  # live: how many lines the block on screen has
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    # --- the driver's calls ----------------------------------------------------------------------------------------

    def begin(self, key: str, label: str, expected: int | None = None, planning: bool = False) -> OnEvent:
        """A step starts; returns the ``on_event`` its engine operation reports to."""
        with self._lock:
            self._steps[key] = _Step(label, planning, expected, self._clock())
            if self._live:
                self._redraw()
                self._start_ticker()
            else:
                about = f"; about {expected} resources" if expected is not None else ""
                self._out(f"{label}: running{about}\n")
        return lambda event: self.event(key, event)

    def end(self, key: str, outcome: str) -> None:
        """The step has ended: its line becomes its outcome."""
        with self._lock:
            step = self._steps[key]
            step.result = f"{step.label}: {outcome} [{elapsed(self._clock() - step.started)}]"
            if self._live:
                self._redraw()
            else:
                self._out(f"{step.result}\n")

    def say(self, line: str) -> None:
        """A line of its own (a violation, the verdict): above the live lines on a terminal."""
        with self._lock:
            if self._live and self._drawn:
                self._out(f"\x1b[{self._drawn}F\x1b[J{line}\n")
                self._drawn = 0
                self._redraw()
            else:
                self._out(f"{line}\n")

    def close(self) -> None:
        """The steps are over: the live lines are drawn a last time and left as they are; what is said after
        comes below them."""
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
        with self._lock:
            if self._live:
                self._redraw()
            self._drawn = 0
            self._steps = {}

    # --- engine events ---------------------------------------------------------------------------------------------

    def event(self, key: str, event: EngineEvent) -> None:
        with self._lock:
            step = self._steps[key]
            line = self._apply(step, event)
            if self._live:
                self._redraw()
            elif line is not None:
                self._out(f"{step.label} [{step.counter()} {elapsed(self._clock() - step.started)}] {line}\n")

    def _apply(self, step: _Step, event: EngineEvent) -> str | None:
        """Updates the step; returns what a plain log says of the event, if anything."""
        if event.resource_pre_event is not None:
            meta = event.resource_pre_event.metadata
            step.current = f"{_DOING.get(meta.op, str(meta.op.value))} {resource(meta.urn, meta.type)}"
            return None
        if event.res_outputs_event is not None:
            meta = event.res_outputs_event.metadata
            if not step.count(meta.urn, meta.op):
                return None
            words = (_PLANNED if step.planning else _DONE).get(meta.op)
            return f"{words} {resource(meta.urn, meta.type)}" if words else None
        if event.res_op_failed_event is not None:
            meta = event.res_op_failed_event.metadata
            step.count(meta.urn, meta.op)
            step.failed += 1
            return f"FAILED {_DOING.get(meta.op, str(meta.op.value))} {resource(meta.urn, meta.type)}"
        if event.diagnostic_event is not None and event.diagnostic_event.severity == "error":
            text = event.diagnostic_event.message.strip().splitlines()
            return f"error: {text[0].removeprefix('error: ')}" if text else None
        return None

    # --- the live block --------------------------------------------------------------------------------------------

    def _line(self, step: _Step) -> str:
        if step.result is not None:
            return step.result
        failed = f", {step.failed} failed" if step.failed else ""
        return (f"{step.label}: {step.counter()}{failed}, {step.current} "
                f"[{elapsed(self._clock() - step.started)}]")

    def _redraw(self) -> None:
        width = self._width or shutil.get_terminal_size().columns
        up = f"\x1b[{self._drawn}F" if self._drawn else ""
        # Each line is cut to the terminal's width: a wrapped line would throw the cursor arithmetic off.
        lines = [self._line(s)[: max(width - 1, 10)] for s in self._steps.values()]
        # The block ends with the cursor at the start of the line below it.
        self._out(up + "".join(f"\x1b[2K{line}\n" for line in lines))
        self._drawn = len(lines)

    def _start_ticker(self) -> None:
        """Elapsed time moves on a terminal even while a resource takes minutes to create."""
        if self._ticker is not None or self._tick <= 0:
            return

        def tick() -> None:
            while not self._stop.wait(self._tick):
                with self._lock:
                    if any(s.result is None for s in self._steps.values()):
                        self._redraw()

        self._ticker = threading.Thread(target=tick, name="securecart-progress", daemon=True)
        self._ticker.start()
