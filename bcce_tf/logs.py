"""Logging with a correlation id on every line, as text or as one JSON object per line."""

from __future__ import annotations

import json
import logging
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

LOGGER_NAME = "bcce"
CONTEXT_FIELDS = ("operation", "component", "region", "stack")


def new_correlation_id() -> str:
    return uuid.uuid4().hex[:16]


class ContextFilter(logging.Filter):
    """Adds the run's correlation id and current operation/component/region to every record."""

    def __init__(self, correlation_id: str, context: dict[str, str] | None = None) -> None:
        super().__init__()
        self.correlation_id = correlation_id
        self.context: dict[str, str] = context if context is not None else {}

    def filter(self, record: logging.LogRecord) -> bool:
        record.correlation_id = self.correlation_id
        for name in CONTEXT_FIELDS:
            if not hasattr(record, name):
                setattr(record, name, self.context.get(name, ""))
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "correlation_id": getattr(record, "correlation_id", ""),
        }
        for name in CONTEXT_FIELDS:
            data[name] = getattr(record, name, "")
        data["message"] = record.getMessage()
        return json.dumps(data, sort_keys=False)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        prefix = "" if record.levelno == logging.INFO else f"{record.levelname.lower()}: "
        return f"{prefix}{record.getMessage()}"


_current: dict[str, str] = {"correlation_id": ""}
# What the run is doing right now (operation, component, region, stack); every handler's filter reads it.
_context: dict[str, str] = {}


def current_correlation_id() -> str:
    return _current["correlation_id"]


def current_context() -> dict[str, str]:
    return dict(_context)


@contextmanager
def log_context(**fields: str | None) -> Iterator[None]:
    """Tag every log line written inside the block with these context fields (None = unchanged).

    The previous values come back when the block ends normally. When it ends with an exception
    the fields stay, so the error line that finally reports it still says where it happened."""
    unknown = set(fields) - set(CONTEXT_FIELDS)
    if unknown:
        raise ValueError(f"unknown log context field(s) {', '.join(sorted(unknown))}; known: {', '.join(CONTEXT_FIELDS)}")
    previous = {name: _context.get(name) for name in fields}
    for name, value in fields.items():
        if value is not None:
            _context[name] = value
    yield
    for name, value in previous.items():
        if value is None:
            _context.pop(name, None)
        else:
            _context[name] = value


def configure(correlation_id: str, *, fmt: str = "text", verbose: bool = False, quiet: bool = False,
              stream: IO[str] | None = None) -> ContextFilter:
    if correlation_id != _current["correlation_id"]:
        _context.clear()  # a new run starts with no operation context
    _current["correlation_id"] = correlation_id
    logger = logging.getLogger(LOGGER_NAME)
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    context = ContextFilter(correlation_id, _context)
    handler.addFilter(context)
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO)
    logger.propagate = False
    # The resilience package logs under its own name; route it through the same handler.
    resilience = logging.getLogger("bcce.resilience")
    resilience.propagate = True
    return context


def logger() -> logging.Logger:
    return logging.getLogger(LOGGER_NAME)
