"""Inputs of the monitoring component."""

from __future__ import annotations

from typing import Any

from bcce_tf.config import Config

SERVICES: tuple[str, ...] = ()


def tfvars(config: Config, region: str) -> dict[str, Any]:
    return {}
