"""Logging with a correlation id on every line, as text or as one JSON object per line."""

from __future__ import annotations

import json
import logging
import sys
import time
import uuid
from typing import IO, Any

LOGGER_NAME = "bcce"
CONTEXT_FIELDS = ("operation", "component", "region", "stack")


def new_correlation_id() -> str:
    return uuid.uuid4().hex[:16]


class ContextFilter(logging.Filter):
    """Adds the run's correlation id and current operation/component/region to every record."""

    def __init__(self, correlation_id: str) -> None:
        super().__init__()
        self.correlation_id = correlation_id
        self.context: dict[str, str] = {}

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


def current_correlation_id() -> str:
    return _current["correlation_id"]


def configure(correlation_id: str, *, fmt: str = "text", verbose: bool = False, quiet: bool = False,
              stream: IO[str] | None = None) -> ContextFilter:
    _current["correlation_id"] = correlation_id
    logger = logging.getLogger(LOGGER_NAME)
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    context = ContextFilter(correlation_id)
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
