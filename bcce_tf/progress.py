"""Progress of a plan, apply or destroy, driven by Terraform's -json event stream.

On a terminal: one line rewritten in place (resources done of total, elapsed, current resource).
Elsewhere (CI, --log-format json): one plain line per finished resource and per diagnostic.
"""

from __future__ import annotations

import time
from typing import IO

from bcce_tf.plan import parse_event

DONE_TYPES = {"apply_complete", "apply_errored"}


class Progress:
    def __init__(self, stream: IO[str], *, interactive: bool, label: str, emit=None) -> None:  # noqa: ANN001
        self.stream = stream
        self.interactive = interactive
        self.label = label
        self.emit = emit  # plain mode: a callable taking a line (the logger), else the stream
        self.started = time.monotonic()
        self.total: int | None = None
        self.done = 0
        self.current = ""
        self._dirty = False

    def __call__(self, line: str) -> None:
        event = parse_event(line)
        if event is None:
            return
        if event.type == "planned_change" and event.action != "noop":
            self.total = (self.total or 0) + 1
        elif event.type == "change_summary" and event.total is not None:
            self.total = event.total
        elif event.type == "apply_start":
            self.current = f"{event.action} {event.address}"
        elif event.type in DONE_TYPES and event.action != "read":
            self.done += 1
            self._plain(f"{self.label}: {event.message}")
        elif event.type == "diagnostic" and event.level in ("error", "warn"):
            self._plain(f"{self.label}: {event.level}: {event.message}")
        if self.interactive:
            self._draw()

    def _plain(self, text: str) -> None:
        if self.interactive:
            if text and (": error:" in text or ": warn:" in text):
                self._clear()
                self.stream.write(text + "\n")
            return
        if self.emit is not None:
            self.emit(text)
        else:
            self.stream.write(text + "\n")

    def _draw(self) -> None:
        elapsed = time.monotonic() - self.started
        total = "?" if self.total is None else str(self.total)
        text = f"{self.label}: {self.done}/{total} resources, {elapsed:5.1f}s  {self.current}"[:160]
        self.stream.write("\r\x1b[2K" + text)
        self.stream.flush()
        self._dirty = True

    def _clear(self) -> None:
        if self._dirty:
            self.stream.write("\r\x1b[2K")
            self._dirty = False

    def finish(self) -> None:
        if self.interactive:
            self._clear()
            self.stream.flush()
